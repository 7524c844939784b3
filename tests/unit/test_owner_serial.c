/* Owner serialization: calls from many threads mutate owner-only state without a lock and
 * the final state is exact; posts from each thread run in the order they were posted;
 * wait_idle waits for the loop's timers; a bounded queue answers QUEUE_FULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "testutil.h"

#define NTHREADS 8
#define NCALLS 2000
#define NPOSTS 5000

/* Owner-only state: no lock, no atomics. */
static long g_counter;
static int g_last_seq[NTHREADS];
static int g_fifo_violations;
static long g_posts_run;
static int g_on_owner_seen;
static atomic_int g_frees;

typedef struct {
  gp_owner_t *o;
  int id;
  int errors;
} worker_t;

static int incr_fn(void *arg, gp_owner_completion_t *c, void **result) {
  gp_owner_t *o = arg;
  if (gp_owner_is_owner_thread(o)) g_on_owner_seen++;
  long v = g_counter; /* a read-modify-write that would tear if two threads ran it */
  g_counter = v + 1;
  *result = (void *)(intptr_t)(v + 1);
  return GP_OK;
}

static void *call_worker(void *ud) {
  worker_t *w = ud;
  for (int i = 0; i < NCALLS; i++) {
    void *res = NULL;
    int rc = gp_owner_call(w->o, "incr", incr_fn, w->o, NULL, &res, NULL);
    if (rc != GP_OK || res == NULL) w->errors++;
  }
  return NULL;
}

static void test_calls_exact(void **state) {
  gp_owner_t *o;
  assert_int_equal(gp_owner_new(NULL, &o), GP_OK);
  assert_false(gp_owner_is_owner_thread(o));
  g_counter = 0;
  g_on_owner_seen = 0;
  pthread_t t[NTHREADS];
  worker_t w[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    w[i] = (worker_t){o, i, 0};
    pthread_create(&t[i], NULL, call_worker, &w[i]);
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].errors, 0);
  }
  void *res = NULL;
  assert_int_equal(gp_owner_call(o, "incr", incr_fn, o, NULL, &res, NULL), GP_OK);
  assert_int_equal((intptr_t)res, NTHREADS * NCALLS + 1);
  assert_int_equal(g_on_owner_seen, NTHREADS * NCALLS + 1);

  gp_owner_stats_t st;
  gp_owner_stats(o, &st);
  assert_int_equal(st.calls, NTHREADS * NCALLS + 1);
  assert_int_equal(st.inline_calls, 0);
  assert_int_equal(st.queue_depth, 0);
  assert_int_equal(st.nops, 1);
  assert_string_equal(st.ops[0].op, "incr");
  assert_int_equal(st.ops[0].count, NTHREADS * NCALLS + 1);
  assert_int_equal(st.exec.count, NTHREADS * NCALLS + 1);
  assert_int_equal(st.enqueue_to_start.count, NTHREADS * NCALLS + 1);
  assert_true(st.enqueue_to_start.p50_us <= st.enqueue_to_start.max_us);
  gp_owner_stats_clear(&st);
  assert_null(st.ops);
  gp_owner_free(o);
}

typedef struct {
  int thread;
  int seq;
} item_t;

static void item_fn(void *arg) {
  item_t *it = arg;
  if (it->seq != g_last_seq[it->thread] + 1) g_fifo_violations++;
  g_last_seq[it->thread] = it->seq;
  g_posts_run++;
}

static void item_free(void *arg) {
  atomic_fetch_add(&g_frees, 1);
  free(arg);
}

static void *post_worker(void *ud) {
  worker_t *w = ud;
  for (int i = 1; i <= NPOSTS; i++) {
    item_t *it = malloc(sizeof *it);
    it->thread = w->id;
    it->seq = i;
    if (gp_owner_post(w->o, "item", item_fn, it, item_free) != GP_OK) w->errors++;
  }
  return NULL;
}

static void test_posts_fifo_per_thread(void **state) {
  gp_owner_options_t opts = {.drain_batch = 7}; /* many wakeups and re-arms */
  gp_owner_t *o;
  assert_int_equal(gp_owner_new(&opts, &o), GP_OK);
  memset(g_last_seq, 0, sizeof g_last_seq);
  g_fifo_violations = 0;
  g_posts_run = 0;
  atomic_store(&g_frees, 0);
  pthread_t t[NTHREADS];
  worker_t w[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    w[i] = (worker_t){o, i, 0};
    pthread_create(&t[i], NULL, post_worker, &w[i]);
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].errors, 0);
  }
  assert_int_equal(gp_owner_wait_idle(o, 20000), GP_OK);
  assert_int_equal(atomic_load(&g_frees), NTHREADS * NPOSTS);
  /* The owner's writes are visible here: wait_idle synchronized with the owner. */
  assert_int_equal(g_posts_run, NTHREADS * NPOSTS);
  assert_int_equal(g_fifo_violations, 0);
  for (int i = 0; i < NTHREADS; i++) assert_int_equal(g_last_seq[i], NPOSTS);
  gp_owner_stats_t st;
  gp_owner_stats(o, &st);
  assert_int_equal(st.posts, NTHREADS * NPOSTS);
  gp_owner_stats_clear(&st);
  gp_owner_free(o);
}

/* ---- wait_idle waits for the loop's own work ----------------------------------------- */

static uv_timer_t g_timer;
static int g_timer_fired;

static void timer_closed(uv_handle_t *h) { (void)h; }
static void timer_cb(uv_timer_t *t) {
  g_timer_fired = 1;
  uv_close((uv_handle_t *)t, timer_closed);
}

static int start_timer_fn(void *arg, gp_owner_completion_t *c, void **result) {
  gp_owner_t *o = arg;
  uv_timer_init(gp_owner_loop(o), &g_timer);
  uv_timer_start(&g_timer, timer_cb, 100, 0);
  return GP_OK;
}

static void test_wait_idle_waits_for_timers(void **state) {
  gp_owner_t *o;
  assert_int_equal(gp_owner_new(NULL, &o), GP_OK);
  g_timer_fired = 0;
  assert_int_equal(gp_owner_call(o, "timer", start_timer_fn, o, NULL, NULL, NULL), GP_OK);
  assert_int_equal(gp_owner_wait_idle(o, 10), GP_ERR_TIMEOUT);
  assert_int_equal(gp_owner_wait_idle(o, 5000), GP_OK);
  assert_int_equal(g_timer_fired, 1);
  gp_owner_free(o);
}

/* ---- A bounded queue answers QUEUE_FULL to post ------------------------------------ */

static atomic_int g_gate;
static atomic_int g_blocked;

static int block_fn(void *arg, gp_owner_completion_t *c, void **result) {
  atomic_store(&g_blocked, 1);
  while (!atomic_load(&g_gate)) sched_yield();
  return GP_OK;
}

static void *blocker(void *ud) {
  gp_owner_call(ud, "block", block_fn, NULL, NULL, NULL, NULL);
  return NULL;
}

static void nop_post(void *arg) { (void)arg; }

static void test_queue_full(void **state) {
  gp_owner_options_t opts = {.max_queue = 4};
  gp_owner_t *o;
  assert_int_equal(gp_owner_new(&opts, &o), GP_OK);
  atomic_store(&g_gate, 0);
  atomic_store(&g_blocked, 0);
  atomic_store(&g_frees, 0);
  pthread_t t;
  pthread_create(&t, NULL, blocker, o);
  while (!atomic_load(&g_blocked)) sched_yield();
  for (int i = 0; i < 4; i++)
    assert_int_equal(gp_owner_post(o, "p", nop_post, malloc(8), item_free), GP_OK);
  assert_int_equal(gp_owner_post(o, "p", nop_post, malloc(8), item_free), GP_ERR_QUEUE_FULL);
  assert_int_equal(atomic_load(&g_frees), 1); /* freed before post returned */
  gp_owner_stats_t st;
  gp_owner_stats(o, &st);
  assert_int_equal(st.queue_depth, 4);
  assert_int_equal(st.rejected, 1);
  gp_owner_stats_clear(&st);
  atomic_store(&g_gate, 1);
  pthread_join(t, NULL);
  assert_int_equal(gp_owner_wait_idle(o, 5000), GP_OK);
  assert_int_equal(atomic_load(&g_frees), 5);
  gp_owner_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_calls_exact),
      GP_TEST(test_posts_fifo_per_thread),
      GP_TEST(test_wait_idle_waits_for_timers),
      GP_TEST(test_queue_full),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
