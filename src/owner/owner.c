/* The owner thread: its lifecycle, its libuv loop, and the queue that feeds it.
 *
 * Producers push requests on a lock-free MPSC queue and wake the loop with one
 * uv_async_send per batch: `wake_armed` is set by the producer that finds it clear, and
 * cleared by the owner just before it drains, so pushes made while a wakeup is on its
 * way cost no syscall. The owner runs at most `drain_batch` requests, and for at most
 * GP__OWNER_TURN_NS, per wakeup, then re-arms itself so timers and I/O get their turn. Shutdown closes the door (`closed`),
 * waits for producers already past it (`producers`), then answers everything left. */
#include "owner/owner_internal.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "geppetto/error.h"
#include "geppetto/log.h"

/* ---- MPSC queue ------------------------------------------------------------------------ */

void gp__mpsc_init(gp__mpsc_t *q) {
  atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
  atomic_store_explicit(&q->head, &q->stub, memory_order_relaxed);
  q->tail = &q->stub;
}

void gp__mpsc_push(gp__mpsc_t *q, gp__mpsc_node_t *n) {
  atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
  gp__mpsc_node_t *prev = atomic_exchange_explicit(&q->head, n, memory_order_seq_cst);
  atomic_store_explicit(&prev->next, n, memory_order_release);
}

gp__mpsc_node_t *gp__mpsc_pop(gp__mpsc_t *q) {
  gp__mpsc_node_t *tail = q->tail;
  gp__mpsc_node_t *next = atomic_load_explicit(&tail->next, memory_order_acquire);
  if (tail == &q->stub) {
    if (next == NULL) return NULL;
    q->tail = next;
    tail = next;
    next = atomic_load_explicit(&next->next, memory_order_acquire);
  }
  if (next != NULL) {
    q->tail = next;
    return tail;
  }
  if (tail != atomic_load_explicit(&q->head, memory_order_acquire)) return NULL;
  gp__mpsc_push(q, &q->stub);
  next = atomic_load_explicit(&tail->next, memory_order_acquire);
  if (next != NULL) {
    q->tail = next;
    return tail;
  }
  return NULL;
}

/* Consumer only: 1 if something is (or is about to be) in the queue. */
static int gp__mpsc_busy(gp__mpsc_t *q) {
  return q->tail != &q->stub || atomic_load_explicit(&q->head, memory_order_seq_cst) != &q->stub;
}

/* ---- Wakeups ----------------------------------------------------------------------- */

static void gp__owner_kick(gp_owner_t *o) {
  if (atomic_load(&o->wake_armed) == 0 && atomic_exchange(&o->wake_armed, 1) == 0)
    uv_async_send(&o->async);
}

/* A wakeup from outside the enqueue path: guarded like a producer. */
static void gp__owner_kick_guarded(gp_owner_t *o) {
  atomic_fetch_add(&o->producers, 1);
  if (!atomic_load(&o->closed)) gp__owner_kick(o);
  atomic_fetch_sub(&o->producers, 1);
}

int gp__owner_enqueue(gp_owner_t *o, gp__req_t *r) {
  atomic_fetch_add(&o->producers, 1);
  if (atomic_load(&o->closed)) {
    atomic_fetch_sub(&o->producers, 1);
    return GP_ERR_OWNER_CLOSED;
  }
  if (r->kind == GP__REQ_POST && o->max_queue != 0 &&
      atomic_load_explicit(&o->depth, memory_order_relaxed) >= (int64_t)o->max_queue) {
    atomic_fetch_sub(&o->producers, 1);
    return GP_ERR_QUEUE_FULL;
  }
  r->enq_ns = gp__mono_ns();
  atomic_fetch_add_explicit(&o->depth, 1, memory_order_relaxed);
  gp__mpsc_push(&o->q, &r->node);
  gp__owner_kick(o);
  atomic_fetch_sub(&o->producers, 1);
  return GP_OK;
}

/* ---- Pending completions (owner thread) -------------------------------------------- */

void gp__owner_pending_add(gp_owner_t *o, gp__req_t *r) {
  r->pprev = NULL;
  r->pnext = o->pending_head;
  if (o->pending_head) o->pending_head->pprev = r;
  o->pending_head = r;
  r->pending = 1;
  atomic_fetch_add(&o->npending, 1);
}

void gp__owner_pending_remove(gp_owner_t *o, gp__req_t *r) {
  if (!r->pending) return;
  if (r->pprev) r->pprev->pnext = r->pnext;
  else o->pending_head = r->pnext;
  if (r->pnext) r->pnext->pprev = r->pprev;
  r->pending = 0;
  atomic_fetch_sub(&o->npending, 1);
}

/* ---- The loop ------------------------------------------------------------------------ */

/* A wakeup also ends after this long, so timers and I/O get a turn every few
 * milliseconds however long the requests queued behind each other are. */
#define GP__OWNER_TURN_NS (2u * 1000u * 1000u)
/* How long the owner polls its queue before sleeping, and a waiting caller its answer
 * before sleeping on its futex (µs), unless the options or the environment say. */
#define GP__OWNER_SPIN_US 50u

/* Runs up to *budget requests (decremented) until `end` (monotonic ns); returns 1 if
 * the budget or the time ran out. */
static int gp__owner_drain(gp_owner_t *o, unsigned *budget, uint64_t end) {
  while (*budget > 0 && gp__mono_ns() < end) {
    gp__mpsc_node_t *node = gp__mpsc_pop(&o->q);
    if (node == NULL) return 0;
    (*budget)--;
    atomic_fetch_sub_explicit(&o->depth, 1, memory_order_relaxed);
    if (atomic_load_explicit(&o->closed, memory_order_relaxed)) {
      gp__req_reject((gp__req_t *)node); /* shutdown began: the rest fails fast */
      return 0;
    }
    gp__req_execute((gp__req_t *)node);
  }
  return 1;
}

/* Shutdown, on the owner thread: answer everything, then stop the loop. */
static void gp__owner_close_on_loop(gp_owner_t *o) {
  while (atomic_load(&o->producers) != 0) sched_yield();
  gp__mpsc_node_t *node;
  while ((node = gp__mpsc_pop(&o->q)) != NULL || gp__mpsc_busy(&o->q)) {
    if (node == NULL) { sched_yield(); continue; }
    atomic_fetch_sub_explicit(&o->depth, 1, memory_order_relaxed);
    gp__req_reject((gp__req_t *)node);
  }
  for (gp__req_t *r = o->pending_head; r; r = r->pnext) gp__req_close_pending(r);
  gp__dispatchers_shutdown(o);
  uv_stop(&o->loop);
}

/* A spin length (µs) from the options: > 0 as given, < 0 none, 0 the default — the
 * environment variable `env` when set (a number of µs, 0: none; for A/B measurements),
 * else GP__OWNER_SPIN_US. */
static unsigned gp__spin_setting(int opt, const char *env) {
  if (opt != 0) return opt < 0 ? 0u : (unsigned)opt;
  return gp__env_spin_us(env, GP__OWNER_SPIN_US);
}

static void gp__owner_on_async(uv_async_t *h) {
  gp_owner_t *o = h->data;
  unsigned budget = o->drain_batch; /* per wakeup, spins included: timers get a turn */
  uint64_t turn_end = gp__mono_ns() + GP__OWNER_TURN_NS;
  for (;;) {
    if (atomic_load(&o->closed)) { gp__owner_close_on_loop(o); return; }
    atomic_store(&o->wake_armed, 0);
    if (gp__owner_drain(o, &budget, turn_end) && !atomic_load(&o->closed)) {
      if (atomic_exchange(&o->wake_armed, 1) == 0) uv_async_send(&o->async);
      return;
    }
    if (atomic_load(&o->closed)) continue;
    if (o->spin_us == 0) return;
    /* Poll a little before going back to epoll: producers see the wakeup armed. */
    atomic_store(&o->wake_armed, 1);
    uint64_t end = gp__mono_ns() + (uint64_t)o->spin_us * 1000u;
    /* Yielding, not pausing: on a machine with fewer cores than busy threads the
     * callers we wait for may need this core. */
    while (!gp__mpsc_busy(&o->q) && !atomic_load(&o->closed) && gp__mono_ns() < end)
      sched_yield();
    atomic_store(&o->wake_armed, 0);
    if (!gp__mpsc_busy(&o->q) && !atomic_load(&o->closed)) return;
  }
}

static void gp__count_walk(uv_handle_t *h, void *ud) {
  gp_owner_t *o = ((void **)ud)[0];
  unsigned *n = ((void **)ud)[1];
  if (h == (uv_handle_t *)&o->async || h == (uv_handle_t *)&o->prepare ||
      h == (uv_handle_t *)&o->check)
    return;
  if (uv_is_active(h) && uv_has_ref(h) && !uv_is_closing(h)) (*n)++;
}

/* Recomputes the idle verdict when someone waits for it (prepare and check phases). */
static void gp__owner_idle_update(gp_owner_t *o) {
  pthread_mutex_lock(&o->mu);
  if (o->idle_waiters == 0) { pthread_mutex_unlock(&o->mu); return; }
  pthread_mutex_unlock(&o->mu);
  unsigned n = 0;
  void *ud[2] = {o, &n};
  uv_walk(&o->loop, gp__count_walk, ud);
  int idle = n == 0 && o->loop.active_reqs.count == 0 && atomic_load(&o->depth) == 0 &&
             atomic_load(&o->npending) == 0 && !gp__mpsc_busy(&o->q);
  pthread_mutex_lock(&o->mu);
  o->idle = idle;
  pthread_cond_broadcast(&o->cond);
  pthread_mutex_unlock(&o->mu);
}

static void gp__owner_on_prepare(uv_prepare_t *h) { gp__owner_idle_update(h->data); }
static void gp__owner_on_check(uv_check_t *h) { gp__owner_idle_update(h->data); }

static void gp__close_walk(uv_handle_t *h, void *ud) {
  (void)ud;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void *gp__owner_main(void *ud) {
  gp_owner_t *o = ud;
  o->thread = pthread_self();
  pthread_setname_np(pthread_self(), o->name);
  int rc = uv_loop_init(&o->loop);
  if (rc == 0) {
    uv_async_init(&o->loop, &o->async, gp__owner_on_async);
    o->async.data = o;
    uv_prepare_init(&o->loop, &o->prepare);
    o->prepare.data = o;
    uv_prepare_start(&o->prepare, gp__owner_on_prepare);
    uv_unref((uv_handle_t *)&o->prepare);
    uv_check_init(&o->loop, &o->check);
    o->check.data = o;
    uv_check_start(&o->check, gp__owner_on_check);
    uv_unref((uv_handle_t *)&o->check);
  }
  pthread_mutex_lock(&o->mu);
  o->started = rc == 0 ? 1 : -1;
  pthread_cond_broadcast(&o->cond);
  pthread_mutex_unlock(&o->mu);
  if (rc != 0) return NULL;
  gp_log(GP_LOG_DEBUG, "owner", "owner thread %s started", o->name);
  uv_run(&o->loop, UV_RUN_DEFAULT);
  uv_walk(&o->loop, gp__close_walk, NULL);
  uv_run(&o->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&o->loop) != 0) gp_log(GP_LOG_WARN, "owner", "loop closed busy");
  pthread_mutex_lock(&o->mu);
  atomic_store(&o->exited, 1);
  pthread_cond_broadcast(&o->cond);
  pthread_mutex_unlock(&o->mu);
  gp_log(GP_LOG_DEBUG, "owner", "owner thread %s stopped", o->name);
  return NULL;
}

/* ---- Public lifecycle ---------------------------------------------------------------- */

int gp_owner_new(const gp_owner_options_t *opts, gp_owner_t **out) {
  if (out == NULL) return GP_ERR_INVALID_ARGUMENT;
  *out = NULL;
  gp_owner_t *o = aligned_alloc(64, (sizeof *o + 63) & ~(size_t)63);
  if (o == NULL) return GP_ERR_NOMEM;
  memset(o, 0, sizeof *o);
  gp__mpsc_init(&o->q);
  o->max_queue = opts ? opts->max_queue : 0;
  o->drain_batch = opts && opts->drain_batch ? opts->drain_batch : 1000;
  int spin = opts ? opts->spin_us : 0, cspin = opts ? opts->caller_spin_us : 0;
  o->spin_us = gp__spin_setting(spin, "GP_OWNER_SPIN_US");
  o->caller_spin_us = gp__spin_setting(cspin, "GP_CALLER_SPIN_US");
  snprintf(o->name, sizeof o->name, "%s", opts && opts->name ? opts->name : "gp-owner");
  o->main.owner = o;
  o->main.is_private = 0;
  pthread_mutex_init(&o->mu, NULL);
  pthread_cond_init(&o->cond, NULL);
  gp__hist_init(&o->enq_hist);
  gp__hist_init(&o->exec_hist);
  pthread_t t;
  if (pthread_create(&t, NULL, gp__owner_main, o) != 0) goto fail;
  pthread_mutex_lock(&o->mu);
  while (o->started == 0) pthread_cond_wait(&o->cond, &o->mu);
  int ok = o->started == 1;
  pthread_mutex_unlock(&o->mu);
  if (!ok) {
    pthread_join(t, NULL);
    goto fail;
  }
  *out = o;
  return GP_OK;
fail:
  pthread_cond_destroy(&o->cond);
  pthread_mutex_destroy(&o->mu);
  free(o);
  return GP_ERR_INTERNAL;
}

void gp_owner_shutdown(gp_owner_t *o) {
  if (o == NULL) return;
  /* Counted as a producer: the owner closes its async handle only after we sent. */
  atomic_fetch_add(&o->producers, 1);
  if (atomic_exchange(&o->closed, 1) == 0) {
    gp_log(GP_LOG_DEBUG, "owner", "shutdown of %s", o->name);
    atomic_store(&o->wake_armed, 1);
    uv_async_send(&o->async);
    atomic_fetch_sub(&o->producers, 1);
    pthread_mutex_lock(&o->mu);
    pthread_cond_broadcast(&o->cond);
    for (gp_dispatcher_t *d = o->dispatchers; d; d = d->dnext) gp_dispatcher_wake(d);
    pthread_mutex_unlock(&o->mu);
  } else {
    atomic_fetch_sub(&o->producers, 1);
  }
  if (gp_owner_is_owner_thread(o)) return;
  pthread_mutex_lock(&o->mu);
  while (!atomic_load(&o->exited)) pthread_cond_wait(&o->cond, &o->mu);
  pthread_mutex_unlock(&o->mu);
}

void gp_owner_free(gp_owner_t *o) {
  if (o == NULL) return;
  GP_ASSERT(!gp_owner_is_owner_thread(o));
  gp_owner_shutdown(o);
  pthread_join(o->thread, NULL);
  /* Completions the owner's code never completed: released here. */
  while (o->pending_head) {
    gp__req_t *r = o->pending_head;
    gp__owner_pending_remove(o, r);
    gp__req_release_leftover(r);
  }
  gp__stats_free(o);
  pthread_cond_destroy(&o->cond);
  pthread_mutex_destroy(&o->mu);
  free(o);
}

uv_loop_t *gp_owner_loop(gp_owner_t *o) { return &o->loop; }

int gp_owner_is_owner_thread(const gp_owner_t *o) {
  return o != NULL && !atomic_load_explicit(&((gp_owner_t *)o)->exited, memory_order_acquire) &&
         pthread_equal(pthread_self(), o->thread);
}

gp_dispatcher_t *gp_owner_dispatcher(gp_owner_t *o) { return &o->main; }

int gp_owner_wait_idle(gp_owner_t *o, int64_t timeout_ms) {
  if (o == NULL || gp_owner_is_owner_thread(o)) return GP_ERR_INVALID_ARGUMENT;
  int64_t end = timeout_ms < 0 ? INT64_MAX : gp__mono_ms() + timeout_ms;
  int rc = GP_OK;
  pthread_mutex_lock(&o->mu);
  o->idle_waiters++;
  o->idle = 0; /* a fresh verdict is needed */
  pthread_mutex_unlock(&o->mu);
  gp__owner_kick_guarded(o);
  pthread_mutex_lock(&o->mu);
  for (;;) {
    if (atomic_load(&o->closed)) { rc = GP_ERR_OWNER_CLOSED; break; }
    if (o->idle) break;
    int64_t now = gp__mono_ms();
    if (now >= end) { rc = GP_ERR_TIMEOUT; break; }
    int64_t wait_ms = end - now < 50 ? end - now : 50; /* re-kick: the loop may sleep */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    ts.tv_sec += wait_ms / 1000 + ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    if (pthread_cond_timedwait(&o->cond, &o->mu, &ts) != 0 && !o->idle) {
      pthread_mutex_unlock(&o->mu);
      gp__owner_kick_guarded(o);
      pthread_mutex_lock(&o->mu);
    }
  }
  o->idle_waiters--;
  pthread_mutex_unlock(&o->mu);
  return rc;
}

void gp__owner_assert_fail(const char *file, int line) {
  fprintf(stderr, "%s:%d: GP_ASSERT_OWNER failed: not on the owner thread\n", file, line);
  abort();
}
