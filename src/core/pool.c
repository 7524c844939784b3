/* A thread pool that grows on demand: submit queues the work and wakes an idle worker,
 * or starts a new one when every worker is busy and the maximum (if any) allows. Workers live
 * until the pool is freed. One mutex guards the queue and the counters. */
#include "core/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* A pool thread's stack. Only the pages a thread touches are memory; the size bounds the
 * deepest recursion: jansson's printer and parser, the schema validator and the codecs
 * walk JSON up to GP_JSON_MAX_DEPTH (512) levels, about 300 bytes a level in a normal
 * build and over 1 KiB under the sanitizers, which overflowed 512 KiB. */
#define GP__POOL_STACK (2 * 1024 * 1024)

typedef struct gp__work_s {
  struct gp__work_s *next;
  gp_work_cb fn;
  void *arg;
} gp__work_t;

struct gp_pool_s {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  gp__work_t *head, *tail;   /* queue, guarded by lock */
  size_t queued;             /* guarded by lock */
  int threads;               /* workers started; guarded by lock */
  int waiting;               /* workers blocked on cond; guarded by lock */
  int max_threads;           /* 0: no maximum (a thread per concurrent item) */
  int stopping;              /* guarded by lock */
  pthread_t *tids;           /* ntids slots, grown as threads start; guarded by lock */
  int ntids;                 /* guarded by lock */
  char name[16];
};

static void *gp__pool_main(void *arg) {
  gp_pool_t *p = arg;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (!p->head && !p->stopping) {
      p->waiting++;
      pthread_cond_wait(&p->cond, &p->lock);
      p->waiting--;
    }
    if (!p->head) break; /* stopping and drained */
    gp__work_t *w = p->head;
    p->head = w->next;
    if (!p->head) p->tail = NULL;
    p->queued--;
    pthread_mutex_unlock(&p->lock);
    w->fn(w->arg);
    free(w);
    pthread_mutex_lock(&p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

gp_pool_t *gp__pool_new(const char *name, int max_threads) {
  gp_pool_t *p = gp__xcalloc(1, sizeof *p);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
  p->max_threads = max_threads > 0 ? max_threads : 0;
  snprintf(p->name, sizeof p->name, "%s", name ? name : "gp-pool");
  return p;
}

void gp__pool_submit(gp_pool_t *p, gp_work_cb fn, void *arg) {
  gp__work_t *w = gp__xmalloc(sizeof *w);
  w->next = NULL;
  w->fn = fn;
  w->arg = arg;
  pthread_mutex_lock(&p->lock);
  if (p->tail) p->tail->next = w;
  else p->head = w;
  p->tail = w;
  p->queued++;
  if ((size_t)p->waiting < p->queued && (p->max_threads == 0 || p->threads < p->max_threads)) {
    if (p->threads == p->ntids) {
      p->ntids = p->ntids ? p->ntids * 2 : 16;
      p->tids = gp__xrealloc(p->tids, (size_t)p->ntids * sizeof *p->tids);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, GP__POOL_STACK);
    if (pthread_create(&p->tids[p->threads], &attr, gp__pool_main, p) == 0) {
      pthread_setname_np(p->tids[p->threads], p->name);
      p->threads++;
    }
    pthread_attr_destroy(&attr);
    if (p->threads == 0) {
      fprintf(stderr, "geppetto: cannot start a worker thread for %s\n", p->name);
      abort();
    }
  }
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->lock);
}

void gp__pool_stats(gp_pool_t *p, int *threads, int *busy, size_t *queued) {
  pthread_mutex_lock(&p->lock);
  if (threads) *threads = p->threads;
  if (busy) *busy = p->threads - p->waiting;
  if (queued) *queued = p->queued;
  pthread_mutex_unlock(&p->lock);
}

void gp__pool_free(gp_pool_t *p) {
  if (!p) return;
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->cond);
  int n = p->threads;
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < n; i++) pthread_join(p->tids[i], NULL);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->lock);
  free(p->tids);
  free(p);
}

gp_pool_t *gp__pool_shared(gp_pool_t *_Atomic *slot, const char *name, int max_threads) {
  gp_pool_t *p = atomic_load_explicit(slot, memory_order_acquire);
  if (p) return p;
  gp_pool_t *fresh = gp__pool_new(name, max_threads);
  if (atomic_compare_exchange_strong_explicit(slot, &p, fresh, memory_order_acq_rel,
                                              memory_order_acquire))
    return fresh;
  gp__pool_free(fresh); /* another thread won the race; this one never started a thread */
  return p;
}
