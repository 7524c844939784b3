/* Middlewares: functions wrapped around the engine (SPEC §4.3).
 *
 * A chain [m1, m2, ..., engine] runs m1 first; each middleware gets the turn and a
 * `next` that runs the rest of the chain and the engine on a turn, in place. The first
 * registered is the outermost. A chain runs once per tool-loop iteration. */
#ifndef GEPPETTO_MIDDLEWARE_H
#define GEPPETTO_MIDDLEWARE_H

#include <jansson.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gp_next_s gp_next_t;
typedef struct gp_middleware_s gp_middleware_t;

/* Runs the rest of the chain on `turn` in place. Returns 0 or an error code with *err
 * set. May be called zero times (short-circuit) or several times (retry). */
int gp_next(gp_next_t *next, gp_turn_t *turn, gp_error_t **err);

/* A middleware: may read and change `turn` before and after calling gp_next. */
typedef int (*gp_middleware_cb)(void *ud, gp_infer_ctx_t *ctx, gp_turn_t *turn,
                                gp_next_t *next, gp_error_t **err);

/* A middleware named `name` over `cb`; `free_ud` (may be NULL) runs once at the end.
 * Refcount 1; never NULL. */
gp_middleware_t *gp_middleware_new(const char *name, gp_middleware_cb cb, void *ud,
                                   void (*free_ud)(void *ud));
gp_middleware_t *gp_middleware_ref(gp_middleware_t *m);
void gp_middleware_unref(gp_middleware_t *m); /* accepts NULL */
const char *gp_middleware_name(const gp_middleware_t *m);

/* A built-in middleware by name, with options (borrowed JSON object or NULL):
 *   "systemPrompt" {prompt}: makes the turn start with a system block of that text
 *                            (replacing the text of an existing leading system block);
 *   "reorderToolResults":    moves each tool_use block right after its tool_call;
 *   "turnLogging":           logs the turn's blocks before and after the engine.
 * Unknown name or bad options: NULL with *err (INVALID_ARGUMENT naming the problem). */
gp_middleware_t *gp_middleware_builtin(const char *name, const json_t *options, gp_error_t **err);
/* The name of built-in middleware i (0, 1, ...), or NULL past the last. */
const char *gp_middleware_builtin_name(size_t i);

/* Runs middlewares[0..n) around `engine` on `turn`. */
int gp_chain_run(gp_middleware_t *const *middlewares, size_t n, gp_engine_t *engine,
                 gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err);

#ifdef __cplusplus
}
#endif
#endif
