/* Requests: the life of one call or post, from the caller's thread to the owner's and
 * back. A call is shared by two sides (the waiting caller and the owner, whose side a
 * deferred completion inherits) and freed by whichever lets go last; its `phase` moves
 * by compare-and-swap so that a cancel, a completion and a shutdown racing each other
 * agree on one outcome. The caller spins briefly, then sleeps on a futex that the owner
 * and the caller's cancel token both bump. */
#include "owner/owner_internal.h"

#include <limits.h>
#include <sched.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/error.h"
#include "geppetto/log.h"

#ifndef GP_OWNER_SPIN
#define GP_OWNER_SPIN 64 /* pause-polls of the phase before a caller starts yielding */
#endif

static inline void gp__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

void gp__futex_wait(_Atomic uint32_t *addr, uint32_t val, int64_t timeout_ns) {
  struct timespec ts, *tp = NULL;
  if (timeout_ns >= 0) {
    ts.tv_sec = timeout_ns / 1000000000;
    ts.tv_nsec = timeout_ns % 1000000000;
    tp = &ts;
  }
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, tp, NULL, 0);
}

void gp__futex_wake(_Atomic uint32_t *addr) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static gp__req_t *gp__req_alloc(gp_owner_t *o, const char *op, int kind, void *arg,
                                gp_owner_free_fn free_fn) {
  gp__req_t *r = gp__xmalloc(sizeof *r);
  memset(r, 0, sizeof *r);
  r->owner = o;
  r->op = op ? op : "?";
  r->kind = kind;
  r->arg = arg;
  r->free_fn = free_fn;
  return r;
}

gp__req_t *gp__req_new_call(gp_owner_t *o, const char *op, gp_owner_call_fn fn, void *arg,
                            gp_owner_free_fn result_free) {
  gp__req_t *r = gp__req_alloc(o, op, GP__REQ_CALL, arg, result_free);
  r->fn.call = fn;
  atomic_init(&r->refs, 2);
  atomic_init(&r->phase, GP__PH_QUEUED);
  return r;
}

gp__req_t *gp__req_new_post(gp_owner_t *o, const char *op, gp_owner_post_fn fn, void *arg,
                            gp_owner_free_fn free_fn) {
  gp__req_t *r = gp__req_alloc(o, op, GP__REQ_POST, arg, free_fn);
  r->fn.post = fn;
  return r;
}

static void gp__req_unref(gp__req_t *r) {
  if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1) free(r);
}

static int gp__terminal(uint32_t ph) { return ph == GP__PH_DONE || ph == GP__PH_CLOSED; }

/* Tells the caller something changed. An asynchronous call's caller is its done
 * callback: it runs (once) when the phase is terminal and takes the caller's reference. */
static void gp__req_signal(gp__req_t *r) {
  if (r->done) {
    uint32_t ph = atomic_load(&r->phase);
    if (!gp__terminal(ph) || atomic_exchange(&r->done_fired, 1)) return;
    if (ph == GP__PH_DONE) r->done(r->done_ud, r->status, r->result);
    else r->done(r->done_ud, GP_ERR_OWNER_CLOSED, NULL);
    gp__req_unref(r);
    return;
  }
  atomic_fetch_add(&r->seq, 1);
  if (atomic_load(&r->waiting)) gp__futex_wake(&r->seq);
}

static void gp__drop_result(gp__req_t *r, void *result) {
  if (result != NULL && r->free_fn != NULL) r->free_fn(result);
}

static void gp__log_req(const gp__req_t *r, uint64_t wait_us, uint64_t exec_us, int st) {
  if (!gp_log_enabled(GP_LOG_DEBUG)) return;
  gp_log(GP_LOG_DEBUG, "owner", "op=%s kind=%s wait_us=%llu exec_us=%llu status=%s", r->op,
         r->kind == GP__REQ_CALL ? "call" : "post", (unsigned long long)wait_us,
         (unsigned long long)exec_us, st == GP_OWNER_PENDING ? "PENDING" : gp_err_name(st));
}

/* Owner side of a call leaves RUNNING/PENDING with an answer; drops its reference. */
static void gp__req_finish(gp__req_t *r, uint32_t from, int status, void *result) {
  r->status = status;
  r->result = result;
  uint32_t exp = from;
  if (atomic_compare_exchange_strong(&r->phase, &exp, GP__PH_DONE)) gp__req_signal(r);
  else gp__drop_result(r, result); /* the caller left (ABANDONED) or shutdown (CLOSED) */
  gp__req_unref(r);
}

void gp__req_execute(gp__req_t *r) {
  gp_owner_t *o = r->owner;
  uint64_t t0 = gp__mono_ns();
  uint64_t wait_us = (t0 - r->enq_ns) / 1000;
  if (r->kind == GP__REQ_POST) {
    gp__hist_record(&o->enq_hist, wait_us);
    r->fn.post(r->arg);
    uint64_t exec_us = (gp__mono_ns() - t0) / 1000;
    gp__stats_exec(o, r->op, exec_us);
    gp__log_req(r, wait_us, exec_us, GP_OK);
    if (r->free_fn) r->free_fn(r->arg);
    free(r);
    return;
  }
  uint32_t exp = GP__PH_QUEUED;
  if (!atomic_compare_exchange_strong(&r->phase, &exp, GP__PH_RUNNING)) {
    gp__req_unref(r); /* canceled while queued: skipped, arg untouched */
    return;
  }
  gp__hist_record(&o->enq_hist, wait_us);
  void *res = NULL;
  int st = r->fn.call(r->arg, (gp_owner_completion_t *)r, &res);
  uint64_t exec_us = (gp__mono_ns() - t0) / 1000;
  gp__stats_exec(o, r->op, exec_us);
  gp__log_req(r, wait_us, exec_us, st);
  if (st == GP_OWNER_PENDING) {
    gp__owner_pending_add(o, r);
    atomic_store(&r->phase, GP__PH_PENDING); /* only the owner leaves RUNNING */
    gp__req_signal(r);
    return;
  }
  if (st < 0) atomic_fetch_add_explicit(&o->failed, 1, memory_order_relaxed);
  gp__req_finish(r, GP__PH_RUNNING, st, res);
}

void gp__req_reject(gp__req_t *r) {
  gp_owner_t *o = r->owner;
  atomic_fetch_add_explicit(&o->rejected, 1, memory_order_relaxed);
  if (r->kind == GP__REQ_POST) {
    if (r->free_fn) r->free_fn(r->arg);
    free(r);
    return;
  }
  uint32_t exp = GP__PH_QUEUED;
  if (atomic_compare_exchange_strong(&r->phase, &exp, GP__PH_CLOSED)) gp__req_signal(r);
  gp__req_unref(r);
}

void gp__req_close_pending(gp__req_t *r) {
  uint32_t exp = GP__PH_PENDING;
  if (atomic_compare_exchange_strong(&r->phase, &exp, GP__PH_CLOSED)) {
    atomic_fetch_add_explicit(&r->owner->rejected, 1, memory_order_relaxed);
    gp__req_signal(r);
  }
}

void gp__req_release_leftover(gp__req_t *r) {
  gp__req_close_pending(r);
  gp__req_unref(r);
}

void gp_owner_complete(gp_owner_completion_t *c, int status, void *result) {
  gp__req_t *r = (gp__req_t *)c;
  if (r == NULL) return;
  GP_ASSERT_OWNER(r->owner);
  gp__owner_pending_remove(r->owner, r);
  if (status == GP_OWNER_PENDING) status = GP_ERR_INVALID_ARGUMENT;
  if (status < 0) atomic_fetch_add_explicit(&r->owner->failed, 1, memory_order_relaxed);
  gp__log_req(r, 0, 0, status);
  gp__req_finish(r, GP__PH_PENDING, status, result);
}

static void gp__req_on_cancel(void *ud, int reason) {
  (void)reason;
  gp__req_signal(ud);
}

/* Waits for the call to reach DONE or CLOSED, or abandons it when the token fires
 * while it is queued or pending. Returns the final phase and sets *reason. */
static uint32_t gp__req_await(gp__req_t *r, gp_cancel_t *cancel, int *reason) {
  /* A few pauses (the owner may answer within a microsecond), then yield until the
   * spin budget is spent: sleeping costs two scheduler wakeups, tens of µs on a VM. */
  for (int i = 0; i < GP_OWNER_SPIN; i++) {
    uint32_t ph = atomic_load_explicit(&r->phase, memory_order_acquire);
    if (gp__terminal(ph)) return ph;
    gp__cpu_relax();
  }
  if (r->owner->caller_spin_us) {
    uint64_t end = gp__mono_ns() + (uint64_t)r->owner->caller_spin_us * 1000u;
    do {
      uint32_t ph = atomic_load_explicit(&r->phase, memory_order_acquire);
      if (gp__terminal(ph)) return ph;
      if (cancel && gp_cancel_reason(cancel)) break;
      sched_yield();
    } while (gp__mono_ns() < end);
  }
  uint64_t cb = cancel ? gp_cancel_on(cancel, gp__req_on_cancel, r) : 0;
  uint32_t ph;
  for (;;) {
    uint32_t s = atomic_load(&r->seq);
    ph = atomic_load(&r->phase);
    if (gp__terminal(ph)) break;
    if ((*reason = gp_cancel_reason(cancel)) != 0 &&
        (ph == GP__PH_QUEUED || ph == GP__PH_PENDING)) {
      if (atomic_compare_exchange_strong(&r->phase, &ph, GP__PH_ABANDONED)) {
        ph = GP__PH_ABANDONED;
        break;
      }
      continue; /* the owner moved it first: look again */
    }
    /* Announce the sleep, then look once more: an event after this is seen by its
     * signaler (who then wakes us), one before it is seen here. */
    atomic_store(&r->waiting, 1);
    ph = atomic_load(&r->phase);
    int rs = gp_cancel_reason(cancel);
    if (!gp__terminal(ph) && !(rs != 0 && ph != GP__PH_RUNNING))
      gp__futex_wait(&r->seq, s, -1);
    atomic_store(&r->waiting, 0);
  }
  if (cb) gp_cancel_off(cancel, cb);
  return ph;
}

int gp__req_wait(gp__req_t *r, gp_cancel_t *cancel, void **result) {
  gp_owner_t *o = r->owner;
  int reason = 0, rc;
  uint32_t ph = gp__req_await(r, cancel, &reason);
  if (ph == GP__PH_DONE) {
    reason = gp_cancel_reason(cancel);
    if (reason != 0) { /* it ran, but the caller was canceled meanwhile: drop it */
      gp__drop_result(r, r->result);
      rc = reason;
      atomic_fetch_add_explicit(&o->canceled, 1, memory_order_relaxed);
    } else {
      rc = r->status;
      if (result) *result = r->result;
      else gp__drop_result(r, r->result);
    }
  } else if (ph == GP__PH_CLOSED) {
    rc = GP_ERR_OWNER_CLOSED;
  } else {
    rc = reason;
    atomic_fetch_add_explicit(&o->canceled, 1, memory_order_relaxed);
  }
  gp__req_unref(r);
  return rc;
}

int gp__call_inline(gp_owner_t *o, const char *op, gp_owner_call_fn fn, void *arg,
                    gp_cancel_t *cancel, void **result, gp_owner_free_fn result_free) {
  int reason = gp_cancel_reason(cancel);
  if (reason != 0) {
    atomic_fetch_add_explicit(&o->canceled, 1, memory_order_relaxed);
    return reason;
  }
  atomic_fetch_add_explicit(&o->calls, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&o->inline_calls, 1, memory_order_relaxed);
  gp__req_t *r = gp__req_new_call(o, op, fn, arg, result_free);
  atomic_store_explicit(&r->refs, 1, memory_order_relaxed); /* no separate caller side */
  atomic_store_explicit(&r->phase, GP__PH_RUNNING, memory_order_relaxed);
  uint64_t t0 = gp__mono_ns();
  void *res = NULL;
  int st = fn(arg, (gp_owner_completion_t *)r, &res);
  uint64_t exec_us = (gp__mono_ns() - t0) / 1000;
  gp__stats_exec(o, r->op, exec_us);
  gp__log_req(r, 0, exec_us, st);
  if (st == GP_OWNER_PENDING) {
    /* The owner cannot wait for itself: the caller is answered now and the completion,
     * when it comes, finds nobody (its result is dropped). */
    atomic_store(&r->phase, GP__PH_ABANDONED);
    gp__owner_pending_add(o, r);
    atomic_fetch_add_explicit(&o->failed, 1, memory_order_relaxed);
    return GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN;
  }
  free(r);
  if (st < 0) atomic_fetch_add_explicit(&o->failed, 1, memory_order_relaxed);
  if ((reason = gp_cancel_reason(cancel)) != 0) {
    if (res && result_free) result_free(res);
    atomic_fetch_add_explicit(&o->canceled, 1, memory_order_relaxed);
    return reason;
  }
  if (result) *result = res;
  else if (res && result_free) result_free(res);
  return st;
}

/* ---- Public entry points ------------------------------------------------------------- */

/* Queues call request r on d (its private queue or the owner's) and counts it; on
 * failure r is freed and counted as rejected. Any thread. */
static int gp__call_submit(gp_dispatcher_t *d, gp__req_t *r) {
  gp_owner_t *o = d->owner;
  int rc = d->is_private ? gp__dispatcher_push(d, r) : gp__owner_enqueue(o, r);
  if (rc != GP_OK) {
    free(r);
    atomic_fetch_add_explicit(&o->rejected, 1, memory_order_relaxed);
    return rc;
  }
  atomic_fetch_add_explicit(&o->calls, 1, memory_order_relaxed);
  return GP_OK;
}

int gp_dispatcher_call(gp_dispatcher_t *d, const char *op, gp_owner_call_fn fn, void *arg,
                       gp_cancel_t *cancel, void **result, gp_owner_free_fn result_free) {
  if (result) *result = NULL;
  if (d == NULL || fn == NULL) return GP_ERR_INVALID_ARGUMENT;
  gp_owner_t *o = d->owner;
  if (atomic_load(&o->closed)) {
    atomic_fetch_add_explicit(&o->rejected, 1, memory_order_relaxed);
    return GP_ERR_OWNER_CLOSED;
  }
  if (gp_owner_is_owner_thread(o))
    return gp__call_inline(o, op, fn, arg, cancel, result, result_free);
  int reason = gp_cancel_reason(cancel);
  if (reason != 0) {
    atomic_fetch_add_explicit(&o->canceled, 1, memory_order_relaxed);
    return reason;
  }
  gp__req_t *r = gp__req_new_call(o, op, fn, arg, result_free);
  int rc = gp__call_submit(d, r);
  if (rc != GP_OK) return rc;
  return gp__req_wait(r, cancel, result);
}

int gp_dispatcher_call_async(gp_dispatcher_t *d, const char *op, gp_owner_call_fn fn, void *arg,
                             gp_owner_done_fn done, void *done_ud, gp_owner_free_fn result_free) {
  if (d == NULL || fn == NULL || done == NULL) return GP_ERR_INVALID_ARGUMENT;
  gp_owner_t *o = d->owner;
  if (atomic_load(&o->closed)) {
    atomic_fetch_add_explicit(&o->rejected, 1, memory_order_relaxed);
    return GP_ERR_OWNER_CLOSED;
  }
  gp__req_t *r = gp__req_new_call(o, op, fn, arg, result_free);
  r->done = done;
  r->done_ud = done_ud;
  return gp__call_submit(d, r);
}

int gp_dispatcher_post(gp_dispatcher_t *d, const char *op, gp_owner_post_fn fn, void *arg,
                       gp_owner_free_fn free_fn) {
  if (d == NULL || fn == NULL) {
    if (free_fn) free_fn(arg);
    return GP_ERR_INVALID_ARGUMENT;
  }
  gp_owner_t *o = d->owner;
  gp__req_t *r = gp__req_new_post(o, op, fn, arg, free_fn);
  int rc = d->is_private ? gp__dispatcher_push(d, r) : gp__owner_enqueue(o, r);
  if (rc != GP_OK) {
    free(r);
    if (free_fn) free_fn(arg);
    atomic_fetch_add_explicit(&o->rejected, 1, memory_order_relaxed);
    return rc;
  }
  atomic_fetch_add_explicit(&o->posts, 1, memory_order_relaxed);
  return GP_OK;
}

int gp_owner_call(gp_owner_t *o, const char *op, gp_owner_call_fn fn, void *arg,
                  gp_cancel_t *cancel, void **result, gp_owner_free_fn result_free) {
  if (o == NULL) return GP_ERR_INVALID_ARGUMENT;
  return gp_dispatcher_call(&o->main, op, fn, arg, cancel, result, result_free);
}

int gp_owner_post(gp_owner_t *o, const char *op, gp_owner_post_fn fn, void *arg,
                  gp_owner_free_fn free_fn) {
  if (o == NULL) {
    if (free_fn) free_fn(arg);
    return GP_ERR_INVALID_ARGUMENT;
  }
  return gp_dispatcher_post(&o->main, op, fn, arg, free_fn);
}
