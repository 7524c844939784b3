/* Internals of the runtime owner shared by its files: the request object, the owner and
 * dispatcher structures, and a Vyukov intrusive MPSC queue (lock-free push from any
 * thread, pop by the single consumer: the owner thread). Not part of the public API. */
#ifndef GP_OWNER_INTERNAL_H
#define GP_OWNER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <uv.h>

#include "core/hist.h"
#include "geppetto/owner.h"

/* ---- MPSC queue (Dmitry Vyukov's intrusive node-based queue) ----------------------- */

typedef struct gp__mpsc_node_s {
  _Atomic(struct gp__mpsc_node_s *) next;
} gp__mpsc_node_t;

typedef struct gp__mpsc_s {
  _Alignas(64) _Atomic(gp__mpsc_node_t *) head; /* producers swap themselves in here */
  _Alignas(64) gp__mpsc_node_t *tail;           /* consumer only */
  gp__mpsc_node_t stub;                         /* consumer only */
} gp__mpsc_t;

void gp__mpsc_init(gp__mpsc_t *q);
/* Any thread. */
void gp__mpsc_push(gp__mpsc_t *q, gp__mpsc_node_t *n);
/* Consumer only. Returns a node, or NULL when empty or when a producer is between its
 * two steps (that producer's wakeup will follow, see owner.c). */
gp__mpsc_node_t *gp__mpsc_pop(gp__mpsc_t *q);

/* ---- Requests ------------------------------------------------------------------------ */

enum {
  GP__REQ_CALL = 1,
  GP__REQ_POST = 2,
};

/* Phases of a call. QUEUED -> RUNNING -> DONE | PENDING; PENDING -> DONE | ABANDONED;
 * QUEUED -> ABANDONED (caller canceled) | CLOSED (shutdown). Transitions by CAS. */
enum {
  GP__PH_QUEUED = 0,
  GP__PH_RUNNING,
  GP__PH_PENDING,
  GP__PH_DONE,
  GP__PH_ABANDONED,   /* the caller left (canceled); nothing may be handed to it */
  GP__PH_CLOSED,      /* answered OWNER_CLOSED */
};

typedef struct gp__req_s {
  gp__mpsc_node_t node;             /* link in an owner queue (first member) */
  struct gp__req_s *pnext, *pprev;  /* owner thread: list of pending completions */
  struct gp__req_s *lnext;          /* private dispatcher list (under its mutex) */
  struct gp_owner_s *owner;
  const char *op;                   /* static string */
  int kind;                         /* GP__REQ_CALL | GP__REQ_POST */
  void *arg;                        /* borrowed (call) or owned (post) */
  union {
    gp_owner_call_fn call;
    gp_owner_post_fn post;
  } fn;
  gp_owner_free_fn free_fn;         /* post: frees arg; call: frees a dropped result */
  uint64_t enq_ns;                  /* mono ns at enqueue */
  /* call only */
  _Atomic uint32_t refs;            /* caller + owner side */
  _Atomic uint32_t phase;           /* GP__PH_* */
  _Atomic uint32_t seq;             /* futex word: bumped on every event for the caller */
  _Atomic uint32_t waiting;         /* 1 while the caller may sleep on seq */
  int status;                       /* written before phase DONE/CLOSED (release) */
  void *result;                     /* idem */
  int pending;                      /* owner thread: 1 while on the pending list */
  /* asynchronous call only (gp_dispatcher_call_async): no thread waits; the answer goes
   * to done(done_ud, ...) when the phase becomes DONE or CLOSED */
  gp_owner_done_fn done;            /* NULL for a waiting caller */
  void *done_ud;
  _Atomic uint32_t done_fired;      /* 1 once done ran (exchange: exactly once) */
} gp__req_t;

/* ---- Dispatchers ------------------------------------------------------------------- */

typedef struct gp_dispatcher_s {
  struct gp_owner_s *owner;
  int is_private;
  _Atomic uint32_t refs;            /* private only */
  pthread_mutex_t mu;               /* private: guards head/tail/closed */
  gp__req_t *head, *tail;           /* private queue (under mu) */
  int closed;                       /* private: requests now go to the owner (under mu) */
  _Atomic uint32_t seq;             /* futex word: bumped by pushes and wakes */
  _Atomic uint32_t waiting;         /* 1 while the servicer may sleep on seq */
  struct gp_dispatcher_s *dnext, *dprev; /* owner's list of private dispatchers (owner->mu) */
} gp_dispatcher_t;

/* ---- Per-op statistics ------------------------------------------------------------- */

typedef struct gp__op_stat_s {
  const char *op;                   /* as given (pointer compared first) */
  char *name;                       /* heap copy */
  _Atomic uint64_t count;
  gp_hist_t exec;
} gp__op_stat_t;

/* ---- The owner ----------------------------------------------------------------------- */

typedef struct gp_owner_s {
  gp__mpsc_t q;                     /* the owner's queue */
  _Alignas(64) _Atomic uint32_t wake_armed; /* 1: a wakeup is on its way; producers skip it */
  _Atomic int64_t depth;            /* requests queued (owner queue) */
  _Atomic int64_t producers;        /* threads between "not closed?" and finished pushing */
  _Atomic int closed;               /* shutdown has begun */
  _Atomic int exited;               /* the owner thread has left its loop */
  pthread_t thread;                 /* written by the owner thread before start is signaled */
  uv_loop_t loop;                   /* owner thread only */
  uv_async_t async;                 /* wakes the loop */
  uv_prepare_t prepare;             /* idle tracking */
  uv_check_t check;                 /* idle tracking */
  size_t max_queue;
  unsigned drain_batch;
  unsigned spin_us;                 /* 0: no owner spin */
  unsigned caller_spin_us;          /* 0: no caller spin */
  char name[16];
  gp_dispatcher_t main;             /* the owner's own dispatcher */
  gp__req_t *pending_head;          /* owner thread: calls waiting for gp_owner_complete */
  _Atomic int64_t npending;
  _Atomic int running;              /* a request is executing (queued path) */

  pthread_mutex_t mu;               /* guards: started, idle, ops table growth, dispatchers */
  pthread_cond_t cond;              /* signals start, idle changes, exit */
  int started;                      /* 1 ok, -1 failed */
  int idle;                         /* last idle verdict from the loop (under mu) */
  unsigned idle_waiters;            /* under mu */
  gp_dispatcher_t *dispatchers;     /* private dispatchers alive (under mu) */

  gp__op_stat_t **ops;              /* per-op table; grows under mu, written on owner */
  _Atomic size_t nops;
  size_t ops_cap;
  const char *last_op;              /* owner thread: cache of the last lookup */
  gp__op_stat_t *last_stat;

  _Atomic uint64_t calls, posts, inline_calls, canceled, failed, rejected;
  gp_hist_t enq_hist;               /* enqueue -> start, µs */
  gp_hist_t exec_hist;              /* execution, µs */
} gp_owner_t;

/* owner.c */
int gp__owner_enqueue(gp_owner_t *o, gp__req_t *r);  /* OK, OWNER_CLOSED or QUEUE_FULL */
void gp__owner_pending_add(gp_owner_t *o, gp__req_t *r);
void gp__owner_pending_remove(gp_owner_t *o, gp__req_t *r);

/* request.c */
gp__req_t *gp__req_new_call(gp_owner_t *o, const char *op, gp_owner_call_fn fn, void *arg,
                            gp_owner_free_fn result_free);
gp__req_t *gp__req_new_post(gp_owner_t *o, const char *op, gp_owner_post_fn fn, void *arg,
                            gp_owner_free_fn free_fn);
/* Runs a request taken from a queue on the owner thread, and releases the queue's hold. */
void gp__req_execute(gp__req_t *r);
/* Answers a queued request OWNER_CLOSED (call) or frees it unrun (post). */
void gp__req_reject(gp__req_t *r);
/* The caller's side of a queued call: waits, handles cancel, returns the answer. */
int gp__req_wait(gp__req_t *r, gp_cancel_t *cancel, void **result);
int gp__call_inline(gp_owner_t *o, const char *op, gp_owner_call_fn fn, void *arg,
                    gp_cancel_t *cancel, void **result, gp_owner_free_fn result_free);
/* Shutdown of a pending call: answers the caller OWNER_CLOSED. Owner thread. */
void gp__req_close_pending(gp__req_t *r);
void gp__req_release_leftover(gp__req_t *r);

/* Futex helpers. */
void gp__futex_wait(_Atomic uint32_t *addr, uint32_t val, int64_t timeout_ns);
void gp__futex_wake(_Atomic uint32_t *addr);

/* stats.c */
void gp__stats_exec(gp_owner_t *o, const char *op, uint64_t exec_us);
void gp__stats_free(gp_owner_t *o);

/* dispatcher.c */
/* Queues r on private dispatcher d, or on the owner once d is closed. */
int gp__dispatcher_push(gp_dispatcher_t *d, gp__req_t *r);
void gp__dispatchers_shutdown(gp_owner_t *o);

#endif
