// timeout: 180
/* Session stores (SPEC §4.12) on every back end: a session persists and resumes by id,
 * the conversation continues across sessions, a failed run stores only its record (with
 * the partial turn), list/load/delete/copy/fork, the lease (SESSION_BUSY naming the
 * holder, takeover after expiry, at once from an ended process of this machine), a second
 * session object that sees another's commits, migration of a version-1 SQLite file and
 * PostgreSQL database (each PostgreSQL case in a throw-away schema) keeping their history,
 * and refusal of a newer version naming both. PostgreSQL runs when GP_TEST_PG_URL is set
 * (scripts/pg-test-cluster.sh); it is skipped with a message otherwise, unless
 * GP_TEST_REQUIRE_PG is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/session.h"
#include "store/store_internal.h"
#include "testutil.h"

typedef struct {
  const char *kind;
  char path[256];                 /* sqlite: the file */
  gp_store_t *st;
} fixture_t;

static gp_store_t *open_store(fixture_t *f, int64_t lease_ms) {
  gp_store_opts_t o = {.lease_ms = lease_ms};
  if (strcmp(f->kind, "memory") == 0) return gp_store_memory(&o);
  if (strcmp(f->kind, "sqlite") == 0) return gp_store_sqlite(f->path, &o);
  return gp_store_postgres(getenv("GP_TEST_PG_URL"), &o);
}

static int setup_kind(void **state, const char *kind) {
  fixture_t *f = calloc(1, sizeof *f);
  f->kind = kind;
  snprintf(f->path, sizeof f->path, "/tmp/gp-store-test-%d-%p.db", (int)getpid(), (void *)f);
  f->st = open_store(f, 0);
  *state = f;
  return 0;
}
static int setup_memory(void **state) { return setup_kind(state, "memory"); }
static int setup_sqlite(void **state) { return setup_kind(state, "sqlite"); }
static int setup_pg(void **state) { return setup_kind(state, "postgres"); }

static void remove_db(const char *path) {
  char p[300];
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
}

static int teardown(void **state) {
  fixture_t *f = *state;
  gp_store_unref(f->st);
  remove_db(f->path);
  free(f);
  return 0;
}

static gp_turn_t *user_turn(const char *text) {
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user(text));
  return t;
}

static gp_session_t *session_on(gp_store_t *st, const char *id, gp_engine_t *e) {
  gp_engine_t *echo = e ? NULL : gp_engine_echo(NULL, 0);
  gp_session_config_t cfg = {.engine = e ? e : echo, .store = st, .id = id};
  gp_error_t *err = NULL;
  gp_session_t *s = gp_session_new(&cfg, &err);
  if (!s) fail_msg("session: %s", err ? err->message : "?");
  gp_engine_unref(echo);
  return s;
}

static int say(gp_session_t *s, const char *text, gp_turn_t **out, gp_error_t **err) {
  gp_run_opts_t o = {.seed_mode = GP_SEED_CONTINUE};
  return gp_session_run(s, user_turn(text), &o, out, err);
}

static char *fresh_id(const char *tag) {
  char *u = gp_id_new();
  char *id = gp__xasprintf("%s-%s", tag, u);
  free(u);
  return id;
}

static void test_persist_and_resume(void **state) {
  fixture_t *f = *state;
  char *id = fresh_id("resume");
  gp_session_t *s = session_on(f->st, id, NULL);
  assert_int_equal(say(s, "hi I am Ann", NULL, NULL), 0);
  assert_int_equal(say(s, "what is my name", NULL, NULL), 0);
  gp_session_free(s);

  gp_turn_t **turns;
  size_t n;
  assert_int_equal(gp_store_load(f->st, id, &turns, &n, NULL), 0);
  assert_int_equal(n, 2);
  assert_int_equal(turns[1]->nblocks, 4);
  assert_string_equal(gp_block_text(turns[1]->blocks[0]), "hi I am Ann");
  gp_store_turns_free(turns, n);

  /* a new session with the id resumes and continues the conversation */
  s = session_on(f->st, id, NULL);
  assert_int_equal(gp_session_turn_count(s), 2);
  gp_turn_t *out = NULL;
  assert_int_equal(say(s, "third", &out, NULL), 0);
  assert_int_equal(out->nblocks, 6);
  gp_turn_free(out);
  gp_session_free(s);

  gp_store_run_t *runs;
  assert_int_equal(gp_store_runs(f->st, id, &runs, &n, NULL), 0);
  assert_int_equal(n, 3);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(runs[i].outcome, "ok");
    assert_true(runs[i].ended_at_ms >= runs[i].started_at_ms && runs[i].started_at_ms > 0);
    assert_null(runs[i].partial);
  }
  gp_store_runs_free(runs, n);
  free(id);
}

static int fail_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *t, gp_error_t **err) {
  gp_turn_append(t, gp_block_new_assistant("half an answer"));
  return gp_error_set(err, GP_ERR_PROVIDER_STREAM, "the stream broke");
}
static const gp_engine_vtable_t fail_vt = {.provider = "broken", .infer = fail_infer};

static void test_failed_run_stores_record_only(void **state) {
  fixture_t *f = *state;
  char *id = fresh_id("fail");
  gp_session_t *s = session_on(f->st, id, NULL);
  assert_int_equal(say(s, "one", NULL, NULL), 0);
  gp_session_free(s);
  gp_engine_t *bad = gp_engine_new(&fail_vt, NULL, NULL);
  s = session_on(f->st, id, bad);
  gp_error_t *err = NULL;
  assert_int_equal(say(s, "two", NULL, &err), GP_ERR_PROVIDER_STREAM);
  gp_error_free(err);
  assert_int_equal(gp_session_turn_count(s), 1);
  gp_session_free(s);
  gp_engine_unref(bad);

  gp_turn_t **turns;
  size_t n;
  assert_int_equal(gp_store_load(f->st, id, &turns, &n, NULL), 0);
  assert_int_equal(n, 1);
  assert_int_equal(turns[0]->nblocks, 2);
  gp_store_turns_free(turns, n);
  gp_store_run_t *runs;
  assert_int_equal(gp_store_runs(f->st, id, &runs, &n, NULL), 0);
  assert_int_equal(n, 2);
  assert_string_equal(runs[1].outcome, "PROVIDER_STREAM");
  assert_non_null(runs[1].partial);
  assert_string_equal(gp_block_text(gp_turn_last_of(runs[1].partial, GP_BLOCK_LLM_TEXT)), "half an answer");
  gp_store_runs_free(runs, n);
  free(id);
}

static void test_list_delete_copy_fork(void **state) {
  fixture_t *f = *state;
  char *a = fresh_id("list-a"), *b = fresh_id("list-b");
  gp_session_t *s = session_on(f->st, a, NULL);
  assert_int_equal(say(s, "x", NULL, NULL), 0);
  gp__sleep_ms(5);
  gp_session_t *t = session_on(f->st, b, NULL);
  assert_int_equal(say(t, "y", NULL, NULL), 0);
  assert_int_equal(say(t, "z", NULL, NULL), 0);
  gp_store_entry_t *e;
  size_t n;
  assert_int_equal(gp_store_list(f->st, 0, 0, &e, &n, NULL), 0);
  int seen = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(e[i].id, a) == 0) { assert_int_equal(e[i].turn_count, 1); seen |= 1; }
    if (strcmp(e[i].id, b) == 0) { assert_int_equal(e[i].turn_count, 2); seen |= 2; }
    if (i) assert_true(e[i - 1].updated_at_ms >= e[i].updated_at_ms);
  }
  assert_int_equal(seen, 3);
  gp_store_entries_free(e, n);
  assert_int_equal(gp_store_list(f->st, 1, 0, &e, &n, NULL), 0);
  assert_int_equal(n, 1);
  gp_store_entries_free(e, n);

  /* fork: a copy of the history under a new id, in the same store; both go on apart */
  char *c = fresh_id("fork");
  gp_error_t *err = NULL;
  gp_session_t *k = gp_session_fork(t, c, &err);
  assert_non_null(k);
  assert_int_equal(gp_session_turn_count(k), 2);
  assert_int_equal(say(k, "only in the fork", NULL, NULL), 0);
  assert_int_equal(gp_session_turn_count(k), 3);
  assert_int_equal(gp_session_turn_count(t), 2);
  gp_turn_t **turns;
  assert_int_equal(gp_store_load(f->st, c, &turns, &n, NULL), 0);
  assert_int_equal(n, 3);
  gp_store_turns_free(turns, n);
  /* forking onto an existing id fails */
  assert_null(gp_session_fork(t, a, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  gp_error_free(err);

  assert_int_equal(gp_store_delete(f->st, a, NULL), 0);
  assert_int_equal(gp_store_load(f->st, a, &turns, &n, NULL), GP_ERR_NOT_FOUND);
  assert_int_equal(gp_store_delete(f->st, "never-there", NULL), 0);
  gp_session_free(k);
  gp_session_free(t);
  gp_session_free(s);
  free(a);
  free(b);
  free(c);
}

static void test_lease_busy_and_takeover(void **state) {
  fixture_t *f = *state;
  gp_store_t *st = open_store(f, 300); /* a short lease */
  char *id = fresh_id("lease");
  gp_session_t *s = session_on(st, id, NULL);
  assert_int_equal(say(s, "first", NULL, NULL), 0);
  gp_session_free(s);
  /* another owner (a process about to die mid-run) holds the lease */
  int64_t rev;
  assert_int_equal(gp__store_begin(st, id, "dying-process", &rev, NULL), 0);
  gp__store_abandon(st, "nothing", "someone-else"); /* no effect on the holder */
  /* a second runner: another store object (another process) on files and servers */
  gp_store_t *other = strcmp(f->kind, "memory") == 0 ? gp_store_ref(st) : open_store(f, 300);
  gp_session_t *s2 = session_on(other, id, NULL);
  gp_error_t *err = NULL;
  gp__sleep_ms(400); /* past the expiry: the holder's store renews it while it "runs" */
  assert_int_equal(say(s2, "busy?", NULL, &err), GP_ERR_SESSION_BUSY);
  assert_non_null(strstr(err->message, "lease"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp_session_turn_count(s2), 1);
  /* the holder dies: its lease is no longer renewed, nor released */
  gp__store_forget(st, id, "dying-process");
  gp__sleep_ms(400);
  assert_int_equal(say(s2, "taken over", NULL, &err), 0);
  assert_int_equal(gp_session_turn_count(s2), 2);
  /* the dead holder cannot commit any more */
  gp__store_commit_t c = {.session_id = id, .owner = "dying-process", .turn_index = 0,
                          .turn_json = "{}", .turn_count = 1, .run_id = "late", .outcome = "ok"};
  assert_int_equal(gp__store_end(st, &c, &rev, &err), GP_ERR_SESSION_BUSY);
  gp_error_free(err);
  gp_session_free(s2);
  gp_store_unref(other);
  gp_store_unref(st);
  free(id);
}

typedef struct {
  const char *id, *owner;
  int release;
  int64_t rev;
} raw_lease_t;

/* Takes (or releases) a lease with a raw owner id, as another process would write it. */
static int raw_lease(gp__store_be_t *be, void *arg, gp_error_t **err) {
  raw_lease_t *a = arg;
  if (a->release) return be->vt->release(be, a->id, a->owner, err);
  return be->vt->lease(be, a->id, a->owner, 60000, &a->rev, err);
}

static void hold(gp_store_t *st, const char *id, const char *owner, int release) {
  raw_lease_t a = {.id = id, .owner = owner, .release = release};
  assert_int_equal(gp__store_call(st, raw_lease, &a, NULL), 0);
}

/* Writes to `out` an owner id of this machine for process `pid` started at `start` (our
 * identity with the pid and start time replaced). */
static void local_owner(char *out, size_t size, int pid, const char *start) {
  char *me = gp__store_owner("r1");
  char *host = strchr(me, '@') + 1, *c1 = strchr(host, ':'), *c2 = strchr(c1 + 1, ':');
  char *machine = strchr(c2 + 1, ':') + 1;
  *c1 = '\0';
  snprintf(out, size, "r1@%s:%d:%s:%s", host, pid, start ? start : "0", machine);
  free(me);
}

/* A lease held by a process of this machine that has ended is taken at once; one held by
 * a live process or another machine's is not, and the refusal names the holder. */
static void test_lease_of_ended_process(void **state) {
  fixture_t *f = *state;
  char *id = fresh_id("ended");
  gp_session_t *s = session_on(f->st, id, NULL);
  gp_error_t *err = NULL;
  /* another machine (a 60 s lease): waited out, whatever its pid */
  hold(f->st, id, "r0@elsewhere.example:1:0:deadbeef.1", 0);
  assert_int_equal(say(s, "busy?", NULL, &err), GP_ERR_SESSION_BUSY);
  assert_non_null(strstr(err->message, "run r0 of process 1 on elsewhere.example"));
  assert_non_null(strstr(err->message, "expires in"));
  gp_error_free(err);
  err = NULL;
  hold(f->st, id, "r0@elsewhere.example:1:0:deadbeef.1", 1);
  /* a live process of this machine (our parent's pid, start time unknown): waited out */
  char owner[512];
  local_owner(owner, sizeof owner, (int)getppid(), NULL);
  hold(f->st, id, owner, 0);
  assert_int_equal(say(s, "busy?", NULL, &err), GP_ERR_SESSION_BUSY);
  gp_error_free(err);
  err = NULL;
  hold(f->st, id, owner, 1);
  /* a process that has exited and been reaped */
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, NULL, 0);
  local_owner(owner, sizeof owner, (int)pid, NULL);
  hold(f->st, id, owner, 0);
  assert_int_equal(say(s, "after the exit", NULL, &err), 0);
  /* our own pid with another start time: the pid was reused */
  local_owner(owner, sizeof owner, (int)getpid(), "1");
  hold(f->st, id, owner, 0);
  assert_int_equal(say(s, "after the reuse", NULL, &err), 0);
  assert_int_equal(gp_session_turn_count(s), 2);
  gp_session_free(s);
  free(id);
}

static void test_second_object_sees_commits(void **state) {
  fixture_t *f = *state;
  char *id = fresh_id("shared");
  gp_session_t *a = session_on(f->st, id, NULL);
  gp_session_t *b = session_on(f->st, id, NULL);
  assert_int_equal(say(a, "from a", NULL, NULL), 0);
  gp_turn_t *out = NULL;
  assert_int_equal(say(b, "from b", &out, NULL), 0); /* b reloads before it runs */
  assert_int_equal(out->nblocks, 4);
  assert_string_equal(gp_block_text(out->blocks[0]), "from a");
  gp_turn_free(out);
  assert_int_equal(gp_session_turn_count(b), 2);
  /* append persists too */
  gp_session_append(b, user_turn("appended"));
  gp_session_free(b);
  gp_turn_t **turns;
  size_t n;
  assert_int_equal(gp_store_load(f->st, id, &turns, &n, NULL), 0);
  assert_int_equal(n, 3);
  gp_store_turns_free(turns, n);
  gp_session_free(a);
  free(id);
}

static void test_closed_store_fails(void **state) {
  fixture_t *f = *state;
  gp_store_close(f->st);
  gp_store_close(f->st);
  gp_error_t *err = NULL;
  gp_store_entry_t *e;
  size_t n;
  assert_int_equal(gp_store_list(f->st, 0, 0, &e, &n, &err), GP_ERR_STORE);
  assert_non_null(strstr(err->message, "closed"));
  gp_error_free(err);
}

/* A version-1 file as an older geppetto wrote it. */
static const char v1_fixture[] =
    "CREATE TABLE gp_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE gp_sessions(id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL, turn_count INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE gp_turns(session_id TEXT NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(session_id, idx));"
    "CREATE TABLE gp_runs(id TEXT PRIMARY KEY, session_id TEXT NOT NULL, started_ms INTEGER,"
    " ended_ms INTEGER, outcome TEXT NOT NULL);"
    "INSERT INTO gp_meta VALUES('schema_version', '1');"
    "INSERT INTO gp_sessions VALUES('old', 1000, 2000, 1);"
    "INSERT INTO gp_turns VALUES('old', 0, '{\"id\":\"t0\",\"blocks\":[{\"id\":\"b0\",\"kind\":\"user\","
    "\"role\":\"user\",\"payload\":{\"text\":\"from version 1\"}}]}');"
    "INSERT INTO gp_runs VALUES('r0', 'old', 1000, 2000, 'ok');";

/* A migrated version-1 store (v1_fixture, pg_v1_fixture) still holds session "old" (one
 * turn, one run) and goes on with it: a run continues the conversation, records follow. */
static void check_migrated(gp_store_t *st) {
  gp_session_t *s = session_on(st, "old", NULL);
  assert_int_equal(gp_session_turn_count(s), 1);
  gp_turn_t *out = NULL;
  assert_int_equal(say(s, "and now", &out, NULL), 0);
  assert_string_equal(gp_block_text(out->blocks[0]), "from version 1");
  gp_turn_free(out);
  gp_session_free(s);
  gp_store_run_t *runs;
  size_t n;
  assert_int_equal(gp_store_runs(st, "old", &runs, &n, NULL), 0);
  assert_int_equal(n, 2);
  assert_string_equal(runs[0].id, "r0");
  assert_null(runs[0].usage);
  assert_string_equal(runs[1].outcome, "ok");
  gp_store_runs_free(runs, n);
}

static void test_sqlite_migrates_v1(void **state) {
  fixture_t *f = *state;
  gp_store_unref(f->st);
  remove_db(f->path);
  assert_int_equal(gp__store_sqlite_exec(f->path, v1_fixture, NULL), 0);
  f->st = open_store(f, 0);
  check_migrated(f->st);
  gp_store_unref(f->st);
  /* the file now says version 2 */
  assert_int_equal(gp__store_sqlite_exec(f->path, "SELECT 1 FROM gp_leases", NULL), 0);
  f->st = open_store(f, 0);
}

static void test_sqlite_refuses_newer(void **state) {
  fixture_t *f = *state;
  gp_store_unref(f->st);
  remove_db(f->path);
  assert_int_equal(gp__store_sqlite_exec(f->path,
      "CREATE TABLE gp_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "INSERT INTO gp_meta VALUES('schema_version', '99');", NULL), 0);
  f->st = open_store(f, 0);
  gp_error_t *err = NULL;
  gp_store_entry_t *e;
  size_t n;
  assert_int_equal(gp_store_list(f->st, 0, 0, &e, &n, &err), GP_ERR_STORE);
  assert_non_null(strstr(err->message, "99"));
  assert_non_null(strstr(err->message, "2"));
  gp_error_free(err);
  err = NULL;
  gp_engine_t *echo = gp_engine_echo(NULL, 0);
  gp_session_config_t cfg = {.engine = echo, .store = f->st, .id = "x"};
  assert_null(gp_session_new(&cfg, &err));
  assert_int_equal(err->code, GP_ERR_STORE);
  gp_error_free(err);
  gp_engine_unref(echo);
}

/* PostgreSQL schema cases, each in a throw-away schema of the test database (the
 * store's connection finds it first on its search_path). */
typedef struct {
  char schema[64];
  char *conninfo;                 /* GP_TEST_PG_URL with search_path = schema */
} pg_schema_t;

static int setup_pg_schema(void **state) {
  pg_schema_t *f = calloc(1, sizeof *f);
  char *u = gp_id_new();
  snprintf(f->schema, sizeof f->schema, "gp_case_%.8s", u);
  free(u);
  const char *url = getenv("GP_TEST_PG_URL");
  f->conninfo = gp__xasprintf("%s%soptions=-csearch_path%%3D%s", url, strchr(url, '?') ? "&" : "?", f->schema);
  char *sql = gp__xasprintf("CREATE SCHEMA %s", f->schema);
  gp_error_t *err = NULL;
  if (gp__store_pg_exec(url, sql, &err) != 0) fail_msg("create schema: %s", err ? err->message : "?");
  free(sql);
  *state = f;
  return 0;
}

static int teardown_pg_schema(void **state) {
  pg_schema_t *f = *state;
  char *sql = gp__xasprintf("DROP SCHEMA %s CASCADE", f->schema);
  gp__store_pg_exec(getenv("GP_TEST_PG_URL"), sql, NULL);
  free(sql);
  free(f->conninfo);
  free(f);
  return 0;
}

/* A version-1 PostgreSQL database (no revisions, run usage or partial turns, leases)
 * holding session "old" with one turn and one run. */
static const char pg_v1_fixture[] =
    "CREATE TABLE gp_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE gp_sessions(id TEXT PRIMARY KEY, created_ms BIGINT NOT NULL,"
    " updated_ms BIGINT NOT NULL, turn_count BIGINT NOT NULL DEFAULT 0);"
    "CREATE TABLE gp_turns(session_id TEXT NOT NULL, idx BIGINT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(session_id, idx));"
    "CREATE TABLE gp_runs(id TEXT PRIMARY KEY, session_id TEXT NOT NULL, started_ms BIGINT,"
    " ended_ms BIGINT, outcome TEXT NOT NULL);"
    "CREATE INDEX gp_runs_session ON gp_runs(session_id, started_ms);"
    "INSERT INTO gp_meta VALUES('schema_version', '1');"
    "INSERT INTO gp_sessions VALUES('old', 1000, 2000, 1);"
    "INSERT INTO gp_turns VALUES('old', 0, '{\"id\":\"t0\",\"blocks\":[{\"id\":\"b0\",\"kind\":\"user\","
    "\"role\":\"user\",\"payload\":{\"text\":\"from version 1\"}}]}');"
    "INSERT INTO gp_runs VALUES('r0', 'old', 1000, 2000, 'ok');";

static void test_pg_migrates_v1(void **state) {
  pg_schema_t *f = *state;
  gp_error_t *err = NULL;
  if (gp__store_pg_exec(f->conninfo, pg_v1_fixture, &err) != 0) fail_msg("fixture: %s", err->message);
  gp_store_opts_t o = {.connections = 2};
  gp_store_t *st = gp_store_postgres(f->conninfo, &o);
  check_migrated(st); /* the history survived the migration */
  gp_turn_t **turns;
  size_t n;
  assert_int_equal(gp_store_load(st, "old", &turns, &n, NULL), 0);
  assert_int_equal(n, 2);
  gp_store_turns_free(turns, n);
  gp_store_unref(st);
  /* the database now says version 2 and has the version-2 tables */
  assert_int_equal(gp__store_pg_exec(f->conninfo,
      "DO $$ BEGIN IF (SELECT value FROM gp_meta WHERE key = 'schema_version') <> '2'"
      " THEN RAISE EXCEPTION 'not migrated'; END IF; END $$;"
      "SELECT rev FROM gp_sessions; SELECT 1 FROM gp_leases", NULL), 0);
  /* and opens again without migrating twice */
  st = gp_store_postgres(f->conninfo, NULL);
  assert_int_equal(gp_store_load(st, "old", &turns, &n, NULL), 0);
  assert_int_equal(n, 2);
  gp_store_turns_free(turns, n);
  gp_store_unref(st);
}

static void test_pg_refuses_newer(void **state) {
  pg_schema_t *f = *state;
  assert_int_equal(gp__store_pg_exec(f->conninfo,
      "CREATE TABLE gp_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "INSERT INTO gp_meta VALUES('schema_version', '99');", NULL), 0);
  gp_store_t *st = gp_store_postgres(f->conninfo, NULL);
  gp_error_t *err = NULL;
  gp_store_entry_t *e;
  size_t n;
  assert_int_equal(gp_store_list(st, 0, 0, &e, &n, &err), GP_ERR_STORE);
  assert_non_null(strstr(err->message, "schema version 99"));
  assert_non_null(strstr(err->message, "this geppetto's 2"));
  gp_error_free(err);
  err = NULL;
  gp_engine_t *echo = gp_engine_echo(NULL, 0);
  gp_session_config_t cfg = {.engine = echo, .store = st, .id = "x"};
  assert_null(gp_session_new(&cfg, &err));
  assert_int_equal(err->code, GP_ERR_STORE);
  gp_error_free(err);
  gp_engine_unref(echo);
  gp_store_unref(st);
  /* nothing was changed: still version 99, no tables of ours added */
  assert_int_equal(gp__store_pg_exec(f->conninfo,
      "DO $$ BEGIN IF (SELECT value FROM gp_meta WHERE key = 'schema_version') <> '99'"
      " OR to_regclass('gp_sessions') IS NOT NULL THEN RAISE EXCEPTION 'changed'; END IF; END $$", NULL), 0);
}

static void test_from_spec(void **state) {
  gp_error_t *err = NULL;
  const char *ok[] = {"memory", "sqlite:/tmp/x.db", "postgres:host=h dbname=d", "postgresql://u@h/d",
                      "postgres://u@h/d"};
  const char *kinds[] = {"memory", "sqlite", "postgres", "postgres", "postgres"};
  for (size_t i = 0; i < 5; i++) {
    gp_store_t *st = gp_store_from_spec(ok[i], NULL, &err);
    assert_non_null(st);
    assert_string_equal(gp_store_kind(st), kinds[i]);
    gp_store_unref(st); /* never opened: no file, no connection */
  }
  assert_null(gp_store_from_spec("mysql:x", NULL, &err));
  assert_non_null(strstr(err->message, "sqlite:PATH"));
  gp_error_free(err);
}

#define STORE_TESTS(setup)                                                            \
  cmocka_unit_test_setup_teardown(test_persist_and_resume, setup, teardown),          \
  cmocka_unit_test_setup_teardown(test_failed_run_stores_record_only, setup, teardown), \
  cmocka_unit_test_setup_teardown(test_list_delete_copy_fork, setup, teardown),       \
  cmocka_unit_test_setup_teardown(test_lease_busy_and_takeover, setup, teardown),     \
  cmocka_unit_test_setup_teardown(test_lease_of_ended_process, setup, teardown),      \
  cmocka_unit_test_setup_teardown(test_second_object_sees_commits, setup, teardown),  \
  cmocka_unit_test_setup_teardown(test_closed_store_fails, setup, teardown)

int main(void) {
  const struct CMUnitTest local[] = {
      STORE_TESTS(setup_memory), STORE_TESTS(setup_sqlite),
      cmocka_unit_test_setup_teardown(test_sqlite_migrates_v1, setup_sqlite, teardown),
      cmocka_unit_test_setup_teardown(test_sqlite_refuses_newer, setup_sqlite, teardown),
      cmocka_unit_test(test_from_spec),
  };
  const struct CMUnitTest pg[] = {
      STORE_TESTS(setup_pg),
      cmocka_unit_test_setup_teardown(test_pg_migrates_v1, setup_pg_schema, teardown_pg_schema),
      cmocka_unit_test_setup_teardown(test_pg_refuses_newer, setup_pg_schema, teardown_pg_schema),
  };
  int rc = cmocka_run_group_tests_name("memory and sqlite", local, NULL, NULL);
  rc |= GP_TEST_PG_GROUP("postgres", pg);
  return rc;
}
