/* Provider engines (SPEC §4.2, §7): configuration and API keys, the request/stream loop
 * shared by every wire format (one gp__http_stream whose body feeds the SSE decoder and
 * the protocol's event handler), and the mapping of what went wrong to the error codes
 * a script sees. API keys live only in the engine and in the request's headers: every
 * error message leaving an engine is scrubbed of the key, since providers echo keys
 * back in their 401 messages. */
#include "engines/provider_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engines/partial_json.h"
#include "events/events_internal.h"
#include "geppetto/log.h"
#include "core/json_depth.h"

#define GP__DEFAULT_TIMEOUT_MS 600000
#define GP__DEFAULT_IDLE_MS 60000
#define GP__DEFAULT_CONNECT_MS 10000
#define GP__DEFAULT_RETRIES 3
#define GP__DEFAULT_MAX_BYTES ((size_t)64 << 20)

void gp_engine_config_init(gp_engine_config_t *c) {
  memset(c, 0, sizeof *c);
  c->max_retries = -1;
}

/* ---- text helpers ------------------------------------------------------------------ */

char *gp__redact(char *s, const char *key) {
  if (!s || !key || strlen(key) < 4 || !strstr(s, key)) return s;
  size_t klen = strlen(key);
  gp_buf_t out = {0};
  const char *p = s, *hit;
  while ((hit = strstr(p, key)) != NULL) {
    gp__buf_append(&out, p, (size_t)(hit - p));
    gp__buf_puts(&out, "[REDACTED]");
    p = hit + klen;
  }
  gp__buf_puts(&out, p);
  free(s);
  return gp__buf_steal(&out);
}

char *gp__provider_error_message(const char *body) {
  if (!body || !*body) return gp__xstrdup("(empty body)");
  json_t *j = gp__json_loads(body, JSON_DECODE_ANY, NULL);
  json_t *e = json_object_get(j, "error");
  const char *msg = json_string_value(json_object_get(e, "message"));
  const char *type = json_string_value(json_object_get(e, "type"));
  if (!type) type = json_string_value(json_object_get(e, "code"));
  if (!type) type = json_string_value(json_object_get(e, "status")); /* Gemini */
  if (!msg) msg = json_string_value(e);
  if (!msg) msg = json_string_value(json_object_get(j, "message"));
  if (!msg) msg = json_string_value(json_object_get(j, "detail"));
  char *out;
  if (msg && type) out = gp__xasprintf("%s (%s)", msg, type);
  else if (msg) out = gp__xstrdup(msg);
  else out = gp__xasprintf("%.500s", body);
  json_decref(j);
  return out;
}

char *gp__result_text(const json_t *result) {
  if (!result) return gp__xstrdup("null");
  if (json_is_string(result)) return gp__xstrndup(json_string_value(result), json_string_length(result));
  char *s = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
  char *out = gp__xstrdup(s ? s : "null");
  free(s);
  return out;
}

char *gp__args_text(const json_t *args) {
  if (!args) return gp__xstrdup("{}");
  json_t *raw = json_object_get(args, "_raw");
  if (json_is_string(raw) && json_object_size(args) == 1) return gp__xstrdup(json_string_value(raw));
  return gp__result_text(args);
}

json_t *gp__tool_schema(const json_t *def) {
  json_t *params = json_object_get(def, "parameters");
  if (json_is_object(params) && json_object_size(params) > 0) return json_deep_copy(params);
  return json_pack("{s:s, s:{}}", "type", "object", "properties");
}

void gp__system_append(gp_buf_t *system, const char *text) {
  if (system->len) gp__buf_puts(system, "\n\n");
  gp__buf_puts(system, text);
}

int64_t gp__json_int(const json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? json_integer_value(v) : -1;
}

json_t *gp__tool_decl(const json_t *def, const char *type, const char *schema_key, json_t *schema) {
  json_t *d = type ? json_pack("{s:s}", "type", type) : json_object();
  json_object_set_new(d, "name", json_string(json_string_value(json_object_get(def, "name"))));
  const char *desc = json_string_value(json_object_get(def, "description"));
  if (desc && *desc) json_object_set_new(d, "description", json_string(desc));
  json_object_set_new(d, schema_key, schema);
  return d;
}

/* ---- configuration ----------------------------------------------------------------- */

static const gp_proto_t *gp__proto_named(const char *api_type) {
  if (!api_type) return NULL;
  if (strcmp(api_type, "openai") == 0) return &gp__proto_openai;
  if (strcmp(api_type, "claude") == 0 || strcmp(api_type, "anthropic") == 0) return &gp__proto_claude;
  if (strcmp(api_type, "openai-responses") == 0) return &gp__proto_responses;
  if (strcmp(api_type, "gemini") == 0) return &gp__proto_gemini;
  return NULL;
}

static const char *gp__default_base(const gp_proto_t *proto) {
  if (proto == &gp__proto_gemini) return "https://generativelanguage.googleapis.com/v1beta";
  return proto == &gp__proto_claude ? "https://api.anthropic.com/v1" : "https://api.openai.com/v1";
}

static const char *gp__default_key_env(const gp_proto_t *proto) {
  if (proto == &gp__proto_gemini) return "GEMINI_API_KEY";
  return proto == &gp__proto_claude ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
}

const json_t *gp__output_schema(const gp_infer_ctx_t *ctx) {
  return ctx && ctx->output ? json_object_get(ctx->output, "schema") : NULL;
}

/* OpenAI's `strict`: asked for (the default) and the schema is one strict mode takes; a
 * schema it would refuse goes with strict false, validated here all the same. */
static int gp__output_strict(const json_t *output, const json_t *schema) {
  if (json_is_false(json_object_get(output, "strict"))) return 0;
  char why[300];
  if (gp__openai_strict_ok(schema, why, sizeof why)) return 1;
  gp_log(json_is_true(json_object_get(output, "strict")) ? GP_LOG_WARN : GP_LOG_DEBUG, "openai",
         "structured output sent with strict false: OpenAI's strict mode refuses this schema (%s)", why);
  return 0;
}

json_t *gp__output_format(const gp_infer_ctx_t *ctx, int named) {
  const json_t *schema = gp__output_schema(ctx);
  if (!schema) return NULL;
  json_t *f = json_pack("{s:s}", "type", "json_schema");
  if (named) {
    const char *name = json_string_value(json_object_get(ctx->output, "name"));
    json_object_set_new(f, "name", json_string(name ? name : "output"));
  }
  json_object_set_new(f, "schema", json_deep_copy(schema));
  if (named) json_object_set_new(f, "strict", json_boolean(gp__output_strict(ctx->output, schema)));
  return f;
}

/* 1 when the URL's host is one of the official API hosts (where a key is required). */
static int gp__official_host(const char *url) {
  const char *h = strstr(url, "://");
  h = h ? h + 3 : url;
  size_t n = strcspn(h, ":/?#");
  return (n == 14 && strncasecmp(h, "api.openai.com", n) == 0) ||
         (n == 17 && strncasecmp(h, "api.anthropic.com", n) == 0) ||
         (n == 33 && strncasecmp(h, "generativelanguage.googleapis.com", n) == 0);
}

/* 1 when `s` holds a control character (below 0x20, or 0x7F): in a header value a CR
 * or LF would end the header and smuggle another onto the wire. */
static int gp__has_ctl(const char *s) {
  for (const unsigned char *q = (const unsigned char *)s; q && *q; q++) {
    if (*q < 0x20 || *q == 0x7f) return 1;
  }
  return 0;
}

static _Thread_local const gp__env_hook_t *gp__env_hook_cur;

const gp__env_hook_t *gp__env_hook_set(const gp__env_hook_t *hook) {
  const gp__env_hook_t *prev = gp__env_hook_cur;
  gp__env_hook_cur = hook;
  return prev;
}

const char *gp__getenv(const char *name) {
  const char *v = NULL;
  const gp__env_hook_t *h = gp__env_hook_cur;
  if (h && h->get(h->data, name, &v)) return v;
  return getenv(name);
}

size_t gp__key_len(const char *key) {
  size_t n = strlen(key);
  if (n > 0 && key[n - 1] == '\n') {
    n--;
    if (n > 0 && key[n - 1] == '\r') n--;
  }
  return n;
}

/* The API key: apiKey, else the variable named by apiKeyEnv, else the protocol's
 * default variable. Official hosts require one; a custom base URL (a local server)
 * may go without, unless apiKeyEnv names a variable: then that variable must be set. A key from the environment loses one trailing newline; a key with a
 * control character left is INVALID_ARGUMENT naming where it came from, never the key.
 * Returns 0 with *out heap or NULL, or CONFIG / INVALID_ARGUMENT. */
static int gp__resolve_key(const gp_engine_config_t *c, const gp_proto_t *proto, int official,
                           char **out, gp_error_t **err) {
  *out = NULL;
  const char *from = "apiKey";
  int named = c->api_key_env && *c->api_key_env;
  const char *var = named ? c->api_key_env : gp__default_key_env(proto);
  const char *v = NULL;
  if (c->api_key && *c->api_key) {
    *out = gp__xstrdup(c->api_key);
  } else if ((v = gp__getenv(var)) != NULL && *v) {
    *out = gp__xstrndup(v, gp__key_len(v));
    from = var;
  }
  if (*out) {
    if (!gp__has_ctl(*out) && **out) return 0;
    explicit_bzero(*out, strlen(*out));
    free(*out);
    *out = NULL;
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "%s: the API key from %s%s contains a control character (CR, LF, "
                        "tab or another byte below 0x20, or DEL); remove it from the key",
                        proto->provider, from == var ? "$" : "", from);
  }
  if (!official && !named) return 0;
  return gp_error_set(err, GP_ERR_CONFIG,
                      "%s: no API key for model %s: looked at apiKey (not set) and $%s%s (%s); "
                      "set one of them",
                      proto->provider, c->model, var, named ? " from apiKeyEnv" : "",
                      v ? "empty" : "not set");
}

/* Where `url`'s userinfo starts (https://user:key@host/ puts a key there), with *len its
 * length up to the authority's last '@'; NULL when it has none. */
static const char *gp__url_userinfo(const char *url, size_t *len) {
  const char *h = strstr(url, "://");
  if (!h) return NULL;
  h += 3;
  const char *at = NULL;
  for (size_t i = 0, n = strcspn(h, "/?#"); i < n; i++) {
    if (h[i] == '@') at = h + i;
  }
  if (!at) return NULL;
  *len = (size_t)(at - h);
  return h;
}

/* `url` with its userinfo shown as ***. */
char *gp__url_shown(const char *url) {
  size_t n;
  const char *ui = gp__url_userinfo(url, &n);
  if (!ui) return gp__xstrdup(url);
  return gp__xasprintf("%.*s***%s", (int)(ui - url), url, ui + n);
}

void gp__prov_free(gp_prov_t *p) {
  if (!p) return;
  if (p->api_key) explicit_bzero(p->api_key, strlen(p->api_key));
  free(p->api_key);
  free(p->model);
  free(p->base_url);
  free(p->shown_url);
  if (p->userinfo) explicit_bzero(p->userinfo, strlen(p->userinfo));
  free(p->userinfo);
  for (size_t i = 0; i < p->nstop; i++) free(p->stop[i]);
  free(p->stop);
  for (size_t i = 0; i < p->nheaders; i++) free(p->headers[i]);
  free(p->headers);
  free(p);
}

static int gp__check_base_url(const char *url, gp_error_t **err) {
  if (gp__has_ctl(url)) {
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "baseURL contains a control character (CR, LF, tab or another byte "
                        "below 0x20, or DEL); remove it");
  }
  if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0) return 0;
  char *shown = gp__url_shown(url);
  int rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "baseURL \"%s\" is not an http:// or https:// URL", shown);
  free(shown);
  return rc;
}

gp_prov_t *gp__prov_new(const gp_engine_config_t *c, gp_error_t **err) {
  const gp_proto_t *proto = gp__proto_named(c ? c->api_type : NULL);
  if (!proto) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                 "unknown apiType \"%s\"; use one of: openai, claude (or anthropic), "
                 "openai-responses, gemini",
                 c && c->api_type ? c->api_type : "(none)");
    return NULL;
  }
  if (!c->model || !*c->model) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%s: no model given; set model", proto->provider);
    return NULL;
  }
  const char *base = c->base_url && *c->base_url ? c->base_url : gp__default_base(proto);
  if (gp__check_base_url(base, err)) return NULL;
  gp_prov_t *p = gp__xcalloc(1, sizeof *p);
  p->proto = proto;
  p->official_host = gp__official_host(base);
  if (gp__resolve_key(c, proto, p->official_host, &p->api_key, err)) {
    gp__prov_free(p);
    return NULL;
  }
  p->model = gp__xstrdup(c->model);
  size_t blen = strlen(base);
  while (blen > 0 && base[blen - 1] == '/') blen--;
  p->base_url = gp__xstrndup(base, blen);
  p->shown_url = gp__url_shown(p->base_url);
  size_t uilen;
  const char *ui = gp__url_userinfo(p->base_url, &uilen);
  if (ui) p->userinfo = gp__xstrndup(ui, uilen);
  p->has_temperature = c->has_temperature;
  p->temperature = c->temperature;
  p->has_top_p = c->has_top_p;
  p->top_p = c->top_p;
  p->max_tokens = c->max_tokens;
  if (c->nstop > 0 && c->stop) {
    p->stop = gp__xcalloc(c->nstop, sizeof *p->stop);
    for (size_t i = 0; i < c->nstop; i++) p->stop[p->nstop++] = gp__xstrdup(c->stop[i] ? c->stop[i] : "");
  }
  for (size_t i = 0; c->headers && i < c->nheaders; i++) {
    if (!c->headers[i] || gp__has_ctl(c->headers[i]) || !strchr(c->headers[i], ':')) {
      gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "headers: each header must be \"Name: value\" "
                   "without control characters");
      gp__prov_free(p);
      return NULL;
    }
    p->headers = gp__xrealloc(p->headers, (p->nheaders + 1) * sizeof *p->headers);
    p->headers[p->nheaders++] = gp__xstrdup(c->headers[i]);
  }
  p->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : GP__DEFAULT_TIMEOUT_MS;
  p->idle_timeout_ms = c->idle_timeout_ms > 0 ? c->idle_timeout_ms : GP__DEFAULT_IDLE_MS;
  p->connect_timeout_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : GP__DEFAULT_CONNECT_MS;
  p->max_retries = c->max_retries >= 0 ? c->max_retries : GP__DEFAULT_RETRIES;
  p->max_response_bytes = c->max_response_bytes > 0 ? c->max_response_bytes : GP__DEFAULT_MAX_BYTES;
  return p;
}

json_t *gp__prov_build(const gp_prov_t *p, const gp_infer_ctx_t *ctx, const gp_turn_t *turn) {
  return p->proto->build(p, ctx, turn);
}

/* ---- one request ------------------------------------------------------------------- */

/* The stream's state: the accumulator and, for Anthropic's forced output tool, the
 * incremental parser fed with that tool's input as it streams (partial-object events;
 * the answer text's come from the tap gp_engine_infer puts on the emitter). */
typedef struct {
  gp_pstream_t st;
  gp_pjson_t *pj;               /* NULL: no forced output tool, or nobody listens */
  size_t call;                  /* index+1 in st.calls of the output tool's call, 0 unknown */
  size_t fed;                   /* bytes of its arguments given to pj */
} gp__pstate_t;

static void gp__feed_tool_output(gp__pstate_t *ps) {
  gp_pstream_t *s = &ps->st;
  for (size_t i = 0; !ps->call && i < s->ncalls; i++)
    if (!strcmp(s->calls[i].name, GP__OUTPUT_TOOL)) ps->call = i + 1;
  if (!ps->call) return;
  const gp_buf_t *args = &s->calls[ps->call - 1].args;
  if (args->len <= ps->fed) return;
  gp__pjson_feed(ps->pj, args->data + ps->fed, args->len - ps->fed);
  ps->fed = args->len;
  if (gp__pjson_due(ps->pj)) {
    json_t *v = gp__pjson_snapshot(ps->pj);
    if (v) gp_emit(s->em, GP_EVENT_PARTIAL_OBJECT, json_pack("{s:o}", "object", v));
  }
}

static int gp__on_sse(void *ud, const gp_sse_event_t *ev) {
  gp__pstate_t *ps = ud;
  gp_pstream_t *s = &ps->st;
  if (s->finished) return 0; /* nothing counts after the final event */
  int rc = s->prov->proto->on_event(s, ev);
  if (ps->pj) gp__feed_tool_output(ps);
  return rc;
}

static int gp__on_data(void *ud, const char *data, size_t len) {
  return gp__sse_feed(ud, data, len);
}

/* The error for a complete non-2xx response. */
static int gp__status_error(const gp_prov_t *p, const gp_http_response_t *resp, gp_error_t **err) {
  char *msg = gp__provider_error_message(resp->error_body);
  int auth = resp->status == 401 || resp->status == 403;
  char *tries = resp->attempts > 1 ? gp__xasprintf(" (after %d attempts)", resp->attempts)
                                   : gp__xstrdup("");
  int rc;
  if (auth) {
    rc = gp_error_set(err, GP_ERR_PROVIDER_AUTH,
                      "%s: HTTP %d from %s: %s; check the API key (apiKey, apiKeyEnv or $%s)",
                      p->proto->provider, resp->status, p->shown_url, msg,
                      gp__default_key_env(p->proto));
  } else {
    rc = gp_error_set(err, GP_ERR_PROVIDER_HTTP, "%s: HTTP %d from %s%s: %s", p->proto->provider,
                      resp->status, p->shown_url, tries, msg);
  }
  free(tries);
  free(msg);
  return rc;
}

/* A 2xx stream that ended without the protocol's final event. */
static int gp__truncated_error(const gp_prov_t *p, const gp_http_response_t *resp,
                               gp_error_t **err) {
  const char *ct = resp->content_type;
  int sse = ct && strncasecmp(ct, "text/event-stream", 17) == 0;
  return gp_error_set(err, GP_ERR_PROVIDER_STREAM,
                      "%s: the stream ended before its final event (%s)%s%s%s", p->proto->provider,
                      p->proto->final_event, sse || !ct ? "" : "; the server answered with ",
                      sse || !ct ? "" : ct, sse || !ct ? "" : ", not an event stream");
}

/* Maps what gp__http_stream returned to the engine's result. `serr` is the error the
 * stream decoder reported (taken), `herr` the client's (taken). */
static int gp__outcome(const gp_prov_t *p, int rc, const gp_http_response_t *resp,
                       const gp_pstream_t *st, gp_error_t *serr, gp_error_t *herr,
                       gp_error_t **err) {
  if (serr) {
    gp_error_free(herr);
    int code = serr->code;
    if (err) *err = serr;
    else gp_error_free(serr);
    return code;
  }
  const char *why = herr ? herr->message : gp_strerror(rc);
  int out = 0;
  if (rc == 0) {
    if (resp->status < 200 || resp->status > 299) out = gp__status_error(p, resp, err);
    else if (!st->finished && !(p->proto->finish_completes && st->stop_reason))
      out = gp__truncated_error(p, resp, err);
  } else if (rc == GP_ERR_IO && resp->status >= 200 && resp->status <= 299) {
    out = gp_error_set(err, GP_ERR_PROVIDER_STREAM, "%s: the connection failed mid-stream: %s",
                       p->proto->provider, why);
  } else {
    out = gp_error_set(err, rc, "%s: %s", p->proto->provider, why);
  }
  gp_error_free(herr);
  return out;
}

/* The request headers; the auth header (the only one holding the key) is returned in
 * *auth for the caller to wipe. */
static const char **gp__headers(const gp_prov_t *p, char **auth) {
  const char **hdr = gp__xcalloc(5 + p->nheaders, sizeof *hdr);
  size_t n = 0;
  hdr[n++] = "Content-Type: application/json";
  hdr[n++] = "Accept: text/event-stream";
  *auth = p->api_key ? p->proto->auth(p->api_key) : NULL;
  if (*auth) hdr[n++] = *auth;
  if (p->proto->extra_header) hdr[n++] = p->proto->extra_header;
  for (size_t i = 0; i < p->nheaders; i++) hdr[n++] = p->headers[i];
  hdr[n] = NULL;
  return hdr;
}

static int64_t gp__total_timeout(const gp_prov_t *p, const gp_infer_ctx_t *ctx) {
  int64_t t = p->timeout_ms;
  if (ctx && ctx->run.deadline_ms > 0) {
    int64_t left = ctx->run.deadline_ms - gp__now_ms();
    if (left < 1) left = 1;
    if (left < t) t = left;
  }
  return t;
}

/* Run thread. Streams one response into `turn`; `forced` 1: structured output as a
 * forced tool call (Anthropic's fallback). *status gets the HTTP status. */
static int gp__prov_attempt(const gp_prov_t *p, gp_infer_ctx_t *ctx, gp_turn_t *turn, int forced,
                            int *status, gp_error_t **err) {
  json_t *body = p->proto->build(p, ctx, turn);
  if (forced) gp__claude_force_output_tool(body, ctx);
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  char *url = p->proto->url ? p->proto->url(p) : gp__xasprintf("%s%s", p->base_url, p->proto->path);
  char *auth;
  const char **hdr = gp__headers(p, &auth);
  gp__pstate_t ps = {.pj = forced && gp_emitter_observed(ctx->emitter) ? gp__pjson_new() : NULL};
  gp__pstream_init(&ps.st, p, ctx ? ctx->emitter : NULL, turn);
  gp_sse_t *sse = gp__sse_new(gp__on_sse, &ps);
  gp_http_request_t req = {
      .method = "POST", .url = url, .headers = hdr, .body = text, .body_len = strlen(text),
      .connect_timeout_ms = p->connect_timeout_ms, .idle_timeout_ms = p->idle_timeout_ms,
      .total_timeout_ms = gp__total_timeout(p, ctx), .max_response_bytes = p->max_response_bytes,
      .cancel = ctx ? ctx->run.cancel : NULL, .on_data = gp__on_data, .ud = sse, .err = &ps.st.err,
      .flow = ctx ? gp__emitter_flow(ctx->emitter) : NULL};
  gp_retry_policy_t policy;
  gp__retry_policy_init(&policy);
  policy.max_retries = p->max_retries;
  gp_http_response_t resp = {0};
  gp_error_t *herr = NULL;
  gp_log(GP_LOG_DEBUG, p->proto->provider, "POST %s%s model=%s (%zu bytes)", p->shown_url,
         p->proto->path, p->model, req.body_len);
  int64_t t0 = gp__mono_ms();
  int rc = gp__http_stream(&req, &policy, &resp, &herr);
  gp__sse_finish(sse);
  /* The decoder's error, whether the client handed it back in herr or left it. */
  gp_error_t *serr = ps.st.err ? ps.st.err : ps.st.failed ? herr : NULL;
  ps.st.err = NULL;
  if (herr == serr) herr = NULL;
  rc = gp__outcome(p, rc, &resp, &ps.st, serr, herr, err);
  gp_log(GP_LOG_DEBUG, p->proto->provider, "HTTP %d, %d attempt(s), %zu bytes, %lld ms: %s",
         resp.status, resp.attempts, resp.body_bytes, (long long)(gp__mono_ms() - t0),
         gp_err_name(rc));
  gp__pstream_finish(&ps.st, rc == 0);
  gp__pjson_free(ps.pj);
  *status = resp.status;
  if (rc != 0 && err && *err) {
    (*err)->message = gp__redact((*err)->message, p->api_key);
    (*err)->message = gp__redact((*err)->message, p->userinfo);
  }
  gp__sse_free(sse);
  gp__http_response_clear(&resp);
  if (auth) explicit_bzero(auth, strlen(auth));
  free(auth);
  free(hdr);
  free(url);
  free(text);
  return rc;
}

/* Whether the error of a Claude request with structured output is the model refusing
 * output_config (HTTP 400 naming it). */
static int gp__refused_output_config(const gp_prov_t *p, const gp_infer_ctx_t *ctx, int rc, int status,
                                     gp_error_t **err) {
  return rc == GP_ERR_PROVIDER_HTTP && status == 400 && p->proto == &gp__proto_claude &&
         gp__output_schema(ctx) && err && *err && strstr((*err)->message, "output_config");
}

/* Run thread. One response; a Claude model that refuses output_config (HTTP 400 naming
 * it) is asked again with the schema as the output tool, whose input becomes the answer;
 * the engine remembers the refusal, so later steps and runs ask that way at once. */
static int gp__prov_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  gp_prov_t *p = impl;
  int status = 0;
  size_t first = turn->nblocks;
  int forced = p->proto == &gp__proto_claude && gp__output_schema(ctx) &&
               __atomic_load_n(&p->no_output_config, __ATOMIC_RELAXED);
  int rc = gp__prov_attempt(p, ctx, turn, forced, &status, err);
  if (!forced && gp__refused_output_config(p, ctx, rc, status, err)) {
    gp_log(GP_LOG_INFO, p->proto->provider, "model %s refused output_config; asking for the "
           "structured output as a tool call from now on", p->model);
    __atomic_store_n(&p->no_output_config, 1, __ATOMIC_RELAXED);
    gp_error_free(*err);
    *err = NULL;
    forced = 1;
    rc = gp__prov_attempt(p, ctx, turn, 1, &status, err);
  }
  if (forced && rc == 0) gp__claude_output_tool_to_text(turn, first);
  return rc;
}

static void gp__prov_destroy(void *impl) { gp__prov_free(impl); }

static const gp_engine_vtable_t gp__vt_openai = {"openai", gp__prov_infer, gp__prov_destroy};
static const gp_engine_vtable_t gp__vt_claude = {"claude", gp__prov_infer, gp__prov_destroy};
static const gp_engine_vtable_t gp__vt_responses = {"openai-responses", gp__prov_infer,
                                                    gp__prov_destroy};
static const gp_engine_vtable_t gp__vt_gemini = {"gemini", gp__prov_infer, gp__prov_destroy};

gp_engine_t *gp_engine_from_config(const gp_engine_config_t *c, gp_error_t **err) {
  gp_prov_t *p = gp__prov_new(c, err);
  if (!p) return NULL;
  const gp_engine_vtable_t *vt = p->proto == &gp__proto_claude    ? &gp__vt_claude
                                 : p->proto == &gp__proto_responses ? &gp__vt_responses
                                 : p->proto == &gp__proto_gemini    ? &gp__vt_gemini
                                                                    : &gp__vt_openai;
  return gp_engine_new(vt, p, p->model);
}
