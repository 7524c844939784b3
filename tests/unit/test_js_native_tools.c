/* Tests for native tools of a JS runtime (gp__js_runtime_add_native_tool): a C host
 * registers C tools, a script adds them with registry.useNativeTools(names?) /
 * useGoTools(), calls them directly and from a run's tool loop (where they run on a
 * tool worker, not on the owner thread); registration errors; every user-data freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdatomic.h>

#include "js/runtime.h"
#include "testutil.h"

static gp_owner_t *owner;
static atomic_int freed, in_run_off_owner, in_run_on_owner, direct_on_owner;

static void count_free(void *ud) {
  (void)ud;
  atomic_fetch_add(&freed, 1);
}

/* {"sum": a + b, "session": ctx->run.session_id} — notes which thread it ran on. */
static int add_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  (void)ud;
  int on_owner = gp_owner_is_owner_thread(owner);
  int in_run = ctx->run.session_id && *ctx->run.session_id;
  if (in_run) atomic_fetch_add(on_owner ? &in_run_on_owner : &in_run_off_owner, 1);
  else if (on_owner) atomic_fetch_add(&direct_on_owner, 1);
  double a = json_number_value(json_object_get(args, "a"));
  double b = json_number_value(json_object_get(args, "b"));
  if (a < 0) return gp_error_set(err, GP_ERR_TOOL_FAILED, "negative numbers are not supported");
  *result = json_pack("{s:f, s:s}", "sum", a + b, "session", ctx->run.session_id ? ctx->run.session_id : "");
  return 0;
}

static int hello_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  (void)ctx;
  (void)args;
  (void)err;
  *result = json_string((const char *)ud);
  return 0;
}

static const char *add_schema =
    "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}},"
    "\"required\":[\"a\",\"b\"]}";

/* The script: exit code 42 when every check passed (a failure exits with 1). */
static const char *script =
    "const gp = require('geppetto');\n"
    "const r = gp.tools.createRegistry().useNativeTools(['add']);\n"
    "assert.deepEqual(r.list(), [{name: 'add', description: 'adds two numbers'}]);\n"
    "assert.equal(r.call('add', {a: 1, b: 2}).sum, 3);\n"
    "assert.throws(() => r.call('add', {a: 1}), {code: 'INVALID_ARGUMENT'});\n"
    "assert.throws(() => r.call('add', {a: -1, b: 1}), {code: 'TOOL_FAILED', message: 'negative numbers are not supported'});\n"
    "assert.throws(() => r.useNativeTools(['add']), /already registered/);\n"
    "assert.throws(() => r.useNativeTools(['nope']), {code: 'TOOL_NOT_FOUND', message: /the host registered: add, hello/});\n"
    "const all = gp.tools.createRegistry().useGoTools();\n"
    "assert.deepEqual(all.list().map((t) => t.name), ['add', 'hello']);\n"
    "assert.equal(all.call('hello'), 'hi from C');\n"
    "const engine = gp.engines.fromFunction((turn) => {\n"
    "  const uses = turn.blocks.filter((b) => b.kind === 'tool_use');\n"
    "  if (uses.length === 0) {\n"
    "    for (let i = 0; i < 4; i++) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock('c' + i, 'add', {a: i, b: 10}));\n"
    "    gp.turns.appendBlock(turn, gp.turns.newToolCallBlock('bad', 'add', {a: 'x', b: 1}));\n"
    "    return turn;\n"
    "  }\n"
    "  return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock(uses.map((u) => u.payload.error ? 'E' : u.payload.result.sum).join(',')));\n"
    "});\n"
    "const s = gp.createSession({engine, tools: r, toolLoop: {maxParallelTools: 4}});\n"
    "s.runAsync('go').then((t) => {\n"
    "  assert.equal(t.blocks[t.blocks.length - 1].payload.text, '10,11,12,13,E');\n"
    "  const u = t.blocks.filter((b) => b.kind === 'tool_use');\n"
    "  assert.equal(u[0].payload.result.session, s.id);\n"
    "  assert(/\\$\\.a: expected number, got string/.test(u[4].payload.error), u[4].payload.error);\n"
    "  process.exitCode = 42;\n"
    "});\n";

static void test_native_tools(void **state) {
  (void)state;
  atomic_store(&freed, 0);
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  char *argv[] = {"test"};
  gp_js_options_t opts = {.argc = 1, .argv = argv};
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, &opts, &rt), GP_OK);

  gp_error_t *err = NULL;
  assert_int_equal(gp__js_runtime_add_native_tool(rt, "add", "adds two numbers", add_schema, add_tool, NULL,
                                                 count_free, &err), GP_OK);
  assert_null(err);
  assert_int_equal(gp__js_runtime_add_native_tool(rt, "hello", NULL, NULL, hello_tool, "hi from C", count_free, NULL),
                   GP_OK);
  /* refusals: each frees its user data */
  assert_int_equal(gp__js_runtime_add_native_tool(rt, "add", "again", NULL, add_tool, NULL, count_free, &err),
                   GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "already registered"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp__js_runtime_add_native_tool(rt, "j", NULL, "{not json", add_tool, NULL, count_free, &err),
                   GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "not JSON"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp__js_runtime_add_native_tool(rt, "s", NULL, "{\"type\":7}", add_tool, NULL, count_free, &err),
                   GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "$.type"));
  gp_error_free(err);
  assert_int_equal(gp__js_runtime_add_native_tool(rt, "", NULL, NULL, add_tool, NULL, count_free, NULL),
                   GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(atomic_load(&freed), 4);

  assert_int_equal(gp__js_runtime_eval(rt, script), GP_OK);
  assert_int_equal(gp__js_runtime_wait(rt), GP_OK);
  assert_int_equal(gp__js_runtime_exit_code(rt), 42);
  assert_int_equal(atomic_load(&in_run_off_owner), 4);  /* in a run: on tool workers */
  assert_int_equal(atomic_load(&in_run_on_owner), 0);
  assert_true(atomic_load(&direct_on_owner) >= 2);      /* call(): on the owner */

  gp__js_runtime_close(rt);
  gp_owner_free(owner);
  owner = NULL;
  gp__js_runtime_free(rt);
  assert_int_equal(atomic_load(&freed), 6); /* add and hello, once the last registry dropped them */
}

/* A runtime whose owner has shut down refuses new tools and frees their user data. */
static void test_native_tools_closed(void **state) {
  (void)state;
  atomic_store(&freed, 0);
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, NULL, &rt), GP_OK);
  gp__js_runtime_close(rt);
  gp_owner_shutdown(owner);
  gp_error_t *err = NULL;
  assert_int_equal(gp__js_runtime_add_native_tool(rt, "late", NULL, NULL, add_tool, NULL, count_free, &err),
                   GP_ERR_OWNER_CLOSED);
  assert_non_null(err);
  gp_error_free(err);
  assert_int_equal(atomic_load(&freed), 1);
  gp_owner_free(owner);
  owner = NULL;
  gp__js_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_native_tools),
      GP_TEST(test_native_tools_closed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
