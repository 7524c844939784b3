/* libFuzzer target for the MCP client's handling of what a server sends (SPEC §4.11: a
 * server that breaks the protocol fails its pending calls with MCP_CLOSED and never
 * crashes or hangs). Each input is what one server says, to a fresh client connected
 * through an in-memory transport (no process, no network) with four calls pending
 * (ids 2..5; id 2 asks for progress, id 4 carries a cancel token). The first byte picks
 * the framing: stdio lines (gp__mcp_drain_lines, then the server exits), an HTTP event
 * stream (the SSE decoder, each event's data one message) or an HTTP JSON body (the
 * whole rest one message). Lines and streams are fed in one piece, in 1-byte pieces and
 * in pieces sized by the input; the transcripts (what the client sent, every completion
 * and progress report) must be equal. Every pending call must complete exactly once,
 * and everything the client sends must be JSON-RPC 2.0: ping answered with {}, any
 * other server request with -32601, notifications/cancelled naming one of our ids.
 *
 * Deterministic: the transport answers the handshake synchronously, timeouts are far
 * beyond a run, and list_changed does not start its refresh thread (the client is
 * marked as refreshing already; only the cached list's generation moves).
 * FUZZ_MCP_TRACE=1 in the environment prints each transcript to stderr. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/cancel.h"
#include "geppetto/log.h"
#include "geppetto/mcp.h"
#include "http/http.h"
#include "mcp/mcp_internal.h"
#include "split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_CALLS 4
#define FIRST_ID 2 /* initialize is 1; the server offers no tools, so no tools/list */

typedef struct {
  gp__mcp_tr_t base;
  gp_buf_t *log;
} fake_t;

typedef struct {
  gp_buf_t log;
  int done[N_CALLS];
} run_t;

static run_t *g_run; /* the run the next transport belongs to (one thread opens) */

/* ---- The in-memory transport ----------------------------------------------------- */

static const char *const k_init_answer =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-06-18\","
    "\"capabilities\":{},\"serverInfo\":{\"name\":\"fuzz\"}}}";

/* Aborts unless a message the client sends is well-formed JSON-RPC 2.0 of a kind it may
 * send: a request of ours, notifications/initialized or cancelled, or an answer to a
 * server request (ping: {}, anything else: -32601). */
static void check_sent(json_t *m) {
  const char *v = json_string_value(json_object_get(m, "jsonrpc"));
  if (!json_is_object(m) || v == NULL || strcmp(v, "2.0") != 0) abort();
  const char *method = json_string_value(json_object_get(m, "method"));
  json_t *id = json_object_get(m, "id");
  if (method) {
    if (strcmp(method, "notifications/cancelled") == 0) {
      json_int_t rid = json_integer_value(json_object_get(json_object_get(m, "params"), "requestId"));
      if (rid < FIRST_ID || rid >= FIRST_ID + N_CALLS) abort();
    }
    return;
  }
  if (id == NULL) abort();
  json_t *res = json_object_get(m, "result"), *err = json_object_get(m, "error");
  if ((res == NULL) == (err == NULL)) abort();
  if (res && (!json_is_object(res) || json_object_size(res) != 0)) abort();
  if (err && json_integer_value(json_object_get(err, "code")) != -32601) abort();
}

static int fake_send(gp__mcp_tr_t *t, const char *msg, size_t len, gp_error_t **err) {
  fake_t *f = (fake_t *)t;
  json_t *m = json_loadb(msg, len, 0, NULL);
  check_sent(m);
  const char *method = json_string_value(json_object_get(m, "method"));
  if (method && strcmp(method, "initialize") == 0) { /* the handshake, answered here */
    gp__mcp_deliver(t->c, t, k_init_answer, strlen(k_init_answer));
  } else if (!method || strcmp(method, "notifications/initialized") != 0) {
    gp__buf_puts(f->log, "> ");
    gp__buf_append(f->log, msg, len);
    gp__buf_puts(f->log, "\n");
  }
  json_decref(m);
  return 0;
}

static void fake_close(gp__mcp_tr_t *t) { free(t); }

static char *fake_tail(gp__mcp_tr_t *t) { return gp__xstrdup("; its stderr ends with: oops"); }

static const gp__mcp_tr_ops_t fake_ops = {fake_send, fake_close, fake_tail};

static gp__mcp_tr_t *fake_open(gp_mcp_client_t *c, const gp__mcp_cfg_t *cfg, gp_error_t **err) {
  fake_t *f = gp__xcalloc(1, sizeof *f);
  f->base.ops = &fake_ops;
  f->base.c = c;
  f->log = &g_run->log;
  return &f->base;
}

/* ---- The pending calls ----------------------------------------------------------- */

typedef struct {
  run_t *run;
  int k;
} call_t;

static void on_done(void *ud, int rc, json_t *result, gp_error_t *err) {
  call_t *call = ud;
  run_t *r = call->run;
  r->done[call->k]++;
  if ((rc == 0) != (err == NULL) || (rc == 0) != (result != NULL)) abort();
  char *text = result ? json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  gp__buf_printf(&r->log, "done %d rc=%d %s\n", call->k + FIRST_ID, rc, text ? text : err->message);
  free(text);
  json_decref(result);
  gp_error_free(err);
}

static void on_progress(void *ud, double progress, double total, const char *message) {
  call_t *call = ud;
  gp__buf_printf(&call->run->log, "progress %d %.17g/%.17g %s\n", call->k + FIRST_ID, progress, total,
                 message ? message : "-");
}

/* ---- One server, one framing ----------------------------------------------------- */

enum { FRAME_LINES, FRAME_SSE, FRAME_BODY, N_FRAMES };

typedef struct {
  gp_mcp_client_t *c;
  gp__mcp_tr_t *tr;
} target_t;

static int sse_message(void *ud, const gp_sse_event_t *ev) {
  target_t *t = ud;
  if (ev->data_len > 0) gp__mcp_deliver(t->c, t->tr, ev->data, ev->data_len);
  return 0;
}

/* Feeds data[0..size) in the given framing, in pieces whose sizes cycle through sizes
 * (none: one piece). */
static void feed(target_t *t, int frame, const uint8_t *data, size_t size, const uint8_t *sizes, size_t n_sizes) {
  if (frame == FRAME_BODY) {
    gp__mcp_deliver(t->c, t->tr, (const char *)data, size);
    return;
  }
  gp_buf_t line = {0};
  size_t scanned = 0;
  gp_sse_t *dec = frame == FRAME_SSE ? gp__sse_new(sse_message, t) : NULL;
  for (size_t off = 0, i = 0; off < size;) {
    size_t k = n_sizes ? (size_t)sizes[i++ % n_sizes] % 17 + 1 : size;
    if (k > size - off) k = size - off;
    if (dec) {
      if (gp__sse_feed(dec, (const char *)data + off, k) != 0) abort();
    } else {
      gp__buf_append(&line, (const char *)data + off, k);
      if (gp__mcp_drain_lines(t->tr, &line, &scanned) != 0) abort(); /* far below the limit */
    }
    off += k;
  }
  if (dec) {
    gp__sse_finish(dec);
    gp__sse_free(dec);
  } else { /* the server exits: what it had not ended with a newline is dropped */
    gp__mcp_lost(t->c, t->tr, GP_ERR_MCP_CLOSED, "the MCP server fuzz exited with status 0");
  }
  gp__buf_free(&line);
}

/* Connects a fresh client, starts the calls, feeds the input, closes; returns the
 * transcript (heap). */
static char *run_once(int frame, const uint8_t *data, size_t size, const uint8_t *sizes, size_t n_sizes) {
  run_t r = {0};
  g_run = &r;
  /* A command, never run: the URL would make the handshake tell the HTTP transport the
   * version agreed, and this transport is not one. */
  gp_mcp_spec_t spec = {.command = "fuzz-server", .name = "fuzz", .timeout_ms = 3600 * 1000};
  gp_mcp_client_t *c = NULL;
  gp_error_t *err = NULL;
  if (gp_mcp_connect(&spec, &c, &err) != 0) abort();
  pthread_mutex_lock(&c->mu);
  c->refreshing = 1; /* list_changed: no refresh thread (see the top) */
  gp__mcp_tr_t *tr = c->tr;
  pthread_mutex_unlock(&c->mu);
  call_t calls[N_CALLS];
  gp_cancel_t *token = gp_cancel_new(NULL);
  for (int k = 0; k < N_CALLS; k++) {
    calls[k] = (call_t){&r, k};
    gp_mcp_call_opts_t o = {.on_progress = k == 0 ? on_progress : NULL, .progress_ud = &calls[k],
                            .cancel = k == 2 ? token : NULL};
    json_t *args = json_pack("{s:i}", "k", k);
    gp_mcp_call_tool_start(c, "echo", args, &o, on_done, &calls[k]);
    json_decref(args);
  }
  gp_cancel_unref(token);
  uint64_t gen = gp_mcp_tools_generation(c);
  target_t t = {c, tr};
  feed(&t, frame, data, size, sizes, n_sizes);
  gp__buf_printf(&r.log, "generation +%llu\n", (unsigned long long)(gp_mcp_tools_generation(c) - gen));
  pthread_mutex_lock(&c->mu);
  c->refreshing = 0;
  pthread_mutex_unlock(&c->mu);
  gp_mcp_unref(c);
  for (int k = 0; k < N_CALLS; k++)
    if (r.done[k] != 1) abort(); /* every call completes, once */
  g_run = NULL;
  char *text = gp__buf_steal(&r.log);
  if (getenv("FUZZ_MCP_TRACE")) fprintf(stderr, "---\n%s", text); /* to see what a seed does */
  return text;
}

static int g_frame;

static char *decode(const uint8_t *data, size_t size, const uint8_t *sizes, size_t n_sizes) {
  return run_once(g_frame, data, size, sizes, n_sizes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    gp_log_set_level(GP_LOG_OFF); /* a broken server logs a warning per run */
    gp__mcp_set_opener(fake_open);
    ready = 1;
  }
  if (size == 0) return 0;
  g_frame = data[0] % N_FRAMES;
  if (g_frame == FRAME_BODY) free(run_once(g_frame, data + 1, size - 1, NULL, 0));
  else fuzz_split_invariant(decode, data + 1, size - 1);
  return 0;
}
