/* Embeddings answers (docs/MOCK.md): POST /v1/embeddings (OpenAI), /api/embed (Ollama)
 * and /v1beta/models/MODEL:batchEmbedContents (Gemini) are served without fixtures,
 * with deterministic vectors made from each input text (the same text always gets the
 * same unit-length vector; `dimensions` / `outputDimensionality` set the length, 8 by
 * default). Words in the model name inject faults: fail-401, fail-500, flaky-429,
 * delay-N. */
#include "mock.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define GP__EMB_DEFAULT_DIM 8
#define GP__EMB_MAX_DIM 8192

int gp_mock_embed_route(const char *url, char model[256]) {
  if (!strcmp(url, "/v1/embeddings") || !strcmp(url, "/embeddings")) return GP_MOCK_EMBED_OPENAI;
  if (!strcmp(url, "/api/embed")) return GP_MOCK_EMBED_OLLAMA;
  if (strncmp(url, "/v1beta/", 8) == 0) url += 7;
  static const char verb[] = ":batchEmbedContents";
  if (strncmp(url, "/models/", 8) != 0) return 0;
  const char *m = url + 8, *colon = strrchr(m, ':');
  if (!colon || strcmp(colon, verb) != 0 || colon == m || colon - m > 255) return 0;
  memcpy(model, m, (size_t)(colon - m));
  model[colon - m] = '\0';
  return GP_MOCK_EMBED_GEMINI;
}

/* ---- faults ------------------------------------------------------------------------ */

static pthread_mutex_t gp__fault_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *gp__seen;      /* hashes of the bodies flaky-429 answered 429 to */
static size_t gp__nseen, gp__capseen;

static uint64_t gp__hash(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
  return h;
}

/* 1 the first time `h` is seen (remembering it), 0 afterwards. */
static int gp__first_sight(uint64_t h) {
  pthread_mutex_lock(&gp__fault_lock);
  int first = 1;
  for (size_t i = 0; first && i < gp__nseen; i++) first = gp__seen[i] != h;
  if (first) {
    if (gp__nseen == gp__capseen) {
      gp__capseen = gp__capseen ? gp__capseen * 2 : 64;
      gp__seen = gp__xrealloc(gp__seen, gp__capseen * sizeof *gp__seen);
    }
    gp__seen[gp__nseen++] = h;
  }
  pthread_mutex_unlock(&gp__fault_lock);
  return first;
}

void gp_mock_embed_reset(void) {
  pthread_mutex_lock(&gp__fault_lock);
  gp__nseen = 0;
  pthread_mutex_unlock(&gp__fault_lock);
}

int gp_mock_embed_fault(const char *model, const char *body, size_t len, int *delay_ms) {
  const char *d = model ? strstr(model, "delay-") : NULL;
  *delay_ms = d ? atoi(d + 6) : 0;
  if (!model) return 0;
  if (strstr(model, "fail-401")) return 401;
  if (strstr(model, "fail-500")) return 500;
  if (strstr(model, "flaky-429") && gp__first_sight(gp__hash(body ? body : "", body ? len : 0))) return 429;
  return 0;
}

/* ---- vectors ----------------------------------------------------------------------- */

/* The vector of `text`: component j from an FNV-1a hash of (j, text), normalised. */
static json_t *gp__vector(const char *text, long dim) {
  double *v = gp__xcalloc((size_t)dim, sizeof *v), norm = 0;
  for (long j = 0; j < dim; j++) {
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)j * 0x9E3779B97F4A7C15ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    v[j] = (double)(h >> 11) / (double)(1ULL << 53) * 2.0 - 1.0;
    norm += v[j] * v[j];
  }
  json_t *a = json_array();
  for (long j = 0; j < dim; j++) json_array_append_new(a, json_real(norm > 0 ? v[j] / sqrt(norm) : 0));
  free(v);
  return a;
}

static long gp__dim(json_t *v) {
  long d = json_is_integer(v) ? (long)json_integer_value(v) : GP__EMB_DEFAULT_DIM;
  return d > 0 && d <= GP__EMB_MAX_DIM ? d : GP__EMB_DEFAULT_DIM;
}

/* OpenAI and Ollama: {input: string | [string]}. */
static json_t *gp__inputs(json_t *body) {
  json_t *in = json_object_get(body, "input");
  if (json_is_string(in)) return json_pack("[O]", in);
  size_t i;
  json_t *s;
  json_array_foreach(in, i, s) if (!json_is_string(s)) return NULL;
  return json_is_array(in) ? json_incref(in) : NULL;
}

char *gp_mock_embed_answer(int kind, const char *path_model, json_t *body, int *status) {
  json_t *out = NULL;
  *status = 200;
  if (kind == GP_MOCK_EMBED_GEMINI) {
    json_t *reqs = json_object_get(body, "requests"), *list = json_array(), *r;
    size_t i;
    json_array_foreach(reqs, i, r) {
      const char *text = json_string_value(json_object_get(
          json_array_get(json_object_get(json_object_get(r, "content"), "parts"), 0), "text"));
      json_array_append_new(list, json_pack("{s:o}", "values",
                                            gp__vector(text ? text : "", gp__dim(json_object_get(r, "outputDimensionality")))));
    }
    if (json_array_size(reqs)) out = json_pack("{s:o}", "embeddings", list);
    else json_decref(list);
  } else {
    json_t *in = gp__inputs(body);
    long dim = gp__dim(json_object_get(body, "dimensions"));
    const char *model = json_string_value(json_object_get(body, "model"));
    size_t i;
    json_t *s;
    if (in && kind == GP_MOCK_EMBED_OLLAMA) {
      json_t *list = json_array();
      json_array_foreach(in, i, s) json_array_append_new(list, gp__vector(json_string_value(s), dim));
      out = json_pack("{s:s, s:o}", "model", model ? model : "", "embeddings", list);
    } else if (in) {
      json_t *data = json_array();
      json_array_foreach(in, i, s)
        json_array_append_new(data, json_pack("{s:s, s:i, s:o}", "object", "embedding", "index", (int)i,
                                              "embedding", gp__vector(json_string_value(s), dim)));
      out = json_pack("{s:s, s:o, s:s, s:{s:i, s:i}}", "object", "list", "data", data, "model",
                      model ? model : "", "usage", "prompt_tokens", (int)json_array_size(in), "total_tokens",
                      (int)json_array_size(in));
    }
    json_decref(in);
  }
  (void)path_model;
  if (!out) {
    *status = 400;
    return gp__xstrdup("{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"no input texts\"}}");
  }
  char *text = json_dumps(out, JSON_COMPACT);
  json_decref(out);
  return text;
}
