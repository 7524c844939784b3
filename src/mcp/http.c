/* The Streamable HTTP transport: each message is a POST to the server's endpoint with
 * `Accept: application/json, text/event-stream`; the answer is one JSON body, an SSE
 * stream of messages, or 202 for notifications and responses. The session id the server
 * gives (Mcp-Session-Id) and the revision agreed (MCP-Protocol-Version) go on every
 * later request; the GET stream is opened after the handshake where the server offers
 * it (405: not offered); close aborts what is in flight and DELETEs the session.
 *
 * Threads: transfers run on the shared gp-http loop (src/http), whose callbacks only
 * copy bytes into this transport's queue; one dispatcher thread per server takes the
 * messages from the queue and hands them to the client, so a completion or an answer
 * to a server request never runs on, or blocks, the HTTP loop. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/http.h"
#include "mcp/mcp_internal.h"

typedef struct item_s {
  int kind;                    /* ITEM_MSG, ITEM_FAIL, ITEM_LOST, ITEM_STOP */
  int64_t id;                  /* ITEM_FAIL: the request */
  int code;
  char *text;                  /* the message, or the failure's message */
  size_t len;
  struct item_s *next;
} item_t;
enum { ITEM_MSG, ITEM_FAIL, ITEM_LOST, ITEM_STOP };

typedef struct http_s http_t;

/* One transfer in flight. */
typedef struct xfer_s {
  http_t *t;
  gp_http_fetch_t *f;
  int64_t id;                  /* the request's id, or -1 (notification, response, GET) */
  int is_get;
  int status;
  int sse;                     /* the answer is an event stream */
  gp_sse_t *dec;
  gp_buf_t body;               /* a JSON answer, or an error body (first 4 KiB) */
  int answered;                /* the stream carried the answer to `id` */
  size_t unsent;               /* bytes fed since the last whole message was handed on */
  int too_big;                 /* a message passed GP__MCP_MAX_MESSAGE: aborted */
  char *last_event;            /* the stream's last event id (heap), or NULL */
  int64_t retry_ms;            /* the stream's `retry`, or -1 */
  struct xfer_s *next;
} xfer_t;

struct http_s {
  gp__mcp_tr_t base;
  char *url;
  char **headers;              /* the user's, borrowed from cfg */
  char *name;                  /* borrowed from cfg */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  char *session;               /* Mcp-Session-Id, or NULL */
  char protocol[16];           /* "" until agreed */
  int get_started;
  int closing;
  xfer_t *xfers;               /* in flight */
  item_t *head, *tail;         /* the dispatcher's queue */
  int64_t resume_at;           /* monotonic ms when the dispatcher resumes a stream, 0: none */
  char *resume_id;             /* its Last-Event-ID (heap), or NULL */
  pthread_t dispatcher;
};

/* ---- The queue and the dispatcher ------------------------------------------------ */

static void gp__push(http_t *t, int kind, int64_t id, int code, const char *text, size_t len) {
  item_t *it = gp__xcalloc(1, sizeof *it);
  it->kind = kind;
  it->id = id;
  it->code = code;
  it->text = gp__xstrndup(text ? text : "", text ? len : 0);
  it->len = text ? len : 0;
  pthread_mutex_lock(&t->mu);
  if (t->tail) t->tail->next = it;
  else t->head = it;
  t->tail = it;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
}

static int gp__start(http_t *t, const char *method, const char *body, size_t len, int64_t id, int is_get,
                 const char *last_event, gp_error_t **err);

/* A POST stream ended before its answer: after the server's `retry`, the dispatcher
 * GETs the stream again with Last-Event-ID, where the server sends the rest. */
static void gp__resume_due(http_t *t) {
  char *last = t->resume_id;
  t->resume_id = NULL;
  t->resume_at = 0;
  pthread_mutex_unlock(&t->mu);
  gp_error_t *err = NULL;
  if (gp__start(t, "GET", NULL, 0, -1, 1, last, &err) != 0) gp_error_free(err);
  free(last);
  pthread_mutex_lock(&t->mu);
}

static void *gp__dispatcher_main(void *arg) {
  http_t *t = arg;
  for (;;) {
    pthread_mutex_lock(&t->mu);
    while (t->head == NULL) {
      if (t->resume_at && !t->closing && gp__mono_ms() >= t->resume_at) {
        gp__resume_due(t);
        continue;
      }
      if (t->resume_at && !t->closing) {
        struct timespec ts;
        gp__timespec_in(&ts, CLOCK_REALTIME, t->resume_at - gp__mono_ms());
        pthread_cond_timedwait(&t->cv, &t->mu, &ts);
      } else {
        pthread_cond_wait(&t->cv, &t->mu);
      }
    }
    item_t *it = t->head;
    t->head = it->next;
    if (t->head == NULL) t->tail = NULL;
    pthread_mutex_unlock(&t->mu);
    int kind = it->kind;
    if (kind == ITEM_MSG) gp__mcp_deliver(t->base.c, &t->base, it->text, it->len);
    else if (kind == ITEM_FAIL) gp__mcp_fail_request(t->base.c, it->id, it->code, it->text);
    else if (kind == ITEM_LOST) gp__mcp_lost(t->base.c, &t->base, it->code, it->text);
    free(it->text);
    free(it);
    if (kind == ITEM_STOP) return NULL;
  }
}

/* ---- Transfers (callbacks on the gp-http loop) ------------------------------------ */

static int gp__on_event(void *ud, const gp_sse_event_t *ev) {
  xfer_t *x = ud;
  if (ev->id && *ev->id) {
    free(x->last_event);
    x->last_event = gp__xstrdup(ev->id);
  }
  if (ev->retry_ms >= 0) x->retry_ms = ev->retry_ms;
  x->unsent = 0;
  if (ev->data_len == 0) return 0;
  if (x->id >= 0 && !x->answered) {
    json_t *m = json_loadb(ev->data, ev->data_len, 0, NULL);
    json_t *mid = json_object_get(m, "id");
    x->answered = json_is_integer(mid) && json_integer_value(mid) == x->id && json_object_get(m, "method") == NULL;
    json_decref(m);
  }
  gp__push(x->t, ITEM_MSG, 0, 0, ev->data, ev->data_len);
  return 0;
}

static void gp__on_head(void *ud, const gp_http_fetch_head_t *h) {
  xfer_t *x = ud;
  pthread_mutex_lock(&x->t->mu); /* start() has published x->f by now */
  pthread_mutex_unlock(&x->t->mu);
  x->status = h->status;
  for (size_t i = 0; i < h->n_headers; i++) {
    const char *k = h->headers[2 * i], *v = h->headers[2 * i + 1];
    if (strcasecmp(k, "content-type") == 0 && strncasecmp(v, "text/event-stream", 17) == 0) x->sse = 1;
    if (strcasecmp(k, "mcp-session-id") == 0 && h->status < 300) {
      pthread_mutex_lock(&x->t->mu);
      if (x->t->session == NULL) x->t->session = gp__xstrdup(v);
      pthread_mutex_unlock(&x->t->mu);
    }
  }
  if (x->sse && x->status < 300) x->dec = gp__sse_new(gp__on_event, x);
}

static void gp__on_body(void *ud, const char *data, size_t len) {
  xfer_t *x = ud;
  if (x->too_big) return;
  x->unsent += len;
  if (x->unsent > GP__MCP_MAX_MESSAGE && x->status < 300) {
    x->too_big = 1; /* on_end reports it */
    gp__http_fetch_abort(x->f);
    return;
  }
  if (x->dec) gp__sse_feed(x->dec, data, len);
  else if (x->status < 300 || x->body.len < 4096) gp__buf_append(&x->body, data, len);
  gp__http_fetch_consumed(x->f, len);
}

static void gp__xfer_free(xfer_t *x) {
  free(x->last_event);
  gp__sse_free(x->dec);
  gp__buf_free(&x->body);
  free(x);
}

/* A 404 to a request that carried the session: the session is over (no DELETE for it at
 * close). 1 when there was one. */
static int gp__session_ended(http_t *t) {
  pthread_mutex_lock(&t->mu);
  int had = t->session != NULL;
  free(t->session);
  t->session = NULL;
  pthread_mutex_unlock(&t->mu);
  return had;
}

static void gp__on_end(void *ud, const gp_http_fetch_end_t *end) {
  xfer_t *x = ud;
  http_t *t = x->t;
  if (x->dec && !x->too_big) gp__sse_finish(x->dec);
  if (x->too_big && !t->closing) {
    char *m = gp__xasprintf("the MCP server %s broke the protocol: it sent a message larger than %zu MiB",
                            t->name, GP__MCP_MAX_MESSAGE >> 20);
    gp__push(t, ITEM_LOST, 0, GP_ERR_MCP_CLOSED, m, strlen(m));
    free(m);
  } else if (end->code != 0 && !t->closing) {
    char *m = gp__xasprintf("the MCP server %s could not be reached: %s", t->name, end->message ? end->message : "");
    if (x->id >= 0) gp__push(t, ITEM_FAIL, x->id, GP_ERR_MCP_CLOSED, m, strlen(m));
    free(m);
  } else if (end->code == 0 && x->status == 404 && !x->is_get && gp__session_ended(t)) {
    char *m = gp__xasprintf("the MCP server %s ended the session (HTTP 404); the next request opens a new one", t->name);
    gp__push(t, ITEM_LOST, 0, GP_ERR_MCP_CLOSED, m, strlen(m));
    free(m);
  } else if (end->code == 0 && x->status >= 300 && !x->is_get) {
    char *m = gp__xasprintf("the MCP server %s answered HTTP %d: %.*s", t->name, x->status, (int)(x->body.len < 300 ? x->body.len : 300),
                           x->body.data ? x->body.data : "");
    if (x->id >= 0) gp__push(t, ITEM_FAIL, x->id, GP_ERR_MCP_ERROR, m, strlen(m));
    free(m);
  } else if (end->code == 0 && !x->sse && x->body.len > 0 && x->status < 300) {
    gp__push(t, ITEM_MSG, 0, 0, x->body.data, x->body.len);
  }
  pthread_mutex_lock(&t->mu);
  if (end->code == 0 && x->sse && x->id >= 0 && !x->answered && x->status < 300 && !t->closing) {
    t->resume_at = gp__mono_ms() + (x->retry_ms >= 0 ? x->retry_ms : 1000);
    free(t->resume_id);
    t->resume_id = gp__xstrdup(x->last_event);
  }
  for (xfer_t **pp = &t->xfers; *pp; pp = &(*pp)->next) {
    if (*pp == x) {
      *pp = x->next;
      break;
    }
  }
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
  gp__http_fetch_release(x->f);
  gp__xfer_free(x);
}

/* Starts one request: method, body (may be NULL), the id to fail on error (-1: none). */
static int gp__start(http_t *t, const char *method, const char *body, size_t len, int64_t id, int is_get,
                 const char *last_event, gp_error_t **err) {
  const char *hs[64];
  size_t n = 0;
  char *session = NULL, *proto = NULL, *last = last_event ? gp__xasprintf("Last-Event-ID: %s", last_event) : NULL;
  pthread_mutex_lock(&t->mu);
  if (t->session) session = gp__xasprintf("Mcp-Session-Id: %s", t->session);
  if (t->protocol[0]) proto = gp__xasprintf("MCP-Protocol-Version: %s", t->protocol);
  pthread_mutex_unlock(&t->mu);
  hs[n++] = is_get ? "Accept: text/event-stream" : "Accept: application/json, text/event-stream";
  if (body) hs[n++] = "Content-Type: application/json";
  if (session) hs[n++] = session;
  if (proto) hs[n++] = proto;
  if (last) hs[n++] = last;
  for (size_t i = 0; t->headers[i] && n < 63; i++) hs[n++] = t->headers[i];
  hs[n] = NULL;
  xfer_t *x = gp__xcalloc(1, sizeof *x);
  x->t = t;
  x->id = id;
  x->is_get = is_get;
  x->retry_ms = -1;
  gp_http_fetch_req_t req = {.method = method, .url = t->url, .headers = hs, .body = body, .body_len = len,
                             .idle_timeout_ms = is_get ? 24LL * 3600 * 1000 : 0, .on_head = gp__on_head,
                             .on_body = gp__on_body, .on_end = gp__on_end, .ud = x};
  pthread_mutex_lock(&t->mu);
  if (t->closing && strcmp(method, "DELETE") != 0) /* close() waits for what is in flight */
    gp_error_set(err, GP_ERR_MCP_CLOSED, "the MCP client of %s is closing", t->name);
  else
    x->f = gp__http_fetch_start(&req, err);
  int ok = x->f != NULL; /* once unlocked, x belongs to the loop (on_end frees it) */
  if (ok) {
    x->next = t->xfers;
    t->xfers = x;
  }
  pthread_mutex_unlock(&t->mu);
  free(session);
  free(proto);
  free(last);
  if (!ok) {
    gp__xfer_free(x);
    return err && *err ? (*err)->code : GP_ERR_IO;
  }
  return 0;
}

/* ---- Operations -------------------------------------------------------------------- */

static int gp__http_send(gp__mcp_tr_t *tr, const char *msg, size_t len, gp_error_t **err) {
  http_t *t = (http_t *)tr;
  json_t *m = json_loadb(msg, len, 0, NULL);
  const char *method = json_string_value(json_object_get(m, "method"));
  json_t *idv = json_object_get(m, "id");
  int64_t id = method && json_is_integer(idv) ? json_integer_value(idv) : -1;
  int initialized = method && strcmp(method, "notifications/initialized") == 0;
  json_decref(m);
  int rc = gp__start(t, "POST", msg, len, id, 0, NULL, err);
  if (rc == 0 && initialized) {
    /* The GET stream, where the server offers one (405 otherwise: nothing to do). */
    pthread_mutex_lock(&t->mu);
    int go = !t->get_started;
    t->get_started = 1;
    pthread_mutex_unlock(&t->mu);
    gp_error_t *gerr = NULL;
    if (go && gp__start(t, "GET", NULL, 0, -1, 1, NULL, &gerr) != 0) gp_error_free(gerr);
  }
  return rc;
}

static void gp__http_close(gp__mcp_tr_t *tr) {
  http_t *t = (http_t *)tr;
  pthread_mutex_lock(&t->mu);
  t->closing = 1;
  for (xfer_t *x = t->xfers; x; x = x->next) gp__http_fetch_abort(x->f);
  while (t->xfers) pthread_cond_wait(&t->cv, &t->mu);
  int has_session = t->session != NULL;
  pthread_mutex_unlock(&t->mu);
  if (has_session) {
    gp_error_t *err = NULL;
    if (gp__start(t, "DELETE", NULL, 0, -1, 0, NULL, &err) != 0) gp_error_free(err);
    pthread_mutex_lock(&t->mu);
    while (t->xfers) pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
  }
  gp__push(t, ITEM_STOP, 0, 0, NULL, 0);
  pthread_join(t->dispatcher, NULL);
  while (t->head) {
    item_t *it = t->head;
    t->head = it->next;
    free(it->text);
    free(it);
  }
  free(t->session);
  free(t->resume_id);
  free(t->url);
  pthread_mutex_destroy(&t->mu);
  pthread_cond_destroy(&t->cv);
  free(t);
}

static const gp__mcp_tr_ops_t http_ops = {gp__http_send, gp__http_close, NULL};

gp__mcp_tr_t *gp__mcp_http_open(gp_mcp_client_t *c, const gp__mcp_cfg_t *cfg, gp_error_t **err) {
  (void)err;
  http_t *t = gp__xcalloc(1, sizeof *t);
  t->base.ops = &http_ops;
  t->base.c = c;
  t->url = gp__xstrdup(cfg->url);
  t->headers = cfg->headers;
  t->name = cfg->name;
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->cv, NULL);
  if (pthread_create(&t->dispatcher, NULL, gp__dispatcher_main, t) != 0) abort();
  return &t->base;
}

void gp__mcp_http_set_protocol(gp__mcp_tr_t *tr, const char *version) {
  http_t *t = (http_t *)tr;
  pthread_mutex_lock(&t->mu);
  snprintf(t->protocol, sizeof t->protocol, "%s", version);
  pthread_mutex_unlock(&t->mu);
}
