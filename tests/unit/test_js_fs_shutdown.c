// timeout: 60
/* fs calls pending when the runtime closes: a script starts many asynchronous reads,
 * stats and listings (more than libuv's thread pool runs at once), and the runtime is
 * closed and its owner shut down right away. The calls not yet started are canceled, the
 * running ones finish on the loop's last turns without touching the closed VM, and
 * every request and buffer is freed (LeakSanitizer checks it in the sanitizer builds);
 * nothing hangs. A runtime left to finish the same work delivers every callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <unistd.h>

#include "js/runtime.h"
#include "testutil.h"

/* Starts 3 x 40 operations on a 4 MiB file in `dir`; globalThis.done counts callbacks. */
#define SCRIPT_FMT                                                                          \
      "const fs = require('fs');\n" \
      "const dir = '%s';\n" \
      "fs.mkdirSync(dir, {recursive: true});\n" \
      "fs.writeFileSync(dir + '/big', new Uint8Array(4 << 20));\n" \
      "globalThis.done = 0;\n" \
      "for (let i = 0; i < 40; i++) {\n" \
      "  fs.readFile(dir + '/big', (e, b) => { if (!e && b.length === 4 << 20) globalThis.done++; });\n" \
      "  fs.promises.stat(dir).then(() => globalThis.done++);\n" \
      "  fs.readdir(dir, () => globalThis.done++);\n" \
      "}\n"

static char *script_for(const char *dir) {
  size_t n = (size_t)snprintf(NULL, 0, SCRIPT_FMT, dir) + 1;
  char *s = malloc(n);
  snprintf(s, n, SCRIPT_FMT, dir);
  return s;
}

static void remove_dir(const char *dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/big", dir);
  unlink(path);
  rmdir(dir);
}

static void run(int wait) {
  char dir[256];
  snprintf(dir, sizeof dir, "/tmp/gp-fs-shutdown-%d-%d", (int)getpid(), wait);
  char *script = script_for(dir);
  gp_owner_t *owner = NULL;
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, NULL, &rt), GP_OK);
  assert_int_equal(gp__js_runtime_eval(rt, script), GP_OK);
  if (wait) {
    /* pending calls keep the loop busy until each callback has run */
    assert_int_equal(gp__js_runtime_wait(rt), GP_OK);
    assert_int_equal(gp__js_runtime_eval(rt, "if (globalThis.done !== 120) throw new Error('done ' + globalThis.done)"),
                     GP_OK);
  }
  gp__js_runtime_close(rt);
  gp_owner_shutdown(owner);
  gp_owner_free(owner);
  gp__js_runtime_free(rt);
  remove_dir(dir);
  free(script);
}

static void test_close_with_calls_pending(void **state) {
  (void)state;
  run(0);
}

static void test_wait_for_calls(void **state) {
  (void)state;
  run(1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_close_with_calls_pending),
      GP_TEST(test_wait_for_calls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
