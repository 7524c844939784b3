// timeout: 300
/* Events to JavaScript in linear time: a start() run streams N words to a listener (the
 * run's event queue in runq.c, the event pump, the codec), and 10N words must cost
 * at most 15× the work (bytes the library allocates or copies, from the debug builds'
 * work meter). The listener is slow on purpose, so the run publishes far ahead of the
 * owner and its queue grows and is drained while it grows: the case where compacting a
 * queue to free a few slots at a time costs quadratic time. The listener reads every
 * delta and the last completion, which must be the whole text; a run with no listener
 * (runAsync without an eventSink) builds no event at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/core.h"
#include "events/events_internal.h"
#include "geppetto/session.h"
#include "js/runtime.h"
#include "testutil.h"

#ifdef GP_SANITIZE_THREAD
#define WORDS 2000
#else
#define WORDS 10000
#endif

/* After "const N = <words>, LISTEN = <0|1>;". The script exits 1 when what it saw is
 * wrong. */
static const char *script =
    "const reply = Array.from({length: N}, (_, i) => 'w' + i).join(' ');\n"
    "const s = gp.createSession({engine: gp.engines.echo({reply})});\n"
    "let n = 0, bytes = 0, last = '';\n"
    "const check = (t) => {\n"
    "  const text = t.blocks[t.blocks.length - 1].payload.text;\n"
    "  if (text !== reply) { console.error('bad text'); process.exitCode = 1; }\n"
    "  if (LISTEN && (n !== N || last !== reply || bytes !== reply.length)) {\n"
    "    console.error('saw', n, 'events', bytes, 'bytes'); process.exitCode = 1;\n"
    "  }\n"
    "};\n"
    "if (LISTEN) {\n"
    "  const h = s.start('go');\n"
    "  h.on('partial', (ev) => {\n"
    "    n++; bytes += ev.delta.length;\n"
    "    if (n === N) last = ev.completion;\n"
    "    const end = performance.now() + 0.005; while (performance.now() < end) {}\n"
    "  });\n"
    "  h.promise.then(check, (e) => { console.error(e); process.exitCode = 1; });\n"
    "} else {\n"
    "  s.runAsync('go').then(check, (e) => { console.error(e); process.exitCode = 1; });\n"
    "}\n";

typedef struct {
  uint64_t work, events;
} outcome_t;

static outcome_t run_script(int words, int listen) {
  char *code = gp__xasprintf("const N = %d, LISTEN = %d;\nconst gp = require('geppetto');\n%s",
                            words, listen, script);
  gp_owner_t *owner = NULL;
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, NULL, &rt), GP_OK);
  uint64_t w0 = gp__work_bytes(), e0 = gp__event_count();
  assert_int_equal(gp__js_runtime_eval(rt, code), GP_OK);
  assert_int_equal(gp__js_runtime_wait(rt), GP_OK);
  outcome_t o = {gp__work_bytes() - w0, gp__event_count() - e0};
  assert_int_equal(gp__js_runtime_exit_code(rt), 0);
  gp__js_runtime_close(rt);
  gp_owner_free(owner);
  gp__js_runtime_free(rt);
  free(code);
  return o;
}

static void test_listener_linear(void **state) {
#ifdef GP_DEBUG
  outcome_t a = run_script(WORDS, 1), b = run_script(10 * WORDS, 1);
  printf("start() with a slow listener, %d -> %d words: work %llu -> %llu bytes (%.2fx)\n", WORDS,
         10 * WORDS, (unsigned long long)a.work, (unsigned long long)b.work,
         (double)b.work / (double)a.work);
  assert_true(a.events >= WORDS && b.events >= 10 * WORDS);
  assert_true(b.work <= 15 * a.work);
#else
  skip();
#endif
}

static void test_no_listener_no_events(void **state) {
  outcome_t a = run_script(WORDS, 0), b = run_script(10 * WORDS, 0);
  assert_int_equal(a.events, 0);
  assert_int_equal(b.events, 0);
#ifdef GP_DEBUG
  printf("runAsync() without a listener, %d -> %d words: work %llu -> %llu bytes (%.2fx)\n",
         WORDS, 10 * WORDS, (unsigned long long)a.work, (unsigned long long)b.work,
         (double)b.work / (double)a.work);
  assert_true(b.work <= 15 * a.work);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_listener_linear),
      cmocka_unit_test(test_no_listener_no_events),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
