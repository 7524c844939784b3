/* Sessions and runs: the history of turns, the one active run, and the run thread that
 * executes the tool loop and ends every run with exactly one terminal event.
 *
 * Locks: the session's `lock` guards its history, sinks and `active`; a run's `lock`
 * guards its outcome. The session lock may be taken while holding no run lock only.
 * A run holds no reference on its session: gp_session_free cancels and waits for the
 * active run first, so the session outlives every run it started.
 *
 * With a store (SPEC §4.12) the history is loaded on a pool thread (or in gp_session_new)
 * and appended turns are written in the background (`pending` counts that work; free
 * waits for it). A run takes the session's lease on its run thread, reloads the history
 * if another process changed it (the store's revision moved) and composes its turn again
 * from the seed, and commits its result (or its failure's record) before its terminal
 * event: session_store.c. No store I/O happens in gp_session_start, so starting never
 * blocks. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_depth.h"
#include "core/core.h"
#include "core/pool.h"
#include "events/events_internal.h"
#include "geppetto/log.h"
#include "geppetto/session.h"
#include "inference/internal.h"
#include "inference/session_private.h"
#include "store/store_internal.h"

static gp_pool_t *_Atomic gp__runs_pool_slot;

gp_pool_t *gp__runs_pool(void) { return gp__pool_shared(&gp__runs_pool_slot, "gp-run", 0); }

static atomic_size_t gp__runs_active;

size_t gp_runs_active(void) { return atomic_load(&gp__runs_active); }

/* ---- sessions --------------------------------------------------------------------- */

gp_session_t *gp_session_new(const gp_session_config_t *cfg, gp_error_t **err) {
  if (!cfg || !cfg->engine) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "a session needs an engine");
    return NULL;
  }
  gp_session_t *s = gp__xcalloc(1, sizeof *s);
  s->id = cfg->id ? gp__xstrdup(cfg->id) : gp_id_new();
  s->engine = gp_engine_ref(cfg->engine);
  s->nmws = cfg->nmiddlewares;
  s->mws = gp__xcalloc(s->nmws ? s->nmws : 1, sizeof *s->mws);
  for (size_t i = 0; i < s->nmws; i++) s->mws[i] = gp_middleware_ref(cfg->middlewares[i]);
  s->tools = cfg->tools ? gp_registry_ref(cfg->tools) : NULL;
  if (cfg->settings) gp_tool_settings_copy(&s->settings, cfg->settings);
  else gp_tool_settings_init(&s->settings);
  s->hooks = cfg->hooks ? gp_tool_hooks_ref(cfg->hooks) : NULL;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->cond, NULL);
  s->ready = 1;
  if (cfg->store) {
    s->store = gp_store_ref(cfg->store);
    s->load_async = cfg->load_async;
    if (gp__session_load_start(s, err) != 0) {
      gp_session_free(s);
      return NULL;
    }
  }
  return s;
}

void gp_session_free(gp_session_t *s) {
  if (!s) return;
  pthread_mutex_lock(&s->lock);
  gp_run_t *active = s->active ? gp_run_ref(s->active) : NULL;
  while (s->pending) pthread_cond_wait(&s->cond, &s->lock);
  pthread_mutex_unlock(&s->lock);
  if (active) {
    gp_run_cancel(active);
    gp__run_launch(active); /* a run still held (gp__session_start_held) ends now */
    gp_run_wait(active, -1, NULL, NULL);
    gp_run_unref(active);
  }
  for (size_t i = 0; i < s->nturns; i++) gp_turn_free(s->turns[i]);
  free(s->turns);
  for (size_t i = 0; i < s->nsinks; i++) gp_sink_unref(s->sinks[i]);
  free(s->sinks);
  for (size_t i = 0; i < s->nmws; i++) gp_middleware_unref(s->mws[i]);
  free(s->mws);
  gp_engine_unref(s->engine);
  gp_registry_unref(s->tools);
  gp_tool_hooks_unref(s->hooks);
  gp_tool_settings_clear(&s->settings);
  gp_store_unref(s->store);
  gp_error_free(s->load_err);
  free(s->copy_from);
  pthread_cond_destroy(&s->cond);
  pthread_mutex_destroy(&s->lock);
  free(s->id);
  free(s);
}

const char *gp_session_id(const gp_session_t *s) { return s->id; }

void gp_session_add_sink(gp_session_t *s, gp_sink_t *sink) {
  pthread_mutex_lock(&s->lock);
  s->sinks = gp__xrealloc(s->sinks, (s->nsinks + 1) * sizeof *s->sinks);
  s->sinks[s->nsinks++] = gp_sink_ref(sink);
  pthread_mutex_unlock(&s->lock);
}

/* Appends under the lock already held. */
void gp__session_push(gp_session_t *s, gp_turn_t *turn) {
  if (s->nturns == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 8;
    s->turns = gp__xrealloc(s->turns, s->cap * sizeof *s->turns);
  }
  s->turns[s->nturns++] = turn;
}

/* Removes and frees history slot `i`, under the lock already held. */
static void gp__session_remove(gp_session_t *s, size_t i) {
  if (i >= s->nturns) return;
  gp_turn_free(s->turns[i]);
  memmove(s->turns + i, s->turns + i + 1, (s->nturns - i - 1) * sizeof *s->turns);
  s->nturns--;
}

void gp_session_append(gp_session_t *s, gp_turn_t *turn) {
  pthread_mutex_lock(&s->lock);
  gp__session_wait_loaded(s);
  gp__session_push(s, turn);
  if (s->store && s->ready == 1) gp__session_put_start(s, s->nturns - 1, gp_turn_copy(turn));
  pthread_mutex_unlock(&s->lock);
}

size_t gp_session_turn_count(gp_session_t *s) {
  pthread_mutex_lock(&s->lock);
  gp__session_wait_loaded(s);
  size_t n = s->nturns;
  pthread_mutex_unlock(&s->lock);
  return n;
}

gp_turn_t *gp_session_get_turn(gp_session_t *s, size_t i) {
  pthread_mutex_lock(&s->lock);
  gp__session_wait_loaded(s);
  gp_turn_t *t = i < s->nturns ? gp_turn_copy(s->turns[i]) : NULL;
  pthread_mutex_unlock(&s->lock);
  return t;
}

gp_turn_t *gp_session_latest(gp_session_t *s) {
  pthread_mutex_lock(&s->lock);
  gp__session_wait_loaded(s);
  gp_turn_t *t = s->nturns ? gp_turn_copy(s->turns[s->nturns - 1]) : NULL;
  pthread_mutex_unlock(&s->lock);
  return t;
}

int gp_session_is_running(gp_session_t *s) {
  pthread_mutex_lock(&s->lock);
  int r = s->active != NULL;
  pthread_mutex_unlock(&s->lock);
  return r;
}

int gp_session_cancel_active(gp_session_t *s) {
  pthread_mutex_lock(&s->lock);
  gp_run_t *r = s->active ? gp_run_ref(s->active) : NULL;
  pthread_mutex_unlock(&s->lock);
  if (!r) return 0;
  int c = gp_run_cancel(r);
  gp_run_unref(r);
  return c;
}

/* ---- runs ------------------------------------------------------------------------- */

gp_run_t *gp_run_ref(gp_run_t *r) {
  atomic_fetch_add(&r->refcount, 1);
  return r;
}

void gp_run_unref(gp_run_t *r) {
  if (!r || atomic_fetch_sub(&r->refcount, 1) != 1) return;
  gp_turn_free(r->turn);
  gp_turn_free(r->seed);
  gp_turn_free(r->result);
  gp_error_free(r->error);
  gp_cancel_unref(r->info.cancel);
  gp_emitter_free(r->emitter);
  gp__flow_unref(r->flow);
  json_decref(r->info.tags);
  json_decref(r->output);
  if (r->info.host.ptr && r->info.host.unref) r->info.host.unref(r->info.host.ptr);
  pthread_cond_destroy(&r->cond);
  pthread_mutex_destroy(&r->lock);
  free(r->id);
  free(r);
}

const char *gp_run_id(const gp_run_t *r) { return r->id; }

int gp_run_cancel(gp_run_t *r) {
  /* Fired under the lock so that the outcome decision (gp__run_decide) sees it or
   * this returns 0: never 1 for a run that then ends well. Token callbacks never take
   * a run lock. */
  pthread_mutex_lock(&r->lock);
  int going = !r->ended;
  if (going) gp_cancel_fire(r->info.cancel, GP_ERR_CANCELED);
  pthread_mutex_unlock(&r->lock);
  return going;
}

void gp_run_set_backpressure(gp_run_t *r, int on) { gp__flow_set_held(r->flow, on); }

int gp_run_is_running(gp_run_t *r) {
  pthread_mutex_lock(&r->lock);
  int running = !r->done;
  pthread_mutex_unlock(&r->lock);
  return running;
}

int gp_run_wait(gp_run_t *r, int64_t timeout_ms, gp_turn_t **result, gp_error_t **err) {
  pthread_mutex_lock(&r->lock);
  if (timeout_ms < 0) {
    while (!r->done) pthread_cond_wait(&r->cond, &r->lock);
  } else {
    struct timespec ts;
    gp__timespec_in(&ts, CLOCK_REALTIME, timeout_ms);
    while (!r->done && pthread_cond_timedwait(&r->cond, &r->lock, &ts) == 0) {
    }
  }
  if (!r->done) {
    pthread_mutex_unlock(&r->lock);
    return GP_ERR_TIMEOUT;
  }
  int rc = r->rc;
  if (result) *result = r->result ? gp_turn_copy(r->result) : NULL;
  if (err) {
    gp_error_free(*err);
    *err = r->error ? gp_error_copy(r->error) : NULL;
  }
  pthread_mutex_unlock(&r->lock);
  return rc;
}

/* The text of the last llm_text block this run produced, or "". */
static const char *gp__run_text(const gp_run_t *r) {
  for (size_t i = r->turn->nblocks; i > r->first_new_block; i--) {
    const gp_block_t *b = r->turn->blocks[i - 1];
    if (b->kind == GP_BLOCK_LLM_TEXT) return gp_block_text(b) ? gp_block_text(b) : "";
  }
  return "";
}

/* Publishes the one terminal event for outcome `rc`. */
static void gp__run_emit_end(gp_run_t *r, int rc, const gp_error_t *err) {
  if (rc == 0) {
    json_t *usage = gp_turn_get_meta(r->turn, GP_META_USAGE);
    json_t *stop = gp_turn_get_meta(r->turn, GP_META_STOP_REASON);
    json_t *f = gp_fields_final(gp__run_text(r), usage, json_is_string(stop) ? json_string_value(stop) : NULL);
    json_t *output = r->output ? json_object_get(r->turn->data, "output") : NULL;
    if (output) json_object_set_new(f, "output", json_deep_copy(output));
    gp_emit(r->emitter, GP_EVENT_FINAL, f);
  } else if (rc == GP_ERR_CANCELED) {
    gp_emit(r->emitter, GP_EVENT_INTERRUPT, gp_fields_interrupt(gp__run_text(r)));
  } else {
    gp_emit(r->emitter, GP_EVENT_ERROR, gp_fields_error(rc, err ? err->message : gp_strerror(rc)));
  }
}

/* Decides the outcome: a token that fired before this point wins over a late success,
 * so a cancel that returned 1 always ends the run with CANCELED. */
static int gp__run_decide(gp_run_t *r, int rc, gp_error_t **err) {
  pthread_mutex_lock(&r->lock);
  r->ended = 1;
  int reason = gp_cancel_reason(r->info.cancel);
  pthread_mutex_unlock(&r->lock);
  if (reason && (rc == 0 || rc == GP_ERR_CANCELED || rc == GP_ERR_TIMEOUT) && rc != reason)
    rc = gp_error_set(err, reason, "%s", gp_strerror(reason));
  return rc;
}

/* Fault injection for tests: while held, run threads wait before doing anything, so
 * a test can act "before the run's thread has begun" deterministically. */
static pthread_mutex_t gp__hold_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gp__hold_cond = PTHREAD_COND_INITIALIZER;
static int gp__hold; /* guarded by gp__hold_lock */

void gp__runs_hold(int on) {
  pthread_mutex_lock(&gp__hold_lock);
  gp__hold = on;
  pthread_cond_broadcast(&gp__hold_cond);
  pthread_mutex_unlock(&gp__hold_lock);
}

static void gp__run_main(void *arg) {
  gp_run_t *r = arg;
  gp_session_t *s = r->session;
  pthread_mutex_lock(&gp__hold_lock);
  while (gp__hold) pthread_cond_wait(&gp__hold_cond, &gp__hold_lock);
  pthread_mutex_unlock(&gp__hold_lock);
  gp_emit(r->emitter, GP_EVENT_START, NULL);
  gp_error_t *err = NULL;
  int rc;
  if (gp_cancel_reason(r->info.cancel)) {
    int reason = gp_cancel_reason(r->info.cancel);
    rc = gp_error_set(&err, reason, "%s", gp_strerror(reason));
  } else if (s->store && (rc = gp__run_store_begin(r, &err)) != 0) {
    /* SESSION_BUSY, a store failure or EMPTY_TURN: the run ends at once */
  } else {
    gp_loop_params_t lp = {
        .run = r->info, .engine = s->engine, .middlewares = s->mws, .nmiddlewares = s->nmws,
        .registry = s->tools, .settings = &s->settings, .hooks = s->hooks,
        .emitter = r->emitter, .output = r->output};
    rc = gp_tool_loop_run(&lp, r->turn, &err);
    if (rc != 0 && !err) err = gp_error_new(rc, NULL);
  }
  if (r->before_end) r->before_end(r->before_end_ud, r->info.cancel);
  rc = gp__run_decide(r, rc, &err);
  if (rc == 0) {
    gp_turn_set_meta(r->turn, GP_META_SESSION_ID, json_string(s->id));
    gp_turn_set_meta(r->turn, GP_META_INFERENCE_ID, json_string(r->id));
  }
  if (r->leased) rc = gp__run_store_end(r, rc, &err);
  gp__run_emit_end(r, rc, err);

  gp_turn_t *result = NULL;
  if (rc == 0) {
    result = gp_turn_copy(r->turn);
  } else {
    gp_error_set_partial(err, gp_turn_copy(r->turn));
  }
  pthread_mutex_lock(&s->lock);
  if (rc == 0 && r->turn_index < s->nturns) {
    gp_turn_free(s->turns[r->turn_index]);
    s->turns[r->turn_index] = gp_turn_copy(r->turn);
  } else if (rc != 0 && r->added_turn) {
    gp__session_remove(s, r->turn_index);
  }
  s->active = NULL;
  pthread_mutex_unlock(&s->lock);

  pthread_mutex_lock(&r->lock);
  r->rc = rc;
  r->result = result;
  r->error = err;
  r->done = 1;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
  if (r->on_done) r->on_done(r->on_done_ud, r);
  gp_run_unref(r); /* the session's `active` reference */
  gp_run_unref(r); /* the run thread's reference */
  /* last: once no run is active, no run thread calls back into its host (on_done, the
   * sinks' release) and the host may go (gp_runs_active's promise to shutdown) */
  atomic_fetch_sub(&gp__runs_active, 1);
}

/* Builds the run; the caller holds the session lock and has checked it may start.
 * `composed` 0: the history is still loading (a store session) and the run's turn is a
 * placeholder (with the seed's id, when given) until gp__run_compose. */
static gp_run_t *gp__run_new(gp_session_t *s, const gp_run_opts_t *opts, int composed,
                             const char *seed_id) {
  gp_run_t *r = gp__xcalloc(1, sizeof *r);
  atomic_init(&r->refcount, 3); /* caller, run thread, session's active */
  r->id = gp_id_new();
  r->session = s;
  r->started_ms = gp__now_ms();
  if (composed) {
    r->turn_index = s->nturns - 1;
    r->turn = gp_turn_copy(s->turns[r->turn_index]);
  } else { /* a placeholder until the run thread composes the turn */
    r->turn = gp_turn_new();
    if (seed_id) {
      free(r->turn->id);
      r->turn->id = gp__xstrdup(seed_id);
    }
  }
  r->first_new_block = r->turn->nblocks;
  r->info.session_id = s->id;
  r->info.run_id = r->id;
  r->info.cancel = gp_cancel_new(NULL);
  r->info.tags = opts && json_is_object(opts->tags) ? json_deep_copy(opts->tags) : json_object();
  r->output = opts && opts->output ? json_deep_copy(opts->output) : NULL;
  r->info.host.ptr = opts ? opts->host.ptr : NULL;
  if (r->info.host.ptr && opts->host.ref && opts->host.unref) {
    r->info.host = opts->host;
    r->info.host.ptr = opts->host.ref(opts->host.ptr);
  }
  r->on_done = opts ? opts->on_done : NULL;
  r->on_done_ud = opts ? opts->on_done_ud : NULL;
  r->info.deadline_ms = opts && opts->timeout_ms > 0 ? gp__now_ms() + opts->timeout_ms : 0;
  r->emitter = gp_emitter_new(s->id, r->id, r->turn->id);
  r->flow = gp__flow_new();
  gp__emitter_set_flow(r->emitter, r->flow);
  for (size_t i = 0; i < s->nsinks; i++) gp_emitter_add_sink(r->emitter, s->sinks[i]);
  if (opts && opts->sink) gp_emitter_add_sink(r->emitter, opts->sink);
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->cond, NULL);
  return r;
}

/* 1 when a JSON value of the seed nests deeper than the bound (core/json_depth.h); its
 * values are then released without recursion, so gp_turn_free is safe on it. */
static int gp__seed_too_deep(gp_turn_t *t) {
  int deep = 0;
  for (size_t i = 0; i < t->nblocks; i++)
    deep |= gp__json_too_deep(t->blocks[i]->payload, GP_JSON_MAX_DEPTH) |
            gp__json_too_deep(t->blocks[i]->metadata, GP_JSON_MAX_DEPTH);
  deep |= gp__json_too_deep(t->metadata, GP_JSON_MAX_DEPTH) |
          gp__json_too_deep(t->data, GP_JSON_MAX_DEPTH);
  if (!deep) return 0;
  for (size_t i = 0; i < t->nblocks; i++) {
    gp__json_release_deep(t->blocks[i]->payload);
    gp__json_release_deep(t->blocks[i]->metadata);
    t->blocks[i]->payload = t->blocks[i]->metadata = NULL;
  }
  gp__json_release_deep(t->metadata);
  gp__json_release_deep(t->data);
  t->metadata = t->data = NULL;
  return 1;
}

/* GP_SEED_CONTINUE under the session lock: a new turn holding copies of the latest
 * turn's blocks, then the seed's blocks (moved), with the seed's metadata and data.
 * Consumes `seed`. */
gp_turn_t *gp__seed_continue(gp_session_t *s, gp_turn_t *seed) {
  if (s->nturns == 0) return seed;
  const gp_turn_t *latest = s->turns[s->nturns - 1];
  gp_turn_t *t = gp_turn_new();
  free(t->id);
  t->id = seed->id; /* the new turn is the seed's: its id is stable across a recomposition */
  seed->id = gp__xstrdup("");
  for (size_t i = 0; i < latest->nblocks; i++) gp_turn_append(t, gp_block_copy(latest->blocks[i]));
  for (size_t i = 0; i < seed->nblocks; i++) gp_turn_append(t, seed->blocks[i]);
  seed->nblocks = 0;
  t->metadata = seed->metadata;
  t->data = seed->data;
  seed->metadata = seed->data = NULL;
  gp_turn_free(seed);
  return t;
}

int gp_session_start(gp_session_t *s, gp_turn_t *seed, const gp_run_opts_t *opts,
                     gp_run_t **out, gp_error_t **err) {
  int rc = gp__session_start_held(s, seed, opts, out, err);
  if (rc == 0) gp__run_launch(*out);
  return rc;
}

void gp__run_launch(gp_run_t *r) {
  if (atomic_exchange(&r->launched, 1)) return; /* once: a held run may be launched early */
  gp__pool_submit(gp__runs_pool(), gp__run_main, r);
}

void gp__run_set_before_end(gp_run_t *r, void (*fn)(void *ud, gp_cancel_t *token), void *ud) {
  r->before_end = fn;
  r->before_end_ud = ud;
}

int gp__session_start_held(gp_session_t *s, gp_turn_t *seed, const gp_run_opts_t *opts,
                           gp_run_t **out, gp_error_t **err) {
  if (out) *out = NULL;
  if (seed && gp__seed_too_deep(seed)) {
    gp_turn_free(seed);
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "the seed turn holds JSON nested deeper than %d levels (the limit)",
                        GP_JSON_MAX_DEPTH);
  }
  if (!out) {
    gp_turn_free(seed);
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "gp_session_start needs a run out-pointer");
  }
  if (opts && opts->output && gp__output_option_check(opts->output, err)) {
    gp_turn_free(seed);
    return GP_ERR_INVALID_ARGUMENT;
  }
  pthread_mutex_lock(&s->lock);
  if (s->active) {
    pthread_mutex_unlock(&s->lock);
    gp_turn_free(seed);
    return gp_error_set(err, GP_ERR_ALREADY_RUNNING,
                        "session %s already has an active run; wait for it or cancel it first",
                        s->id);
  }
  if (s->ready == -1) {
    int rc = gp_error_set(err, s->load_err->code, "%s", s->load_err->message);
    pthread_mutex_unlock(&s->lock);
    gp_turn_free(seed);
    return rc;
  }
  gp_seed_mode_t mode = opts ? opts->seed_mode : GP_SEED_TURN;
  gp_turn_t *given = s->store && seed ? gp_turn_copy(seed) : NULL;
  int composed = s->ready == 1; /* else the run thread composes once the history is loaded */
  if (composed) {
    if (seed && mode == GP_SEED_CONTINUE) seed = gp__seed_continue(s, seed);
    if (seed) gp__session_push(s, seed);
    if (s->nturns == 0) {
      pthread_mutex_unlock(&s->lock);
      gp_turn_free(given);
      return gp_error_set(err, GP_ERR_EMPTY_TURN,
                          "session %s has no turn to run; append a turn or pass a seed", s->id);
    }
  }
  gp_run_t *r = gp__run_new(s, opts, composed, seed ? seed->id : NULL);
  if (!composed) gp_turn_free(seed);
  r->added_turn = composed && seed != NULL;
  r->composed = composed;
  r->seed = given;
  r->seed_mode = mode;
  s->active = r;
  atomic_fetch_add(&gp__runs_active, 1);
  pthread_mutex_unlock(&s->lock);
  if (opts && opts->timeout_ms > 0)
    gp_cancel_fire_after(r->info.cancel, opts->timeout_ms, GP_ERR_TIMEOUT);
  *out = r;
  return 0;
}

int gp_session_run(gp_session_t *s, gp_turn_t *seed, const gp_run_opts_t *opts,
                   gp_turn_t **result, gp_error_t **err) {
  gp_run_t *r;
  int rc = gp_session_start(s, seed, opts, &r, err);
  if (rc != 0) return rc;
  rc = gp_run_wait(r, -1, result, err);
  gp_run_unref(r);
  return rc;
}
