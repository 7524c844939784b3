/* Embeddings (SPEC §4.13): vectors for texts from the OpenAI (`openai`, also any
 * OpenAI-compatible server), Ollama (`ollama`, /api/embed) and Gemini (`gemini`,
 * batchEmbedContents) APIs. Lists are cut to the API's batch limit (OpenAI 2048, Ollama
 * 512, Gemini 100 texts, or batchSize when smaller) and the batches are sent in
 * parallel (maxParallel requests at once, 4 by default); vectors come back in input
 * order. The client is immutable and refcounted: any thread may use it. API keys as for
 * engines: apiKey, else $apiKeyEnv, else $OPENAI_API_KEY / $GEMINI_API_KEY (required on
 * the official hosts; Ollama needs none), never in errors or logs. */
#ifndef GEPPETTO_EMBEDDINGS_H
#define GEPPETTO_EMBEDDINGS_H

#include <stddef.h>
#include <jansson.h>

#include "cancel.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gp_embedder_s gp_embedder_t;

/* From the script's keys: apiType ("openai" | "ollama" | "gemini"), model, baseURL
 * (default https://api.openai.com/v1, http://127.0.0.1:11434,
 * https://generativelanguage.googleapis.com/v1beta), apiKey, apiKeyEnv, dimensions,
 * batchSize, maxParallel, timeoutMs, maxRetries. NULL with *err: INVALID_ARGUMENT (an
 * unknown key is named with the known ones, a wrong type), CONFIG (no key for an
 * official host). `cfg` is only read. */
gp_embedder_t *gp_embedder_from_config_json(const json_t *cfg, gp_error_t **err);
gp_embedder_t *gp_embedder_ref(gp_embedder_t *e);
void gp_embedder_unref(gp_embedder_t *e); /* accepts NULL */
const char *gp_embedder_model(const gp_embedder_t *e);
size_t gp_embedder_batch_size(const gp_embedder_t *e);

/* Blocking: vectors for texts[0..n) (n at most the batch size) in one request. out[i]
 * becomes a heap array of *dim floats (caller frees each). Returns 0, or PROVIDER_HTTP,
 * PROVIDER_AUTH, PROVIDER_STREAM (an answer without n vectors of one length), TIMEOUT,
 * CANCELED, IO with *err. `cancel` may be NULL. Any thread except the owner. */
int gp_embedder_request(gp_embedder_t *e, const char *const *texts, size_t n, float **out,
                        size_t *dim, gp_cancel_t *cancel, gp_error_t **err);
/* Blocking: vectors for any number of texts, batches sent in parallel. On failure no
 * vector is left in out (the first failure is returned). */
int gp_embedder_embed(gp_embedder_t *e, const char *const *texts, size_t n, float **out,
                      size_t *dim, gp_cancel_t *cancel, gp_error_t **err);

#ifdef __cplusplus
}
#endif

#endif
