/* libFuzzer target for src/engines/jscan, differential against jansson (json_loadb, the
 * provider engines' parser): the scanner must never accept a text jansson refuses, and
 * must accept what jansson accepts unless the text holds a NUL byte (jansson drops a NUL
 * it pushes back after a number; the scanner refuses all, which only sends such a chunk
 * to the jansson path). On accepted texts, a walk of the scanner's strings and integers
 * must find jansson's values. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "engines/jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks the next value alongside jansson's: 1 when they agree. Recursion is bounded by
 * the scanner's depth limit. */
static int walk(gp_jscan_t *j, const json_t *v) {
  char c = gp_jscan_peek(j);
  gp_jscan_str_t k, s;
  int r;
  if (c == '{') {
    if (!json_is_object(v) || !gp_jscan_obj_begin(j)) return 0;
    while ((r = gp_jscan_obj_next(j, &k)) == 1) {
      gp_buf_t kb = {0};
      gp_jscan_str_append(&k, &kb);
      const json_t *m = json_object_get(v, kb.data ? kb.data : "");
      gp_buf_free(&kb);
      if (!m || !walk(j, m)) return 0;
    }
    return r == 0;
  }
  if (c == '[') {
    if (!json_is_array(v) || !gp_jscan_arr_begin(j)) return 0;
    size_t i = 0;
    while ((r = gp_jscan_arr_next(j)) == 1)
      if (!walk(j, json_array_get(v, i++))) return 0;
    return r == 0 && i == json_array_size(v);
  }
  if (c == '"') {
    if (!json_is_string(v) || gp_jscan_str(j, &s) != 1) return 0;
    gp_buf_t sb = {0};
    gp_jscan_str_append(&s, &sb);
    int same = sb.len == json_string_length(v) &&
               (sb.len == 0 || memcmp(sb.data, json_string_value(v), sb.len) == 0);
    gp_buf_free(&sb);
    return same;
  }
  if (json_is_integer(v)) {
    int64_t x;
    return gp_jscan_int(j, &x) == 1 && x == json_integer_value(v);
  }
  return gp_jscan_skip(j) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *t = (const char *)data;
  json_t *v = json_loadb(t, size, JSON_DECODE_ANY, NULL);
  gp_jscan_t j;
  gp_jscan_init(&j, t, size);
  int scanned = gp_jscan_skip(&j) == 0 && gp_jscan_done(&j) == 0;
  if (scanned && !v) abort();                             /* accepted what jansson refuses */
  if (!scanned && v && !memchr(t, '\0', size)) abort();   /* refused valid JSON */
  json_decref(v);
  /* Duplicate keys keep their last value in jansson: walk texts without them. */
  v = json_loadb(t, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
  if (v && scanned) {
    gp_jscan_init(&j, t, size);
    if (!walk(&j, v) || gp_jscan_done(&j) != 0) abort();
  }
  json_decref(v);
  return 0;
}
