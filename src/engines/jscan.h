/* bench/jscan: a zero-allocation JSON scanner, to measure what the provider engines would
 * gain by reading the fields they need from each stream chunk in place instead of
 * building a jansson tree per event (see docs/PERFORMANCE.md, "Stream decoding").
 *
 * The scanner walks one JSON text front to back; the caller pulls keys and values and
 * skips what it does not need. It validates what it walks (structure, strings with their
 * escapes and UTF-8, numbers, literals), so malformed input is reported, not accepted.
 * Strings are returned as slices of the input; jscan_str_append unescapes one into a
 * buffer. Single-threaded, no allocation. Prototype: used by bench/decode only. */
#ifndef GP_BENCH_JSCAN_H
#define GP_BENCH_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef struct {
  const char *p;         /* next byte */
  const char *end;       /* one past the last byte */
  int err;               /* 1 once the text was found malformed; every call then fails */
} jscan_t;

typedef struct {
  const char *s;         /* the bytes between the quotes (escapes not decoded) */
  size_t n;
  int escaped;           /* 1 when s contains a backslash escape */
} jscan_str_t;

void jscan_init(jscan_t *j, const char *text, size_t len);
/* The next value's first byte after white space ('{', '[', '"', 'n', digit...), 0 at the end. */
char jscan_peek(jscan_t *j);
/* '{' consumed: 1; anything else: 0 (err set). */
int jscan_obj_begin(jscan_t *j);
/* The next key of the object (its ':' consumed): 1; the closing '}' consumed: 0; malformed: -1. */
int jscan_obj_next(jscan_t *j, jscan_str_t *key);
int jscan_arr_begin(jscan_t *j);
/* 1: an element follows; 0: the closing ']' consumed; -1: malformed. */
int jscan_arr_next(jscan_t *j);
/* A string value: 1 with *out set; `null`: 0 (consumed); anything else: -1. */
int jscan_str(jscan_t *j, jscan_str_t *out);
/* An integer value: 1; `null`: 0; anything else: -1. */
int jscan_int(jscan_t *j, int64_t *out);
/* Skips one value of any type: 0, or -1 when malformed. */
int jscan_skip(jscan_t *j);
/* 0 when only white space is left and nothing was malformed. */
int jscan_done(jscan_t *j);
/* 1 when the string (not escaped) is the literal `lit` (a string constant). */
int jscan_key_eq(const jscan_str_t *k, const char *lit, size_t n);
#define jscan_key_is(k, lit) jscan_key_eq((k), "" lit, sizeof(lit) - 1)
/* Appends the string's decoded text to b. */
void jscan_str_append(const jscan_str_t *s, gp_buf_t *b);

#endif
