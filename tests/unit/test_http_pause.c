// timeout: 300
/* Back-pressure on the HTTP stream (gp_http_request_t.flow, gp_run_set_backpressure),
 * against real servers on loopback: a held flow stops on_data with no idle timeout
 * while held and a release resumes it with every byte in order; the server's sends
 * block; 100 pauses in one body; a hold on the last bytes; cancel of a paused transfer
 * within 100 ms (measured); the total timeout still applies; one held transfer among 50
 * does not hold the others; and a session run on an openai engine (geppetto-mock) held
 * from its sink gets no event until released, then ends with the full text.
 *
 * The bodies are a position pattern (16-byte lines holding their own line number), so a
 * byte lost, repeated or reordered anywhere is a mismatch at a known offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core.h"
#include "geppetto/providers.h"
#include "geppetto/session.h"
#include "http/http.h"
#include "inference/internal.h"
#include "mock_server.h"
#include "pattern_server.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* ---- The client: one gp__http_stream on its own thread, checking every byte ---------- */

typedef struct {
  /* In: */
  char url[160];
  gp_flow_t *flow;              /* this call's valve (owned) */
  gp_cancel_t *cancel;          /* may be NULL (owned) */
  int64_t idle_ms, total_ms;
  size_t hold_at;               /* hold once this many bytes have come (0: never) */
  int hold_calls;               /* then hold again on each later call, this many times */
  int keep;                     /* keep the body in `body` */
  /* Out: */
  atomic_size_t received;
  atomic_int calls;             /* on_data calls */
  atomic_int holds;             /* holds the reader set */
  atomic_int while_held;        /* on_data calls made while held: must stay 0 */
  size_t mismatches;            /* bytes unlike the pattern (reader thread, then caller) */
  size_t first_bad;
  gp_buf_t body;
  int rc;
  gp_error_t *err;
  gp_http_response_t resp;
  atomic_int done;
  _Atomic uint64_t end_ns;      /* when gp__http_stream returned */
  pthread_t th;
} call_t;

static int on_data(void *ud, const char *data, size_t len) {
  call_t *c = ud;
  if (gp__flow_held(c->flow)) atomic_fetch_add(&c->while_held, 1);
  size_t at = atomic_load(&c->received);
  for (size_t k = 0; k < len; k++) {
    if (data[k] != pat_byte(at + k) && c->mismatches++ == 0) c->first_bad = at + k;
  }
  if (c->keep) gp__buf_append(&c->body, data, len);
  atomic_store(&c->received, at + len);
  atomic_fetch_add(&c->calls, 1);
  int holds = atomic_load(&c->holds);
  if (c->hold_at && at + len >= c->hold_at && holds < 1 + c->hold_calls) {
    atomic_fetch_add(&c->holds, 1);
    gp__flow_set_held(c->flow, 1);
  }
  return 0;
}

static void *call_main(void *arg) {
  call_t *c = arg;
  gp_http_request_t req = {.method = "GET", .url = c->url, .idle_timeout_ms = c->idle_ms,
                           .total_timeout_ms = c->total_ms, .cancel = c->cancel,
                           .on_data = on_data, .ud = c, .flow = c->flow};
  gp_retry_policy_t p = {.max_retries = 0, .base_backoff_ms = 10, .max_backoff_ms = 10};
  c->rc = gp__http_stream(&req, &p, &c->resp, &c->err);
  atomic_store(&c->end_ns, gp__mono_ns());
  atomic_store(&c->done, 1);
  return NULL;
}

static void call_init(call_t *c, srv_t *s, size_t size, size_t chunk) {
  memset(c, 0, sizeof *c);
  snprintf(c->url, sizeof c->url, "%s/pattern?size=%zu&chunk=%zu", s->url, size, chunk);
  c->flow = gp__flow_new();
  c->idle_ms = 100;
}

static void call_start(call_t *c) { assert_int_equal(pthread_create(&c->th, NULL, call_main, c), 0); }

static void call_join(call_t *c) { pthread_join(c->th, NULL); }

/* Joined, succeeded, and delivered exactly `size` pattern bytes, never while held. */
static void assert_complete(call_t *c, size_t size) {
  if (c->rc) fprintf(stderr, "call failed: %s\n", c->err ? c->err->message : "?");
  assert_int_equal(c->rc, 0);
  assert_int_equal(c->resp.status, 200);
  if (c->mismatches) fprintf(stderr, "first wrong byte at offset %zu\n", c->first_bad);
  assert_int_equal(c->mismatches, 0);
  assert_int_equal(atomic_load(&c->received), size);
  assert_int_equal(c->resp.body_bytes, size);
  assert_int_equal(atomic_load(&c->while_held), 0);
}

static void call_clear(call_t *c) {
  gp__flow_unref(c->flow);
  gp_cancel_unref(c->cancel);
  gp__buf_free(&c->body);
  gp_error_free(c->err);
  gp__http_response_clear(&c->resp);
}

static int holds_reached(call_t *c, int n, int64_t ms) {
  for (int64_t end = gp__mono_ms() + ms; gp__mono_ms() < end; gp__sleep_ms(1))
    if (atomic_load(&c->holds) >= n) return 1;
  return atomic_load(&c->holds) >= n;
}

static int64_t cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Cases ------------------------------------------------------------------------- */

static void test_hold_stops_reading_without_idle_timeout(void **state) {
  srv_t *s = srv_start();
  call_t c;
  call_init(&c, s, MB, 4096);
  c.hold_at = 64 * KB;
  c.keep = 1;
  call_start(&c);
  assert_true(holds_reached(&c, 1, 10000));
  int calls = atomic_load(&c.calls);
  size_t got = atomic_load(&c.received);
  int64_t cpu0 = cpu_ms();
  gp__sleep_ms(300); /* three idle timeouts */
  int64_t cpu = cpu_ms() - cpu0;
  assert_int_equal(atomic_load(&c.calls), calls);
  assert_int_equal(atomic_load(&c.received), got);
  assert_int_equal(atomic_load(&c.done), 0);
  assert_true(got < MB);
  fprintf(stderr, "held at %zu bytes; 300 ms paused cost %lld ms of CPU\n", got, (long long)cpu);
  assert_true(cpu < 150); /* a paused transfer does not spin the loop */
  gp__flow_set_held(c.flow, 0);
  call_join(&c);
  assert_complete(&c, MB);
  /* The content itself, byte for byte. */
  char *want = malloc(MB);
  pat_fill(want, 0, MB);
  assert_int_equal(c.body.len, MB);
  assert_memory_equal(c.body.data, want, MB);
  free(want);
  call_clear(&c);
  srv_stop(s);
}

static void test_backpressure_reaches_the_server(void **state) {
  srv_t *s = srv_start();
  const size_t size = 32 * MB;
  call_t c;
  call_init(&c, s, size, 16 * KB);
  c.idle_ms = 2000; /* 32 MiB through a loaded machine once released */
  c.hold_at = 64 * KB;
  call_start(&c);
  assert_true(holds_reached(&c, 1, 10000));
  /* The server writes until the socket buffers are full, then blocks. */
  long long produced = -1, prev = -2;
  for (int64_t end = gp__mono_ms() + 20000; produced != prev && gp__mono_ms() < end;) {
    prev = produced;
    gp__sleep_ms(300);
    produced = atomic_load(&s->produced);
  }
  assert_true(produced == prev);
  fprintf(stderr, "held at %zu bytes: the server stopped after %lld of %zu bytes\n",
          atomic_load(&c.received), produced, size);
  assert_true((size_t)produced < size);
  assert_int_equal(atomic_load(&c.done), 0);
  gp__flow_set_held(c.flow, 0);
  call_join(&c);
  assert_complete(&c, size);
  call_clear(&c);
  srv_stop(s);
}

/* Releases c's flow each time its reader holds it, after `pause_ms`, until c is done. */
typedef struct {
  call_t *c;
  int pause_ms;
  atomic_int releases;
  pthread_t th;
} releaser_t;

static void *releaser_main(void *arg) {
  releaser_t *r = arg;
  while (!atomic_load(&r->c->done)) {
    if (!gp__flow_held(r->c->flow)) {
      usleep(200);
      continue;
    }
    if (r->pause_ms) gp__sleep_ms(r->pause_ms);
    atomic_fetch_add(&r->releases, 1);
    gp__flow_set_held(r->c->flow, 0);
  }
  return NULL;
}

static void test_pause_and_resume_100_times_in_one_body(void **state) {
  srv_t *s = srv_start();
  call_t c;
  /* curl hands over at most 16 KiB per call, so 2 MiB take more than 100 calls. */
  call_init(&c, s, 2 * MB, 2048);
  c.idle_ms = 2000;
  c.hold_at = 1; /* from the first call, 100 holds in all */
  c.hold_calls = 99;
  releaser_t r = {.c = &c, .pause_ms = 2};
  call_start(&c);
  assert_int_equal(pthread_create(&r.th, NULL, releaser_main, &r), 0);
  call_join(&c);
  pthread_join(r.th, NULL);
  assert_complete(&c, 2 * MB);
  assert_int_equal(atomic_load(&c.holds), 100);
  assert_int_equal(atomic_load(&r.releases), 100);
  call_clear(&c);
  srv_stop(s);
}

static void test_hold_on_the_last_bytes(void **state) {
  srv_t *s = srv_start();
  call_t c;
  call_init(&c, s, MB, 2048);
  c.idle_ms = 2000;
  c.hold_at = MB - 5000; /* the body's end is then in curl's or the kernel's hands */
  call_start(&c);
  assert_true(holds_reached(&c, 1, 10000));
  gp__sleep_ms(200);
  assert_int_equal(atomic_load(&c.done), 0);
  gp__flow_set_held(c.flow, 0);
  call_join(&c);
  assert_complete(&c, MB);
  call_clear(&c);
  srv_stop(s);
}

/* Held after every call to the end, in small chunks: curl reads the last chunks and the
 * body's terminator while the transfer is paused, and must still deliver them all. */
static void test_hold_after_every_call_to_the_end(void **state) {
  srv_t *s = srv_start();
  const size_t sizes[] = {100 * KB, 100 * KB + 1, 64 * KB - 7};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    call_t c;
    call_init(&c, s, sizes[i], 100 + 37 * i);
    c.idle_ms = 2000;
    c.hold_at = 1;
    c.hold_calls = 1 << 30;
    releaser_t r = {.c = &c, .pause_ms = (int)i};
    call_start(&c);
    assert_int_equal(pthread_create(&r.th, NULL, releaser_main, &r), 0);
    call_join(&c);
    pthread_join(r.th, NULL);
    assert_complete(&c, sizes[i]);
    assert_true(atomic_load(&c.holds) >= 2);
    call_clear(&c);
  }
  srv_stop(s);
}

static void test_cancel_while_paused_within_100ms(void **state) {
  srv_t *s = srv_start();
  call_t c;
  call_init(&c, s, MB, 4096);
  c.hold_at = 64 * KB;
  c.cancel = gp_cancel_new(NULL);
  call_start(&c);
  assert_true(holds_reached(&c, 1, 10000));
  gp__sleep_ms(150); /* paused for well over its idle timeout */
  assert_int_equal(atomic_load(&c.done), 0);
  uint64_t t0 = gp__mono_ns();
  gp_cancel_fire(c.cancel, GP_ERR_CANCELED);
  call_join(&c);
  double ms = (double)(atomic_load(&c.end_ns) - t0) / 1e6;
  fprintf(stderr, "cancel of a paused transfer: %.3f ms\n", ms);
  assert_true(ms < 100.0);
  assert_int_equal(c.rc, GP_ERR_CANCELED);
  assert_non_null(c.err);
  assert_int_equal(atomic_load(&c.while_held), 0);
  call_clear(&c);
  srv_stop(s);
}

static void test_total_timeout_while_paused(void **state) {
  srv_t *s = srv_start();
  call_t c;
  call_init(&c, s, MB, 4096);
  c.hold_at = 64 * KB;
  c.total_ms = 600;
  uint64_t t0 = gp__mono_ns();
  call_start(&c);
  call_join(&c); /* never released */
  double ms = (double)(atomic_load(&c.end_ns) - t0) / 1e6;
  fprintf(stderr, "total timeout of 600 ms while paused: ended after %.1f ms\n", ms);
  assert_int_equal(c.rc, GP_ERR_TIMEOUT);
  assert_non_null(c.err);
  assert_non_null(strstr(c.err->message, "total timeout"));
  assert_true(ms >= 590.0 && ms < 3000.0);
  assert_int_equal(atomic_load(&c.holds), 1);
  assert_int_equal(atomic_load(&c.while_held), 0);
  call_clear(&c);
  srv_stop(s);
}

#define NCONC 50

static void test_one_held_among_50(void **state) {
  srv_t *s = srv_start();
  call_t *cs = calloc(NCONC, sizeof *cs);
  for (int i = 0; i < NCONC; i++) {
    call_init(&cs[i], s, 256 * KB, 4096);
    cs[i].idle_ms = 10000; /* the running ones share 2 loaded cores */
  }
  cs[0].idle_ms = 100;
  cs[0].hold_at = 64 * KB;
  /* The held one first, so that it is paused while the others all run. */
  call_start(&cs[0]);
  assert_true(holds_reached(&cs[0], 1, 10000));
  for (int i = 1; i < NCONC; i++) call_start(&cs[i]);
  for (int i = 1; i < NCONC; i++) call_join(&cs[i]);
  for (int i = 1; i < NCONC; i++) assert_complete(&cs[i], 256 * KB);
  /* The held one is still waiting, with what it had. */
  assert_int_equal(atomic_load(&cs[0].holds), 1);
  assert_int_equal(atomic_load(&cs[0].done), 0);
  assert_true(atomic_load(&cs[0].received) < 256 * KB);
  gp__flow_set_held(cs[0].flow, 0);
  call_join(&cs[0]);
  assert_complete(&cs[0], 256 * KB);
  for (int i = 0; i < NCONC; i++) call_clear(&cs[i]);
  free(cs);
  srv_stop(s);
}

/* ---- A session run on an openai engine against geppetto-mock ----------------------- */

static const char run_text[] =
    "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november "
    "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu";

typedef struct {
  _Atomic(gp_run_t *) run;
  atomic_int events;
  atomic_int partials;
  atomic_int held;              /* the sink asked for back-pressure */
  pthread_mutex_t lock;
  gp_buf_t deltas;              /* partial deltas, in order (lock) */
  char *final_text;             /* (lock) */
} watch_t;

static void watch_cb(void *ud, gp_event_t *ev) {
  watch_t *w = ud;
  atomic_fetch_add(&w->events, 1);
  pthread_mutex_lock(&w->lock);
  if (ev->type == GP_EVENT_PARTIAL)
    gp__buf_puts(&w->deltas, json_string_value(json_object_get(ev->fields, "delta")));
  if (ev->type == GP_EVENT_FINAL)
    w->final_text = gp__xstrdup(json_string_value(json_object_get(ev->fields, "text")));
  pthread_mutex_unlock(&w->lock);
  if (ev->type == GP_EVENT_PARTIAL && atomic_fetch_add(&w->partials, 1) == 0) {
    gp_run_set_backpressure(atomic_load(&w->run), 1);
    atomic_store(&w->held, 1);
  }
}

static gp_mock_t *start_session_mock(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/gp-http-pause-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  json_t *root = json_pack("{s:[{s:{s:s},s:s,s:i}]}", "responses", "match", "contains", "<bp>",
                           "text", run_text, "delay_ms", 10);
  assert_int_equal(json_dumpfd(root, fd, 0), 0);
  close(fd);
  json_decref(root);
  const char *paths[] = {path};
  gp_mock_t *m = gp_mock_start(paths, 1);
  unlink(path);
  return m;
}

static void test_session_run_held_from_its_sink(void **state) {
  gp_mock_t *m = start_session_mock();
  char *base = gp__xasprintf("%s/v1", gp_mock_url(m));
  gp_engine_config_t cfg;
  gp_engine_config_init(&cfg);
  cfg.api_type = "openai";
  cfg.model = "m";
  cfg.base_url = base;
  cfg.api_key = "sk-local";
  cfg.idle_timeout_ms = 200; /* below the 300 ms hold */
  gp_error_t *err = NULL;
  gp_engine_t *e = gp_engine_from_config(&cfg, &err);
  assert_non_null(e);
  gp_session_config_t sc = {.engine = e};
  gp_session_t *ses = gp_session_new(&sc, &err);
  assert_non_null(ses);
  watch_t w = {0};
  pthread_mutex_init(&w.lock, NULL);
  gp_sink_t *sink = gp_sink_new(watch_cb, &w, NULL);
  gp_run_opts_t opts = {.sink = sink};
  gp_turn_t *seed = gp_turn_new();
  gp_turn_append(seed, gp_block_new_user("<bp> spell it"));
  /* The run thread waits until the sink can see the run. */
  gp__runs_hold(1);
  gp_run_t *run = NULL;
  assert_int_equal(gp_session_start(ses, seed, &opts, &run, &err), 0);
  atomic_store(&w.run, run);
  gp__runs_hold(0);

  for (int64_t end = gp__mono_ms() + 10000; !atomic_load(&w.held) && gp__mono_ms() < end;)
    gp__sleep_ms(1);
  assert_int_equal(atomic_load(&w.held), 1);
  /* Events already decoded from the chunk that held it arrive at once; then nothing. */
  gp__sleep_ms(50);
  int seen = atomic_load(&w.events);
  gp__sleep_ms(300);
  assert_int_equal(atomic_load(&w.events), seen);
  assert_true(gp_run_is_running(run));
  int partials = atomic_load(&w.partials);
  fprintf(stderr, "run held after partial 1; %d partial(s) before the stream stopped\n", partials);
  assert_true(partials < 26); /* the stream stopped before its end */

  gp_run_set_backpressure(run, 0);
  gp_turn_t *result = NULL;
  int rc = gp_run_wait(run, 10000, &result, &err);
  if (rc) fprintf(stderr, "run failed: %s\n", err ? err->message : "?");
  assert_int_equal(rc, 0);
  pthread_mutex_lock(&w.lock);
  assert_non_null(w.final_text);
  assert_string_equal(w.final_text, run_text);
  assert_string_equal(w.deltas.data, run_text);
  pthread_mutex_unlock(&w.lock);
  assert_true(atomic_load(&w.events) > seen);

  gp_turn_free(result);
  gp_run_unref(run);
  gp_session_free(ses);
  gp_sink_unref(sink);
  gp_engine_unref(e);
  free(w.final_text);
  gp__buf_free(&w.deltas);
  pthread_mutex_destroy(&w.lock);
  free(base);
  gp_mock_stop(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_hold_stops_reading_without_idle_timeout),
      GP_TEST(test_backpressure_reaches_the_server),
      GP_TEST(test_pause_and_resume_100_times_in_one_body),
      GP_TEST(test_hold_on_the_last_bytes),
      GP_TEST(test_hold_after_every_call_to_the_end),
      GP_TEST(test_cancel_while_paused_within_100ms),
      GP_TEST(test_total_timeout_while_paused),
      GP_TEST(test_one_held_among_50),
      GP_TEST(test_session_run_held_from_its_sink),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
