/* Cancel tokens: a reason set once, callbacks run once by the firing thread, children
 * fired with their parent, and deadlines kept in one min-heap served by a timer thread.
 *
 * Locks: each token's `lock` guards its reason, callbacks and waiters. One global
 * `gp__tree_lock` guards every parent/children link (so parent and child may be freed
 * in either order). The timer's `gp__timer_lock` guards the heap and each token's
 * `heap_idx`. Order: never hold two of them at once, except tree -> nothing and
 * timer -> nothing; refcounts are atomic and "try-ref" (increment only from > 0) is used
 * to pick up a token that another thread may be freeing. */
#include "geppetto/cancel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/core.h"
#include "geppetto/error.h"

typedef struct gp__cb_s {
  struct gp__cb_s *next;
  uint64_t id;
  gp_cancel_cb cb;
  void *ud;
} gp__cb_t;

struct gp_cancel_s {
  atomic_int refcount;
  atomic_int reason;         /* 0 until fired; written under lock */
  pthread_mutex_t lock;
  pthread_cond_t cond;       /* fired, or a callback finished */
  gp__cb_t *cbs;             /* pending callbacks; guarded by lock */
  uint64_t next_id;          /* guarded by lock */
  uint64_t running_id;       /* callback now running on firing_thread; guarded by lock */
  pthread_t firing_thread;   /* guarded by lock */
  gp_cancel_t *parent;       /* guarded by gp__tree_lock */
  gp_cancel_t *child_head;   /* guarded by gp__tree_lock */
  gp_cancel_t *sib_prev, *sib_next; /* guarded by gp__tree_lock */
  int heap_idx;              /* -1 when no deadline; guarded by gp__timer_lock */
  int64_t deadline;          /* monotonic ms; guarded by gp__timer_lock */
  int deadline_reason;       /* guarded by gp__timer_lock */
};

static pthread_mutex_t gp__tree_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the timer ---------------------------------------------------------------- */

static pthread_mutex_t gp__timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gp__timer_cond;
static gp_cancel_t **gp__heap;   /* guarded by gp__timer_lock */
static int gp__heap_len, gp__heap_cap;
static int gp__timer_started;    /* guarded by gp__timer_lock */

static int gp__try_ref(gp_cancel_t *c) {
  int n = atomic_load(&c->refcount);
  while (n > 0) {
    if (atomic_compare_exchange_weak(&c->refcount, &n, n + 1)) return 1;
  }
  return 0;
}

static void gp__heap_swap(int a, int b) {
  gp_cancel_t *t = gp__heap[a];
  gp__heap[a] = gp__heap[b];
  gp__heap[b] = t;
  gp__heap[a]->heap_idx = a;
  gp__heap[b]->heap_idx = b;
}

static void gp__heap_fix(int i) {
  while (i > 0 && gp__heap[(i - 1) / 2]->deadline > gp__heap[i]->deadline) {
    gp__heap_swap(i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
  for (;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < gp__heap_len && gp__heap[l]->deadline < gp__heap[m]->deadline) m = l;
    if (r < gp__heap_len && gp__heap[r]->deadline < gp__heap[m]->deadline) m = r;
    if (m == i) break;
    gp__heap_swap(i, m);
    i = m;
  }
}

/* Removes c from the heap; caller holds gp__timer_lock. */
static void gp__heap_remove(gp_cancel_t *c) {
  int i = c->heap_idx;
  if (i < 0) return;
  c->heap_idx = -1;
  gp__heap_len--;
  if (i != gp__heap_len) {
    gp__heap[i] = gp__heap[gp__heap_len];
    gp__heap[i]->heap_idx = i;
    gp__heap_fix(i);
  }
}

static void *gp__timer_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&gp__timer_lock);
  for (;;) {
    if (gp__heap_len == 0) {
      pthread_cond_wait(&gp__timer_cond, &gp__timer_lock);
      continue;
    }
    gp_cancel_t *top = gp__heap[0];
    int64_t now = gp__mono_ms();
    if (top->deadline > now) {
      struct timespec ts;
      gp__timespec_in(&ts, CLOCK_MONOTONIC, top->deadline - now);
      pthread_cond_timedwait(&gp__timer_cond, &gp__timer_lock, &ts);
      continue;
    }
    gp__heap_remove(top);
    int reason = top->deadline_reason;
    if (!gp__try_ref(top)) continue; /* being freed */
    pthread_mutex_unlock(&gp__timer_lock);
    gp_cancel_fire(top, reason);
    gp_cancel_unref(top);
    pthread_mutex_lock(&gp__timer_lock);
  }
  return NULL;
}

void gp_cancel_fire_after(gp_cancel_t *c, int64_t ms, int reason) {
  if (ms <= 0) {
    gp_cancel_fire(c, reason);
    return;
  }
  if (atomic_load(&c->reason)) return;
  pthread_mutex_lock(&gp__timer_lock);
  if (!gp__timer_started) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&gp__timer_cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_t tid;
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    pthread_create(&tid, &ta, gp__timer_main, NULL);
    pthread_attr_destroy(&ta);
    gp__timer_started = 1;
  }
  c->deadline = gp__mono_ms() + ms;
  c->deadline_reason = reason;
  if (c->heap_idx < 0) {
    if (gp__heap_len == gp__heap_cap) {
      gp__heap_cap = gp__heap_cap ? gp__heap_cap * 2 : 64;
      gp__heap = gp__xrealloc(gp__heap, (size_t)gp__heap_cap * sizeof *gp__heap);
    }
    c->heap_idx = gp__heap_len;
    gp__heap[gp__heap_len++] = c;
  }
  gp__heap_fix(c->heap_idx);
  pthread_cond_signal(&gp__timer_cond);
  pthread_mutex_unlock(&gp__timer_lock);
}

/* ---- tokens ------------------------------------------------------------------- */

gp_cancel_t *gp_cancel_new(gp_cancel_t *parent) {
  gp_cancel_t *c = gp__xcalloc(1, sizeof *c);
  atomic_init(&c->refcount, 1);
  atomic_init(&c->reason, 0);
  pthread_mutex_init(&c->lock, NULL);
  pthread_cond_init(&c->cond, NULL);
  c->next_id = 1;
  c->heap_idx = -1;
  if (parent) {
    pthread_mutex_lock(&gp__tree_lock);
    int r = atomic_load(&parent->reason);
    if (r) {
      atomic_store(&c->reason, r);
    } else {
      c->parent = parent;
      c->sib_next = parent->child_head;
      if (parent->child_head) parent->child_head->sib_prev = c;
      parent->child_head = c;
    }
    pthread_mutex_unlock(&gp__tree_lock);
  }
  return c;
}

gp_cancel_t *gp_cancel_ref(gp_cancel_t *c) {
  atomic_fetch_add(&c->refcount, 1);
  return c;
}

void gp_cancel_unref(gp_cancel_t *c) {
  if (!c || atomic_fetch_sub(&c->refcount, 1) != 1) return;
  pthread_mutex_lock(&gp__timer_lock);
  gp__heap_remove(c);
  pthread_mutex_unlock(&gp__timer_lock);
  pthread_mutex_lock(&gp__tree_lock);
  if (c->parent) {
    if (c->sib_prev) c->sib_prev->sib_next = c->sib_next;
    else c->parent->child_head = c->sib_next;
    if (c->sib_next) c->sib_next->sib_prev = c->sib_prev;
  }
  for (gp_cancel_t *k = c->child_head; k; k = k->sib_next) k->parent = NULL;
  /* Orphaned children keep their sibling links among themselves; clear them. */
  for (gp_cancel_t *k = c->child_head, *n; k; k = n) {
    n = k->sib_next;
    k->sib_prev = k->sib_next = NULL;
  }
  pthread_mutex_unlock(&gp__tree_lock);
  for (gp__cb_t *cb = c->cbs, *n; cb; cb = n) {
    n = cb->next;
    free(cb);
  }
  pthread_cond_destroy(&c->cond);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

int gp_cancel_reason(const gp_cancel_t *c) {
  return c ? atomic_load(&((gp_cancel_t *)c)->reason) : 0;
}

/* Takes a reference on each live child, for firing them outside the tree lock. */
static gp_cancel_t **gp__children_snapshot(gp_cancel_t *c, int *n) {
  pthread_mutex_lock(&gp__tree_lock);
  int count = 0;
  for (gp_cancel_t *k = c->child_head; k; k = k->sib_next) count++;
  gp_cancel_t **kids = count ? gp__xmalloc((size_t)count * sizeof *kids) : NULL;
  int m = 0;
  for (gp_cancel_t *k = c->child_head; k; k = k->sib_next)
    if (gp__try_ref(k)) kids[m++] = k;
  pthread_mutex_unlock(&gp__tree_lock);
  *n = m;
  return kids;
}

int gp_cancel_fire(gp_cancel_t *c, int reason) {
  if (!c) return 0;
  if (reason == 0) reason = GP_ERR_CANCELED;
  pthread_mutex_lock(&c->lock);
  if (atomic_load(&c->reason)) {
    pthread_mutex_unlock(&c->lock);
    return 0;
  }
  atomic_store(&c->reason, reason);
  c->firing_thread = pthread_self();
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->lock);

  pthread_mutex_lock(&gp__timer_lock);
  gp__heap_remove(c);
  pthread_mutex_unlock(&gp__timer_lock);

  int nkids;
  gp_cancel_t **kids = gp__children_snapshot(c, &nkids);
  for (int i = 0; i < nkids; i++) {
    gp_cancel_fire(kids[i], reason);
    gp_cancel_unref(kids[i]);
  }
  free(kids);

  pthread_mutex_lock(&c->lock);
  while (c->cbs) {
    gp__cb_t *cb = c->cbs;
    c->cbs = cb->next;
    c->running_id = cb->id;
    pthread_mutex_unlock(&c->lock);
    cb->cb(cb->ud, reason);
    free(cb);
    pthread_mutex_lock(&c->lock);
    c->running_id = 0;
    pthread_cond_broadcast(&c->cond);
  }
  pthread_mutex_unlock(&c->lock);
  return 1;
}

uint64_t gp_cancel_on(gp_cancel_t *c, gp_cancel_cb cb, void *ud) {
  pthread_mutex_lock(&c->lock);
  int r = atomic_load(&c->reason);
  if (r) {
    pthread_mutex_unlock(&c->lock);
    cb(ud, r);
    return 0;
  }
  gp__cb_t *e = gp__xmalloc(sizeof *e);
  uint64_t id = c->next_id++;
  e->id = id;
  e->cb = cb;
  e->ud = ud;
  e->next = NULL;
  gp__cb_t **pp = &c->cbs;
  while (*pp) pp = &(*pp)->next;
  *pp = e;
  pthread_mutex_unlock(&c->lock);
  return id; /* not e->id: once unlocked, a firing thread may run and free e */
}

void gp_cancel_off(gp_cancel_t *c, uint64_t id) {
  if (!c || id == 0) return;
  pthread_mutex_lock(&c->lock);
  for (gp__cb_t **pp = &c->cbs; *pp; pp = &(*pp)->next) {
    if ((*pp)->id == id) {
      gp__cb_t *e = *pp;
      *pp = e->next;
      free(e);
      pthread_mutex_unlock(&c->lock);
      return;
    }
  }
  /* Not pending: it ran, or is running now on the firing thread. */
  while (c->running_id == id && !pthread_equal(c->firing_thread, pthread_self()))
    pthread_cond_wait(&c->cond, &c->lock);
  pthread_mutex_unlock(&c->lock);
}

int gp_cancel_wait(gp_cancel_t *c, int64_t ms) {
  if (!c) {
    if (ms > 0) gp__sleep_ms(ms);
    return 0;
  }
  pthread_mutex_lock(&c->lock);
  if (ms < 0) {
    while (!atomic_load(&c->reason)) pthread_cond_wait(&c->cond, &c->lock);
  } else {
    struct timespec ts;
    gp__timespec_in(&ts, CLOCK_REALTIME, ms);
    while (!atomic_load(&c->reason)) {
      if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) != 0) break;
    }
  }
  int r = atomic_load(&c->reason);
  pthread_mutex_unlock(&c->lock);
  return r;
}
