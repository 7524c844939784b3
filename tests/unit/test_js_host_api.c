/* Tests of the public JS host API (include/geppetto/js.h) where it fails: a failed
 * gp_js_new leaves *out NULL and says why; gp_js_run_file on a missing file gives
 * MODULE_NOT_FOUND; the NULL handle is refused (and gp_js_free(NULL) is a no-op); the
 * exit status after an uncaught exception (GP_ERR_JS_EXCEPTION while the program runs),
 * an unhandled rejection, process.exit and process.exitCode; a fatal script event ends
 * the script, not the host (pending timers and child processes stopped, later evals
 * refused), unless exit_process asks for the command's behaviour (forked children).
 * Only the public header is used, as a host would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <geppetto/js.h>

#include "testutil.h"

static int freed;

static void count_free(void *ud) {
  (void)ud;
  freed++;
}

static int never_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  (void)ud, (void)ctx, (void)args, (void)result, (void)err;
  return GP_OK;
}

/* A handle that is not NULL, to see gp_js_new clear it. */
static gp_js_t *poisoned(void) { return (gp_js_t *)(uintptr_t)0x1; }

static void test_new_bad_permission(void **state) {
  (void)state;
  const char *const perms[] = {"--allow-net=a.test,,b.test", NULL};
  gp_js_config_t cfg = {.permissions = perms};
  gp_js_t *js = poisoned();
  gp_error_t *err = NULL;
  assert_int_equal(gp_js_new(&cfg, &js, &err), GP_ERR_INVALID_ARGUMENT);
  assert_null(js);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "--allow-net=a.test,,b.test"));
  gp_error_free(err);

  const char *const unknown[] = {"--allow-everything", NULL};
  cfg.permissions = unknown;
  js = poisoned();
  assert_int_equal(gp_js_new(&cfg, &js, NULL), GP_ERR_INVALID_ARGUMENT); /* err may be NULL */
  assert_null(js);
}

static void test_new_bad_arguments(void **state) {
  (void)state;
  gp_js_config_t cfg = {.argc = 2, .argv = NULL};
  gp_js_t *js = poisoned();
  gp_error_t *err = NULL;
  assert_int_equal(gp_js_new(&cfg, &js, &err), GP_ERR_INVALID_ARGUMENT);
  assert_null(js);
  assert_non_null(strstr(err->message, "argc without argv"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp_js_new(NULL, NULL, &err), GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "out is NULL"));
  gp_error_free(err);
}

static void test_null_handle(void **state) {
  (void)state;
  gp_js_free(NULL);
  assert_int_equal(gp_js_run_file(NULL, "x.js"), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_js_eval(NULL, "1"), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_js_wait(NULL), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_js_exit_code(NULL), 1);
  assert_null(gp_js_owner(NULL));
  /* a refused tool's user data is freed all the same */
  freed = 0;
  gp_error_t *err = NULL;
  assert_int_equal(gp_js_add_native_tool(NULL, "t", NULL, NULL, never_tool, &freed, count_free, &err),
                   GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(freed, 1);
  gp_error_free(err);
}

static void test_run_missing_file(void **state) {
  (void)state;
  gp_js_t *js = NULL;
  assert_int_equal(gp_js_new(NULL, &js, NULL), GP_OK);
  assert_non_null(js);
  assert_non_null(gp_js_owner(js));
  assert_int_equal(gp_js_run_file(js, "/nonexistent/geppetto-test/agent.js"), GP_ERR_MODULE_NOT_FOUND);
  assert_int_equal(gp_js_run_file(js, NULL), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_js_eval(js, NULL), GP_ERR_INVALID_ARGUMENT);
  /* the runtime is still usable; the failure keeps the exit code at 1 */
  assert_int_equal(gp_js_eval(js, "globalThis.ran = 1; process.exitCode = 3"), GP_OK);
  assert_int_equal(gp_js_wait(js), GP_OK);
  assert_int_equal(gp_js_exit_code(js), 1);
  gp_js_free(js);
}

/* Writes `src` into a new file from the template `path` (its last `suffix` characters
 * kept, as mkstemps). */
static void write_temp(char *path, int suffix, const char *src) {
  int fd = mkstemps(path, suffix);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
  close(fd);
}

/* Runs `code` in a fresh runtime: the status gp_js_eval returned, and the exit code. */
static int eval_status(const char *code, int *exit_code) {
  gp_js_t *js = NULL;
  assert_int_equal(gp_js_new(NULL, &js, NULL), GP_OK);
  int rc = gp_js_eval(js, code);
  if (rc == GP_OK) assert_int_equal(gp_js_wait(js), GP_OK);
  *exit_code = gp_js_exit_code(js);
  gp_js_free(js);
  return rc;
}

static void test_exit_codes(void **state) {
  (void)state;
  int code = -1;
  assert_int_equal(eval_status("1 + 1", &code), GP_OK);
  assert_int_equal(code, 0);
  assert_int_equal(eval_status("setTimeout(() => { process.exitCode = 7 }, 1)", &code), GP_OK);
  assert_int_equal(code, 7);
  /* thrown while the program runs: gp_js_eval says so, the exit code is 1 whatever
   * exitCode said */
  assert_int_equal(eval_status("process.exitCode = 5; throw new Error('thrown at once')", &code),
                   GP_ERR_JS_EXCEPTION);
  assert_int_equal(code, 1);
  /* the same from a main script that throws */
  gp_js_t *js = NULL;
  assert_int_equal(gp_js_new(NULL, &js, NULL), GP_OK);
  char path[] = "/tmp/gp-host-api-XXXXXX.js";
  write_temp(path, 3, "throw new TypeError('the script threw');\n");
  assert_int_equal(gp_js_run_file(js, path), GP_ERR_JS_EXCEPTION);
  assert_int_equal(gp_js_exit_code(js), 1);
  gp_js_free(js);
  unlink(path);
}

/* The child's side: runs `code` in a runtime with exit_process, waits, and exits with
 * the script's exit code (92 for 0), or 95 when the script did not end the process. */
static int child_main(const char *code) {
  alarm(20); /* no parent's watchdog here */
  gp_js_config_t cfg = {.exit_process = 1};
  gp_js_t *js = NULL;
  if (gp_js_new(&cfg, &js, NULL) != GP_OK) return 90;
  if (gp_js_eval(js, code) != GP_OK) return 91;
  gp_js_wait(js);
  int c = gp_js_exit_code(js);
  gp_js_free(js);
  return c == 0 ? 92 : 95;
}

/* Runs `code` in a fresh process (this program again, child_main): its exit status,
 * -1 when it did not exit normally. A new process, not a bare fork, so that no lock
 * or thread of this one is inherited. */
static int child_status(const char *code) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    execl("/proc/self/exe", "test_js_host_api", "--child", code, (char *)NULL);
    _exit(93);
  }
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* With exit_process, a failure after the program ran ends the process, as under
 * `geppetto run` ("exit" listeners first). */
static void test_exit_process_ends_the_process(void **state) {
  (void)state;
  assert_int_equal(child_status("process.exitCode = 5; setTimeout(() => { throw new Error('thrown later') }, 1)"), 1);
  assert_int_equal(child_status("Promise.reject(new Error('nobody catches this'))"), 1);
  assert_int_equal(child_status("setTimeout(() => process.exit(9), 1)"), 9);
  assert_int_equal(child_status("process.on('exit', (c) => { process.exitCode = 4 });"
                                " setTimeout(() => { throw new Error('x') }, 1)"), 1);
  assert_int_equal(child_status("setTimeout(() => {}, 1)"), 92);
}

/* A runtime with the default config, `code` evaluated (GP_OK), waited for (GP_OK): the
 * script's exit code; then evals are refused (the script has ended) and it is freed.
 * *wait_ms (may be NULL) gets how long gp_js_wait took. */
static int ended_status(const char *code, double *wait_ms) {
  gp_js_t *js = NULL;
  assert_int_equal(gp_js_new(NULL, &js, NULL), GP_OK);
  assert_int_equal(gp_js_eval(js, code), GP_OK);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  assert_int_equal(gp_js_wait(js), GP_OK);
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (wait_ms) *wait_ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
  int status = gp_js_exit_code(js);
  assert_int_equal(gp_js_exit_code(js), status); /* asked again: the same */
  assert_int_equal(gp_js_eval(js, "globalThis.ranAfterTheEnd = 1"), GP_ERR_OWNER_CLOSED);
  assert_int_equal(gp_js_run_file(js, "/nonexistent/after-the-end.js"), GP_ERR_OWNER_CLOSED);
  assert_int_equal(gp_js_wait(js), GP_OK);
  gp_js_free(js);
  return status;
}

/* A new empty temporary file for the script to write into: its path in `path` (64
 * bytes), and the script `tpl` with that path for each "$F" in it (static buffer). */
static const char *script_with_file(char *path, const char *tpl) {
  static char code[512];
  snprintf(path, 64, "/tmp/gp-host-exit-XXXXXX");
  write_temp(path, 0, "");
  size_t n = 0, plen = strlen(path);
  for (const char *t = tpl; *t; t++) {
    int mark = t[0] == '$' && t[1] == 'F';
    assert_true(n + (mark ? plen : 1) < sizeof code);
    if (mark) memcpy(code + n, path, plen), n += plen, t++;
    else code[n++] = *t;
  }
  code[n] = 0;
  return code;
}

/* ended_status of the script `tpl` given a new file (script_with_file). */
static int ended_with_file(char *path, const char *tpl, double *wait_ms) {
  return ended_status(script_with_file(path, tpl), wait_ms);
}

/* Its contents (static buffer). */
static const char *slurp(const char *path) {
  static char buf[256];
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return buf;
}

/* A fatal event after the program ran ends the script; the host goes on. */
static void test_late_failures_end_the_script(void **state) {
  (void)state;
  double ms = 0;
  assert_int_equal(ended_status("process.exitCode = 5; setTimeout(() => { throw new Error('thrown later') }, 1);"
                                " setInterval(() => {}, 5)", &ms), 1);
  assert_true(ms < 5000);
  assert_int_equal(ended_status("setTimeout(() => Promise.reject(new Error('nobody catches this')), 1)", NULL), 1);
  assert_int_equal(ended_status("Promise.reject(new Error('rejected at once'))", NULL), 1);
  assert_int_equal(ended_status("queueMicrotask(() => { throw new Error('in a microtask') })", NULL), 1);
  assert_int_equal(ended_status("setTimeout(() => process.exit(3), 1); setInterval(() => {}, 5)", NULL), 3);
  assert_int_equal(ended_status("process.exit(6); globalThis.notReached = 1", NULL), 6);
  assert_int_equal(ended_status("(async () => { await 0; process.exit(8) })()", NULL), 8);
  /* an "exit" listener may still set the status, also with process.exit */
  assert_int_equal(ended_status("process.on('exit', () => process.exit(4));"
                                " setTimeout(() => { throw new Error('x') }, 1)", NULL), 4);
  assert_int_equal(ended_status("process.on('exit', () => process.exit(6))", NULL), 6);
}

/* process.exit(3) from a timer: the "exit" listener runs with 3, the code after the
 * call does not, and a script that catches the unwinding still runs nothing later. */
static void test_process_exit_from_a_timer(void **state) {
  (void)state;
  char path[64];
  assert_int_equal(ended_with_file(path, "const fs = require('fs');"
      "process.on('exit', (c) => fs.appendFileSync('$F', 'exit ' + c));"
      "setTimeout(() => { process.exit(3); fs.appendFileSync('$F', ' after') }, 1);"
      "setTimeout(() => fs.appendFileSync('$F', ' later'), 30)", NULL), 3);
  assert_string_equal(slurp(path), "exit 3");
  unlink(path);
  assert_int_equal(ended_with_file(path, "const fs = require('fs');"
      "setTimeout(() => { try { process.exit(2) } catch (e) { fs.appendFileSync('$F', e.code);"
      " setTimeout(() => fs.appendFileSync('$F', ' timer'), 1) } }, 1)", NULL), 2);
  assert_string_equal(slurp(path), "ERR_SCRIPT_ENDED");
  unlink(path);
}

/* An ES module that awaits, then calls process.exit(5): its evaluation unwinds silently. */
static void test_process_exit_in_a_module(void **state) {
  (void)state;
  char path[] = "/tmp/gp-host-exit-XXXXXX.mjs";
  write_temp(path, 4, "await new Promise((r) => setTimeout(r, 1));\nprocess.exit(5);\n");
  gp_js_t *js = NULL;
  assert_int_equal(gp_js_new(NULL, &js, NULL), GP_OK);
  assert_int_equal(gp_js_run_file(js, path), GP_OK);
  assert_int_equal(gp_js_wait(js), GP_OK);
  assert_int_equal(gp_js_exit_code(js), 5);
  assert_int_equal(gp_js_run_file(js, path), GP_ERR_OWNER_CLOSED);
  gp_js_free(js);
  unlink(path);
}

/* The end stops a child process (sleep 100) and an interval: gp_js_wait returns at
 * once, and the child is gone (killed and reaped). */
static void test_end_stops_pending_work(void **state) {
  (void)state;
  char path[64];
  double ms = 0;
  assert_int_equal(ended_with_file(path, "const c = require('child_process').spawn('sleep', ['100']);"
      "require('fs').writeFileSync('$F', String(c.pid));"
      "setInterval(() => {}, 5);"
      "setTimeout(() => { throw new Error('ends it all') }, 50)", &ms), 1);
  assert_true(ms < 5000);
  int pid = atoi(slurp(path));
  assert_true(pid > 0);
  assert_int_equal(kill(pid, 0), -1);
  assert_int_equal(errno, ESRCH);
  unlink(path);
  /* a run in flight (its engine never answers) is canceled */
  assert_int_equal(ended_status("const gp = require('geppetto');"
                                "const s = gp.createSession({ engine: gp.engines.fromFunction(() => new Promise(() => {})) });"
                                "s.runAsync('q').then(() => process.exit(7), () => process.exit(8));"
                                "setTimeout(() => { throw new Error('ends the run too') }, 50)", &ms), 1);
  assert_true(ms < 5000);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--child") == 0) return child_main(argv[2]);
  const struct CMUnitTest tests[] = {
      GP_TEST(test_new_bad_permission), GP_TEST(test_new_bad_arguments), GP_TEST(test_null_handle),
      GP_TEST(test_run_missing_file),   GP_TEST(test_exit_codes),
      GP_TEST(test_exit_process_ends_the_process), GP_TEST(test_late_failures_end_the_script),
      GP_TEST(test_process_exit_from_a_timer), GP_TEST(test_process_exit_in_a_module),
      GP_TEST(test_end_stops_pending_work),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
