/* Tests for the middleware chain (order, changes around next, short-circuit, retry,
 * error propagation, lifetimes) and the built-in middlewares systemPrompt,
 * reorderToolResults and turnLogging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <geppetto/log.h>
#include <geppetto/middleware.h>

#include "core/core.h"
#include "testutil.h"

/* ---- a recording engine ---- */

typedef struct {
  gp_buf_t *trace;             /* where "engine " is appended per call */
  int calls;
  int fail_first;              /* fail this many calls with PROVIDER_HTTP "boom" */
  int append;                  /* append an llm_text "engine output" */
  int saw_leading_system;      /* blocks[0] was a system block at the last call */
} rec_engine_t;

static int rec_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  rec_engine_t *r = impl;
  r->calls++;
  if (r->trace) gp__buf_puts(r->trace, "engine ");
  r->saw_leading_system = turn->nblocks > 0 && turn->blocks[0]->kind == GP_BLOCK_SYSTEM;
  if (r->append) gp_turn_append(turn, gp_block_new_assistant("engine output"));
  if (r->fail_first > 0) {
    r->fail_first--;
    return gp_error_set(err, GP_ERR_PROVIDER_HTTP, "boom");
  }
  return 0;
}

static const gp_engine_vtable_t rec_vt = {"rec", rec_infer, NULL};

/* ---- recording middlewares ---- */

typedef enum { MW_PASS, MW_SHORT, MW_TWICE, MW_RETRY, MW_FAIL, MW_MODIFY } mw_mode_t;

typedef struct {
  const char *tag;
  gp_buf_t *trace;
  mw_mode_t mode;
  int enters;
  int seen_rc;                 /* what next returned, last time */
  int seen_code;               /* err->code after next, last time; 0 if none */
} rec_mw_t;

static int rec_mw(void *ud, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_next_t *next,
                  gp_error_t **err) {
  rec_mw_t *m = ud;
  m->enters++;
  gp__buf_printf(m->trace, "%s> ", m->tag);
  int rc = 0;
  switch (m->mode) {
  case MW_PASS:
    rc = gp_next(next, turn, err);
    break;
  case MW_SHORT:
    gp_turn_append(turn, gp_block_new_assistant("cached"));
    break;
  case MW_TWICE:
    rc = gp_next(next, turn, err);
    if (rc == 0) rc = gp_next(next, turn, err);
    break;
  case MW_RETRY:
    rc = gp_next(next, turn, err);
    if (rc != 0) {
      gp_error_free(*err);
      *err = NULL;
      rc = gp_next(next, turn, err);
    }
    break;
  case MW_FAIL:
    rc = GP_ERR_HOOK_FAILED;  /* without *err: the chain names us */
    break;
  case MW_MODIFY:
    gp_turn_append(turn, gp_block_new_user("added before"));
    rc = gp_next(next, turn, err);
    gp_turn_append(turn, gp_block_new_system("added after"));
    break;
  }
  m->seen_rc = rc;
  m->seen_code = (err && *err) ? (*err)->code : 0;
  gp__buf_printf(m->trace, "%s< ", m->tag);
  return rc;
}

typedef struct {
  gp_buf_t trace;
  rec_engine_t rec;
  gp_engine_t *engine;
  rec_mw_t ud[3];
  gp_middleware_t *mws[3];
  json_t *tags, *defs;
  gp_infer_ctx_t ctx;
} chain_t;

static void chain_init(chain_t *c, mw_mode_t m0, mw_mode_t m1, mw_mode_t m2) {
  memset(c, 0, sizeof *c);
  c->rec.trace = &c->trace;
  c->rec.append = 1;
  c->engine = gp_engine_new(&rec_vt, &c->rec, NULL);
  const char *tags[3] = {"A", "B", "C"};
  mw_mode_t modes[3] = {m0, m1, m2};
  for (int i = 0; i < 3; i++) {
    c->ud[i] = (rec_mw_t){.tag = tags[i], .trace = &c->trace, .mode = modes[i]};
    c->mws[i] = gp_middleware_new(tags[i], rec_mw, &c->ud[i], NULL);
  }
  c->tags = json_object();
  c->defs = json_array();
  c->ctx = (gp_infer_ctx_t){.run.tags = c->tags, .tool_defs = c->defs, .tool_choice = "auto",
                            .iteration = 1};
}

static void chain_free(chain_t *c) {
  for (int i = 0; i < 3; i++) gp_middleware_unref(c->mws[i]);
  gp_engine_unref(c->engine);
  gp__buf_free(&c->trace);
  json_decref(c->tags);
  json_decref(c->defs);
}

static const char *trace_of(chain_t *c) { return c->trace.data ? c->trace.data : ""; }

/* ---- chain behaviour ---- */

static void test_order_first_is_outermost(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_PASS, MW_PASS);
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(c.mws, 3, c.engine, &c.ctx, t, &err), 0);
  assert_null(err);
  assert_string_equal(trace_of(&c), "A> B> C> engine C< B< A< ");
  assert_int_equal(c.rec.calls, 1);
  assert_int_equal(t->nblocks, 1);
  gp_turn_free(t);
  chain_free(&c);
}

static void test_no_middlewares(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_PASS, MW_PASS);
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(NULL, 0, c.engine, &c.ctx, t, &err), 0);
  assert_string_equal(trace_of(&c), "engine ");
  assert_string_equal(json_string_value(gp_turn_get_meta(t, GP_META_PROVIDER)), "rec");
  gp_turn_free(t);
  chain_free(&c);
}

static void test_modify_before_and_after(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_MODIFY, MW_PASS);
  gp_engine_unref(c.engine);
  c.engine = gp_engine_echo(NULL, 0);  /* echoes what the middleware added */
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("original"));
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(c.mws, 3, c.engine, &c.ctx, t, &err), 0);
  assert_int_equal(t->nblocks, 4);
  assert_string_equal(gp_block_text(t->blocks[0]), "original");
  assert_int_equal(t->blocks[1]->kind, GP_BLOCK_USER);
  assert_string_equal(gp_block_text(t->blocks[1]), "added before");
  assert_int_equal(t->blocks[2]->kind, GP_BLOCK_LLM_TEXT);
  assert_string_equal(gp_block_text(t->blocks[2]), "added before");
  assert_int_equal(t->blocks[3]->kind, GP_BLOCK_SYSTEM);
  assert_string_equal(gp_block_text(t->blocks[3]), "added after");
  assert_string_equal(trace_of(&c), "A> B> C> C< B< A< ");
  gp_turn_free(t);
  chain_free(&c);
}

static void test_short_circuit(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_SHORT, MW_PASS);
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(c.mws, 3, c.engine, &c.ctx, t, &err), 0);
  assert_null(err);
  assert_int_equal(c.rec.calls, 0);
  assert_int_equal(c.ud[2].enters, 0);
  assert_string_equal(trace_of(&c), "A> B> B< A< ");
  assert_int_equal(t->nblocks, 1);
  assert_string_equal(gp_block_text(t->blocks[0]), "cached");
  gp_turn_free(t);
  chain_free(&c);
}

static void test_next_twice(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_TWICE, MW_PASS);
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(c.mws, 3, c.engine, &c.ctx, t, &err), 0);
  assert_int_equal(c.rec.calls, 2);
  assert_int_equal(c.ud[2].enters, 2);
  assert_int_equal(c.ud[0].enters, 1);
  assert_string_equal(trace_of(&c), "A> B> C> engine C< C> engine C< B< A< ");
  assert_int_equal(t->nblocks, 2);
  gp_turn_free(t);
  chain_free(&c);
}

static void test_error_propagates(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_PASS, MW_PASS);
  c.rec.fail_first = 1;
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(c.mws, 3, c.engine, &c.ctx, t, &err), GP_ERR_PROVIDER_HTTP);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_PROVIDER_HTTP);
  assert_string_equal(err->message, "boom");
  for (int i = 0; i < 3; i++) {
    assert_int_equal(c.ud[i].seen_rc, GP_ERR_PROVIDER_HTTP);
    assert_int_equal(c.ud[i].seen_code, GP_ERR_PROVIDER_HTTP);
  }
  assert_string_equal(trace_of(&c), "A> B> C> engine C< B< A< ");
  assert_int_equal(t->nblocks, 1);  /* the engine's partial output stays */
  gp_error_free(err);
  gp_turn_free(t);
  chain_free(&c);
}

static void test_retry_after_error(void **state) {
  chain_t c;
  chain_init(&c, MW_RETRY, MW_PASS, MW_PASS);
  c.rec.fail_first = 1;
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(c.mws, 3, c.engine, &c.ctx, t, &err), 0);
  assert_null(err);
  assert_int_equal(c.rec.calls, 2);
  assert_int_equal(c.ud[1].enters, 2);
  gp_turn_free(t);
  chain_free(&c);
}

static void test_middleware_error_named(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_FAIL, MW_PASS);
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(c.mws, 3, c.engine, &c.ctx, t, &err), GP_ERR_HOOK_FAILED);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_HOOK_FAILED);
  assert_non_null(strstr(err->message, "B"));
  assert_int_equal(c.rec.calls, 0);
  assert_int_equal(c.ud[0].seen_code, GP_ERR_HOOK_FAILED);
  gp_error_free(err);
  gp_turn_free(t);
  chain_free(&c);
}

static int freed_count;
static void count_free(void *ud) {
  freed_count++;
  free(ud);
}

static void test_middleware_lifetime(void **state) {
  freed_count = 0;
  gp_middleware_t *m = gp_middleware_new("mine", rec_mw, malloc(16), count_free);
  assert_string_equal(gp_middleware_name(m), "mine");
  assert_ptr_equal(gp_middleware_ref(m), m);
  gp_middleware_unref(m);
  assert_int_equal(freed_count, 0);
  gp_middleware_unref(m);
  assert_int_equal(freed_count, 1);
  gp_middleware_unref(NULL);
}

/* ---- built-ins ---- */

static gp_middleware_t *builtin_ok(const char *name, const char *options_json) {
  json_t *opts = options_json ? json_loads(options_json, 0, NULL) : NULL;
  gp_error_t *err = NULL;
  gp_middleware_t *m = gp_middleware_builtin(name, opts, &err);
  json_decref(opts);
  assert_null(err);
  assert_non_null(m);
  assert_string_equal(gp_middleware_name(m), name);
  return m;
}

static size_t count_kind(const gp_turn_t *t, gp_block_kind_t kind) {
  size_t n = 0;
  for (size_t i = 0; i < t->nblocks; i++) n += t->blocks[i]->kind == kind;
  return n;
}

static void test_system_prompt_inserts_once(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_PASS, MW_PASS);
  gp_middleware_t *sp = builtin_ok("systemPrompt", "{\"prompt\": \"Be brief.\"}");
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  for (int iter = 1; iter <= 3; iter++) {
    gp_error_t *err = NULL;
    c.ctx.iteration = iter;
    assert_int_equal(gp_chain_run(&sp, 1, c.engine, &c.ctx, t, &err), 0);
    assert_true(c.rec.saw_leading_system);
    assert_int_equal(t->blocks[0]->kind, GP_BLOCK_SYSTEM);
    assert_string_equal(gp_block_text(t->blocks[0]), "Be brief.");
    assert_int_equal(count_kind(t, GP_BLOCK_SYSTEM), 1);
    assert_int_equal(t->nblocks, 2 + (size_t)iter);  /* system, user, one output per run */
  }
  gp_turn_free(t);
  gp_middleware_unref(sp);
  chain_free(&c);
}

static void test_system_prompt_replaces_leading(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_PASS, MW_PASS);
  c.rec.append = 0;
  gp_middleware_t *sp = builtin_ok("systemPrompt", "{\"prompt\": \"new\"}");
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_system("old"));
  gp_turn_append(t, gp_block_new_user("hi"));
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(&sp, 1, c.engine, &c.ctx, t, &err), 0);
  assert_int_equal(t->nblocks, 2);
  assert_string_equal(gp_block_text(t->blocks[0]), "new");
  gp_turn_free(t);

  /* A system block that is not first does not count: one is inserted in front. */
  t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  gp_turn_append(t, gp_block_new_system("later"));
  assert_int_equal(gp_chain_run(&sp, 1, c.engine, &c.ctx, t, &err), 0);
  assert_int_equal(t->nblocks, 3);
  assert_string_equal(gp_block_text(t->blocks[0]), "new");
  assert_string_equal(gp_block_text(t->blocks[2]), "later");
  gp_turn_free(t);
  gp_middleware_unref(sp);
  chain_free(&c);
}

/* Runs reorderToolResults over blocks named by `spec` (space-separated: "u" user,
 * "t" llm_text, "cX" call X, "rX" result of X) and returns the order as a spec. */
static char *reorder_spec(const char *spec) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_PASS, MW_PASS);
  c.rec.append = 0;
  gp_middleware_t *m = builtin_ok("reorderToolResults", NULL);
  gp_turn_t *t = gp_turn_new();
  char *copy = strdup(spec), *save = NULL;
  for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    gp_block_t *b = NULL;
    if (tok[0] == 'u') b = gp_block_new_user(tok);
    if (tok[0] == 't') b = gp_block_new_assistant(tok);
    if (tok[0] == 'c') b = gp_block_new_tool_call(tok + 1, "fn", NULL);
    if (tok[0] == 'r') b = gp_block_new_tool_use(tok + 1, json_string(tok), NULL);
    assert_non_null(b);
    free(b->id);
    b->id = strdup(tok);  /* the block's id names it in the result */
    gp_turn_append(t, b);
  }
  free(copy);
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(&m, 1, c.engine, &c.ctx, t, &err), 0);
  gp_buf_t out = {0};
  for (size_t i = 0; i < t->nblocks; i++) gp__buf_printf(&out, "%s%s", i ? " " : "", t->blocks[i]->id);
  gp_turn_free(t);
  gp_middleware_unref(m);
  chain_free(&c);
  return gp__buf_steal(&out);
}

static void check_reorder(const char *in, const char *want) {
  char *got = reorder_spec(in);
  assert_string_equal(got, want);
  free(got);
}

static void test_reorder_tool_results(void **state) {
  check_reorder("u cA cB rB rA", "u cA rA cB rB");
  check_reorder("u cA rA t", "u cA rA t");                       /* already in order */
  check_reorder("rA u cA", "u cA rA");                           /* result before call */
  check_reorder("u rX cA t rA", "u rX cA rA t");                 /* orphan stays put */
  check_reorder("u cA cB t rB u2 rA", "u cA rA cB rB t u2");
  check_reorder("u", "u");
  check_reorder("", "");
}

static void test_turn_logging_keeps_turn(void **state) {
  chain_t c;
  chain_init(&c, MW_PASS, MW_PASS, MW_PASS);
  c.rec.append = 0;
  gp_log_level_t old = gp_log_get_level();
  gp_log_set_level(GP_LOG_INFO);
  gp_middleware_t *m = builtin_ok("turnLogging", "{}");
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  gp_turn_append(t, gp_block_new_tool_call("c1", "fn", json_pack("{s:i}", "x", 1)));
  gp_turn_append(t, gp_block_new_tool_use("c1", json_integer(2), NULL));
  json_t *before = gp_turn_to_json(t);
  gp_error_t *err = NULL;
  assert_int_equal(gp_chain_run(&m, 1, c.engine, &c.ctx, t, &err), 0);
  assert_int_equal(c.rec.calls, 1);
  json_t *after = gp_turn_to_json(t);
  json_t *bb = json_object_get(before, "blocks"), *ab = json_object_get(after, "blocks");
  assert_true(json_equal(bb, ab));
  assert_string_equal(json_string_value(json_object_get(before, "id")),
                      json_string_value(json_object_get(after, "id")));
  json_decref(before);
  json_decref(after);
  gp_log_set_level(old);
  gp_turn_free(t);
  gp_middleware_unref(m);
  chain_free(&c);
}

static void expect_builtin_error(const char *name, const char *options_json, const char *needle) {
  json_t *opts = options_json ? json_loads(options_json, JSON_DECODE_ANY, NULL) : NULL;
  gp_error_t *err = NULL;
  gp_middleware_t *m = gp_middleware_builtin(name, opts, &err);
  json_decref(opts);
  assert_null(m);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, needle));
  gp_error_free(err);
}

static void test_builtin_errors(void **state) {
  expect_builtin_error("noSuchThing", NULL, "noSuchThing");
  expect_builtin_error(NULL, NULL, "unknown");
  expect_builtin_error("systemPrompt", NULL, "prompt");
  expect_builtin_error("systemPrompt", "{}", "prompt");
  expect_builtin_error("systemPrompt", "{\"prompt\": 3}", "prompt");
  expect_builtin_error("turnLogging", "[1]", "turnLogging");
  expect_builtin_error("reorderToolResults", "\"x\"", "reorderToolResults");
  /* A NULL err pointer is allowed. */
  assert_null(gp_middleware_builtin("nope", NULL, NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_order_first_is_outermost),
      GP_TEST(test_no_middlewares),
      GP_TEST(test_modify_before_and_after),
      GP_TEST(test_short_circuit),
      GP_TEST(test_next_twice),
      GP_TEST(test_error_propagates),
      GP_TEST(test_retry_after_error),
      GP_TEST(test_middleware_error_named),
      GP_TEST(test_middleware_lifetime),
      GP_TEST(test_system_prompt_inserts_once),
      GP_TEST(test_system_prompt_replaces_leading),
      GP_TEST(test_reorder_tool_results),
      GP_TEST(test_turn_logging_keeps_turn),
      GP_TEST(test_builtin_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
