/* Structured output in the C tool loop (SPEC §4.10, §5): an engine whose answers are
 * scripted shows the loop settling the output: a valid answer lands in the turn's data
 * "output" (a fenced one too), an invalid one is sent back once with the reason (a
 * user block) and the repaired answer is kept, invalid twice is OUTPUT_INVALID naming
 * the path and keeping the partial turn, and bad output options are refused before a
 * session run starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "geppetto/geppetto.h"
#include "testutil.h"

/* Answers answers[0], answers[1], ... one per inference (the last one repeats). */
typedef struct {
  const char *answers[4];
  int n, calls;
  int saw_output;             /* ctx->output was set on every call */
} canned_t;

static int canned_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  (void)err;
  canned_t *c = impl;
  int i = c->calls < c->n ? c->calls : c->n - 1;
  c->calls++;
  c->saw_output += ctx->output != NULL;
  gp_turn_append(turn, gp_block_new_assistant(c->answers[i]));
  return 0;
}

static const gp_engine_vtable_t canned_vt = {"canned", canned_infer, NULL};

static json_t *output_option(void) {
  return json_loads("{\"schema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},"
                    "\"required\":[\"n\"]}}", 0, NULL);
}

/* Runs the loop over a user turn; returns the code, the turn in *out. */
static int run(canned_t *c, gp_turn_t **out, gp_error_t **err) {
  gp_engine_t *e = gp_engine_new(&canned_vt, c, "canned-1");
  json_t *output = output_option();
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("give n"));
  gp_loop_params_t p = {.run = {.session_id = "s", .run_id = "i"}, .engine = e, .output = output};
  int rc = gp_tool_loop_run(&p, t, err);
  json_decref(output);
  gp_engine_unref(e);
  *out = t;
  return rc;
}

static void test_valid_and_fenced(void **state) {
  (void)state;
  canned_t c = {.answers = {"```json\n{\"n\": 3}\n```"}, .n = 1};
  gp_turn_t *t;
  gp_error_t *err = NULL;
  assert_int_equal(run(&c, &t, &err), 0);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(t->data, "output"), "n")), 3);
  assert_int_equal(c.calls, 1);
  assert_int_equal(c.saw_output, 1);
  gp_turn_free(t);
}

static void test_repaired(void **state) {
  (void)state;
  canned_t c = {.answers = {"{\"n\": \"three\"}", "{\"n\": 3}"}, .n = 2};
  gp_turn_t *t;
  gp_error_t *err = NULL;
  assert_int_equal(run(&c, &t, &err), 0);
  assert_int_equal(c.calls, 2);
  assert_int_equal(t->nblocks, 4); /* user, bad answer, repair request, answer */
  assert_int_equal(t->blocks[2]->kind, GP_BLOCK_USER);
  assert_non_null(strstr(gp_block_text(t->blocks[2]), "$.n: expected integer, got string"));
  assert_int_equal(json_integer_value(json_object_get(json_object_get(t->data, "output"), "n")), 3);
  gp_turn_free(t);
}

static void test_invalid_twice(void **state) {
  (void)state;
  canned_t c = {.answers = {"not json at all"}, .n = 1};
  gp_turn_t *t;
  gp_error_t *err = NULL;
  assert_int_equal(run(&c, &t, &err), GP_ERR_OUTPUT_INVALID);
  assert_non_null(err);
  assert_non_null(strstr(err->message, "not valid JSON"));
  assert_int_equal(c.calls, 2);
  assert_int_equal(t->nblocks, 4);
  assert_null(json_object_get(t->data, "output"));
  assert_string_equal(gp_err_name(GP_ERR_OUTPUT_INVALID), "OUTPUT_INVALID");
  gp_error_free(err);
  gp_turn_free(t);
}

static void test_bad_options_refused(void **state) {
  (void)state;
  canned_t c = {.answers = {"{}"}, .n = 1};
  gp_engine_t *e = gp_engine_new(&canned_vt, &c, "canned-1");
  gp_session_config_t cfg = {.engine = e};
  gp_session_t *s = gp_session_new(&cfg, NULL);
  assert_non_null(s);
  const char *bad[] = {"{\"schema\":{\"type\":\"object\",\"requried\":[]}}", "{\"schema\":5}",
                       "{\"schema\":{},\"nmae\":\"x\"}", "{\"schema\":{},\"name\":\"a b\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    json_t *o = json_loads(bad[i], 0, NULL);
    gp_run_opts_t opts = {.output = o};
    gp_run_t *r = NULL;
    gp_error_t *err = NULL;
    assert_int_equal(gp_session_start(s, gp_turn_new(), &opts, &r, &err), GP_ERR_INVALID_ARGUMENT);
    assert_null(r);
    gp_error_free(err);
    json_decref(o);
  }
  assert_int_equal(c.calls, 0);
  gp_session_free(s);
  gp_engine_unref(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_valid_and_fenced),
      GP_TEST(test_repaired),
      GP_TEST(test_invalid_twice),
      GP_TEST(test_bad_options_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
