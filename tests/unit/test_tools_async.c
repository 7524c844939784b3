// timeout: 60
/* Tests for asynchronous tool handlers and hooks (gp_tool_async_cb, gp_hook_async_cb,
 * gp_tool_done): completions from another thread, no pool thread held while calls
 * wait, the per-call timeout of a call that never completes (and its late
 * completion), and gp_registry_call waiting for an asynchronous handler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include <geppetto/tool.h>

#include "core/core.h"
#include "testutil.h"

/* A thread that finishes queued completions in batches, like an owner settling
 * promises: each pending call is answered with its args.i (or, for a hook, CONTINUE). */
enum { MAXP = 4096 };
typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  gp_tool_done_t *done[MAXP];  /* guarded by mu */
  int value[MAXP];
  int n;
  int hold;                    /* complete nothing while set */
  int stop;
  int want;                    /* record pool stats when this many are pending */
  int busy_at_want;            /* -1 until recorded */
  pthread_t tid;
} completer_t;

static void *completer_main(void *arg) {
  completer_t *c = arg;
  pthread_mutex_lock(&c->mu);
  for (;;) {
    while (!c->stop && (c->n == 0 || c->hold)) pthread_cond_wait(&c->cv, &c->mu);
    if (c->stop && (c->n == 0 || c->hold)) break;
    pthread_mutex_unlock(&c->mu);
    gp__sleep_ms(5); /* let more pile up */
    pthread_mutex_lock(&c->mu);
    int n = c->n;
    gp_tool_done_t *done[MAXP];
    int value[MAXP];
    memcpy(done, c->done, n * sizeof *done);
    memcpy(value, c->value, n * sizeof *value);
    c->n = 0;
    pthread_mutex_unlock(&c->mu);
    for (int i = 0; i < n; i++)
      gp_tool_done(done[i], value[i] < 0 ? GP_ERR_TOOL_FAILED : 0, value[i] < 0 ? NULL : json_integer(value[i]),
                   value[i] < 0 ? gp_error_new(GP_ERR_TOOL_FAILED, "late") : NULL);
    pthread_mutex_lock(&c->mu);
  }
  pthread_mutex_unlock(&c->mu);
  return NULL;
}

static void completer_start(completer_t *c) {
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  c->busy_at_want = -1;
  assert_int_equal(pthread_create(&c->tid, NULL, completer_main, c), 0);
}

static void completer_stop(completer_t *c) {
  pthread_mutex_lock(&c->mu);
  c->stop = 1;
  c->hold = 0;
  pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->mu);
  pthread_join(c->tid, NULL);
  pthread_cond_destroy(&c->cv);
  pthread_mutex_destroy(&c->mu);
}

static void completer_push(completer_t *c, gp_tool_done_t *d, int v) {
  pthread_mutex_lock(&c->mu);
  c->done[c->n] = d;
  c->value[c->n] = v;
  c->n++;
  if (c->want && c->n == c->want && c->busy_at_want < 0) {
    /* The workers that started these calls return to the pool: give them up to 2 s
     * (a sanitizer build on a loaded machine is slow to) -- with calls that held their
     * workers the count would stay at 256. This thread is one of them still. */
    gp_tool_pool_stats_t st;
    for (int64_t end = gp__mono_ms() + 2000;; gp__sleep_ms(5)) {
      gp_tool_pool_stats(&st);
      if (st.busy <= 1 || gp__mono_ms() >= end) break;
    }
    c->busy_at_want = st.busy;
    c->hold = 0;
  }
  pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

static void async_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, gp_tool_done_t *done) {
  completer_push(ud, done, (int)json_integer_value(json_object_get(args, "i")));
}

static void clear_results(gp_tool_result_t *r, size_t n) {
  for (size_t i = 0; i < n; i++) gp_tool_result_clear(&r[i]);
}

static void exec_params(gp_exec_params_t *p, gp_registry_t *reg, const gp_tool_settings_t *s) {
  memset(p, 0, sizeof *p);
  p->registry = reg;
  p->settings = s;
  p->run.session_id = "sess";
  p->run.run_id = "inf";
}

/* 1,000 pending calls, 256 at a time: the pool's workers are free while they wait. */
static void test_many_pending(void **state) {
  (void)state;
  completer_t c;
  completer_start(&c);
  enum { N = 1000 };
  c.want = 256;
  gp_registry_t *reg = gp_registry_new();
  assert_int_equal(gp_registry_add_async(reg, "later", NULL, NULL, async_tool, &c, NULL, NULL), 0);
  gp_tool_settings_t s;
  gp_tool_settings_init(&s);
  s.max_parallel_tools = 256;
  gp_exec_params_t p;
  exec_params(&p, reg, &s);
  static gp_tool_call_t calls[N];
  static gp_tool_result_t res[N];
  static char ids[N][16];
  for (int i = 0; i < N; i++) {
    snprintf(ids[i], sizeof ids[i], "c%d", i);
    calls[i] = (gp_tool_call_t){ids[i], "later", json_pack("{s:i}", "i", i)};
  }
  c.hold = 1; /* nothing completes before the whole first wave is pending */
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_tool_execute(&p, calls, N, res, NULL), 0);
  int64_t ms = gp__mono_ms() - t0;
  for (int i = 0; i < N; i++) {
    assert_string_equal(res[i].id, ids[i]);
    assert_null(res[i].error);
    assert_int_equal(json_integer_value(res[i].value), i);
    assert_int_equal(res[i].attempts, 1);
    json_decref(calls[i].args);
  }
  clear_results(res, N);
  /* With 256 calls waiting, (almost) no worker is busy: the ones still returning. */
  assert_true(c.busy_at_want >= 0);
  assert_true(c.busy_at_want <= 8);
  print_message("1000 async calls: %lld ms, pool busy with 256 pending: %d\n", (long long)ms, c.busy_at_want);
  completer_stop(&c);
  gp_registry_unref(reg);
  gp_tool_settings_clear(&s);
}

/* Async hooks: before rewrites the args, after replaces the result, both completed
 * from another thread. */

static void hook_before(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out, gp_tool_done_t *done) {
  out->action = GP_HOOK_REWRITE;
  out->args = json_pack("{s:i}", "i", (int)json_integer_value(json_object_get(info->args, "i")) + 100);
  completer_push(ud, done, 0);
}

static void hook_after(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out, gp_tool_done_t *done) {
  out->action = GP_HOOK_SET_RESULT;
  out->result = json_integer(json_integer_value(info->result) * 2);
  completer_push(ud, done, 0);
}

static void test_async_hooks(void **state) {
  (void)state;
  completer_t c;
  completer_start(&c);
  gp_registry_t *reg = gp_registry_new();
  assert_int_equal(gp_registry_add_async(reg, "later", NULL, NULL, async_tool, &c, NULL, NULL), 0);
  gp_tool_settings_t s;
  gp_tool_settings_init(&s);
  gp_exec_params_t p;
  exec_params(&p, reg, &s);
  p.hooks = gp_tool_hooks_new_async(hook_before, hook_after, NULL, 0, &c, NULL);
  gp_tool_call_t calls[3];
  gp_tool_result_t res[3];
  for (int i = 0; i < 3; i++) calls[i] = (gp_tool_call_t){"x", "later", json_pack("{s:i}", "i", i)};
  assert_int_equal(gp_tool_execute(&p, calls, 3, res, NULL), 0);
  for (int i = 0; i < 3; i++) {
    assert_null(res[i].error);
    assert_int_equal(json_integer_value(res[i].value), (i + 100) * 2);
    json_decref(calls[i].args);
  }
  clear_results(res, 3);
  gp_tool_hooks_unref(p.hooks);
  completer_stop(&c);
  gp_registry_unref(reg);
  gp_tool_settings_clear(&s);
}

/* A call whose completion does not come times out at executionTimeoutMs; its late
 * completion (after gp_tool_execute returned) is dropped safely. */
static void test_timeout_then_late(void **state) {
  (void)state;
  completer_t c;
  completer_start(&c);
  c.hold = 1;
  gp_registry_t *reg = gp_registry_new();
  assert_int_equal(gp_registry_add_async(reg, "never", NULL, NULL, async_tool, &c, NULL, NULL), 0);
  gp_tool_settings_t s;
  gp_tool_settings_init(&s);
  s.execution_timeout_ms = 50;
  gp_exec_params_t p;
  exec_params(&p, reg, &s);
  json_t *args = json_pack("{s:i}", "i", -1);
  gp_tool_call_t call = {"t", "never", args};
  gp_tool_result_t res;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_tool_execute(&p, &call, 1, &res, NULL), 0);
  assert_true(gp__mono_ms() - t0 < 2000);
  assert_non_null(res.error);
  assert_non_null(strstr(res.error, "timed out"));
  gp_tool_result_clear(&res);
  json_decref(args);
  gp_registry_unref(reg);
  gp_tool_settings_clear(&s);
  completer_stop(&c); /* completes it now, late */
  gp__sleep_ms(50);    /* the job's tail runs on a worker and frees the batch */
}

/* gp_registry_call waits for an asynchronous handler on the calling thread. */
static void test_registry_call(void **state) {
  (void)state;
  completer_t c;
  completer_start(&c);
  gp_registry_t *reg = gp_registry_new();
  assert_int_equal(gp_registry_add_async(reg, "later", NULL, NULL, async_tool, &c, NULL, NULL), 0);
  json_t *args = json_pack("{s:i}", "i", 7);
  json_t *out = NULL;
  assert_int_equal(gp_registry_call(reg, NULL, "later", args, &out, NULL), 0);
  assert_int_equal(json_integer_value(out), 7);
  json_decref(out);
  json_decref(args);
  completer_stop(&c);
  gp_registry_unref(reg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_many_pending), GP_TEST(test_async_hooks),
      GP_TEST(test_timeout_then_late), GP_TEST(test_registry_call),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
