/* The SQLite store back end: one file in WAL mode, created on first use. Every write is
 * one transaction (BEGIN IMMEDIATE, so two processes on one file take turns, waiting up
 * to the busy timeout), so a process killed at any moment leaves the file as it was
 * before or after a whole commit. Runs on the store's worker thread only.
 *
 * Schema (version 2): gp_meta(key, value) holds schema_version; gp_sessions(id, created_ms,
 * updated_ms, turn_count, rev); gp_turns(session_id, idx, body); gp_runs(id, session_id,
 * started_ms, ended_ms, outcome, usage, partial); gp_leases(session_id, owner,
 * expires_ms). Version 1 had no rev, usage, partial or leases. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "core/core.h"
#include "store/store_internal.h"

typedef struct {
  gp__store_be_t base;
  char *path;                     /* heap */
  sqlite3 *db;                    /* NULL until open */
} gp__lite_t;

static const char gp__schema_v2[] =
    "CREATE TABLE gp_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE gp_sessions(id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL, turn_count INTEGER NOT NULL DEFAULT 0,"
    " rev INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE gp_turns(session_id TEXT NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(session_id, idx));"
    "CREATE TABLE gp_runs(id TEXT PRIMARY KEY, session_id TEXT NOT NULL, started_ms INTEGER,"
    " ended_ms INTEGER, outcome TEXT NOT NULL, usage TEXT, partial TEXT);"
    "CREATE INDEX gp_runs_session ON gp_runs(session_id, started_ms);"
    "CREATE TABLE gp_leases(session_id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
    " expires_ms INTEGER NOT NULL);"
    "INSERT INTO gp_meta VALUES('schema_version', '2');";

/* Forward migrations: gp__migrations[v - 1] takes version v to v + 1. */
static const char *const gp__migrations[] = {
    "ALTER TABLE gp_sessions ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE gp_runs ADD COLUMN usage TEXT;"
    "ALTER TABLE gp_runs ADD COLUMN partial TEXT;"
    "CREATE TABLE gp_leases(session_id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
    " expires_ms INTEGER NOT NULL);"
    "UPDATE gp_meta SET value = '2' WHERE key = 'schema_version';",
};

static int gp__lite_fail(gp__lite_t *l, gp_error_t **err, const char *what) {
  int code = l->db ? sqlite3_errcode(l->db) : SQLITE_ERROR;
  return gp_error_set(err, code == SQLITE_BUSY ? GP_ERR_SESSION_BUSY : GP_ERR_STORE,
                      "sqlite store %s: %s: %s", l->path, what,
                      l->db ? sqlite3_errmsg(l->db) : "cannot open");
}

static int gp__exec(gp__lite_t *l, const char *sql, gp_error_t **err) {
  if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK) return gp__lite_fail(l, err, sql);
  return 0;
}

/* Prepares `sql` and binds the arguments `types` describes: 's' text (NULL binds null),
 * 'i' int64. NULL with *err on failure. */
static sqlite3_stmt *gp__stmt(gp__lite_t *l, gp_error_t **err, const char *sql,
                              const char *types, ...) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
    gp__lite_fail(l, err, "prepare");
    return NULL;
  }
  va_list ap;
  va_start(ap, types);
  for (int i = 0; types[i]; i++) {
    if (types[i] == 's') {
      const char *s = va_arg(ap, const char *);
      if (s) sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
      else sqlite3_bind_null(st, i + 1);
    } else {
      sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
    }
  }
  va_end(ap);
  return st;
}

/* Steps a statement with no rows to read and finalizes it. */
static int gp__done(gp__lite_t *l, sqlite3_stmt *st, gp_error_t **err) {
  if (!st) return GP_ERR_STORE;
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return gp__lite_fail(l, err, "write");
  return 0;
}

static int gp__begin(gp__lite_t *l, gp_error_t **err) { return gp__exec(l, "BEGIN IMMEDIATE", err); }

static int gp__end(gp__lite_t *l, int rc, gp_error_t **err) {
  if (rc != 0) {
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
  }
  return gp__exec(l, "COMMIT", err);
}

static char *gp__col(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? gp__xstrdup((const char *)t) : NULL;
}

/* The schema version of an open file, 0 for an empty one. */
static int gp__lite_version(gp__lite_t *l, int *version, gp_error_t **err) {
  sqlite3_stmt *st = gp__stmt(l, err, "SELECT count(*) FROM sqlite_master WHERE name = 'gp_meta'", "");
  if (!st) return GP_ERR_STORE;
  int have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
  sqlite3_finalize(st);
  *version = 0;
  if (!have) return 0;
  st = gp__stmt(l, err, "SELECT value FROM gp_meta WHERE key = 'schema_version'", "");
  if (!st) return GP_ERR_STORE;
  if (sqlite3_step(st) == SQLITE_ROW) *version = atoi((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return 0;
}

static int gp__lite_schema(gp__lite_t *l, gp_error_t **err) {
  int v = 0, rc = gp__begin(l, err);
  if (rc == 0) rc = gp__lite_version(l, &v, err);
  if (rc == 0 && v > GP_STORE_SCHEMA_VERSION)
    rc = gp_error_set(err, GP_ERR_STORE,
                      "sqlite store %s has schema version %d, newer than this geppetto's %d;"
                      " use a newer geppetto", l->path, v, GP_STORE_SCHEMA_VERSION);
  if (rc == 0 && v == 0) rc = gp__exec(l, gp__schema_v2, err);
  for (; rc == 0 && v > 0 && v < GP_STORE_SCHEMA_VERSION; v++) rc = gp__exec(l, gp__migrations[v - 1], err);
  return gp__end(l, rc, err);
}

static int gp__lite_open(gp__store_be_t *be, gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  if (l->db) {
    sqlite3_close(l->db);
    l->db = NULL;
  }
  if (sqlite3_open_v2(l->path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    int rc = gp__lite_fail(l, err, "open");
    sqlite3_close(l->db);
    l->db = NULL;
    return rc;
  }
  sqlite3_busy_timeout(l->db, 10000);
  int rc = gp__exec(l, "PRAGMA journal_mode=WAL", err);
  if (rc == 0) rc = gp__exec(l, "PRAGMA synchronous=NORMAL", err);
  if (rc == 0) rc = gp__lite_schema(l, err);
  if (rc != 0) {
    sqlite3_close(l->db);
    l->db = NULL;
  }
  return rc;
}

static int gp__lite_load(gp__store_be_t *be, const char *id, char ***turns, size_t *n,
                         int64_t *rev, gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  int rc = gp__exec(l, "BEGIN", err);
  if (rc) return rc;
  sqlite3_stmt *st = gp__stmt(l, err, "SELECT rev, turn_count FROM gp_sessions WHERE id = ?", "s", id);
  if (!st) return gp__end(l, GP_ERR_STORE, err);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    gp__end(l, GP_ERR_NOT_FOUND, err);
    return gp_error_set(err, GP_ERR_NOT_FOUND, "no session %s in the store", id);
  }
  *rev = sqlite3_column_int64(st, 0);
  int64_t count = sqlite3_column_int64(st, 1);
  sqlite3_finalize(st);
  st = gp__stmt(l, err, "SELECT body FROM gp_turns WHERE session_id = ? AND idx < ? ORDER BY idx",
                "si", id, count);
  if (!st) return gp__end(l, GP_ERR_STORE, err);
  size_t k = 0, cap = 8;
  char **t = gp__xcalloc(cap, sizeof *t);
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (k == cap) t = gp__xrealloc(t, (cap *= 2) * sizeof *t);
    t[k++] = gp__col(st, 0);
  }
  sqlite3_finalize(st);
  *turns = t;
  *n = k;
  return gp__end(l, 0, err);
}

/* Inside a transaction: takes or renews the lease. */
static int gp__lite_lease_tx(gp__lite_t *l, const char *id, const char *owner, int64_t lease_ms,
                             int64_t *rev, gp_error_t **err) {
  int64_t now = gp__store_now_ms();
  sqlite3_stmt *st = gp__stmt(l, err, "SELECT owner, expires_ms FROM gp_leases WHERE session_id = ?", "s", id);
  if (!st) return GP_ERR_STORE;
  int rc = 0;
  if (sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), owner) != 0 &&
      sqlite3_column_int64(st, 1) > now) {
    const char *holder = (const char *)sqlite3_column_text(st, 0);
    if (gp__store_owner_gone(holder)) gp__store_log_takeover(id, holder);
    else rc = gp__store_busy(err, id, holder, sqlite3_column_int64(st, 1) - now);
  }
  sqlite3_finalize(st);
  if (rc == 0)
    rc = gp__done(l, gp__stmt(l, err, "INSERT INTO gp_leases VALUES(?, ?, ?) ON CONFLICT(session_id)"
                                      " DO UPDATE SET owner = excluded.owner, expires_ms = excluded.expires_ms",
                              "ssi", id, owner, now + lease_ms), err);
  if (rc == 0)
    rc = gp__done(l, gp__stmt(l, err, "INSERT INTO gp_sessions(id, created_ms, updated_ms) VALUES(?, ?, ?)"
                                      " ON CONFLICT(id) DO NOTHING", "sii", id, now, now), err);
  if (rc == 0) {
    st = gp__stmt(l, err, "SELECT rev FROM gp_sessions WHERE id = ?", "s", id);
    if (!st) return GP_ERR_STORE;
    *rev = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
  }
  return rc;
}

static int gp__lite_lease(gp__store_be_t *be, const char *id, const char *owner,
                          int64_t lease_ms, int64_t *rev, gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  int rc = gp__begin(l, err);
  if (rc) return rc;
  return gp__end(l, gp__lite_lease_tx(l, id, owner, lease_ms, rev, err), err);
}

static int gp__lite_release(gp__store_be_t *be, const char *id, const char *owner,
                            gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  return gp__done(l, gp__stmt(l, err, "DELETE FROM gp_leases WHERE session_id = ? AND owner = ?",
                              "ss", id, owner), err);
}

/* Inside a transaction: writes turn `index` and bumps the session's revision. */
static int gp__lite_put_tx(gp__lite_t *l, const char *id, int64_t index, const char *body,
                           int64_t count, int64_t *rev, gp_error_t **err) {
  int64_t now = gp__store_now_ms();
  int rc = gp__done(l, gp__stmt(l, err, "INSERT INTO gp_turns VALUES(?, ?, ?) ON CONFLICT(session_id, idx)"
                                        " DO UPDATE SET body = excluded.body", "sis", id, index, body), err);
  if (rc == 0)
    rc = gp__done(l, gp__stmt(l, err, "INSERT INTO gp_sessions(id, created_ms, updated_ms) VALUES(?, ?, ?)"
                                      " ON CONFLICT(id) DO NOTHING", "sii", id, now, now), err);
  if (rc == 0)
    rc = gp__done(l, gp__stmt(l, err, "UPDATE gp_sessions SET updated_ms = ?, rev = rev + 1,"
                                      " turn_count = max(turn_count, ?) WHERE id = ?", "iis", now, count, id), err);
  if (rc == 0) {
    sqlite3_stmt *st = gp__stmt(l, err, "SELECT rev FROM gp_sessions WHERE id = ?", "s", id);
    if (!st) return GP_ERR_STORE;
    *rev = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
  }
  return rc;
}

static int gp__lite_commit_tx(gp__lite_t *l, const gp__store_commit_t *c, int64_t *rev,
                              gp_error_t **err) {
  if (c->owner) {
    sqlite3_stmt *st = gp__stmt(l, err, "SELECT owner FROM gp_leases WHERE session_id = ?", "s", c->session_id);
    if (!st) return GP_ERR_STORE;
    int mine = sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), c->owner) == 0;
    sqlite3_finalize(st);
    if (!mine)
      return gp_error_set(err, GP_ERR_SESSION_BUSY,
                          "session %s: this run's lease was lost (expired and taken); nothing committed",
                          c->session_id);
  }
  int rc = gp__done(l, gp__stmt(l, err, "INSERT INTO gp_runs VALUES(?, ?, ?, ?, ?, ?, ?)", "ssiisss",
                                c->run_id, c->session_id, c->started_ms, c->ended_ms, c->outcome,
                                c->usage, c->partial), err);
  *rev = 0;
  if (rc == 0 && c->turn_index >= 0 && c->turn_json)
    rc = gp__lite_put_tx(l, c->session_id, c->turn_index, c->turn_json, c->turn_count, rev, err);
  if (rc == 0 && c->owner) /* the run has ended: its lease goes in the same transaction */
    rc = gp__done(l, gp__stmt(l, err, "DELETE FROM gp_leases WHERE session_id = ? AND owner = ?",
                              "ss", c->session_id, c->owner), err);
  return rc;
}

static int gp__lite_commit(gp__store_be_t *be, const gp__store_commit_t *c, int64_t *rev,
                           gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  int rc = gp__begin(l, err);
  if (rc) return rc;
  return gp__end(l, gp__lite_commit_tx(l, c, rev, err), err);
}

static int gp__lite_put_turn(gp__store_be_t *be, const char *id, int64_t index,
                             const char *turn_json, int64_t *rev, gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  int rc = gp__begin(l, err);
  if (rc) return rc;
  return gp__end(l, gp__lite_put_tx(l, id, index, turn_json, index + 1, rev, err), err);
}

static int gp__lite_list(gp__store_be_t *be, size_t limit, int64_t before_ms,
                         gp_store_entry_t **out, size_t *n, gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  sqlite3_stmt *st = gp__stmt(l, err, "SELECT id, turn_count, updated_ms FROM gp_sessions"
                                      " WHERE ? <= 0 OR updated_ms < ? ORDER BY updated_ms DESC, id LIMIT ?",
                              "iii", before_ms, before_ms, limit ? (int64_t)limit : (int64_t)-1);
  if (!st) return GP_ERR_STORE;
  size_t k = 0, cap = 8;
  gp_store_entry_t *e = gp__xcalloc(cap, sizeof *e);
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (k == cap) e = gp__xrealloc(e, (cap *= 2) * sizeof *e);
    e[k].id = gp__col(st, 0);
    e[k].turn_count = (size_t)sqlite3_column_int64(st, 1);
    e[k].updated_at_ms = sqlite3_column_int64(st, 2);
    k++;
  }
  sqlite3_finalize(st);
  *out = e;
  *n = k;
  return 0;
}

static int gp__lite_remove(gp__store_be_t *be, const char *id, gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  int rc = gp__begin(l, err);
  const char *sql[] = {"DELETE FROM gp_turns WHERE session_id = ?", "DELETE FROM gp_runs WHERE session_id = ?",
                       "DELETE FROM gp_leases WHERE session_id = ?", "DELETE FROM gp_sessions WHERE id = ?"};
  for (size_t i = 0; rc == 0 && i < 4; i++) rc = gp__done(l, gp__stmt(l, err, sql[i], "s", id), err);
  return gp__end(l, rc, err);
}

static int gp__lite_copy(gp__store_be_t *be, const char *from, const char *to,
                         gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  int rc = gp__begin(l, err);
  if (rc) return rc;
  sqlite3_stmt *st = gp__stmt(l, err, "SELECT count(*) FROM gp_sessions WHERE id = ?", "s", to);
  if (!st) return gp__end(l, GP_ERR_STORE, err);
  int exists = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
  sqlite3_finalize(st);
  if (exists)
    return gp__end(l, gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "session %s already exists in the store", to), err);
  int64_t now = gp__store_now_ms();
  rc = gp__done(l, gp__stmt(l, err, "INSERT INTO gp_sessions(id, created_ms, updated_ms, turn_count, rev)"
                                    " SELECT ?, ?, ?, turn_count, 1 FROM gp_sessions WHERE id = ?"
                                    " UNION ALL SELECT ?, ?, ?, 0, 1 WHERE NOT EXISTS"
                                    " (SELECT 1 FROM gp_sessions WHERE id = ?)",
                            "siissiis", to, now, now, from, to, now, now, from), err);
  if (rc == 0)
    rc = gp__done(l, gp__stmt(l, err, "INSERT INTO gp_turns SELECT ?, idx, body FROM gp_turns WHERE session_id = ?",
                              "ss", to, from), err);
  return gp__end(l, rc, err);
}

static int gp__lite_runs(gp__store_be_t *be, const char *id, gp_store_run_t **out,
                         size_t *n, gp_error_t **err) {
  gp__lite_t *l = (gp__lite_t *)be;
  sqlite3_stmt *st = gp__stmt(l, err, "SELECT id, started_ms, ended_ms, outcome, usage, partial FROM gp_runs"
                                      " WHERE session_id = ? ORDER BY started_ms, rowid", "s", id);
  if (!st) return GP_ERR_STORE;
  size_t k = 0, cap = 8;
  gp_store_run_t *r = gp__xcalloc(cap, sizeof *r);
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (k == cap) r = gp__xrealloc(r, (cap *= 2) * sizeof *r);
    memset(&r[k], 0, sizeof r[k]);
    r[k].id = gp__col(st, 0);
    r[k].started_at_ms = sqlite3_column_int64(st, 1);
    r[k].ended_at_ms = sqlite3_column_int64(st, 2);
    r[k].outcome = gp__col(st, 3);
    r[k].usage = gp__col(st, 4);
    const char *p = (const char *)sqlite3_column_text(st, 5);
    json_t *pj = p ? json_loads(p, 0, NULL) : NULL;
    r[k].partial = pj ? gp_turn_from_json(pj, NULL) : NULL;
    json_decref(pj);
    k++;
  }
  sqlite3_finalize(st);
  *out = r;
  *n = k;
  return 0;
}

static void gp__lite_free(gp__store_be_t *be) {
  gp__lite_t *l = (gp__lite_t *)be;
  if (l->db) sqlite3_close(l->db);
  free(l->path);
  free(l);
}

static const gp__store_vt_t gp__lite_vt = {
    .kind = "sqlite", .open = gp__lite_open, .load = gp__lite_load, .lease = gp__lite_lease,
    .release = gp__lite_release, .commit = gp__lite_commit, .put_turn = gp__lite_put_turn,
    .list = gp__lite_list, .remove = gp__lite_remove, .copy = gp__lite_copy,
    .runs = gp__lite_runs, .free = gp__lite_free};

gp__store_be_t *gp__store_sqlite_be(const char *path) {
  gp__lite_t *l = gp__xcalloc(1, sizeof *l);
  l->base.vt = &gp__lite_vt;
  l->path = gp__xstrdup(path);
  return &l->base;
}

int gp__store_sqlite_exec(const char *path, const char *sql, gp_error_t **err) {
  gp__lite_t l = {.path = (char *)path};
  if (sqlite3_open(path, &l.db) != SQLITE_OK) {
    int rc = gp__lite_fail(&l, err, "open");
    sqlite3_close(l.db);
    return rc;
  }
  int rc = gp__exec(&l, sql, err);
  sqlite3_close(l.db);
  return rc;
}

int gp__store_sqlite_integrity(const char *path, gp_error_t **err) {
  gp__lite_t l = {.path = (char *)path};
  if (sqlite3_open_v2(path, &l.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    int rc = gp__lite_fail(&l, err, "open");
    sqlite3_close(l.db);
    return rc;
  }
  sqlite3_stmt *st = gp__stmt(&l, err, "PRAGMA integrity_check", "");
  int rc = st ? 0 : GP_ERR_STORE;
  if (st && (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0))
    rc = gp_error_set(err, GP_ERR_STORE, "integrity_check: %s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "no answer");
  sqlite3_finalize(st);
  sqlite3_close(l.db);
  return rc;
}
