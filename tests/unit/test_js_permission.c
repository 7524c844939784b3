// timeout: 60
/* Tests for the permission set (src/js/permission.c): parsing the --permission /
 * --allow-* options (lists, `*`, bad values refused with a message naming them and the
 * set left unchanged), path grants (subtrees, normalisation, relative paths, trailing
 * wildcards), network grants (ports, IPv6, case, subdomain wildcards), the NULL set that
 * allows everything, a runtime given a set by its host, and the checks of its
 * host.permission (the errors' code, message, permission and resource). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "js/js_private.h"
#include "js/permission.h"
#include "js/runtime.h"
#include "testutil.h"

/* Applies one option that must be accepted. */
static void grant(gp__perm_t *p, const char *name, const char *value) {
  char *err = NULL;
  int rc = gp__perm_apply(p, name, value, &err);
  if (rc != 0) fail_msg("%s=%s refused: %s", name, value ? value : "(none)", err);
  assert_null(err);
}

/* Applies one option that must be refused with a message containing `want`. */
static void refuse(gp__perm_t *p, const char *name, const char *value, const char *want) {
  char *err = NULL;
  assert_int_equal(gp__perm_apply(p, name, value, &err), -1);
  assert_non_null(err);
  if (strstr(err, want) == NULL) fail_msg("message '%s' lacks '%s'", err, want);
  free(err);
}

static void test_flags(void **state) {
  (void)state;
  assert_int_equal(gp__perm_flag_kind("--permission"), GP__PERM_FLAG_BARE);
  assert_int_equal(gp__perm_flag_kind("--allow-env"), GP__PERM_FLAG_BARE);
  assert_int_equal(gp__perm_flag_kind("--allow-child-process"), GP__PERM_FLAG_BARE);
  assert_int_equal(gp__perm_flag_kind("--allow-net"), GP__PERM_FLAG_VALUE);
  assert_int_equal(gp__perm_flag_kind("--allow-fs-read"), GP__PERM_FLAG_VALUE);
  assert_int_equal(gp__perm_flag_kind("--allow-fs-write"), GP__PERM_FLAG_VALUE);
  assert_int_equal(gp__perm_flag_kind("--allow-net=x"), GP__PERM_FLAG_NONE);
  assert_int_equal(gp__perm_flag_kind("--stats"), GP__PERM_FLAG_NONE);
  assert_int_equal(gp__perm_flag_kind(NULL), GP__PERM_FLAG_NONE);
}

/* Only --permission: nothing granted; each bare flag grants its one capability. */
static void test_bare(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/work");
  grant(p, "--permission", NULL);
  assert_true(gp__perm_enabled(p));
  assert_false(gp__perm_env(p));
  assert_false(gp__perm_child(p));
  assert_false(gp__perm_fs_read(p, "/work/a"));
  assert_false(gp__perm_fs_write(p, "/work/a"));
  assert_false(gp__perm_net(p, "localhost", 80));
  grant(p, "--allow-env", NULL);
  assert_true(gp__perm_env(p));
  assert_false(gp__perm_child(p));
  grant(p, "--allow-child-process", NULL);
  assert_true(gp__perm_child(p));
  refuse(p, "--allow-env", "HOME", "--allow-env takes no value");
  refuse(p, "--permission", "", "--permission takes no value");
  refuse(p, "--allow-everything", NULL, "unknown option --allow-everything");
  gp__perm_free(p);
}

/* The NULL set is the model off: everything allowed. */
static void test_off(void **state) {
  (void)state;
  assert_false(gp__perm_enabled(NULL));
  assert_true(gp__perm_fs_read(NULL, "/etc/passwd"));
  assert_true(gp__perm_fs_read(NULL, NULL));
  assert_true(gp__perm_fs_write(NULL, "rel"));
  assert_true(gp__perm_net(NULL, "example.com", 443));
  assert_true(gp__perm_net(NULL, NULL, -1));
  assert_true(gp__perm_child(NULL));
  assert_true(gp__perm_env(NULL));
  gp__perm_free(NULL);
}

static void test_fs_paths(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/home/ann/proj");
  grant(p, "--allow-fs-read", "/data/,/etc/hosts,./src,../shared//x/./y/..");
  /* a directory covers what is under it, not its siblings with the same prefix */
  assert_true(gp__perm_fs_read(p, "/data"));
  assert_true(gp__perm_fs_read(p, "/data/"));
  assert_true(gp__perm_fs_read(p, "/data/a/b.txt"));
  assert_false(gp__perm_fs_read(p, "/database"));
  assert_false(gp__perm_fs_read(p, "/"));
  /* a file covers itself (and, lexically, anything "under" it) */
  assert_true(gp__perm_fs_read(p, "/etc/hosts"));
  assert_false(gp__perm_fs_read(p, "/etc/hostname"));
  assert_false(gp__perm_fs_read(p, "/etc"));
  /* relative grants are resolved against the set's cwd, normalised */
  assert_true(gp__perm_fs_read(p, "/home/ann/proj/src/main.js"));
  assert_true(gp__perm_fs_read(p, "/home/ann/shared/x/z"));
  assert_false(gp__perm_fs_read(p, "/home/ann/shared/y"));
  /* so are relative and unnormalised queries; ".." cannot climb out unnoticed */
  assert_true(gp__perm_fs_read(p, "src/a.js"));
  assert_true(gp__perm_fs_read(p, "./src/../src//b.js"));
  assert_false(gp__perm_fs_read(p, "src/../secret"));
  assert_false(gp__perm_fs_read(p, "/data/../etc/passwd"));
  assert_true(gp__perm_fs_read(p, "/../../data/x"));
  /* no path: "every path", which only `*` grants */
  assert_false(gp__perm_fs_read(p, NULL));
  /* reading does not grant writing */
  assert_false(gp__perm_fs_write(p, "/data/a"));
  grant(p, "--allow-fs-write", "/tmp/out");
  assert_true(gp__perm_fs_write(p, "/tmp/out/x"));
  assert_false(gp__perm_fs_read(p, "/tmp/out/x"));
  gp__perm_free(p);
}

static void test_fs_star(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/w");
  grant(p, "--allow-fs-read", "*");
  assert_true(gp__perm_fs_read(p, NULL));
  assert_true(gp__perm_fs_read(p, "/anything"));
  assert_false(gp__perm_fs_write(p, "/anything"));
  assert_false(gp__perm_fs_write(p, NULL));
  grant(p, "--allow-fs-write", "/home/test*,/srv/*");
  assert_true(gp__perm_fs_write(p, "/home/test"));
  assert_true(gp__perm_fs_write(p, "/home/test2/a"));
  assert_false(gp__perm_fs_write(p, "/home/tes"));
  assert_true(gp__perm_fs_write(p, "/srv/a"));
  assert_false(gp__perm_fs_write(p, "/srv"));
  assert_false(gp__perm_fs_write(p, "/srvx"));
  grant(p, "--allow-fs-write", "/");
  assert_true(gp__perm_fs_write(p, "/etc/x"));
  assert_false(gp__perm_fs_write(p, NULL)); /* "/" is a path, not `*` */
  gp__perm_free(p);
}

static void test_fs_refused(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/w");
  refuse(p, "--allow-fs-read", "", "--allow-fs-read= needs a value");
  refuse(p, "--allow-fs-read", NULL, "needs a value");
  refuse(p, "--allow-fs-write", "/a,,/b", "--allow-fs-write=/a,,/b has an empty item");
  refuse(p, "--allow-fs-write", "/a,", "empty item");
  assert_false(gp__perm_fs_write(p, "/a")); /* unchanged */
  gp__perm_free(p);
}

static void test_net_hosts(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/");
  grant(p, "--allow-net", "Example.COM,api.test:8443,127.0.0.1:3000,[::1]:8080,*.corp.internal");
  /* a host without a port: every port; case-insensitive; a trailing dot ignored */
  assert_true(gp__perm_net(p, "example.com", 443));
  assert_true(gp__perm_net(p, "EXAMPLE.com", 80));
  assert_true(gp__perm_net(p, "example.com.", 1));
  assert_true(gp__perm_net(p, "example.com", -1));
  assert_false(gp__perm_net(p, "www.example.com", 443));
  assert_false(gp__perm_net(p, "example.co", 443));
  /* a host with a port: that port only; "every port" is not granted */
  assert_true(gp__perm_net(p, "api.test", 8443));
  assert_false(gp__perm_net(p, "api.test", 443));
  assert_false(gp__perm_net(p, "api.test", -1));
  assert_true(gp__perm_net(p, "127.0.0.1", 3000));
  assert_false(gp__perm_net(p, "127.0.0.1", 3001));
  assert_false(gp__perm_net(p, "localhost", 3000));
  /* IPv6: with or without brackets, any spelling of the same address */
  assert_true(gp__perm_net(p, "::1", 8080));
  assert_true(gp__perm_net(p, "[::1]", 8080));
  assert_true(gp__perm_net(p, "[0:0:0:0:0:0:0:1]", 8080));
  assert_false(gp__perm_net(p, "[::1]", 80));
  assert_false(gp__perm_net(p, "[::2]", 8080));
  /* *.DOMAIN: subdomains at any depth, not the domain itself */
  assert_true(gp__perm_net(p, "git.corp.internal", 22));
  assert_true(gp__perm_net(p, "a.b.CORP.internal", 443));
  assert_false(gp__perm_net(p, "corp.internal", 443));
  assert_false(gp__perm_net(p, "evilcorp.internal", 443));
  /* no host: every host, which only `*` grants */
  assert_false(gp__perm_net(p, NULL, -1));
  assert_false(gp__perm_net(p, "", 80));
  gp__perm_free(p);
}

static void test_net_star(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/");
  grant(p, "--allow-net", "*:8080,::1");
  assert_true(gp__perm_net(p, "anything.example", 8080));
  assert_false(gp__perm_net(p, "anything.example", 80));
  assert_true(gp__perm_net(p, "::1", 9)); /* a bare IPv6 address has no port */
  assert_false(gp__perm_net(p, NULL, -1));
  grant(p, "--allow-net", "*");
  assert_true(gp__perm_net(p, NULL, -1));
  assert_true(gp__perm_net(p, "x", 1));
  gp__perm_free(p);
}

static void test_net_refused(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/");
  refuse(p, "--allow-net", "", "--allow-net= needs a value");
  refuse(p, "--allow-net", "a.com,example.com:99999", "'example.com:99999' has a bad port");
  refuse(p, "--allow-net", "example.com:0", "bad port");
  refuse(p, "--allow-net", "example.com:", "bad port");
  refuse(p, "--allow-net", "example.com:8a", "bad port");
  refuse(p, "--allow-net", "[::1]:x", "bad port");
  refuse(p, "--allow-net", "https://example.com", "not a URL");
  refuse(p, "--allow-net", ":80", "has no host");
  refuse(p, "--allow-net", "[::1", "has no host");
  refuse(p, "--allow-net", "exa mple.com", "invalid host");
  refuse(p, "--allow-net", "[nothex::zz]", "invalid host");
  refuse(p, "--allow-net", "a.com,,b.com", "empty item");
  assert_false(gp__perm_net(p, "a.com", 80)); /* a refused list grants nothing */
  gp__perm_free(p);
}

/* Splitting what requireNet and has("net", ref) are given. */
static void test_split_net(void **state) {
  (void)state;
  struct {
    const char *ref, *host;
    int port, is_default;
  } cases[] = {
      {"https://Example.com/path?q", "example.com", 443, 1},
      {"http://example.com", "example.com", 80, 1},
      {"http://user:pw@example.com:8080/", "example.com", 8080, 0},
      {"wss://h.test", "h.test", 443, 1},
      {"http://[::1]:3000/x", "::1", 3000, 0},
      {"ftp://files.test/a", "files.test", -1, 0},
      {"example.com:8443", "example.com", 8443, 0},
      {"example.com", "example.com", -1, 0},
      {"[::1]", "::1", -1, 0},
      {"::1", "::1", -1, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *host = NULL;
    int port = 0, d = 0;
    if (gp__perm_split_net(cases[i].ref, &host, &port, &d) != 0) fail_msg("%s refused", cases[i].ref);
    assert_string_equal(host, cases[i].host);
    assert_int_equal(port, cases[i].port);
    assert_int_equal(d, cases[i].is_default);
    free(host);
  }
  char *host = NULL;
  int port = 0;
  assert_int_equal(gp__perm_split_net("http://:80/", &host, &port, NULL), -1);
  assert_int_equal(gp__perm_split_net("example.com:70000", &host, &port, NULL), -1);
  assert_int_equal(gp__perm_split_net(NULL, &host, &port, NULL), -1);
  assert_null(host);
}

static void test_resolve(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/a/b");
  struct {
    const char *in, *out;
  } cases[] = {{"c", "/a/b/c"}, {"../c/", "/a/c"}, {"/x//y/./z/", "/x/y/z"},
               {"/..", "/"},    {"", "/a/b"},       {"../../../..", "/"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *r = gp__perm_resolve(p, cases[i].in);
    assert_string_equal(r, cases[i].out);
    free(r);
  }
  gp__perm_free(p);
}

/* A host hands a set to a runtime: the script sees process.permission and its denials. */
static void test_runtime_option(void **state) {
  (void)state;
  gp_owner_t *owner = NULL;
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  gp__perm_t *p = gp__perm_new("/srv");
  grant(p, "--allow-net", "api.test");
  grant(p, "--allow-fs-read", "data");
  char *argv[] = {"test"};
  gp_js_options_t opts = {.argc = 1, .argv = argv, .perm = p};
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, &opts, &rt), GP_OK);
  const char *script =
      "assert.equal(process.permission.has('net', 'api.test:443'), true);\n"
      "assert.equal(process.permission.has('fs.read', '/srv/data/x'), true);\n"
      "assert.equal(process.permission.has('fs.read', '/srv/other'), false);\n"
      "assert.throws(() => process.env.HOME, {code: 'ERR_ACCESS_DENIED'});\n"
      "process.exitCode = 42;\n";
  assert_int_equal(gp__js_runtime_eval(rt, script), GP_OK);
  assert_int_equal(gp__js_runtime_wait(rt), GP_OK);
  assert_int_equal(gp__js_runtime_exit_code(rt), 42);
  gp__js_runtime_close(rt);
  gp_owner_free(owner);
  gp__js_runtime_free(rt);
  gp__perm_free(p);
}

/* host.permission's checks, called as the modules call them, under a set granting
 * api.test (any port), 127.0.0.1:8080 and reads under /srv/data, cwd /srv. */
static const char *checks_on =
    "(function (perm) {\n"
    "  const denied = (fn) => {\n"
    "    try { fn(); } catch (e) { assert.equal(e.code, 'ERR_ACCESS_DENIED'); assert(e instanceof Error); return e; }\n"
    "    throw new Error('not denied');\n"
    "  };\n"
    "  const same = (e, message, permission, resource) => {\n"
    "    assert.equal(e.message, message); assert.equal(e.permission, permission); assert.equal(e.resource, resource);\n"
    "  };\n"
    "  assert.equal(perm.enabled, true);\n"
    "  perm.requireNet('https://api.test/v1');\n"
    "  perm.requireNet('api.test', 8443);\n"
    "  perm.requireNet('http://127.0.0.1:8080/x');\n"
    "  perm.requireNet({toString: () => 'https://API.test/'}); /* a URL object: its href */\n"
    "  same(denied(() => perm.requireNet('https://example.com/', undefined, 'fetch https://example.com/')),\n"
    "       'Access to example.com:443 denied: fetch https://example.com/ needs --allow-net=example.com', 'Net', 'example.com:443');\n"
    "  same(denied(() => perm.requireNet('https://example.com/', 443, 'fetch')),\n"
    "       'Access to example.com:443 denied: fetch needs --allow-net=example.com', 'Net', 'example.com:443');\n"
    "  same(denied(() => perm.requireNet('http://127.0.0.1:9000/')),\n"
    "       'Access to 127.0.0.1:9000 denied: it needs --allow-net=127.0.0.1:9000', 'Net', '127.0.0.1:9000');\n"
    "  same(denied(() => perm.requireNet('http://[::1]/')), 'Access to [::1]:80 denied: it needs --allow-net=[::1]', 'Net', '[::1]:80');\n"
    "  same(denied(() => perm.requireNet('localhost', 5432)),\n"
    "       'Access to localhost:5432 denied: it needs --allow-net=localhost:5432', 'Net', 'localhost:5432');\n"
    "  same(denied(() => perm.requireNet('http://127.0.0.1:8080/', 8081)),\n"
    "       'Access to 127.0.0.1:8081 denied: it needs --allow-net=127.0.0.1:8081', 'Net', '127.0.0.1:8081');\n"
    "  assert.throws(() => perm.requireNet('http:///'), {code: 'ERR_INVALID_ARG_VALUE'});\n"
    "  assert.throws(() => perm.requireNet(), {code: 'ERR_INVALID_ARG_VALUE', message: /no host in '\\?'/});\n"
    "  assert.throws(() => perm.requireNet('api.test', 0), {code: 'ERR_INVALID_ARG_VALUE'});\n"
    "  perm.requireFs('read', '/srv/data/a.txt');\n"
    "  perm.requireFs('read', 'data/b.txt');\n"
    "  same(denied(() => perm.requireFs('read', '../etc/passwd', 'readFile ../etc/passwd')),\n"
    "       'Access to /etc/passwd denied: readFile ../etc/passwd needs --allow-fs-read=/etc/passwd', 'FileSystemRead', '/etc/passwd');\n"
    "  same(denied(() => perm.requireFs('write', 'data/out')),\n"
    "       'Access to /srv/data/out denied: it needs --allow-fs-write=/srv/data/out', 'FileSystemWrite', '/srv/data/out');\n"
    "  assert.throws(() => perm.requireFs('exec', '/x'), {code: 'ERR_INVALID_ARG_VALUE'});\n"
    "  same(denied(() => perm.requireChild('spawn ls')),\n"
    "       'Access to child processes denied: spawn ls needs --allow-child-process', 'ChildProcess', 'spawn ls');\n"
    "  same(denied(() => perm.requireChild()), 'Access to child processes denied: it needs --allow-child-process', 'ChildProcess', 'child_process');\n"
    "  same(denied(() => perm.requireEnv('HOME')), 'Access to environment variable HOME denied: it needs --allow-env', 'EnvVar', 'HOME');\n"
    "  same(denied(() => perm.requireEnv()), 'Access to the environment denied: it needs --allow-env', 'EnvVar', 'process.env');\n"
    "  assert.equal(perm.has('net', 'api.test:1'), true);\n"
    "})";

/* The same checks with the model off: each passes, has() is true for Node's scopes. */
static const char *checks_off =
    "(function (perm) {\n"
    "  assert.equal(perm.enabled, false);\n"
    "  perm.requireNet('https://example.com/');\n"
    "  perm.requireFs('write', '/etc/passwd');\n"
    "  perm.requireChild('spawn ls');\n"
    "  perm.requireEnv('HOME');\n"
    "  for (const s of ['fs', 'fs.read', 'fs.write', 'net', 'child', 'env', 'worker']) assert.equal(perm.has(s), true, s);\n"
    "  assert.equal(perm.has('no.such.scope'), false);\n"
    "})";

typedef struct {
  gp_js_runtime_t *rt;
  const char *src;
} checks_t;

/* Owner: evaluates the function q->src and calls it with host.permission. */
static int run_checks(void *arg, gp_owner_completion_t *c, void **result) {
  (void)c;
  (void)result;
  checks_t *q = arg;
  JSContextRef ctx = q->rt->ctx;
  JSStringRef s = gp__js_string(q->src);
  JSValueRef exc = NULL;
  JSValueRef fn = JSEvaluateScript(ctx, s, NULL, NULL, 1, &exc);
  JSStringRelease(s);
  if (exc == NULL) {
    JSValueRef perm = gp__js_get(ctx, q->rt->host, "permission");
    JSObjectCallAsFunction(ctx, (JSObjectRef)fn, NULL, 1, &perm, &exc);
  }
  if (exc) gp__js_report(ctx, exc, "checks");
  return exc ? GP_ERR_INTERNAL : GP_OK;
}

static void check_host_permission(const gp__perm_t *p, const char *src) {
  gp_owner_t *owner = NULL;
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  char *argv[] = {"test"};
  gp_js_options_t opts = {.argc = 1, .argv = argv, .perm = p};
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, &opts, &rt), GP_OK);
  checks_t q = {rt, src};
  assert_int_equal(gp_owner_call(owner, "test.checks", run_checks, &q, NULL, NULL, NULL), GP_OK);
  gp__js_runtime_close(rt);
  gp_owner_free(owner);
  gp__js_runtime_free(rt);
}

static void test_host_checks(void **state) {
  (void)state;
  gp__perm_t *p = gp__perm_new("/srv");
  grant(p, "--allow-net", "api.test,127.0.0.1:8080");
  grant(p, "--allow-fs-read", "/srv/data");
  check_host_permission(p, checks_on);
  gp__perm_free(p);
  check_host_permission(NULL, checks_off);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_flags),       GP_TEST(test_bare),        GP_TEST(test_off),
      GP_TEST(test_fs_paths),    GP_TEST(test_fs_star),     GP_TEST(test_fs_refused),
      GP_TEST(test_net_hosts),   GP_TEST(test_net_star),    GP_TEST(test_net_refused),
      GP_TEST(test_split_net),   GP_TEST(test_resolve),     GP_TEST(test_runtime_option),
      GP_TEST(test_host_checks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
