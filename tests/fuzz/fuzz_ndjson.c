/* libFuzzer target for the NDJSON decoder: the input is decoded in one piece, in 1-byte
 * pieces and in pieces whose sizes come from the input itself (with a small line limit,
 * so the too-long path runs too); all three must give the same values, the same return
 * code and the same error message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "split.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int log_value(void *ud, json_t *v) {
  gp_buf_t *log = ud;
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
  if (!s) abort();
  gp__buf_puts(log, s);
  gp__buf_append(log, "\n", 1);
  free(s);
  return 0;
}

static char *decode(const uint8_t *data, size_t size, const uint8_t *sizes, size_t n_sizes) {
  gp_buf_t log = {0};
  gp_ndjson_t *n = gp__ndjson_new(log_value, &log, 200);
  gp_error_t *err = NULL;
  size_t off = 0, i = 0;
  int rc = 0;
  while (off < size && rc == 0) {
    size_t k = n_sizes ? (size_t)sizes[i++ % n_sizes] % 23 + 1 : size;
    if (k > size - off) k = size - off;
    rc = gp__ndjson_feed(n, (const char *)data + off, k, &err);
    off += k;
  }
  if (rc == 0) rc = gp__ndjson_finish(n, &err);
  if (rc != 0 && (rc != GP_ERR_PROVIDER_STREAM || !err || err->code != rc)) abort();
  if (rc == 0 && err) abort();
  gp__buf_printf(&log, "rc=%d %s", rc, err ? err->message : "");
  gp_error_free(err);
  gp__ndjson_free(n);
  return gp__buf_steal(&log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_split_invariant(decode, data, size);
  return 0;
}
