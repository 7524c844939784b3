/* The answer a fixture response describes, resolved for one request: text and reasoning
 * cut into word-sized pieces, tool calls with their arguments cut into fragments, ids,
 * usage and the stop reason. The per-protocol synthesisers (synth_*.c) only format it. */
#include "mock.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* Argument fragments are this long at most, as a model streams a few tokens at once. */
#define GP__ARG_FRAG 8

static int64_t gp__epoch; /* server start, Unix seconds: `created` in every stream */

void gp_mock_answer_epoch(int64_t unix_s) { gp__epoch = unix_s; }

static int gp__space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* Pieces of about one word: each is the whitespace before a word plus the word, so the
 * pieces concatenate back to the text exactly. */
static char **gp__split_words(const char *s, size_t *n) {
  char **v = NULL;
  size_t cnt = 0;
  const char *p = s;
  while (*p) {
    const char *start = p;
    while (*p && gp__space(*p)) p++;
    while (*p && !gp__space(*p)) p++;
    v = gp__xrealloc(v, (cnt + 1) * sizeof *v);
    v[cnt++] = gp__xstrndup(start, (size_t)(p - start));
  }
  *n = cnt;
  return v;
}

/* Fragments of at most `frag` bytes, never splitting a UTF-8 sequence. */
static char **gp__split_bytes(const char *s, size_t frag, size_t *n) {
  char **v = NULL;
  size_t cnt = 0, len = strlen(s), off = 0;
  while (off < len) {
    size_t k = len - off < frag ? len - off : frag;
    while (off + k < len && ((unsigned char)s[off + k] & 0xC0) == 0x80) k++;
    v = gp__xrealloc(v, (cnt + 1) * sizeof *v);
    v[cnt++] = gp__xstrndup(s + off, k);
    off += k;
  }
  *n = cnt;
  return v;
}

static void gp__free_pieces(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* `text`, or with `tokens: N` and no text, "w1 w2 ... wN". */
static char *gp__text_of(json_t *resp) {
  const char *text = json_string_value(json_object_get(resp, "text"));
  if (text) return gp__xstrdup(text);
  json_int_t tokens = json_integer_value(json_object_get(resp, "tokens"));
  gp_buf_t b = {0};
  gp__buf_puts(&b, "");
  for (json_int_t i = 1; i <= tokens; i++) gp__buf_printf(&b, "%sw%lld", i > 1 ? " " : "", (long long)i);
  return gp__buf_steal(&b);
}

static int gp__init_calls(gp_mock_answer_t *a, json_t *calls, gp_mock_proto_t proto) {
  a->ncalls = json_array_size(calls);
  a->calls = gp__xcalloc(a->ncalls ? a->ncalls : 1, sizeof *a->calls);
  for (size_t i = 0; i < a->ncalls; i++) {
    json_t *c = json_array_get(calls, i);
    struct gp_mock_call_s *k = &a->calls[i];
    const char *id = json_string_value(json_object_get(c, "id"));
    k->id = id ? gp__xstrdup(id)
               : gp__xasprintf("%s_%s_%zu", proto == GP_MOCK_ANTHROPIC ? "toolu" : "call", a->tag, i);
    k->explicit_id = id != NULL;
    k->name = gp__xstrdup(json_string_value(json_object_get(c, "name")));
    json_t *args = json_object_get(c, "arguments");
    /* A string is the arguments' text as is (so a fixture can send broken JSON). */
    json_int_t nest = json_integer_value(json_object_get(c, "nest"));
    if (nest > 0) { /* "[" x nest, then "]" x nest: nesting no fixture could hold */
      k->args = gp__xmalloc(2 * (size_t)nest + 1);
      memset(k->args, '[', (size_t)nest);
      memset(k->args + nest, ']', (size_t)nest);
      k->args[2 * nest] = '\0';
    } else if (json_is_string(args)) k->args = gp__xstrdup(json_string_value(args));
    else if (args) k->args = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
    else k->args = gp__xstrdup("{}");
    json_int_t frag = json_integer_value(json_object_get(c, "fragment_bytes"));
    k->frags = gp__split_bytes(k->args, frag > 0 ? (size_t)frag : GP__ARG_FRAG, &k->nfrags);
  }
  return 0;
}

static long gp__usage(json_t *usage, const char *key, long dflt) {
  json_t *v = json_object_get(usage, key);
  return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

int gp_mock_answer_init(gp_mock_answer_t *a, json_t *resp, const gp_mock_req_t *req,
                        char **err) {
  memset(a, 0, sizeof *a);
  const char *id = json_string_value(json_object_get(resp, "id"));
  a->tag = id ? gp__xstrdup(id) : gp__xasprintf("mock%ld", req->seq);
  a->model = req->model[0] ? req->model : "mock-model";
  a->created = gp__epoch;
  char *output = gp_mock_output_text(resp);
  if (output) { /* structured output: the JSON text in small fragments, as a model streams it */
    a->text_all = output;
    json_int_t frag = json_integer_value(json_object_get(resp, "fragment_bytes"));
    a->text = gp__split_bytes(output, frag > 0 ? (size_t)frag : GP__ARG_FRAG, &a->ntext);
  } else {
    a->text_all = gp__text_of(resp);
    a->text = gp__split_words(a->text_all, &a->ntext);
  }
  const char *reasoning = json_string_value(json_object_get(resp, "reasoning"));
  a->reasoning_all = gp__xstrdup(reasoning ? reasoning : "");
  a->reasoning = gp__split_words(a->reasoning_all, &a->nreasoning);
  a->signature = json_string_value(json_object_get(resp, "signature"));
  if (!a->signature) a->signature = "bW9jay1zaWduYXR1cmU=";
  gp__init_calls(a, json_object_get(resp, "tool_calls"), req->proto);
  size_t frags = 0;
  for (size_t i = 0; i < a->ncalls; i++) frags += a->calls[i].nfrags;
  json_t *usage = json_object_get(resp, "usage");
  long in_default = (long)(req->body_len / 4) > 0 ? (long)(req->body_len / 4) : 1;
  a->input_tokens = gp__usage(usage, "input_tokens", in_default);
  a->output_tokens = gp__usage(usage, "output_tokens", (long)(a->ntext + a->nreasoning + frags));
  a->cached_tokens = gp__usage(usage, "cached_tokens", 0);
  a->stop_reason = json_string_value(json_object_get(resp, "stop_reason"));
  a->include_usage = req->include_usage;
  (void)err;
  return 0;
}

void gp_mock_answer_free(gp_mock_answer_t *a) {
  free(a->tag);
  gp__free_pieces(a->text, a->ntext);
  free(a->text_all);
  gp__free_pieces(a->reasoning, a->nreasoning);
  free(a->reasoning_all);
  for (size_t i = 0; i < a->ncalls; i++) {
    free(a->calls[i].id);
    free(a->calls[i].name);
    free(a->calls[i].args);
    gp__free_pieces(a->calls[i].frags, a->calls[i].nfrags);
  }
  free(a->calls);
}

/* ---- event lists ------------------------------------------------------------------- */

void gp_mock_events_push(gp_mock_events_t *ev, char *data, int final) {
  if (ev->n == ev->cap) {
    ev->cap = ev->cap ? ev->cap * 2 : 32;
    ev->v = gp__xrealloc(ev->v, ev->cap * sizeof *ev->v);
  }
  ev->v[ev->n++] = (gp_mock_event_t){.data = data, .len = strlen(data), .final = final};
}

void gp_mock_events_json(gp_mock_events_t *ev, const char *name, json_t *data, int final) {
  char *s = json_dumps(data, JSON_COMPACT);
  json_decref(data);
  char *e = name ? gp__xasprintf("event: %s\ndata: %s\n\n", name, s) : gp__xasprintf("data: %s\n\n", s);
  free(s);
  gp_mock_events_push(ev, e, final);
}

void gp_mock_events_free(gp_mock_events_t *ev) {
  for (size_t i = 0; i < ev->n; i++) free(ev->v[i].data);
  free(ev->v);
  ev->v = NULL;
  ev->n = ev->cap = 0;
}
