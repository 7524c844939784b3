/* Engines: the thing that runs one inference on a turn (SPEC §4.2), and the context
 * every engine, middleware and tool sees.
 *
 * An engine appends its output (llm_text, reasoning, tool_call blocks) to the turn it
 * is given, in place, publishing events on the way; on failure whatever it appended so
 * far stays in the turn, which is how partial output is kept. Engines are refcounted
 * and may be used by several runs at once from different threads. */
#ifndef GEPPETTO_ENGINE_H
#define GEPPETTO_ENGINE_H

#include <stdint.h>
#include <jansson.h>

#include "cancel.h"
#include "error.h"
#include "event.h"
#include "run_info.h"
#include "turn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one inference call knows about its run. Owned by the run; valid for the call. */
typedef struct gp_infer_ctx_s {
  gp_run_info_t run;          /* the run's identity: stop promptly when run.cancel fires;
                                 run.tags never NULL; run.host the adapters' dispatcher */
  gp_emitter_t *emitter;      /* where to publish partial/tool-call/log events; may be NULL */
  json_t *tool_defs;          /* [{name, description, parameters}] offered to the model; borrowed, never NULL */
  const char *tool_choice;    /* "auto", "none" or "required" */
  int iteration;              /* tool-loop iteration, from 1 */
  const json_t *output;       /* structured output asked for ({schema, name?, strict?}, SPEC
                                 §4.10) or NULL; borrowed */
} gp_infer_ctx_t;

typedef struct gp_engine_s gp_engine_t;

/* Runs inference: appends output to `turn`. Returns 0, or a GP_ERR_* code with *err set
 * (CANCELED or TIMEOUT when ctx->run.cancel fired). Called on a run thread. */
typedef int (*gp_engine_infer_cb)(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn,
                                  gp_error_t **err);

typedef struct gp_engine_vtable_s {
  const char *provider;       /* "echo", "openai", "claude", "js", ... */
  gp_engine_infer_cb infer;
  void (*destroy)(void *impl);/* may be NULL */
} gp_engine_vtable_t;

/* An engine over `impl` (owned: vt->destroy runs when the last reference goes). `model`
 * may be NULL. Refcount 1. Never NULL. */
gp_engine_t *gp_engine_new(const gp_engine_vtable_t *vt, void *impl, const char *model);
gp_engine_t *gp_engine_ref(gp_engine_t *e);
void gp_engine_unref(gp_engine_t *e); /* accepts NULL */
const char *gp_engine_provider(const gp_engine_t *e);
const char *gp_engine_model(const gp_engine_t *e); /* may be NULL */
/* Runs the engine, then sets the provider/model metadata on the turn (when the engine
 * did not). A fired ctx->run.cancel before the call returns its reason without calling. */
int gp_engine_infer(gp_engine_t *e, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err);

/* The echo engine (SPEC §4.2): appends an llm_text block with `reply` if not NULL, else
 * the text of the last user block, streaming it word by word as partial events. Honours
 * the cancel token between words; `word_delay_ms` > 0 sleeps between words
 * (cancellably), for demonstrations and cancel tests. */
gp_engine_t *gp_engine_echo(const char *reply, int word_delay_ms);

#ifdef __cplusplus
}
#endif
#endif
