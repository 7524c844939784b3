// timeout: 300
/* Streaming costs linear time in the length of the answer, events included (SPEC §4.8).
 * Each path of the streaming side is fed an input and the same input grown 10×; the
 * work it does (bytes the library allocates or copies, from the debug builds' work
 * meter, plus every byte jansson allocates) must grow at most 15×. Paths: the SSE
 * decoder with thousands of events in one feed and in tiny pieces; OpenAI Chat, Anthropic
 * and Responses streams (text, reasoning, tool-call argument fragments, the whole-text
 * events of Responses) decoded whole and in 16 KiB pieces, with a consumer that keeps
 * every partial event and reads its completion, and with none (then no event is built at
 * all). Last, the case that found the quadratic cost: an OpenAI-compatible server sending
 * 80 000 deltas (2.2 MB of text) in a few large writes, through a whole session run,
 * must take well under half a second of CPU, with and without a consumer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events/events_internal.h"
#include "provider_util.h"
#include "testutil.h"

#ifdef GP_DEBUG
static void *counting_malloc(size_t n) {
  GP_WORK(n);
  return malloc(n);
}
#endif

/* Counts jansson's allocations into the work meter; skips the case in a release build
 * (no meter there). */
static void work_meter_on(void) {
#ifdef GP_DEBUG
  json_set_alloc_funcs(counting_malloc, free);
#else
  skip();
#endif
}

static void assert_linear(const char *what, uint64_t small, uint64_t big) {
  double ratio = small ? (double)big / (double)small : 0;
  printf("%-44s work %10llu -> %11llu bytes: %.2fx for 10x the input\n", what,
         (unsigned long long)small, (unsigned long long)big, ratio);
  assert_true(small > 0);
  assert_true(big <= 15 * small);
}

/* ---- streams ---------------------------------------------------------------------- */

static void sse_add(gp_buf_t *b, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sse_add(gp_buf_t *b, const char *event, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *data = gp__xvasprintf(fmt, ap);
  va_end(ap);
  if (event) gp__buf_printf(b, "event: %s\n", event);
  gp__buf_printf(b, "data: %s\n\n", data);
  free(data);
}

/* A 27-byte text delta (2.2 MB for 80 000 of them). */
static char *word(size_t i) { return gp__xasprintf("w%07zu-abcdefghijklmnopq ", i); }

/* A tool call's arguments in `nfrag` fragments: {"a":"xxxx..."} (as JSON-string text). */
static const char *frag(size_t k, size_t nfrag) {
  if (k == 0) return "{\\\"a\\\":\\\"";
  if (k == nfrag - 1) return "\\\"}";
  return "xxxxxxxxxxxx";
}

/* The arguments' text (as JSON-string text, escaped). */
static char *args_whole(size_t nfrag) {
  gp_buf_t b = {0};
  for (size_t k = 0; k < nfrag; k++) gp__buf_puts(&b, frag(k, nfrag));
  return gp__buf_steal(&b);
}

typedef struct {
  size_t ntext, nthink, ncalls, nfrag;
} shape_t;

static shape_t shape(size_t scale) {
  shape_t s = {.ntext = 2000 * scale, .nthink = 500 * scale, .ncalls = 3, .nfrag = 100 * scale};
  return s;
}

static char *openai_stream(shape_t sh, size_t *len) {
  gp_buf_t b = {0};
  sse_add(&b, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}");
  for (size_t i = 0; i < sh.nthink; i++)
    sse_add(&b, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"t%zu \"}}]}", i);
  for (size_t i = 0; i < sh.ntext; i++) {
    char *w = word(i);
    sse_add(&b, NULL, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                      "\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}", w);
    free(w);
  }
  for (size_t c = 0; c < sh.ncalls; c++) {
    sse_add(&b, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":%zu,\"id\":"
                      "\"call_%zu\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}",
            c, c);
    for (size_t k = 0; k < sh.nfrag; k++)
      sse_add(&b, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":%zu,"
                        "\"function\":{\"arguments\":\"%s\"}}]}}]}", c, frag(k, sh.nfrag));
  }
  sse_add(&b, NULL, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
  sse_add(&b, NULL, "[DONE]");
  *len = b.len;
  return gp__buf_steal(&b);
}

static char *claude_stream(shape_t sh, size_t *len) {
  gp_buf_t b = {0};
  sse_add(&b, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\","
          "\"role\":\"assistant\",\"model\":\"x\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}");
  sse_add(&b, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
          "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}");
  for (size_t i = 0; i < sh.nthink; i++)
    sse_add(&b, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
            "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"t%zu \"}}", i);
  sse_add(&b, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
          "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"c2ln\"}}");
  sse_add(&b, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
  sse_add(&b, "content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
          "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
  for (size_t i = 0; i < sh.ntext; i++) {
    char *w = word(i);
    sse_add(&b, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
            "\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}", w);
    free(w);
  }
  sse_add(&b, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}");
  for (size_t c = 0; c < sh.ncalls; c++) {
    sse_add(&b, "content_block_start", "{\"type\":\"content_block_start\",\"index\":%zu,"
            "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_%zu\",\"name\":\"f\",\"input\":{}}}",
            c + 2, c);
    for (size_t k = 0; k < sh.nfrag; k++)
      sse_add(&b, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":%zu,"
              "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"%s\"}}", c + 2, frag(k, sh.nfrag));
    sse_add(&b, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":%zu}", c + 2);
  }
  sse_add(&b, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
          "\"usage\":{\"output_tokens\":5}}");
  sse_add(&b, "message_stop", "{\"type\":\"message_stop\"}");
  *len = b.len;
  return gp__buf_steal(&b);
}

/* Responses: besides the deltas, the protocol repeats the whole text in
 * output_text.done, output_item.done and response.completed. */
static char *responses_stream(shape_t sh, size_t *len) {
  gp_buf_t b = {0}, text = {0}, think = {0}, out = {0};
  for (size_t i = 0; i < sh.ntext; i++) {
    char *w = word(i);
    gp__buf_puts(&text, w);
    free(w);
  }
  for (size_t i = 0; i < sh.nthink; i++) gp__buf_printf(&think, "t%zu ", i);
  char *args = args_whole(sh.nfrag);
  sse_add(&b, "response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"r\","
          "\"status\":\"in_progress\",\"output\":[]}}");
  sse_add(&b, "response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":0,"
          "\"item\":{\"type\":\"reasoning\",\"id\":\"rs\",\"summary\":[]}}");
  for (size_t i = 0; i < sh.nthink; i++)
    sse_add(&b, "response.reasoning_summary_text.delta", "{\"type\":\"response.reasoning_summary_text.delta\","
            "\"output_index\":0,\"summary_index\":0,\"delta\":\"t%zu \"}", i);
  gp__buf_printf(&out, "{\"type\":\"reasoning\",\"id\":\"rs\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"%s\"}]}",
                think.data);
  sse_add(&b, "response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":0,"
          "\"item\":%s}", out.data);
  sse_add(&b, "response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":1,"
          "\"item\":{\"type\":\"message\",\"id\":\"msg\",\"role\":\"assistant\",\"content\":[]}}");
  for (size_t i = 0; i < sh.ntext; i++) {
    char *w = word(i);
    sse_add(&b, "response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"output_index\":1,"
            "\"content_index\":0,\"delta\":\"%s\"}", w);
    free(w);
  }
  sse_add(&b, "response.output_text.done", "{\"type\":\"response.output_text.done\",\"output_index\":1,"
          "\"content_index\":0,\"text\":\"%s\"}", text.data);
  char *msg = gp__xasprintf("{\"type\":\"message\",\"id\":\"msg\",\"role\":\"assistant\",\"content\":"
                           "[{\"type\":\"output_text\",\"text\":\"%s\"}]}", text.data);
  gp__buf_printf(&out, ",%s", msg);
  sse_add(&b, "response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":1,"
          "\"item\":%s}", msg);
  free(msg);
  for (size_t c = 0; c < sh.ncalls; c++) {
    size_t at = c + 2;
    sse_add(&b, "response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":%zu,"
            "\"item\":{\"type\":\"function_call\",\"call_id\":\"call_%zu\",\"name\":\"f\",\"arguments\":\"\"}}",
            at, c);
    for (size_t k = 0; k < sh.nfrag; k++)
      sse_add(&b, "response.function_call_arguments.delta", "{\"type\":\"response.function_call_arguments.delta\","
              "\"output_index\":%zu,\"delta\":\"%s\"}", at, frag(k, sh.nfrag));
    sse_add(&b, "response.function_call_arguments.done", "{\"type\":\"response.function_call_arguments.done\","
            "\"output_index\":%zu,\"arguments\":\"%s\"}", at, args);
    char *item = gp__xasprintf("{\"type\":\"function_call\",\"call_id\":\"call_%zu\",\"name\":\"f\","
                              "\"arguments\":\"%s\"}", c, args);
    gp__buf_printf(&out, ",%s", item);
    sse_add(&b, "response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":%zu,"
            "\"item\":%s}", at, item);
    free(item);
  }
  sse_add(&b, "response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"r\","
          "\"status\":\"completed\",\"output\":[%s],\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}}",
          out.data);
  free(args);
  gp__buf_free(&text);
  gp__buf_free(&think);
  gp__buf_free(&out);
  *len = b.len;
  return gp__buf_steal(&b);
}

/* ---- a consumer that keeps every event and reads each completion ------------------- */

typedef struct {
  gp_event_t **evs;
  size_t n, cap;
  size_t last_len[2];  /* completion length so far: text, thinking */
  int bad;             /* a completion that is not the previous one plus the delta */
} keeper_t;

static void keeper_publish(void *ud, gp_event_t *ev) {
  keeper_t *k = ud;
  if (k->n == k->cap) {
    k->cap = k->cap ? 2 * k->cap : 1024;
    k->evs = realloc(k->evs, k->cap * sizeof *k->evs);
  }
  k->evs[k->n++] = gp_event_ref(ev);
  if (ev->type != GP_EVENT_PARTIAL && ev->type != GP_EVENT_PARTIAL_THINKING) return;
  size_t clen, dlen = json_string_length(json_object_get(ev->fields, "delta"));
  const char *c = gp_event_completion(ev, &clen);
  const char *d = json_string_value(json_object_get(ev->fields, "delta"));
  size_t *last = &k->last_len[ev->type == GP_EVENT_PARTIAL_THINKING];
  if (c == NULL || clen != *last + dlen || memcmp(c + *last, d, dlen) != 0) k->bad = 1;
  *last = clen;
}

static void keeper_clear(keeper_t *k) {
  for (size_t i = 0; i < k->n; i++) gp_event_unref(k->evs[i]);
  free(k->evs);
  memset(k, 0, sizeof *k);
}

/* ---- decoding a stream: the work it takes ------------------------------------------- */

typedef char *(*gen_fn)(shape_t sh, size_t *len);

typedef struct {
  uint64_t work;
  uint64_t events;     /* events built */
  size_t text_len;     /* the answer's text */
} outcome_t;

static outcome_t decode_shape(const char *api, gen_fn gen, shape_t sh, size_t chunk, int listen);

static outcome_t decode_work(const char *api, gen_fn gen, size_t scale, size_t chunk, int listen) {
  return decode_shape(api, gen, shape(scale), chunk, listen);
}

static outcome_t decode_shape(const char *api, gen_fn gen, shape_t sh, size_t chunk, int listen) {
  size_t len;
  char *data = gen(sh, &len);
  gp_prov_t *p = pu_prov(api, "http://127.0.0.1:1/v1", "sk-test");
  keeper_t k = {0};
  gp_sink_t *sink = gp_sink_new(keeper_publish, &k, NULL);
  gp_emitter_t *em = gp_emitter_new("s", "i", "t");
  if (listen) gp_emitter_add_sink(em, sink);
  gp_turn_t *turn = gp_turn_new();
  gp_turn_append(turn, gp_block_new_user("go"));
  gp_error_t *err = NULL;
  outcome_t o = {0};
  uint64_t w0 = gp__work_bytes(), e0 = gp__event_count();
  int rc = pu_decode(p, em, turn, data, len, chunk, &err);
  keeper_clear(&k);  /* the consumer lets go of its events: part of the work */
  o.work = gp__work_bytes() - w0;
  o.events = gp__event_count() - e0;
  if (rc) fprintf(stderr, "%s: %s\n", api, err ? err->message : "?");
  assert_int_equal(rc, 0);
  assert_int_equal(k.bad, 0);
  const char *text = pu_text_of(turn, GP_BLOCK_LLM_TEXT);
  o.text_len = text ? strlen(text) : 0;
  assert_int_equal(o.text_len, sh.ntext * 27);
  size_t calls = 0;
  for (size_t i = 0; i < turn->nblocks; i++) calls += turn->blocks[i]->kind == GP_BLOCK_TOOL_CALL;
  assert_int_equal(calls, sh.ncalls);
  gp_turn_free(turn);
  gp_emitter_free(em);
  gp_sink_unref(sink);
  gp__prov_free(p);
  free(data);
  return o;
}

static void check_protocol(const char *api, gen_fn gen) {
  work_meter_on();
  const size_t chunks[2] = {0, 16384};
  for (int c = 0; c < 2; c++) {
    for (int listen = 1; listen >= 0; listen--) {
      outcome_t a = decode_work(api, gen, 1, chunks[c], listen);
      outcome_t b = decode_work(api, gen, 10, chunks[c], listen);
      char what[96];
      snprintf(what, sizeof what, "%s, %s, %s", api, chunks[c] ? "16 KiB pieces" : "one piece",
               listen ? "consumer keeps every event" : "no consumer");
      assert_linear(what, a.work, b.work);
      if (!listen) {
        assert_int_equal(a.events, 0);  /* nobody listens: no event at all */
        assert_int_equal(b.events, 0);
      } else {
        assert_true(b.events > 10 * shape(1).ntext);
      }
    }
  }
}

static void test_openai_linear(void **state) { check_protocol("openai", openai_stream); }
static void test_claude_linear(void **state) { check_protocol("claude", claude_stream); }
static void test_responses_linear(void **state) {
  check_protocol("openai-responses", responses_stream);
}

/* Many tool calls in one response: keeping their ids unique in the turn must not scan
 * the turn once per call (the work meter counts the blocks such a scan visits). */
static void test_many_tool_calls_linear(void **state) {
  work_meter_on();
  const char *apis[3] = {"openai", "claude", "openai-responses"};
  const gen_fn gens[3] = {openai_stream, claude_stream, responses_stream};
  for (int p = 0; p < 3; p++) {
    shape_t a = {.ntext = 10, .nthink = 1, .ncalls = 300, .nfrag = 3};
    shape_t b = a;
    b.ncalls = 3000;
    uint64_t wa = decode_shape(apis[p], gens[p], a, 0, 1).work;
    uint64_t wb = decode_shape(apis[p], gens[p], b, 0, 1).work;
    char what[64];
    snprintf(what, sizeof what, "%s, 300 -> 3000 tool calls", apis[p]);
    assert_linear(what, wa, wb);
  }
}

/* ---- the SSE decoder alone ------------------------------------------------------------ */

static int count_event(void *ud, const gp_sse_event_t *ev) {
  (*(size_t *)ud)++;
  return 0;
}

static uint64_t sse_work(size_t scale, size_t piece, size_t *events) {
  shape_t sh = shape(scale);
  size_t len;
  char *data = claude_stream(sh, &len); /* named events, data lines */
  *events = 0;
  uint64_t w0 = gp__work_bytes();
  gp_sse_t *sse = gp__sse_new(count_event, events);
  if (piece == 0) piece = len;
  for (size_t off = 0; off < len; off += piece)
    gp__sse_feed(sse, data + off, len - off < piece ? len - off : piece);
  gp__sse_finish(sse);
  gp__sse_free(sse);
  uint64_t w = gp__work_bytes() - w0;
  free(data);
  return w;
}

static void test_sse_linear(void **state) {
  work_meter_on();
  const size_t pieces[3] = {0, 7, 65536};
  for (int i = 0; i < 3; i++) {
    size_t n1, n10;
    uint64_t a = sse_work(1, pieces[i], &n1), b = sse_work(10, pieces[i], &n10);
    assert_true(n10 > 9 * n1);
    char what[64];
    snprintf(what, sizeof what, "sse, %zu events, pieces of %zu bytes", n10, pieces[i]);
    assert_linear(what, a, b);
  }
}

/* ---- 80 000 deltas from a server writing in a few large pieces ------------------------ */

typedef struct {
  int lfd;
  int port;
  char *body;
  size_t len;
  size_t writes;   /* the body goes out in this many write() calls */
  pthread_t th;
} oneshot_t;

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

/* Answers one request: reads its head and body (Content-Length), then sends the stream. */
static void *oneshot_main(void *arg) {
  oneshot_t *o = arg;
  int fd = accept(o->lfd, NULL, NULL);
  if (fd < 0) return NULL;
  gp_buf_t in = {0};
  char buf[65536];
  size_t need = (size_t)-1;
  while (need == (size_t)-1 || in.len < need) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) break;
    gp__buf_append(&in, buf, (size_t)r);
    char *end = strstr(in.data, "\r\n\r\n");
    if (end && need == (size_t)-1) {
      char *cl = strcasestr(in.data, "content-length:");
      need = (size_t)(end + 4 - in.data) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
    }
  }
  gp__buf_free(&in);
  char *head = gp__xasprintf("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                            "Content-Length: %zu\r\nConnection: close\r\n\r\n", o->len);
  write_all(fd, head, strlen(head));
  free(head);
  size_t piece = (o->len + o->writes - 1) / o->writes;
  for (size_t off = 0; off < o->len; off += piece)
    write_all(fd, o->body + off, o->len - off < piece ? o->len - off : piece);
  shutdown(fd, SHUT_WR);
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
  return NULL;
}

static void oneshot_start(oneshot_t *o) {
  o->lfd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(o->lfd >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  assert_int_equal(bind(o->lfd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t al = sizeof a;
  getsockname(o->lfd, (struct sockaddr *)&a, &al);
  o->port = ntohs(a.sin_port);
  assert_int_equal(listen(o->lfd, 4), 0);
  pthread_create(&o->th, NULL, oneshot_main, o);
}

static void oneshot_stop(oneshot_t *o) {
  pthread_join(o->th, NULL);
  close(o->lfd);
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

typedef struct {
  size_t partials;
  size_t last_len;
} counter_t;

static void count_partials(void *ud, gp_event_t *ev) {
  counter_t *c = ud;
  if (ev->type != GP_EVENT_PARTIAL) return;
  c->partials++;
  gp_event_completion(ev, &c->last_len);
}

/* One run of the whole library (session, tool loop, engine, HTTP, SSE, accumulator)
 * against the server; returns the CPU seconds the process spent. */
static double run_80k(int listen) {
  shape_t sh = {.ntext = 80000};
  oneshot_t o = {.writes = 4};
  o.body = openai_stream(sh, &o.len);
  oneshot_start(&o);
  char *url = gp__xasprintf("http://127.0.0.1:%d/v1", o.port);
  gp_engine_config_t ec;
  gp_engine_config_init(&ec);
  ec.api_type = "openai";
  ec.model = "m";
  ec.base_url = url;
  ec.api_key = "sk-test";
  gp_error_t *err = NULL;
  gp_engine_t *engine = gp_engine_from_config(&ec, &err);
  assert_non_null(engine);
  gp_session_config_t sc = {.engine = engine};
  gp_session_t *s = gp_session_new(&sc, &err);
  counter_t cnt = {0};
  gp_run_opts_t opts = {0};
  if (listen) opts.sink = gp_sink_new(count_partials, &cnt, NULL);
  gp_turn_t *seed = gp_turn_new();
  gp_turn_append(seed, gp_block_new_user("Write a long answer."));
  uint64_t e0 = gp__event_count();
  double c0 = cpu_seconds();
  gp_turn_t *result = NULL;
  int rc = gp_session_run(s, seed, &opts, &result, &err);
  double cpu = cpu_seconds() - c0;
  uint64_t events = gp__event_count() - e0;
  if (rc) fprintf(stderr, "run: %s\n", err ? err->message : "?");
  assert_int_equal(rc, 0);
  /* the text, the tool-call-free turn: 80 000 deltas of 27 bytes */
  size_t text = 0;
  for (size_t i = 0; i < result->nblocks; i++)
    if (result->blocks[i]->kind == GP_BLOCK_LLM_TEXT) text += strlen(gp_block_text(result->blocks[i]));
  assert_int_equal(text, 80000 * 27);
  if (listen) {
    assert_int_equal(cnt.partials, 80000);
    assert_int_equal(cnt.last_len, 80000 * 27);
  } else {
    assert_int_equal(events, 0);  /* nobody listens: the run built no event */
  }
  printf("80 000 deltas (%.1f MB stream, %.1f MB text) in 4 writes, %s: %.3f s CPU, %llu events\n",
         o.len / 1e6, 80000 * 27 / 1e6, listen ? "a consumer" : "no consumer", cpu,
         (unsigned long long)events);
  gp_turn_free(result);
  gp_sink_unref(opts.sink);
  gp_session_free(s);
  gp_engine_unref(engine);
  oneshot_stop(&o);
  free(o.body);
  free(url);
  return cpu;
}

/* Sanitizer builds run everything many times slower: they check the behaviour, the
 * normal build the time. */
#if defined(GP_SANITIZE_ADDRESS) || defined(GP_SANITIZE_THREAD)
#define CPU_LIMIT 30.0
#else
#define CPU_LIMIT 0.5
#endif

static void test_80k_deltas_no_consumer(void **state) { assert_true(run_80k(0) < CPU_LIMIT); }
static void test_80k_deltas_consumer(void **state) { assert_true(run_80k(1) < CPU_LIMIT); }

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_sse_linear),
      GP_TEST(test_openai_linear),
      GP_TEST(test_claude_linear),
      GP_TEST(test_responses_linear),
      GP_TEST(test_many_tool_calls_linear),
      GP_TEST(test_80k_deltas_no_consumer),
      GP_TEST(test_80k_deltas_consumer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
