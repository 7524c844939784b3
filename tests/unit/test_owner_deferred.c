/* Deferred completion: fn answers GP_OWNER_PENDING and a timer on the owner loop
 * completes the call later (with a result, or with an error); a caller canceled while
 * its call is pending returns at once, and the later completion frees the result once. */
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
#include <uv.h>

#include "core/core.h"
#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "testutil.h"

static gp_owner_t *g_owner;
static atomic_int g_frees, g_pending;

/* Owner-only state. */
static gp_owner_completion_t *g_completion;
static int g_complete_status;

static void result_free(void *p) {
  atomic_fetch_add(&g_frees, 1);
  free(p);
}

/* Each deferred call gets its own timer: the next call may arrive before this one's
 * close callback has run, and a closing handle must not be initialised again. */
static void timer_closed(uv_handle_t *h) { free(h); }

static void timer_cb(uv_timer_t *t) {
  char *res = NULL;
  if (g_complete_status == GP_OK) res = strdup("done later");
  gp_owner_complete(g_completion, g_complete_status, res);
  g_completion = NULL;
  uv_close((uv_handle_t *)t, timer_closed);
}

static int deferred_fn(void *arg, gp_owner_completion_t *c, void **result) {
  g_completion = c;
  g_complete_status = (int)(intptr_t)arg;
  uv_timer_t *timer = malloc(sizeof *timer);
  uv_timer_init(gp_owner_loop(g_owner), timer);
  uv_timer_start(timer, timer_cb, 30, 0);
  return GP_OWNER_PENDING;
}

static void test_deferred_completed_later(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  void *res = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_owner_call(g_owner, "deferred", deferred_fn, (void *)(intptr_t)GP_OK, NULL,
                                 &res, result_free),
                   GP_OK);
  assert_true(gp__mono_ms() - t0 >= 25);
  assert_non_null(res);
  assert_string_equal(res, "done later");
  free(res);
  assert_int_equal(gp_owner_call(g_owner, "deferred", deferred_fn,
                                 (void *)(intptr_t)GP_ERR_TOOL_FAILED, NULL, &res, result_free),
                   GP_ERR_TOOL_FAILED);
  assert_null(res);
  gp_owner_stats_t st;
  gp_owner_stats(g_owner, &st);
  assert_int_equal(st.failed, 1);
  assert_int_equal(st.calls, 2);
  gp_owner_stats_clear(&st);
  gp_owner_free(g_owner);
}

/* ---- Canceled while pending -------------------------------------------------------- */

static int pending_fn(void *arg, gp_owner_completion_t *c, void **result) {
  g_completion = c;
  atomic_store(&g_pending, 1);
  return GP_OWNER_PENDING;
}

static int late_complete_fn(void *arg, gp_owner_completion_t *c, void **result) {
  gp_owner_complete(g_completion, GP_OK, malloc(64));
  g_completion = NULL;
  return GP_OK;
}

typedef struct {
  gp_cancel_t *cancel;
  int rc;
  void *res;
} caller_t;

static void *pending_caller(void *ud) {
  caller_t *c = ud;
  c->rc = gp_owner_call(g_owner, "pending", pending_fn, NULL, c->cancel, &c->res, result_free);
  return NULL;
}

static void test_deferred_canceled_while_pending(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_frees, 0);
  atomic_store(&g_pending, 0);
  caller_t c = {gp_cancel_new(NULL), 0, NULL};
  pthread_t t;
  pthread_create(&t, NULL, pending_caller, &c);
  while (!atomic_load(&g_pending)) sched_yield();
  gp_cancel_fire(c.cancel, GP_ERR_CANCELED);
  pthread_join(t, NULL); /* returns without the completion */
  assert_int_equal(c.rc, GP_ERR_CANCELED);
  assert_null(c.res);
  assert_int_equal(atomic_load(&g_frees), 0);
  /* The completion arrives later: safe, and its result is freed exactly once. */
  assert_int_equal(gp_owner_call(g_owner, "late", late_complete_fn, NULL, NULL, NULL, NULL), GP_OK);
  assert_int_equal(atomic_load(&g_frees), 1);
  gp_owner_stats_t st;
  gp_owner_stats(g_owner, &st);
  assert_int_equal(st.canceled, 1);
  gp_owner_stats_clear(&st);
  gp_cancel_unref(c.cancel);
  gp_owner_free(g_owner);
  assert_int_equal(atomic_load(&g_frees), 1);
}

/* A deadline fires while pending; the caller's result pointer is left NULL. */
static void test_deferred_deadline(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_frees, 0);
  atomic_store(&g_pending, 0);
  caller_t c = {gp_cancel_new(NULL), 0, NULL};
  gp_cancel_fire_after(c.cancel, 20, GP_ERR_TIMEOUT);
  pending_caller(&c);
  assert_int_equal(c.rc, GP_ERR_TIMEOUT);
  assert_int_equal(gp_owner_call(g_owner, "late", late_complete_fn, NULL, NULL, NULL, NULL), GP_OK);
  assert_int_equal(atomic_load(&g_frees), 1);
  gp_cancel_unref(c.cancel);
  gp_owner_free(g_owner);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_deferred_completed_later),
      GP_TEST(test_deferred_canceled_while_pending),
      GP_TEST(test_deferred_deadline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
