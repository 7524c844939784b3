// timeout: 300
/* Stores across processes (SPEC §4.12). This binary is also its own child process
 * (argv[1] names the child's role):
 * - lease: a child holds a session's lease (renewed while it lives); the parent gets
 *   SESSION_BUSY, still after several lease periods; the child is killed with SIGKILL
 *   and the parent resumes the session at once (the holder's process is gone; no wait
 *   for the lease's expiry). On one SQLite file and on one
 *   PostgreSQL database (GP_TEST_PG_URL, see test_store.c).
 * - crash: children run one session to 200 runs against SQLite, each resuming where the
 *   last stopped (at once: the killed one's lease is taken from its ended process); each
 *   run calls a tool twice, then answers. They are killed with SIGKILL at random moments,
 *   during or between tools (a while after a tool started), or right at the commit (a few
 *   hundred microseconds after the engine's last answer, as the run's result and record
 *   are written); afterwards the history holds exactly the finished runs, in order, each
 *   whole (user, two tool calls and results, answer), with no run recorded twice, and
 *   PRAGMA integrity_check answers ok. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
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

/* The crash child's engine: two tool calls ("step", one per inference), then the answer
 * "done " + the user's text. Before it returns the answer it writes 'c' on fd 3 (the run
 * is about to commit), and the tool writes 't' when it starts, so the parent can kill
 * right at the commit or between tools. */
static int tool_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *t, gp_error_t **err) {
  if (ctx->iteration <= 2) {
    char id[32];
    snprintf(id, sizeof id, "call-%d", ctx->iteration);
    gp_turn_append(t, gp_block_new_tool_call(id, "step", json_pack("{s:i}", "i", ctx->iteration)));
    return 0;
  }
  char *text = gp__xasprintf("done %s", gp_block_text(t->blocks[0]));
  gp_turn_append(t, gp_block_new_assistant(text));
  free(text);
  if (write(3, "c", 1) != 1) return gp_error_set(err, GP_ERR_INTERNAL, "fd 3");
  return 0;
}

static const gp_engine_vtable_t tool_vt = {.provider = "tools", .infer = tool_infer};

static int step_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                     gp_error_t **err) {
  if (write(3, "t", 1) != 1) return gp_error_set(err, GP_ERR_INTERNAL, "fd 3");
  gp__sleep_ms(2);
  *result = json_pack("{s:O}", "step", json_object_get(args, "i"));
  return 0;
}

/* Runs session `id` until it holds `total` turns, writing the index of every run that
 * returned. A killed predecessor's lease is taken at once (its process is gone). */
static int child_crash(const char *path, const char *id, int total) {
  gp_store_opts_t o = {.lease_ms = 300};
  gp_store_t *st = gp_store_sqlite(path, &o);
  gp_engine_t *e = gp_engine_new(&tool_vt, NULL, "tools");
  gp_registry_t *reg = gp_registry_new();
  gp_registry_add(reg, "step", "one step", NULL, step_tool, NULL, NULL, NULL);
  gp_session_config_t cfg = {.engine = e, .tools = reg, .store = st, .id = id};
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
  gp_registry_unref(reg);
  gp_engine_unref(e);
  gp_store_unref(st);
  return 0;
}

/* ---- the parent ---------------------------------------------------------------- */

/* Starts this binary as a child with `args`; its stdout is *out_fd, its fd 3 (marks of
 * the crash child) *mark_fd when mark_fd is not NULL. */
static pid_t spawn(char *const args[], int *out_fd, int *mark_fd) {
  int p[2], m[2];
  assert_int_equal(pipe(p), 0);
  assert_int_equal(pipe(m), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) { /* fresh copies first: a pipe's end may itself be fd 3 */
    int out = dup(p[1]), mark = dup(m[1]);
    close(p[0]);
    close(p[1]);
    close(m[0]);
    close(m[1]);
    dup2(out, 1);
    dup2(mark, 3);
    if (out != 3) close(out);
    if (mark != 3) close(mark);
    execv("/proc/self/exe", args);
    _exit(127);
  }
  close(p[1]);
  close(m[1]);
  *out_fd = p[0];
  if (mark_fd) *mark_fd = m[0];
  else close(m[0]);
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
  pid_t pid = spawn(args, &fd, NULL);
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

/* Waits (up to 5 s) for the `k`-th mark `what` from a crash child; 0 if it never came. */
static int wait_mark(int fd, char what, int k) {
  int64_t until = gp__mono_ms() + 5000;
  while (k > 0 && gp__mono_ms() < until) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, 100) <= 0) continue;
    char c;
    if (read(fd, &c, 1) != 1) return 0; /* the child ended */
    if (c == what) k--;
  }
  return k == 0;
}

/* Spins `us` microseconds (a sleep would be too coarse to land inside a commit). */
static void spin_us(int us) {
  uint64_t until = gp__mono_ns() + (uint64_t)us * 1000;
  while (gp__mono_ns() < until) {
  }
}

typedef enum { KILL_ANY, KILL_TOOLS, KILL_COMMIT } kill_at_t;

/* Kills the child at a moment of kind `at`, counted in by_kind when it landed there (the
 * child may have finished first). Returns the number of the child's run being committed
 * (1: its first) for KILL_COMMIT, else 0. */
static int kill_child(pid_t pid, int mark_fd, kill_at_t at, int *by_kind) {
  int ok = 1, k = 0;
  if (at == KILL_ANY) {
    gp__sleep_ms(5 + rand() % 100);
  } else if (at == KILL_TOOLS) {
    ok = wait_mark(mark_fd, 't', 1 + rand() % 8);
    spin_us(rand() % 4000);
  } else {
    k = 1 + rand() % 4;
    ok = wait_mark(mark_fd, 'c', k);
    spin_us(rand() % 3000);
  }
  kill(pid, SIGKILL);
  if (ok) by_kind[at]++;
  return ok ? k : 0;
}

/* The session's size in the file now (read by another connection). */
static size_t stored_runs(gp_store_t *st) {
  gp_store_entry_t *e;
  size_t n, count = 0;
  assert_int_equal(gp_store_list(st, 0, 0, &e, &n, NULL), 0);
  if (n) count = e[0].turn_count;
  gp_store_entries_free(e, n);
  return count;
}

static void test_crash_safety_sqlite(void **state) {
  remove_db();
  srand((unsigned)getpid());
  char *args[] = {"test_store_procs", "crash", db_path, "crashy", "200", NULL};
  int kills = 0, reported = 0, last = -1, done = 0, by_kind[3] = {0};
  int lost = 0, unreported = 0, whole = 0; /* where the commit kills landed, see below */
  gp_store_t *watch = gp_store_sqlite(db_path, NULL);
  while (!done) {
    int fd, mark_fd;
    size_t start = stored_runs(watch); /* the child's first run */
    pid_t pid = spawn(args, &fd, &mark_fd);
    int k = kill_child(pid, mark_fd, (kill_at_t)(rand() % 3), by_kind);
    int status;
    waitpid(pid, &status, 0);
    done = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!done) {
      assert_true(WIFSIGNALED(status));
      kills++;
    }
    int prev = last, c = read_finished(fd, &last);
    reported += c;
    close(fd);
    close(mark_fd);
    /* a child resumes after the last committed run: its reports go on from there, in order */
    assert_true(last >= prev);
    if (c > 0) assert_int_equal(last, (int)start + c - 1);
    assert_true(kills < 2000);
    /* what it reported is stored, and at most one run more (committed, then killed before
     * its report) */
    size_t stored = stored_runs(watch);
    assert_true(stored == start + (size_t)c || (!done && stored == start + (size_t)c + 1));
    if (!done && k > 0) { /* the run being committed (start + k - 1): did it make it? */
      size_t target = start + (size_t)k - 1;
      if (last >= (int)target) whole++;      /* committed and reported: killed after */
      else if (stored > target) unreported++; /* committed, killed before its report */
      else lost++;                           /* killed before the commit was durable */
    }
  }
  gp_store_unref(watch);
  print_message("crash safety: %d SIGKILLs over %d runs (%d reported): %d at random moments,"
                " %d during or between tools, %d right at the commit (the run lost: %d; committed,"
                " unreported: %d; reported: %d)\n", kills, CRASH_RUNS, reported, by_kind[KILL_ANY],
                by_kind[KILL_TOOLS], by_kind[KILL_COMMIT], lost, unreported, whole);
  assert_true(kills >= 5);
  assert_true(by_kind[KILL_TOOLS] >= 3 && by_kind[KILL_COMMIT] >= 3);
  /* the last runs may have been committed by children killed before reporting them: the
   * file, below, is what says all 200 are there */
  assert_true(last <= CRASH_RUNS - 1);

  gp_error_t *err = NULL;
  assert_int_equal(gp__store_sqlite_integrity(db_path, &err), 0);
  gp_store_t *st = gp_store_sqlite(db_path, NULL);
  gp_turn_t **turns;
  size_t n;
  assert_int_equal(gp_store_load(st, "crashy", &turns, &n, NULL), 0);
  assert_int_equal(n, CRASH_RUNS);
  static const gp_block_kind_t kinds[] = {GP_BLOCK_USER, GP_BLOCK_TOOL_CALL, GP_BLOCK_TOOL_USE,
                                          GP_BLOCK_TOOL_CALL, GP_BLOCK_TOOL_USE, GP_BLOCK_LLM_TEXT};
  for (size_t i = 0; i < n; i++) { /* exactly the runs, in order, each whole */
    char want[32], answer[40];
    snprintf(want, sizeof want, "run %zu", i);
    snprintf(answer, sizeof answer, "done run %zu", i);
    assert_int_equal(turns[i]->nblocks, 6);
    for (size_t b = 0; b < 6; b++) assert_int_equal(turns[i]->blocks[b]->kind, kinds[b]);
    assert_string_equal(gp_block_text(turns[i]->blocks[0]), want);
    assert_string_equal(gp_block_text(turns[i]->blocks[5]), answer);
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
