/* The native half of fetch() (lib/web/fetch.js): one HTTP transfer per request on the
 * shared HTTP loop (src/http, gp_http_fetch_*), whose head, body pieces and end the
 * loop thread posts to the owner; only there do they become JS values.
 *
 * Body pieces wait in a queue here until the script's stream reads them; the transfer
 * counts them as consumed only when they are handed to JS, so it pauses (HTTP loop
 * back-pressure) while the reader is slower than the server and the queue never holds
 * more than about the high-water mark.
 *
 * A transfer keeps the process alive while its response head is awaited and while a
 * read is waiting for data, as a socket with a pending read keeps a Node process alive;
 * a body nobody reads does not. The transfers still open when the runtime closes are
 * aborted. Owner thread only, except the three loop callbacks. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "http/http.h"
#include "js/js_private.h"

/* The most bytes one read hands over when several pieces wait. */
#define GP__READ_MAX ((size_t)256 << 10)


typedef struct gp__chunk_s {
  struct gp__chunk_s *next;
  size_t len;
  char *data;
} gp__chunk_t;

typedef struct gp__jsfetch_s {
  gp_js_runtime_t *rt;             /* borrowed: the runtime outlives its owner's posts */
  gp_owner_t *owner;
  gp_http_fetch_t *f;              /* our reference, released at the last unref */
  atomic_int refs;                 /* the JS handle, each post in flight, the loop */
  /* Owner thread only: */
  struct gp__jsfetch_s *prev, *next; /* the runtime's open transfers (rt->fetches) */
  JSObjectRef self;                /* the JS handle; protected while `held` */
  JSObjectRef on_head, on_fail;    /* protected until the head (or the failure) */
  JSObjectRef read_cb;             /* protected while a read waits */
  gp__chunk_t *head, *tail;        /* pieces not yet read */
  int head_seen, ended, closed, held;
  int end_code;                    /* 0 or the failure */
  char *end_cause, *end_msg;
} gp__jsfetch_t;

typedef enum { GP__MSG_HEAD, GP__MSG_BODY, GP__MSG_END } gp__msg_kind_t;

typedef struct gp__fetch_msg_s {
  gp__jsfetch_t *j;
  gp__msg_kind_t kind;
  int status, version, code;
  char *text, *url, *cause;        /* head: status text and URL; end: cause, message */
  char **pairs;                    /* head: name, value, ... */
  size_t npairs;
  char *data;                      /* body */
  size_t len;
} gp__fetch_msg_t;

static JSClassRef gp__fetch_class;

static gp__jsfetch_t *gp__jsfetch_ref(gp__jsfetch_t *j) {
  atomic_fetch_add(&j->refs, 1);
  return j;
}

/* Any thread. The last reference frees what only plain memory holds (JS values were
 * released on the owner when the transfer closed). */
static void gp__jsfetch_unref(gp__jsfetch_t *j) {
  if (atomic_fetch_sub(&j->refs, 1) != 1) return;
  for (gp__chunk_t *c = j->head, *n; c; c = n) {
    n = c->next;
    free(c->data);
    free(c);
  }
  gp__http_fetch_release(j->f);
  free(j->end_cause);
  free(j->end_msg);
  free(j);
}

/* ---- Keeping the process alive, closing (owner) ------------------------------------ */

/* While held, the handle is protected too: a transfer whose script dropped every
 * reference still delivers its head or its awaited piece. */
static void gp__jsfetch_update_hold(gp__jsfetch_t *j) {
  int want = !j->closed && ((!j->head_seen && !j->ended) || j->read_cb != NULL);
  if (want == j->held) return;
  j->held = want;
  if (want) {
    gp__js_keep(j->rt);
    JSValueProtect(j->rt->ctx, j->self);
  } else {
    gp__js_unkeep(j->rt);
    if (j->rt->ctx) JSValueUnprotect(j->rt->ctx, j->self);
  }
}

static void gp__jsfetch_unlink(gp__jsfetch_t *j) {
  if (j->prev) j->prev->next = j->next;
  else if (j->rt->fetches == j) j->rt->fetches = j->next;
  if (j->next) j->next->prev = j->prev;
  j->prev = j->next = NULL;
}

static void gp__jsfetch_drop_fn(gp__jsfetch_t *j, JSObjectRef *fn) {
  if (*fn == NULL) return;
  if (j->rt->ctx) JSValueUnprotect(j->rt->ctx, *fn);
  *fn = NULL;
}

/* Stops delivering anything to JS; aborts the transfer if it still runs. */
static void gp__jsfetch_close(gp__jsfetch_t *j) {
  if (j->closed) return;
  j->closed = 1;
  gp__http_fetch_abort(j->f);
  gp__jsfetch_drop_fn(j, &j->on_head);
  gp__jsfetch_drop_fn(j, &j->on_fail);
  gp__jsfetch_drop_fn(j, &j->read_cb);
  gp__jsfetch_update_hold(j);
  gp__jsfetch_unlink(j);
}

gp__jsfetch_t *gp__js_fetch_next(gp__jsfetch_t *f) { return f->next; }

void gp__js_fetch_close_all(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  while (rt->fetches) gp__jsfetch_close(rt->fetches);
  /* Every transfer is aborted now (those closed earlier were aborted then): the loop
   * ends each at its next turn. */
  for (int i = 0; i < 5000 && atomic_load(&rt->fetch_live) > 0; i++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
}

/* ---- Calling JS (owner) ----------------------------------------------------------- */

static void gp__jsfetch_call(gp__jsfetch_t *j, JSObjectRef fn, size_t argc, const JSValueRef *argv) {
  if (j->rt->ended) return; /* the script has ended */
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(j->rt->ctx, fn, NULL, argc, argv, &exc);
  if (exc) gp__js_fatal(j->rt->ctx, exc, "fetch");
}

/* Hands the next queued piece (or the end) to a waiting read. */
static void gp__jsfetch_pump(gp__jsfetch_t *j) {
  if (j->closed || j->read_cb == NULL || (j->head == NULL && !j->ended)) return;
  JSContextRef ctx = j->rt->ctx;
  JSObjectRef cb = j->read_cb;
  j->read_cb = NULL;
  gp__jsfetch_update_hold(j);
  JSValueRef args[4];
  size_t n = 1;
  int last = j->head == NULL; /* the end (or the failure) is handed over */
  if (j->head) {
    /* Pieces that waited are handed over as one (up to GP__READ_MAX bytes): one JS
     * value and one read for what the loop delivered in many small writes. */
    size_t len = 0, n_pieces = 0;
    for (gp__chunk_t *c = j->head; c && (n_pieces == 0 || len + c->len <= GP__READ_MAX); c = c->next)
      len += c->len, n_pieces++;
    char *data;
    if (n_pieces == 1) {
      data = j->head->data;
      j->head->data = NULL;
    } else {
      data = gp__xmalloc(len);
      size_t at = 0;
      for (gp__chunk_t *c = j->head; at < len; c = c->next) {
        memcpy(data + at, c->data, c->len);
        at += c->len;
      }
    }
    for (size_t i = 0; i < n_pieces; i++) {
      gp__chunk_t *c = j->head;
      j->head = c->next;
      free(c->data);
      free(c);
    }
    if (!j->head) j->tail = NULL;
    gp__http_fetch_consumed(j->f, len);
    /* A copy in memory the collector allocates and counts: garbage pieces of a long
     * download are then collected as they pile up, which bytes it does not own (NoCopy)
     * are not. */
    JSObjectRef u8 = JSObjectMakeTypedArray(ctx, kJSTypedArrayTypeUint8Array, len, NULL);
    char *dst = u8 ? JSObjectGetTypedArrayBytesPtr(ctx, u8, NULL) : NULL;
    if (dst) memcpy(dst, data, len);
    free(data);
    args[0] = u8 ? (JSValueRef)u8 : JSValueMakeNull(ctx);
  } else {
    args[0] = JSValueMakeNull(ctx);
    if (j->end_code) {
      args[1] = gp__js_str(ctx, gp_err_name(j->end_code));
      args[2] = j->end_cause ? gp__js_str(ctx, j->end_cause) : JSValueMakeUndefined(ctx);
      args[3] = gp__js_str(ctx, j->end_msg ? j->end_msg : "");
      n = 4;
    }
  }
  /* Handing over the end leaves nothing to deliver: the transfer is closed (no longer
   * counted open) before the script sees its body end. */
  if (last) gp__jsfetch_close(j);
  gp__jsfetch_call(j, cb, n, args);
  JSValueUnprotect(ctx, cb);
}

/* ---- Posted from the loop thread (owner) ---------------------------------------- */

static void gp__msg_free(void *p) {
  gp__fetch_msg_t *m = p;
  for (size_t i = 0; i < m->npairs * 2; i++) free(m->pairs[i]);
  free(m->pairs);
  free(m->text);
  free(m->url);
  free(m->cause);
  free(m->data);
  gp__jsfetch_unref(m->j);
  free(m);
}

static void gp__msg_head(gp__jsfetch_t *j, gp__fetch_msg_t *m) {
  j->head_seen = 1;
  JSObjectRef fn = j->on_head;
  j->on_head = NULL;
  gp__jsfetch_drop_fn(j, &j->on_fail);
  gp__jsfetch_update_hold(j);
  if (fn == NULL) return;
  JSContextRef ctx = j->rt->ctx;
  JSValueRef *hv = gp__xcalloc(m->npairs * 2 + 1, sizeof *hv);
  for (size_t i = 0; i < m->npairs * 2; i++) hv[i] = gp__js_str(ctx, m->pairs[i]);
  JSValueRef args[5] = {JSValueMakeNumber(ctx, m->status), gp__js_str(ctx, m->text),
                        JSObjectMakeArray(ctx, m->npairs * 2, hv, NULL), gp__js_str(ctx, m->url),
                        JSValueMakeNumber(ctx, m->version)};
  free(hv);
  gp__jsfetch_call(j, fn, 5, args);
  JSValueUnprotect(ctx, fn);
}

static void gp__msg_end(gp__jsfetch_t *j, gp__fetch_msg_t *m) {
  j->ended = 1;
  j->end_code = m->code;
  j->end_cause = m->cause;
  j->end_msg = m->text;
  m->cause = m->text = NULL;
  if (!j->head_seen) {
    /* Failed before any response: the fetch itself rejects. */
    JSObjectRef fn = j->on_fail;
    j->on_fail = NULL;
    gp__jsfetch_drop_fn(j, &j->on_head);
    /* closed before the script sees the failure, as at the end of a body */
    gp__jsfetch_close(j);
    if (fn) {
      JSContextRef ctx = j->rt->ctx;
      JSValueRef args[3] = {gp__js_str(ctx, gp_err_name(j->end_code ? j->end_code : GP_ERR_IO)),
                            j->end_cause ? gp__js_str(ctx, j->end_cause) : JSValueMakeUndefined(ctx),
                            gp__js_str(ctx, j->end_msg ? j->end_msg : "")};
      gp__jsfetch_call(j, fn, 3, args);
      JSValueUnprotect(ctx, fn);
    }
    return;
  }
  gp__jsfetch_update_hold(j);
  gp__jsfetch_pump(j);
}

static void gp__msg_deliver(void *p) {
  gp__fetch_msg_t *m = p;
  gp__jsfetch_t *j = m->j;
  if (j->closed || j->rt->ctx == NULL) return;
  switch (m->kind) {
    case GP__MSG_HEAD: gp__msg_head(j, m); break;
    case GP__MSG_BODY: {
      gp__chunk_t *c = gp__xcalloc(1, sizeof *c);
      c->data = m->data;
      c->len = m->len;
      m->data = NULL;
      if (j->tail) j->tail->next = c;
      else j->head = c;
      j->tail = c;
      gp__jsfetch_pump(j);
      break;
    }
    case GP__MSG_END: gp__msg_end(j, m); break;
  }
}

static void gp__msg_post(gp__jsfetch_t *j, gp__fetch_msg_t *m, const char *op) {
  m->j = gp__jsfetch_ref(j);
  gp_owner_post(j->owner, op, gp__msg_deliver, m, gp__msg_free);
}

/* ---- The loop's callbacks (gp-http thread) ---------------------------------------- */

static void gp__on_head(void *ud, const gp_http_fetch_head_t *h) {
  gp__fetch_msg_t *m = gp__xcalloc(1, sizeof *m);
  m->kind = GP__MSG_HEAD;
  m->status = h->status;
  m->version = h->http_version;
  m->text = gp__xstrdup(h->status_text);
  m->url = gp__xstrdup(h->url);
  m->npairs = h->n_headers;
  m->pairs = gp__xcalloc(h->n_headers * 2 + 1, sizeof *m->pairs);
  for (size_t i = 0; i < h->n_headers * 2; i++) m->pairs[i] = gp__xstrdup(h->headers[i]);
  gp__msg_post(ud, m, "fetch.head");
}

static void gp__on_body(void *ud, const char *data, size_t len) {
  gp__fetch_msg_t *m = gp__xcalloc(1, sizeof *m);
  m->kind = GP__MSG_BODY;
  m->data = gp__xmalloc(len ? len : 1);
  memcpy(m->data, data, len);
  m->len = len;
  gp__msg_post(ud, m, "fetch.body");
}

static void gp__on_end(void *ud, const gp_http_fetch_end_t *end) {
  gp__jsfetch_t *j = ud;
  gp__fetch_msg_t *m = gp__xcalloc(1, sizeof *m);
  m->kind = GP__MSG_END;
  m->code = end->code;
  m->cause = end->cause ? gp__xstrdup(end->cause) : NULL;
  m->text = gp__xstrdup(end->message ? end->message : "");
  gp_js_runtime_t *rt = j->rt;
  gp__msg_post(j, m, "fetch.end");
  gp__jsfetch_unref(j); /* the loop's reference */
  atomic_fetch_sub(&rt->fetch_live, 1); /* last touch of the runtime from this thread */
}

/* ---- Natives (owner) -------------------------------------------------------------- */

static void gp__fetch_finalize(JSObjectRef obj) {
  gp__jsfetch_t *j = JSObjectGetPrivate(obj);
  if (j == NULL) return;
  /* A finalizer must not touch the VM. A held handle is protected, so here nothing is
   * held; the callbacks still protected (an unread body's) are released later. */
  if (!j->closed) {
    j->closed = 1;
    gp__http_fetch_abort(j->f);
    gp__jsfetch_unlink(j);
    if (j->on_head) gp__js_unprotect_later(j->rt, j->on_head);
    if (j->on_fail) gp__js_unprotect_later(j->rt, j->on_fail);
    if (j->read_cb) gp__js_unprotect_later(j->rt, j->read_cb);
    j->on_head = j->on_fail = j->read_cb = NULL;
  }
  gp__jsfetch_unref(j);
}

static gp__jsfetch_t *gp__jsfetch_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__fetch_class);
}

/* The bytes of a Uint8Array / ArrayBuffer argument (borrowed, valid until the next VM
 * call), or NULL with *n = 0 for null/undefined. Returns 0 for anything else. */
static int gp__bytes_of(JSContextRef ctx, JSValueRef v, const char **p, size_t *n, JSValueRef *exc) {
  *p = NULL;
  *n = 0;
  if (JSValueIsNull(ctx, v) || JSValueIsUndefined(ctx, v)) return 1;
  if (!JSValueIsObject(ctx, v)) return 0;
  JSObjectRef o = (JSObjectRef)v;
  JSTypedArrayType t = JSValueGetTypedArrayType(ctx, v, exc);
  if (t == kJSTypedArrayTypeArrayBuffer) {
    *p = JSObjectGetArrayBufferBytesPtr(ctx, o, exc);
    *n = JSObjectGetArrayBufferByteLength(ctx, o, exc);
    return 1;
  }
  if (t == kJSTypedArrayTypeNone) return 0;
  char *base = JSObjectGetTypedArrayBytesPtr(ctx, o, exc);
  *n = JSObjectGetTypedArrayByteLength(ctx, o, exc);
  *p = base ? base + JSObjectGetTypedArrayByteOffset(ctx, o, exc) : NULL;
  return 1;
}

/* fetchStart(method, url, headers, body, connectTimeoutMs, idleTimeoutMs, onHead, onFail)
 * headers: [name, value, ...]; body: Uint8Array, ArrayBuffer or null.
 * onHead(status, statusText, [name, value, ...], url, httpVersion); onFail(code, cause,
 * message) when the request fails before a response. Returns the transfer's handle. */
static JSValueRef gp__fetch_start(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  JSValueRef on_head = GP__ARG(6), on_fail = GP__ARG(7);
  if (!JSValueIsObject(ctx, on_head) || !JSValueIsObject(ctx, on_fail) ||
      !JSValueIsObject(ctx, GP__ARG(2)))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "fetchStart: bad arguments");
  const char *body;
  size_t body_len;
  if (!gp__bytes_of(ctx, GP__ARG(3), &body, &body_len, exc))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "fetchStart: bad body");
  char *method = gp__js_to_cstr(ctx, GP__ARG(0));
  char *url = gp__js_to_cstr(ctx, GP__ARG(1));
  JSObjectRef arr = (JSObjectRef)argv[2];
  size_t nh = (size_t)JSValueToNumber(ctx, gp__js_get(ctx, arr, "length"), NULL) / 2;
  char **lines = gp__xcalloc(nh + 1, sizeof *lines);
  for (size_t i = 0; i < nh; i++) {
    char *k = gp__js_to_cstr(ctx, JSObjectGetPropertyAtIndex(ctx, arr, (unsigned)(2 * i), NULL));
    char *v = gp__js_to_cstr(ctx, JSObjectGetPropertyAtIndex(ctx, arr, (unsigned)(2 * i + 1), NULL));
    lines[i] = gp__xasprintf("%s: %s", k ? k : "", v ? v : "");
    free(k);
    free(v);
  }
  gp__jsfetch_t *j = gp__xcalloc(1, sizeof *j);
  j->rt = rt;
  j->owner = rt->owner;
  atomic_init(&j->refs, 2); /* the handle's and the loop's */
  gp_http_fetch_req_t req = {
      .method = method, .url = url, .headers = (const char *const *)lines,
      .body = body, .body_len = body_len,
      .connect_timeout_ms = (int64_t)JSValueToNumber(ctx, GP__ARG(4), NULL),
      .idle_timeout_ms = (int64_t)JSValueToNumber(ctx, GP__ARG(5), NULL),
      .on_head = gp__on_head, .on_body = gp__on_body, .on_end = gp__on_end, .ud = j};
  gp_error_t *err = NULL;
  atomic_fetch_add(&rt->fetch_live, 1);
  j->f = gp__http_fetch_start(&req, &err);
  for (size_t i = 0; i < nh; i++) free(lines[i]);
  free(lines);
  free(method);
  free(url);
  if (j->f == NULL) {
    atomic_fetch_sub(&rt->fetch_live, 1);
    free(j);
    JSValueRef r = gp__js_throw(ctx, exc, err ? err->code : GP_ERR_INTERNAL, 1, "%s",
                                err ? err->message : "fetch could not start");
    gp_error_free(err);
    return r;
  }
  j->on_head = (JSObjectRef)on_head;
  j->on_fail = (JSObjectRef)on_fail;
  JSValueProtect(ctx, on_head);
  JSValueProtect(ctx, on_fail);
  j->next = rt->fetches;
  if (j->next) j->next->prev = j;
  rt->fetches = j;
  if (gp__fetch_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "FetchTransfer";
    def.finalize = gp__fetch_finalize;
    gp__fetch_class = JSClassCreate(&def);
  }
  j->self = JSObjectMake(ctx, gp__fetch_class, j);
  gp__jsfetch_update_hold(j);
  return j->self;
}

/* fetchRead(handle, cb): cb(Uint8Array) with the next piece of the body, cb(null) at
 * its end, cb(null, code, cause, message) when the transfer failed; at once when it
 * has one, else when it arrives. One read at a time. */
static JSValueRef gp__fetch_read(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__jsfetch_t *j = gp__jsfetch_of(ctx, GP__ARG(0));
  JSValueRef cb = GP__ARG(1);
  if (j == NULL || !gp__js_is_function(ctx, cb))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "fetchRead: bad arguments");
  if (j->closed) return gp__js_throw(ctx, exc, GP_ERR_CANCELED, 0, "the body was aborted");
  if (j->read_cb) return gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "fetchRead: a read is pending");
  j->read_cb = (JSObjectRef)cb;
  JSValueProtect(ctx, cb);
  gp__jsfetch_update_hold(j);
  gp__jsfetch_pump(j);
  return JSValueMakeUndefined(ctx);
}

/* fetchAbort(handle): stops the transfer and drops whatever it still holds; no callback
 * of it runs afterwards. */
static JSValueRef gp__fetch_abort(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__jsfetch_t *j = gp__jsfetch_of(ctx, GP__ARG(0));
  if (j) gp__jsfetch_close(j);
  return JSValueMakeUndefined(ctx);
}

static const gp__js_fn_t gp__fetch_fns[] = {
    {"fetchStart", gp__fetch_start},
    {"fetchRead", gp__fetch_read},
    {"fetchAbort", gp__fetch_abort},
};

void gp__mod_fetch_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__fetch_fns, sizeof gp__fetch_fns / sizeof gp__fetch_fns[0]);
}
