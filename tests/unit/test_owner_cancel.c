/* Owner cancellation: a token fired while the call is queued answers at once and the fn
 * never runs (the caller's stack arg is never touched); fired while fn runs, the caller
 * gets CANCELED when fn returns and the result is freed exactly once; a token fired
 * before the call answers without queueing; a deadline answers with its own reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"
#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "testutil.h"

static gp_owner_t *g_owner;
static atomic_int g_gate, g_blocked, g_runs, g_frees, g_started;

static int block_fn(void *arg, gp_owner_completion_t *c, void **result) {
  atomic_store(&g_blocked, 1);
  while (!atomic_load(&g_gate)) sched_yield();
  return GP_OK;
}

static void *blocker(void *ud) {
  gp_owner_call(g_owner, "block", block_fn, NULL, NULL, NULL, NULL);
  return NULL;
}

static int touch_fn(void *arg, gp_owner_completion_t *c, void **result) {
  int *p = arg;
  (*p)++; /* would be a use-after-return if a skipped request ran */
  atomic_fetch_add(&g_runs, 1);
  return GP_OK;
}

typedef struct {
  gp_cancel_t *cancel;
  int rc;
  int64_t returned_ms;
} caller_t;

static void *canceled_caller(void *ud) {
  caller_t *c = ud;
  int local = 0;
  c->rc = gp_owner_call(g_owner, "touch", touch_fn, &local, c->cancel, NULL, NULL);
  c->returned_ms = gp__mono_ms();
  return NULL;
}

static void start_blocked_owner(pthread_t *tb) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_gate, 0);
  atomic_store(&g_blocked, 0);
  atomic_store(&g_runs, 0);
  atomic_store(&g_frees, 0);
  atomic_store(&g_started, 0);
  pthread_create(tb, NULL, blocker, NULL);
  while (!atomic_load(&g_blocked)) sched_yield();
}

static void test_cancel_while_queued(void **state) {
  pthread_t tb, tc;
  start_blocked_owner(&tb);
  caller_t c = {gp_cancel_new(NULL), 0, 0};
  pthread_create(&tc, NULL, canceled_caller, &c);
  gp_owner_stats_t st;
  do { /* wait until it is queued */
    gp_owner_stats(g_owner, &st);
    gp_owner_stats_clear(&st);
  } while (st.queue_depth < 1);
  int64_t fired = gp__mono_ms();
  gp_cancel_fire(c.cancel, GP_ERR_CANCELED);
  pthread_join(tc, NULL); /* returns although the owner is still blocked */
  assert_int_equal(c.rc, GP_ERR_CANCELED);
  assert_true(c.returned_ms - fired < 1000);
  atomic_store(&g_gate, 1);
  pthread_join(tb, NULL);
  assert_int_equal(gp_owner_wait_idle(g_owner, 5000), GP_OK);
  assert_int_equal(atomic_load(&g_runs), 0); /* skipped */
  gp_owner_stats(g_owner, &st);
  assert_int_equal(st.canceled, 1);
  gp_owner_stats_clear(&st);
  gp_cancel_unref(c.cancel);
  gp_owner_free(g_owner);
}

static void test_deadline_while_queued(void **state) {
  pthread_t tb, tc;
  start_blocked_owner(&tb);
  caller_t c = {gp_cancel_new(NULL), 0, 0};
  gp_cancel_fire_after(c.cancel, 30, GP_ERR_TIMEOUT);
  pthread_create(&tc, NULL, canceled_caller, &c);
  pthread_join(tc, NULL);
  assert_int_equal(c.rc, GP_ERR_TIMEOUT);
  atomic_store(&g_gate, 1);
  pthread_join(tb, NULL);
  assert_int_equal(gp_owner_wait_idle(g_owner, 5000), GP_OK);
  assert_int_equal(atomic_load(&g_runs), 0);
  gp_cancel_unref(c.cancel);
  gp_owner_free(g_owner);
}

static void test_cancel_before_call(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_runs, 0);
  gp_cancel_t *t = gp_cancel_new(NULL);
  gp_cancel_fire(t, GP_ERR_CANCELED);
  int local = 0;
  assert_int_equal(gp_owner_call(g_owner, "touch", touch_fn, &local, t, NULL, NULL),
                   GP_ERR_CANCELED);
  assert_int_equal(local, 0);
  assert_int_equal(atomic_load(&g_runs), 0);
  gp_cancel_unref(t);
  gp_owner_free(g_owner);
}

/* ---- Canceled while running: the result is dropped and freed once ------------------- */

static void result_free(void *p) {
  atomic_fetch_add(&g_frees, 1);
  free(p);
}

static int running_fn(void *arg, gp_owner_completion_t *c, void **result) {
  gp_cancel_t *t = arg;
  atomic_store(&g_started, 1);
  while (gp_cancel_reason(t) == 0) sched_yield(); /* runs until the caller is canceled */
  *result = malloc(32);
  return GP_OK;
}

typedef struct {
  gp_cancel_t *cancel;
  int rc;
  void *res;
} run_caller_t;

static void *running_caller(void *ud) {
  run_caller_t *c = ud;
  c->rc = gp_owner_call(g_owner, "running", running_fn, c->cancel, c->cancel, &c->res, result_free);
  return NULL;
}

static void test_cancel_while_running(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_started, 0);
  atomic_store(&g_frees, 0);
  run_caller_t c = {gp_cancel_new(NULL), 0, NULL};
  pthread_t t;
  pthread_create(&t, NULL, running_caller, &c);
  while (!atomic_load(&g_started)) sched_yield();
  gp_cancel_fire(c.cancel, GP_ERR_CANCELED);
  pthread_join(t, NULL);
  assert_int_equal(c.rc, GP_ERR_CANCELED);
  assert_null(c.res);
  assert_int_equal(atomic_load(&g_frees), 1);
  gp_cancel_unref(c.cancel);
  gp_owner_free(g_owner);
}

/* Inline on the owner: a token fired during fn drops the result the same way. */
static int inline_outer(void *arg, gp_owner_completion_t *c, void **result) {
  gp_cancel_t *t = gp_cancel_new(NULL);
  gp_cancel_fire_after(t, 10, GP_ERR_CANCELED);
  void *res = NULL;
  int rc = gp_owner_call(g_owner, "running", running_fn, t, t, &res, result_free);
  gp_cancel_unref(t);
  *result = (void *)(intptr_t)(rc == GP_ERR_CANCELED && res == NULL);
  return GP_OK;
}

static void test_cancel_inline(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_frees, 0);
  void *ok = NULL;
  assert_int_equal(gp_owner_call(g_owner, "outer", inline_outer, NULL, NULL, &ok, NULL), GP_OK);
  assert_int_equal((intptr_t)ok, 1);
  assert_int_equal(atomic_load(&g_frees), 1);
  gp_owner_free(g_owner);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_cancel_while_queued),  GP_TEST(test_deadline_while_queued),
      GP_TEST(test_cancel_before_call),   GP_TEST(test_cancel_while_running),
      GP_TEST(test_cancel_inline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
