/* Inside the session stores: the back-end interface that memory.c, sqlite.c and
 * postgres.c implement, and what the session layer (src/inference/session.c) calls to
 * lease a session, commit a run and append a turn.
 *
 * Every back-end function runs on the store's worker thread (store.c), which owns the
 * back end and its connection; none is ever called concurrently with another. Turns
 * travel as JSON text (gp_turn_to_json), so a back end knows nothing of the turn model. */
#ifndef GP_STORE_INTERNAL_H
#define GP_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "geppetto/store.h"

/* What a run's end writes, in one transaction. */
typedef struct gp__store_commit_s {
  const char *session_id;
  const char *owner;          /* the lease holder: the commit fails with SESSION_BUSY if
                                 the lease is no longer its own */
  int64_t turn_index;         /* the history slot written; < 0: none (a failed run) */
  const char *turn_json;      /* that slot's turn, or NULL */
  int64_t turn_count;         /* the session's size after the commit */
  const char *run_id;
  int64_t started_ms, ended_ms;
  const char *outcome;        /* "ok" or an error code name */
  const char *usage;          /* JSON text or NULL */
  const char *partial;        /* JSON text of the partial turn or NULL */
} gp__store_commit_t;

typedef struct gp__store_be_s gp__store_be_t;

typedef struct gp__store_vt_s {
  const char *kind;
  /* Connects and creates or migrates the schema. Called before any other function,
   * again after a failure. */
  int (*open)(gp__store_be_t *be, gp_error_t **err);
  /* Session `id`'s turns as JSON texts (heap array of heap strings) and its revision
   * (bumped by every write). GP_ERR_NOT_FOUND for an unknown id. */
  int (*load)(gp__store_be_t *be, const char *id, char ***turns, size_t *n, int64_t *rev,
              gp_error_t **err);
  /* Takes or renews the lease of `id` for `owner` until now + lease_ms (creating the
   * session row if needed); *rev gets the session's revision. SESSION_BUSY
   * (gp__store_busy) when another owner holds an unexpired lease, unless that owner is an
   * ended process of this machine (gp__store_owner_gone): then the lease is taken at once
   * (gp__store_log_takeover). */
  int (*lease)(gp__store_be_t *be, const char *id, const char *owner, int64_t lease_ms,
               int64_t *rev, gp_error_t **err);
  /* Drops `owner`'s lease of `id` (nothing if it is not the holder). */
  int (*release)(gp__store_be_t *be, const char *id, const char *owner, gp_error_t **err);
  /* The run's end (see gp__store_commit_t), releasing c->owner's lease in the same
   * transaction; *rev gets the new revision. */
  int (*commit)(gp__store_be_t *be, const gp__store_commit_t *c, int64_t *rev,
                gp_error_t **err);
  /* Writes turn `index` of `id` outside a run (session append), creating the session. */
  int (*put_turn)(gp__store_be_t *be, const char *id, int64_t index, const char *turn_json,
                  int64_t *rev, gp_error_t **err);
  int (*list)(gp__store_be_t *be, size_t limit, int64_t before_ms, gp_store_entry_t **out,
              size_t *n, gp_error_t **err);
  int (*remove)(gp__store_be_t *be, const char *id, gp_error_t **err);
  int (*copy)(gp__store_be_t *be, const char *from, const char *to, gp_error_t **err);
  int (*runs)(gp__store_be_t *be, const char *id, gp_store_run_t **out, size_t *n,
              gp_error_t **err);
  /* Closes the connection and frees the back end. */
  void (*free)(gp__store_be_t *be);
} gp__store_vt_t;

struct gp__store_be_s {
  const gp__store_vt_t *vt;
};

/* The back ends' constructors (no I/O: `open` connects). Each worker of a store has its
 * own back end (PostgreSQL: one connection per worker). */
gp__store_be_t *gp__store_memory_be(void);
gp__store_be_t *gp__store_sqlite_be(const char *path);
gp__store_be_t *gp__store_postgres_be(const char *conninfo);

/* Runs fn(be, arg) on the worker and waits for it; opens the back end first if needed.
 * Returns fn's result, or GP_ERR_STORE after gp_store_close. Any thread but the worker. */
typedef int (*gp__store_fn)(gp__store_be_t *be, void *arg, gp_error_t **err);
int gp__store_call(gp_store_t *st, gp__store_fn fn, void *arg, gp_error_t **err);

/* ---- what sessions call (any thread but the owner; blocking) ------------------------ */

/* The history of `id` as turns, and its revision; an unknown id is an empty history
 * (rev 0), not an error. */
int gp__store_history(gp_store_t *st, const char *id, gp_turn_t ***turns, size_t *n,
                      int64_t *rev, gp_error_t **err);
/* Takes the lease for run `run` of this process (its owner id: gp__store_owner(run))
 * and keeps renewing it on the worker (every lease_ms / 3) until gp__store_end. *rev:
 * the session's revision. */
int gp__store_begin(gp_store_t *st, const char *id, const char *run, int64_t *rev,
                    gp_error_t **err);
/* Commits `c` (c->owner: the run, as given to gp__store_begin; its lease is checked),
 * stops renewing and releases the lease. */
int gp__store_end(gp_store_t *st, const gp__store_commit_t *c, int64_t *rev,
                  gp_error_t **err);
/* Stops renewing the lease without releasing it (for tests: a process that died). */
void gp__store_forget(gp_store_t *st, const char *id, const char *run);
/* Stops renewing and releases the lease without writing anything. */
void gp__store_abandon(gp_store_t *st, const char *id, const char *run);
int gp__store_put_turn(gp_store_t *st, const char *id, int64_t index, const gp_turn_t *t,
                       int64_t *rev, gp_error_t **err);

/* ---- lease owners (owner.c) ------------------------------------------------------ */

/* The lease owner id of run `run_id` of this process: "RUN@HOST:PID:START:MACHINE"
 * (heap). */
char *gp__store_owner(const char *run_id);
/* 1 when `owner` names a process of this machine that has ended (its pid is gone, a
 * zombie, or now another process): its lease may be taken at once. 0 for a live
 * process, another machine's, or an id without a process identity. */
int gp__store_owner_gone(const char *owner);
/* "run R of process P on HOST" (heap), for messages. */
char *gp__store_owner_describe(const char *owner);
/* Sets SESSION_BUSY for session `id` held by `owner` whose lease ends in `left_ms`. */
int gp__store_busy(gp_error_t **err, const char *id, const char *owner, int64_t left_ms);
/* Logs (info) the takeover of `id`'s lease from ended holder `owner`. */
void gp__store_log_takeover(const char *id, const char *owner);

/* For tests: runs `sql` on an SQLite file (used to write old-version fixtures). */
int gp__store_sqlite_exec(const char *path, const char *sql, gp_error_t **err);
/* For tests: runs `sql` (statements separated by ';') on a PostgreSQL database, on a
 * connection of its own without the store's schema (old-version fixtures, throw-away
 * schemas). */
int gp__store_pg_exec(const char *conninfo, const char *sql, gp_error_t **err);
/* For tests: 0 when PRAGMA integrity_check of an SQLite file answers "ok". */
int gp__store_sqlite_integrity(const char *path, gp_error_t **err);
/* Latency of run commits (gp__store_end, queueing on the worker included), in us. */
struct gp_hist_summary_s;
void gp__store_commit_stats(gp_store_t *st, struct gp_hist_summary_s *out);
/* Unix time in ms. */
int64_t gp__store_now_ms(void);

#endif
