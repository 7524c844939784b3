/* Store throughput (SPEC §4.12; docs/PERFORMANCE.md "Session stores"): SESSIONS sessions
 * x RUNS runs each with the echo engine, THREADS runs at a time, every run committing its
 * turn and record; prints JSON with commits per second and the commit latency that runs
 * saw (queueing on the store's worker included).
 *   store_bench sqlite PATH | postgres URL | memory  [SESSIONS=1000] [RUNS=10] [THREADS=16]
 *               [CONNECTIONS=4 (postgres)] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/hist.h"
#include "geppetto/session.h"
#include "store/store_internal.h"

typedef struct {
  gp_session_t **sessions;
  int first, count, runs;
  int failures;
} slice_t;

static void *drive(void *arg) {
  slice_t *sl = arg;
  for (int r = 0; r < sl->runs; r++) {
    for (int i = sl->first; i < sl->first + sl->count; i++) {
      gp_turn_t *t = gp_turn_new();
      gp_turn_append(t, gp_block_new_user("a message of a few words"));
      gp_run_opts_t o = {.seed_mode = GP_SEED_CONTINUE};
      gp_error_t *err = NULL;
      if (gp_session_run(sl->sessions[i], t, &o, NULL, &err) != 0) {
        if (sl->failures++ == 0) fprintf(stderr, "run failed: %s\n", err ? err->message : "?");
      }
      gp_error_free(err);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: store_bench sqlite PATH | postgres URL | memory [SESSIONS] [RUNS] [THREADS]\n");
    return 2;
  }
  const char *kind = argv[1];
  int a = strcmp(kind, "memory") == 0 ? 2 : 3;
  int nsess = argc > a ? atoi(argv[a]) : 1000, runs = argc > a + 1 ? atoi(argv[a + 1]) : 10;
  int nthreads = argc > a + 2 ? atoi(argv[a + 2]) : 16;
  gp_store_opts_t o = {.connections = argc > a + 3 ? atoi(argv[a + 3]) : 4};
  gp_store_t *st = strcmp(kind, "sqlite") == 0 ? gp_store_sqlite(argv[2], &o)
                   : strcmp(kind, "postgres") == 0 ? gp_store_postgres(argv[2], &o)
                                                   : gp_store_memory(&o);
  gp_engine_t *e = gp_engine_echo(NULL, 0);
  gp_session_t **s = calloc((size_t)nsess, sizeof *s);
  char *tag = gp_id_new();
  for (int i = 0; i < nsess; i++) {
    char id[96];
    snprintf(id, sizeof id, "bench-%s-%d", tag, i);
    gp_session_config_t cfg = {.engine = e, .store = st, .id = id};
    gp_error_t *err = NULL;
    s[i] = gp_session_new(&cfg, &err);
    if (!s[i]) {
      fprintf(stderr, "store: %s\n", err ? err->message : "?");
      return 1;
    }
  }
  pthread_t *th = calloc((size_t)nthreads, sizeof *th);
  slice_t *sl = calloc((size_t)nthreads, sizeof *sl);
  int64_t t0 = gp__mono_ms();
  for (int i = 0; i < nthreads; i++) {
    sl[i] = (slice_t){.sessions = s, .first = i * nsess / nthreads,
                      .count = (i + 1) * nsess / nthreads - i * nsess / nthreads, .runs = runs};
    pthread_create(&th[i], NULL, drive, &sl[i]);
  }
  int failures = 0;
  for (int i = 0; i < nthreads; i++) {
    pthread_join(th[i], NULL);
    failures += sl[i].failures;
  }
  int64_t ms = gp__mono_ms() - t0;
  gp_hist_summary_t h;
  gp__store_commit_stats(st, &h);
  printf("{\"store\": \"%s\", \"connections\": %d, \"sessions\": %d, \"runsPerSession\": %d, \"threads\": %d, "
         "\"commits\": %llu, \"failures\": %d, \"seconds\": %.3f, \"commitsPerSecond\": %.0f, "
         "\"commitUs\": {\"p50\": %llu, \"p99\": %llu, \"max\": %llu}}\n",
         kind, strcmp(kind, "postgres") == 0 ? o.connections : 1, nsess, runs, nthreads, (unsigned long long)h.count, failures, ms / 1000.0,
         ms ? h.count * 1000.0 / (double)ms : 0.0, (unsigned long long)h.p50,
         (unsigned long long)h.p99, (unsigned long long)h.max);
  for (int i = 0; i < nsess; i++) gp_session_free(s[i]);
  free(s);
  free(th);
  free(sl);
  free(tag);
  gp_engine_unref(e);
  gp_store_unref(st);
  return failures ? 1 : 0;
}
