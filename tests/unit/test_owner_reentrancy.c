/* Owner reentrancy: a call made from inside an owner callback runs inline (decided by
 * thread identity), nested 100 deep; a post from the owner is queued, not run inline; an
 * inline call whose fn goes pending answers ASYNC_CALLBACK_IN_SYNC_RUN and its late
 * completion is dropped safely. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>

#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "testutil.h"

static gp_owner_t *g_owner;
static int g_max_depth;     /* owner-only */
static int g_post_ran;      /* owner-only */
static int g_post_ran_before_return;

static int nest_fn(void *arg, gp_owner_completion_t *c, void **result) {
  intptr_t depth = (intptr_t)arg;
  if (!gp_owner_is_owner_thread(g_owner)) return GP_ERR_INTERNAL;
  if (depth > g_max_depth) g_max_depth = (int)depth;
  if (depth == 100) {
    *result = (void *)(intptr_t)1;
    return GP_OK;
  }
  void *inner = NULL;
  int rc = gp_owner_call(g_owner, "nest", nest_fn, (void *)(depth + 1), NULL, &inner, NULL);
  if (rc != GP_OK) return rc;
  *result = (void *)((intptr_t)inner + 1);
  return GP_OK;
}

static void test_nested_100_inline(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  g_max_depth = 0;
  void *res = NULL;
  assert_int_equal(gp_owner_call(g_owner, "nest", nest_fn, (void *)(intptr_t)0, NULL, &res, NULL),
                   GP_OK);
  assert_int_equal((intptr_t)res, 101);
  assert_int_equal(g_max_depth, 100);
  gp_owner_stats_t st;
  gp_owner_stats(g_owner, &st);
  assert_int_equal(st.calls, 101);
  assert_int_equal(st.inline_calls, 100);
  assert_int_equal(st.enqueue_to_start.count, 1); /* only the outer call was queued */
  assert_int_equal(st.ops[0].count, 101);
  gp_owner_stats_clear(&st);
  gp_owner_free(g_owner);
}

static void mark_post(void *arg) { g_post_ran = 1; }

static int post_from_owner_fn(void *arg, gp_owner_completion_t *c, void **result) {
  g_post_ran = 0;
  int rc = gp_owner_post(g_owner, "mark", mark_post, NULL, NULL);
  g_post_ran_before_return = g_post_ran;
  return rc;
}

static void test_post_from_owner_is_queued(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  assert_int_equal(gp_owner_call(g_owner, "p", post_from_owner_fn, NULL, NULL, NULL, NULL), GP_OK);
  assert_int_equal(gp_owner_wait_idle(g_owner, 5000), GP_OK);
  assert_int_equal(g_post_ran_before_return, 0);
  assert_int_equal(g_post_ran, 1);
  gp_owner_free(g_owner);
}

/* ---- An inline call cannot wait for a deferred completion -------------------------- */

static gp_owner_completion_t *g_completion; /* owner-only */
static atomic_int g_result_frees;

static void result_free(void *p) {
  atomic_fetch_add(&g_result_frees, 1);
  free(p);
}

static int pending_fn(void *arg, gp_owner_completion_t *c, void **result) {
  g_completion = c;
  return GP_OWNER_PENDING;
}

static int outer_fn(void *arg, gp_owner_completion_t *c, void **result) {
  int rc = gp_owner_call(g_owner, "pending", pending_fn, NULL, NULL, NULL, result_free);
  *result = (void *)(intptr_t)rc;
  return GP_OK;
}

static int complete_fn(void *arg, gp_owner_completion_t *c, void **result) {
  gp_owner_complete(g_completion, GP_OK, malloc(16));
  g_completion = NULL;
  return GP_OK;
}

static void test_inline_pending_is_refused(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_result_frees, 0);
  void *res = NULL;
  assert_int_equal(gp_owner_call(g_owner, "outer", outer_fn, NULL, NULL, &res, NULL), GP_OK);
  assert_int_equal((intptr_t)res, GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN);
  /* The late completion finds nobody: its result is freed once. */
  assert_int_equal(gp_owner_call(g_owner, "complete", complete_fn, NULL, NULL, NULL, NULL), GP_OK);
  assert_int_equal(atomic_load(&g_result_frees), 1);
  gp_owner_free(g_owner);
}

/* An inline pending completion never completed is released by gp_owner_free. */
static void test_inline_pending_never_completed(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  void *res = NULL;
  assert_int_equal(gp_owner_call(g_owner, "outer", outer_fn, NULL, NULL, &res, NULL), GP_OK);
  assert_int_equal((intptr_t)res, GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN);
  gp_owner_free(g_owner); /* ASan: no leak of the completion */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_nested_100_inline),
      GP_TEST(test_post_from_owner_is_queued),
      GP_TEST(test_inline_pending_is_refused),
      GP_TEST(test_inline_pending_never_completed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
