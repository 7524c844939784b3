// timeout: 180
/* Sessions and runs (SPEC §4.7): one active run, empty session, cancel before start /
 * mid-run / after the end, run timeout, exactly one terminal event, history, and 1000
 * runs started and canceled from several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "inference/internal.h"
#include "scripted.h"
#include "testutil.h"

static gp_turn_t *user_turn(const char *text) {
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user(text));
  return t;
}

static gp_session_t *echo_session(int word_delay_ms, const char *reply) {
  gp_engine_t *e = gp_engine_echo(reply, word_delay_ms);
  gp_session_config_t cfg = {.engine = e};
  gp_session_t *s = gp_session_new(&cfg, NULL);
  gp_engine_unref(e);
  return s;
}

static void test_run_replaces_latest_turn(void **state) {
  gp_session_t *s = echo_session(0, NULL);
  recorder_t *rec;
  gp_sink_t *sink = recorder_new(&rec);
  gp_session_add_sink(s, sink);
  gp_turn_t *result = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(gp_session_run(s, user_turn("hello there world"), NULL, &result, &err), 0);
  assert_null(err);
  gp_block_t *b = gp_turn_last_of(result, GP_BLOCK_LLM_TEXT);
  assert_string_equal(gp_block_text(b), "hello there world");
  assert_string_equal(json_string_value(gp_turn_get_meta(result, GP_META_SESSION_ID)), gp_session_id(s));
  assert_int_equal(gp_session_turn_count(s), 1);
  gp_turn_t *latest = gp_session_latest(s);
  assert_int_equal(latest->nblocks, 2);
  /* History reads are copies. */
  gp_block_set_text(latest->blocks[0], "changed");
  gp_turn_t *again = gp_session_get_turn(s, 0);
  assert_string_equal(gp_block_text(again->blocks[0]), "hello there world");
  assert_null(gp_session_get_turn(s, 1));
  /* Events: start, one partial per word, final last. */
  assert_int_equal(rec->types[0], GP_EVENT_START);
  assert_int_equal(recorder_count(rec, GP_EVENT_PARTIAL), 3);
  assert_int_equal(recorder_last(rec), GP_EVENT_FINAL);
  assert_int_equal(recorder_terminals(rec), 1);
  assert_string_equal(json_string_value(json_object_get(rec->last_fields, "text")), "hello there world");
  gp_turn_free(again);
  gp_turn_free(latest);
  gp_turn_free(result);
  gp_sink_unref(sink);
  gp_session_free(s);
}

static void test_empty_and_already_running(void **state) {
  gp_session_t *s = echo_session(20, "a b c d e f g h i j");
  gp_run_t *r = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(gp_session_start(s, NULL, NULL, &r, &err), GP_ERR_EMPTY_TURN);
  assert_null(r);
  assert_non_null(strstr(err->message, "no turn"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp_session_start(s, user_turn("x"), NULL, &r, &err), 0);
  assert_true(gp_session_is_running(s));
  assert_true(gp_run_is_running(r));
  gp_run_t *r2 = NULL;
  assert_int_equal(gp_session_start(s, user_turn("y"), NULL, &r2, &err), GP_ERR_ALREADY_RUNNING);
  assert_null(r2);
  assert_int_equal(err->code, GP_ERR_ALREADY_RUNNING);
  assert_int_equal(gp_session_turn_count(s), 1); /* the refused seed was not appended */
  gp_error_free(err);
  assert_int_equal(gp_run_wait(r, -1, NULL, NULL), 0);
  assert_false(gp_session_is_running(s));
  /* After the end a new run may start at once. */
  assert_int_equal(gp_session_start(s, NULL, NULL, &r2, NULL), 0);
  assert_int_equal(gp_run_wait(r2, -1, NULL, NULL), 0);
  gp_run_unref(r2);
  gp_run_unref(r);
  gp_session_free(s);
}

static void test_cancel_mid_run_keeps_partial(void **state) {
  char reply[1024] = "";
  for (int i = 0; i < 100; i++) strcat(reply, "word ");
  gp_session_t *s = echo_session(10, reply);
  recorder_t *rec;
  gp_sink_t *sink = recorder_new(&rec);
  gp_run_opts_t opts = {.sink = sink};
  gp_run_t *r;
  assert_int_equal(gp_session_start(s, user_turn("x"), &opts, &r, NULL), 0);
  gp__sleep_ms(60);
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_run_cancel(r), 1);
  gp_error_t *err = NULL;
  gp_turn_t *result = NULL;
  assert_int_equal(gp_run_wait(r, -1, &result, &err), GP_ERR_CANCELED);
  assert_true(gp__mono_ms() - t0 < 100);
  assert_null(result);
  assert_non_null(err->partial);
  const char *partial = gp_block_text(gp_turn_last_of(err->partial, GP_BLOCK_LLM_TEXT));
  assert_non_null(partial);
  assert_true(strlen(partial) > 0 && strlen(partial) < strlen(reply));
  assert_int_equal(recorder_last(rec), GP_EVENT_INTERRUPT);
  assert_int_equal(recorder_terminals(rec), 1);
  assert_string_equal(json_string_value(json_object_get(rec->last_fields, "text")), partial);
  /* The history is as before the run: the seed turn is gone again. */
  assert_int_equal(gp_session_turn_count(s), 0);
  assert_null(gp_session_latest(s));
  /* Cancel after the end does nothing. */
  assert_int_equal(gp_run_cancel(r), 0);
  assert_int_equal(gp_session_cancel_active(s), 0);
  gp_error_free(err);
  gp_run_unref(r);
  gp_sink_unref(sink);
  gp_session_free(s);
}

static void test_cancel_before_start(void **state) {
  /* Run threads are held before their first step: the cancel lands before the run's
   * thread has begun; the engine never runs; the events are exactly start, interrupt. */
  scripted_t script = {.tool_iterations = 0};
  gp_engine_t *e = scripted_engine(&script);
  gp_session_config_t cfg = {.engine = e};
  gp_session_t *s = gp_session_new(&cfg, NULL);
  gp_session_append(s, user_turn("x"));
  for (int i = 0; i < 200; i++) {
    recorder_t *rec;
    gp_sink_t *sink = recorder_new(&rec);
    gp_run_opts_t opts = {.sink = sink};
    gp_run_t *r;
    gp__runs_hold(1);
    assert_int_equal(gp_session_start(s, NULL, &opts, &r, NULL), 0);
    assert_int_equal(gp_run_cancel(r), 1);
    assert_true(gp_run_is_running(r));
    gp__runs_hold(0);
    assert_int_equal(gp_run_wait(r, -1, NULL, NULL), GP_ERR_CANCELED);
    assert_int_equal(rec->n, 2);
    assert_int_equal(rec->types[0], GP_EVENT_START);
    assert_int_equal(recorder_last(rec), GP_EVENT_INTERRUPT);
    assert_int_equal(recorder_terminals(rec), 1);
    gp_run_unref(r);
    gp_sink_unref(sink);
  }
  assert_int_equal(atomic_load(&script.infer_count), 0);
  gp_session_free(s);
  gp_engine_unref(e);
}

static void test_cancel_after_end(void **state) {
  gp_session_t *s = echo_session(0, "done");
  gp_run_t *r;
  assert_int_equal(gp_session_start(s, user_turn("x"), NULL, &r, NULL), 0);
  assert_int_equal(gp_run_wait(r, -1, NULL, NULL), 0);
  assert_int_equal(gp_run_cancel(r), 0);
  gp_turn_t *result = NULL;
  assert_int_equal(gp_run_wait(r, 0, &result, NULL), 0); /* the outcome stays success */
  assert_non_null(result);
  gp_turn_free(result);
  gp_run_unref(r);
  gp_session_free(s);
}

static void test_run_timeout(void **state) {
  gp_session_t *s = echo_session(50, "one two three four five six seven");
  recorder_t *rec;
  gp_sink_t *sink = recorder_new(&rec);
  gp_run_opts_t opts = {.timeout_ms = 80, .sink = sink};
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_session_run(s, user_turn("x"), &opts, NULL, &err), GP_ERR_TIMEOUT);
  int64_t dt = gp__mono_ms() - t0;
  assert_true(dt >= 75 && dt < 500);
  assert_int_equal(err->code, GP_ERR_TIMEOUT);
  assert_non_null(err->partial);
  assert_int_equal(recorder_last(rec), GP_EVENT_ERROR);
  assert_int_equal(recorder_terminals(rec), 1);
  assert_string_equal(json_string_value(json_object_get(json_object_get(rec->last_fields, "error"), "code")), "TIMEOUT");
  /* A wait with a limit that passes reports TIMEOUT and the run goes on. */
  gp_run_t *r;
  gp_run_opts_t slow = {0};
  assert_int_equal(gp_session_start(s, user_turn("a b c d"), &slow, &r, NULL), 0);
  assert_int_equal(gp_run_wait(r, 10, NULL, NULL), GP_ERR_TIMEOUT);
  assert_true(gp_run_is_running(r));
  assert_int_equal(gp_run_wait(r, -1, NULL, NULL), 0);
  gp_run_unref(r);
  gp_error_free(err);
  gp_sink_unref(sink);
  gp_session_free(s);
}

static void test_free_cancels_active_run(void **state) {
  gp_session_t *s = echo_session(30, "a b c d e f g h i j k l m n o p");
  gp_run_t *r;
  assert_int_equal(gp_session_start(s, user_turn("x"), NULL, &r, NULL), 0);
  gp_session_free(s); /* cancels and waits */
  assert_false(gp_run_is_running(r));
  assert_int_equal(gp_run_wait(r, 0, NULL, NULL), GP_ERR_CANCELED);
  gp_run_unref(r);
}

typedef struct {
  int seed;
  atomic_int *canceled, *finished, *bad;
} storm_t;

static void *storm_worker(void *arg) {
  storm_t *st = arg;
  unsigned rnd = (unsigned)st->seed;
  gp_session_t *s = echo_session(1, "alpha beta gamma delta");
  gp_session_append(s, user_turn("x"));
  for (int i = 0; i < 250; i++) {
    recorder_t *rec;
    gp_sink_t *sink = recorder_new(&rec);
    gp_run_opts_t opts = {.sink = sink};
    gp_run_t *r;
    if (gp_session_start(s, NULL, &opts, &r, NULL) != 0) {
      atomic_fetch_add(st->bad, 1);
      gp_sink_unref(sink);
      continue;
    }
    rnd = rnd * 1103515245u + 12345u;
    int delay_us = (int)((rnd >> 16) % 3000);
    if (delay_us > 1500) usleep((useconds_t)delay_us);
    int c = gp_run_cancel(r);
    int rc = gp_run_wait(r, -1, NULL, NULL);
    if (c == 1 && rc != GP_ERR_CANCELED) atomic_fetch_add(st->bad, 1);
    if (c == 0 && rc != 0) atomic_fetch_add(st->bad, 1);
    if (recorder_terminals(rec) != 1) atomic_fetch_add(st->bad, 1);
    if (rc == GP_ERR_CANCELED && recorder_last(rec) != GP_EVENT_INTERRUPT) atomic_fetch_add(st->bad, 1);
    if (rc == 0 && recorder_last(rec) != GP_EVENT_FINAL) atomic_fetch_add(st->bad, 1);
    atomic_fetch_add(rc == 0 ? st->finished : st->canceled, 1);
    gp_run_unref(r);
    gp_sink_unref(sink);
  }
  gp_session_free(s);
  return NULL;
}

static void test_thousand_runs_canceled_from_threads(void **state) {
  gp_test_watchdog("test_thousand_runs_canceled_from_threads", 150);
  atomic_int canceled = 0, finished = 0, bad = 0;
  pthread_t th[4];
  storm_t st[4];
  for (int i = 0; i < 4; i++) {
    st[i] = (storm_t){.seed = i + 1, .canceled = &canceled, .finished = &finished, .bad = &bad};
    pthread_create(&th[i], NULL, storm_worker, &st[i]);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  assert_int_equal(atomic_load(&bad), 0);
  assert_int_equal(atomic_load(&canceled) + atomic_load(&finished), 1000);
  assert_true(atomic_load(&canceled) > 0);
  /* a run stays counted until its thread's last callback, just after its waiters woke */
  for (int i = 0; i < 1000 && gp_runs_active() > 0; i++) usleep(1000);
  assert_int_equal(gp_runs_active(), 0);
}

/* SPEC §4.7: a continuing seed adds latest + seed as a new turn; a turn seed is
 * appended as it is; a failed run leaves the history as it was. */
static void test_seed_continue_and_turn(void **state) {
  gp_session_t *s = echo_session(0, NULL);
  gp_run_opts_t cont = {.seed_mode = GP_SEED_CONTINUE};
  gp_turn_t *result = NULL;
  assert_int_equal(gp_session_run(s, user_turn("hi I am Ann"), &cont, &result, NULL), 0);
  assert_int_equal(result->nblocks, 2);
  gp_turn_free(result);
  assert_int_equal(gp_session_run(s, user_turn("my name?"), &cont, &result, NULL), 0);
  assert_int_equal(gp_session_turn_count(s), 2);
  assert_int_equal(result->nblocks, 4); /* user, answer, user, answer */
  assert_string_equal(gp_block_text(result->blocks[0]), "hi I am Ann");
  assert_string_equal(gp_block_text(result->blocks[3]), "my name?");
  gp_turn_free(result);
  /* the first turn is untouched by the second run */
  gp_turn_t *first = gp_session_get_turn(s, 0);
  assert_int_equal(first->nblocks, 2);
  gp_turn_free(first);
  /* a Turn seed is appended as it is: the model sees only it */
  assert_int_equal(gp_session_run(s, user_turn("alone"), NULL, &result, NULL), 0);
  assert_int_equal(result->nblocks, 2);
  assert_int_equal(gp_session_turn_count(s), 3);
  gp_turn_free(result);
  gp_session_free(s);
}

static void test_failed_run_rolls_back(void **state) {
  gp_session_t *s = echo_session(0, NULL);
  gp_run_opts_t cont = {.seed_mode = GP_SEED_CONTINUE};
  assert_int_equal(gp_session_run(s, user_turn("one"), &cont, NULL, NULL), 0);
  gp_run_opts_t late = {.seed_mode = GP_SEED_CONTINUE, .timeout_ms = 1};
  gp_session_t *slow = echo_session(50, "a b c d e f g h");
  assert_int_equal(gp_session_run(slow, user_turn("x"), &late, NULL, NULL), GP_ERR_TIMEOUT);
  assert_int_equal(gp_session_turn_count(slow), 0);
  gp_session_append(slow, user_turn("kept"));
  gp_error_t *err = NULL;
  assert_int_equal(gp_session_run(slow, user_turn("y"), &late, NULL, &err), GP_ERR_TIMEOUT);
  assert_int_equal(gp_session_turn_count(slow), 1);
  assert_non_null(err->partial); /* the seed and what was produced */
  assert_int_equal(err->partial->nblocks >= 2, 1);
  gp_error_free(err);
  gp_turn_t *t = gp_session_latest(slow);
  assert_int_equal(t->nblocks, 1);
  gp_turn_free(t);
  gp_session_free(slow);
  gp_session_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_run_replaces_latest_turn), GP_TEST(test_empty_and_already_running),
      GP_TEST(test_cancel_mid_run_keeps_partial), GP_TEST(test_cancel_before_start),
      GP_TEST(test_cancel_after_end), GP_TEST(test_run_timeout),
      GP_TEST(test_seed_continue_and_turn), GP_TEST(test_failed_run_rolls_back),
      GP_TEST(test_free_cancels_active_run), GP_TEST(test_thousand_runs_canceled_from_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
