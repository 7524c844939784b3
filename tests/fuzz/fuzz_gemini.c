/* libFuzzer target for the Gemini stream decoder: the input is an SSE body decoded by
 * the gemini protocol into a turn, in one piece, byte by byte and in pieces whose sizes
 * come from the input. All three must agree on the outcome, the error message and the
 * turn's blocks and metadata; nothing may leak, and every block must be well formed
 * (tool calls with an id, a name and object arguments). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "split.h"
#include "engines/provider_internal.h"
#include "geppetto/geppetto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gp_prov_t *gp__prov(void) {
  static gp_prov_t *p;
  if (!p) {
    gp_engine_config_t c;
    gp_engine_config_init(&c);
    c.api_type = "gemini";
    c.model = "fuzz";
    c.base_url = "http://127.0.0.1:1/v1beta";
    p = gp__prov_new(&c, NULL);
  }
  return p;
}

static int on_sse(void *ud, const gp_sse_event_t *ev) {
  gp_pstream_t *s = ud;
  return s->finished ? 0 : s->prov->proto->on_event(s, ev);
}

/* Decodes in pieces (sizes cycling through `sizes`; none: one piece); returns the
 * outcome and the turn as text. */
static char *decode(const uint8_t *data, size_t size, const uint8_t *sizes, size_t n_sizes) {
  gp_turn_t *turn = gp_turn_new();
  gp_pstream_t st;
  gp__pstream_init(&st, gp__prov(), NULL, turn);
  gp_sse_t *sse = gp__sse_new(on_sse, &st);
  size_t off = 0, i = 0;
  int rc = 0;
  while (off < size && rc == 0) {
    size_t k = n_sizes ? (size_t)sizes[i++ % n_sizes] % 17 + 1 : size;
    if (k > size - off) k = size - off;
    rc = gp__sse_feed(sse, (const char *)data + off, k);
    off += k;
  }
  if (rc == 0) gp__sse_finish(sse);
  gp__sse_free(sse);
  gp_buf_t out = {0};
  gp__buf_printf(&out, "rc=%d err=%s\n", rc, st.err ? st.err->message : "");
  gp_error_free(st.err);
  st.err = NULL;
  gp__pstream_finish(&st, rc == 0);
  for (size_t b = 0; b < turn->nblocks; b++) {
    const gp_block_t *blk = turn->blocks[b];
    if (blk->kind == GP_BLOCK_TOOL_CALL &&
        (!gp_block_call_id(blk) || !*gp_block_call_id(blk) || !gp_block_tool_name(blk) ||
         !json_is_object(gp_block_tool_args(blk))))
      abort();
    char *p = json_dumps(blk->payload, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char *m = blk->metadata ? json_dumps(blk->metadata, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    /* call ids are made up where Gemini sends none: compare without them */
    gp__buf_printf(&out, "%d %s %s\n", (int)blk->kind, blk->kind == GP_BLOCK_TOOL_CALL ? "" : p, m ? m : "");
    free(p);
    free(m);
  }
  char *meta = turn->metadata ? json_dumps(turn->metadata, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  gp__buf_printf(&out, "meta %s\n", meta ? meta : "");
  free(meta);
  gp_turn_free(turn);
  return gp__buf_steal(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_split_invariant(decode, data, size);
  return 0;
}
