/* Tests for the engine interface (refcount, getters, metadata, pre-fired tokens) and
 * the echo engine: what it appends, how it streams partial events, and how it stops
 * when its run's token fires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <geppetto/engine.h>

#include "core/core.h"
#include "testutil.h"

/* ---- event capture ---- */

#define MAX_EVENTS 512

typedef struct {
  pthread_mutex_t lock;
  int count;                  /* partial events seen */
  int other;                  /* events of any other type */
  char *deltas[MAX_EVENTS];
  char *completions[MAX_EVENTS];
} capture_t;

static void capture_publish(void *ud, gp_event_t *ev) {
  capture_t *c = ud;
  pthread_mutex_lock(&c->lock);
  if (ev->type != GP_EVENT_PARTIAL) {
    c->other++;
  } else if (c->count < MAX_EVENTS) {
    const char *d = json_string_value(json_object_get(ev->fields, "delta"));
    size_t clen;
    const char *comp = gp_event_completion(ev, &clen); /* shared, not NUL-terminated */
    c->deltas[c->count] = strdup(d ? d : "<missing>");
    c->completions[c->count] = comp ? strndup(comp, clen) : strdup("<missing>");
    c->count++;
  }
  pthread_mutex_unlock(&c->lock);
}

/* Everything one inference call needs: ctx, token, emitter with a capturing sink. */
typedef struct {
  capture_t cap;
  gp_infer_ctx_t ctx;
  gp_cancel_t *cancel;
  gp_emitter_t *emitter;
  json_t *tags;
  json_t *tool_defs;
} fixture_t;

static void fixture_init(fixture_t *f) {
  memset(f, 0, sizeof *f);
  pthread_mutex_init(&f->cap.lock, NULL);
  f->cancel = gp_cancel_new(NULL);
  f->emitter = gp_emitter_new("s1", "r1", "t1");
  gp_sink_t *sink = gp_sink_new(capture_publish, &f->cap, NULL);
  gp_emitter_add_sink(f->emitter, sink);
  gp_sink_unref(sink);
  f->tags = json_object();
  f->tool_defs = json_array();
  f->ctx.run.session_id = "s1";
  f->ctx.run.run_id = "r1";
  f->ctx.run.tags = f->tags;
  f->ctx.run.cancel = f->cancel;
  f->ctx.emitter = f->emitter;
  f->ctx.tool_defs = f->tool_defs;
  f->ctx.tool_choice = "auto";
  f->ctx.iteration = 1;
}

static void fixture_free(fixture_t *f) {
  gp_emitter_free(f->emitter);
  gp_cancel_unref(f->cancel);
  json_decref(f->tags);
  json_decref(f->tool_defs);
  for (int i = 0; i < f->cap.count; i++) {
    free(f->cap.deltas[i]);
    free(f->cap.completions[i]);
  }
  pthread_mutex_destroy(&f->cap.lock);
}

/* Checks the captured stream: deltas concatenate to `text`, each completion is the
 * concatenation so far and grows. Returns the event count. */
static int check_stream(fixture_t *f, const char *text) {
  pthread_mutex_lock(&f->cap.lock);
  gp_buf_t acc = {0};
  size_t prev_len = 0;
  for (int i = 0; i < f->cap.count; i++) {
    gp__buf_puts(&acc, f->cap.deltas[i]);
    assert_string_equal(f->cap.completions[i], acc.data);
    assert_true(strlen(f->cap.completions[i]) > prev_len);
    prev_len = strlen(f->cap.completions[i]);
  }
  assert_string_equal(acc.data ? acc.data : "", text);
  gp__buf_free(&acc);
  int n = f->cap.count;
  pthread_mutex_unlock(&f->cap.lock);
  return n;
}

static const char *meta_str(const gp_turn_t *t, const char *key) {
  return json_string_value(gp_turn_get_meta(t, key));
}

static json_int_t usage_field(const gp_turn_t *t, const char *key) {
  json_t *usage = gp_turn_get_meta(t, GP_META_USAGE);
  assert_non_null(usage);
  json_t *v = json_object_get(usage, key);
  assert_true(json_is_integer(v));
  return json_integer_value(v);
}

/* ---- echo: content and streaming ---- */

static void test_echo_reply_given(void **state) {
  fixture_t f;
  fixture_init(&f);
  const char *reply = "Hello  big\n\tworld ";
  gp_engine_t *e = gp_engine_echo(reply, 0);
  assert_string_equal(gp_engine_provider(e), "echo");
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("what is up"));
  gp_error_t *err = NULL;
  assert_int_equal(gp_engine_infer(e, &f.ctx, t, &err), 0);
  assert_null(err);
  assert_int_equal(t->nblocks, 2);
  assert_int_equal(t->blocks[1]->kind, GP_BLOCK_LLM_TEXT);
  assert_string_equal(gp_block_text(t->blocks[1]), reply);
  assert_int_equal(check_stream(&f, reply), 3);
  assert_int_equal(f.cap.other, 0);
  assert_string_equal(meta_str(t, GP_META_PROVIDER), "echo");
  assert_string_equal(meta_str(t, GP_META_STOP_REASON), "stop");
  assert_int_equal(usage_field(t, "inputTokens"), 3);
  assert_int_equal(usage_field(t, "outputTokens"), 3);
  gp_turn_free(t);
  gp_engine_unref(e);
  fixture_free(&f);
}

static void test_echo_last_user_text(void **state) {
  fixture_t f;
  fixture_init(&f);
  const char *last = "\n  second   user\n\nturn here  ";
  gp_engine_t *e = gp_engine_echo(NULL, 0);
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("first one"));
  gp_turn_append(t, gp_block_new_assistant("an answer"));
  gp_turn_append(t, gp_block_new_user(last));
  gp_turn_append(t, gp_block_new_system("not a user block"));
  gp_error_t *err = NULL;
  assert_int_equal(gp_engine_infer(e, &f.ctx, t, &err), 0);
  assert_int_equal(t->nblocks, 5);
  assert_int_equal(t->blocks[4]->kind, GP_BLOCK_LLM_TEXT);
  assert_string_equal(gp_block_text(t->blocks[4]), last);
  assert_int_equal(check_stream(&f, last), 4);
  assert_int_equal(usage_field(t, "outputTokens"), 4);
  gp_turn_free(t);
  gp_engine_unref(e);
  fixture_free(&f);
}

static void test_echo_no_user_block(void **state) {
  fixture_t f;
  fixture_init(&f);
  gp_engine_t *e = gp_engine_echo(NULL, 0);
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_engine_infer(e, &f.ctx, t, &err), 0);
  assert_int_equal(t->nblocks, 1);
  assert_int_equal(t->blocks[0]->kind, GP_BLOCK_LLM_TEXT);
  assert_string_equal(gp_block_text(t->blocks[0]), "");
  assert_int_equal(check_stream(&f, ""), 0);
  assert_int_equal(usage_field(t, "outputTokens"), 0);
  gp_turn_free(t);
  gp_engine_unref(e);
  fixture_free(&f);
}

/* A NULL emitter and a delay without a token still produce the whole text. */
static void test_echo_without_emitter(void **state) {
  gp_engine_t *e = gp_engine_echo("one two", 1);
  gp_turn_t *t = gp_turn_new();
  json_t *tags = json_object(), *defs = json_array();
  gp_infer_ctx_t ctx = {.run.tags = tags, .tool_defs = defs, .tool_choice = "auto", .iteration = 1};
  gp_error_t *err = NULL;
  assert_int_equal(gp_engine_infer(e, &ctx, t, &err), 0);
  assert_int_equal(t->nblocks, 1);
  assert_string_equal(gp_block_text(t->blocks[0]), "one two");
  json_decref(tags);
  json_decref(defs);
  gp_turn_free(t);
  gp_engine_unref(e);
}

/* ---- echo: cancellation ---- */

typedef struct {
  gp_cancel_t *cancel;
  int delay_ms;
} firer_t;

static void *fire_later(void *arg) {
  firer_t *fr = arg;
  gp__sleep_ms(fr->delay_ms);
  gp_cancel_fire(fr->cancel, GP_ERR_CANCELED);
  return NULL;
}

static char *words_text(int n) {
  gp_buf_t b = {0};
  for (int i = 0; i < n; i++) gp__buf_printf(&b, "%sw%d", i ? " " : "", i);
  return gp__buf_steal(&b);
}

static void test_echo_cancel_midstream(void **state) {
  fixture_t f;
  fixture_init(&f);
  char *reply = words_text(200);  /* 200 words x 20 ms: 4 s if not canceled */
  gp_engine_t *e = gp_engine_echo(reply, 20);
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("go"));
  firer_t fr = {f.cancel, 50};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, fire_later, &fr), 0);
  int64_t t0 = gp__mono_ms();
  gp_error_t *err = NULL;
  int rc = gp_engine_infer(e, &f.ctx, t, &err);
  int64_t elapsed = gp__mono_ms() - t0;
  pthread_join(th, NULL);
  assert_int_equal(rc, GP_ERR_CANCELED);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_CANCELED);
  assert_true(elapsed < 1500);
  /* The partial output stays in the turn and matches what was streamed. */
  assert_int_equal(t->nblocks, 2);
  assert_int_equal(t->blocks[1]->kind, GP_BLOCK_LLM_TEXT);
  const char *partial = gp_block_text(t->blocks[1]);
  assert_true(strlen(partial) > 0);
  assert_true(strlen(partial) < strlen(reply));
  assert_memory_equal(partial, reply, strlen(partial));
  int n = check_stream(&f, partial);
  assert_true(n >= 1 && n < 200);
  assert_int_equal(usage_field(t, "outputTokens"), n);
  assert_null(gp_turn_get_meta(t, GP_META_STOP_REASON));
  gp_error_free(err);
  free(reply);
  gp_turn_free(t);
  gp_engine_unref(e);
  fixture_free(&f);
}

static void test_echo_timeout_reason(void **state) {
  fixture_t f;
  fixture_init(&f);
  char *reply = words_text(100);
  gp_engine_t *e = gp_engine_echo(reply, 20);
  gp_turn_t *t = gp_turn_new();
  gp_cancel_fire_after(f.cancel, 50, GP_ERR_TIMEOUT);
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_engine_infer(e, &f.ctx, t, &err), GP_ERR_TIMEOUT);
  assert_true(gp__mono_ms() - t0 < 1500);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_TIMEOUT);
  assert_int_equal(t->nblocks, 1);
  check_stream(&f, gp_block_text(t->blocks[0]));
  gp_error_free(err);
  free(reply);
  gp_turn_free(t);
  gp_engine_unref(e);
  fixture_free(&f);
}

static void test_echo_already_fired(void **state) {
  fixture_t f;
  fixture_init(&f);
  gp_engine_t *e = gp_engine_echo("never streamed", 1000);
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  gp_cancel_fire(f.cancel, GP_ERR_CANCELED);
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp_engine_infer(e, &f.ctx, t, &err), GP_ERR_CANCELED);
  assert_true(gp__mono_ms() - t0 < 500);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_CANCELED);
  assert_int_equal(t->nblocks, 1);
  assert_int_equal(f.cap.count, 0);
  gp_error_free(err);
  gp_turn_free(t);
  gp_engine_unref(e);
  fixture_free(&f);
}

/* ---- the engine interface ---- */

typedef struct {
  int calls;
  int destroyed;
  int fail;                    /* return this code without setting *err */
  int set_provider;            /* the engine sets provider metadata itself */
} fake_t;

static int fake_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  fake_t *fk = impl;
  fk->calls++;
  if (fk->set_provider) gp_turn_set_meta(turn, GP_META_PROVIDER, json_string("custom"));
  gp_turn_append(turn, gp_block_new_assistant("fake"));
  return fk->fail;
}

static void fake_destroy(void *impl) { ((fake_t *)impl)->destroyed++; }

static const gp_engine_vtable_t fake_vt = {"fake", fake_infer, fake_destroy};

static void test_engine_refcount_and_getters(void **state) {
  fake_t fk = {0};
  gp_engine_t *e = gp_engine_new(&fake_vt, &fk, "m-1");
  assert_string_equal(gp_engine_provider(e), "fake");
  assert_string_equal(gp_engine_model(e), "m-1");
  assert_ptr_equal(gp_engine_ref(e), e);
  gp_engine_unref(e);
  assert_int_equal(fk.destroyed, 0);
  gp_engine_unref(e);
  assert_int_equal(fk.destroyed, 1);
  gp_engine_unref(NULL);

  gp_engine_t *nomodel = gp_engine_new(&fake_vt, &fk, NULL);
  assert_null(gp_engine_model(nomodel));
  gp_engine_unref(nomodel);
  assert_int_equal(fk.destroyed, 2);
}

static void test_engine_metadata(void **state) {
  fake_t fk = {0};
  gp_engine_t *e = gp_engine_new(&fake_vt, &fk, "m-1");
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_engine_infer(e, NULL, t, &err), 0);
  assert_int_equal(fk.calls, 1);
  assert_string_equal(meta_str(t, GP_META_PROVIDER), "fake");
  assert_string_equal(meta_str(t, GP_META_MODEL), "m-1");
  gp_turn_free(t);

  /* Metadata the engine set is kept; a failure without *err gets one. */
  fk.set_provider = 1;
  fk.fail = GP_ERR_PROVIDER_HTTP;
  t = gp_turn_new();
  assert_int_equal(gp_engine_infer(e, NULL, t, &err), GP_ERR_PROVIDER_HTTP);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_PROVIDER_HTTP);
  assert_string_equal(meta_str(t, GP_META_PROVIDER), "custom");
  assert_string_equal(meta_str(t, GP_META_MODEL), "m-1");
  assert_int_equal(t->nblocks, 1);  /* partial output kept */
  gp_error_free(err);
  gp_turn_free(t);
  gp_engine_unref(e);
  assert_int_equal(fk.destroyed, 1);
}

static void test_engine_prefired_not_called(void **state) {
  fake_t fk = {0};
  gp_engine_t *e = gp_engine_new(&fake_vt, &fk, NULL);
  gp_cancel_t *c = gp_cancel_new(NULL);
  gp_cancel_fire(c, GP_ERR_TIMEOUT);
  gp_infer_ctx_t ctx = {.run.cancel = c};
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_engine_infer(e, &ctx, t, &err), GP_ERR_TIMEOUT);
  assert_int_equal(fk.calls, 0);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_TIMEOUT);
  assert_int_equal(t->nblocks, 0);
  gp_error_free(err);
  gp_turn_free(t);
  gp_cancel_unref(c);
  gp_engine_unref(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_echo_reply_given),
      GP_TEST(test_echo_last_user_text),
      GP_TEST(test_echo_no_user_block),
      GP_TEST(test_echo_without_emitter),
      GP_TEST(test_echo_cancel_midstream),
      GP_TEST(test_echo_timeout_reason),
      GP_TEST(test_echo_already_fired),
      GP_TEST(test_engine_refcount_and_getters),
      GP_TEST(test_engine_metadata),
      GP_TEST(test_engine_prefired_not_called),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
