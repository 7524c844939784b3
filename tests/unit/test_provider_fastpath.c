// timeout: 240
/* The provider engines' fast path (hot delta chunks read in place with gp_jscan) against
 * their jansson path: every recorded stream under tests/fixtures/providers and many
 * generated ones (text, reasoning and tool-call deltas with escapes, \u pairs and raw
 * UTF-8; reordered, duplicated, escaped and unknown keys; null and odd-typed fields;
 * malformed, truncated and over-limit chunks) decoded with gp__pstream_fast on and off,
 * at several split sizes, must give byte-identical event sequences (gp_event_to_json
 * without the clock), the same final turn, the same return code and error message. The
 * fast path must also really be taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>

#include "provider_util.h"
#include "testutil.h"

/* ---- decoding a stream to a comparable dump ---- */

/* The events without their clock, one compact line each. */
static void dump_events(pu_ctx_t *c, gp_buf_t *out) {
  size_t i;
  json_t *ev;
  json_array_foreach(c->cap.all, i, ev) {
    json_t *copy = json_deep_copy(ev);
    json_object_del(copy, "timestampMs");
    char *s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    gp__buf_printf(out, "%s\n", s);
    free(s);
    json_decref(copy);
  }
}

/* The turn without its random ids. */
static void dump_turn(const gp_turn_t *t, gp_buf_t *out) {
  json_t *j = gp_turn_to_json(t);
  json_object_del(j, "id");
  size_t i;
  json_t *b;
  json_array_foreach(json_object_get(j, "blocks"), i, b) json_object_del(b, "id");
  char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  gp__buf_printf(out, "turn %s\n", s);
  free(s);
  json_decref(j);
}

static int on_sse(void *ud, const gp_sse_event_t *ev) {
  gp_pstream_t *s = ud;
  if (s->finished) return 0;
  return s->prov->proto->on_event(s, ev);
}

/* Decodes `data` split in `piece`-byte pieces with the fast path on or off; returns the
 * dump (heap) and adds the events the fast path applied to *nfast. */
static char *decode(const gp_prov_t *p, const char *data, size_t len, size_t piece, int fast,
                    size_t *nfast) {
  gp__pstream_fast = fast;
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = gp_turn_new();
  gp_pstream_t st;
  gp__pstream_init(&st, p, c->em, t);
  gp_sse_t *sse = gp__sse_new(on_sse, &st);
  if (piece == 0) piece = len ? len : 1;
  int rc = 0;
  for (size_t off = 0; off < len && rc == 0; off += piece)
    rc = gp__sse_feed(sse, data + off, len - off < piece ? len - off : piece);
  gp__sse_finish(sse);
  gp__sse_free(sse);
  gp_buf_t out = {0};
  gp__buf_printf(&out, "rc %d finished %d error %s\n", rc, st.finished,
                st.err ? st.err->message : "-");
  *nfast += st.nfast;
  gp_error_free(st.err);
  st.err = NULL;
  gp__pstream_finish(&st, rc == 0 && st.finished);
  dump_events(c, &out);
  dump_turn(t, &out);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp__pstream_fast = 1;
  return gp__buf_steal(&out);
}

static const size_t pieces[] = {0, 1, 7, 64};

/* 1 when the fast and the jansson path agree on `data` at every split size. */
static int same_both_ways(const gp_prov_t *p, const char *name, const char *data, size_t len,
                          size_t *nfast) {
  int ok = 1;
  for (size_t k = 0; k < sizeof pieces / sizeof pieces[0] && ok; k++) {
    size_t ignored = 0;
    char *slow = decode(p, data, len, pieces[k], 0, &ignored);
    char *quick = decode(p, data, len, pieces[k], 1, nfast);
    assert_int_equal(ignored, 0); /* off means off */
    if (strcmp(slow, quick) != 0) {
      fprintf(stderr, "%s (pieces of %zu): the fast path differs\n--- jansson:\n%s--- fast:\n%s",
              name, pieces[k], slow, quick);
      fprintf(stderr, "--- stream:\n%.*s\n", (int)(len > 6000 ? 6000 : len), data);
      ok = 0;
    }
    free(slow);
    free(quick);
  }
  return ok;
}

static const char *api_of(const char *file) {
  if (strncmp(file, "openai_", 7) == 0) return "openai";
  if (strncmp(file, "claude_", 7) == 0) return "claude";
  if (strncmp(file, "responses_", 10) == 0) return "openai-responses";
  return NULL;
}

static void test_recorded_fixtures(void **state) {
  (void)state;
  char *dir = gp__xasprintf("%s/providers", GP_FIXTURES);
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  size_t files = 0, nfast = 0;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    const char *api = api_of(e->d_name);
    if (n < 4 || strcmp(e->d_name + n - 4, ".sse") != 0 || !api) continue;
    size_t len;
    char *sse = pu_fixture(e->d_name, &len);
    assert_non_null(sse);
    gp_prov_t *p = pu_prov(api, "http://127.0.0.1:1/v1", NULL);
    assert_true(same_both_ways(p, e->d_name, sse, len, &nfast));
    gp__prov_free(p);
    free(sse);
    files++;
  }
  closedir(d);
  free(dir);
  assert_true(files >= 10);
  assert_true(nfast > 50); /* the deltas of the fixtures went the fast way */
}

/* ---- generated streams ---- */

typedef struct {
  uint64_t s;
} rng_t;

static uint32_t rnd(rng_t *r, uint32_t n) {
  r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(r->s >> 33) % n;
}

/* JSON string bodies (escaped as they travel), mixing escapes, \u pairs and raw UTF-8. */
static const char *const pieces_text[] = {
    "Hello", " world", "\\n", "\\\"quoted\\\"", "back\\\\slash", "\\/", "caf\\u00e9", "\\u6C34",
    "\\ud83d\\ude00", "\xc3\xa9t\xc3\xa9", "\xe6\xb0\xb4", "\xf0\x9f\x98\x80", "\\t\\b\\f\\r", "",
    "a", "  ", "{\\\"x\\\":1}", "\\u0041\\u00DF", "long text long text long text long text",
};

static void add_text(rng_t *r, gp_buf_t *b) {
  gp__buf_puts(b, "\"");
  for (uint32_t i = 0, n = rnd(r, 3) + 1; i < n; i++)
    gp__buf_puts(b, pieces_text[rnd(r, sizeof pieces_text / sizeof pieces_text[0])]);
  gp__buf_puts(b, "\"");
}

/* An object from "key":value members, maybe reordered, padded, with an unknown member,
 * a duplicated one or an escaped key: shapes the fast path must read or leave alone. */
#define MAXM 8
typedef struct {
  char *m[MAXM];
  int n;
} members_t;

static void member(members_t *ms, const char *key, const char *value) {
  ms->m[ms->n++] = gp__xasprintf("\"%s\":%s", key, value);
}

static void object(rng_t *r, members_t *ms, gp_buf_t *b, int odd) {
  if (odd && rnd(r, 4) == 0 && ms->n > 1) { /* reorder */
    for (int i = ms->n - 1; i > 0; i--) {
      int k = (int)rnd(r, (uint32_t)i + 1);
      char *t = ms->m[i];
      ms->m[i] = ms->m[k];
      ms->m[k] = t;
    }
  }
  if (odd && rnd(r, 12) == 0 && ms->n < MAXM) {
    static const char *const unknown[] = {
        "\"zz\":{\"a\":[1,2.5e3,-0,null,true,false,\"s\"]}", "\"obfuscation\":\"abc\"",
        "\"n\":9223372036854775807", "\"big\":99999999999999999999", "\"r\":1e999",
        "\"nul\":\"a\\u0000b\"", "\"sur\":\"\\ud800\"", "\"ok\":\"\\ud800\\udc00\""};
    ms->m[ms->n++] = gp__xstrdup(unknown[rnd(r, sizeof unknown / sizeof unknown[0])]);
  }
  if (odd && rnd(r, 15) == 0 && ms->n > 0 && ms->n < MAXM) { /* duplicate */
    char *dup = gp__xstrdup(ms->m[rnd(r, (uint32_t)ms->n)]);
    ms->m[ms->n++] = dup;
  }
  if (odd && rnd(r, 15) == 0 && ms->n > 0) { /* escape a key's first letter */
    char *m = ms->m[rnd(r, (uint32_t)ms->n)];
    char *e = gp__xasprintf("\"\\u%04x%s", (unsigned char)m[1], m + 2);
    free(m);
    for (int i = 0; i < ms->n; i++)
      if (ms->m[i] == m) ms->m[i] = e;
  }
  const char *sep = odd && rnd(r, 6) == 0 ? " , " : ",";
  gp__buf_puts(b, odd && rnd(r, 6) == 0 ? "{ " : "{");
  for (int i = 0; i < ms->n; i++) {
    if (i) gp__buf_puts(b, sep);
    gp__buf_puts(b, ms->m[i]);
    free(ms->m[i]);
  }
  gp__buf_puts(b, odd && rnd(r, 6) == 0 ? " }\n" : "}");
  ms->n = 0;
}

/* A value for a text field: mostly a string, sometimes null, a number or absent. */
static const char *text_value(rng_t *r, gp_buf_t *tmp, int odd) {
  tmp->len = 0;
  uint32_t k = odd ? rnd(r, 20) : 5;
  if (k == 0) return "null";
  if (k == 1) return "42";
  if (k == 2) return "[\"x\"]";
  add_text(r, tmp);
  return tmp->data;
}

/* Argument text of a call split in fragments, each a JSON string (escaped by jansson,
 * sometimes as \u escapes). */
static void args_fragments(rng_t *r, char **frags, int *n) {
  static const char *const args[] = {
      "{\"city\": \"Paris\"}", "{\"q\": \"a \\\"quoted\\\" \\\\ path/x\", \"n\": [1, 2.5]}",
      "{\"text\": \"caf\xc3\xa9 \xe6\xb0\xb4 \xf0\x9f\x98\x80\"}", "{}", "{\"bad\": ",
  };
  const char *a = args[rnd(r, sizeof args / sizeof args[0])];
  size_t len = strlen(a), off = 0;
  *n = 0;
  while (off < len && *n < 6) {
    size_t step = 1 + rnd(r, 8);
    while (off + step < len && ((unsigned char)a[off + step] & 0xC0) == 0x80) step++;
    if (off + step > len || *n == 5) step = len - off;
    json_t *s = json_stringn(a + off, step);
    frags[(*n)++] = json_dumps(s, JSON_ENCODE_ANY | (rnd(r, 3) == 0 ? JSON_ENSURE_ASCII : 0));
    json_decref(s);
    off += step;
  }
}

/* A chunk that is not valid JSON, or one jansson refuses for a limit. */
static void bad_chunk(rng_t *r, gp_buf_t *b, const char *good) {
  switch (rnd(r, 6)) {
    case 0: gp__buf_append(b, good, strlen(good) / 2); break; /* truncated */
    case 1: gp__buf_printf(b, "%s,", good); break;
    case 2: gp__buf_puts(b, "{\"choices\":[{\"delta\":{\"content\":\"a\\u0000\"}}],\"type\":\"x\"}"); break;
    case 3: gp__buf_puts(b, "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"\xff\"}}"); break;
    case 4: gp__buf_puts(b, "{\"type\":\"response.output_text.delta\",\"delta\":\"\\udc00\",\"output_index\":1}"); break;
    default: gp__buf_puts(b, "[1,2]"); break;
  }
}

static void sse_event(gp_buf_t *out, const char *type, const char *data) {
  if (type) gp__buf_printf(out, "event: %s\n", type);
  gp__buf_printf(out, "data: %s\n\n", data);
}

static void gen_openai(rng_t *r, gp_buf_t *out, int odd) {
  gp_buf_t b = {0}, tmp = {0}, d = {0}, ch = {0};
  members_t ms = {0}, dm = {0}, cm = {0};
  int calls = 0;
  for (uint32_t e = 0, n = 5 + rnd(r, 25); e < n; e++) {
    b.len = d.len = ch.len = 0;
    uint32_t kind = rnd(r, 10);
    if (e == 0) {
      member(&dm, "role", "\"assistant\"");
      member(&dm, "content", rnd(r, 2) ? "\"\"" : "null");
    } else if (kind < 4) {
      member(&dm, "content", text_value(r, &tmp, odd));
    } else if (kind < 6) {
      uint32_t both = rnd(r, 3); /* reasoning_content wins over reasoning when a string */
      member(&dm, both == 1 || rnd(r, 2) ? "reasoning_content" : "reasoning", text_value(r, &tmp, odd));
      if (both == 1) member(&dm, "reasoning", rnd(r, 3) ? "\"other\"" : "null");
      if (both == 2) member(&dm, "content", text_value(r, &tmp, odd));
    } else {
      char *frags[6];
      int nf;
      args_fragments(r, frags, &nf);
      int idx = rnd(r, 4) == 0 && calls ? calls - 1 : calls;
      for (int f = 0; f < nf; f++) {
        members_t tm = {0}, fm = {0};
        gp_buf_t fb = {0}, tb = {0};
        char *ix = gp__xasprintf("%d", idx);
        member(&tm, "index", ix);
        free(ix);
        if (f == 0) {
          char *id = gp__xasprintf("\"call_%d_%u\"", idx, rnd(r, 3));
          member(&tm, "id", id);
          free(id);
          member(&tm, "type", "\"function\"");
          member(&fm, "name", rnd(r, 5) ? "\"get_weather\"" : "\"get_\\u0074ime\"");
        } else if (odd && rnd(r, 8) == 0) {
          member(&tm, "id", "null");
        }
        member(&fm, "arguments", frags[f]);
        if (rnd(r, 6) == 0) member(&dm, "content", "\"text with calls\""); /* applied first */
        object(r, &fm, &fb, odd);
        member(&tm, "function", fb.data);
        object(r, &tm, &tb, odd);
        char *arr = gp__xasprintf("[%s]", tb.data);
        member(&dm, "tool_calls", arr);
        free(arr);
        gp__buf_free(&fb);
        gp__buf_free(&tb);
        free(frags[f]);
        d.len = 0;
        object(r, &dm, &d, odd);
        member(&cm, "index", "0");
        member(&cm, "delta", d.data);
        member(&cm, "logprobs", "null");
        member(&cm, "finish_reason", "null");
        ch.len = 0;
        object(r, &cm, &ch, odd);
        char *choices = gp__xasprintf("[%s]", ch.data);
        member(&ms, "id", "\"chatcmpl-1\"");
        member(&ms, "model", "\"m\"");
        member(&ms, "choices", choices);
        member(&ms, "usage", "null");
        free(choices);
        b.len = 0;
        object(r, &ms, &b, odd);
        sse_event(out, NULL, b.data);
      }
      calls = idx + 1;
      continue;
    }
    object(r, &dm, &d, odd);
    member(&cm, odd && rnd(r, 20) == 0 ? "extra" : "index", odd && rnd(r, 15) == 0 ? "1" : "0");
    member(&cm, "delta", d.data);
    member(&cm, "finish_reason", odd && rnd(r, 25) == 0 ? "\"length\"" : "null");
    object(r, &cm, &ch, odd);
    char *choices = odd && rnd(r, 25) == 0 ? gp__xasprintf("[%s,%s]", ch.data, ch.data)
                                           : gp__xasprintf("[%s]", ch.data);
    member(&ms, "id", "\"chatcmpl-1\"");
    member(&ms, "object", "\"chat.completion.chunk\"");
    member(&ms, "choices", choices);
    if (odd && rnd(r, 25) == 0) member(&ms, "error", "{\"message\":\"boom\"}");
    if (odd && rnd(r, 25) == 0) member(&ms, "usage", "{\"prompt_tokens\":3,\"completion_tokens\":4}");
    free(choices);
    object(r, &ms, &b, odd);
    if (odd && rnd(r, 40) == 0) {
      gp_buf_t bad = {0};
      bad_chunk(r, &bad, b.data);
      sse_event(out, NULL, bad.data);
      gp__buf_free(&bad);
    } else {
      sse_event(out, NULL, b.data);
    }
  }
  sse_event(out, NULL, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
  sse_event(out, NULL, "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}");
  if (!odd || rnd(r, 5)) sse_event(out, NULL, "[DONE]");
  gp__buf_free(&b);
  gp__buf_free(&tmp);
  gp__buf_free(&d);
  gp__buf_free(&ch);
}

/* A delta-carrying Anthropic or Responses event: the fields around `delta`. */
static void gen_claude(rng_t *r, gp_buf_t *out, int odd) {
  gp_buf_t b = {0}, tmp = {0}, d = {0};
  members_t ms = {0}, dm = {0};
  sse_event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}");
  static const char *const kinds[] = {"text", "thinking", "tool_use"};
  for (int index = 0, nb = 1 + (int)rnd(r, 4); index < nb; index++) {
    int k = (int)rnd(r, 3);
    char *start = k == 2 ? gp__xasprintf("{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":"
                                        "{\"type\":\"tool_use\",\"id\":\"toolu_%d\",\"name\":\"f\",\"input\":{}}}", index, index)
                         : gp__xasprintf("{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":"
                                        "{\"type\":\"%s\",\"%s\":\"\"}}", index, kinds[k], kinds[k]);
    sse_event(out, "content_block_start", start);
    free(start);
    char *frags[6];
    int nf = 0;
    if (k == 2) args_fragments(r, frags, &nf);
    for (int e = 0, n = k == 2 ? nf : 1 + (int)rnd(r, 6); e < n; e++) {
      b.len = d.len = 0;
      if (k == 0) member(&dm, "type", "\"text_delta\""), member(&dm, "text", text_value(r, &tmp, odd));
      if (k == 1) member(&dm, "type", "\"thinking_delta\""), member(&dm, "thinking", text_value(r, &tmp, odd));
      if (k == 2) member(&dm, "type", "\"input_json_delta\""), member(&dm, "partial_json", frags[e]), free(frags[e]);
      if (odd && rnd(r, 20) == 0) member(&dm, "type", "\"signature_delta\"");
      object(r, &dm, &d, odd);
      member(&ms, "type", odd && rnd(r, 30) == 0 ? "\"content_block_stop\"" : "\"content_block_delta\"");
      char *ix = gp__xasprintf("%d", index);
      member(&ms, "index", odd && rnd(r, 20) == 0 ? "null" : ix);
      free(ix);
      member(&ms, "delta", d.data);
      object(r, &ms, &b, odd);
      if (odd && rnd(r, 40) == 0) {
        gp_buf_t bad = {0};
        bad_chunk(r, &bad, b.data);
        sse_event(out, "content_block_delta", bad.data);
        gp__buf_free(&bad);
      } else {
        sse_event(out, "content_block_delta", b.data);
      }
      if (rnd(r, 8) == 0) sse_event(out, "ping", "{\"type\":\"ping\"}");
    }
    if (k == 1) {
      char *sig = gp__xasprintf("{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"c2ln\"}}", index);
      sse_event(out, "content_block_delta", sig);
      free(sig);
    }
    char *stop = gp__xasprintf("{\"type\":\"content_block_stop\",\"index\":%d}", index);
    sse_event(out, "content_block_stop", stop);
    free(stop);
  }
  sse_event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":12}}");
  if (!odd || rnd(r, 5)) sse_event(out, "message_stop", "{\"type\":\"message_stop\"}");
  gp__buf_free(&b);
  gp__buf_free(&tmp);
  gp__buf_free(&d);
}

static void gen_responses(rng_t *r, gp_buf_t *out, int odd) {
  gp_buf_t b = {0}, tmp = {0};
  members_t ms = {0};
  static const char *const items[] = {"message", "reasoning", "function_call"};
  for (int index = 0, nb = 1 + (int)rnd(r, 4); index < nb; index++) {
    int k = (int)rnd(r, 3);
    char *added = gp__xasprintf("{\"type\":\"response.output_item.added\",\"output_index\":%d,\"item\":"
                               "{\"type\":\"%s\",\"call_id\":\"call_%d\",\"name\":\"f\"}}", index, items[k], index);
    if (!(odd && k == 2 && rnd(r, 4) == 0)) sse_event(out, "response.output_item.added", added);
    free(added);
    char *frags[6];
    int nf = 0;
    if (k == 2) args_fragments(r, frags, &nf);
    for (int e = 0, n = k == 2 ? nf : 1 + (int)rnd(r, 6); e < n; e++) {
      b.len = 0;
      static const char *const types[] = {"\"response.output_text.delta\"", "\"response.refusal.delta\"",
                                          "\"response.reasoning_summary_text.delta\"",
                                          "\"response.reasoning_text.delta\"",
                                          "\"response.function_call_arguments.delta\""};
      const char *type = k == 0 ? types[rnd(r, 2)] : k == 1 ? types[2 + rnd(r, 2)] : types[4];
      member(&ms, "type", odd && rnd(r, 30) == 0 ? "\"response.output_text.done\"" : type);
      member(&ms, "item_id", "\"it_1\"");
      char *ix = gp__xasprintf("%d", index);
      if (!(odd && rnd(r, 15) == 0)) member(&ms, "output_index", ix);
      free(ix);
      member(&ms, "sequence_number", "7");
      member(&ms, "delta", k == 2 ? frags[e] : text_value(r, &tmp, odd));
      if (k == 2) free(frags[e]);
      object(r, &ms, &b, odd);
      if (odd && rnd(r, 40) == 0) {
        gp_buf_t bad = {0};
        bad_chunk(r, &bad, b.data);
        sse_event(out, "x", bad.data);
        gp__buf_free(&bad);
      } else {
        sse_event(out, NULL, b.data);
      }
    }
    char *done = gp__xasprintf("{\"type\":\"response.output_item.done\",\"output_index\":%d,\"item\":"
                              "{\"type\":\"%s\",\"call_id\":\"call_%d\",\"name\":\"f\"}}", index, items[k], index);
    sse_event(out, "response.output_item.done", done);
    free(done);
  }
  if (!odd || rnd(r, 5))
    sse_event(out, "response.completed", "{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\","
                                         "\"usage\":{\"input_tokens\":3,\"output_tokens\":5}}}");
  gp__buf_free(&b);
  gp__buf_free(&tmp);
}

static void run_generated(const char *api, void (*gen)(rng_t *, gp_buf_t *, int)) {
  gp_prov_t *p = pu_prov(api, "http://127.0.0.1:1/v1", NULL);
  rng_t r = {0x9e3779b97f4a7c15ull ^ (uint64_t)strlen(api)};
  size_t nfast = 0;
  int bad = 0;
  for (int i = 0; i < 300 && bad < 3; i++) {
    gp_buf_t s = {0};
    gen(&r, &s, i % 4 != 0); /* a quarter plain, the rest with odd shapes */
    char *name = gp__xasprintf("%s stream %d", api, i);
    bad += !same_both_ways(p, name, s.data, s.len, &nfast);
    free(name);
    gp__buf_free(&s);
  }
  assert_int_equal(bad, 0);
  assert_true(nfast > 1000);
  gp__prov_free(p);
}

static void test_generated_openai(void **state) {
  (void)state;
  run_generated("openai", gen_openai);
}

static void test_generated_claude(void **state) {
  (void)state;
  run_generated("claude", gen_claude);
}

static void test_generated_responses(void **state) {
  (void)state;
  run_generated("openai-responses", gen_responses);
}

int main(void) {
  gp_log_set_level(GP_LOG_ERROR); /* the generated bad arguments warn on every decode */
  const struct CMUnitTest tests[] = {
      GP_TEST(test_recorded_fixtures),
      GP_TEST(test_generated_openai),
      GP_TEST(test_generated_claude),
      GP_TEST(test_generated_responses),
  };
  if (getenv("GP_TEST_FILTER")) cmocka_set_test_filter(getenv("GP_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
