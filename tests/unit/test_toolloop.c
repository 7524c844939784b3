/* The tool loop (SPEC §4.5): iterations, results in call order, the iteration limit,
 * abort, a disabled loop and toolChoice "none". */
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scripted.h"
#include "testutil.h"

/* Doubles n after sleeping (4 - n) * 10 ms, so later calls finish first. */
static int double_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                       gp_error_t **err) {
  json_int_t n = json_integer_value(json_object_get(args, "n"));
  gp_cancel_wait(ctx->cancel, (4 - n) * 10);
  *result = json_integer(n * 2);
  return 0;
}

static int failing_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                        gp_error_t **err) {
  return gp_error_set(err, GP_ERR_TOOL_FAILED, "disk on fire");
}

static gp_turn_t *user_turn(const char *text) {
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user(text));
  return t;
}

typedef struct {
  scripted_t script;
  gp_engine_t *engine;
  gp_registry_t *reg;
  gp_tool_settings_t settings;
  recorder_t *rec;
  gp_sink_t *sink;
  gp_emitter_t *em;
} fixture_t;

static void fixture_init(fixture_t *f, int tool_iters, int calls, const char *tool) {
  memset(f, 0, sizeof *f);
  f->script.tool_iterations = tool_iters;
  f->script.calls_per_iter = calls;
  f->script.tool_name = tool;
  f->engine = scripted_engine(&f->script);
  f->reg = gp_registry_new();
  assert_int_equal(gp_registry_add(f->reg, "double", "doubles n", NULL, double_tool, NULL, NULL, NULL), 0);
  assert_int_equal(gp_registry_add(f->reg, "fail", "always fails", NULL, failing_tool, NULL, NULL, NULL), 0);
  gp_tool_settings_init(&f->settings);
  f->sink = recorder_new(&f->rec);
  f->em = gp_emitter_new("s1", "i1", "t1");
  gp_emitter_add_sink(f->em, f->sink);
}

static int fixture_run(fixture_t *f, gp_turn_t *turn, gp_error_t **err) {
  gp_loop_params_t p = {.run = {.session_id = "s1", .run_id = "i1"}, .engine = f->engine,
                        .registry = f->reg, .settings = &f->settings, .emitter = f->em};
  return gp_tool_loop_run(&p, turn, err);
}

static void fixture_free(fixture_t *f) {
  gp_emitter_free(f->em);
  gp_sink_unref(f->sink);
  gp_tool_settings_clear(&f->settings);
  gp_registry_unref(f->reg);
  gp_engine_unref(f->engine);
}

static void test_iterations_and_call_order(void **state) {
  fixture_t f;
  fixture_init(&f, 2, 4, "double");
  gp_turn_t *t = user_turn("go");
  gp_error_t *err = NULL;
  assert_int_equal(fixture_run(&f, t, &err), 0);
  assert_null(err);
  assert_int_equal(atomic_load(&f.script.infer_count), 3);
  /* user, 4 calls, 4 results, 4 calls, 4 results, text */
  assert_int_equal(t->nblocks, 1 + 8 + 8 + 1);
  for (int round = 0; round < 2; round++) {
    for (int k = 0; k < 4; k++) {
      gp_block_t *call = t->blocks[1 + round * 8 + k];
      gp_block_t *use = t->blocks[1 + round * 8 + 4 + k];
      assert_int_equal(call->kind, GP_BLOCK_TOOL_CALL);
      assert_int_equal(use->kind, GP_BLOCK_TOOL_USE);
      assert_string_equal(gp_block_call_id(call), gp_block_call_id(use));
      assert_int_equal(json_integer_value(gp_block_tool_result(use)), k * 2);
      assert_null(gp_block_tool_error(use));
    }
  }
  assert_int_equal(t->blocks[17]->kind, GP_BLOCK_LLM_TEXT);
  assert_int_equal(recorder_count(f.rec, GP_EVENT_TOOL_RESULT), 8);
  assert_int_equal(recorder_count(f.rec, GP_EVENT_TOOL_CALL_EXECUTE), 8);
  gp_turn_free(t);
  fixture_free(&f);
}

static void test_max_iterations_keeps_partial(void **state) {
  fixture_t f;
  fixture_init(&f, 100, 1, "double");
  f.settings.max_iterations = 3;
  gp_turn_t *t = user_turn("loop forever");
  gp_error_t *err = NULL;
  assert_int_equal(fixture_run(&f, t, &err), GP_ERR_MAX_ITERATIONS);
  assert_non_null(err);
  assert_non_null(strstr(err->message, "maxIterations (3)"));
  assert_int_equal(atomic_load(&f.script.infer_count), 3);
  assert_int_equal(t->nblocks, 1 + 3 * 2); /* the partial turn keeps every call and result */
  gp_error_free(err);
  gp_turn_free(t);
  fixture_free(&f);
}

static void test_abort_policy(void **state) {
  fixture_t f;
  fixture_init(&f, 1, 2, "fail");
  f.settings.error_handling = GP_TOOL_ERRORS_ABORT;
  gp_turn_t *t = user_turn("break");
  gp_error_t *err = NULL;
  assert_int_equal(fixture_run(&f, t, &err), GP_ERR_TOOL_ABORTED);
  assert_non_null(strstr(err->message, "disk on fire"));
  gp_block_t *use = gp_turn_last_of(t, GP_BLOCK_TOOL_USE);
  assert_non_null(use);
  assert_non_null(gp_block_tool_error(use));
  assert_int_equal(atomic_load(&f.script.infer_count), 1);
  gp_error_free(err);
  gp_turn_free(t);
  fixture_free(&f);
}

static void test_continue_policy_sends_error_back(void **state) {
  fixture_t f;
  fixture_init(&f, 1, 1, "fail");
  gp_turn_t *t = user_turn("try");
  gp_error_t *err = NULL;
  assert_int_equal(fixture_run(&f, t, &err), 0);
  gp_block_t *use = gp_turn_find_tool_use(t, "call_1_0");
  assert_non_null(use);
  assert_non_null(strstr(gp_block_tool_error(use), "disk on fire"));
  assert_int_equal(atomic_load(&f.script.infer_count), 2);
  gp_turn_free(t);
  fixture_free(&f);
}

static void test_disabled_and_choice_none(void **state) {
  fixture_t f;
  fixture_init(&f, 5, 1, "double");
  f.settings.enabled = 0;
  gp_turn_t *t = user_turn("x");
  assert_int_equal(fixture_run(&f, t, NULL), 0);
  assert_int_equal(atomic_load(&f.script.infer_count), 1);
  assert_null(gp_turn_last_of(t, GP_BLOCK_TOOL_USE));
  gp_turn_free(t);

  f.settings.enabled = 1;
  snprintf(f.settings.tool_choice, sizeof f.settings.tool_choice, "none");
  atomic_store(&f.script.infer_count, 0);
  t = user_turn("y");
  assert_int_equal(fixture_run(&f, t, NULL), 0);
  assert_int_equal(atomic_load(&f.script.infer_count), 1);
  assert_null(gp_turn_last_of(t, GP_BLOCK_TOOL_USE));
  gp_turn_free(t);
  fixture_free(&f);
}

static void test_canceled_before_engine(void **state) {
  fixture_t f;
  fixture_init(&f, 0, 0, "double");
  gp_cancel_t *c = gp_cancel_new(NULL);
  gp_cancel_fire(c, GP_ERR_CANCELED);
  gp_loop_params_t p = {.run.cancel = c, .engine = f.engine, .registry = f.reg, .settings = &f.settings};
  gp_turn_t *t = user_turn("x");
  gp_error_t *err = NULL;
  assert_int_equal(gp_tool_loop_run(&p, t, &err), GP_ERR_CANCELED);
  assert_int_equal(atomic_load(&f.script.infer_count), 0);
  gp_error_free(err);
  gp_turn_free(t);
  gp_cancel_unref(c);
  fixture_free(&f);
}

/* Host references: a tool call abandoned at its timeout outlives the loop; the batch
 * keeps its reference on the host until the handler has returned. */
static atomic_int host_refs;
static atomic_int hang_saw_host_alive;
static void *host_ref(void *h) { atomic_fetch_add(&host_refs, 1); return h; }
static void host_unref(void *h) { atomic_fetch_sub(&host_refs, 1); }

static int hanging_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                        gp_error_t **err) {
  gp__sleep_ms(300); /* ignores its token, like a hung handler */
  atomic_store(&hang_saw_host_alive, atomic_load(&host_refs) > 0);
  *result = json_true();
  return 0;
}

static int refs_zero(void *arg) { return atomic_load(&host_refs) == 0; }

static void test_abandoned_call_keeps_host(void **state) {
  fixture_t f;
  fixture_init(&f, 1, 1, "hang");
  assert_int_equal(gp_registry_add(f.reg, "hang", "hangs", NULL, hanging_tool, NULL, NULL, NULL), 0);
  f.settings.execution_timeout_ms = 50;
  int host = 0;
  gp_loop_params_t p = {.run = {.session_id = "s1", .run_id = "i1",
                                .host = {&host, host_ref, host_unref}},
                        .engine = f.engine, .registry = f.reg, .settings = &f.settings, .emitter = f.em};
  gp_turn_t *t = user_turn("x");
  gp_error_t *err = NULL;
  assert_int_equal(gp_tool_loop_run(&p, t, &err), 0);
  assert_int_equal(atomic_load(&host_refs), 1); /* the abandoned call's batch */
  assert_true(gp_test_wait_until(refs_zero, NULL, 5000));
  assert_int_equal(atomic_load(&hang_saw_host_alive), 1);
  gp_error_free(err);
  gp_turn_free(t);
  fixture_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_iterations_and_call_order), GP_TEST(test_max_iterations_keeps_partial),
      GP_TEST(test_abort_policy), GP_TEST(test_continue_policy_sends_error_back),
      GP_TEST(test_disabled_and_choice_none), GP_TEST(test_canceled_before_engine),
      GP_TEST(test_abandoned_call_keeps_host),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
