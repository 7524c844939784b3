/* Session stores (SPEC §4.12): where a session's history and run records persist, so a
 * session resumes in another process or on another machine. One interface, three back
 * ends: memory (this process only), SQLite (one file, WAL) and PostgreSQL (libpq).
 *
 * What is stored: every turn of a session's history in order, and one record per run
 * (id, start and end time, outcome, usage, the partial turn of a failure). A run that
 * succeeds commits its result turn, its record and the session's new size in one
 * transaction when it ends; a failed run commits only its record. One run per session
 * across processes: a run holds a lease row (owner, expiry) renewed while it lives; a
 * second runner gets GP_ERR_SESSION_BUSY until the lease is released or expires.
 *
 * Threads: each store has worker threads that own its database connections (one, or
 * `connections` for PostgreSQL) and run every statement; the functions below hand it the work and wait for the answer, so
 * they block the calling thread (never call them on a JS owner thread: the JS module
 * calls them from libuv's thread pool). Every function is thread-safe. The connection
 * is opened, and the schema created or migrated, by the first operation. */
#ifndef GEPPETTO_STORE_H
#define GEPPETTO_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "turn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this library writes. Older databases are migrated forward when
 * opened; a newer one is refused with GP_ERR_STORE naming both versions. */
#define GP_STORE_SCHEMA_VERSION 2

typedef struct gp_store_s gp_store_t;

typedef struct gp_store_opts_s {
  int64_t lease_ms;       /* lease expiry without renewal; <= 0: 60000 */
  int connections;        /* postgres: connections (worker threads); <= 0: 4. Memory and
                             SQLite use one. */
} gp_store_opts_t;

/* A new store; never NULL (connection problems surface at the first operation).
 * `opts` may be NULL. The caller holds one reference. */
gp_store_t *gp_store_memory(const gp_store_opts_t *opts);
gp_store_t *gp_store_sqlite(const char *path, const gp_store_opts_t *opts);
/* `conninfo`: a libpq connection string or URL ("postgresql://user@host:5432/db"). */
gp_store_t *gp_store_postgres(const char *conninfo, const gp_store_opts_t *opts);

/* A store named the way profiles and `geppetto chat --store` name one: "sqlite:PATH",
 * "postgres:CONNINFO" (also a bare "postgres://" or "postgresql://" URL) or "memory".
 * NULL with *err (INVALID_ARGUMENT, listing the forms) for anything else. */
gp_store_t *gp_store_from_spec(const char *spec, const gp_store_opts_t *opts, gp_error_t **err);

gp_store_t *gp_store_ref(gp_store_t *st);
/* Drops a reference; the last one closes the store. Accepts NULL. */
void gp_store_unref(gp_store_t *st);
/* Closes the connection now (waiting for queued work) and stops the worker; later
 * operations fail with GP_ERR_STORE. Idempotent. */
void gp_store_close(gp_store_t *st);
/* "memory", "sqlite" or "postgres". */
const char *gp_store_kind(const gp_store_t *st);
int64_t gp_store_lease_ms(const gp_store_t *st);

/* One session as list() sees it. */
typedef struct gp_store_entry_s {
  char *id;               /* heap */
  size_t turn_count;
  int64_t updated_at_ms;  /* Unix time, ms */
} gp_store_entry_t;

/* One run record. */
typedef struct gp_store_run_s {
  char *id;               /* the run's (inference) id; heap */
  int64_t started_at_ms, ended_at_ms;
  char *outcome;          /* "ok" or the error code's name; heap */
  char *usage;            /* JSON text or NULL; heap */
  gp_turn_t *partial;     /* a failure's partial turn, or NULL; owned */
} gp_store_run_t;

/* Sessions, most recently updated first; `before_ms` > 0 keeps those updated before it;
 * `limit` 0: all. On success *out (free with gp_store_entries_free) and *n. */
int gp_store_list(gp_store_t *st, size_t limit, int64_t before_ms, gp_store_entry_t **out,
                  size_t *n, gp_error_t **err);
void gp_store_entries_free(gp_store_entry_t *e, size_t n);
/* The history of session `id`: *turns (each and the array freed by the caller, see
 * gp_store_turns_free) and *n. GP_ERR_NOT_FOUND when the store does not know the id. */
int gp_store_load(gp_store_t *st, const char *id, gp_turn_t ***turns, size_t *n,
                  gp_error_t **err);
void gp_store_turns_free(gp_turn_t **turns, size_t n);
/* Deletes a session, its runs and its lease; 0 also when it did not exist. */
int gp_store_delete(gp_store_t *st, const char *id, gp_error_t **err);
/* Copies session `from`'s history to a new session `to` (GP_ERR_INVALID_ARGUMENT if
 * `to` exists); run records are not copied. */
int gp_store_copy(gp_store_t *st, const char *from, const char *to, gp_error_t **err);
/* The run records of a session, oldest first. */
int gp_store_runs(gp_store_t *st, const char *id, gp_store_run_t **out, size_t *n,
                  gp_error_t **err);
void gp_store_runs_free(gp_store_run_t *runs, size_t n);

#ifdef __cplusplus
}
#endif
#endif
