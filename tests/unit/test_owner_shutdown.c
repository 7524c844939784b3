/* Owner shutdown: with 1000 calls and posts pending from 8 threads (the owner held busy),
 * every caller gets OWNER_CLOSED, every post's free runs exactly once and its fn never,
 * the request already running completes, nothing hangs; later requests fail at once;
 * a pending deferred call is answered OWNER_CLOSED; shutdown from the owner itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "testutil.h"

#define NTHREADS 8
#define POSTS_PER_THREAD 100 /* 800 posts */
#define CALLS_PER_THREAD 25  /* 200 calls, each from its own thread */
#define NITEMS (NTHREADS * POSTS_PER_THREAD)

static atomic_int g_gate, g_blocked, g_fn_runs;
static atomic_int g_free_count[NITEMS];
static atomic_int g_closed_answers, g_other_answers;
static gp_owner_t *g_owner;

static int block_fn(void *arg, gp_owner_completion_t *c, void **result) {
  atomic_store(&g_blocked, 1);
  while (!atomic_load(&g_gate)) sched_yield();
  *result = (void *)(intptr_t)42;
  return GP_OK;
}

static int count_fn(void *arg, gp_owner_completion_t *c, void **result) {
  atomic_fetch_add(&g_fn_runs, 1);
  return GP_OK;
}

static void count_post(void *arg) { atomic_fetch_add(&g_fn_runs, 1); }
static void item_free(void *arg) { atomic_fetch_add(&g_free_count[(intptr_t)arg], 1); }

static void *blocker(void *ud) {
  void *res = NULL;
  int rc = gp_owner_call(g_owner, "block", block_fn, NULL, NULL, &res, NULL);
  return (void *)(intptr_t)(rc == GP_OK && res == (void *)(intptr_t)42);
}

static void *caller(void *ud) {
  int rc = gp_owner_call(g_owner, "count", count_fn, NULL, NULL, NULL, NULL);
  atomic_fetch_add(rc == GP_ERR_OWNER_CLOSED ? &g_closed_answers : &g_other_answers, 1);
  return NULL;
}

typedef struct {
  int id;
  pthread_t callers[CALLS_PER_THREAD];
} producer_t;

static void *producer(void *ud) {
  producer_t *p = ud;
  for (int i = 0; i < CALLS_PER_THREAD; i++) pthread_create(&p->callers[i], NULL, caller, NULL);
  for (int i = 0; i < POSTS_PER_THREAD; i++) {
    intptr_t idx = p->id * POSTS_PER_THREAD + i;
    if (gp_owner_post(g_owner, "count", count_post, (void *)idx, item_free) != GP_OK)
      atomic_fetch_add(&g_other_answers, 1);
  }
  return NULL;
}

static void *shutter(void *ud) {
  gp_owner_shutdown(g_owner);
  return NULL;
}

static void test_shutdown_with_1000_pending(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_gate, 0);
  atomic_store(&g_blocked, 0);
  atomic_store(&g_fn_runs, 0);
  atomic_store(&g_closed_answers, 0);
  atomic_store(&g_other_answers, 0);
  for (int i = 0; i < NITEMS; i++) atomic_store(&g_free_count[i], 0);

  pthread_t tb;
  pthread_create(&tb, NULL, blocker, NULL);
  while (!atomic_load(&g_blocked)) sched_yield();

  producer_t prod[NTHREADS];
  pthread_t tp[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    prod[i].id = i;
    pthread_create(&tp[i], NULL, producer, &prod[i]);
  }
  for (int i = 0; i < NTHREADS; i++) pthread_join(tp[i], NULL);
  /* Wait until all 1000 requests are queued behind the blocked owner. */
  gp_owner_stats_t st;
  for (int tries = 0; tries < 20000; tries++) { /* up to 20 s */
    gp_owner_stats(g_owner, &st);
    gp_owner_stats_clear(&st);
    if (st.queue_depth == NITEMS + NTHREADS * CALLS_PER_THREAD) break;
    usleep(1000);
  }
  assert_int_equal(st.queue_depth, 1000);

  pthread_t ts;
  pthread_create(&ts, NULL, shutter, NULL);
  /* Once closed, new requests fail at once (the owner is still busy). */
  while (gp_owner_post(g_owner, "late", count_post, NULL, NULL) != GP_ERR_OWNER_CLOSED)
    sched_yield(); /* posts accepted before the close are dropped unrun */
  assert_int_equal(gp_owner_call(g_owner, "count", count_fn, NULL, NULL, NULL, NULL),
                   GP_ERR_OWNER_CLOSED);
  atomic_store(&g_gate, 1);

  void *blocker_ok;
  pthread_join(tb, &blocker_ok);
  assert_int_equal((intptr_t)blocker_ok, 1); /* the running request completed */
  pthread_join(ts, NULL);
  for (int i = 0; i < NTHREADS; i++)
    for (int j = 0; j < CALLS_PER_THREAD; j++) pthread_join(prod[i].callers[j], NULL);

  assert_int_equal(atomic_load(&g_closed_answers), NTHREADS * CALLS_PER_THREAD);
  assert_int_equal(atomic_load(&g_other_answers), 0);
  assert_int_equal(atomic_load(&g_fn_runs), 0);
  for (int i = 0; i < NITEMS; i++) assert_int_equal(atomic_load(&g_free_count[i]), 1);
  assert_int_equal(gp_owner_wait_idle(g_owner, 100), GP_ERR_OWNER_CLOSED);
  gp_owner_free(g_owner);
}

/* ---- A pending deferred call is answered OWNER_CLOSED --------------------------------- */

static atomic_int g_pending;

static int pending_fn(void *arg, gp_owner_completion_t *c, void **result) {
  atomic_store(&g_pending, 1);
  return GP_OWNER_PENDING; /* never completed */
}

static void *pending_caller(void *ud) {
  return (void *)(intptr_t)gp_owner_call(g_owner, "pending", pending_fn, NULL, NULL, NULL, NULL);
}

static void test_shutdown_answers_pending(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_pending, 0);
  pthread_t t;
  pthread_create(&t, NULL, pending_caller, NULL);
  while (!atomic_load(&g_pending)) sched_yield();
  gp_owner_shutdown(g_owner);
  void *rc;
  pthread_join(t, &rc);
  assert_int_equal((intptr_t)rc, GP_ERR_OWNER_CLOSED);
  gp_owner_free(g_owner); /* releases the never-completed completion (ASan: no leak) */
}

/* ---- Shutdown from the owner thread; a handle left open is closed by free ------------ */

static uv_timer_t g_timer;
static void never_cb(uv_timer_t *t) { (void)t; }

static void shutdown_post(void *arg) {
  uv_timer_init(gp_owner_loop(g_owner), &g_timer);
  uv_timer_start(&g_timer, never_cb, 1000000, 0);
  gp_owner_shutdown(g_owner); /* returns at once on the owner */
  atomic_store(&g_pending, 2);
}

static void test_shutdown_from_owner(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_pending, 0);
  assert_int_equal(gp_owner_post(g_owner, "stop", shutdown_post, NULL, NULL), GP_OK);
  while (atomic_load(&g_pending) != 2) sched_yield();
  assert_int_equal(gp_owner_call(g_owner, "count", count_fn, NULL, NULL, NULL, NULL),
                   GP_ERR_OWNER_CLOSED);
  gp_owner_free(g_owner);
  gp_owner_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_shutdown_with_1000_pending),
      GP_TEST(test_shutdown_answers_pending),
      GP_TEST(test_shutdown_from_owner),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
