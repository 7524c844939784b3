/* The JSON nesting bound (src/core/json_depth.c) and where C values meet it: text at and
 * past the limit, values of 10,000 and 100,000 levels released without recursion on a
 * 512 KiB thread (a run thread's stack), a C tool whose result nests too deeply (the call
 * fails with INVALID_ARGUMENT, the run goes on) and a C host's seed turn (refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "core/json_depth.h"
#include "scripted.h"
#include "testutil.h"

static char *nested_text(size_t depth) {
  char *t = malloc(2 * depth + 2);
  memset(t, '[', depth);
  t[depth] = '1';
  memset(t + depth + 1, ']', depth);
  t[2 * depth + 1] = '\0';
  return t;
}

/* A value nested `depth` arrays deep, built without recursion. */
static json_t *nested_value(size_t depth) {
  json_t *v = json_integer(1);
  for (size_t i = 0; i < depth; i++) {
    json_t *a = json_array();
    json_array_append_new(a, v);
    v = a;
  }
  return v;
}

static void test_text_bound(void **state) {
  (void)state;
  const size_t depths[] = {0, 1, 511, 512, 513, 1900, 10000, 100000};
  for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
    char *t = nested_text(depths[i]);
    json_error_t e;
    json_t *v = gp__json_loads(t, JSON_DECODE_ANY, &e);
    if (depths[i] <= GP_JSON_MAX_DEPTH) {
      assert_non_null(v);
      assert_int_equal(gp__json_text_depth(t, strlen(t), GP_JSON_MAX_DEPTH), depths[i]);
      assert_int_equal(gp__json_too_deep(v, GP_JSON_MAX_DEPTH), 0);
    } else {
      assert_null(v);
      assert_non_null(strstr(e.text, "deeper than 512 levels (the limit)"));
      assert_int_equal(e.position, GP_JSON_MAX_DEPTH); /* the first bracket past it */
    }
    json_decref(v);
    free(t);
  }
  /* Brackets inside strings, escaped quotes included, do not count. */
  const char *s = "[\"[[[[\\\"[[[[\", {\"k]\": [1]}]";
  assert_int_equal(gp__json_text_depth(s, strlen(s), 100), 3);
}

static void *release_deep(void *arg) {
  size_t depth = *(size_t *)arg;
  json_t *v = nested_value(depth);
  assert_int_equal(gp__json_too_deep(v, GP_JSON_MAX_DEPTH), 1);
  json_t *shared = json_incref(json_array_get(v, 0)); /* a reference held elsewhere stays */
  gp__json_release_deep(v);
  assert_int_equal(shared->refcount, 1);
  gp__json_release_deep(shared);
  return NULL;
}

/* On a thread with a run thread's stack, where jansson's recursive json_decref of such
 * a value overflows. */
static void test_release_without_recursion(void **state) {
  (void)state;
  size_t depths[] = {10000, 100000};
  for (int i = 0; i < 2; i++) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    pthread_t th;
    assert_int_equal(pthread_create(&th, &attr, release_deep, &depths[i]), 0);
    pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
  }
}

static size_t g_depth;

static int deep_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                     gp_error_t **err) {
  (void)ud, (void)ctx, (void)args, (void)err;
  *result = nested_value(g_depth);
  return 0;
}

static void test_tool_result_bound(void **state) {
  (void)state;
  const size_t depths[] = {1900, 10000, 100000};
  for (size_t i = 0; i < 3; i++) {
    g_depth = depths[i];
    scripted_t script = {.tool_iterations = 1, .calls_per_iter = 1, .tool_name = "deep"};
    gp_engine_t *e = scripted_engine(&script);
    gp_registry_t *reg = gp_registry_new();
    assert_int_equal(gp_registry_add(reg, "deep", "nests", NULL, deep_tool, NULL, NULL, NULL), 0);
    gp_session_config_t cfg = {.engine = e, .tools = reg};
    gp_session_t *s = gp_session_new(&cfg, NULL);
    gp_turn_t *t = gp_turn_new(), *result = NULL;
    gp_turn_append(t, gp_block_new_user("go"));
    gp_error_t *err = NULL;
    assert_int_equal(gp_session_run(s, t, NULL, &result, &err), 0);
    gp_block_t *use = gp_turn_last_of(result, GP_BLOCK_TOOL_USE);
    assert_non_null(use);
    const char *msg = json_string_value(json_object_get(use->payload, "error"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, "nests deeper than 512 levels (the limit)"));
    gp_turn_free(result);
    gp_session_free(s);
    gp_registry_unref(reg);
    gp_engine_unref(e);
  }
}

static void test_seed_bound(void **state) {
  (void)state;
  gp_engine_t *e = gp_engine_echo(NULL, 0);
  gp_session_config_t cfg = {.engine = e};
  gp_session_t *s = gp_session_new(&cfg, NULL);
  const size_t depths[] = {1900, 100000};
  for (size_t i = 0; i < 2; i++) {
    gp_turn_t *t = gp_turn_new(), *result = NULL;
    gp_turn_append(t, gp_block_new_tool_call("c1", "x", nested_value(depths[i])));
    gp_error_t *err = NULL;
    assert_int_equal(gp_session_run(s, t, NULL, &result, &err), GP_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err->message, "deeper than 512 levels (the limit)"));
    assert_null(result);
    gp_error_free(err);
  }
  assert_int_equal(gp_session_turn_count(s), 0);
  gp_session_free(s);
  gp_engine_unref(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_bound),
      cmocka_unit_test(test_release_without_recursion),
      cmocka_unit_test(test_tool_result_bound),
      cmocka_unit_test(test_seed_bound),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
