/* Cancel tokens: a one-shot, thread-safe "stop" signal with a reason.
 *
 * A token may have a parent: when the parent fires, the child fires with the same
 * reason (a run's token parents each of its tool calls' tokens). A token can also fire
 * by itself at a deadline (gp_cancel_fire_after), which is how run and tool timeouts are
 * enforced. Callbacks registered with gp_cancel_on run exactly once, on the thread that
 * fires the token (or inline, if it had already fired); they must be short and must not
 * block. Every function here may be called from any thread. */
#ifndef GEPPETTO_CANCEL_H
#define GEPPETTO_CANCEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gp_cancel_s gp_cancel_t;
typedef void (*gp_cancel_cb)(void *ud, int reason);

/* A new token with refcount 1, child of `parent` (may be NULL; the child holds no
 * reference on the parent, and detaches from it when freed). If the parent has
 * already fired, the child is born fired with the parent's reason. Never NULL. */
gp_cancel_t *gp_cancel_new(gp_cancel_t *parent);
gp_cancel_t *gp_cancel_ref(gp_cancel_t *c);
/* Drops a reference; the last one frees the token, cancels its pending deadline and
 * detaches it from its parent. Accepts NULL. */
void gp_cancel_unref(gp_cancel_t *c);

/* Fires the token with `reason` (a GP_ERR_* code, usually CANCELED or TIMEOUT).
 * Returns 1 if this call fired it, 0 if it had already fired (the first reason wins).
 * Children fire, then callbacks run, on the calling thread. */
int gp_cancel_fire(gp_cancel_t *c, int reason);
/* The reason it fired with, or 0 while it has not. Accepts NULL (returns 0). */
int gp_cancel_reason(const gp_cancel_t *c);

/* Arranges for the token to fire with `reason` after `ms` milliseconds (on the shared
 * timer thread). A later call replaces the earlier deadline. ms <= 0 fires now. */
void gp_cancel_fire_after(gp_cancel_t *c, int64_t ms, int reason);

/* Registers `cb`; returns an id > 0 for gp_cancel_off. If the token has already fired,
 * `cb` runs now on this thread and 0 is returned. */
uint64_t gp_cancel_on(gp_cancel_t *c, gp_cancel_cb cb, void *ud);
/* Unregisters callback `id`. When it returns, the callback is not running on another
 * thread and will not run. Must not be called from inside that same callback. */
void gp_cancel_off(gp_cancel_t *c, uint64_t id);

/* Blocks until the token fires or `ms` milliseconds pass (ms < 0: no limit).
 * Returns the reason, or 0 on time out. A cancellable sleep. */
int gp_cancel_wait(gp_cancel_t *c, int64_t ms);

#ifdef __cplusplus
}
#endif
#endif
