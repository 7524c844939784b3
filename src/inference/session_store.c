/* A store-backed session (SPEC §4.12): loading its history (at creation, on a pool
 * thread unless asked to load at once), writing appended turns in the background, forks,
 * and a run's part: the lease, the reload when another process moved the store on, and
 * the commit of the outcome before the terminal event. The structures and locks are
 * session.c's (session_private.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/log.h"
#include "inference/session_private.h"
#include "store/store_internal.h"

/* Waits, under the lock, until the history is loaded (or failed). */
void gp__session_wait_loaded(gp_session_t *s) {
  while (s->ready == 0) pthread_cond_wait(&s->cond, &s->lock);
}

/* Copies (a fork) and loads the history from the store. Blocking; any thread but an
 * owner. Sets ready and wakes the waiters. */
static void gp__session_load_now(gp_session_t *s) {
  gp_error_t *err = NULL;
  int rc = 0;
  if (s->copy_from) rc = gp_store_copy(s->store, s->copy_from, s->id, &err);
  gp_turn_t **turns = NULL;
  size_t n = 0;
  int64_t rev = 0;
  if (rc == 0) rc = gp__store_history(s->store, s->id, &turns, &n, &rev, &err);
  pthread_mutex_lock(&s->lock);
  if (rc == 0) {
    for (size_t i = 0; i < n; i++) gp__session_push(s, turns[i]);
    s->rev = rev;
    s->ready = 1;
  } else {
    s->load_err = err ? err : gp_error_new(rc, NULL);
    err = NULL;
    s->ready = -1;
  }
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->lock);
  free(turns);
  gp_error_free(err);
}

static void gp__session_load_task(void *arg) {
  gp_session_t *s = arg;
  gp__session_load_now(s);
  pthread_mutex_lock(&s->lock);
  s->pending--;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->lock);
}

/* Starts loading: now (load_async 0; returns the failure) or on a pool thread. */
int gp__session_load_start(gp_session_t *s, gp_error_t **err) {
  s->ready = 0;
  if (!s->load_async) {
    gp__session_load_now(s);
    if (s->ready == 1) return 0;
    int rc = s->load_err->code;
    if (err) *err = gp_error_copy(s->load_err);
    return rc;
  }
  s->pending++;
  gp__pool_submit(gp__runs_pool(), gp__session_load_task, s);
  return 0;
}

typedef struct {
  gp_session_t *s;
  size_t index;
  gp_turn_t *turn;                /* owned */
} gp__put_t;

static void gp__session_put_task(void *arg) {
  gp__put_t *p = arg;
  gp_session_t *s = p->s;
  int64_t rev = 0;
  gp_error_t *err = NULL;
  if (gp__store_put_turn(s->store, s->id, (int64_t)p->index, p->turn, &rev, &err) != 0)
    gp_log(GP_LOG_WARN, "store", "session %s: appending turn %zu to the store failed: %s", s->id, p->index,
           err ? err->message : "?");
  gp_error_free(err);
  gp_turn_free(p->turn);
  free(p);
  pthread_mutex_lock(&s->lock);
  if (rev > s->rev) s->rev = rev;
  s->pending--;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->lock);
}

/* Under the lock: writes slot `index` to the store in the background. */
void gp__session_put_start(gp_session_t *s, size_t index, gp_turn_t *turn) {
  gp__put_t *p = gp__xcalloc(1, sizeof *p);
  p->s = s;
  p->index = index;
  p->turn = turn;
  s->pending++;
  gp__pool_submit(gp__runs_pool(), gp__session_put_task, p);
}

int gp_session_wait_ready(gp_session_t *s, gp_error_t **err) {
  pthread_mutex_lock(&s->lock);
  gp__session_wait_loaded(s);
  int rc = s->ready == 1 ? 0 : s->load_err->code;
  if (rc != 0 && err) *err = gp_error_copy(s->load_err);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

int gp_session_is_ready(gp_session_t *s) {
  pthread_mutex_lock(&s->lock);
  int r = s->ready != 0;
  pthread_mutex_unlock(&s->lock);
  return r;
}

gp_store_t *gp_session_store(gp_session_t *s) { return s->store; }

gp_session_t *gp_session_fork(gp_session_t *s, const char *new_id, gp_error_t **err) {
  gp_session_config_t cfg = {.engine = s->engine, .middlewares = s->mws, .nmiddlewares = s->nmws,
                             .tools = s->tools, .settings = &s->settings, .hooks = s->hooks,
                             .id = new_id};
  gp_session_t *n = gp_session_new(&cfg, err);
  if (!n) return NULL;
  pthread_mutex_lock(&s->lock);
  gp__session_wait_loaded(s);
  while (s->pending) pthread_cond_wait(&s->cond, &s->lock); /* appends reach the store first */
  if (!s->store) {
    for (size_t i = 0; i < s->nturns; i++) gp__session_push(n, gp_turn_copy(s->turns[i]));
  }
  pthread_mutex_unlock(&s->lock);
  if (!s->store) return n;
  n->store = gp_store_ref(s->store);
  n->load_async = s->load_async;
  n->copy_from = gp__xstrdup(s->id);
  if (gp__session_load_start(n, err) != 0) {
    gp_session_free(n);
    return NULL;
  }
  return n;
}

/* Composes the run's turn from the history, after replacing the history with `loaded`
 * (a reload: the store moved on; takes the turns) when `loaded` is not NULL. Run thread;
 * takes the session lock. Returns 0 or EMPTY_TURN. */
static int gp__run_compose(gp_run_t *r, gp_turn_t **loaded, size_t n, int64_t rev,
                           gp_error_t **err) {
  gp_session_t *s = r->session;
  pthread_mutex_lock(&s->lock);
  if (loaded) {
    for (size_t i = 0; i < s->nturns; i++) gp_turn_free(s->turns[i]);
    s->nturns = 0;
    for (size_t i = 0; i < n; i++) gp__session_push(s, loaded[i]);
    s->rev = rev;
    r->added_turn = 0;
    r->composed = 0;
  }
  if (!r->composed) {
    gp_turn_t *t = r->seed ? gp_turn_copy(r->seed) : NULL;
    if (t) {
      free(t->id);
      t->id = gp__xstrdup(r->turn->id);
      if (r->seed_mode == GP_SEED_CONTINUE) t = gp__seed_continue(s, t);
      gp__session_push(s, t);
      r->added_turn = 1;
    }
    if (s->nturns == 0) {
      pthread_mutex_unlock(&s->lock);
      return gp_error_set(err, GP_ERR_EMPTY_TURN,
                          "session %s has no turn to run; append a turn or pass a seed", s->id);
    }
    r->turn_index = s->nturns - 1;
    gp_turn_free(r->turn);
    r->turn = gp_turn_copy(s->turns[r->turn_index]);
    r->first_new_block = r->turn->nblocks;
    r->composed = 1;
  }
  pthread_mutex_unlock(&s->lock);
  return 0;
}

/* Store runs, before inference: waits for the history and the session's background
 * writes, takes the lease, reloads the history if the store moved on, composes the turn.
 * Run thread. */
int gp__run_store_begin(gp_run_t *r, gp_error_t **err) {
  gp_session_t *s = r->session;
  int rc = gp_session_wait_ready(s, err);
  if (rc != 0) return rc;
  pthread_mutex_lock(&s->lock);
  while (s->pending) pthread_cond_wait(&s->cond, &s->lock);
  int64_t known = s->rev;
  pthread_mutex_unlock(&s->lock);
  int64_t rev = 0;
  rc = gp__store_begin(s->store, s->id, r->id, &rev, err);
  if (rc != 0) return rc;
  r->leased = 1;
  if (rev == known) return gp__run_compose(r, NULL, 0, 0, err);
  gp_turn_t **turns = NULL;
  size_t n = 0;
  rc = gp__store_history(s->store, s->id, &turns, &n, &rev, err);
  if (rc == 0) rc = gp__run_compose(r, turns, n, rev, err);
  free(turns);
  return rc;
}

static char *gp__json_text(json_t *j, int steal) {
  char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  if (steal) json_decref(j);
  return t;
}

/* Store runs, at the end: commits the result turn and the run's record (a failure: the
 * record with the partial turn) and releases the lease. Returns `rc`, or the commit's
 * failure when a successful run could not be committed (then the run fails with it). */
int gp__run_store_end(gp_run_t *r, int rc, gp_error_t **err) {
  gp_session_t *s = r->session;
  pthread_mutex_lock(&s->lock);
  int64_t count = (int64_t)s->nturns;
  pthread_mutex_unlock(&s->lock);
  char *usage = gp__json_text(gp_turn_get_meta(r->turn, GP_META_USAGE), 0);
  char *turn = gp__json_text(gp_turn_to_json(r->turn), 1);
  gp__store_commit_t c = {.session_id = s->id, .owner = r->id, .run_id = r->id,
                          .turn_index = rc == 0 ? (int64_t)r->turn_index : -1,
                          .turn_json = rc == 0 ? turn : NULL, .turn_count = count,
                          .started_ms = r->started_ms, .ended_ms = gp__now_ms(),
                          .outcome = rc == 0 ? "ok" : gp_err_name(rc), .usage = usage,
                          .partial = rc == 0 ? NULL : turn};
  gp_error_t *cerr = NULL;
  int64_t rev = 0;
  int crc = gp__store_end(s->store, &c, &rev, &cerr);
  free(usage);
  free(turn);
  if (crc == 0 && rc == 0) {
    pthread_mutex_lock(&s->lock);
    s->rev = rev;
    pthread_mutex_unlock(&s->lock);
  } else if (crc != 0 && rc == 0) {
    gp_error_free(*err);
    *err = cerr;
    return crc;
  } else if (crc != 0) {
    gp_log(GP_LOG_WARN, "store", "session %s: the record of failed run %s was not stored: %s",
           s->id, r->id, cerr ? cerr->message : "?");
  }
  gp_error_free(cerr);
  return rc;
}
