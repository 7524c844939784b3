// timeout: 60
/* The event pump when the owner goes away under it: a runtime closed and its owner shut
 * down while start() runs are streaming events to their listeners (some queued on the
 * pump, some still to be published). Every run must still end, every event and every
 * run's settlement reference must be released (LeakSanitizer checks the latter in the
 * sanitizer builds), and nothing may touch the closed VM or hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include <time.h>

#include "geppetto/session.h"
#include "js/runtime.h"
#include "testutil.h"

/* 40 runs of 200 words, 1 ms apart: events keep flowing for ~0.2 s, and their listeners
 * are slow, so the pump has work queued when the owner closes. */
static const char *script =
    "const gp = require('geppetto');\n"
    "const reply = Array.from({length: 200}, (_, i) => 'w' + i).join(' ');\n"
    "globalThis.seen = 0;\n"
    "for (let r = 0; r < 40; r++) {\n"
    "  const s = gp.createSession({engine: gp.engines.echo({reply, wordDelayMs: 1})});\n"
    "  const h = s.start('go');\n"
    "  h.on('partial', () => { globalThis.seen++; const e = Date.now() + 1; while (Date.now() < e) {} });\n"
    "  h.promise.catch(() => {});\n"
    "}\n";

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void close_while_streaming(long after_ms) {
  gp_owner_t *owner = NULL;
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, NULL, &rt), GP_OK);
  assert_int_equal(gp__js_runtime_eval(rt, script), GP_OK);
  sleep_ms(after_ms);
  assert_true(gp_runs_active() > 0); /* still streaming when the owner goes */
  gp__js_runtime_close(rt);
  gp_owner_shutdown(owner);
  /* the runs go on publishing into a closed owner, then end by themselves */
  for (int i = 0; i < 3000 && gp_runs_active() > 0; i++) sleep_ms(10);
  assert_int_equal(gp_runs_active(), 0);
  gp_owner_free(owner);
  gp__js_runtime_free(rt);
}

static void test_close_early(void **state) {
  (void)state;
  close_while_streaming(20);
}

static void test_close_midway(void **state) {
  (void)state;
  close_while_streaming(100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_close_early),
      GP_TEST(test_close_midway),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
