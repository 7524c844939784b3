/* Events: type names, wire shapes of every type, fan-out order, the emitter's total
 * order and single terminal event under concurrent emitters, refcounts across threads. */
// timeout: 120
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "geppetto/event.h"
#include "testutil.h"

/* ---- helpers -------------------------------------------------------------------- */

static const char *jstr(json_t *obj, const char *key) {
  return json_string_value(json_object_get(obj, key));
}

/* Builds an event from fields, encodes it, checks the common keys and returns the
 * encoding (caller decrefs). */
static json_t *encode(gp_event_type_t type, json_t *fields) {
  gp_event_t *ev = gp_event_new(type, "s-1", "i-1", "t-1", fields);
  json_t *j = gp_event_to_json(ev);
  assert_string_equal(jstr(j, "type"), gp_event_type_name(type));
  assert_true(json_is_integer(json_object_get(j, "timestampMs")));
  assert_true(json_integer_value(json_object_get(j, "timestampMs")) > 1600000000000LL);
  assert_string_equal(jstr(j, "sessionId"), "s-1");
  assert_string_equal(jstr(j, "inferenceId"), "i-1");
  assert_string_equal(jstr(j, "turnId"), "t-1");
  gp_event_unref(ev);
  return j;
}

/* ---- names and shapes ----------------------------------------------------------- */

static void test_type_names(void **state) {
  (void)state;
  const char *names[] = {"start", "partial", "partial-thinking", "final", "tool-call",
                         "tool-call-execute", "tool-call-execution-result", "tool-result",
                         "error", "interrupt", "log", "info", "partial-object",
                         "tool-progress"};
  assert_int_equal(sizeof names / sizeof names[0], GP_EVENT_TYPE_COUNT);
  for (int t = 0; t < GP_EVENT_TYPE_COUNT; t++) {
    assert_string_equal(gp_event_type_name((gp_event_type_t)t), names[t]);
    gp_event_type_t back = GP_EVENT_TYPE_COUNT;
    assert_int_equal(gp_event_type_parse(names[t], &back), 0);
    assert_int_equal(back, t);
    int terminal = t == GP_EVENT_FINAL || t == GP_EVENT_ERROR || t == GP_EVENT_INTERRUPT;
    assert_int_equal(gp_event_is_terminal((gp_event_type_t)t), terminal);
  }
  gp_event_type_t out = GP_EVENT_LOG;
  assert_int_equal(gp_event_type_parse("tool_call", &out), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_event_type_parse(NULL, &out), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(out, GP_EVENT_LOG);
  assert_null(gp_event_type_name(GP_EVENT_TYPE_COUNT));
}

static void test_shapes(void **state) {
  (void)state;
  json_t *j = encode(GP_EVENT_START, NULL);
  assert_int_equal(json_object_size(j), 5);
  json_decref(j);

  j = encode(GP_EVENT_PARTIAL, gp_fields_partial("lo", "hello"));
  assert_string_equal(jstr(j, "delta"), "lo");
  assert_string_equal(jstr(j, "completion"), "hello");
  assert_int_equal(json_object_size(j), 7);
  json_decref(j);

  j = encode(GP_EVENT_PARTIAL_THINKING, gp_fields_partial("a", "ab"));
  assert_string_equal(jstr(j, "completion"), "ab");
  json_decref(j);

  json_t *usage = json_pack("{s:i, s:i}", "inputTokens", 3, "outputTokens", 4);
  j = encode(GP_EVENT_FINAL, gp_fields_final("done", usage, "stop"));
  assert_string_equal(jstr(j, "text"), "done");
  assert_string_equal(jstr(j, "stopReason"), "stop");
  assert_true(json_equal(json_object_get(j, "usage"), usage));
  json_decref(j);
  json_decref(usage);
  j = encode(GP_EVENT_FINAL, gp_fields_final("x", NULL, NULL));
  assert_null(json_object_get(j, "usage"));
  assert_null(json_object_get(j, "stopReason"));
  json_decref(j);

  json_t *input = json_pack("{s:[i]}", "q", 1);
  j = encode(GP_EVENT_TOOL_CALL, gp_fields_tool_call("c1", "lookup", input));
  json_t *tc = json_object_get(j, "toolCall");
  assert_string_equal(jstr(tc, "id"), "c1");
  assert_string_equal(jstr(tc, "name"), "lookup");
  assert_true(json_equal(json_object_get(tc, "input"), input));
  assert_ptr_not_equal(json_object_get(tc, "input"), input);
  json_decref(j);
  j = encode(GP_EVENT_TOOL_CALL_EXECUTE, gp_fields_tool_call("c1", "lookup", input));
  assert_true(json_is_object(json_object_get(j, "toolCall")));
  json_decref(j);

  j = encode(GP_EVENT_TOOL_CALL_EXECUTION_RESULT,
             gp_fields_tool_exec_result("c1", input, "bad", 42));
  json_t *tr = json_object_get(j, "toolResult");
  assert_string_equal(jstr(tr, "id"), "c1");
  assert_true(json_equal(json_object_get(tr, "result"), input));
  assert_string_equal(jstr(tr, "error"), "bad");
  assert_int_equal(json_integer_value(json_object_get(tr, "durationMs")), 42);
  json_decref(j);
  j = encode(GP_EVENT_TOOL_CALL_EXECUTION_RESULT,
             gp_fields_tool_exec_result("c1", NULL, NULL, 0));
  tr = json_object_get(j, "toolResult");
  assert_true(json_is_null(json_object_get(tr, "result")));
  assert_null(json_object_get(tr, "error"));
  json_decref(j);

  j = encode(GP_EVENT_TOOL_RESULT, gp_fields_tool_result("c1", input));
  tr = json_object_get(j, "toolResult");
  assert_int_equal(json_object_size(tr), 2);
  assert_true(json_equal(json_object_get(tr, "result"), input));
  json_decref(j);

  j = encode(GP_EVENT_ERROR, gp_fields_error(GP_ERR_CANCELED, "stopped"));
  json_t *e = json_object_get(j, "error");
  assert_string_equal(jstr(e, "code"), "CANCELED");
  assert_string_equal(jstr(e, "message"), "stopped");
  json_decref(j);
  j = encode(GP_EVENT_ERROR, gp_fields_error(GP_ERR_TIMEOUT, NULL));
  e = json_object_get(j, "error");
  assert_string_equal(jstr(e, "code"), "TIMEOUT");
  assert_string_equal(jstr(e, "message"), gp_strerror(GP_ERR_TIMEOUT));
  json_decref(j);

  j = encode(GP_EVENT_INTERRUPT, gp_fields_interrupt("partial text"));
  assert_string_equal(jstr(j, "text"), "partial text");
  json_decref(j);

  j = encode(GP_EVENT_LOG, gp_fields_log("warn", "careful", input));
  assert_string_equal(jstr(j, "level"), "warn");
  assert_string_equal(jstr(j, "message"), "careful");
  assert_true(json_equal(json_object_get(j, "fields"), input));
  json_decref(j);

  j = encode(GP_EVENT_INFO, gp_fields_info("note", input));
  assert_string_equal(jstr(j, "message"), "note");
  assert_true(json_equal(json_object_get(j, "data"), input));
  json_decref(j);
  json_decref(input);

  /* NULL ids become "", and fields never override the common keys. */
  gp_event_t *ev = gp_event_new(GP_EVENT_INFO, NULL, NULL, NULL,
                                json_pack("{s:s, s:i}", "type", "bogus", "x", 1));
  j = gp_event_to_json(ev);
  assert_string_equal(jstr(j, "type"), "info");
  assert_string_equal(jstr(j, "sessionId"), "");
  assert_int_equal(json_integer_value(json_object_get(j, "x")), 1);
  json_decref(j);
  gp_event_unref(ev);
  gp_event_unref(NULL);
}

/* ---- fan-out -------------------------------------------------------------------- */

typedef struct {
  int log[64][2]; /* (sink tag, event type) in arrival order */
  int n;
} fan_log_t;

typedef struct {
  fan_log_t *log;
  int tag;
} fan_sink_t;

static void fan_cb(void *ud, gp_event_t *ev) {
  fan_sink_t *s = ud;
  s->log->log[s->log->n][0] = s->tag;
  s->log->log[s->log->n][1] = (int)ev->type;
  s->log->n++;
}

static int freed_count;
static void count_free(void *ud) {
  (void)ud;
  __atomic_add_fetch(&freed_count, 1, __ATOMIC_RELAXED);
}

static void test_fanout_order(void **state) {
  (void)state;
  fan_log_t log = {0};
  fan_sink_t ud[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
  freed_count = 0;
  gp_fanout_t *f = gp_fanout_new();
  gp_sink_t *sinks[3];
  for (int i = 0; i < 3; i++) {
    sinks[i] = gp_sink_new(fan_cb, &ud[i], count_free);
    gp_fanout_add(f, sinks[i]);
  }
  assert_int_equal(gp_fanout_count(f), 3);
  gp_event_t *a = gp_event_new(GP_EVENT_START, "s", "i", "t", NULL);
  gp_event_t *b = gp_event_new(GP_EVENT_FINAL, "s", "i", "t", gp_fields_final("x", NULL, NULL));
  gp_fanout_publish(f, a);
  gp_fanout_publish(f, b);
  assert_int_equal(log.n, 6);
  for (int k = 0; k < 6; k++) {
    assert_int_equal(log.log[k][0], k % 3);
    assert_int_equal(log.log[k][1], k < 3 ? GP_EVENT_START : GP_EVENT_FINAL);
  }
  assert_int_equal(gp_fanout_remove(f, sinks[1]), 1);
  assert_int_equal(gp_fanout_remove(f, sinks[1]), 0);
  assert_int_equal(gp_fanout_count(f), 2);
  log.n = 0;
  gp_fanout_publish(f, a);
  assert_int_equal(log.n, 2);
  assert_int_equal(log.log[0][0], 0);
  assert_int_equal(log.log[1][0], 2);
  /* The fan-out's references are its own: dropping ours frees nothing yet. */
  for (int i = 0; i < 3; i++) gp_sink_unref(sinks[i]);
  assert_int_equal(freed_count, 1); /* the removed one */
  gp_fanout_free(f);
  assert_int_equal(freed_count, 3);
  gp_fanout_free(NULL);
  gp_event_unref(a);
  gp_event_unref(b);
}

/* ---- emitter -------------------------------------------------------------------- */

#define NTHREADS 4
#define PER_THREAD 1000
#define TOTAL (NTHREADS * PER_THREAD)

typedef struct {
  int thread[TOTAL + 8]; /* per arrival: emitting thread (-1: not an info event) */
  int seq[TOTAL + 8];
  int types[TOTAL + 8];
  int n;                 /* written only inside the emitter's lock */
} order_log_t;

static void order_cb(void *ud, gp_event_t *ev) {
  order_log_t *l = ud;
  json_t *data = json_object_get(ev->fields, "data");
  if (l->n >= TOTAL + 8) return; /* counted short: the test fails on n */
  l->types[l->n] = (int)ev->type;
  l->thread[l->n] = data ? (int)json_integer_value(json_object_get(data, "t")) : -1;
  l->seq[l->n] = data ? (int)json_integer_value(json_object_get(data, "s")) : -1;
  l->n++;
}

typedef struct {
  gp_emitter_t *em;
  int id;
  int dropped;
} emit_arg_t;

static void *emit_main(void *p) {
  emit_arg_t *a = p;
  for (int s = 0; s < PER_THREAD; s++) {
    json_t *data = json_pack("{s:i, s:i}", "t", a->id, "s", s);
    a->dropped += gp_emit(a->em, GP_EVENT_INFO, gp_fields_info("tick", data));
    json_decref(data);
  }
  return NULL;
}

static void test_emitter_total_order(void **state) {
  (void)state;
  order_log_t *logs = calloc(2, sizeof *logs);
  gp_emitter_t *em = gp_emitter_new("sess", "inf", "turn");
  gp_sink_t *s0 = gp_sink_new(order_cb, &logs[0], NULL);
  gp_sink_t *s1 = gp_sink_new(order_cb, &logs[1], NULL);
  gp_emitter_add_sink(em, s0);
  gp_emitter_add_sink(em, s1);
  gp_sink_unref(s0);
  gp_sink_unref(s1);
  assert_int_equal(gp_emit(em, GP_EVENT_START, NULL), 0);

  pthread_t th[NTHREADS];
  emit_arg_t args[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    args[i] = (emit_arg_t){em, i, 0};
    assert_int_equal(pthread_create(&th[i], NULL, emit_main, &args[i]), 0);
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(args[i].dropped, 0);
  }
  assert_int_equal(gp_emitter_ended(em), 0);
  assert_int_equal(gp_emit(em, GP_EVENT_FINAL, gp_fields_final("ok", NULL, NULL)), 0);
  assert_int_equal(gp_emitter_ended(em), 1);

  for (int k = 0; k < 2; k++) {
    order_log_t *l = &logs[k];
    assert_int_equal(l->n, TOTAL + 2);
    assert_int_equal(l->types[0], GP_EVENT_START);
    assert_int_equal(l->types[TOTAL + 1], GP_EVENT_FINAL);
    int next[NTHREADS] = {0};
    for (int i = 1; i <= TOTAL; i++) {
      assert_int_equal(l->types[i], GP_EVENT_INFO);
      int t = l->thread[i];
      assert_true(t >= 0 && t < NTHREADS);
      assert_int_equal(l->seq[i], next[t]); /* each thread's events in its own order */
      next[t]++;
    }
    for (int t = 0; t < NTHREADS; t++) assert_int_equal(next[t], PER_THREAD);
  }
  /* Both sinks saw the same total order. */
  assert_memory_equal(logs[0].thread, logs[1].thread, sizeof logs[0].thread);
  assert_memory_equal(logs[0].seq, logs[1].seq, sizeof logs[0].seq);
  gp_emitter_free(em);
  free(logs);
}

typedef struct {
  int n;
  int terminal;
  char turn_ids[8][16];
  char session[16], inference[16];
} term_log_t;

static void term_cb(void *ud, gp_event_t *ev) {
  term_log_t *l = ud;
  if (l->n < 8) snprintf(l->turn_ids[l->n], sizeof l->turn_ids[0], "%s", ev->turn_id);
  snprintf(l->session, sizeof l->session, "%s", ev->session_id);
  snprintf(l->inference, sizeof l->inference, "%s", ev->inference_id);
  l->n++;
  if (gp_event_is_terminal(ev->type)) l->terminal++;
}

static void test_emitter_single_terminal(void **state) {
  (void)state;
  term_log_t log = {0};
  gp_emitter_t *em = gp_emitter_new("s-9", "i-9", "t-a");
  gp_sink_t *s = gp_sink_new(term_cb, &log, NULL);
  gp_emitter_add_sink(em, s);
  gp_sink_unref(s);
  assert_int_equal(gp_emit(em, GP_EVENT_START, NULL), 0);
  gp_emitter_set_turn_id(em, "t-b");
  assert_int_equal(gp_emit(em, GP_EVENT_PARTIAL, gp_fields_partial("a", "a")), 0);
  assert_int_equal(gp_emit(em, GP_EVENT_INTERRUPT, gp_fields_interrupt("a")), 0);
  assert_int_equal(gp_emit(em, GP_EVENT_ERROR, gp_fields_error(GP_ERR_CANCELED, NULL)), 1);
  assert_int_equal(gp_emit(em, GP_EVENT_FINAL, gp_fields_final("a", NULL, NULL)), 1);
  assert_int_equal(gp_emit(em, GP_EVENT_PARTIAL, gp_fields_partial("b", "ab")), 1);
  assert_int_equal(log.n, 3);
  assert_int_equal(log.terminal, 1);
  assert_string_equal(log.turn_ids[0], "t-a");
  assert_string_equal(log.turn_ids[1], "t-b");
  assert_string_equal(log.session, "s-9");
  assert_string_equal(log.inference, "i-9");
  gp_emitter_free(em);
  gp_emitter_free(NULL);
  /* A NULL emitter releases the fields (checked by the leak sanitizer). */
  assert_int_equal(gp_emit(NULL, GP_EVENT_INFO, gp_fields_info("x", NULL)), 0);
  assert_int_equal(gp_emitter_ended(NULL), 0);
}

typedef struct {
  gp_emitter_t *em;
  pthread_barrier_t *go;
  int type;
  int rc;
} race_arg_t;

static void *race_main(void *p) {
  race_arg_t *a = p;
  pthread_barrier_wait(a->go);
  json_t *f = a->type == GP_EVENT_FINAL ? gp_fields_final("x", NULL, NULL)
              : a->type == GP_EVENT_ERROR ? gp_fields_error(GP_ERR_TIMEOUT, NULL)
                                          : gp_fields_interrupt("x");
  a->rc = gp_emit(a->em, (gp_event_type_t)a->type, f);
  return NULL;
}

static void test_emitter_terminal_race(void **state) {
  (void)state;
  const int types[3] = {GP_EVENT_FINAL, GP_EVENT_ERROR, GP_EVENT_INTERRUPT};
  for (int round = 0; round < 50; round++) {
    term_log_t log = {0};
    gp_emitter_t *em = gp_emitter_new("s", "i", "t");
    gp_sink_t *s = gp_sink_new(term_cb, &log, NULL);
    gp_emitter_add_sink(em, s);
    gp_sink_unref(s);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 6);
    pthread_t th[6];
    race_arg_t args[6];
    for (int i = 0; i < 6; i++) {
      args[i] = (race_arg_t){em, &go, types[i % 3], -1};
      pthread_create(&th[i], NULL, race_main, &args[i]);
    }
    int published = 0;
    for (int i = 0; i < 6; i++) {
      pthread_join(th[i], NULL);
      published += args[i].rc == 0;
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(published, 1);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.terminal, 1);
    gp_emitter_free(em);
  }
}

/* ---- refcounts across threads --------------------------------------------------- */

static void *use_event_main(void *p) {
  gp_event_t *ev = p; /* this thread owns one reference */
  for (int i = 0; i < 200; i++) {
    gp_event_t *r = gp_event_ref(ev);
    json_t *j = gp_event_to_json(r);
    assert_string_equal(jstr(j, "type"), "tool-call");
    json_decref(j);
    gp_event_unref(r);
  }
  gp_event_unref(ev);
  return NULL;
}

typedef struct {
  gp_event_t *kept[16];
  int n;
} keep_log_t;

static void keep_cb(void *ud, gp_event_t *ev) {
  keep_log_t *k = ud;
  k->kept[k->n++] = gp_event_ref(ev);
}

static void *unref_kept_main(void *p) {
  keep_log_t *k = p;
  for (int i = 0; i < k->n; i++) gp_event_unref(k->kept[i]);
  return NULL;
}

static void test_refcount_threads(void **state) {
  (void)state;
  json_t *input = json_pack("{s:s}", "q", "v");
  gp_event_t *ev = gp_event_new(GP_EVENT_TOOL_CALL, "s", "i", "t",
                                gp_fields_tool_call("c", "n", input));
  json_decref(input);
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    assert_int_equal(pthread_create(&th[i], NULL, use_event_main, gp_event_ref(ev)), 0);
  }
  gp_event_unref(ev); /* the threads may now hold the last reference */
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);

  /* A sink keeps events past publish and releases them on another thread, after the
   * emitter is gone. */
  keep_log_t keep = {0};
  freed_count = 0;
  gp_emitter_t *em = gp_emitter_new("s", "i", "t");
  gp_sink_t *s = gp_sink_new(keep_cb, &keep, count_free);
  gp_emitter_add_sink(em, s);
  gp_emit(em, GP_EVENT_START, NULL);
  gp_emit(em, GP_EVENT_FINAL, gp_fields_final("x", NULL, NULL));
  gp_emitter_free(em);
  assert_int_equal(freed_count, 0); /* we still hold the sink */
  assert_int_equal(keep.n, 2);
  assert_int_equal(keep.kept[1]->type, GP_EVENT_FINAL);
  pthread_t t;
  pthread_create(&t, NULL, unref_kept_main, &keep);
  pthread_join(t, NULL);
  gp_sink_unref(s);
  assert_int_equal(freed_count, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_type_names),           GP_TEST(test_shapes),
      GP_TEST(test_fanout_order),         GP_TEST(test_emitter_total_order),
      GP_TEST(test_emitter_single_terminal), GP_TEST(test_emitter_terminal_race),
      GP_TEST(test_refcount_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
