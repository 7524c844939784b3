/* bench/decode: geppetto's stream decoding over the files bench/gen_streams.mjs writes.
 *
 * The bytes are fed in 16 KiB pieces (what curl's write callback hands over), or with
 * --whole in one piece (one read holding the whole stream), to src/http's
 * SSE decoder (gp_sse, WHATWG rules), and each event goes to what a provider engine does
 * with it, in one of three modes:
 *   geppetto          the engine's own protocol decoder and stream accumulator
 *                     (src/engines: gp__proto_openai / gp__proto_claude `on_event` into
 *                     a gp_pstream_t): JSON per event with jansson, text into llm_text
 *                     blocks, tool calls merged and their arguments parsed into JSON
 *                     values, usage and stop reason — the turn a run ends with. No
 *                     emitter: nothing is published.
 *   geppetto+events   the same with an emitter and one sink that drops what it gets:
 *                     every delta is also published as a `partial` event (its
 *                     completion shared with the accumulator, not copied: SPEC §4.8)
 *                     or a `tool-call` event.
 *   sse+jansson       gp_sse + jansson + a minimal accumulator written here (text into
 *                     one buffer, argument fragments by index): the same work
 *                     decode_peers.mjs gives eventsource-parser.
 *
 * Prints one JSON line per file and mode, like decode_peers.mjs: the median of the
 * iterations (at least 3 and 1.5 s, at most 2000, after one warm-up: a small file is
 * timed as long as a large one, so the per-byte figures at each size are as steady), MB/s (10^6 B/s), and
 * what was accumulated (checked by bench/run.mjs against FILE.expect.json).
 * Usage: decode [--whole] [--mode geppetto|geppetto+events|sse+jansson|sse+jscan|sse] FILE... */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "engines/provider_internal.h"
#include "geppetto/event.h"
#include "http/http.h"
#include "engines/jscan.h"

#define PIECE (16 * 1024)
/* The bytes of one feed: PIECE, or the whole file at once (--whole: one network read
 * holding every event, the case where per-event costs that grow with what is buffered
 * would show). */
static size_t g_whole;

/* The size of each feed for a stream of len bytes. */
static size_t piece_of(size_t len) { return g_whole && len ? len : PIECE; }
#define MIN_NS 1500000000ull
#define MIN_ITERS 3
#define MAX_ITERS 2000
#define MAX_CALLS 1024

typedef struct {
  int anthropic;           /* protocol of the file */
  gp_buf_t text;           /* accumulated assistant text */
  gp_buf_t args[MAX_CALLS];/* argument fragments per tool call, by index */
  char *ids[MAX_CALLS];    /* tool call ids, heap */
  int ncalls;              /* highest index seen + 1 */
  int bad;                 /* events that failed to parse */
} acc_t;

static gp_buf_t *call_at(acc_t *a, json_int_t index, const char *id) {
  if (index < 0 || index >= MAX_CALLS) return NULL;
  if (index >= a->ncalls) a->ncalls = (int)index + 1;
  if (id && a->ids[index] == NULL) a->ids[index] = gp__xstrdup(id);
  return &a->args[index];
}

static void on_openai(acc_t *a, json_t *j) {
  json_t *choice = json_array_get(json_object_get(j, "choices"), 0);
  json_t *delta = json_object_get(choice, "delta");
  if (delta == NULL) return;
  json_t *content = json_object_get(delta, "content");
  if (json_is_string(content)) gp__buf_append(&a->text, json_string_value(content), json_string_length(content));
  size_t i;
  json_t *tc;
  json_array_foreach(json_object_get(delta, "tool_calls"), i, tc) {
    gp_buf_t *b = call_at(a, json_integer_value(json_object_get(tc, "index")),
                          json_string_value(json_object_get(tc, "id")));
    json_t *frag = json_object_get(json_object_get(tc, "function"), "arguments");
    if (b && json_is_string(frag)) gp__buf_append(b, json_string_value(frag), json_string_length(frag));
  }
}

static void on_anthropic(acc_t *a, json_t *j) {
  const char *type = json_string_value(json_object_get(j, "type"));
  if (type == NULL) return;
  json_int_t index = json_integer_value(json_object_get(j, "index"));
  if (strcmp(type, "content_block_start") == 0) {
    json_t *cb = json_object_get(j, "content_block");
    const char *cbt = json_string_value(json_object_get(cb, "type"));
    if (cbt && strcmp(cbt, "tool_use") == 0)
      call_at(a, index, json_string_value(json_object_get(cb, "id")));
  } else if (strcmp(type, "content_block_delta") == 0) {
    json_t *d = json_object_get(j, "delta");
    const char *dt = json_string_value(json_object_get(d, "type"));
    json_t *s;
    if (dt && strcmp(dt, "text_delta") == 0 && json_is_string(s = json_object_get(d, "text"))) {
      gp__buf_append(&a->text, json_string_value(s), json_string_length(s));
    } else if (dt && strcmp(dt, "input_json_delta") == 0 &&
               json_is_string(s = json_object_get(d, "partial_json"))) {
      gp_buf_t *b = call_at(a, index, NULL);
      if (b) gp__buf_append(b, json_string_value(s), json_string_length(s));
    }
  }
}

static int on_event(void *ud, const gp_sse_event_t *ev) {
  acc_t *a = ud;
  if (ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) return 0;
  json_t *j = json_loadb(ev->data, ev->data_len, 0, NULL);
  if (j == NULL) {
    a->bad++;
    return 0;
  }
  if (a->anthropic) on_anthropic(a, j);
  else on_openai(a, j);
  json_decref(j);
  return 0;
}

typedef struct {
  size_t text_bytes, args_bytes;
  int tool_calls, bad;
} check_t;

/* ---- sse+jansson: the decoder, JSON per event, a minimal accumulator --------------- */

/* One full decode of the stream; fills *c (when not NULL) with what was accumulated. */
static void decode_plain(const char *bytes, size_t len, int anthropic, gp_sse_cb cb, check_t *c) {
  acc_t *a = gp__xcalloc(1, sizeof *a);
  a->anthropic = anthropic;
  gp_sse_t *s = gp__sse_new(cb, a);
  size_t piece = piece_of(len);
  for (size_t off = 0; off < len; off += piece)
    gp__sse_feed(s, bytes + off, len - off < piece ? len - off : piece);
  gp__sse_finish(s);
  gp__sse_free(s);
  check_t k = {a->text.len, 0, 0, a->bad};
  for (int i = 0; i < a->ncalls; i++) {
    if (a->ids[i] == NULL) continue; /* an index that was never a tool call (text block) */
    k.tool_calls++;
    k.args_bytes += a->args[i].len;
    json_t *v = json_loadb(a->args[i].data ? a->args[i].data : "", a->args[i].len, 0, NULL);
    if (v == NULL) k.bad++;
    json_decref(v);
    gp__buf_free(&a->args[i]);
    free(a->ids[i]);
  }
  gp__buf_free(&a->text);
  free(a);
  if (c) *c = k;
}

/* ---- scan: the same accumulation, reading each chunk in place with src/engines/jscan - */

/* OpenAI: choices[0].delta.{content, tool_calls[].{index, id, function.{name,
 * arguments}}}; everything else is validated and skipped. */
static int scan_tool_call(gp_jscan_t *j, acc_t *a) {
  gp_jscan_str_t k, id = {0}, args = {0};
  int64_t index = -1;
  int has_args = 0;
  if (!gp__jscan_obj_begin(j)) return -1;
  int r;
  while ((r = gp__jscan_obj_next(j, &k)) == 1) {
    if (gp__jscan_key_is(&k, "index")) {
      if (gp__jscan_int(j, &index) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "id")) {
      if (gp__jscan_str(j, &id) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "function")) {
      if (!gp__jscan_obj_begin(j)) return -1;
      while ((r = gp__jscan_obj_next(j, &k)) == 1) {
        if (gp__jscan_key_is(&k, "arguments")) {
          if ((r = gp__jscan_str(j, &args)) < 0) return -1;
          has_args = r;
        } else if (gp__jscan_skip(j) < 0) {
          return -1;
        }
      }
      if (r < 0) return -1;
    } else if (gp__jscan_skip(j) < 0) {
      return -1;
    }
  }
  if (r < 0) return -1;
  gp_buf_t idbuf = {0};
  if (id.s) gp__jscan_str_append(&id, &idbuf);
  gp_buf_t *b = call_at(a, index, idbuf.data);
  gp__buf_free(&idbuf);
  if (b && has_args) gp__jscan_str_append(&args, b);
  return 0;
}

static int scan_openai_delta(gp_jscan_t *j, acc_t *a) {
  gp_jscan_str_t k, content;
  int r;
  if (!gp__jscan_obj_begin(j)) return -1;
  while ((r = gp__jscan_obj_next(j, &k)) == 1) {
    if (gp__jscan_key_is(&k, "content")) {
      if ((r = gp__jscan_str(j, &content)) < 0) return -1;
      if (r == 1) gp__jscan_str_append(&content, &a->text);
    } else if (gp__jscan_key_is(&k, "tool_calls")) {
      if (!gp__jscan_arr_begin(j)) return -1;
      while ((r = gp__jscan_arr_next(j)) == 1)
        if (scan_tool_call(j, a) < 0) return -1;
      if (r < 0) return -1;
    } else if (gp__jscan_skip(j) < 0) {
      return -1;
    }
  }
  return r;
}

static int scan_openai(acc_t *a, const char *data, size_t len) {
  gp_jscan_t j;
  gp_jscan_str_t k;
  int r;
  gp__jscan_init(&j, data, len);
  if (!gp__jscan_obj_begin(&j)) return -1;
  while ((r = gp__jscan_obj_next(&j, &k)) == 1) {
    if (gp__jscan_key_is(&k, "choices")) {
      if (!gp__jscan_arr_begin(&j)) return -1;
      int first = 1;
      while ((r = gp__jscan_arr_next(&j)) == 1) {
        if (!first) { /* n > 1: the first choice only (index order as sent) */
          if (gp__jscan_skip(&j) < 0) return -1;
          continue;
        }
        first = 0;
        if (!gp__jscan_obj_begin(&j)) return -1;
        while ((r = gp__jscan_obj_next(&j, &k)) == 1) {
          if (gp__jscan_key_is(&k, "delta")) {
            if (scan_openai_delta(&j, a) < 0) return -1;
          } else if (gp__jscan_skip(&j) < 0) {
            return -1;
          }
        }
        if (r < 0) return -1;
      }
      if (r < 0) return -1;
    } else if (gp__jscan_key_is(&k, "error")) {
      return -1; /* the engine's slow path reports it */
    } else if (gp__jscan_skip(&j) < 0) {
      return -1;
    }
  }
  return r < 0 ? -1 : gp__jscan_done(&j);
}

/* Anthropic: type, index, delta.{type, text, partial_json}, content_block.{type, id}. */
static int scan_anthropic(acc_t *a, const char *data, size_t len) {
  gp_jscan_t j;
  gp_jscan_str_t k, type = {0}, dtype = {0}, text = {0}, cbtype = {0}, cbid = {0};
  int64_t index = -1;
  int r, has_text = 0;
  gp__jscan_init(&j, data, len);
  if (!gp__jscan_obj_begin(&j)) return -1;
  while ((r = gp__jscan_obj_next(&j, &k)) == 1) {
    if (gp__jscan_key_is(&k, "type")) {
      if (gp__jscan_str(&j, &type) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "index")) {
      if (gp__jscan_int(&j, &index) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "delta") || gp__jscan_key_is(&k, "content_block")) {
      int cb = gp__jscan_key_is(&k, "content_block");
      if (!gp__jscan_obj_begin(&j)) return -1;
      while ((r = gp__jscan_obj_next(&j, &k)) == 1) {
        if (gp__jscan_key_is(&k, "type")) {
          if (gp__jscan_str(&j, cb ? &cbtype : &dtype) < 0) return -1;
        } else if (cb && gp__jscan_key_is(&k, "id")) {
          if (gp__jscan_str(&j, &cbid) < 0) return -1;
        } else if (!cb && (gp__jscan_key_is(&k, "text") || gp__jscan_key_is(&k, "partial_json"))) {
          if ((r = gp__jscan_str(&j, &text)) < 0) return -1;
          has_text = r;
        } else if (gp__jscan_skip(&j) < 0) {
          return -1;
        }
      }
      if (r < 0) return -1;
    } else if (gp__jscan_skip(&j) < 0) {
      return -1;
    }
  }
  if (r < 0 || gp__jscan_done(&j) < 0) return -1;
  if (gp__jscan_key_is(&type, "content_block_delta") && has_text) {
    if (gp__jscan_key_is(&dtype, "text_delta")) {
      gp__jscan_str_append(&text, &a->text);
    } else if (gp__jscan_key_is(&dtype, "input_json_delta")) {
      gp_buf_t *b = call_at(a, index, NULL);
      if (b) gp__jscan_str_append(&text, b);
    }
  } else if (gp__jscan_key_is(&type, "content_block_start") && gp__jscan_key_is(&cbtype, "tool_use")) {
    gp_buf_t idbuf = {0};
    gp__jscan_str_append(&cbid, &idbuf);
    call_at(a, index, idbuf.data ? idbuf.data : "");
    gp__buf_free(&idbuf);
  } else if (gp__jscan_key_is(&type, "error")) {
    return -1;
  }
  return 0;
}

static int on_scan_event(void *ud, const gp_sse_event_t *ev) {
  acc_t *a = ud;
  if (ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) return 0;
  int r = a->anthropic ? scan_anthropic(a, ev->data, ev->data_len) : scan_openai(a, ev->data, ev->data_len);
  if (r < 0) a->bad++;
  return 0;
}

/* ---- geppetto: the engines' protocol decoder and stream accumulator --------------- */

static int on_engine_event(void *ud, const gp_sse_event_t *ev) {
  gp_pstream_t *ps = ud;
  return ps->prov->proto->on_event(ps, ev);
}

static void drop_event(void *ud, gp_event_t *ev) {
  (*(size_t *)ud)++;
}

/* What the turn holds: text bytes of the llm_text blocks, tool_call blocks and the
 * compact JSON size of their arguments; `bad` counts unparsed ({"_raw"}) arguments. */
static check_t check_turn(const gp_turn_t *t) {
  check_t c = {0, 0, 0, 0};
  for (size_t i = 0; i < t->nblocks; i++) {
    const gp_block_t *b = t->blocks[i];
    if (b->kind == GP_BLOCK_LLM_TEXT) {
      c.text_bytes += strlen(gp_block_text(b));
    } else if (b->kind == GP_BLOCK_TOOL_CALL) {
      json_t *args = gp_block_tool_args(b);
      char *text = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
      c.tool_calls++;
      c.args_bytes += text ? strlen(text) : 0;
      if (json_object_get(args, "_raw")) c.bad++;
      free(text);
    }
  }
  return c;
}

static void decode_engine(const char *bytes, size_t len, const gp_prov_t *prov, int events,
                          check_t *c) {
  gp_turn_t *turn = gp_turn_new();
  gp_emitter_t *em = NULL;
  size_t published = 0;
  if (events) {
    em = gp_emitter_new("bench-session", "bench-inference", turn->id);
    gp_sink_t *sink = gp_sink_new(drop_event, &published, NULL);
    gp_emitter_add_sink(em, sink);
    gp_sink_unref(sink);
  }
  gp_pstream_t ps;
  gp__pstream_init(&ps, prov, em, turn);
  gp_sse_t *s = gp__sse_new(on_engine_event, &ps);
  int rc = 0;
  size_t piece = piece_of(len);
  for (size_t off = 0; off < len && rc == 0; off += piece)
    rc = gp__sse_feed(s, bytes + off, len - off < piece ? len - off : piece);
  gp__sse_finish(s);
  gp__sse_free(s);
  int ok = rc == 0 && ps.finished;
  gp__pstream_finish(&ps, ok);
  if (c) {
    *c = check_turn(turn);
    if (!ok) c->bad++;
    if (ps.err) fprintf(stderr, "decode: %s\n", ps.err->message);
  }
  gp_error_free(ps.err);
  gp_turn_free(turn);
  gp_emitter_free(em);
}

static int cmp_u64(const void *x, const void *y) {
  uint64_t p = *(const uint64_t *)x, q = *(const uint64_t *)y;
  return p < q ? -1 : p > q;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  gp_buf_t b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) gp__buf_append(&b, chunk, n);
  fclose(f);
  *len = b.len;
  return gp__buf_steal(&b);
}

/* ---- --selftest: src/engines/jscan against jansson on valid and malformed texts --- */

static int selftest(void) {
  static const char *const texts[] = {
      "{}", "[]", "{\"a\":1}", "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}",
      "{\"s\":\"h\\u00e9llo \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\n\"}", "{\"s\":\"caf\xc3\xa9\"}",
      "{\"n\":-0.5e+10,\"m\":0,\"k\":12345678901}", " { \"a\" : [ ] , \"b\" : { } } ",
      "{\"long\":\"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\"}",
      /* malformed */
      "{", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[,1]", "{\"a\":01}", "{\"a\":1.}",
      "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
      "{\"a\":\"\x01\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xc0\xaf\"}",
      "{\"a\":1} x", "{a:1}", "[1 2]", "{\"a\":1\"b\":2}", "",
  };
  int failures = 0;
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    const char *t = texts[i];
    json_t *v = json_loadb(t, strlen(t), 0, NULL);
    gp_jscan_t j;
    gp__jscan_init(&j, t, strlen(t));
    int ok = gp__jscan_skip(&j) == 0 && gp__jscan_done(&j) == 0;
    if (ok != (v != NULL)) {
      fprintf(stderr, "jscan: text %zu: scanner says %s, jansson says %s: %s\n", i,
              ok ? "valid" : "malformed", v ? "valid" : "malformed", t);
      failures++;
    }
    /* Every string member decodes to what jansson decodes. */
    if (v && json_is_object(v)) {
      gp__jscan_init(&j, t, strlen(t));
      gp_jscan_str_t k, str;
      gp__jscan_obj_begin(&j);
      while (gp__jscan_obj_next(&j, &k) == 1) {
        if (gp__jscan_peek(&j) == '"' && gp__jscan_str(&j, &str) == 1) {
          gp_buf_t kb = {0}, sb = {0};
          gp__jscan_str_append(&k, &kb);
          gp__jscan_str_append(&str, &sb);
          const char *want = json_string_value(json_object_get(v, kb.data ? kb.data : ""));
          if (!want || strcmp(want, sb.data ? sb.data : "") != 0) {
            fprintf(stderr, "jscan: text %zu: string '%s' decoded as '%s'\n", i, kb.data, sb.data);
            failures++;
          }
          gp__buf_free(&kb);
          gp__buf_free(&sb);
        } else {
          gp__jscan_skip(&j);
        }
      }
    }
    json_decref(v);
  }
  printf("jscan selftest: %zu texts, %d failures\n", sizeof texts / sizeof texts[0], failures);
  return failures ? 1 : 0;
}

enum { MODE_ENGINE, MODE_ENGINE_EVENTS, MODE_PLAIN, MODE_SSE, MODE_SCAN, MODE_COUNT };
static const char *const mode_names[] = {"geppetto", "geppetto+events", "sse+jansson", "sse", "sse+jscan"};

/* ---- sse: the decoder alone (events counted, data not parsed) ----------------------- */

static int count_event(void *ud, const gp_sse_event_t *ev) {
  (*(size_t *)ud) += ev->data_len;
  return 0;
}

static void decode_sse(const char *bytes, size_t len, check_t *c) {
  size_t data = 0;
  gp_sse_t *s = gp__sse_new(count_event, &data);
  size_t piece = piece_of(len);
  for (size_t off = 0; off < len; off += piece)
    gp__sse_feed(s, bytes + off, len - off < piece ? len - off : piece);
  gp__sse_finish(s);
  gp__sse_free(s);
  if (c) *c = (check_t){data, 0, 0, 0};
}

static void decode_once(int mode, const char *bytes, size_t len, int anthropic,
                        const gp_prov_t *prov, check_t *c) {
  if (mode == MODE_SSE) decode_sse(bytes, len, c);
  else if (mode == MODE_PLAIN) decode_plain(bytes, len, anthropic, on_event, c);
  else if (mode == MODE_SCAN) decode_plain(bytes, len, anthropic, on_scan_event, c);
  else decode_engine(bytes, len, prov, mode == MODE_ENGINE_EVENTS, c);
}

static gp_prov_t *provider(int anthropic) {
  gp_engine_config_t cfg;
  gp_engine_config_init(&cfg);
  cfg.api_type = anthropic ? "claude" : "openai";
  cfg.model = anthropic ? "claude-bench" : "gpt-4o-mini";
  cfg.base_url = "http://127.0.0.1:9/v1";
  cfg.api_key = "sk-bench";
  gp_error_t *err = NULL;
  gp_prov_t *p = gp__prov_new(&cfg, &err);
  if (p == NULL) {
    fprintf(stderr, "decode: %s\n", err->message);
    exit(1);
  }
  return p;
}

static int bench_file(int mode, const char *path) {
  size_t len = 0;
  char *bytes = read_all(path, &len);
  if (bytes == NULL) {
    fprintf(stderr, "decode: cannot read %s\n", path);
    return 1;
  }
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  int anthropic = strncmp(base, "anthropic", 9) == 0;
  gp_prov_t *prov = provider(anthropic);
  check_t c;
  decode_once(mode, bytes, len, anthropic, prov, &c); /* warm-up, and what it produced */
  uint64_t times[MAX_ITERS], total = 0;
  int n = 0;
  while ((total < MIN_NS || n < MIN_ITERS) && n < MAX_ITERS) {
    uint64_t t0 = gp__mono_ns();
    decode_once(mode, bytes, len, anthropic, prov, NULL);
    times[n] = gp__mono_ns() - t0;
    total += times[n++];
  }
  qsort(times, (size_t)n, sizeof times[0], cmp_u64);
  double ms = times[n / 2] / 1e6;
  printf("{\"decoder\":\"%s\",\"feed\":\"%s\",\"protocol\":\"%s\",\"file\":\"%s\",\"bytes\":%zu,"
         "\"median_ms\":%.4f,\"iterations\":%d,\"mb_per_s\":%.2f,"
         "\"check\":{\"text_bytes\":%zu,\"tool_calls\":%d,\"args_bytes\":%zu,\"bad\":%d}}\n",
         mode_names[mode], g_whole ? "whole" : "16KiB", anthropic ? "anthropic" : "openai", base, len, ms, n,
         len / 1e6 / (ms / 1e3), c.text_bytes, c.tool_calls, c.args_bytes, c.bad);
  fflush(stdout);
  gp__prov_free(prov);
  free(bytes);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--selftest") == 0) return selftest();
  int mode = MODE_ENGINE, first = 1;
  if (argc > first && strcmp(argv[first], "--whole") == 0) g_whole = 1, first++;
  if (argc > first + 1 && strcmp(argv[first], "--mode") == 0) {
    for (mode = 0; mode < MODE_COUNT && strcmp(argv[first + 1], mode_names[mode]) != 0; mode++) {}
    first += 2;
  }
  if (argc > first && strcmp(argv[first], "--whole") == 0) g_whole = 1, first++;
  if (argc <= first || mode == MODE_COUNT) {
    fprintf(stderr, "usage: decode [--whole] [--mode geppetto|geppetto+events|sse+jansson|sse|sse+jscan] FILE...\n");
    return 2;
  }
  int rc = 0;
  for (int i = first; i < argc; i++) rc |= bench_file(mode, argv[i]);
  return rc;
}
