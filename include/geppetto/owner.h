/* The runtime owner: one thread that owns a libuv loop (and, later, the JavaScript VM)
 * and executes requests that every other thread hands it.
 *
 * A request is a function run on the owner thread. gp_owner_call runs one and waits for
 * its result; gp_owner_post queues one and returns at once. Requests reach the owner
 * through a dispatcher: the owner's own queue, or a private queue that a thread waiting
 * for something (a synchronous run entered on the owner thread) services itself, so
 * the owner never waits on work that waits on the owner (see ARCHITECTURE.md).
 *
 * Thread affinity, in one place:
 *   - gp_owner_new, gp_owner_free: any thread except the owner thread.
 *   - gp_owner_call/post, gp_dispatcher_call/post, gp_owner_shutdown, gp_owner_stats,
 *     gp_owner_wait_idle (not on the owner), gp_owner_is_owner_thread: any thread.
 *   - gp_owner_loop's loop, gp_owner_complete, gp_dispatcher_private_new,
 *     gp_dispatcher_wait_service, gp_dispatcher_private_close: the owner thread only
 *     (checked by GP_ASSERT_OWNER in debug builds).
 * Whether a call runs inline is decided by thread identity (pthread_equal with the owner
 * thread), never by a flag a foreign thread could inherit.
 *
 * Error codes (include/geppetto/error.h): GP_ERR_OWNER_CLOSED (shutdown has begun: at
 * once for new requests, and for every request still queued or pending),
 * GP_ERR_CANCELED (the caller's token fired; the token's reason is returned if it is
 * another code such as GP_ERR_TIMEOUT), GP_ERR_QUEUE_FULL (post on a bounded queue),
 * GP_ERR_INVALID_ARGUMENT, GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN (an inline call's fn
 * answered GP_OWNER_PENDING: the owner cannot wait for itself), or whatever fn returns. */
#ifndef GEPPETTO_OWNER_H
#define GEPPETTO_OWNER_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gp_owner_s gp_owner_t;
typedef struct gp_dispatcher_s gp_dispatcher_t;
typedef struct gp_owner_completion_s gp_owner_completion_t;
struct uv_loop_s;

/* Returned by a call's fn to say "the result comes later through gp_owner_complete". */
#define GP_OWNER_PENDING 1

/* A call's function, run on the owner thread. Returns GP_OK or a negative GP_ERR_* code
 * and may set *result; or returns GP_OWNER_PENDING and keeps `completion` to finish the
 * call later with gp_owner_complete (from the owner thread). `arg` is borrowed: fn may
 * use it until fn returns, never later (the caller may free it once the call returns).
 * `completion` is only valid when fn returns GP_OWNER_PENDING. */
typedef int (*gp_owner_call_fn)(void *arg, gp_owner_completion_t *completion, void **result);
/* A post's function, run on the owner thread. */
typedef void (*gp_owner_post_fn)(void *arg);
/* Frees a post's arg, or a call's result that no caller will take. */
typedef void (*gp_owner_free_fn)(void *p);

typedef struct gp_owner_options_s {
  const char *name;        /* thread name (<= 15 chars used); NULL: "gp-owner" */
  size_t max_queue;        /* 0: unbounded; else post answers QUEUE_FULL at this depth */
  unsigned drain_batch;    /* requests run per wakeup before timers get a turn; 0: 1000
                              (a wakeup also ends after 2 ms of requests) */
  int spin_us;             /* the owner polls its queue this long before sleeping (µs);
                              0: 50, < 0: never (sleep at once; saves CPU, costs latency) */
  int caller_spin_us;      /* a waiting caller polls (yielding) this long before sleeping
                              on its futex (µs); 0: 50, < 0: never */
} gp_owner_options_t;

/* Starts an owner thread running a libuv loop. `opts` may be NULL (defaults).
 * Returns GP_OK and sets *out, or GP_ERR_NOMEM / GP_ERR_INTERNAL (thread or loop
 * creation failed; *out is then NULL). Not callable on an owner thread. */
int gp_owner_new(const gp_owner_options_t *opts, gp_owner_t **out);
/* Shuts down (gp_owner_shutdown), joins the thread, closes every handle still open on
 * the loop, and frees the owner. Completions never completed are released here; their
 * pointers become invalid. Accepts NULL. Must not be called on the owner thread. */
void gp_owner_free(gp_owner_t *o);

/* The owner's loop, for code running on the owner (timers, I/O, the JS host). Using it
 * from any other thread is a data race. */
struct uv_loop_s *gp_owner_loop(gp_owner_t *o);

/* 1 if the calling thread is this owner's thread (while it runs), else 0. */
int gp_owner_is_owner_thread(const gp_owner_t *o);

/* The dispatcher of the owner's own queue; lives as long as the owner; never NULL. */
gp_dispatcher_t *gp_owner_dispatcher(gp_owner_t *o);

/* Runs fn(arg) on the owner and waits for its answer, which it returns; *result (may be
 * NULL if the caller wants none) receives what fn produced, and belongs to the caller.
 * On the owner thread it runs inline (nested calls too). Otherwise:
 *   - owner shut down: GP_ERR_OWNER_CLOSED at once, fn not run;
 *   - `cancel` (may be NULL) fires while queued: returns the token's reason at once and
 *     fn never runs; while fn runs: returns the reason as soon as fn returns, and its
 *     result is dropped with result_free; while pending: returns the reason at once, and
 *     a later gp_owner_complete drops its result with result_free.
 * `op` names the request in statistics and logs (a string with static storage).
 * `result_free` (may be NULL) frees a result that nobody takes. */
int gp_owner_call(gp_owner_t *o, const char *op, gp_owner_call_fn fn, void *arg,
                  gp_cancel_t *cancel, void **result, gp_owner_free_fn result_free);

/* Receives the answer of gp_dispatcher_call_async: `status` as gp_owner_call would
 * return it (GP_ERR_OWNER_CLOSED when the owner shut down first) and `result`, which it
 * owns. Runs exactly once, on the owner thread, or on the thread that shuts the owner
 * down; it must not block (queue or wake, nothing more). */
typedef void (*gp_owner_done_fn)(void *ud, int status, void *result);

/* Like gp_dispatcher_call, but nobody waits: fn(arg) is queued (never run inline, also
 * on the owner thread) and its answer, now or through a deferred completion
 * (GP_OWNER_PENDING), is handed to done(done_ud, status, result). `arg` stays borrowed
 * until done runs. There is no cancel token: fn and the completion it keeps decide
 * when to give up. Returns GP_OK (done will run) or GP_ERR_OWNER_CLOSED /
 * GP_ERR_INVALID_ARGUMENT (done never runs). Any thread. This is how a worker hands a
 * promise-returning callback to the owner without holding a thread while it waits. */
int gp_dispatcher_call_async(gp_dispatcher_t *d, const char *op, gp_owner_call_fn fn, void *arg,
                             gp_owner_done_fn done, void *done_ud, gp_owner_free_fn result_free);

/* Queues fn(arg) on the owner; returns at once. Takes ownership of `arg` in every case:
 * `free_fn` (may be NULL) runs exactly once, after fn if it ran, otherwise when the post
 * is dropped (shutdown, or a synchronous failure: then on the calling thread before this
 * returns). Posts from one thread run in the order they were posted; a post from the
 * owner thread is queued too, never inline. Returns GP_OK, GP_ERR_OWNER_CLOSED or
 * GP_ERR_QUEUE_FULL (fn never runs in those cases). */
int gp_owner_post(gp_owner_t *o, const char *op, gp_owner_post_fn fn, void *arg,
                  gp_owner_free_fn free_fn);

/* Finishes a call whose fn answered GP_OWNER_PENDING: the caller receives `status` and
 * `result`. Owner thread only; exactly once per pending completion. If the caller is gone
 * (canceled, or the owner shut down) the result is freed with the call's result_free;
 * either way the completion is released and must not be used again. */
void gp_owner_complete(gp_owner_completion_t *c, int status, void *result);

/* ---- Dispatchers ------------------------------------------------------------------- */

/* Same contracts as gp_owner_call / gp_owner_post, through dispatcher `d`. With a
 * private dispatcher, a request from its servicing thread (the owner) runs inline, one
 * from another thread waits in the private queue until gp_dispatcher_wait_service runs
 * it; once the dispatcher is closed, requests go to the owner's queue. */
int gp_dispatcher_call(gp_dispatcher_t *d, const char *op, gp_owner_call_fn fn, void *arg,
                       gp_cancel_t *cancel, void **result, gp_owner_free_fn result_free);
int gp_dispatcher_post(gp_dispatcher_t *d, const char *op, gp_owner_post_fn fn, void *arg,
                       gp_owner_free_fn free_fn);

/* A private queue for the owner thread to service while it waits (a synchronous run
 * entered on the owner). Owner thread only. Reference counted: the creator holds one
 * reference; hand gp_dispatcher_ref'd copies to the threads that will use it. */
gp_dispatcher_t *gp_dispatcher_private_new(gp_owner_t *o);
gp_dispatcher_t *gp_dispatcher_ref(gp_dispatcher_t *d);
/* Drops a reference. Accepts NULL. The owner's own dispatcher ignores ref/unref. */
void gp_dispatcher_unref(gp_dispatcher_t *d);

/* Services d's private queue on the owner thread until until(ud) returns nonzero
 * (returns GP_OK), `cancel` fires (its reason), `timeout_ms` passes (>= 0;
 * GP_ERR_TIMEOUT; < 0: no limit) or the owner shuts down (GP_ERR_OWNER_CLOSED, with
 * every request left in the queue answered OWNER_CLOSED). `until` is evaluated on this
 * thread after every request and every gp_dispatcher_wake; whoever changes what it
 * reads must call gp_dispatcher_wake(d) afterwards. Owner thread only. */
int gp_dispatcher_wait_service(gp_dispatcher_t *d, int (*until)(void *ud), void *ud,
                               gp_cancel_t *cancel, int64_t timeout_ms);
/* Wakes the thread in gp_dispatcher_wait_service to re-evaluate `until`. Any thread. */
void gp_dispatcher_wake(gp_dispatcher_t *d);
/* Runs what is left in the private queue (inline, in order) and sends later requests
 * to the owner's queue. Owner thread only; idempotent. gp_dispatcher_unref of the last
 * reference closes it too. */
void gp_dispatcher_private_close(gp_dispatcher_t *d);

/* ---- Lifecycle ----------------------------------------------------------------------- */

/* Begins shutdown: from now on new requests fail with GP_ERR_OWNER_CLOSED, queued and
 * pending calls are answered GP_ERR_OWNER_CLOSED, queued posts are freed without
 * running, and the loop stops. Off the owner thread it waits for the owner thread to
 * finish (a request already running completes first); on the owner thread it returns at
 * once and the loop stops when the current callback returns. Idempotent; any thread. */
void gp_owner_shutdown(gp_owner_t *o);

/* Waits until the owner has nothing to do: the queue is empty, no request runs, no call
 * is pending, and the loop has no active handle or request other than the owner's own.
 * timeout_ms < 0: no limit. Returns GP_OK, GP_ERR_TIMEOUT, GP_ERR_OWNER_CLOSED (shut
 * down), or GP_ERR_INVALID_ARGUMENT on the owner thread (it would wait for itself). */
int gp_owner_wait_idle(gp_owner_t *o, int64_t timeout_ms);

/* ---- Statistics ------------------------------------------------------------------- */

typedef struct gp_owner_latency_s {
  uint64_t count;
  uint64_t p50_us, p95_us, p99_us, max_us;
} gp_owner_latency_t;

typedef struct gp_owner_op_stats_s {
  char *op;                          /* heap copy of the op name */
  uint64_t count;                    /* executions */
  gp_owner_latency_t exec;
} gp_owner_op_stats_t;

typedef struct gp_owner_stats_s {
  size_t queue_depth;                /* requests queued on the owner now */
  uint64_t calls, posts;             /* accepted requests (inline calls included) */
  uint64_t inline_calls;             /* calls run inline on the owner thread */
  uint64_t canceled;                 /* calls answered by their cancel token */
  uint64_t failed;                   /* calls whose fn answered a negative code */
  uint64_t rejected;                 /* OWNER_CLOSED or QUEUE_FULL answers */
  gp_owner_latency_t enqueue_to_start;
  gp_owner_latency_t exec;
  size_t nops;
  gp_owner_op_stats_t *ops;          /* nops entries, heap; free with gp_owner_stats_clear */
} gp_owner_stats_t;

/* A consistent-enough snapshot (counters are read one by one). Any thread. */
void gp_owner_stats(gp_owner_t *o, gp_owner_stats_t *out);
/* Frees the per-op array of a snapshot. */
void gp_owner_stats_clear(gp_owner_stats_t *s);

/* ---- Affinity checks ---------------------------------------------------------------- */

void gp__owner_assert_fail(const char *file, int line);
#ifdef GP_DEBUG
#define GP_ASSERT_OWNER(o) \
  do { if (!gp_owner_is_owner_thread(o)) gp__owner_assert_fail(__FILE__, __LINE__); } while (0)
#else
#define GP_ASSERT_OWNER(o) ((void)0)
#endif

#ifdef __cplusplus
}
#endif
#endif
