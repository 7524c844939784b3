/* ECMAScript regular expressions for JSON Schema `pattern` (SPEC §4.4): compiled once,
 * matched with `RegExp.prototype.test` semantics (an unanchored search, no flags) over
 * the code points of a UTF-8 string. See regex.c for the dialect and the step budget. */
#ifndef GP_TOOLS_REGEX_H
#define GP_TOOLS_REGEX_H

#include <stddef.h>

typedef struct gp_regex_s gp_regex_t;

/* Most backtracking steps one test may take; past it gp__regex_test answers -1. */
#define GP_REGEX_MAX_STEPS 10000000L

/* Compiles `pattern` (UTF-8, NUL-terminated). NULL when it is not a valid expression,
 * with the reason written to `why` (`whylen` bytes, may be 0); also NULL on OOM. The
 * caller frees the result with gp__regex_free. Any thread. */
gp_regex_t *gp__regex_compile(const char *pattern, char *why, size_t whylen);
void gp__regex_free(gp_regex_t *re);

/* Searches `s` (`len` bytes of UTF-8; an invalid byte reads as U+FFFD) for a match: 1
 * found, 0 not found, -1 the search needed more than GP_REGEX_MAX_STEPS steps or nested
 * too deep (catastrophic backtracking) or memory ran out. Any thread; `re` is read only. */
int gp__regex_test(const gp_regex_t *re, const char *s, size_t len);

#endif
