/* The middleware chain (SPEC §4.3): refcounted middleware objects and the recursion
 * that runs [m0, m1, ..., engine] on one turn. A gp_next_t is a read-only cursor into
 * the chain living on the caller's stack, so a middleware may call it zero times
 * (short-circuit) or several times (retry) and each call runs the whole rest again. */
#include <geppetto/middleware.h>

#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"

struct gp_middleware_s {
  atomic_int refcount;       /* references; the last unref runs free_ud */
  char *name;                /* heap string, never NULL */
  gp_middleware_cb cb;
  void *ud;                  /* owned through free_ud */
  void (*free_ud)(void *ud); /* may be NULL */
};

struct gp_next_s {
  gp_middleware_t *const *mws; /* the whole chain (borrowed) */
  size_t n;                    /* number of middlewares */
  size_t index;                /* the middleware this cursor runs; n: the engine */
  gp_engine_t *engine;         /* borrowed */
  gp_infer_ctx_t *ctx;         /* borrowed, valid for the run */
};

/* Any thread. Takes ownership of `ud` (freed by free_ud). Never NULL. */
gp_middleware_t *gp_middleware_new(const char *name, gp_middleware_cb cb, void *ud,
                                   void (*free_ud)(void *ud)) {
  GP_ASSERT(cb != NULL);
  gp_middleware_t *m = gp__xcalloc(1, sizeof *m);
  atomic_init(&m->refcount, 1);
  m->name = gp__xstrdup(name ? name : "");
  m->cb = cb;
  m->ud = ud;
  m->free_ud = free_ud;
  return m;
}

gp_middleware_t *gp_middleware_ref(gp_middleware_t *m) {
  if (m) atomic_fetch_add_explicit(&m->refcount, 1, memory_order_relaxed);
  return m;
}

/* Any thread; accepts NULL. */
void gp_middleware_unref(gp_middleware_t *m) {
  if (!m) return;
  if (atomic_fetch_sub_explicit(&m->refcount, 1, memory_order_acq_rel) != 1) return;
  if (m->free_ud) m->free_ud(m->ud);
  free(m->name);
  free(m);
}

const char *gp_middleware_name(const gp_middleware_t *m) { return m ? m->name : NULL; }

/* Run thread. Runs the middleware at next->index (or the engine past the end) with a
 * cursor to the one after it. A failure without *err set gets a generic error naming
 * the middleware. */
int gp_next(gp_next_t *next, gp_turn_t *turn, gp_error_t **err) {
  if (!next || !turn) return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "next: no chain or turn");
  if (next->index >= next->n) return gp_engine_infer(next->engine, next->ctx, turn, err);
  gp_middleware_t *m = next->mws[next->index];
  gp_next_t rest = *next;
  rest.index++;
  int rc = m->cb(m->ud, next->ctx, turn, &rest, err);
  if (rc != 0 && err && !*err) {
    *err = gp_error_new(rc, "middleware %s: %s", m->name, gp_strerror(rc));
  }
  return rc;
}

/* Run thread. Borrows everything; returns 0 or an error code with *err set. */
int gp_chain_run(gp_middleware_t *const *middlewares, size_t n, gp_engine_t *engine,
                 gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  if (!engine || (n > 0 && !middlewares)) {
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "chain: no engine or middlewares");
  }
  gp_next_t head = {middlewares, n, 0, engine, ctx};
  return gp_next(&head, turn, err);
}
