/* The PostgreSQL store back end (libpq): the schema of sqlite.c in a database that
 * several processes on several machines share. Every write is one transaction; lease
 * times come from the server's clock (clock_timestamp), so machines whose clocks differ
 * agree on expiry; a lease is taken by one conditional upsert, so two processes never
 * both get it. Schema creation and migration hold an advisory lock. Runs on the store's
 * worker thread only; a lost connection is reopened by the next operation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "core/core.h"
#include "store/store_internal.h"

typedef struct {
  gp__store_be_t base;
  char *conninfo;                 /* heap */
  PGconn *conn;                   /* NULL until open */
} gp__pg_t;

#define GP__PG_NOW "(extract(epoch from clock_timestamp()) * 1000)::bigint"
#define GP__PG_LOCK_KEY "4242017" /* the advisory lock of schema changes */

static const char gp__pg_schema_v2[] =
    "CREATE TABLE gp_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE gp_sessions(id TEXT PRIMARY KEY, created_ms BIGINT NOT NULL,"
    " updated_ms BIGINT NOT NULL, turn_count BIGINT NOT NULL DEFAULT 0,"
    " rev BIGINT NOT NULL DEFAULT 0);"
    "CREATE TABLE gp_turns(session_id TEXT NOT NULL, idx BIGINT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(session_id, idx));"
    "CREATE TABLE gp_runs(id TEXT PRIMARY KEY, session_id TEXT NOT NULL, started_ms BIGINT,"
    " ended_ms BIGINT, outcome TEXT NOT NULL, usage TEXT, partial TEXT, seq BIGSERIAL);"
    "CREATE INDEX gp_runs_session ON gp_runs(session_id, started_ms);"
    "CREATE TABLE gp_leases(session_id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
    " expires_ms BIGINT NOT NULL);"
    "INSERT INTO gp_meta VALUES('schema_version', '2');";

static const char *const gp__pg_migrations[] = {
    "ALTER TABLE gp_sessions ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE gp_runs ADD COLUMN usage TEXT;"
    "ALTER TABLE gp_runs ADD COLUMN partial TEXT;"
    "ALTER TABLE gp_runs ADD COLUMN seq BIGSERIAL;"
    "CREATE TABLE gp_leases(session_id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
    " expires_ms BIGINT NOT NULL);"
    "UPDATE gp_meta SET value = '2' WHERE key = 'schema_version';",
};

static int gp__pg_fail(gp__pg_t *p, gp_error_t **err, const char *what, const PGresult *res) {
  const char *msg = res ? PQresultErrorMessage(res) : p->conn ? PQerrorMessage(p->conn) : "no connection";
  char *m = gp__xstrdup(msg && *msg ? msg : "unknown error");
  size_t n = strlen(m);
  while (n && (m[n - 1] == '\n' || m[n - 1] == ' ')) m[--n] = '\0';
  int rc = gp_error_set(err, GP_ERR_STORE, "postgres store: %s: %s", what, m);
  free(m);
  return rc;
}

/* Runs `sql` with text parameters (NULL: SQL null). Returns the result (PQclear it), or
 * NULL with *err. */
static PGresult *gp__pq(gp__pg_t *p, gp_error_t **err, const char *sql, int n, ...) {
  const char *vals[16];
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n && i < 16; i++) vals[i] = va_arg(ap, const char *);
  va_end(ap);
  PGresult *res = PQexecParams(p->conn, sql, n, NULL, vals, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  gp__pg_fail(p, err, "statement", res);
  PQclear(res);
  return NULL;
}

/* Runs statements without parameters (several, separated by ';', are allowed). */
static int gp__pq_do(gp__pg_t *p, gp_error_t **err, const char *sql) {
  PGresult *res = PQexec(p->conn, sql);
  ExecStatusType st = PQresultStatus(res);
  int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : gp__pg_fail(p, err, "statement", res);
  PQclear(res);
  return rc;
}

static int gp__pg_end(gp__pg_t *p, int rc, gp_error_t **err) {
  if (rc != 0) {
    PQclear(PQexec(p->conn, "ROLLBACK"));
    return rc;
  }
  return gp__pq_do(p, err, "COMMIT");
}

static char *gp__i64(char *buf, int64_t v) {
  snprintf(buf, 24, "%lld", (long long)v);
  return buf;
}

static int gp__pg_schema(gp__pg_t *p, gp_error_t **err) {
  int rc = gp__pq_do(p, err, "BEGIN");
  if (rc == 0) rc = gp__pq_do(p, err, "SELECT pg_advisory_xact_lock(" GP__PG_LOCK_KEY ")");
  int v = 0;
  if (rc == 0) {
    PGresult *r = gp__pq(p, err, "SELECT to_regclass('gp_meta') IS NOT NULL", 0);
    if (!r) rc = GP_ERR_STORE;
    int have = r && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (rc == 0 && have) {
      r = gp__pq(p, err, "SELECT value FROM gp_meta WHERE key = 'schema_version'", 0);
      if (!r) rc = GP_ERR_STORE;
      else if (PQntuples(r) > 0) v = atoi(PQgetvalue(r, 0, 0));
      PQclear(r);
    }
  }
  if (rc == 0 && v > GP_STORE_SCHEMA_VERSION)
    rc = gp_error_set(err, GP_ERR_STORE,
                      "postgres store has schema version %d, newer than this geppetto's %d;"
                      " use a newer geppetto", v, GP_STORE_SCHEMA_VERSION);
  if (rc == 0 && v == 0) rc = gp__pq_do(p, err, gp__pg_schema_v2);
  for (; rc == 0 && v > 0 && v < GP_STORE_SCHEMA_VERSION; v++) rc = gp__pq_do(p, err, gp__pg_migrations[v - 1]);
  return gp__pg_end(p, rc, err);
}

static int gp__pg_open(gp__store_be_t *be, gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  if (p->conn) PQfinish(p->conn);
  p->conn = PQconnectdb(p->conninfo);
  if (PQstatus(p->conn) != CONNECTION_OK) {
    int rc = gp__pg_fail(p, err, "connect", NULL);
    PQfinish(p->conn);
    p->conn = NULL;
    return rc;
  }
  int rc = gp__pq_do(p, err, "SET client_min_messages = warning");
  if (rc == 0) rc = gp__pg_schema(p, err);
  if (rc != 0) {
    PQfinish(p->conn);
    p->conn = NULL;
  }
  return rc;
}

/* A broken connection is reopened before the statement runs. */
static int gp__pg_live(gp__pg_t *p, gp_error_t **err) {
  if (p->conn && PQstatus(p->conn) == CONNECTION_OK) return 0;
  return gp__pg_open(&p->base, err);
}

static int gp__pg_load(gp__store_be_t *be, const char *id, char ***turns, size_t *n,
                       int64_t *rev, gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc == 0) rc = gp__pq_do(p, err, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  if (rc) return rc;
  PGresult *r = gp__pq(p, err, "SELECT rev, turn_count FROM gp_sessions WHERE id = $1", 1, id);
  if (!r) return gp__pg_end(p, GP_ERR_STORE, err);
  if (PQntuples(r) == 0) {
    PQclear(r);
    gp__pg_end(p, GP_ERR_NOT_FOUND, err);
    return gp_error_set(err, GP_ERR_NOT_FOUND, "no session %s in the store", id);
  }
  *rev = atoll(PQgetvalue(r, 0, 0));
  const char *count = PQgetvalue(r, 0, 1);
  char cbuf[24];
  snprintf(cbuf, sizeof cbuf, "%s", count);
  PQclear(r);
  r = gp__pq(p, err, "SELECT body FROM gp_turns WHERE session_id = $1 AND idx < $2 ORDER BY idx", 2, id, cbuf);
  if (!r) return gp__pg_end(p, GP_ERR_STORE, err);
  *n = (size_t)PQntuples(r);
  *turns = gp__xcalloc(*n ? *n : 1, sizeof **turns);
  for (size_t i = 0; i < *n; i++) (*turns)[i] = gp__xstrdup(PQgetvalue(r, (int)i, 0));
  PQclear(r);
  return gp__pg_end(p, 0, err);
}

static int gp__pg_rev(gp__pg_t *p, const char *id, int64_t *rev, gp_error_t **err) {
  PGresult *r = gp__pq(p, err, "SELECT rev FROM gp_sessions WHERE id = $1", 1, id);
  if (!r) return GP_ERR_STORE;
  *rev = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
  PQclear(r);
  return 0;
}

static int gp__pg_session_row(gp__pg_t *p, const char *id, gp_error_t **err) {
  PGresult *r = gp__pq(p, err, "INSERT INTO gp_sessions(id, created_ms, updated_ms) VALUES($1, "
                               GP__PG_NOW ", " GP__PG_NOW ") ON CONFLICT(id) DO NOTHING", 1, id);
  if (!r) return GP_ERR_STORE;
  PQclear(r);
  return 0;
}

/* Inside the lease's transaction, another owner's unexpired lease is in the way: takes
 * it when that owner is an ended process of this machine, else SESSION_BUSY. */
static int gp__pg_held(gp__pg_t *p, const char *id, const char *owner, int64_t lease_ms,
                       gp_error_t **err) {
  PGresult *r = gp__pq(p, err, "SELECT owner, expires_ms - " GP__PG_NOW " FROM gp_leases"
                               " WHERE session_id = $1 FOR UPDATE", 1, id);
  if (!r) return GP_ERR_STORE;
  if (PQntuples(r) == 0) { /* released since: a later call takes it */
    PQclear(r);
    return gp__store_busy(err, id, NULL, 0);
  }
  char *holder = gp__xstrdup(PQgetvalue(r, 0, 0));
  int64_t left = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
  PQclear(r);
  int rc;
  if (gp__store_owner_gone(holder)) {
    char ms[24];
    r = gp__pq(p, err, "UPDATE gp_leases SET owner = $2, expires_ms = " GP__PG_NOW " + $4::bigint"
                       " WHERE session_id = $1 AND owner = $3", 4, id, owner, holder, gp__i64(ms, lease_ms));
    rc = !r ? GP_ERR_STORE : atoi(PQcmdTuples(r)) == 1 ? 0 : gp__store_busy(err, id, NULL, 0);
    if (rc == 0) gp__store_log_takeover(id, holder);
    PQclear(r);
  } else {
    rc = gp__store_busy(err, id, holder, left);
  }
  free(holder);
  return rc;
}

static int gp__pg_lease(gp__store_be_t *be, const char *id, const char *owner,
                        int64_t lease_ms, int64_t *rev, gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  char ms[24];
  int rc = gp__pg_live(p, err);
  if (rc == 0) rc = gp__pq_do(p, err, "BEGIN");
  if (rc) return rc;
  rc = gp__pg_session_row(p, id, err);
  PGresult *r = rc ? NULL : gp__pq(p, err,
      "INSERT INTO gp_leases VALUES($1, $2, " GP__PG_NOW " + $3::bigint) ON CONFLICT(session_id) DO UPDATE"
      " SET owner = excluded.owner, expires_ms = excluded.expires_ms"
      " WHERE gp_leases.owner = excluded.owner OR gp_leases.expires_ms <= " GP__PG_NOW
      " RETURNING owner", 3, id, owner, gp__i64(ms, lease_ms));
  if (!r && rc == 0) rc = GP_ERR_STORE;
  if (r && PQntuples(r) == 0) rc = gp__pg_held(p, id, owner, lease_ms, err);
  PQclear(r);
  if (rc == 0) rc = gp__pg_rev(p, id, rev, err);
  return gp__pg_end(p, rc, err);
}

static int gp__pg_release(gp__store_be_t *be, const char *id, const char *owner,
                          gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc) return rc;
  PGresult *r = gp__pq(p, err, "DELETE FROM gp_leases WHERE session_id = $1 AND owner = $2", 2, id, owner);
  PQclear(r);
  return r ? 0 : GP_ERR_STORE;
}

/* Inside a transaction: writes turn `index`, bumps the revision, reads it. */
static int gp__pg_put_tx(gp__pg_t *p, const char *id, int64_t index, const char *body,
                         int64_t count, int64_t *rev, gp_error_t **err) {
  char ib[24], cb[24];
  int rc = gp__pg_session_row(p, id, err);
  PGresult *r = rc ? NULL : gp__pq(p, err, "INSERT INTO gp_turns VALUES($1, $2, $3) ON CONFLICT(session_id, idx)"
                                           " DO UPDATE SET body = excluded.body", 3, id, gp__i64(ib, index), body);
  if (!r) return GP_ERR_STORE;
  PQclear(r);
  r = gp__pq(p, err, "UPDATE gp_sessions SET updated_ms = " GP__PG_NOW ", rev = rev + 1,"
                     " turn_count = greatest(turn_count, $2::bigint) WHERE id = $1", 2, id, gp__i64(cb, count));
  if (!r) return GP_ERR_STORE;
  PQclear(r);
  return gp__pg_rev(p, id, rev, err);
}

static int gp__pg_commit_tx(gp__pg_t *p, const gp__store_commit_t *c, int64_t *rev,
                            gp_error_t **err) {
  if (c->owner) {
    PGresult *r = gp__pq(p, err, "SELECT owner FROM gp_leases WHERE session_id = $1 FOR UPDATE", 1, c->session_id);
    if (!r) return GP_ERR_STORE;
    int mine = PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 0), c->owner) == 0;
    PQclear(r);
    if (!mine)
      return gp_error_set(err, GP_ERR_SESSION_BUSY,
                          "session %s: this run's lease was lost (expired and taken); nothing committed",
                          c->session_id);
  }
  char sb[24], eb[24];
  PGresult *r = gp__pq(p, err, "INSERT INTO gp_runs(id, session_id, started_ms, ended_ms, outcome, usage, partial)"
                               " VALUES($1, $2, $3, $4, $5, $6, $7)", 7, c->run_id, c->session_id,
                       gp__i64(sb, c->started_ms), gp__i64(eb, c->ended_ms), c->outcome, c->usage, c->partial);
  if (!r) return GP_ERR_STORE;
  PQclear(r);
  *rev = 0;
  int rc = 0;
  if (c->turn_index >= 0 && c->turn_json)
    rc = gp__pg_put_tx(p, c->session_id, c->turn_index, c->turn_json, c->turn_count, rev, err);
  if (rc == 0 && c->owner) { /* the run has ended: its lease goes in the same transaction */
    r = gp__pq(p, err, "DELETE FROM gp_leases WHERE session_id = $1 AND owner = $2", 2, c->session_id, c->owner);
    if (!r) return GP_ERR_STORE;
    PQclear(r);
  }
  return rc;
}

static int gp__pg_commit(gp__store_be_t *be, const gp__store_commit_t *c, int64_t *rev,
                         gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc == 0) rc = gp__pq_do(p, err, "BEGIN");
  if (rc) return rc;
  return gp__pg_end(p, gp__pg_commit_tx(p, c, rev, err), err);
}

static int gp__pg_put_turn(gp__store_be_t *be, const char *id, int64_t index,
                           const char *turn_json, int64_t *rev, gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc == 0) rc = gp__pq_do(p, err, "BEGIN");
  if (rc) return rc;
  return gp__pg_end(p, gp__pg_put_tx(p, id, index, turn_json, index + 1, rev, err), err);
}

static int gp__pg_list(gp__store_be_t *be, size_t limit, int64_t before_ms,
                       gp_store_entry_t **out, size_t *n, gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc) return rc;
  char bb[24], lb[24];
  PGresult *r = gp__pq(p, err, "SELECT id, turn_count, updated_ms FROM gp_sessions"
                               " WHERE $1::bigint <= 0 OR updated_ms < $1::bigint"
                               " ORDER BY updated_ms DESC, id LIMIT $2::bigint", 2,
                       gp__i64(bb, before_ms), limit ? gp__i64(lb, (int64_t)limit) : NULL);
  if (!r) return GP_ERR_STORE;
  *n = (size_t)PQntuples(r);
  *out = gp__xcalloc(*n ? *n : 1, sizeof **out);
  for (size_t i = 0; i < *n; i++) {
    (*out)[i].id = gp__xstrdup(PQgetvalue(r, (int)i, 0));
    (*out)[i].turn_count = (size_t)atoll(PQgetvalue(r, (int)i, 1));
    (*out)[i].updated_at_ms = atoll(PQgetvalue(r, (int)i, 2));
  }
  PQclear(r);
  return 0;
}

static int gp__pg_remove(gp__store_be_t *be, const char *id, gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc == 0) rc = gp__pq_do(p, err, "BEGIN");
  if (rc) return rc;
  const char *sql[] = {"DELETE FROM gp_turns WHERE session_id = $1", "DELETE FROM gp_runs WHERE session_id = $1",
                       "DELETE FROM gp_leases WHERE session_id = $1", "DELETE FROM gp_sessions WHERE id = $1"};
  for (size_t i = 0; rc == 0 && i < 4; i++) {
    PGresult *r = gp__pq(p, err, sql[i], 1, id);
    if (!r) rc = GP_ERR_STORE;
    PQclear(r);
  }
  return gp__pg_end(p, rc, err);
}

static int gp__pg_copy(gp__store_be_t *be, const char *from, const char *to,
                       gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc == 0) rc = gp__pq_do(p, err, "BEGIN");
  if (rc) return rc;
  PGresult *r = gp__pq(p, err, "INSERT INTO gp_sessions(id, created_ms, updated_ms, turn_count, rev)"
                               " SELECT $1, " GP__PG_NOW ", " GP__PG_NOW ", coalesce((SELECT turn_count FROM"
                               " gp_sessions WHERE id = $2), 0), 1 ON CONFLICT(id) DO NOTHING RETURNING id",
                       2, to, from);
  if (!r) return gp__pg_end(p, GP_ERR_STORE, err);
  int added = PQntuples(r) > 0;
  PQclear(r);
  if (!added)
    return gp__pg_end(p, gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "session %s already exists in the store", to), err);
  r = gp__pq(p, err, "INSERT INTO gp_turns SELECT $1, idx, body FROM gp_turns WHERE session_id = $2", 2, to, from);
  if (!r) rc = GP_ERR_STORE;
  PQclear(r);
  return gp__pg_end(p, rc, err);
}

static int gp__pg_runs(gp__store_be_t *be, const char *id, gp_store_run_t **out, size_t *n,
                       gp_error_t **err) {
  gp__pg_t *p = (gp__pg_t *)be;
  int rc = gp__pg_live(p, err);
  if (rc) return rc;
  PGresult *r = gp__pq(p, err, "SELECT id, started_ms, ended_ms, outcome, usage, partial FROM gp_runs"
                               " WHERE session_id = $1 ORDER BY started_ms, seq", 1, id);
  if (!r) return GP_ERR_STORE;
  *n = (size_t)PQntuples(r);
  *out = gp__xcalloc(*n ? *n : 1, sizeof **out);
  for (size_t i = 0; i < *n; i++) {
    gp_store_run_t *o = &(*out)[i];
    int row = (int)i;
    o->id = gp__xstrdup(PQgetvalue(r, row, 0));
    o->started_at_ms = atoll(PQgetvalue(r, row, 1));
    o->ended_at_ms = atoll(PQgetvalue(r, row, 2));
    o->outcome = gp__xstrdup(PQgetvalue(r, row, 3));
    o->usage = PQgetisnull(r, row, 4) ? NULL : gp__xstrdup(PQgetvalue(r, row, 4));
    json_t *pj = PQgetisnull(r, row, 5) ? NULL : json_loads(PQgetvalue(r, row, 5), 0, NULL);
    o->partial = pj ? gp_turn_from_json(pj, NULL) : NULL;
    json_decref(pj);
  }
  PQclear(r);
  return 0;
}

static void gp__pg_free(gp__store_be_t *be) {
  gp__pg_t *p = (gp__pg_t *)be;
  if (p->conn) PQfinish(p->conn);
  free(p->conninfo);
  free(p);
}

static const gp__store_vt_t gp__pg_vt = {
    .kind = "postgres", .open = gp__pg_open, .load = gp__pg_load, .lease = gp__pg_lease,
    .release = gp__pg_release, .commit = gp__pg_commit, .put_turn = gp__pg_put_turn,
    .list = gp__pg_list, .remove = gp__pg_remove, .copy = gp__pg_copy, .runs = gp__pg_runs,
    .free = gp__pg_free};

gp__store_be_t *gp__store_postgres_be(const char *conninfo) {
  gp__pg_t *p = gp__xcalloc(1, sizeof *p);
  p->base.vt = &gp__pg_vt;
  p->conninfo = gp__xstrdup(conninfo);
  return &p->base;
}

int gp__store_pg_exec(const char *conninfo, const char *sql, gp_error_t **err) {
  gp__pg_t p = {.conn = PQconnectdb(conninfo)};
  int rc = PQstatus(p.conn) == CONNECTION_OK ? 0 : gp__pg_fail(&p, err, "connect", NULL);
  if (rc == 0) rc = gp__pq_do(&p, err, "SET client_min_messages = warning");
  if (rc == 0) rc = gp__pq_do(&p, err, sql);
  PQfinish(p.conn);
  return rc;
}
