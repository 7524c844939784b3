/* The store object: worker threads that each own a back end (and so a database
 * connection) — one for memory and SQLite, `connections` for PostgreSQL, so a slow
 * statement holds up one connection and not the others — a FIFO of jobs that callers
 * hand them and wait for, and the renewal of the leases of running sessions. Every
 * other thread only queues and waits.
 *
 * Locks: `mu` guards the job queue, the lease list and the closing flags; it is never
 * held while a back end runs. A lease being renewed is marked `busy`, and stopping its
 * renewal waits for that, so a renewal never lands after the commit that released it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/hist.h"
#include "store/store_internal.h"

typedef struct gp__job_s {
  struct gp__job_s *next;
  gp__store_fn fn;
  void *arg;
  int rc;
  gp_error_t *err;
  int done;                       /* under the store's mu */
} gp__job_t;

typedef struct gp__lease_s {
  struct gp__lease_s *next;
  char *id, *owner;               /* heap */
  int64_t next_ms;                /* monotonic time of the next renewal */
  int busy;                       /* a worker is renewing it; under mu */
} gp__lease_t;

typedef struct {
  gp_store_t *st;
  gp__store_be_t *be;             /* this worker's thread only */
  int opened;                     /* the back end is open; this worker only */
  pthread_t thread;
} gp__worker_t;

struct gp_store_s {
  atomic_int refs;
  gp__worker_t *workers;
  int nworkers;
  const char *kind;               /* the back end's kind; constant */
  int64_t lease_ms;
  pthread_mutex_t mu;
  pthread_cond_t wake;            /* the worker: a job or a lease change */
  pthread_cond_t done;            /* callers: a job ended */
  gp__job_t *head, *tail;         /* under mu */
  gp__lease_t *leases;            /* leases to renew; under mu */
  int closing;                    /* under mu */
  int joined;                     /* under mu */
  gp_hist_t commits;              /* gp__store_end latency, us; atomic */
  int delay_ms;                   /* tests only: GP_STORE_TEST_DELAY_MS; constant */
};

int64_t gp__store_now_ms(void) { return gp__now_ms(); }

/* Renews the first due lease, if any: returns 1 with mu released and retaken. */
static int gp__renew_due(gp__worker_t *w, int64_t *wait_ms) {
  gp_store_t *st = w->st;
  int64_t now = gp__mono_ms();
  *wait_ms = -1;
  for (gp__lease_t *l = st->leases; l; l = l->next) {
    if (l->busy) continue;
    if (l->next_ms > now) {
      int64_t left = l->next_ms - now;
      if (*wait_ms < 0 || left < *wait_ms) *wait_ms = left;
      continue;
    }
    l->next_ms = now + st->lease_ms / 3;
    l->busy = 1;
    pthread_mutex_unlock(&st->mu);
    int64_t rev;
    gp_error_t *err = NULL;
    if (!w->opened) w->opened = w->be->vt->open(w->be, NULL) == 0;
    if (w->opened) w->be->vt->lease(w->be, l->id, l->owner, st->lease_ms, &rev, &err);
    gp_error_free(err); /* a lost lease is found by the commit */
    pthread_mutex_lock(&st->mu);
    l->busy = 0;
    pthread_cond_broadcast(&st->done);
    return 1;
  }
  return 0;
}

/* For tests only: GP_STORE_TEST_DELAY_MS=N[:KIND] makes every job of the stores of KIND
 * (all when no KIND is given) wait N ms on its worker before it runs, as a slow database
 * would; read once, by the first store made. Never set it outside tests. */
static pthread_once_t gp__delay_once = PTHREAD_ONCE_INIT;
static int gp__delay_ms;
static char gp__delay_kind[16];

static void gp__delay_read(void) {
  const char *v = getenv("GP_STORE_TEST_DELAY_MS");
  if (!v || !*v) return;
  char *end;
  long ms = strtol(v, &end, 10);
  if (ms <= 0 || ms > 60000 || (*end && *end != ':')) return;
  if (*end == ':') snprintf(gp__delay_kind, sizeof gp__delay_kind, "%s", end + 1);
  gp__delay_ms = (int)ms;
}

/* The test delay of a store of `kind`, in ms (0: none). */
static int gp__delay_of(const char *kind) {
  pthread_once(&gp__delay_once, gp__delay_read);
  return gp__delay_kind[0] && strcmp(gp__delay_kind, kind) != 0 ? 0 : gp__delay_ms;
}

static void gp__run_job(gp__worker_t *w, gp__job_t *j) {
  if (w->st->delay_ms) gp__sleep_ms(w->st->delay_ms);
  if (!w->opened) {
    j->rc = w->be->vt->open(w->be, &j->err);
    w->opened = j->rc == 0;
    if (j->rc != 0) return;
  }
  j->rc = j->fn(w->be, j->arg, &j->err);
}

static void *gp__worker(void *arg) {
  gp__worker_t *w = arg;
  gp_store_t *st = w->st;
  pthread_mutex_lock(&st->mu);
  for (;;) {
    if (st->head) {
      gp__job_t *j = st->head;
      st->head = j->next;
      if (!st->head) st->tail = NULL;
      pthread_mutex_unlock(&st->mu);
      gp__run_job(w, j);
      pthread_mutex_lock(&st->mu);
      j->done = 1;
      pthread_cond_broadcast(&st->done);
      continue;
    }
    if (st->closing) break;
    int64_t wait_ms;
    if (gp__renew_due(w, &wait_ms)) continue;
    if (wait_ms < 0) {
      pthread_cond_wait(&st->wake, &st->mu);
    } else {
      struct timespec ts;
      gp__timespec_in(&ts, CLOCK_REALTIME, wait_ms);
      pthread_cond_timedwait(&st->wake, &st->mu, &ts);
    }
  }
  pthread_cond_broadcast(&st->wake); /* the other workers see closing too */
  pthread_mutex_unlock(&st->mu);
  w->be->vt->free(w->be);
  w->be = NULL;
  return NULL;
}

int gp__store_call(gp_store_t *st, gp__store_fn fn, void *arg, gp_error_t **err) {
  gp__job_t j = {.fn = fn, .arg = arg};
  pthread_mutex_lock(&st->mu);
  if (st->closing) {
    pthread_mutex_unlock(&st->mu);
    return gp_error_set(err, GP_ERR_STORE, "the %s store is closed", gp_store_kind(st));
  }
  if (st->tail) st->tail->next = &j;
  else st->head = &j;
  st->tail = &j;
  pthread_cond_signal(&st->wake);
  while (!j.done) pthread_cond_wait(&st->done, &st->mu);
  pthread_mutex_unlock(&st->mu);
  if (j.rc != 0 && !j.err) j.err = gp_error_new(j.rc, NULL);
  if (err) {
    gp_error_free(*err);
    *err = j.err;
  } else {
    gp_error_free(j.err);
  }
  return j.rc;
}

/* A store over `n` back ends made by make(arg), one per worker. */
static gp_store_t *gp__store_new(gp__store_be_t *(*make)(const char *), const char *arg, int n,
                                 const gp_store_opts_t *opts) {
  gp_store_t *st = gp__xcalloc(1, sizeof *st);
  atomic_init(&st->refs, 1);
  st->nworkers = n;
  st->workers = gp__xcalloc((size_t)n, sizeof *st->workers);
  for (int i = 0; i < n; i++) {
    st->workers[i].st = st;
    st->workers[i].be = make(arg);
  }
  st->kind = st->workers[0].be->vt->kind;
  st->delay_ms = gp__delay_of(st->kind);
  st->lease_ms = opts && opts->lease_ms > 0 ? opts->lease_ms : 60000;
  gp__hist_init(&st->commits);
  pthread_mutex_init(&st->mu, NULL);
  pthread_cond_init(&st->wake, NULL);
  pthread_cond_init(&st->done, NULL);
  for (int i = 0; i < n; i++)
    if (pthread_create(&st->workers[i].thread, NULL, gp__worker, &st->workers[i]) != 0) abort();
  return st;
}

static gp__store_be_t *gp__make_memory(const char *unused) { return gp__store_memory_be(); }

gp_store_t *gp_store_memory(const gp_store_opts_t *opts) {
  return gp__store_new(gp__make_memory, NULL, 1, opts);
}

gp_store_t *gp_store_sqlite(const char *path, const gp_store_opts_t *opts) {
  return gp__store_new(gp__store_sqlite_be, path ? path : "", 1, opts);
}

gp_store_t *gp_store_postgres(const char *conninfo, const gp_store_opts_t *opts) {
  int n = opts && opts->connections > 0 ? opts->connections : 4;
  return gp__store_new(gp__store_postgres_be, conninfo ? conninfo : "", n > 64 ? 64 : n, opts);
}

gp_store_t *gp_store_from_spec(const char *spec, const gp_store_opts_t *opts, gp_error_t **err) {
  if (spec && strncmp(spec, "sqlite:", 7) == 0 && spec[7]) return gp_store_sqlite(spec + 7, opts);
  if (spec && strncmp(spec, "postgres:", 9) == 0 && strncmp(spec, "postgres://", 11) != 0 && spec[9])
    return gp_store_postgres(spec + 9, opts);
  if (spec && (strncmp(spec, "postgres://", 11) == 0 || strncmp(spec, "postgresql://", 13) == 0))
    return gp_store_postgres(spec, opts);
  if (spec && strcmp(spec, "memory") == 0) return gp_store_memory(opts);
  gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
               "unknown store '%s'; use sqlite:PATH, postgres:CONNINFO, postgresql://URL or memory",
               spec ? spec : "");
  return NULL;
}

gp_store_t *gp_store_ref(gp_store_t *st) {
  atomic_fetch_add(&st->refs, 1);
  return st;
}

void gp_store_close(gp_store_t *st) {
  pthread_mutex_lock(&st->mu);
  st->closing = 1;
  pthread_cond_signal(&st->wake);
  int join = !st->joined;
  st->joined = 1;
  pthread_mutex_unlock(&st->mu);
  if (join)
    for (int i = 0; i < st->nworkers; i++) pthread_join(st->workers[i].thread, NULL);
}

void gp_store_unref(gp_store_t *st) {
  if (!st || atomic_fetch_sub(&st->refs, 1) != 1) return;
  gp_store_close(st);
  while (st->leases) {
    gp__lease_t *l = st->leases;
    st->leases = l->next;
    free(l->id);
    free(l->owner);
    free(l);
  }
  pthread_cond_destroy(&st->done);
  pthread_cond_destroy(&st->wake);
  pthread_mutex_destroy(&st->mu);
  free(st->workers);
  free(st);
}

const char *gp_store_kind(const gp_store_t *st) { return st->kind; }

int64_t gp_store_lease_ms(const gp_store_t *st) { return st->lease_ms; }

/* ---- the public operations -------------------------------------------------------- */

typedef struct {
  size_t limit;
  int64_t before;
  gp_store_entry_t *out;
  size_t n;
  const char *id, *to, *owner;
  char **texts;
  gp_store_run_t *runs;
  int64_t rev, index;
  const char *json;
  const gp__store_commit_t *commit;
} gp__args_t;

static int gp__do_list(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  return be->vt->list(be, a->limit, a->before, &a->out, &a->n, err);
}

int gp_store_list(gp_store_t *st, size_t limit, int64_t before_ms, gp_store_entry_t **out,
                  size_t *n, gp_error_t **err) {
  gp__args_t a = {.limit = limit, .before = before_ms};
  int rc = gp__store_call(st, gp__do_list, &a, err);
  *out = a.out;
  *n = a.n;
  return rc;
}

void gp_store_entries_free(gp_store_entry_t *e, size_t n) {
  for (size_t i = 0; i < n; i++) free(e[i].id);
  free(e);
}

static int gp__do_load(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  return be->vt->load(be, a->id, &a->texts, &a->n, &a->rev, err);
}

/* Parses the JSON texts (freeing them) into turns. */
static int gp__parse_turns(char **texts, size_t n, gp_turn_t ***turns, gp_error_t **err) {
  gp_turn_t **t = gp__xcalloc(n ? n : 1, sizeof *t);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    json_error_t je;
    json_t *j = rc == 0 ? json_loads(texts[i], 0, &je) : NULL;
    if (rc == 0 && j) t[i] = gp_turn_from_json(j, NULL);
    if (rc == 0 && !t[i])
      rc = gp_error_set(err, GP_ERR_STORE, "the store holds a turn that is not valid JSON (slot %zu)", i);
    json_decref(j);
    free(texts[i]);
  }
  free(texts);
  if (rc != 0) {
    gp_store_turns_free(t, n);
    t = NULL;
  }
  *turns = t;
  return rc;
}

int gp_store_load(gp_store_t *st, const char *id, gp_turn_t ***turns, size_t *n,
                  gp_error_t **err) {
  gp__args_t a = {.id = id};
  *turns = NULL;
  *n = 0;
  int rc = gp__store_call(st, gp__do_load, &a, err);
  if (rc != 0) return rc;
  rc = gp__parse_turns(a.texts, a.n, turns, err);
  *n = rc == 0 ? a.n : 0;
  return rc;
}

void gp_store_turns_free(gp_turn_t **turns, size_t n) {
  if (!turns) return;
  for (size_t i = 0; i < n; i++) gp_turn_free(turns[i]);
  free(turns);
}

static int gp__do_remove(gp__store_be_t *be, void *arg, gp_error_t **err) {
  return be->vt->remove(be, ((gp__args_t *)arg)->id, err);
}

int gp_store_delete(gp_store_t *st, const char *id, gp_error_t **err) {
  gp__args_t a = {.id = id};
  return gp__store_call(st, gp__do_remove, &a, err);
}

static int gp__do_copy(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  return be->vt->copy(be, a->id, a->to, err);
}

int gp_store_copy(gp_store_t *st, const char *from, const char *to, gp_error_t **err) {
  gp__args_t a = {.id = from, .to = to};
  return gp__store_call(st, gp__do_copy, &a, err);
}

static int gp__do_runs(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  return be->vt->runs(be, a->id, &a->runs, &a->n, err);
}

int gp_store_runs(gp_store_t *st, const char *id, gp_store_run_t **out, size_t *n,
                  gp_error_t **err) {
  gp__args_t a = {.id = id};
  int rc = gp__store_call(st, gp__do_runs, &a, err);
  *out = a.runs;
  *n = a.n;
  return rc;
}

void gp_store_runs_free(gp_store_run_t *runs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(runs[i].id);
    free(runs[i].outcome);
    free(runs[i].usage);
    gp_turn_free(runs[i].partial);
  }
  free(runs);
}

/* ---- what sessions call ----------------------------------------------------------- */

int gp__store_history(gp_store_t *st, const char *id, gp_turn_t ***turns, size_t *n,
                      int64_t *rev, gp_error_t **err) {
  gp__args_t a = {.id = id};
  *turns = NULL;
  *n = 0;
  *rev = 0;
  gp_error_t *e = NULL;
  int rc = gp__store_call(st, gp__do_load, &a, &e);
  if (rc == GP_ERR_NOT_FOUND) {
    gp_error_free(e);
    *turns = gp__xcalloc(1, sizeof **turns);
    return 0;
  }
  if (rc != 0) {
    if (err) *err = e;
    else gp_error_free(e);
    return rc;
  }
  *rev = a.rev;
  rc = gp__parse_turns(a.texts, a.n, turns, err);
  *n = rc == 0 ? a.n : 0;
  return rc;
}

static int gp__do_lease(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  return be->vt->lease(be, a->id, a->owner, a->index, &a->rev, err);
}

/* Adds (on) or removes (off) a lease to renew. */
static void gp__renewal(gp_store_t *st, const char *id, const char *owner, int on) {
  pthread_mutex_lock(&st->mu);
  if (on) {
    gp__lease_t *l = gp__xcalloc(1, sizeof *l);
    l->id = gp__xstrdup(id);
    l->owner = gp__xstrdup(owner);
    l->next_ms = gp__mono_ms() + st->lease_ms / 3;
    l->next = st->leases;
    st->leases = l;
    pthread_cond_signal(&st->wake);
  } else {
    for (gp__lease_t **p = &st->leases; *p; p = &(*p)->next) {
      gp__lease_t *l = *p;
      if (strcmp(l->owner, owner) != 0) continue;
      while (l->busy) pthread_cond_wait(&st->done, &st->mu); /* a renewal in flight */
      *p = l->next;
      free(l->id);
      free(l->owner);
      free(l);
      break;
    }
  }
  pthread_mutex_unlock(&st->mu);
}

int gp__store_begin(gp_store_t *st, const char *id, const char *run, int64_t *rev,
                    gp_error_t **err) {
  char *owner = gp__store_owner(run);
  gp__args_t a = {.id = id, .owner = owner, .index = st->lease_ms};
  int rc = gp__store_call(st, gp__do_lease, &a, err);
  if (rc == 0) {
    *rev = a.rev;
    gp__renewal(st, id, owner, 1);
  }
  free(owner);
  return rc;
}

static int gp__do_end(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  int rc = be->vt->commit(be, a->commit, &a->rev, err); /* releases the lease too */
  if (rc != 0 && rc != GP_ERR_SESSION_BUSY && a->commit->owner)
    be->vt->release(be, a->commit->session_id, a->commit->owner, NULL);
  return rc;
}

int gp__store_end(gp_store_t *st, const gp__store_commit_t *c, int64_t *rev,
                  gp_error_t **err) {
  gp__store_commit_t full = *c;
  char *owner = c->owner ? gp__store_owner(c->owner) : NULL;
  full.owner = owner;
  if (owner) gp__renewal(st, c->session_id, owner, 0);
  gp__args_t a = {.commit = &full};
  uint64_t t0 = gp__mono_ns();
  int rc = gp__store_call(st, gp__do_end, &a, err);
  gp__hist_record(&st->commits, (gp__mono_ns() - t0) / 1000);
  free(owner);
  if (rc == 0 && rev) *rev = a.rev;
  return rc;
}

static int gp__do_release(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  return be->vt->release(be, a->id, a->owner, err);
}

void gp__store_forget(gp_store_t *st, const char *id, const char *run) {
  char *owner = gp__store_owner(run);
  gp__renewal(st, id, owner, 0);
  free(owner);
}

void gp__store_abandon(gp_store_t *st, const char *id, const char *run) {
  char *owner = gp__store_owner(run);
  gp__renewal(st, id, owner, 0);
  gp__args_t a = {.id = id, .owner = owner};
  gp__store_call(st, gp__do_release, &a, NULL);
  free(owner);
}

static int gp__do_put(gp__store_be_t *be, void *arg, gp_error_t **err) {
  gp__args_t *a = arg;
  return be->vt->put_turn(be, a->id, a->index, a->json, &a->rev, err);
}

int gp__store_put_turn(gp_store_t *st, const char *id, int64_t index, const gp_turn_t *t,
                       int64_t *rev, gp_error_t **err) {
  json_t *j = gp_turn_to_json(t);
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  gp__args_t a = {.id = id, .index = index, .json = text};
  int rc = gp__store_call(st, gp__do_put, &a, err);
  free(text);
  if (rc == 0 && rev) *rev = a.rev;
  return rc;
}

void gp__store_commit_stats(gp_store_t *st, gp_hist_summary_t *out) {
  gp__hist_summarize(&st->commits, out);
}
