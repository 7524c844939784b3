/* A walk of the scanner's next value alongside jansson's tree, shared by test_jscan and
 * tests/fuzz/fuzz_jscan (header-only). */
#ifndef GP_TEST_JSCAN_WALK_H
#define GP_TEST_JSCAN_WALK_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "engines/jscan.h"

/* Walks the scanner's next value alongside jansson's tree: 1 when they agree. */
static int gp_jscan_walk(gp_jscan_t *j, const json_t *v) {
  char c = gp__jscan_peek(j);
  gp_jscan_str_t k, s;
  if (c == '{') {
    if (!json_is_object(v) || !gp__jscan_obj_begin(j)) return 0;
    size_t members = 0;
    int r;
    while ((r = gp__jscan_obj_next(j, &k)) == 1) {
      gp_buf_t kb = {0};
      gp__jscan_str_append(&k, &kb);
      const json_t *m = json_object_get(v, kb.data ? kb.data : "");
      gp__buf_free(&kb);
      if (!m || !gp_jscan_walk(j, m)) return 0;
      members++;
    }
    return r == 0 && members == json_object_size(v);
  }
  if (c == '[') {
    if (!json_is_array(v) || !gp__jscan_arr_begin(j)) return 0;
    size_t i = 0;
    int r;
    while ((r = gp__jscan_arr_next(j)) == 1)
      if (!gp_jscan_walk(j, json_array_get(v, i++))) return 0;
    return r == 0 && i == json_array_size(v);
  }
  if (c == '"') {
    if (!json_is_string(v) || gp__jscan_str(j, &s) != 1) return 0;
    gp_buf_t sb = {0};
    gp__jscan_str_append(&s, &sb);
    int same = sb.len == json_string_length(v) &&
               (sb.len == 0 || memcmp(sb.data, json_string_value(v), sb.len) == 0);
    gp__buf_free(&sb);
    return same;
  }
  if (json_is_integer(v)) {
    int64_t x;
    return gp__jscan_int(j, &x) == 1 && x == json_integer_value(v);
  }
  if (json_is_null(v)) return gp__jscan_null(j) == 1;
  return (json_is_real(v) || json_is_boolean(v)) && gp__jscan_skip(j) == 0;
}

/* Levels of values in v (1 for a scalar or an empty container). */
static int gp_jscan_json_levels(const json_t *v) {
  int most = 0;
  const char *key;
  size_t i;
  json_t *m;
  if (json_is_object(v)) {
    json_object_foreach((json_t *)v, key, m) {
      int l = gp_jscan_json_levels(m);
      if (l > most) most = l;
    }
  } else if (json_is_array(v)) {
    json_array_foreach(v, i, m) {
      int l = gp_jscan_json_levels(m);
      if (l > most) most = l;
    }
  }
  return most + 1;
}

/* gp__jscan_json on t[0..n) against `want`, what json_loadb built from it (NULL: refused):
 * 1 when it refuses what jansson refuses and builds what jansson builds, to the dump
 * (members in the same order, reals to the last digit). It may leave to jansson a text
 * with a NUL byte or values more than 64 levels deep. */
static int gp_jscan_json_agrees(const char *t, size_t n, const json_t *want) {
  gp_jscan_t j;
  gp__jscan_init(&j, t, n);
  json_t *got = gp__jscan_json(&j);
  int took = got && gp__jscan_done(&j) == 0;
  int same;
  if (!want || !took) {
    same = !took && (!want || memchr(t, '\0', n) || gp_jscan_json_levels(want) > 64);
  } else {
    char *a = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
    char *b = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
    same = a && b && strcmp(a, b) == 0 && json_equal(got, (json_t *)want);
    free(a);
    free(b);
  }
  json_decref(got);
  return same;
}

#endif
