/* libFuzzer target for the SSE decoder: the input is decoded in one piece, in 1-byte
 * pieces and in pieces whose sizes come from the input itself; all three must give the
 * same events, and every event must obey the format's invariants (no CR anywhere, no
 * LF in the type or id, retry -1 or a non-negative number). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "split.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int log_event(void *ud, const gp_sse_event_t *ev) {
  gp_buf_t *log = ud;
  if (!ev->type || !ev->data || !ev->id || ev->retry_ms < -1) abort();
  if (memchr(ev->data, '\r', ev->data_len)) abort();
  if (strpbrk(ev->type, "\r\n") || strpbrk(ev->id, "\r\n")) abort();
  if (ev->data[ev->data_len] != '\0') abort(); /* data is also a C string */
  gp__buf_printf(log, "%zu:%s|%zu:%s|%lld|%zu:", strlen(ev->type), ev->type, strlen(ev->id), ev->id,
                (long long)ev->retry_ms, ev->data_len);
  gp__buf_append(log, ev->data, ev->data_len);
  gp__buf_append(log, "\n", 1);
  return 0;
}

/* Decodes data in pieces: piece sizes cycle through `sizes` (n_sizes of them; none:
 * one piece). Returns the event log; the caller frees it. */
static char *decode(const uint8_t *data, size_t size, const uint8_t *sizes, size_t n_sizes) {
  gp_buf_t log = {0};
  gp_sse_t *s = gp__sse_new(log_event, &log);
  size_t off = 0, i = 0;
  while (off < size) {
    size_t k = n_sizes ? (size_t)sizes[i++ % n_sizes] % 17 + 1 : size;
    if (k > size - off) k = size - off;
    if (gp__sse_feed(s, (const char *)data + off, k) != 0) abort();
    off += k;
  }
  gp__sse_finish(s);
  /* After finish the decoder is reusable and holds nothing from before. */
  if (gp__sse_feed(s, "data: z\n\n", 9) != 0) abort();
  gp__sse_free(s);
  return gp__buf_steal(&log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_split_invariant(decode, data, size);
  return 0;
}
