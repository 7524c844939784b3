/* Shared pieces of the JSON Schema subset (schema.c validates values, schema_check.c
 * checks schemas): error paths and `pattern` matching (local $refs: core/json_ref.h). */
#ifndef GP_TOOLS_SCHEMA_INTERNAL_H
#define GP_TOOLS_SCHEMA_INTERNAL_H

#include <jansson.h>

#include "core/core.h"

/* Appends ".key" or ["key"] to `path`; returns the length to restore with _pop. */
size_t gp__schema_path_key(gp_buf_t *path, const char *key);
void gp__schema_path_pop(gp_buf_t *path, size_t saved);
/* *err = INVALID_ARGUMENT "PATH: REASON" (when err is not NULL); returns the code. */
int gp__schema_fail(gp_error_t **err, const gp_buf_t *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Matches `s` (`len` bytes of UTF-8) against ECMAScript `pattern` (an unanchored search,
 * as JSON Schema says; tools/regex.h): 1 match, 0 no match, -1 the pattern does not
 * compile (the reason in `why`), -2 the search ran out of its step budget. */
int gp__schema_pattern_match(const char *pattern, const char *s, size_t len, char *why, size_t whylen);

#endif
