/* libFuzzer target for src/engines/jscan, differential against jansson (gp__json_loadb: jansson behind the nesting bound, the
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
#include "core/json_depth.h"
#include "../unit/jscan_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *t = (const char *)data;
  json_t *v = gp__json_loadb(t, size, JSON_DECODE_ANY, NULL);
  gp_jscan_t j;
  gp__jscan_init(&j, t, size);
  int scanned = gp__jscan_skip(&j) == 0 && gp__jscan_done(&j) == 0;
  if (scanned && !v) abort();                             /* accepted what jansson refuses */
  if (!scanned && v && !memchr(t, '\0', size)) abort();   /* refused valid JSON */
  if (!gp_jscan_json_agrees(t, size, v)) abort();         /* built another value */
  json_decref(v);
  /* Duplicate keys keep their last value in jansson: walk texts without them. */
  v = gp__json_loadb(t, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
  if (v && scanned) {
    gp__jscan_init(&j, t, size);
    if (!gp_jscan_walk(&j, v) || gp__jscan_done(&j) != 0) abort();
  }
  json_decref(v);
  return 0;
}
