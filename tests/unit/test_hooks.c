// timeout: 120
/* Tests for tool hooks run by the executor: every action of beforeToolCall,
 * afterToolCall and onToolError, the cap on hook-forced retries, fail-closed and
 * fail-open for each phase, and the fields a hook sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdatomic.h>

#include <geppetto/tool.h>

#include "core/core.h"
#include "testutil.h"

enum { BEFORE, AFTER, ON_ERROR, PHASES };
static const char *const phase_names[PHASES] = {"beforeToolCall", "afterToolCall", "onToolError"};

/* What each phase's hook does, and what it saw. */
typedef struct {
  gp_hook_action_t action[PHASES];
  int fail[PHASES];           /* return nonzero with an error */
  const char *name;           /* before REWRITE */
  const char *args;           /* before REWRITE, JSON text */
  const char *error;          /* before ABORT / after SET_ERROR */
  const char *result;         /* after SET_RESULT, JSON text */
  int64_t backoff_ms;         /* on_error RETRY */
  atomic_int calls[PHASES];
  /* what the last hook of each phase saw (hooks of one call run one at a time) */
  char phase[PHASES][32];
  char call_id[PHASES][16];
  char name_seen[PHASES][16];
  char session[PHASES][16];
  char inference[PHASES][16];
  char error_seen[PHASES][64];
  json_t *args_seen[PHASES];
  json_t *result_seen;
  int has_tag[PHASES];
  int64_t timestamp[PHASES];
  int64_t duration_ms;
  void *host[PHASES];
  int attempts[32];           /* onToolError: attempt, default_retry, default_backoff */
  int default_retry[32];
  int64_t default_backoff[32];
} hk_t;

static void copy(char *dst, size_t n, const char *s) { snprintf(dst, n, "%s", s ? s : "(null)"); }

static int hook(hk_t *h, int ph, const gp_hook_info_t *info, gp_hook_decision_t *out, gp_error_t **err) {
  int k = atomic_fetch_add(&h->calls[ph], 1);
  copy(h->phase[ph], sizeof h->phase[ph], info->phase);
  copy(h->call_id[ph], sizeof h->call_id[ph], info->call_id);
  copy(h->name_seen[ph], sizeof h->name_seen[ph], info->name);
  copy(h->session[ph], sizeof h->session[ph], info->run.session_id);
  copy(h->inference[ph], sizeof h->inference[ph], info->run.run_id);
  copy(h->error_seen[ph], sizeof h->error_seen[ph], info->error);
  json_decref(h->args_seen[ph]);
  h->args_seen[ph] = json_deep_copy(info->args);
  h->has_tag[ph] = json_object_get(info->run.tags, "k") != NULL;
  h->timestamp[ph] = info->timestamp_ms;
  h->host[ph] = info->run.host.ptr;
  if (ph == AFTER) {
    json_decref(h->result_seen);
    h->result_seen = info->result ? json_deep_copy(info->result) : json_null();
    h->duration_ms = info->duration_ms;
  }
  if (ph == ON_ERROR && k < 32) {
    h->attempts[k] = info->attempt;
    h->default_retry[k] = info->default_retry;
    h->default_backoff[k] = info->default_backoff_ms;
  }
  if (h->fail[ph]) return gp_error_set(err, GP_ERR_JS_EXCEPTION, "%s hook threw", phase_names[ph]);
  out->action = h->action[ph];
  if (out->action == GP_HOOK_REWRITE) {
    out->name = h->name ? strdup(h->name) : NULL;
    out->args = h->args ? json_loads(h->args, 0, NULL) : NULL;
  }
  if (h->error) out->error = strdup(h->error);
  if (out->action == GP_HOOK_SET_RESULT) out->result = json_loads(h->result, JSON_DECODE_ANY, NULL);
  out->backoff_ms = h->backoff_ms;
  return 0;
}

static int before_cb(void *ud, const gp_hook_info_t *i, gp_hook_decision_t *o, gp_error_t **e) { return hook(ud, BEFORE, i, o, e); }
static int after_cb(void *ud, const gp_hook_info_t *i, gp_hook_decision_t *o, gp_error_t **e) { return hook(ud, AFTER, i, o, e); }
static int error_cb(void *ud, const gp_hook_info_t *i, gp_hook_decision_t *o, gp_error_t **e) { return hook(ud, ON_ERROR, i, o, e); }

/* ---- tools ------------------------------------------------------------------------ */

static atomic_int fail_first;   /* flaky fails this many times */
static atomic_int runs;

/* Echoes {"tool": name, "i": args.i}; fails while fail_first > 0. */
static int tool_cb(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  (void)ud;
  atomic_fetch_add(&runs, 1);
  gp__sleep_ms(5);
  if (atomic_fetch_sub(&fail_first, 1) > 0) return gp_error_set(err, GP_ERR_TOOL_FAILED, "boom");
  *result = json_pack("{s:s, s:O}", "tool", ctx->tool_name, "i", json_object_get(args, "i"));
  return 0;
}

typedef struct {
  gp_registry_t *reg;
  gp_tool_settings_t settings;
  gp_tool_hooks_t *hooks;
  gp_exec_params_t p;
  hk_t h;
  json_t *tags;
  gp_tool_result_t res;
  gp_error_t *err;
  int rc;
  int64_t elapsed_ms;
} fx_t;

static int host_marker;

static fx_t *fx_new(int fail_open) {
  fx_t *f = calloc(1, sizeof *f);
  f->reg = gp_registry_new();
  const char *schema = "{\"type\":\"object\",\"properties\":{\"i\":{\"type\":\"integer\"}}}";
  json_t *s = json_loads(schema, 0, NULL);
  assert_int_equal(gp_registry_add(f->reg, "t", NULL, s, tool_cb, NULL, NULL, NULL), 0);
  assert_int_equal(gp_registry_add(f->reg, "other", NULL, s, tool_cb, NULL, NULL, NULL), 0);
  json_decref(s);
  gp_tool_settings_init(&f->settings);
  f->settings.retry_backoff_ms = 10;
  f->hooks = gp_tool_hooks_new(before_cb, after_cb, error_cb, fail_open, &f->h, NULL);
  f->tags = json_pack("{s:s}", "k", "v");
  f->p = (gp_exec_params_t){.run = {.session_id = "sess", .run_id = "inf", .tags = f->tags,
                                    .host.ptr = &host_marker},
                            .registry = f->reg, .settings = &f->settings, .hooks = f->hooks};
  f->h.backoff_ms = -1;
  atomic_store(&fail_first, 0);
  atomic_store(&runs, 0);
  return f;
}

/* Runs one call of tool `name` with args {"i": 1}. */
static void fx_run(fx_t *f, const char *name) {
  json_t *a = json_pack("{s:i}", "i", 1);
  gp_tool_call_t call = {"call-1", name, a};
  gp_tool_result_clear(&f->res);
  gp_error_free(f->err);
  f->err = NULL;
  int64_t t0 = gp__mono_ms();
  f->rc = gp_tool_execute(&f->p, &call, 1, &f->res, &f->err);
  f->elapsed_ms = gp__mono_ms() - t0;
  json_decref(a);
}

static void fx_free(fx_t *f) {
  gp_tool_result_clear(&f->res);
  gp_error_free(f->err);
  for (int i = 0; i < PHASES; i++) json_decref(f->h.args_seen[i]);
  json_decref(f->h.result_seen);
  json_decref(f->tags);
  gp_tool_hooks_unref(f->hooks);
  gp_registry_unref(f->reg);
  gp_tool_settings_clear(&f->settings);
  free(f);
}

static const char *res_tool(fx_t *f) { return json_string_value(json_object_get(f->res.value, "tool")); }

/* ---- before --------------------------------------------------------------------- */

static void test_before_continue_and_info(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  int64_t now = gp__now_ms();
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_null(f->res.error);
  assert_string_equal(res_tool(f), "t");
  assert_int_equal(atomic_load(&f->h.calls[BEFORE]), 1);
  assert_int_equal(atomic_load(&f->h.calls[AFTER]), 1);
  assert_int_equal(atomic_load(&f->h.calls[ON_ERROR]), 0);
  for (int ph = BEFORE; ph <= AFTER; ph++) {
    assert_string_equal(f->h.phase[ph], phase_names[ph]);
    assert_string_equal(f->h.call_id[ph], "call-1");
    assert_string_equal(f->h.name_seen[ph], "t");
    assert_string_equal(f->h.session[ph], "sess");
    assert_string_equal(f->h.inference[ph], "inf");
    assert_true(f->h.has_tag[ph]);
    assert_ptr_equal(f->h.host[ph], &host_marker);
    assert_int_equal(json_integer_value(json_object_get(f->h.args_seen[ph], "i")), 1);
    assert_true(f->h.timestamp[ph] >= now - 1000 && f->h.timestamp[ph] <= gp__now_ms() + 1000);
  }
  assert_string_equal(f->h.error_seen[AFTER], "(null)");
  assert_string_equal(json_string_value(json_object_get(f->h.result_seen, "tool")), "t");
  assert_true(f->h.duration_ms >= 5);
  fx_free(f);
}

static void test_before_abort(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  f->h.action[BEFORE] = GP_HOOK_ABORT;
  f->h.error = "blocked by policy";
  fx_run(f, "t");
  assert_int_equal(f->rc, 0); /* the call fails, not the run */
  assert_string_equal(f->res.error, "blocked by policy");
  assert_null(f->res.value);
  assert_int_equal(atomic_load(&runs), 0);
  assert_int_equal(atomic_load(&f->h.calls[AFTER]), 0);
  fx_free(f);
}

static void test_before_rewrite(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  f->h.action[BEFORE] = GP_HOOK_REWRITE;
  f->h.name = "other";
  fx_run(f, "t");
  assert_null(f->res.error);
  assert_string_equal(res_tool(f), "other");
  assert_int_equal(json_integer_value(json_object_get(f->res.value, "i")), 1);
  assert_string_equal(f->h.name_seen[AFTER], "other");

  f->h.name = NULL;
  f->h.args = "{\"i\": 42}";
  fx_run(f, "t");
  assert_string_equal(res_tool(f), "t");
  assert_int_equal(json_integer_value(json_object_get(f->res.value, "i")), 42);

  /* Rewritten args are validated; a rewritten name is looked up again. */
  f->h.args = "{\"i\": \"x\"}";
  fx_run(f, "t");
  assert_non_null(strstr(f->res.error, "$.i: expected integer, got string"));
  f->h.args = NULL;
  f->h.name = "missing";
  fx_run(f, "t");
  assert_string_equal(f->res.error, "unknown tool missing");
  assert_int_equal(atomic_load(&runs), 2);
  fx_free(f);
}

/* ---- after ---------------------------------------------------------------------- */

static void test_after_actions(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  f->h.action[AFTER] = GP_HOOK_SET_RESULT;
  f->h.result = "\"replaced\"";
  atomic_store(&fail_first, 1);
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_null(f->res.error);
  assert_string_equal(json_string_value(f->res.value), "replaced");
  assert_string_equal(f->h.error_seen[AFTER], "boom"); /* it saw the failure */

  f->h.action[AFTER] = GP_HOOK_SET_ERROR;
  f->h.error = "vetoed";
  fx_run(f, "t");
  assert_string_equal(f->res.error, "vetoed");
  assert_null(f->res.value);
  assert_string_equal(json_string_value(json_object_get(f->h.result_seen, "tool")), "t");

  f->h.error = NULL;
  f->h.action[AFTER] = GP_HOOK_ABORT;
  fx_run(f, "t");
  assert_int_equal(f->rc, GP_ERR_TOOL_ABORTED);
  assert_non_null(f->err);
  assert_non_null(strstr(f->err->message, "afterToolCall"));
  assert_null(f->res.error); /* the result is still filled */
  assert_string_equal(res_tool(f), "t");

  f->h.action[AFTER] = GP_HOOK_CONTINUE;
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_string_equal(res_tool(f), "t");
  fx_free(f);
}

/* ---- onToolError ---------------------------------------------------------------- */

static void test_on_error_retry_backoff(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  f->h.action[ON_ERROR] = GP_HOOK_RETRY;
  f->h.backoff_ms = 60;
  atomic_store(&fail_first, 1);
  fx_run(f, "t"); /* policy continue: only the hook retries */
  assert_int_equal(f->rc, 0);
  assert_null(f->res.error);
  assert_int_equal(f->res.attempts, 2);
  assert_true(f->elapsed_ms >= 60);
  assert_int_equal(atomic_load(&f->h.calls[ON_ERROR]), 1);
  assert_int_equal(f->h.attempts[0], 1);
  assert_int_equal(f->h.default_retry[0], 0);
  assert_int_equal(f->h.default_backoff[0], 10);
  assert_string_equal(f->h.error_seen[ON_ERROR], "boom");
  assert_string_equal(f->h.phase[ON_ERROR], "onToolError");

  /* backoff -1: the policy's backoff, 10 * 3^(attempt-1). */
  fx_free(f);
  f = fx_new(0);
  f->settings.error_handling = GP_TOOL_ERRORS_RETRY;
  f->settings.retry_backoff_factor = 3;
  f->h.action[ON_ERROR] = GP_HOOK_RETRY;
  atomic_store(&fail_first, 2);
  fx_run(f, "t");
  assert_null(f->res.error);
  assert_int_equal(f->res.attempts, 3);
  assert_true(f->elapsed_ms >= 10 + 30);
  assert_int_equal(f->h.attempts[1], 2);
  assert_int_equal(f->h.default_retry[1], 1);
  assert_int_equal(f->h.default_backoff[1], 30);
  fx_free(f);
}

static void test_on_error_abort_give_up_continue(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  f->settings.error_handling = GP_TOOL_ERRORS_RETRY;
  f->h.action[ON_ERROR] = GP_HOOK_ABORT;
  atomic_store(&fail_first, 100);
  fx_run(f, "t");
  assert_int_equal(f->rc, GP_ERR_TOOL_ABORTED);
  assert_non_null(strstr(f->err->message, "tool t"));
  assert_non_null(strstr(f->err->message, "boom"));
  assert_string_equal(f->res.error, "boom");
  assert_int_equal(f->res.attempts, 1);

  f->h.action[ON_ERROR] = GP_HOOK_GIVE_UP;
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_string_equal(f->res.error, "boom");
  assert_int_equal(f->res.attempts, 1);

  f->h.action[ON_ERROR] = GP_HOOK_CONTINUE; /* keeps the policy: 2 retries */
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_string_equal(f->res.error, "boom");
  assert_int_equal(f->res.attempts, 3);
  fx_free(f);
}

static void test_forced_retries_cap(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  f->h.action[ON_ERROR] = GP_HOOK_RETRY;
  f->h.backoff_ms = 0;
  atomic_store(&fail_first, 1000);
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_string_equal(f->res.error, "boom");
  assert_int_equal(f->res.attempts, 11); /* the first try and 10 forced retries */
  assert_int_equal(atomic_load(&runs), 11);
  assert_int_equal(atomic_load(&f->h.calls[ON_ERROR]), 11);
  fx_free(f);
}

/* ---- failing hooks -------------------------------------------------------------- */

static void test_fail_closed(void **state) {
  (void)state;
  fx_t *f = fx_new(0);
  f->h.fail[BEFORE] = 1;
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_string_equal(f->res.error, "beforeToolCall hook threw");
  assert_int_equal(atomic_load(&runs), 0);

  f->h.fail[BEFORE] = 0;
  f->h.fail[AFTER] = 1;
  fx_run(f, "t");
  assert_string_equal(f->res.error, "afterToolCall hook threw");
  assert_null(f->res.value);
  assert_int_equal(atomic_load(&runs), 1);

  f->h.fail[AFTER] = 0;
  f->h.fail[ON_ERROR] = 1;
  f->settings.error_handling = GP_TOOL_ERRORS_RETRY;
  atomic_store(&fail_first, 100);
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_string_equal(f->res.error, "onToolError hook threw");
  assert_int_equal(f->res.attempts, 1); /* no retry after the hook failed */
  fx_free(f);
}

static void test_fail_open(void **state) {
  (void)state;
  fx_t *f = fx_new(1);
  f->h.fail[BEFORE] = 1;
  f->h.fail[AFTER] = 1;
  fx_run(f, "t");
  assert_int_equal(f->rc, 0);
  assert_null(f->res.error);
  assert_string_equal(res_tool(f), "t");
  assert_int_equal(atomic_load(&f->h.calls[BEFORE]), 1);
  assert_int_equal(atomic_load(&f->h.calls[AFTER]), 1);

  f->h.fail[ON_ERROR] = 1;
  f->settings.error_handling = GP_TOOL_ERRORS_RETRY;
  atomic_store(&fail_first, 100);
  fx_run(f, "t");
  assert_string_equal(f->res.error, "boom");
  assert_int_equal(f->res.attempts, 3); /* the policy went on */
  fx_free(f);
}

/* ---- the hooks object ------------------------------------------------------------- */

static atomic_int hooks_freed;
static void count_free(void *ud) {
  assert_ptr_equal(ud, &hooks_freed);
  atomic_fetch_add(&hooks_freed, 1);
}

static void test_hooks_refcount(void **state) {
  (void)state;
  atomic_store(&hooks_freed, 0);
  gp_tool_hooks_t *h = gp_tool_hooks_new(NULL, NULL, NULL, 0, &hooks_freed, count_free);
  assert_ptr_equal(gp_tool_hooks_ref(h), h);
  gp_tool_hooks_unref(h);
  assert_int_equal(atomic_load(&hooks_freed), 0);
  gp_tool_hooks_unref(h);
  assert_int_equal(atomic_load(&hooks_freed), 1);
  gp_tool_hooks_unref(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_before_continue_and_info), GP_TEST(test_before_abort),
      GP_TEST(test_before_rewrite),           GP_TEST(test_after_actions),
      GP_TEST(test_on_error_retry_backoff),   GP_TEST(test_on_error_abort_give_up_continue),
      GP_TEST(test_forced_retries_cap),       GP_TEST(test_fail_closed),
      GP_TEST(test_fail_open),                GP_TEST(test_hooks_refcount),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
