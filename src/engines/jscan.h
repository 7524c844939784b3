/* A zero-allocation JSON scanner for the provider engines' hot stream events: a delta
 * chunk is read in place instead of becoming a jansson tree (see docs/PERFORMANCE.md,
 * "Stream decoding").
 *
 * The scanner walks one JSON text front to back; the caller pulls keys and values and
 * skips what it does not need. It validates what it walks exactly as json_loadb with no
 * flags does (structure, strings with their escapes, surrogate pairs and UTF-8, no
 * \u0000, integers within int64, reals that do not overflow, values nested at most 2048
 * deep), so a
 * text the scanner accepts is one jansson accepts. A pull that meets a different type
 * than asked also fails: callers treat every failure as "take the jansson path", which
 * reports malformed text with jansson's own words. Strings are returned as slices of the
 * input; gp__jscan_str_append decodes one into a buffer. Single-threaded, no allocation
 * (but gp__jscan_json, which builds jansson values faster than jansson's own parser).
 * Internal to src/engines (and its tests). */
#ifndef GP_ENGINES_JSCAN_H
#define GP_ENGINES_JSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"

typedef struct {
  const char *start;     /* the text's first byte */
  const char *p;         /* next byte */
  const char *end;       /* one past the last byte */
  int err;               /* 1 once a pull failed; every later call fails */
  int depth;             /* containers open (jansson counts them to refuse deep texts) */
} gp_jscan_t;

typedef struct {
  const char *s;         /* the bytes between the quotes (escapes not decoded) */
  size_t n;
  int escaped;           /* 1 when s contains a backslash escape */
} gp_jscan_str_t;

void gp__jscan_init(gp_jscan_t *j, const char *text, size_t len);
/* The next value's first byte after white space ('{', '[', '"', 'n', digit...), 0 at the
 * end or after a failure. */
char gp__jscan_peek(gp_jscan_t *j);
/* '{' consumed: 1; anything else: 0 (err set). */
int gp__jscan_obj_begin(gp_jscan_t *j);
/* The next key of the object (its ':' consumed): 1; the closing '}' consumed: 0;
 * malformed: -1. */
int gp__jscan_obj_next(gp_jscan_t *j, gp_jscan_str_t *key);
/* '[' consumed: 1; anything else: 0 (err set). */
int gp__jscan_arr_begin(gp_jscan_t *j);
/* 1: an element follows; 0: the closing ']' consumed; -1: malformed. */
int gp__jscan_arr_next(gp_jscan_t *j);
/* A string value: 1 with *out set; `null`: 0 (consumed); anything else: -1. */
int gp__jscan_str(gp_jscan_t *j, gp_jscan_str_t *out);
/* An integer value (no fraction or exponent, within int64): 1; `null`: 0; else -1. */
int gp__jscan_int(gp_jscan_t *j, int64_t *out);
/* `null`: 1 (consumed); anything else: 0 and nothing consumed. */
int gp__jscan_null(gp_jscan_t *j);
/* Skips one value of any type, validating it: 0, or -1 when malformed. */
int gp__jscan_skip(gp_jscan_t *j);
/* 0 when only white space is left and no pull failed, else -1. */
int gp__jscan_done(gp_jscan_t *j);
/* 1 when the string (not escaped) is the literal `lit` (a string constant). Inline: with
 * the length known at the call, memcmp becomes a few compares (engines test every key
 * of every chunk against several names). */
static inline int gp__jscan_key_eq(const gp_jscan_str_t *k, const char *lit, size_t n) {
  return !k->escaped && k->n == n && memcmp(k->s, lit, n) == 0;
}
#define gp__jscan_key_is(k, lit) gp__jscan_key_eq((k), "" lit, sizeof(lit) - 1)
/* For readers of a few keys: 1 the first time `bit` is set in *seen, 0 after (jansson
 * keeps the last of duplicate keys, so a reader that meets one leaves the text to it). */
int gp__jscan_once(int *seen, int bit);
/* Appends the decoded text of a string the scanner returned to b. */
void gp__jscan_str_append(const gp_jscan_str_t *s, gp_buf_t *b);
/* The next value as the jansson value json_loadb would build from it (new reference,
 * the caller decrefs), read without jansson's lexer; NULL (err set) when malformed, when
 * it nests deeper than 64, or when jansson fails to allocate: the caller then asks
 * jansson itself. Unlike the pulls above, this allocates. */
json_t *gp__jscan_json(gp_jscan_t *j);

#endif
