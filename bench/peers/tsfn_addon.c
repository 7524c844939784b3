/* A Node-API addon measuring the same hop as bench/owner_hop with Node's own tool:
 * native threads call a napi_threadsafe_function whose call_js runs a no-op on the
 * JavaScript thread and wakes the caller; the round trip is timed on the caller.
 * run(threads, iterations) returns a Promise of {p50_us, p99_us, p999_us}.
 * Built with plain `cc -shared -fPIC -I/usr/include/node` (no node-gyp). */
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define MAX_THREADS 64

typedef struct bench_s bench_t;

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int done;
} waiter_t;

typedef struct {
  bench_t *b;
  int index;
} worker_t;

struct bench_s {
  napi_threadsafe_function tsfn;
  napi_deferred deferred;
  int threads;
  size_t iters;
  uint64_t *samples;
  pthread_t tids[MAX_THREADS];
  worker_t workers[MAX_THREADS];
  int finished; /* guarded by mu */
  pthread_mutex_t mu;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void set_num(napi_env env, napi_value obj, const char *k, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, k, n);
}

/* On the JavaScript thread: a no-op request (wake its caller), or the final report. */
static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  bench_t *b = context;
  if (data != NULL) {
    waiter_t *w = data;
    pthread_mutex_lock(&w->mu);
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
    return;
  }
  if (env == NULL) return;
  for (int i = 0; i < b->threads; i++) pthread_join(b->tids[i], NULL);
  size_t n = b->iters * (size_t)b->threads;
  qsort(b->samples, n, sizeof *b->samples, cmp_u64);
  napi_value obj;
  napi_create_object(env, &obj);
  set_num(env, obj, "p50_us", b->samples[n / 2] / 1000.0);
  set_num(env, obj, "p99_us", b->samples[(size_t)(n * 0.99)] / 1000.0);
  set_num(env, obj, "p999_us", b->samples[(size_t)(n * 0.999)] / 1000.0);
  napi_resolve_deferred(env, b->deferred, obj);
  napi_release_threadsafe_function(b->tsfn, napi_tsfn_release);
}

static void finalize(napi_env env, void *data, void *hint) {
  bench_t *b = data;
  free(b->samples);
  pthread_mutex_destroy(&b->mu);
  free(b);
}

static void *worker_main(void *ud) {
  worker_t *wk = ud;
  bench_t *b = wk->b;
  waiter_t w;
  pthread_mutex_init(&w.mu, NULL);
  pthread_cond_init(&w.cond, NULL);
  uint64_t *out = b->samples + (size_t)wk->index * b->iters;
  for (size_t i = 0; i < b->iters; i++) {
    w.done = 0;
    uint64_t t0 = now_ns();
    napi_call_threadsafe_function(b->tsfn, &w, napi_tsfn_blocking);
    pthread_mutex_lock(&w.mu);
    while (!w.done) pthread_cond_wait(&w.cond, &w.mu);
    pthread_mutex_unlock(&w.mu);
    out[i] = now_ns() - t0;
  }
  pthread_cond_destroy(&w.cond);
  pthread_mutex_destroy(&w.mu);
  pthread_mutex_lock(&b->mu);
  int last = ++b->finished == b->threads;
  pthread_mutex_unlock(&b->mu);
  if (last) napi_call_threadsafe_function(b->tsfn, NULL, napi_tsfn_blocking);
  return NULL;
}

static napi_value run(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t threads = 1, iters = 10000;
  if (argc > 0) napi_get_value_int32(env, argv[0], &threads);
  if (argc > 1) napi_get_value_int32(env, argv[1], &iters);
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  bench_t *b = calloc(1, sizeof *b);
  b->threads = threads;
  b->iters = (size_t)iters;
  b->samples = calloc((size_t)threads * (size_t)iters, sizeof *b->samples);
  pthread_mutex_init(&b->mu, NULL);
  napi_value promise, name;
  napi_create_promise(env, &b->deferred, &promise);
  napi_create_string_utf8(env, "tsfn-bench", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, b, finalize, b, call_js, &b->tsfn);
  for (int i = 0; i < threads; i++) {
    b->workers[i] = (worker_t){b, i};
    pthread_create(&b->tids[i], NULL, worker_main, &b->workers[i]);
  }
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, run, NULL, &fn);
  napi_set_named_property(env, exports, "run", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
