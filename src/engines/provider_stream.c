/* The stream accumulator of the provider engines: protocol decoders call it with text,
 * reasoning and tool-call fragments; it extends the turn's blocks, publishes partial,
 * partial-thinking and tool-call events, and records usage and the stop reason. Each
 * byte is copied a bounded number of times, so a long answer costs linear time: the
 * text accumulates in one shared append-only buffer (gp_text_t) that partial events
 * reference instead of copying, and a run nobody listens to builds no event at all.
 * Runs on the thread that decodes the response (the run's, or the HTTP loop's). */
#include "engines/provider_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "geppetto/log.h"
#include "core/json_depth.h"

void gp__pstream_init(gp_pstream_t *s, const gp_prov_t *prov, gp_emitter_t *em, gp_turn_t *turn) {
  memset(s, 0, sizeof *s);
  s->prov = prov;
  s->em = em;
  s->turn = turn;
}

static const char *gp__pstream_provider(const gp_pstream_t *s) {
  return s->prov && s->prov->proto ? s->prov->proto->provider : "provider";
}

/* ---- text and reasoning ------------------------------------------------------------ */

/* Sets a block's text to the bytes of `text` from `start` on (the text exists: the
 * block's opening made it). */
static void gp__slice_into(gp_block_t *b, const gp_text_t *text, size_t start) {
  size_t len;
  const char *all = gp_text_data(text, &len);
  char *t = gp__xstrndup(all + start, len - start);
  gp_block_set_text(b, t);
  free(t);
}

/* Publishes {delta, completion}: the delta is copied, the completion is the shared
 * buffer (gp_emit_partial), so an event costs O(delta) however long the answer. The
 * delta is not re-validated: it is a string a JSON parser produced, valid UTF-8. */
static void gp__partial(gp_pstream_t *s, gp_event_type_t type, const char *delta, size_t n,
                        gp_text_t *all) {
  if (s->em) gp_emit_partial(s->em, type, delta, n, all);
}

void gp__pstream_text(gp_pstream_t *s, const char *delta, size_t n) {
  if (n == 0) return;
  if (!s->text) s->text = gp_text_new();
  if (!s->text_block) {
    s->text_block = gp_block_new_assistant("");
    s->text_start = gp_text_len(s->text);
    gp_turn_append(s->turn, s->text_block);
  }
  gp_text_append(s->text, delta, n);
  gp__partial(s, GP_EVENT_PARTIAL, delta, n, s->text);
}

void gp__pstream_text_close(gp_pstream_t *s) {
  if (!s->text_block) return;
  gp__slice_into(s->text_block, s->text, s->text_start);
  s->text_block = NULL;
}

void gp__pstream_thinking_open(gp_pstream_t *s) {
  if (s->think_block) return;
  if (!s->thinking) s->thinking = gp_text_new();
  s->think_block = gp_block_new_reasoning("");
  s->think_start = gp_text_len(s->thinking);
  gp_turn_append(s->turn, s->think_block);
}

void gp__pstream_thinking(gp_pstream_t *s, const char *delta, size_t n) {
  if (n == 0) return;
  gp__pstream_thinking_open(s);
  gp_text_append(s->thinking, delta, n);
  gp__partial(s, GP_EVENT_PARTIAL_THINKING, delta, n, s->thinking);
}

void gp__pstream_thinking_meta(gp_pstream_t *s, const char *key, json_t *value) {
  gp__pstream_thinking_open(s);
  if (!s->think_block->metadata) s->think_block->metadata = json_object();
  json_object_set_new(s->think_block->metadata, key, value);
}

void gp__pstream_thinking_close(gp_pstream_t *s) {
  if (!s->think_block) return;
  gp__slice_into(s->think_block, s->thinking, s->think_start);
  s->think_block = NULL;
}

/* ---- tool calls -------------------------------------------------------------------- */

gp_pcall_t *gp__pstream_call_find(gp_pstream_t *s, int64_t key) {
  for (size_t i = s->ncalls; i > 0; i--) {
    gp_pcall_t *c = &s->calls[i - 1];
    if (c->key == key) return c->done ? NULL : c;
  }
  return NULL;
}

gp_pcall_t *gp__pstream_call_new(gp_pstream_t *s, int64_t key, const char *id, const char *name) {
  if (s->ncalls == s->capcalls) {
    s->capcalls = s->capcalls ? s->capcalls * 2 : 4;
    s->calls = gp__xrealloc(s->calls, s->capcalls * sizeof *s->calls);
  }
  gp_pcall_t *c = &s->calls[s->ncalls++];
  memset(c, 0, sizeof *c);
  c->key = key;
  c->id = gp__xstrdup(id ? id : "");
  c->name = gp__xstrdup(name ? name : "");
  return c;
}

void gp__pstream_call_set(gp_pcall_t *c, const char *id, const char *name) {
  if (id && *id && strcmp(c->id, id) != 0) {
    free(c->id);
    c->id = gp__xstrdup(id);
  }
  /* The first name given wins: some servers repeat it on every fragment. */
  if (name && *name && c->name[0] == '\0') {
    free(c->name);
    c->name = gp__xstrdup(name);
  }
}

/* The call's arguments as a JSON value (new reference): the parsed text, the whole
 * `input` when no text came, {} when nothing came, {"_raw": text} when unparsable. */
static json_t *gp__call_args(gp_pstream_t *s, gp_pcall_t *c) {
  const char *text = c->args.data ? c->args.data : "";
  size_t i = 0;
  while (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r') i++;
  if (text[i] == '\0') return c->input ? json_incref(c->input) : json_object();
  /* The scanner builds the same value as json_loads for less than jansson's lexer costs;
   * what it does not take (malformed, \u0000, deep nesting) goes to jansson. */
  json_t *v = NULL;
  if (gp__pstream_fast) {
    gp_jscan_t j;
    gp__jscan_init(&j, c->args.data, c->args.len);
    v = gp__jscan_json(&j);
    if (v && gp__jscan_done(&j) == 0) return v;
    json_decref(v);
  }
  if (gp__json_text_depth(text, c->args.len, GP_JSON_MAX_DEPTH) > GP_JSON_MAX_DEPTH) {
    gp__pstream_fail(s, GP_ERR_PROVIDER_STREAM,
                    "tool call %s (%s): the arguments nest deeper than %d levels (the limit)",
                    c->id, c->name, GP_JSON_MAX_DEPTH);
    return json_pack("{s:s%}", "_raw", text, c->args.len);
  }
  json_error_t jerr;
  v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (v) return v;
  /* The log line's component is the provider already: the message must not repeat it. */
  char *msg = gp__xasprintf("tool call %s (%s): arguments are not valid JSON (%s at "
                           "byte %d); kept as {\"_raw\": TEXT}",
                           c->id, c->name, jerr.text, jerr.position);
  gp_log(GP_LOG_WARN, gp__pstream_provider(s), "%s", msg);
  char *ev = gp__xasprintf("%s: %s", gp__pstream_provider(s), msg);
  gp_emit(s->em, GP_EVENT_LOG, gp_fields_log("warn", ev, NULL));
  free(ev);
  free(msg);
  return json_pack("{s:s%}", "_raw", text, c->args.len);
}

/* ---- the turn's call ids, as a set: a response with K tool calls must not scan the
 * turn K times to keep its ids unique -------------------------------------------------- */

static size_t gp__id_hash(const char *id) {
  size_t h = 1469598103934665603u;
  for (; *id; id++) h = (h ^ (unsigned char)*id) * 1099511628211u;
  return h;
}

/* The slot of `id` in the set, or of the empty slot where it would go. */
static size_t gp__id_slot(const gp_pstream_t *s, const char *id) {
  size_t i = gp__id_hash(id) & (s->capids - 1);
  while (s->ids[i] && strcmp(s->ids[i], id) != 0) i = (i + 1) & (s->capids - 1);
  return i;
}

static void gp__id_add(gp_pstream_t *s, const char *id) {
  if (2 * (s->nids + 1) > s->capids) { /* at most half full */
    char **old = s->ids;
    size_t oldcap = s->capids;
    s->capids = oldcap ? 2 * oldcap : 64;
    s->ids = gp__xcalloc(s->capids, sizeof *s->ids);
    for (size_t i = 0; i < oldcap; i++)
      if (old[i]) s->ids[gp__id_slot(s, old[i])] = old[i];
    free(old);
  }
  size_t i = gp__id_slot(s, id);
  if (s->ids[i]) return;
  s->ids[i] = gp__xstrdup(id);
  s->nids++;
}

/* Once per response: the ids the turn already holds (history, earlier steps). */
static void gp__ids_init(gp_pstream_t *s) {
  if (s->ids) return;
  gp__id_add(s, ""); /* makes the table; "" is never a usable id anyway */
  for (size_t i = 0; i < s->turn->nblocks; i++) {
    const gp_block_t *b = s->turn->blocks[i];
    if (b->kind != GP_BLOCK_TOOL_CALL && b->kind != GP_BLOCK_TOOL_USE) continue;
    const char *id = gp_block_call_id(b);
    if (id) gp__id_add(s, id);
  }
}

/* gp_turn_unique_call_id(s->turn, NULL, want), without scanning the turn when `want`
 * is new (the usual case); a missing or repeated id takes the turn's own rule. */
static char *gp__unique_id(gp_pstream_t *s, const char *want) {
  gp__ids_init(s);
  char *id = want[0] && !s->ids[gp__id_slot(s, want)] ? gp__xstrdup(want)
                                                      : gp_turn_unique_call_id(s->turn, NULL, want);
  gp__id_add(s, id);
  return id;
}

static void gp__ids_free(gp_pstream_t *s) {
  for (size_t i = 0; i < s->capids; i++) free(s->ids[i]);
  free(s->ids);
  s->ids = NULL;
  s->nids = s->capids = 0;
}

void gp__pstream_call_end(gp_pstream_t *s, gp_pcall_t *c) {
  if (!c || c->done) return;
  c->done = 1;
  /* An empty, missing or reused id (OpenAI-compatible servers send them) would make the
   * call look answered or pair its result with another call: the turn's ids stay
   * unique, and the one chosen here is what goes back to the provider. */
  char *id = gp__unique_id(s, c->id);
  if (strcmp(id, c->id) != 0) {
    gp_log(GP_LOG_DEBUG, gp__pstream_provider(s), "tool call %s: id \"%s\" %s; using %s",
           c->name, c->id, c->id[0] ? "already used in the turn" : "missing", id);
  }
  free(c->id);
  c->id = id;
  json_t *args = gp__call_args(s, c);
  if (gp_emitter_observed(s->em))
    gp_emit(s->em, GP_EVENT_TOOL_CALL, gp_fields_tool_call(c->id, c->name, args));
  gp_turn_append(s->turn, gp_block_new_tool_call(c->id, c->name, args));
}

/* Calls before s->calls_done are all done (calls end in order here, and mostly so
 * elsewhere), so a stream that starts every call by ending the others (a new id at a
 * reused index) does not rescan all of them each time. */
void gp__pstream_calls_end_all(gp_pstream_t *s) {
  for (size_t i = s->calls_done; i < s->ncalls; i++) gp__pstream_call_end(s, &s->calls[i]);
  s->calls_done = s->ncalls;
}

/* ---- protocol index kinds ---------------------------------------------------------- */

void gp__pstream_set_kind(gp_pstream_t *s, int64_t index, int kind) {
  if (index < 0 || index > 100000) return; /* a hostile index must not allocate much */
  if ((size_t)index >= s->nkinds) {
    size_t n = s->nkinds ? 2 * s->nkinds : 8; /* doubling: items one by one cost linear time */
    while (n <= (size_t)index) n *= 2;
    s->kinds = gp__xrealloc(s->kinds, n * sizeof *s->kinds);
    for (size_t i = s->nkinds; i < n; i++) s->kinds[i] = GP_PK_NONE;
    s->nkinds = n;
  }
  s->kinds[index] = kind;
}

int gp__pstream_kind(const gp_pstream_t *s, int64_t index) {
  return index >= 0 && (size_t)index < s->nkinds ? s->kinds[index] : GP_PK_NONE;
}

/* ---- usage, stop reason, errors ---------------------------------------------------- */

void gp__pstream_usage(gp_pstream_t *s, int64_t input, int64_t output, int64_t cached) {
  if (!s->usage) s->usage = json_object();
  if (input >= 0) json_object_set_new(s->usage, "inputTokens", json_integer(input));
  if (output >= 0) json_object_set_new(s->usage, "outputTokens", json_integer(output));
  if (cached >= 0) json_object_set_new(s->usage, "cachedTokens", json_integer(cached));
}

void gp__pstream_stop_reason(gp_pstream_t *s, const char *reason) {
  if (!reason || !*reason) return;
  free(s->stop_reason);
  s->stop_reason = gp__xstrdup(reason);
}

int gp__pstream_fail(gp_pstream_t *s, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = gp__xvasprintf(fmt, ap);
  va_end(ap);
  gp_error_free(s->err);
  s->err = gp_error_new(code, "%s: %s", gp__pstream_provider(s), msg);
  s->failed = 1;
  free(msg);
  return code;
}

int gp__pstream_fast = 1;

const char *gp__pstream_unescape(gp_pstream_t *s, const gp_jscan_str_t *str, size_t *n) {
  if (!str->escaped) {
    *n = str->n;
    return str->s;
  }
  s->scratch.len = 0;
  gp__jscan_str_append(str, &s->scratch);
  *n = s->scratch.len;
  return s->scratch.data;
}

void gp__pstream_apply_delta(gp_pstream_t *s, int kind, const gp_jscan_str_t *v, gp_pcall_t *call) {
  if (!v->s) return;
  size_t n;
  const char *text = gp__pstream_unescape(s, v, &n);
  if (kind == GP__DELTA_TEXT) gp__pstream_text(s, text, n);
  else if (kind == GP__DELTA_THINKING) gp__pstream_thinking(s, text, n);
  else if (kind == GP__DELTA_ARGS && call && n) gp__buf_append(&call->args, text, n);
}

json_t *gp__pstream_parse(gp_pstream_t *s, const gp_sse_event_t *ev) {
  json_t *v = NULL;
  if (gp__pstream_fast) { /* the value jansson would build; anything else is its to judge */
    gp_jscan_t j;
    gp__jscan_init(&j, ev->data, ev->data_len);
    if (gp__jscan_peek(&j) == '{') v = gp__jscan_json(&j);
    if (v && gp__jscan_done(&j) == 0) return v;
    json_decref(v);
  }
  json_error_t jerr;
  v = gp__json_loadb(ev->data, ev->data_len, 0, &jerr);
  if (v && json_is_object(v)) return v;
  json_decref(v);
  int shown = ev->data_len > 80 ? 80 : (int)ev->data_len;
  gp__pstream_fail(s, GP_ERR_PROVIDER_STREAM,
                  "malformed stream chunk (event \"%s\"): %s; the chunk began \"%.*s\"",
                  ev->type ? ev->type : "message",
                  v ? "not a JSON object" : jerr.text, shown, ev->data);
  return NULL;
}

/* ---- end of stream ----------------------------------------------------------------- */

static void gp__drop_unfinished(gp_pstream_t *s) {
  for (size_t i = 0; i < s->ncalls; i++) {
    gp_pcall_t *c = &s->calls[i];
    if (c->done) continue;
    gp_log(GP_LOG_DEBUG, gp__pstream_provider(s),
           "dropped tool call %s (%s): the stream failed before its arguments completed",
           c->id, c->name);
    c->done = 1;
  }
}

void gp__pstream_finish(gp_pstream_t *s, int ok) {
  gp__pstream_text_close(s);
  gp__pstream_thinking_close(s);
  if (ok) gp__pstream_calls_end_all(s);
  else gp__drop_unfinished(s);
  if (s->usage) gp_turn_set_meta(s->turn, GP_META_USAGE, json_incref(s->usage));
  if (s->stop_reason) gp_turn_set_meta(s->turn, GP_META_STOP_REASON, json_string(s->stop_reason));
  for (size_t i = 0; i < s->ncalls; i++) {
    free(s->calls[i].id);
    free(s->calls[i].name);
    gp__buf_free(&s->calls[i].args);
    json_decref(s->calls[i].input);
  }
  free(s->calls);
  free(s->kinds);
  free(s->stop_reason);
  json_decref(s->usage);
  gp_text_free(s->text);
  gp_text_free(s->thinking);
  s->text = s->thinking = NULL;
  gp__buf_free(&s->signature);
  gp__buf_free(&s->scratch);
  gp__ids_free(s);
  s->calls = NULL;
  s->kinds = NULL;
  s->stop_reason = NULL;
  s->usage = NULL;
  s->ncalls = s->capcalls = s->nkinds = s->calls_done = 0;
}
