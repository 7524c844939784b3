// timeout: 300
/* Stores across processes (SPEC §4.12). This binary is also its own child process
 * (argv[1] names the child's role):
 * - lease: a child holds a session's lease (renewed while it lives); the parent gets
 *   SESSION_BUSY, still after several lease periods; the child is killed with SIGKILL
 *   and the parent resumes the session at once (the holder's process is gone; no wait
 *   for the lease's expiry). On one SQLite file and on one
 *   PostgreSQL database (GP_TEST_PG_URL, see test_store.c).
 * - crash: children run one session to 200 runs against SQLite, each resuming where the
 *   last stopped, and are killed with SIGKILL at random moments (streaming, between
 *   runs, committing); afterwards the history holds exactly the finished runs, in order,
 *   with no run recorded twice, and PRAGMA integrity_check answers ok. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/session.h"
#include "store/store_internal.h"
#include "testutil.h"

#define CRASH_RUNS 200
#define LEASE_MS 600

static gp_store_t *open_kind(const char *kind, const char *target, int64_t lease_ms) {
  gp_store_opts_t o = {.lease_ms = lease_ms};
  return strcmp(kind, "sqlite") == 0 ? gp_store_sqlite(target, &o) : gp_store_postgres(target, &o);
}

/* ---- the children -------------------------------------------------------------- */

/* Holds the lease of `id` and says so on stdout, then waits to be killed. */
static int child_lease(const char *kind, const char *target, const char *id) {
  gp_store_t *st = open_kind(kind, target, LEASE_MS);
  int64_t rev;
  gp_error_t *err = NULL;
  if (gp__store_begin(st, id, "child-process", &rev, &err) != 0) {
    fprintf(stderr, "child: %s\n", err ? err->message : "?");
    return 1;
  }
  if (write(1, "L\n", 2) != 2) return 1;
  for (;;) pause();
}

/* Runs session `id` until it holds `total` turns, writing the index of every run that
 * returned. A killed predecessor's lease is waited out (a short lease). */
static int child_crash(const char *path, const char *id, int total) {
  gp_store_opts_t o = {.lease_ms = 300};
  gp_store_t *st = gp_store_sqlite(path, &o);
  gp_engine_t *e = gp_engine_echo("one two three four five six seven eight", 1);
  gp_session_config_t cfg = {.engine = e, .store = st, .id = id};
  gp_error_t *err = NULL;
  gp_session_t *s = gp_session_new(&cfg, &err);
  if (!s) {
    fprintf(stderr, "child: %s\n", err ? err->message : "?");
    return 1;
  }
  for (int n = (int)gp_session_turn_count(s); n < total; n++) {
    char text[32];
    snprintf(text, sizeof text, "run %d", n);
    gp_turn_t *t = gp_turn_new();
    gp_turn_append(t, gp_block_new_user(text));
    int rc = gp_session_run(s, t, NULL, NULL, &err);
    if (rc == GP_ERR_SESSION_BUSY) {
      gp__sleep_ms(20);
      n--;
      continue;
    }
    if (rc != 0) {
      fprintf(stderr, "child: run %d: %s\n", n, err ? err->message : "?");
      return 1;
    }
    char line[32];
    int len = snprintf(line, sizeof line, "%d\n", n);
    if (write(1, line, (size_t)len) != len) return 1;
  }
  gp_session_free(s);
  gp_engine_unref(e);
  gp_store_unref(st);
  return 0;
}

/* ---- the parent ---------------------------------------------------------------- */

/* Starts this binary as a child with `args`; its stdout is *out_fd. */
static pid_t spawn(char *const args[], int *out_fd) {
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execv("/proc/self/exe", args);
    _exit(127);
  }
  close(p[1]);
  *out_fd = p[0];
  return pid;
}

static int say(gp_session_t *s, const char *text, gp_error_t **err) {
  gp_run_opts_t o = {.seed_mode = GP_SEED_CONTINUE};
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user(text));
  return gp_session_run(s, t, &o, NULL, err);
}

static void lease_across_processes(const char *kind, const char *target) {
  char *uuid = gp_id_new();
  char *id = gp__xasprintf("procs-%s", uuid);
  free(uuid);
  char *args[] = {"test_store_procs", "lease", (char *)kind, (char *)target, id, NULL};
  int fd;
  pid_t pid = spawn(args, &fd);
  char buf[4] = {0};
  assert_int_equal(read(fd, buf, 2), 2);
  assert_string_equal(buf, "L\n");

  gp_store_t *st = open_kind(kind, target, LEASE_MS);
  gp_engine_t *e = gp_engine_echo(NULL, 0);
  gp_session_config_t cfg = {.engine = e, .store = st, .id = id};
  gp_session_t *s = gp_session_new(&cfg, NULL);
  assert_non_null(s);
  gp_error_t *err = NULL;
  for (int i = 0; i < 3; i++) { /* the child's renewals keep it, lease after lease */
    assert_int_equal(say(s, "busy?", &err), GP_ERR_SESSION_BUSY);
    gp_error_free(err);
    err = NULL;
    gp__sleep_ms(LEASE_MS / 2);
  }
  assert_int_equal(gp_session_turn_count(s), 0);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(fd);
  /* the holder was a process of this machine that has ended: its lease is taken at once,
   * not after its expiry */
  int rc = say(s, "taken over", &err);
  if (rc != 0) fail_msg("after the kill: %s", err ? err->message : "?");
  assert_int_equal(gp_session_turn_count(s), 1);
  gp_session_free(s);
  gp_engine_unref(e);
  gp_store_unref(st);
  free(id);
}

static char db_path[256];

static void remove_db(void) {
  char p[300];
  unlink(db_path);
  snprintf(p, sizeof p, "%s-wal", db_path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", db_path);
  unlink(p);
}

static void test_lease_sqlite(void **state) {
  remove_db();
  lease_across_processes("sqlite", db_path);
  remove_db();
}

static void test_lease_postgres(void **state) {
  lease_across_processes("postgres", getenv("GP_TEST_PG_URL"));
}

/* Reads what a killed child wrote: the indexes of the runs that returned. */
static int read_finished(int fd, int *last) {
  char buf[8192];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)n;
  buf[len] = '\0';
  int count = 0;
  for (char *p = buf; *p;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || *end != '\n') break; /* a torn last line: not a finished report */
    *last = (int)v;
    count++;
    p = end + 1;
  }
  return count;
}

static void test_crash_safety_sqlite(void **state) {
  remove_db();
  srand((unsigned)getpid());
  char *args[] = {"test_store_procs", "crash", db_path, "crashy", "200", NULL};
  int kills = 0, reported = 0, last = -1, done = 0;
  while (!done) {
    int fd;
    pid_t pid = spawn(args, &fd);
    gp__sleep_ms(5 + rand() % 400);
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      done = 1;
    } else {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      done = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!done) {
        assert_true(WIFSIGNALED(status));
        kills++;
      }
    }
    int prev = last;
    reported += read_finished(fd, &last);
    close(fd);
    /* a child resumes after the last committed run: reports never go back */
    assert_true(last >= prev);
    assert_true(kills < 2000);
  }
  print_message("crash safety: %d SIGKILLs over %d runs (%d reported)\n", kills, CRASH_RUNS, reported);
  assert_true(kills >= 5);
  assert_int_equal(last, CRASH_RUNS - 1);

  gp_error_t *err = NULL;
  assert_int_equal(gp__store_sqlite_integrity(db_path, &err), 0);
  gp_store_t *st = gp_store_sqlite(db_path, NULL);
  gp_turn_t **turns;
  size_t n;
  assert_int_equal(gp_store_load(st, "crashy", &turns, &n, NULL), 0);
  assert_int_equal(n, CRASH_RUNS);
  for (size_t i = 0; i < n; i++) { /* exactly the runs, in order, each whole */
    char want[32];
    snprintf(want, sizeof want, "run %zu", i);
    assert_int_equal(turns[i]->nblocks, 2);
    assert_string_equal(gp_block_text(turns[i]->blocks[0]), want);
    assert_string_equal(gp_block_text(turns[i]->blocks[1]), "one two three four five six seven eight");
  }
  gp_store_turns_free(turns, n);
  gp_store_run_t *runs;
  assert_int_equal(gp_store_runs(st, "crashy", &runs, &n, NULL), 0);
  assert_int_equal(n, CRASH_RUNS); /* a killed run leaves no record, a finished one one */
  for (size_t i = 0; i < n; i++) assert_string_equal(runs[i].outcome, "ok");
  gp_store_runs_free(runs, n);
  gp_store_unref(st);
  remove_db();
}

int main(int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "lease") == 0) return child_lease(argv[2], argv[3], argv[4]);
  if (argc >= 5 && strcmp(argv[1], "crash") == 0) return child_crash(argv[2], argv[3], atoi(argv[4]));
  signal(SIGPIPE, SIG_IGN);
  snprintf(db_path, sizeof db_path, "/tmp/gp-store-procs-%d.db", (int)getpid());
  const struct CMUnitTest local[] = {cmocka_unit_test(test_lease_sqlite),
                                     cmocka_unit_test(test_crash_safety_sqlite)};
  const struct CMUnitTest pg[] = {cmocka_unit_test(test_lease_postgres)};
  int rc = cmocka_run_group_tests_name("sqlite", local, NULL, NULL);
  rc |= GP_TEST_PG_GROUP("postgres", pg);
  return rc;
}
