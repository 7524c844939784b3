/* The MCP client's C API (src/mcp) against the scripted fake server (tests/mcp/
 * fake_server.mjs): pagination over 3 pages, list_changed, a crash mid-call, garbage,
 * a request never answered (timeout), responses out of order, a 20 MB result, ping and
 * -32601 for server requests, cancel, version negotiation, 50 parallel calls, no
 * descriptor or child left after close; and against the reference server
 * @modelcontextprotocol/server-everything (build-deps/mcp, scripts/mcp-test-deps.sh).
 * Needs Node.js; the reference-server tests skip when build-deps/mcp is absent unless
 * GP_TEST_REQUIRE_NPM is set. */
// timeout: 240
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/mcp.h"
#include "geppetto/tool.h"
#include "testutil.h"

#define FAKE GP_FIXTURES "/../mcp/fake_server.mjs"
#define DEPS GP_FIXTURES "/../../build-deps/mcp"
#define EVERYTHING DEPS "/node_modules/@modelcontextprotocol/server-everything/dist/index.js"

/* Arguments the calls borrow, freed at the end of the run. */
static json_t *g_args;
static json_t *A(json_t *j) {
  if (g_args == NULL) g_args = json_array();
  json_array_append_new(g_args, j);
  return j;
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1; /* the directory's own descriptor */
}

static int no_children(void) {
  int st;
  pid_t r = waitpid(-1, &st, WNOHANG);
  if (r >= 0) { char cmd[64]; snprintf(cmd, sizeof cmd, "ps -o pid,ppid,stat,args --ppid %d", (int)getpid()); if (system(cmd)) {} }
  return r < 0 && errno == ECHILD;
}

static gp_mcp_client_t *fake(const char *const *extra, int64_t timeout_ms) {
  const char *args[8] = {FAKE};
  for (int i = 0; extra && extra[i]; i++) args[i + 1] = extra[i];
  gp_mcp_spec_t s = {.command = "node", .args = args, .name = "fake", .timeout_ms = timeout_ms};
  gp_mcp_client_t *c = NULL;
  gp_error_t *err = NULL;
  int rc = gp_mcp_connect(&s, &c, &err);
  if (rc != 0) fail_msg("connect: %s", err ? err->message : "?");
  return c;
}

/* The text of a tools/call result's first item (heap). */
static char *first_text(json_t *res) {
  json_t *t = json_object_get(json_array_get(json_object_get(res, "content"), 0), "text");
  return gp__xstrdup(json_is_string(t) ? json_string_value(t) : "");
}

static int call_text(gp_mcp_client_t *c, const char *name, json_t *args, char **text, gp_error_t **err) {
  json_t *res = NULL;
  int rc = gp_mcp_call_tool(c, name, args, NULL, &res, err);
  json_decref(args);
  *text = rc == 0 ? first_text(res) : NULL;
  json_decref(res);
  return rc;
}

static void test_pages_and_basics(void **state) {
  int fds = count_fds();
  gp_mcp_client_t *c = fake(NULL, 0);
  json_t *tools = gp_mcp_tools_cached(c);
  assert_int_equal(json_array_size(tools), 15); /* 3 pages of 5 */
  json_decref(tools);
  assert_string_equal(gp_mcp_protocol(c), GP_MCP_PROTOCOL_VERSION);
  json_t *info = gp_mcp_server_info(c);
  assert_string_equal(json_string_value(json_object_get(info, "name")), "fake");
  json_decref(info);
  char *t = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(call_text(c, "echo", json_pack("{s:s}", "text", "héllo"), &t, &err), 0);
  assert_string_equal(t, "héllo");
  free(t);
  assert_int_equal(call_text(c, "fail", NULL, &t, &err), GP_ERR_MCP_ERROR);
  assert_non_null(strstr(err->message, "fake failure"));
  gp_error_free(err);
  err = NULL;
  /* The server pings us; it asks for sampling, which we did not declare: -32601. */
  assert_int_equal(call_text(c, "ping_client", NULL, &t, &err), 0);
  assert_string_equal(t, "pong ok");
  free(t);
  assert_int_equal(call_text(c, "sample", NULL, &t, &err), 0);
  assert_string_equal(t, "error -32601");
  free(t);
  /* We ping it. */
  json_t *res = NULL;
  assert_int_equal(gp_mcp_request(c, "ping", NULL, NULL, &res, &err), 0);
  json_decref(res);
  gp_mcp_close(c);
  assert_int_equal(call_text(c, "echo", json_pack("{s:s}", "text", "x"), &t, &err), GP_ERR_MCP_CLOSED);
  gp_error_free(err);
  err = NULL;
  gp_registry_t *r = gp_registry_new();
  assert_int_equal(gp_mcp_use_tools(r, c, NULL, NULL, NULL, &err), GP_ERR_MCP_CLOSED);
  assert_int_equal(gp_registry_count(r), 0);
  gp_error_free(err);
  gp_registry_unref(r);
  gp_mcp_unref(c);
  assert_int_equal(count_fds(), fds);
  assert_true(no_children());
}

static void test_version_negotiation(void **state) {
  const char *old[] = {"--version", "2025-03-26", NULL};
  gp_mcp_client_t *c = fake(old, 0);
  assert_string_equal(gp_mcp_protocol(c), "2025-03-26");
  gp_mcp_unref(c);
  const char *bad[] = {"--version", "1999-01-01", NULL};
  const char *args[] = {FAKE, "--version", "1999-01-01", NULL};
  (void)bad;
  gp_mcp_spec_t s = {.command = "node", .args = args};
  gp_mcp_client_t *c2 = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(gp_mcp_connect(&s, &c2, &err), GP_ERR_MCP_PROTOCOL);
  assert_non_null(strstr(err->message, "1999-01-01"));
  gp_error_free(err);
  assert_true(no_children());
}

/* How many tools the client's cached list holds, once it holds `want` (2 s at most). */
static size_t cached_count(gp_mcp_client_t *c, size_t want) {
  size_t n = 0;
  for (int i = 0; i < 200; i++) {
    json_t *tools = gp_mcp_tools_cached(c);
    n = json_array_size(tools);
    json_decref(tools);
    if (n == want) break;
    gp__sleep_ms(10);
  }
  return n;
}

static int wait_has(gp_registry_t *r, const char *name, int want) {
  for (int i = 0; i < 200 && gp_registry_has(r, name) != want; i++) gp__sleep_ms(10);
  return gp_registry_has(r, name);
}

static int mine_cb(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  (void)ud, (void)ctx, (void)args, (void)err;
  *result = json_string("mine");
  return 0;
}

static void test_list_changed(void **state) {
  gp_mcp_client_t *c = fake(NULL, 0);
  gp_error_t *err = NULL;
  char *t;
  /* With no registry bound, the cached list follows too (useMCP binds from it). */
  assert_int_equal(call_text(c, "change", NULL, &t, &err), 0);
  free(t);
  assert_int_equal(cached_count(c, 16), 16);
  gp_registry_t *r = gp_registry_new();
  assert_int_equal(gp_mcp_use_tools(r, c, NULL, NULL, "f_", &err), 0);
  assert_true(gp_registry_has(r, "f_echo"));
  assert_true(gp_registry_has(r, "f_added"));
  /* A tool the server drops leaves the registry. */
  assert_int_equal(call_text(c, "change", json_pack("{s:s}", "remove", "added"), &t, &err), 0);
  free(t);
  assert_false(wait_has(r, "f_added", 0));
  assert_int_equal(cached_count(c, 15), 15);
  /* A name the registry's owner took over stays theirs when the list changes. */
  assert_int_equal(gp_registry_add(r, "f_sleep", "mine", NULL, mine_cb, NULL, NULL, &err), 0);
  assert_int_equal(call_text(c, "change", json_pack("{s:s}", "remove", "fail"), &t, &err), 0);
  free(t);
  assert_false(wait_has(r, "f_fail", 0));
  /* Listing waits for the refresh under way (one at a time): it is complete after. */
  json_t *tools = NULL;
  assert_int_equal(gp_mcp_tools(c, &tools, &err), 0);
  assert_int_equal(json_array_size(tools), 14);
  json_decref(tools);
  assert_true(gp_registry_has(r, "f_echo"));
  json_t *tags = json_object(), *v = NULL;
  gp_tool_ctx_t ctx = {.run = {.session_id = "", .run_id = "", .tags = tags}, .tool_name = "x", .call_id = "c1"};
  assert_int_equal(gp_registry_call(r, &ctx, "f_sleep", A(json_object()), &v, &err), 0);
  assert_string_equal(json_string_value(v), "mine");
  json_decref(v);
  json_decref(tags);
  assert_int_equal(gp_mcp_tools_generation(c), 3);
  gp_mcp_close(c);
  gp_registry_unref(r);
  gp_mcp_unref(c);
}

/* The text a registry's tool `name` returns (heap), or NULL when the call fails. */
static char *reg_text(gp_registry_t *r, const char *name) {
  json_t *tags = json_object(), *v = NULL;
  gp_tool_ctx_t ctx = {.run = {.session_id = "", .run_id = "", .tags = tags}, .tool_name = name, .call_id = "c1"};
  gp_error_t *err = NULL;
  int rc = gp_registry_call(r, &ctx, name, A(json_object()), &v, &err);
  char *t = rc == 0 && json_is_string(v) ? gp__xstrdup(json_string_value(v)) : NULL;
  json_decref(v);
  json_decref(tags);
  gp_error_free(err);
  return t;
}

static void expect_call(gp_registry_t *r, const char *name, const char *want) {
  char *t = reg_text(r, name);
  if (t == NULL || strcmp(t, want) != 0) fail_msg("%s answered %s, not %s", name, t ? t : "(failure)", want);
  free(t);
}

/* Server names outside ^[a-zA-Z0-9_-]{1,64}$ are registered mapped (the call still uses
 * the server's name); names fine as they are keep theirs; useMCP is all or nothing. */
static void test_odd_names(void **state) {
  const char *odd[] = {"--odd-names", NULL};
  gp_mcp_client_t *c = fake(odd, 0);
  gp_registry_t *r = gp_registry_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_mcp_use_tools(r, c, NULL, NULL, NULL, &err), 0);
  assert_int_equal(gp_registry_count(r), 21);
  char x64[65], x62[70], x70[71], x70y[72];
  memset(x64, 'x', 64), x64[64] = 0;
  memset(x70, 'x', 70), x70[70] = 0;
  snprintf(x62, sizeof x62, "%.62s_2", x70);
  snprintf(x70y, sizeof x70y, "%sy", x70);
  char want[96];
  expect_call(r, "ns_tool", "called ns.tool");
  expect_call(r, "a_b", "called a_b"); /* the server's own a_b keeps its name */
  expect_call(r, "a_b_2", "called a/b");
  snprintf(want, sizeof want, "called %s", x70);
  expect_call(r, x64, want);
  snprintf(want, sizeof want, "called %s", x70y);
  expect_call(r, x62, want);
  expect_call(r, "caf__", "called caf\u00e9\u2713");
  /* A prefix is mapped too. */
  gp_registry_t *r2 = gp_registry_new();
  assert_int_equal(gp_mcp_use_tools(r2, c, (const char *const[]){"ns.tool", "a_b", NULL}, NULL, "my.", &err), 0);
  assert_int_equal(gp_registry_count(r2), 2);
  expect_call(r2, "my_ns_tool", "called ns.tool");
  expect_call(r2, "my_a_b", "called a_b");
  /* All or nothing: a name taken fails the whole useMCP and registers none. */
  gp_registry_t *r3 = gp_registry_new();
  assert_int_equal(gp_registry_add(r3, "sleep", "mine", NULL, mine_cb, NULL, NULL, &err), 0);
  assert_int_equal(gp_mcp_use_tools(r3, c, NULL, NULL, NULL, &err), GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "sleep"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp_registry_count(r3), 1);
  /* ... and binds nothing: a later list_changed adds nothing to it. */
  char *t;
  assert_int_equal(call_text(c, "change", NULL, &t, &err), 0);
  free(t);
  assert_int_equal(cached_count(c, 22), 22);
  json_t *tools = NULL;
  assert_int_equal(gp_mcp_tools(c, &tools, &err), 0); /* waits for the refresh */
  json_decref(tools);
  assert_true(gp_registry_has(r, "added"));
  assert_int_equal(gp_registry_count(r3), 1);
  gp_mcp_close(c);
  gp_registry_unref(r);
  gp_registry_unref(r2);
  gp_registry_unref(r3);
  gp_mcp_unref(c);
}

/* stdio: the server gets our environment with the spec's entries over it, and starts in
 * the spec's directory. */
static void test_env_and_cwd(void **state) {
  char dir[] = "/tmp/gp-mcp-cwd-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char real[4096];
  assert_non_null(realpath(dir, real));
  setenv("GP_MCP_TEST_KEPT", "ours", 1);
  setenv("GP_MCP_TEST_OVER", "ours", 1);
  const char *args[] = {FAKE, NULL};
  const char *env[] = {"GP_MCP_TEST_OVER=theirs", "GP_MCP_TEST_NEW=new", NULL};
  gp_mcp_spec_t s = {.command = "node", .args = args, .env = env, .cwd = dir, .name = "fake"};
  gp_mcp_client_t *c = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(gp_mcp_connect(&s, &c, &err), 0);
  char *t = NULL;
  json_t *names = json_pack("{s:[s,s,s]}", "names", "GP_MCP_TEST_KEPT", "GP_MCP_TEST_OVER", "GP_MCP_TEST_NEW");
  assert_int_equal(call_text(c, "env", names, &t, &err), 0);
  json_t *got = json_loads(t, 0, NULL);
  free(t);
  assert_string_equal(json_string_value(json_object_get(got, "cwd")), real);
  json_t *e = json_object_get(got, "env");
  assert_string_equal(json_string_value(json_object_get(e, "GP_MCP_TEST_KEPT")), "ours");
  assert_string_equal(json_string_value(json_object_get(e, "GP_MCP_TEST_OVER")), "theirs");
  assert_string_equal(json_string_value(json_object_get(e, "GP_MCP_TEST_NEW")), "new");
  json_decref(got);
  gp_mcp_unref(c);
  unsetenv("GP_MCP_TEST_KEPT");
  unsetenv("GP_MCP_TEST_OVER");
  /* A directory that does not exist: a clear error naming it. */
  s.cwd = "/nonexistent/gp-mcp";
  assert_int_not_equal(gp_mcp_connect(&s, &c, &err), 0);
  assert_non_null(strstr(err->message, "/nonexistent/gp-mcp"));
  gp_error_free(err);
  rmdir(dir);
  assert_true(no_children());
}

static void test_crash_garbage_restart(void **state) {
  gp_mcp_client_t *c = fake(NULL, 0);
  char *t = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(call_text(c, "crash", NULL, &t, &err), GP_ERR_MCP_CLOSED);
  assert_non_null(strstr(err->message, "exited with status 3"));
  assert_non_null(strstr(err->message, "crashing on purpose"));
  gp_error_free(err);
  err = NULL;
  /* The next call starts it again. */
  assert_int_equal(call_text(c, "echo", json_pack("{s:s}", "text", "back"), &t, &err), 0);
  assert_string_equal(t, "back");
  free(t);
  /* Garbage on stdout breaks the connection: MCP_CLOSED naming it, with stderr's tail. */
  assert_int_equal(call_text(c, "garbage", NULL, &t, &err), GP_ERR_MCP_CLOSED);
  assert_non_null(strstr(err->message, "malformed message (not JSON): this is not json {"));
  assert_non_null(strstr(err->message, "its stderr ends with: fake: writing garbage on purpose"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(call_text(c, "echo", json_pack("{s:s}", "text", "again"), &t, &err), 0);
  free(t);
  gp_mcp_unref(c);
  assert_true(no_children());
  /* Without restart, the client stays closed. */
  const char *args[] = {FAKE, NULL};
  gp_mcp_spec_t s = {.command = "node", .args = args, .no_restart = 1};
  assert_int_equal(gp_mcp_connect(&s, &c, &err), 0);
  assert_int_equal(call_text(c, "crash", NULL, &t, &err), GP_ERR_MCP_CLOSED);
  gp_error_free(err);
  err = NULL;
  assert_int_equal(call_text(c, "echo", json_pack("{s:s}", "text", "x"), &t, &err), GP_ERR_MCP_CLOSED);
  assert_non_null(strstr(err->message, "status 3"));
  gp_error_free(err);
  gp_mcp_unref(c);
  assert_true(no_children());
}

static void test_timeout_and_cancel(void **state) {
  gp_mcp_client_t *c = fake(NULL, 0);
  char *t = NULL;
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  gp_mcp_call_opts_t quick = {.timeout_ms = 300};
  json_t *r0 = NULL;
  assert_int_equal(gp_mcp_call_tool(c, "never", NULL, &quick, &r0, &err), GP_ERR_TIMEOUT);
  int64_t took = gp__mono_ms() - t0;
  assert_true(took >= 250 && took < 3000);
  gp_error_free(err);
  err = NULL;
  /* A cancel token fires mid-call: the call fails at once, the server hears of it. */
  gp_cancel_t *k = gp_cancel_new(NULL);
  gp_cancel_fire_after(k, 50, GP_ERR_CANCELED);
  gp_mcp_call_opts_t o = {.cancel = k, .timeout_ms = 10000};
  json_t *res = NULL;
  t0 = gp__mono_ms();
  assert_int_equal(gp_mcp_call_tool(c, "never", NULL, &o, &res, &err), GP_ERR_CANCELED);
  assert_true(gp__mono_ms() - t0 < 1000);
  gp_error_free(err);
  err = NULL;
  gp_cancel_unref(k);
  /* The caller's token fires with TIMEOUT (a tool call's executionTimeoutMs): the message
   * gives the time the call had, not the client's timeout. */
  k = gp_cancel_new(NULL);
  gp_cancel_fire_after(k, 150, GP_ERR_TIMEOUT);
  o.cancel = k;
  assert_int_equal(gp_mcp_call_tool(c, "never", NULL, &o, &res, &err), GP_ERR_TIMEOUT);
  assert_non_null(strstr(err->message, "within the call's time limit (1"));
  assert_null(strstr(err->message, "10000"));
  gp_error_free(err);
  err = NULL;
  gp_cancel_unref(k);
  assert_int_equal(call_text(c, "cancelled", NULL, &t, &err), 0);
  json_t *ids = json_loads(t, 0, NULL);
  assert_int_equal(json_array_size(ids), 3); /* the timed-out ones and the canceled one */
  json_decref(ids);
  free(t);
  gp_mcp_unref(c);
}

typedef struct {
  gp_mcp_client_t *c;
  int i;
  int ok;
} par_t;

static void *par_main(void *arg) {
  par_t *p = arg;
  char tag[16];
  snprintf(tag, sizeof tag, "t%d", p->i);
  char *t = NULL;
  gp_error_t *err = NULL;
  int rc = call_text(p->c, "sleep", json_pack("{s:i, s:s}", "ms", (p->i * 7) % 50, "tag", tag), &t, &err);
  char want[32];
  snprintf(want, sizeof want, "slept %s", tag);
  p->ok = rc == 0 && strcmp(t, want) == 0;
  free(t);
  gp_error_free(err);
  return NULL;
}

/* 50 calls at once; their answers come back in another order than they were sent. */
static void test_parallel_out_of_order(void **state) {
  int fds = count_fds();
  gp_mcp_client_t *c = fake(NULL, 0);
  pthread_t th[50];
  par_t p[50];
  for (int i = 0; i < 50; i++) {
    p[i] = (par_t){c, i, 0};
    pthread_create(&th[i], NULL, par_main, &p[i]);
  }
  for (int i = 0; i < 50; i++) {
    pthread_join(th[i], NULL);
    assert_true(p[i].ok);
  }
  gp_mcp_unref(c);
  assert_int_equal(count_fds(), fds);
  assert_true(no_children());
}

static void test_big_result_and_mapping(void **state) {
  gp_mcp_client_t *c = fake(NULL, 0);
  json_t *res = NULL;
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_mcp_call_tool(c, "big", A(json_pack("{s:i}", "mb", 20)), NULL, &res, &err), 0);
  json_t *text = json_object_get(json_array_get(json_object_get(res, "content"), 0), "text");
  assert_int_equal(json_string_length(text), 20u * 1024 * 1024);
  print_message("20 MB result in %lld ms\n", (long long)(gp__mono_ms() - t0));
  json_decref(res);
  /* Mapping through a registry: structured content checked against outputSchema. */
  gp_registry_t *r = gp_registry_new();
  assert_int_equal(gp_mcp_use_tools(r, c, (const char *const[]){"structured", "bad_structured", "is_error", "echo", NULL},
                                    NULL, NULL, &err),
                   0);
  assert_false(gp_registry_has(r, "crash"));
  json_t *tags = json_object();
  gp_tool_ctx_t ctx = {.run = {.session_id = "", .run_id = "", .tags = tags}, .tool_name = "x", .call_id = "c1"};
  json_t *v = NULL;
  assert_int_equal(gp_registry_call(r, &ctx, "structured", A(json_object()), &v, &err), 0);
  assert_int_equal(json_integer_value(json_object_get(v, "n")), 7);
  json_decref(v);
  assert_int_equal(gp_registry_call(r, &ctx, "bad_structured", A(json_object()), &v, &err), GP_ERR_TOOL_FAILED);
  assert_non_null(strstr(err->message, "outputSchema"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp_registry_call(r, &ctx, "is_error", A(json_object()), &v, &err), GP_ERR_TOOL_FAILED);
  assert_string_equal(err->message, "it went wrong");
  gp_error_free(err);
  err = NULL;
  /* inputSchema checked by our validator before the call. */
  json_t *bad = json_pack("{s:i}", "text", 3);
  assert_int_equal(gp_registry_call(r, &ctx, "echo", bad, &v, &err), GP_ERR_INVALID_ARGUMENT);
  json_decref(bad);
  gp_error_free(err);
  err = NULL;
  json_t *good = json_pack("{s:s}", "text", "plain");
  assert_int_equal(gp_registry_call(r, &ctx, "echo", good, &v, &err), 0);
  assert_string_equal(json_string_value(v), "plain");
  json_decref(good);
  json_decref(v);
  json_decref(tags);
  gp_mcp_close(c); /* unbinds the registry: its tools hold references on the client */
  gp_registry_unref(r);
  gp_mcp_unref(c);
}

static int have_everything(void) {
  struct stat st;
  if (stat(EVERYTHING, &st) == 0) return 1;
  if (getenv("GP_TEST_REQUIRE_NPM")) fail_msg("build-deps/mcp is missing: run scripts/mcp-test-deps.sh");
  print_message("skipped: build-deps/mcp is missing (scripts/mcp-test-deps.sh installs it)\n");
  return 0;
}

typedef struct {
  atomic_int n;
  double last, total;
} prog_t;

static void on_prog(void *ud, double progress, double total, const char *message) {
  prog_t *p = ud;
  (void)message;
  p->last = progress;
  p->total = total;
  atomic_fetch_add(&p->n, 1);
}

static void test_everything_stdio(void **state) {
  if (!have_everything()) {
    skip();
    return;
  }
  int fds = count_fds();
  const char *args[] = {EVERYTHING, "stdio", NULL};
  gp_mcp_spec_t s = {.command = "node", .args = args};
  gp_mcp_client_t *c = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(gp_mcp_connect(&s, &c, &err), 0);
  json_t *res = NULL;
  assert_int_equal(gp_mcp_call_tool(c, "get-sum", A(json_pack("{s:i, s:i}", "a", 2, "b", 3)), NULL, &res, &err), 0);
  char *t = first_text(res);
  assert_non_null(strstr(t, "5"));
  free(t);
  json_decref(res);
  prog_t p = {0};
  gp_mcp_call_opts_t o = {.on_progress = on_prog, .progress_ud = &p};
  assert_int_equal(gp_mcp_call_tool(c, "trigger-long-running-operation", A(json_pack("{s:i, s:i}", "duration", 1, "steps", 4)),
                                    &o, &res, &err),
                   0);
  json_decref(res);
  assert_true(atomic_load(&p.n) >= 3);
  assert_true(p.total == 4);
  gp_mcp_unref(c);
  assert_int_equal(count_fds(), fds);
  assert_true(no_children());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_pages_and_basics),      GP_TEST(test_version_negotiation),
      GP_TEST(test_list_changed),          GP_TEST(test_odd_names),
      GP_TEST(test_env_and_cwd),           GP_TEST(test_crash_garbage_restart),
      GP_TEST(test_timeout_and_cancel),    GP_TEST(test_parallel_out_of_order),
      GP_TEST(test_big_result_and_mapping), GP_TEST(test_everything_stdio),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  json_decref(g_args);
  return rc;
}
