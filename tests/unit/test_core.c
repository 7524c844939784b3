/* Core helpers: the error table, gp_error_t, the thread pool and the histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/hist.h"
#include "core/pool.h"
#include "geppetto/error.h"
#include "geppetto/turn.h"
#include "testutil.h"

static void test_error_table(void **state) {
  assert_string_equal(gp_err_name(GP_ERR_CANCELED), "CANCELED");
  assert_string_equal(gp_err_name(GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN), "ASYNC_CALLBACK_IN_SYNC_RUN");
  assert_string_equal(gp_err_name(12345), "UNKNOWN");
  assert_int_equal(gp_err_from_name("MAX_ITERATIONS"), GP_ERR_MAX_ITERATIONS);
  assert_int_equal(gp_err_from_name("nope"), 0);
  const char *codes[] = {"CANCELED", "TIMEOUT", "PROVIDER_HTTP", "PROVIDER_STREAM",
                         "PROVIDER_AUTH", "TOOL_ABORTED", "MAX_ITERATIONS", "OWNER_CLOSED",
                         "ASYNC_CALLBACK_IN_SYNC_RUN", "INVALID_ARGUMENT"};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    int c = gp_err_from_name(codes[i]);
    assert_true(c < 0);
    assert_string_equal(gp_err_name(c), codes[i]);
    assert_true(strlen(gp_strerror(c)) > 0);
  }
}

static void test_error_object(void **state) {
  gp_error_t *e = gp_error_new(GP_ERR_TIMEOUT, "after %d ms", 50);
  assert_string_equal(e->message, "after 50 ms");
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_assistant("partial"));
  gp_error_set_partial(e, t);
  gp_error_t *c = gp_error_copy(e);
  assert_ptr_not_equal(c->partial, e->partial);
  assert_string_equal(gp_block_text(c->partial->blocks[0]), "partial");
  gp_error_free(e);
  gp_error_free(c);
  gp_error_t *out = NULL;
  assert_int_equal(gp_error_set(&out, GP_ERR_EMPTY_TURN, NULL), GP_ERR_EMPTY_TURN);
  assert_string_equal(out->message, gp_strerror(GP_ERR_EMPTY_TURN));
  gp_error_free(out);
  assert_int_equal(gp_error_set(NULL, GP_ERR_IO, "x"), GP_ERR_IO);
}

static atomic_int pool_sum;
static void pool_add(void *arg) { atomic_fetch_add(&pool_sum, (int)(intptr_t)arg); }

static void test_pool_runs_everything(void **state) {
  gp_pool_t *p = gp__pool_new("test", 4);
  atomic_store(&pool_sum, 0);
  for (int i = 1; i <= 1000; i++) gp__pool_submit(p, pool_add, (void *)(intptr_t)i);
  int threads;
  gp__pool_stats(p, &threads, NULL, NULL);
  assert_true(threads >= 1 && threads <= 4);
  gp__pool_free(p); /* drains the queue first */
  assert_int_equal(atomic_load(&pool_sum), 500500);
}

static void test_hist_quantiles(void **state) {
  gp_hist_t *h = malloc(sizeof *h);
  gp__hist_init(h);
  for (uint64_t v = 1; v <= 10000; v++) gp__hist_record(h, v);
  gp_hist_summary_t s;
  gp__hist_summarize(h, &s);
  assert_int_equal(s.count, 10000);
  assert_int_equal(s.max, 10000);
  assert_true(s.p50 >= 5000 && s.p50 <= 5000 * 1.07);
  assert_true(s.p99 >= 9900 && s.p99 <= 10000);
  gp__hist_init(h);
  assert_int_equal(gp__hist_quantile(h, 0.5), 0);
  gp__hist_record(h, 3);
  assert_int_equal(gp__hist_quantile(h, 0.99), 3);
  free(h);
}

static void test_buf(void **state) {
  gp_buf_t b = {0};
  for (int i = 0; i < 100; i++) gp__buf_printf(&b, "%d,", i);
  assert_int_equal(b.len, strlen(b.data));
  char *s = gp__buf_steal(&b);
  assert_true(strncmp(s, "0,1,2,", 6) == 0);
  free(s);
  s = gp__buf_steal(&b);
  assert_string_equal(s, "");
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_error_table), GP_TEST(test_error_object), GP_TEST(test_pool_runs_everything),
      GP_TEST(test_hist_quantiles), GP_TEST(test_buf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
