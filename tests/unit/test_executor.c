// timeout: 120
/* Tests for the tool executor: the per-batch parallel cap, results in call order,
 * per-call timeouts (cooperative and hung handlers), retries with backoff, the abort
 * policy, unknown / disallowed / invalid calls, run cancel, events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdatomic.h>

#include <geppetto/event.h>
#include <geppetto/tool.h>

#include "core/core.h"
#include "testutil.h"

/* Shared state of the test tools. */
typedef struct {
  atomic_int cur;             /* handlers running now */
  atomic_int max;             /* most seen at once */
  atomic_int runs;            /* handler invocations */
  atomic_int done;            /* handler returns */
  atomic_int fail_first;      /* fail this many invocations, then succeed */
  atomic_int freed;           /* free_ud calls */
  int sleep_ms;
  int gate_cap, gate_total;   /* gate_tool: wait for this many in flight, or all entered */
} probe_t;

static void probe_free(void *ud) { atomic_fetch_add(&((probe_t *)ud)->freed, 1); }

static void enter(probe_t *p) {
  int now = atomic_fetch_add(&p->cur, 1) + 1;
  int m = atomic_load(&p->max);
  while (now > m && !atomic_compare_exchange_weak(&p->max, &m, now)) {
  }
  atomic_fetch_add(&p->runs, 1);
}

static void leave(probe_t *p) {
  atomic_fetch_sub(&p->cur, 1);
  atomic_fetch_add(&p->done, 1);
}

/* Sleeps sleep_ms (or args.ms), returns args.i. */
static int sleep_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  probe_t *p = ud;
  enter(p);
  json_t *ms = json_object_get(args, "ms");
  gp__sleep_ms(ms ? json_integer_value(ms) : p->sleep_ms);
  *result = json_integer(json_integer_value(json_object_get(args, "i")));
  leave(p);
  return 0;
}

/* Waits (at most 5 s) until gate_cap handlers are in flight at once, or every one of
 * gate_total has entered, then returns args.i: the executor's cap is reached whatever
 * the machine's load, and can only be exceeded if the executor lets more in. */
static int gate_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  probe_t *p = ud;
  enter(p);
  int64_t end = gp__mono_ms() + 5000;
  while (atomic_load(&p->cur) < p->gate_cap && atomic_load(&p->runs) < p->gate_total &&
         gp__mono_ms() < end)
    gp__sleep_ms(1);
  gp__sleep_ms(2);
  *result = json_integer(json_integer_value(json_object_get(args, "i")));
  leave(p);
  return 0;
}

/* Blocks until its token fires (at most 5 s). */
static int wait_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  probe_t *p = ud;
  enter(p);
  int reason = gp_cancel_wait(ctx->cancel, 5000);
  leave(p);
  return gp_error_set(err, reason ? reason : GP_ERR_INTERNAL, "woke with %d", reason);
}

/* Fails while fail_first > 0. */
static int flaky_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  probe_t *p = ud;
  enter(p);
  int left = atomic_fetch_sub(&p->fail_first, 1);
  leave(p);
  if (left > 0) return gp_error_set(err, GP_ERR_TOOL_FAILED, "flaky failure");
  *result = json_string("ok");
  return 0;
}

static json_t *args_i(int i) { return json_pack("{s:i}", "i", i); }

typedef struct {
  gp_registry_t *reg;
  gp_tool_settings_t settings;
  gp_exec_params_t params;
  probe_t probe;
} fixture_t;

static void fx_init(fixture_t *f) {
  memset(f, 0, sizeof *f);
  f->reg = gp_registry_new();
  gp_tool_settings_init(&f->settings);
  f->params.registry = f->reg;
  f->params.settings = &f->settings;
  f->params.run.session_id = "sess";
  f->params.run.run_id = "inf";
}

static void fx_clear(fixture_t *f) {
  gp_registry_unref(f->reg);
  gp_tool_settings_clear(&f->settings);
}

static void add_tool(fixture_t *f, const char *name, gp_tool_cb cb, const char *schema) {
  json_t *s = schema ? json_loads(schema, 0, NULL) : NULL;
  assert_int_equal(gp_registry_add(f->reg, name, NULL, s, cb, &f->probe, probe_free, NULL), 0);
  json_decref(s);
}

static void clear_results(gp_tool_result_t *r, size_t n) {
  for (size_t i = 0; i < n; i++) gp_tool_result_clear(&r[i]);
}

static void run_cap(int cap) {
  fixture_t f;
  fx_init(&f);
  enum { N = 12 };
  f.probe.gate_cap = cap;
  f.probe.gate_total = N;
  f.settings.max_parallel_tools = cap;
  add_tool(&f, "sleep", gate_tool, NULL);
  gp_tool_call_t calls[N];
  gp_tool_result_t res[N];
  char ids[N][16];
  for (int i = 0; i < N; i++) {
    snprintf(ids[i], sizeof ids[i], "c%d", i);
    calls[i] = (gp_tool_call_t){ids[i], "sleep", args_i(i)};
  }
  assert_int_equal(gp_tool_execute(&f.params, calls, N, res, NULL), 0);
  assert_int_equal(atomic_load(&f.probe.max), cap);
  if (cap > 1) assert_true(atomic_load(&f.probe.max) > 1);
  assert_int_equal(atomic_load(&f.probe.runs), N);
  for (int i = 0; i < N; i++) {
    assert_string_equal(res[i].id, ids[i]);
    assert_null(res[i].error);
    assert_int_equal(json_integer_value(res[i].value), i);
    assert_int_equal(res[i].attempts, 1);
    json_decref(calls[i].args);
  }
  clear_results(res, N);
  fx_clear(&f);
}

static void test_parallel_cap_1(void **state) { (void)state; run_cap(1); }
static void test_parallel_cap_3(void **state) { (void)state; run_cap(3); }
static void test_parallel_cap_8(void **state) { (void)state; run_cap(8); }

/* Records event types and call ids as "type:id". */
typedef struct {
  char log[64][64];
  atomic_int n;
} evlog_t;

static void record(void *ud, gp_event_t *ev) {
  evlog_t *l = ud;
  int i = atomic_fetch_add(&l->n, 1);
  if (i >= 64) return;
  json_t *obj = json_object_get(ev->fields, ev->type == GP_EVENT_TOOL_CALL_EXECUTE ? "toolCall" : "toolResult");
  snprintf(l->log[i], sizeof l->log[i], "%s:%s", gp_event_type_name(ev->type),
           json_string_value(json_object_get(obj, "id")));
}

static int log_has(evlog_t *l, const char *s) {
  for (int i = 0; i < atomic_load(&l->n) && i < 64; i++)
    if (!strcmp(l->log[i], s)) return 1;
  return 0;
}

static void test_order_and_events(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  f.settings.max_parallel_tools = 4;
  add_tool(&f, "sleep", sleep_tool, NULL);
  evlog_t *l = calloc(1, sizeof *l);
  gp_emitter_t *em = gp_emitter_new("sess", "inf", "turn");
  gp_sink_t *sink = gp_sink_new(record, l, NULL);
  gp_emitter_add_sink(em, sink);
  f.params.emitter = em;
  enum { N = 4 };
  gp_tool_call_t calls[N];
  gp_tool_result_t res[N];
  const char *ids[N] = {"a", "b", "c", "d"};
  for (int i = 0; i < N; i++) /* the first call sleeps longest, so later ones finish first */
    calls[i] = (gp_tool_call_t){ids[i], "sleep", json_pack("{s:i, s:i}", "i", i * 10, "ms", (N - i) * 30)};
  assert_int_equal(gp_tool_execute(&f.params, calls, N, res, NULL), 0);
  for (int i = 0; i < N; i++) {
    assert_string_equal(res[i].id, ids[i]);
    assert_int_equal(json_integer_value(res[i].value), i * 10);
    assert_true(res[i].duration_ms >= (N - i) * 30 - 5);
    json_decref(calls[i].args);
  }
  assert_int_equal(atomic_load(&l->n), 2 * N);
  char want[32];
  for (int i = 0; i < N; i++) {
    snprintf(want, sizeof want, "tool-call-execute:%s", ids[i]);
    assert_true(log_has(l, want));
    snprintf(want, sizeof want, "tool-call-execution-result:%s", ids[i]);
    assert_true(log_has(l, want));
  }
  /* The last call finishes first. */
  assert_string_equal(l->log[N], "tool-call-execution-result:d");
  clear_results(res, N);
  gp_emitter_free(em);
  gp_sink_unref(sink);
  free(l);
  fx_clear(&f);
}

static int probe_freed(void *arg) { return atomic_load(&((probe_t *)arg)->freed) > 0; }

static int probe_all_done(void *arg) {
  probe_t *p = arg;
  return atomic_load(&p->done) == atomic_load(&p->runs);
}

static void test_timeout_cooperative(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  f.settings.execution_timeout_ms = 100;
  add_tool(&f, "wait", wait_tool, NULL);
  add_tool(&f, "sleep", sleep_tool, NULL);
  json_t *a = args_i(7);
  gp_tool_call_t calls[2] = {{"w", "wait", a}, {"s", "sleep", a}};
  gp_tool_result_t res[2];
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_tool_execute(&f.params, calls, 2, res, NULL), 0);
  int64_t el = gp__mono_ms() - t0;
  assert_true(el >= 90 && el < 1000);
  assert_string_equal(res[0].error, "tool wait timed out after 100 ms");
  assert_null(res[0].value);
  assert_null(res[1].error);
  assert_int_equal(json_integer_value(res[1].value), 7);
  clear_results(res, 2);
  json_decref(a);
  fx_clear(&f);
  /* The woken handler ends soon after, and its entry is released. */
  assert_true(gp_test_wait_until(probe_all_done, &f.probe, 3000));
  assert_true(gp_test_wait_until(probe_freed, &f.probe, 3000));
}

static void test_timeout_hung_handler(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  f.settings.execution_timeout_ms = 100;
  f.probe.sleep_ms = 500; /* ignores its token */
  add_tool(&f, "hang", sleep_tool, NULL);
  json_t *a = args_i(1);
  gp_tool_call_t calls[1] = {{"h", "hang", a}};
  gp_tool_result_t res[1];
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_tool_execute(&f.params, calls, 1, res, NULL), 0);
  int64_t el = gp__mono_ms() - t0;
  assert_true(el >= 90 && el < 400);
  assert_string_equal(res[0].error, "tool hang timed out after 100 ms");
  assert_int_equal(atomic_load(&f.probe.done), 0); /* still running */
  clear_results(res, 1);
  json_decref(a);
  /* Drop our registry while the handler still runs: its entry lives until it ends,
   * and then everything the abandoned call held is released. */
  gp_registry_unref(f.reg);
  f.reg = NULL;
  assert_int_equal(atomic_load(&f.probe.freed), 0);
  assert_true(gp_test_wait_until(probe_freed, &f.probe, 3000));
  assert_int_equal(atomic_load(&f.probe.done), 1);
  fx_clear(&f);
}

static void test_retry_backoff(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  f.settings.error_handling = GP_TOOL_ERRORS_RETRY;
  f.settings.retry_max_retries = 2;
  f.settings.retry_backoff_ms = 40;
  f.settings.retry_backoff_factor = 2;
  add_tool(&f, "flaky", flaky_tool, NULL);
  atomic_store(&f.probe.fail_first, 100);
  gp_tool_call_t calls[1] = {{"r", "flaky", NULL}};
  gp_tool_result_t res[1];
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_tool_execute(&f.params, calls, 1, res, NULL), 0);
  int64_t el = gp__mono_ms() - t0;
  assert_true(el >= 40 + 80);
  assert_int_equal(res[0].attempts, 3);
  assert_int_equal(atomic_load(&f.probe.runs), 3);
  assert_string_equal(res[0].error, "flaky failure");
  clear_results(res, 1);

  /* Fails twice, then succeeds on the last allowed try. */
  atomic_store(&f.probe.runs, 0);
  atomic_store(&f.probe.fail_first, 2);
  assert_int_equal(gp_tool_execute(&f.params, calls, 1, res, NULL), 0);
  assert_null(res[0].error);
  assert_string_equal(json_string_value(res[0].value), "ok");
  assert_int_equal(res[0].attempts, 3);
  clear_results(res, 1);

  /* continue: one attempt, the error is the result. */
  f.settings.error_handling = GP_TOOL_ERRORS_CONTINUE;
  atomic_store(&f.probe.fail_first, 1);
  assert_int_equal(gp_tool_execute(&f.params, calls, 1, res, NULL), 0);
  assert_int_equal(res[0].attempts, 1);
  assert_string_equal(res[0].error, "flaky failure");
  clear_results(res, 1);
  fx_clear(&f);
}

static void test_abort_policy(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  f.settings.error_handling = GP_TOOL_ERRORS_ABORT;
  f.settings.max_parallel_tools = 1;
  add_tool(&f, "flaky", flaky_tool, NULL);
  add_tool(&f, "sleep", sleep_tool, NULL);
  json_t *a = args_i(5);
  atomic_store(&f.probe.fail_first, 1);
  gp_tool_call_t calls[3] = {{"a", "flaky", a}, {"b", "sleep", a}, {"c", "sleep", a}};
  gp_tool_result_t res[3];
  gp_error_t *err = NULL;
  assert_int_equal(gp_tool_execute(&f.params, calls, 3, res, &err), GP_ERR_TOOL_ABORTED);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_TOOL_ABORTED);
  assert_non_null(strstr(err->message, "flaky"));
  assert_non_null(strstr(err->message, "flaky failure"));
  assert_string_equal(res[0].error, "flaky failure");
  assert_non_null(res[1].error);
  assert_non_null(res[2].error);
  assert_string_equal(res[2].id, "c");
  assert_int_equal(atomic_load(&f.probe.runs), 1); /* the later calls never ran */
  gp_error_free(err);
  clear_results(res, 3);
  json_decref(a);
  fx_clear(&f);
}

static void test_unknown_disallowed_invalid(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  add_tool(&f, "sleep", sleep_tool, "{\"type\":\"object\",\"properties\":{\"i\":{\"type\":\"integer\"},"
                                    "\"opts\":{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}}}");
  add_tool(&f, "secret", sleep_tool, NULL);
  gp_tool_settings_clear(&f.settings);
  f.settings.nallowed = 2;
  f.settings.allowed_tools = calloc(2, sizeof(char *));
  f.settings.allowed_tools[0] = strdup("sleep");
  f.settings.allowed_tools[1] = strdup("ghost");
  json_t *good = args_i(3);
  json_t *bad = json_pack("{s:i, s:{s:i}}", "i", 1, "opts", "q", 9);
  gp_tool_call_t calls[4] = {{"1", "ghost", good}, {"2", "secret", good}, {"3", "sleep", bad}, {"4", "sleep", good}};
  gp_tool_result_t res[4];
  assert_int_equal(gp_tool_execute(&f.params, calls, 4, res, NULL), 0);
  assert_string_equal(res[0].error, "unknown tool ghost");
  assert_non_null(strstr(res[1].error, "secret"));
  assert_non_null(strstr(res[1].error, "not allowed"));
  assert_non_null(strstr(res[2].error, "$.opts.q: expected string, got integer"));
  assert_null(res[3].error);
  assert_int_equal(json_integer_value(res[3].value), 3);
  assert_int_equal(atomic_load(&f.probe.runs), 1);
  for (int i = 0; i < 3; i++) assert_int_equal(res[i].attempts, 0);
  clear_results(res, 4);
  json_decref(good);
  json_decref(bad);
  fx_clear(&f);
}

static void test_run_cancel(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  f.settings.max_parallel_tools = 3;
  f.probe.sleep_ms = 400; /* the "hang" tool ignores cancel */
  add_tool(&f, "wait", wait_tool, NULL);
  add_tool(&f, "hang", sleep_tool, NULL);
  gp_cancel_t *run = gp_cancel_new(NULL);
  f.params.run.cancel = run;
  enum { N = 6 };
  gp_tool_call_t calls[N];
  gp_tool_result_t res[N];
  for (int i = 0; i < N; i++) calls[i] = (gp_tool_call_t){"id", i == 1 ? "hang" : "wait", NULL};
  gp_cancel_fire_after(run, 60, GP_ERR_CANCELED);
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_tool_execute(&f.params, calls, N, res, &err), GP_ERR_CANCELED);
  int64_t el = gp__mono_ms() - t0;
  assert_true(el >= 50 && el < 60 + 150);
  assert_int_equal(err->code, GP_ERR_CANCELED);
  for (int i = 0; i < N; i++) {
    assert_string_equal(res[i].error, "canceled");
    assert_string_equal(res[i].id, "id");
  }
  assert_int_equal(atomic_load(&f.probe.runs), 3); /* the last three were never dispatched */
  gp_error_free(err);
  clear_results(res, N);
  /* Already canceled: nothing runs. */
  assert_int_equal(gp_tool_execute(&f.params, calls, 2, res, NULL), GP_ERR_CANCELED);
  assert_string_equal(res[0].error, "canceled");
  clear_results(res, 2);
  assert_true(gp_test_wait_until(probe_all_done, &f.probe, 3000));
  assert_int_equal(atomic_load(&f.probe.runs), 3);
  gp_cancel_unref(run);
  fx_clear(&f);
  assert_true(gp_test_wait_until(probe_freed, &f.probe, 3000));
}

static void test_empty_and_stats(void **state) {
  (void)state;
  fixture_t f;
  fx_init(&f);
  assert_int_equal(gp_tool_execute(&f.params, NULL, 0, NULL, NULL), 0);
  gp_tool_pool_stats_t st;
  gp_tool_pool_stats(&st);
  assert_true(st.threads >= 1);
  assert_true(st.busy >= 0 && st.busy <= st.threads);
  gp_tool_result_clear(NULL);
  fx_clear(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_parallel_cap_1),      GP_TEST(test_parallel_cap_3),
      GP_TEST(test_parallel_cap_8),      GP_TEST(test_order_and_events),
      GP_TEST(test_timeout_cooperative), GP_TEST(test_timeout_hung_handler),
      GP_TEST(test_retry_backoff),       GP_TEST(test_abort_policy),
      GP_TEST(test_unknown_disallowed_invalid), GP_TEST(test_run_cancel),
      GP_TEST(test_empty_and_stats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
