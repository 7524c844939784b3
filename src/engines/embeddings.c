/* Embeddings (SPEC §4.13): one client for the OpenAI (`{base}/embeddings`), Ollama
 * (`{base}/api/embed`) and Gemini (`{base}/models/{model}:batchEmbedContents`) APIs.
 * A list of texts is cut into batches of the API's limit, the batches are sent in
 * parallel (one thread each, a few at a time) and the vectors come back in input order.
 * Requests use the provider engines' HTTP client (retries, Retry-After, timeouts); the
 * key is sent only in the auth header and scrubbed from every error. The client is
 * immutable once made and refcounted, so work on other threads may hold it. */
#include "geppetto/embeddings.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "core/json_depth.h"
#include "engines/provider_internal.h"
#include "http/http.h"

enum { GP__EMB_OPENAI, GP__EMB_OLLAMA, GP__EMB_GEMINI };

struct gp_embedder_s {
  _Atomic int refcount;
  int api;                      /* GP__EMB_* */
  char *model;                  /* heap */
  char *base_url;               /* heap, no trailing '/' */
  char *api_key;                /* heap secret or NULL */
  int64_t dimensions;           /* 0: the model's own */
  size_t batch;                 /* texts per request */
  int parallel;                 /* requests at once */
  int64_t timeout_ms;
  int max_retries;
};

static const char *const gp__emb_keys[] = {"apiType", "model", "baseURL", "baseUrl", "apiKey",
                                           "apiKeyEnv", "dimensions", "batchSize", "maxParallel",
                                           "timeoutMs", "maxRetries", NULL};

/* ---- configuration ----------------------------------------------------------------- */

static int gp__emb_check_keys(const json_t *cfg, gp_error_t **err) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)cfg, k, v) {
    size_t i;
    for (i = 0; gp__emb_keys[i] && strcmp(k, gp__emb_keys[i]); i++) {}
    if (gp__emb_keys[i]) continue;
    gp_buf_t known = {0};
    for (i = 0; gp__emb_keys[i]; i++) gp__buf_printf(&known, "%s%s", i ? ", " : "", gp__emb_keys[i]);
    int rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                          "embeddings config: unknown key \"%s\"; known keys: %s", k, known.data);
    gp__buf_free(&known);
    return rc;
  }
  return 0;
}

static int gp__emb_str(const json_t *cfg, const char *key, const char **out, gp_error_t **err) {
  json_t *v = json_object_get(cfg, key);
  if (!v || json_is_null(v)) return 0;
  if (!json_is_string(v))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "embeddings config: %s must be a string", key);
  *out = json_string_value(v);
  return 0;
}

/* A positive integer at `key` (0 when absent). */
static int gp__emb_count(const json_t *cfg, const char *key, int64_t max, int64_t *out,
                         gp_error_t **err) {
  json_t *v = json_object_get(cfg, key);
  if (!v || json_is_null(v)) return 0;
  double d = json_is_number(v) ? json_number_value(v) : -1;
  if (d < 0 || d != floor(d) || d > (double)max)
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "embeddings config: %s must be an integer from 0 to %lld", key, (long long)max);
  *out = (int64_t)d;
  return 0;
}

static int gp__emb_api(const char *t) {
  if (!t) return -1;
  if (!strcmp(t, "openai")) return GP__EMB_OPENAI;
  if (!strcmp(t, "ollama")) return GP__EMB_OLLAMA;
  if (!strcmp(t, "gemini")) return GP__EMB_GEMINI;
  return -1;
}

static const char *gp__emb_default_base(int api) {
  return api == GP__EMB_OLLAMA   ? "http://127.0.0.1:11434"
         : api == GP__EMB_GEMINI ? "https://generativelanguage.googleapis.com/v1beta"
                                 : "https://api.openai.com/v1";
}

/* The key: apiKey, else $apiKeyEnv, else the API's variable; required on the official
 * hosts (never for Ollama). */
static int gp__emb_key(gp_embedder_t *e, const char *key, const char *env, int custom_base,
                       gp_error_t **err) {
  const char *var = env ? env : e->api == GP__EMB_GEMINI ? "GEMINI_API_KEY"
                              : e->api == GP__EMB_OPENAI ? "OPENAI_API_KEY" : NULL;
  const char *v = var ? gp__getenv(var) : NULL;
  if (key && *key) e->api_key = gp__xstrdup(key);
  else if (v && *v) e->api_key = gp__xstrndup(v, gp__key_len(v));
  if (e->api_key) {
    for (const unsigned char *p = (const unsigned char *)e->api_key; *p; p++)
      if (*p < 0x20 || *p == 0x7f)
        return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "embeddings: the API key contains a "
                            "control character; remove it from the key");
    return 0;
  }
  if (custom_base || e->api == GP__EMB_OLLAMA) return 0;
  return gp_error_set(err, GP_ERR_CONFIG, "embeddings: no API key for model %s: looked at apiKey "
                      "(not set) and $%s (not set); set one of them", e->model, var);
}

static int gp__emb_fill(gp_embedder_t *e, const json_t *cfg, gp_error_t **err) {
  const char *type = NULL, *model = NULL, *base = NULL, *key = NULL, *env = NULL;
  int64_t dims = 0, batch = 0, par = 0, timeout = 0, retries = -1;
  int rc = gp__emb_check_keys(cfg, err);
  if (!rc) rc = gp__emb_str(cfg, "apiType", &type, err);
  if (!rc) rc = gp__emb_str(cfg, "model", &model, err);
  if (!rc) rc = gp__emb_str(cfg, "baseURL", &base, err);
  if (!rc && !base) rc = gp__emb_str(cfg, "baseUrl", &base, err);
  if (!rc) rc = gp__emb_str(cfg, "apiKey", &key, err);
  if (!rc) rc = gp__emb_str(cfg, "apiKeyEnv", &env, err);
  if (!rc) rc = gp__emb_count(cfg, "dimensions", 65536, &dims, err);
  if (!rc) rc = gp__emb_count(cfg, "batchSize", 2048, &batch, err);
  if (!rc) rc = gp__emb_count(cfg, "maxParallel", 64, &par, err);
  if (!rc) rc = gp__emb_count(cfg, "timeoutMs", (int64_t)1 << 40, &timeout, err);
  if (!rc) rc = gp__emb_count(cfg, "maxRetries", 100, &retries, err);
  if (rc) return rc;
  e->api = gp__emb_api(type);
  if (e->api < 0)
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "embeddings: unknown apiType \"%s\"; use one "
                        "of: openai, ollama, gemini", type ? type : "(none)");
  if (!model || !*model)
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "embeddings: no model given; set model");
  e->model = gp__xstrdup(model);
  const char *b = base && *base ? base : gp__emb_default_base(e->api);
  if (strncasecmp(b, "http://", 7) && strncasecmp(b, "https://", 8))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "embeddings: baseURL is not an http:// or "
                        "https:// URL");
  size_t n = strlen(b);
  while (n > 0 && b[n - 1] == '/') n--;
  e->base_url = gp__xstrndup(b, n);
  size_t limit = e->api == GP__EMB_GEMINI ? 100 : e->api == GP__EMB_OLLAMA ? 512 : 2048;
  e->batch = batch > 0 && (size_t)batch < limit ? (size_t)batch : limit;
  e->parallel = par > 0 ? (int)par : 4;
  e->dimensions = dims;
  e->timeout_ms = timeout > 0 ? timeout : 120000;
  e->max_retries = retries >= 0 ? (int)retries : 3;
  return gp__emb_key(e, key, env, base && *base, err);
}

gp_embedder_t *gp_embedder_from_config_json(const json_t *cfg, gp_error_t **err) {
  if (!json_is_object(cfg)) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "embeddings config must be an object");
    return NULL;
  }
  gp_embedder_t *e = gp__xcalloc(1, sizeof *e);
  atomic_init(&e->refcount, 1);
  if (gp__emb_fill(e, cfg, err)) {
    gp_embedder_unref(e);
    return NULL;
  }
  return e;
}

gp_embedder_t *gp_embedder_ref(gp_embedder_t *e) {
  if (e) atomic_fetch_add(&e->refcount, 1);
  return e;
}

void gp_embedder_unref(gp_embedder_t *e) {
  if (!e || atomic_fetch_sub(&e->refcount, 1) != 1) return;
  if (e->api_key) explicit_bzero(e->api_key, strlen(e->api_key));
  free(e->api_key);
  free(e->model);
  free(e->base_url);
  free(e);
}

const char *gp_embedder_model(const gp_embedder_t *e) { return e->model; }
size_t gp_embedder_batch_size(const gp_embedder_t *e) { return e->batch; }

/* ---- one request ------------------------------------------------------------------- */

static json_t *gp__emb_body(const gp_embedder_t *e, const char *const *texts, size_t n) {
  json_t *in = json_array();
  if (e->api == GP__EMB_GEMINI) {
    char *m = strncmp(e->model, "models/", 7) ? gp__xasprintf("models/%s", e->model) : gp__xstrdup(e->model);
    for (size_t i = 0; i < n; i++) {
      json_t *r = json_pack("{s:s, s:{s:[{s:s}]}}", "model", m, "content", "parts", "text", texts[i]);
      if (e->dimensions) json_object_set_new(r, "outputDimensionality", json_integer(e->dimensions));
      json_array_append_new(in, r);
    }
    free(m);
    return json_pack("{s:o}", "requests", in);
  }
  for (size_t i = 0; i < n; i++) json_array_append_new(in, json_string(texts[i]));
  json_t *body = json_pack("{s:s, s:o}", "model", e->model, "input", in);
  if (e->api == GP__EMB_OPENAI) json_object_set_new(body, "encoding_format", json_string("float"));
  if (e->dimensions) json_object_set_new(body, "dimensions", json_integer(e->dimensions));
  return body;
}

static char *gp__emb_url(const gp_embedder_t *e) {
  if (e->api == GP__EMB_OLLAMA) return gp__xasprintf("%s/api/embed", e->base_url);
  if (e->api == GP__EMB_OPENAI) return gp__xasprintf("%s/embeddings", e->base_url);
  const char *m = strncmp(e->model, "models/", 7) ? e->model : e->model + 7;
  return gp__xasprintf("%s/models/%s:batchEmbedContents", e->base_url, m);
}

/* The vector at `v` (an array of numbers) into out[0..dim); -1 when it is not one. */
static int gp__emb_vector(const json_t *v, float *out, size_t dim) {
  if (!json_is_array(v) || json_array_size(v) != dim) return -1;
  for (size_t i = 0; i < dim; i++) {
    json_t *x = json_array_get(v, i);
    if (!json_is_number(x)) return -1;
    out[i] = (float)json_number_value(x);
  }
  return 0;
}

/* The i-th vector array of a response body, whatever the API. */
static const json_t *gp__emb_nth(const gp_embedder_t *e, const json_t *body, size_t i) {
  if (e->api == GP__EMB_OLLAMA) return json_array_get(json_object_get(body, "embeddings"), i);
  if (e->api == GP__EMB_GEMINI)
    return json_object_get(json_array_get(json_object_get(body, "embeddings"), i), "values");
  size_t k;
  json_t *d;
  json_array_foreach(json_object_get(body, "data"), k, d) { /* OpenAI: by `index` */
    json_t *idx = json_object_get(d, "index");
    if ((json_is_integer(idx) ? (size_t)json_integer_value(idx) : k) == i) return json_object_get(d, "embedding");
  }
  return NULL;
}

static int gp__emb_parse(const gp_embedder_t *e, const char *text, size_t len, size_t n,
                         float **out, size_t *dim, gp_error_t **err) {
  json_t *body = gp__json_loadb(text, len, 0, NULL);
  const json_t *first = gp__emb_nth(e, body, 0);
  size_t d = json_array_size(first);
  int rc = d ? 0 : -1;
  for (size_t i = 0; i < n && rc == 0; i++) {
    out[i] = gp__xcalloc(d, sizeof **out);
    rc = gp__emb_vector(gp__emb_nth(e, body, i), out[i], d);
  }
  json_decref(body);
  if (rc == 0) {
    *dim = d;
    return 0;
  }
  for (size_t i = 0; i < n; i++) free(out[i]), out[i] = NULL;
  return gp_error_set(err, GP_ERR_PROVIDER_STREAM, "embeddings: the answer does not hold %zu "
                      "vectors of one length (model %s)", n, e->model);
}

static int gp__emb_collect(void *ud, const char *data, size_t len) {
  gp__buf_append(ud, data, len);
  return 0;
}

int gp_embedder_request(gp_embedder_t *e, const char *const *texts, size_t n, float **out,
                        size_t *dim, gp_cancel_t *cancel, gp_error_t **err) {
  json_t *body = gp__emb_body(e, texts, n);
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  char *url = gp__emb_url(e);
  char *auth = !e->api_key ? NULL
               : e->api == GP__EMB_GEMINI ? gp__xasprintf("x-goog-api-key: %s", e->api_key)
                                          : gp__xasprintf("Authorization: Bearer %s", e->api_key);
  const char *hdr[] = {"Content-Type: application/json", auth, NULL};
  gp_buf_t got = {0};
  gp_http_request_t req = {.method = "POST", .url = url, .headers = hdr, .body = text,
                           .body_len = strlen(text), .total_timeout_ms = e->timeout_ms,
                           .cancel = cancel, .on_data = gp__emb_collect, .ud = &got};
  gp_retry_policy_t policy;
  gp__retry_policy_init(&policy);
  policy.max_retries = e->max_retries;
  gp_http_response_t resp = {0};
  gp_error_t *herr = NULL;
  int rc = gp__http_stream(&req, &policy, &resp, &herr);
  if (rc == 0 && (resp.status < 200 || resp.status > 299)) {
    char *msg = gp__provider_error_message(resp.error_body);
    rc = gp_error_set(err, resp.status == 401 || resp.status == 403 ? GP_ERR_PROVIDER_AUTH : GP_ERR_PROVIDER_HTTP,
                      "embeddings: HTTP %d from %s: %s", resp.status, e->base_url, msg);
    free(msg);
  } else if (rc == 0) {
    rc = gp__emb_parse(e, got.data ? got.data : "", got.len, n, out, dim, err);
  } else {
    rc = gp_error_set(err, rc, "embeddings: %s", herr && herr->message ? herr->message : gp_strerror(rc));
  }
  if (rc && err && *err) (*err)->message = gp__redact((*err)->message, e->api_key);
  gp_error_free(herr);
  gp__http_response_clear(&resp);
  gp__buf_free(&got);
  if (auth) explicit_bzero(auth, strlen(auth));
  free(auth);
  free(url);
  free(text);
  return rc;
}

/* ---- batches in parallel ----------------------------------------------------------- */

typedef struct {
  gp_embedder_t *e;
  const char *const *texts;
  size_t n;
  float **out;                  /* n vectors for all texts */
  gp_cancel_t *cancel;
  pthread_mutex_t lock;
  size_t next;                  /* first text not yet taken; guarded by lock */
  size_t dim;                   /* guarded by lock; 0 until known */
  int rc;                       /* first failure; guarded by lock */
  gp_error_t *err;              /* its error; guarded by lock */
} gp__emb_job_t;

/* A worker: takes batches until none is left or one failed. */
static void *gp__emb_worker(void *arg) {
  gp__emb_job_t *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    size_t start = j->next, k = j->n - start < j->e->batch ? j->n - start : j->e->batch;
    j->next += k;
    int stop = j->rc || k == 0;
    pthread_mutex_unlock(&j->lock);
    if (stop) return NULL;
    size_t dim = 0;
    gp_error_t *err = NULL;
    int rc = gp_embedder_request(j->e, j->texts + start, k, j->out + start, &dim, j->cancel, &err);
    pthread_mutex_lock(&j->lock);
    if (!rc && j->dim && dim != j->dim)
      rc = gp_error_set(&err, GP_ERR_PROVIDER_STREAM, "embeddings: batches came back with vectors "
                        "of different lengths (%zu and %zu)", j->dim, dim);
    if (!rc) j->dim = dim;
    if (rc && !j->rc) j->rc = rc, j->err = err, err = NULL;
    pthread_mutex_unlock(&j->lock);
    gp_error_free(err);
  }
}

int gp_embedder_embed(gp_embedder_t *e, const char *const *texts, size_t n, float **out,
                      size_t *dim, gp_cancel_t *cancel, gp_error_t **err) {
  gp__emb_job_t j = {.e = e, .texts = texts, .n = n, .out = out, .cancel = cancel};
  memset(out, 0, n * sizeof *out);
  *dim = 0;
  if (n == 0) return 0;
  pthread_mutex_init(&j.lock, NULL);
  size_t batches = (n + e->batch - 1) / e->batch;
  size_t nthreads = batches < (size_t)e->parallel ? batches : (size_t)e->parallel;
  pthread_t *th = gp__xcalloc(nthreads, sizeof *th);
  size_t started = 0;
  for (size_t i = 1; i < nthreads; i++) {
    if (pthread_create(&th[i], NULL, gp__emb_worker, &j) != 0) break;
    started = i;
  }
  gp__emb_worker(&j); /* this thread works too */
  for (size_t i = 1; i <= started; i++) pthread_join(th[i], NULL);
  free(th);
  pthread_mutex_destroy(&j.lock);
  if (j.rc) {
    for (size_t i = 0; i < n; i++) free(out[i]), out[i] = NULL;
    if (err) *err = j.err;
    else gp_error_free(j.err);
    return j.rc;
  }
  *dim = j.dim;
  return 0;
}
