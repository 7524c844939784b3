/* bench/owner_hop: what a hop to the runtime owner costs.
 *
 * Round-trip latency of a no-op gp_owner_call from 1, 4 and 16 threads (p50/p99/p999,
 * owner idle, then owner busy with a timer that works 300 µs of every millisecond), post
 * throughput from the same thread counts, and two baselines measured in the same run: a
 * raw libuv uv_async_send ping-pong between two threads, and Node.js's
 * napi_threadsafe_function doing the same round trip (bench/peers/, when node and the
 * addon are available). Prints a table, then one JSON line per thread count. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "core/core.h"
#include "geppetto/error.h"
#include "geppetto/owner.h"

#define MAX_THREADS 16

static gp_owner_t *g_owner;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  double p50, p99, p999;
} pct_t;

static pct_t percentiles(uint64_t *ns, size_t n) {
  qsort(ns, n, sizeof *ns, cmp_u64);
  pct_t p = {ns[n / 2] / 1000.0, ns[(size_t)(n * 0.99)] / 1000.0, ns[(size_t)(n * 0.999)] / 1000.0};
  return p;
}

/* ---- Round trips through gp_owner_call ---------------------------------------------- */

static int nop_call(void *arg, gp_owner_completion_t *c, void **result) { return GP_OK; }

typedef struct {
  uint64_t *samples;
  size_t n;
  pthread_barrier_t *start;
} rt_arg_t;

static void *rt_worker(void *ud) {
  rt_arg_t *a = ud;
  pthread_barrier_wait(a->start);
  for (size_t i = 0; i < a->n; i++) {
    uint64_t t0 = gp__mono_ns();
    gp_owner_call(g_owner, "nop", nop_call, NULL, NULL, NULL, NULL);
    a->samples[i] = gp__mono_ns() - t0;
  }
  return NULL;
}

static pct_t round_trips(int threads, size_t total) {
  size_t per = total / (size_t)threads;
  uint64_t *all = gp__xmalloc(per * (size_t)threads * sizeof *all);
  pthread_t t[MAX_THREADS];
  rt_arg_t a[MAX_THREADS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  for (int i = 0; i < threads; i++) {
    a[i] = (rt_arg_t){all + per * (size_t)i, per, &start};
    pthread_create(&t[i], NULL, rt_worker, &a[i]);
  }
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  pct_t p = percentiles(all, per * (size_t)threads);
  free(all);
  return p;
}

/* ---- Busy owner: a timer that works 300 µs of every millisecond -------------------- */

static uv_timer_t g_busy_timer;

static void busy_cb(uv_timer_t *t) {
  uint64_t end = gp__mono_ns() + 300000;
  while (gp__mono_ns() < end) {
  }
}

static int busy_start(void *arg, gp_owner_completion_t *c, void **result) {
  uv_timer_init(gp_owner_loop(g_owner), &g_busy_timer);
  uv_timer_start(&g_busy_timer, busy_cb, 1, 1);
  return GP_OK;
}

static void busy_closed(uv_handle_t *h) { (void)h; }
static int busy_stop(void *arg, gp_owner_completion_t *c, void **result) {
  uv_close((uv_handle_t *)&g_busy_timer, busy_closed);
  return GP_OK;
}

/* ---- Post throughput ------------------------------------------------------------------ */

static long g_posted_runs; /* owner only */
static void nop_post(void *arg) { g_posted_runs++; }

typedef struct {
  size_t n;
  pthread_barrier_t *start;
} post_arg_t;

static void *post_worker(void *ud) {
  post_arg_t *a = ud;
  pthread_barrier_wait(a->start);
  for (size_t i = 0; i < a->n; i++)
    while (gp_owner_post(g_owner, "post", nop_post, NULL, NULL) != GP_OK) {
    }
  return NULL;
}

static double post_rate(int threads, size_t total) {
  pthread_t t[MAX_THREADS];
  post_arg_t a[MAX_THREADS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
  for (int i = 0; i < threads; i++) {
    a[i] = (post_arg_t){total / (size_t)threads, &start};
    pthread_create(&t[i], NULL, post_worker, &a[i]);
  }
  pthread_barrier_wait(&start);
  uint64_t t0 = gp__mono_ns();
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  gp_owner_wait_idle(g_owner, -1);
  uint64_t dt = gp__mono_ns() - t0;
  pthread_barrier_destroy(&start);
  return (double)(total / (size_t)threads * (size_t)threads) / ((double)dt / 1e9);
}

/* ---- Baseline: raw uv_async_send ping-pong between two loops ----------------------- */

typedef struct {
  uv_loop_t loop;
  uv_async_t async;
  struct uv_pair_s *pair;
} uv_side_t;

typedef struct uv_pair_s {
  uv_side_t a, b;   /* a: the measuring side; b: the echo side */
  size_t n, i;
  uint64_t t0;
  uint64_t *samples;
  pthread_barrier_t ready;
} uv_pair_t;

static void echo_cb(uv_async_t *h) {
  uv_pair_t *p = ((uv_side_t *)h->data)->pair;
  if (p->i >= p->n) {
    uv_close((uv_handle_t *)&p->b.async, NULL);
    return;
  }
  uv_async_send(&p->a.async);
}

static void pong_cb(uv_async_t *h) {
  uv_pair_t *p = ((uv_side_t *)h->data)->pair;
  p->samples[p->i++] = gp__mono_ns() - p->t0;
  if (p->i >= p->n) uv_close((uv_handle_t *)&p->a.async, NULL);
  p->t0 = gp__mono_ns();
  uv_async_send(&p->b.async);
}

static void *echo_main(void *ud) {
  uv_pair_t *p = ud;
  pthread_barrier_wait(&p->ready);
  uv_run(&p->b.loop, UV_RUN_DEFAULT);
  return NULL;
}

static double uv_async_p50(size_t n) {
  uv_pair_t *p = calloc(1, sizeof *p);
  p->n = n;
  p->samples = gp__xmalloc(n * sizeof *p->samples);
  uv_loop_init(&p->a.loop);
  uv_loop_init(&p->b.loop);
  p->a.pair = p->b.pair = p;
  uv_async_init(&p->a.loop, &p->a.async, pong_cb);
  uv_async_init(&p->b.loop, &p->b.async, echo_cb);
  p->a.async.data = &p->a;
  p->b.async.data = &p->b;
  pthread_barrier_init(&p->ready, NULL, 2);
  pthread_t t;
  pthread_create(&t, NULL, echo_main, p);
  pthread_barrier_wait(&p->ready);
  p->t0 = gp__mono_ns();
  uv_async_send(&p->b.async);
  uv_run(&p->a.loop, UV_RUN_DEFAULT);
  pthread_join(t, NULL);
  uv_loop_close(&p->a.loop);
  uv_loop_close(&p->b.loop);
  double r = percentiles(p->samples, n).p50;
  pthread_barrier_destroy(&p->ready);
  free(p->samples);
  free(p);
  return r;
}

/* ---- Baseline: Node's napi_threadsafe_function (bench/peers) ------------------------ */

typedef struct {
  int ok;
  double p50, p99, p999;
} node_row_t;

static void node_baseline(node_row_t rows[3], const int threads[3]) {
  memset(rows, 0, 3 * sizeof *rows);
#if defined(GP_BENCH_NODE_SCRIPT) && defined(GP_BENCH_NODE_ADDON)
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "node '%s' '%s' 2>&1", GP_BENCH_NODE_SCRIPT, GP_BENCH_NODE_ADDON);
  FILE *f = popen(cmd, "r");
  if (f == NULL) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    int th;
    double p50, p99, p999;
    if (sscanf(line, "{\"threads\":%d,\"p50_us\":%lf,\"p99_us\":%lf,\"p999_us\":%lf", &th, &p50,
               &p99, &p999) == 4) {
      for (int i = 0; i < 3; i++)
        if (threads[i] == th) rows[i] = (node_row_t){1, p50, p99, p999};
    } else {
      fprintf(stderr, "node: %s", line);
    }
  }
  pclose(f);
#else
  (void)threads;
#endif
}

static void fmt_num(char *buf, size_t n, int ok, double v) {
  if (ok) snprintf(buf, n, "%.2f", v);
  else snprintf(buf, n, "null");
}

int main(int argc, char **argv) {
  size_t scale = argc > 1 ? (size_t)atol(argv[1]) : 1; /* multiply sample counts */
  const int threads[3] = {1, 4, 16};
  gp_owner_options_t opts = {.name = "bench-owner"};
  if (getenv("GP_BENCH_SPIN_US")) opts.spin_us = atoi(getenv("GP_BENCH_SPIN_US"));
  if (getenv("GP_BENCH_CALLER_SPIN_US")) opts.caller_spin_us = atoi(getenv("GP_BENCH_CALLER_SPIN_US"));
  if (gp_owner_new(&opts, &g_owner) != GP_OK) return 1;
  round_trips(1, 20000); /* warm up */

  pct_t idle[3], busy[3];
  double posts[3];
  for (int i = 0; i < 3; i++) idle[i] = round_trips(threads[i], 100000 * scale);
  gp_owner_call(g_owner, "busy.start", busy_start, NULL, NULL, NULL, NULL);
  for (int i = 0; i < 3; i++) busy[i] = round_trips(threads[i], 50000 * scale);
  gp_owner_call(g_owner, "busy.stop", busy_stop, NULL, NULL, NULL, NULL);
  for (int i = 0; i < 3; i++) posts[i] = post_rate(threads[i], 2000000 * scale);
  double uvp50 = uv_async_p50(100000 * scale);
  node_row_t node[3];
  node_baseline(node, threads);
  int have_node = node[0].ok || node[1].ok || node[2].ok;

  printf("owner_hop: no-op gp_owner_call round trip (µs), post throughput, baselines\n");
  printf("%-8s | %-26s | %-26s | %-12s | %-10s | %-22s\n", "threads", "idle p50/p99/p999",
         "busy p50/p99/p999", "posts/s", "uv_async", "node tsfn p50/p99");
  for (int i = 0; i < 3; i++) {
    char n50[32], n99[32];
    fmt_num(n50, sizeof n50, node[i].ok, node[i].p50);
    fmt_num(n99, sizeof n99, node[i].ok, node[i].p99);
    printf("%-8d | %7.2f %8.2f %9.2f | %7.2f %8.2f %9.2f | %12.0f | %10.2f | %9s %12s\n",
           threads[i], idle[i].p50, idle[i].p99, idle[i].p999, busy[i].p50, busy[i].p99,
           busy[i].p999, posts[i], uvp50, n50, n99);
  }
  if (!have_node)
    printf("node baseline: not available (node or the bench/peers addon is missing)\n");
  for (int i = 0; i < 3; i++) {
    char n50[32], n99[32];
    fmt_num(n50, sizeof n50, node[i].ok, node[i].p50);
    fmt_num(n99, sizeof n99, node[i].ok, node[i].p99);
    printf("{\"threads\":%d,\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"posts_per_s\":%.0f,"
           "\"uv_async_p50_us\":%.2f,\"node_tsfn_p50_us\":%s,\"node_tsfn_p99_us\":%s,"
           "\"busy_p50_us\":%.2f,\"busy_p99_us\":%.2f,\"busy_p999_us\":%.2f}\n",
           threads[i], idle[i].p50, idle[i].p99, idle[i].p999, posts[i], uvp50, n50, n99,
           busy[i].p50, busy[i].p99, busy[i].p999);
  }
  gp_owner_free(g_owner);
  return 0;
}
