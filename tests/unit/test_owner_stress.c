// timeout: 120
/* Owner stress: 10 seconds of random calls (plain, canceled at random moments, deferred
 * and completed by an owner timer, nested inline), posts, and synchronous runs through
 * private dispatchers, from several threads; then shutdown while they are still going.
 * Every result allocated is freed exactly once, every post's arg too, plain calls ran
 * exactly as often as they were answered OK, posts ran in per-thread order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <uv.h>

#include "core/core.h"
#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "testutil.h"

#define NWORKERS 4
#define DURATION_MS 10000
#define MAX_DEFERRED 4096

static gp_owner_t *g_owner;
static atomic_long g_allocs, g_frees, g_post_frees, g_post_attempts, g_plain_ok;
static atomic_int g_stop;

/* Owner-only state. */
static long g_plain_runs, g_post_runs, g_fifo_bad;
static int g_last_seq[NWORKERS];
static gp_owner_completion_t *g_deferred[MAX_DEFERRED];
static int g_ndeferred;
static uv_timer_t g_timer;

static void *alloc_result(void) {
  atomic_fetch_add(&g_allocs, 1);
  return malloc(24);
}

static void result_free(void *p) {
  atomic_fetch_add(&g_frees, 1);
  free(p);
}

static int plain_fn(void *arg, gp_owner_completion_t *c, void **result) {
  g_plain_runs++;
  return GP_OK;
}

static int alloc_fn(void *arg, gp_owner_completion_t *c, void **result) {
  *result = alloc_result();
  return GP_OK;
}

static int deferred_fn(void *arg, gp_owner_completion_t *c, void **result) {
  if (g_ndeferred == MAX_DEFERRED) {
    *result = alloc_result();
    return GP_OK;
  }
  g_deferred[g_ndeferred++] = c;
  return GP_OWNER_PENDING;
}

static int nested_fn(void *arg, gp_owner_completion_t *c, void **result) {
  intptr_t depth = (intptr_t)arg;
  if (depth == 0) return alloc_fn(arg, c, result);
  return gp_owner_call(g_owner, "nested", nested_fn, (void *)(depth - 1), NULL, result, result_free);
}

static void timer_cb(uv_timer_t *t) {
  int n = g_ndeferred;
  g_ndeferred = 0;
  for (int i = 0; i < n; i++) gp_owner_complete(g_deferred[i], GP_OK, alloc_result());
}

static int start_timer_fn(void *arg, gp_owner_completion_t *c, void **result) {
  uv_timer_init(gp_owner_loop(g_owner), &g_timer);
  uv_timer_start(&g_timer, timer_cb, 1, 1);
  return GP_OK;
}

typedef struct {
  int thread, seq;
} item_t;

static void item_fn(void *arg) {
  item_t *it = arg;
  if (it->seq <= g_last_seq[it->thread]) g_fifo_bad++;
  g_last_seq[it->thread] = it->seq;
  g_post_runs++;
}

static void item_free(void *arg) {
  atomic_fetch_add(&g_post_frees, 1);
  free(arg);
}

/* A synchronous run on the owner whose helper thread calls back through a private queue. */
typedef struct {
  gp_dispatcher_t *d;
  atomic_int done;
} run_t;

static void *run_helper(void *ud) {
  run_t *run = ud;
  for (int i = 0; i < 20; i++) {
    void *res = NULL;
    if (gp_dispatcher_call(run->d, "run.cb", alloc_fn, NULL, NULL, &res, result_free) == GP_OK)
      result_free(res);
  }
  atomic_store(&run->done, 1);
  gp_dispatcher_wake(run->d);
  return NULL;
}

static int run_done(void *ud) { return atomic_load(&((run_t *)ud)->done); }

static int sync_run_fn(void *arg, gp_owner_completion_t *c, void **result) {
  run_t run = {.d = gp_dispatcher_private_new(g_owner)};
  pthread_t t;
  pthread_create(&t, NULL, run_helper, &run);
  int rc = gp_dispatcher_wait_service(run.d, run_done, &run, NULL, -1);
  pthread_join(t, NULL); /* the helper's calls are all answered (run or rejected) */
  gp_dispatcher_unref(run.d);
  return rc;
}

static void do_call(gp_owner_call_fn fn, void *arg, gp_cancel_t *cancel) {
  void *res = NULL;
  int rc = gp_owner_call(g_owner, "mix", fn, arg, cancel, &res, result_free);
  if (rc == GP_OK && res) result_free(res);
  if (rc != GP_OK && res) abort(); /* a failed call hands out nothing */
}

static void *worker(void *ud) {
  int id = (int)(intptr_t)ud;
  unsigned seed = (unsigned)id * 7919u + 1;
  int seq = 0;
  while (!atomic_load(&g_stop)) {
    int pick = rand_r(&seed) % 100;
    gp_cancel_t *t = NULL;
    if (pick < 20) {
      if (gp_owner_call(g_owner, "plain", plain_fn, NULL, NULL, NULL, NULL) == GP_OK)
        atomic_fetch_add(&g_plain_ok, 1);
    } else if (pick < 40) {
      t = gp_cancel_new(NULL);
      gp_cancel_fire_after(t, rand_r(&seed) % 2, GP_ERR_CANCELED);
      do_call(alloc_fn, NULL, t);
    } else if (pick < 60) {
      if (rand_r(&seed) % 2) {
        t = gp_cancel_new(NULL);
        gp_cancel_fire_after(t, rand_r(&seed) % 3, GP_ERR_CANCELED);
      }
      do_call(deferred_fn, NULL, t);
    } else if (pick < 70) {
      do_call(nested_fn, (void *)(intptr_t)(rand_r(&seed) % 8), NULL);
    } else if (pick < 99) {
      item_t *it = malloc(sizeof *it);
      it->thread = id;
      it->seq = ++seq;
      atomic_fetch_add(&g_post_attempts, 1);
      gp_owner_post(g_owner, "post", item_fn, it, item_free);
    } else {
      do_call(sync_run_fn, NULL, NULL);
    }
    gp_cancel_unref(t);
  }
  return NULL;
}

static void test_stress_mix(void **state) {
  gp_test_watchdog("test_stress_mix", 100);
  gp_owner_options_t opts = {.drain_batch = 16};
  assert_int_equal(gp_owner_new(&opts, &g_owner), GP_OK);
  assert_int_equal(gp_owner_call(g_owner, "timer", start_timer_fn, NULL, NULL, NULL, NULL), GP_OK);
  pthread_t t[NWORKERS];
  for (int i = 0; i < NWORKERS; i++) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
  gp__sleep_ms(DURATION_MS);
  gp_owner_stats_t st;
  gp_owner_stats(g_owner, &st);
  assert_true(st.calls > 1000);
  assert_true(st.posts > 1000);
  assert_true(st.canceled > 0);
  assert_true(st.inline_calls > 0);
  gp_owner_stats_clear(&st);
  gp_owner_shutdown(g_owner); /* while the workers still run */
  atomic_store(&g_stop, 1);
  for (int i = 0; i < NWORKERS; i++) pthread_join(t[i], NULL);
  gp_owner_free(g_owner); /* releases completions left pending */

  assert_int_equal(atomic_load(&g_allocs), atomic_load(&g_frees));
  assert_int_equal(atomic_load(&g_post_frees), atomic_load(&g_post_attempts));
  assert_int_equal(g_plain_runs, atomic_load(&g_plain_ok));
  assert_int_equal(g_fifo_bad, 0);
  assert_true(g_post_runs <= atomic_load(&g_post_attempts));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_stress_mix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
