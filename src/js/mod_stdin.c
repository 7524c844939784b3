/* The native half of process.stdin (SPEC §3.1): reads fd 0 on the owner's loop,
 * whatever it is — a terminal (uv_tty_t), a pipe or socket (uv_pipe_t / uv_tcp_t) or a
 * file (uv_fs_read requests on libuv's thread pool, one 256 KiB piece at a time) — and hands
 * each piece to the JS side (lib/node/stdin.js) as a Uint8Array.
 *
 * Nothing is opened until the script first reads; while it reads, the handle (or the
 * request in flight) keeps the loop alive; stopped, it does not, so an idle or paused
 * stdin never holds the process. The handle works on a duplicate of fd 0 (closing it
 * leaves fd 0 alone) and fd 0's flags are restored at teardown (libuv makes the shared
 * file description non-blocking). Owner thread only. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "js/js_private.h"

/* One read: a pipe gives at most its capacity (64 KiB) at a time; a file is read in
 * pieces of 256 KiB, each a round trip through libuv's thread pool (at 64 KiB an 80 MB
 * file read at 72 MB/s, at 256 KiB at 300-460 MB/s, as fast as a pipe). */
#define GP__STDIN_PIECE (256 * 1024)

typedef struct gp__stdin_s {
  gp_js_runtime_t *rt;
  uv_handle_type kind;          /* UV_TTY, UV_NAMED_PIPE, UV_TCP, UV_FILE */
  union {
    uv_handle_t h;
    uv_stream_t s;
    uv_tty_t tty;
    uv_pipe_t pipe;
    uv_tcp_t tcp;
  } u;                          /* the stream kinds' handle, once opened */
  int handle_open;              /* u was initialised and is not yet closed */
  int saved_flags;              /* fd 0's file status flags before libuv (-1: unknown) */
  uv_fs_t req;                  /* UV_FILE: the read in flight */
  int req_pending;
  int want;                     /* the script wants data */
  int done;                     /* end or error delivered, or interrupted: no more reads */
  int closing;                  /* teardown: callbacks only free */
  int raw;                      /* the terminal is in raw mode */
  JSObjectRef on_chunk;         /* protected; onChunk(bytes | null, error?) */
  char buf[GP__STDIN_PIECE];    /* one read at a time */
} gp__stdin_t;

static void gp__stdin_maybe_free(gp__stdin_t *in) {
  if (in->closing && !in->handle_open && !in->req_pending) free(in);
}

/* Hands one piece (bytes), the end (n == 0, err == 0) or an error to the script. */
static void gp__stdin_deliver(gp__stdin_t *in, const char *bytes, size_t n, int err) {
  gp_js_runtime_t *rt = in->rt;
  GP_JS_ASSERT(rt);
  if (rt->ctx == NULL || rt->ended || in->on_chunk == NULL) return;
  JSContextRef ctx = rt->ctx;
  JSValueRef args[2] = {JSValueMakeNull(ctx), JSValueMakeUndefined(ctx)};
  if (err != 0) {
    args[0] = JSValueMakeUndefined(ctx);
    args[1] = gp__js_uv_error(ctx, err, "read");
  } else if (n > 0) {
    JSObjectRef u8 = JSObjectMakeTypedArray(ctx, kJSTypedArrayTypeUint8Array, n, NULL);
    memcpy(JSObjectGetTypedArrayBytesPtr(ctx, u8, NULL), bytes, n);
    args[0] = u8;
  }
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, in->on_chunk, NULL, 2, args, &exc);
  if (exc) gp__js_fatal(ctx, exc, "Uncaught");
}

/* ---- Streams: terminal, pipe, socket ----------------------------------------------- */

static void gp__stdin_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  gp__stdin_t *in = h->data;
  *b = uv_buf_init(in->buf, sizeof in->buf);
}

static void gp__stdin_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  gp__stdin_t *in = s->data;
  if (n == 0 || n == UV_EAGAIN || in->closing) return;
  if (n < 0) {
    uv_read_stop(s);
    in->done = 1;
    gp__stdin_deliver(in, NULL, 0, n == UV_EOF ? 0 : (int)n);
    return;
  }
  gp__stdin_deliver(in, b->base, (size_t)n, 0);
}

/* Exit hook: fd 0's flags as they were (process.exit() and signals end the process
 * without closing the handle; a shell reading the same pipe next wants it blocking). */
static void gp__stdin_restore_flags(void *ud) { fcntl(0, F_SETFL, (int)(intptr_t)ud); }

/* Opens the handle for fd 0's kind on a duplicate of it. Returns 0 or a libuv error. */
static int gp__stdin_open_stream(gp__stdin_t *in) {
  uv_loop_t *loop = gp_owner_loop(in->rt->owner);
  in->saved_flags = fcntl(0, F_GETFL);
  int fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return uv_translate_sys_error(errno);
  int rc;
  if (in->kind == UV_TTY) {
    rc = uv_tty_init(loop, &in->u.tty, fd, 0);
  } else if (in->kind == UV_TCP) {
    rc = uv_tcp_init(loop, &in->u.tcp);
    if (rc == 0 && (rc = uv_tcp_open(&in->u.tcp, fd)) != 0) uv_close(&in->u.h, NULL);
  } else {
    rc = uv_pipe_init(loop, &in->u.pipe, 0);
    if (rc == 0 && (rc = uv_pipe_open(&in->u.pipe, fd)) != 0) uv_close(&in->u.h, NULL);
  }
  if (rc != 0) {
    close(fd);
    return rc;
  }
  in->u.h.data = in;
  in->handle_open = 1;
  if (in->saved_flags != -1)
    gp__js_exit_hook_add(gp__stdin_restore_flags, (void *)(intptr_t)in->saved_flags);
  return 0;
}

/* ---- Files: one uv_fs_read at a time ------------------------------------------------- */

static void gp__stdin_file_next(gp__stdin_t *in);

static void gp__stdin_file_done(uv_fs_t *req) {
  gp__stdin_t *in = req->data;
  ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  in->req_pending = 0;
  if (in->closing) {
    gp__stdin_maybe_free(in);
    return;
  }
  if (n <= 0) in->done = 1;
  gp__stdin_deliver(in, in->buf, n > 0 ? (size_t)n : 0, n < 0 ? (int)n : 0);
  gp__stdin_file_next(in);
}

static void gp__stdin_file_next(gp__stdin_t *in) {
  if (!in->want || in->done || in->req_pending || in->closing) return;
  uv_buf_t b = uv_buf_init(in->buf, sizeof in->buf);
  in->req.data = in;
  int rc = uv_fs_read(gp_owner_loop(in->rt->owner), &in->req, 0, &b, 1, -1, gp__stdin_file_done);
  if (rc == 0) {
    in->req_pending = 1;
    return;
  }
  in->done = 1;
  gp__stdin_deliver(in, NULL, 0, rc);
}

/* ---- Natives ------------------------------------------------------------------------ */

static const char *gp__kind_name(uv_handle_type t) {
  switch (t) {
  case UV_TTY: return "tty";
  case UV_NAMED_PIPE: return "pipe";
  case UV_TCP: return "socket";
  case UV_FILE: return "file";
  default: return "none";
  }
}

/* kind() -> "tty" | "pipe" | "socket" | "file" | "none" (fd 0 closed or unusable) */
static JSValueRef gp__stdin_kind(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  return gp__js_str(ctx, gp__kind_name(rt->stdin_r ? rt->stdin_r->kind : uv_guess_handle(0)));
}

/* The reader, made (not opened) on first use; NULL with *exc for an unusable fd 0. */
static gp__stdin_t *gp__stdin_get(JSContextRef ctx, JSValueRef on_chunk, JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (rt->stdin_r) return rt->stdin_r;
  uv_handle_type kind = uv_guess_handle(0);
  if (strcmp(gp__kind_name(kind), "none") == 0) {
    *exc = gp__js_uv_error(ctx, UV_EBADF, "read");
    return NULL;
  }
  if (!gp__js_is_function(ctx, on_chunk)) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "stdin.start needs a callback");
    return NULL;
  }
  gp__stdin_t *in = gp__xcalloc(1, sizeof *in);
  in->rt = rt;
  in->kind = kind;
  in->saved_flags = -1;
  if (kind != UV_FILE) {
    int rc = gp__stdin_open_stream(in);
    if (rc != 0) {
      free(in);
      *exc = gp__js_uv_error(ctx, rc, "open");
      return NULL;
    }
  }
  in->on_chunk = (JSObjectRef)on_chunk;
  JSValueProtect(ctx, on_chunk);
  rt->stdin_r = in;
  return in;
}

/* start(onChunk): reads (again) until stop(); onChunk(Uint8Array) for each piece,
 * onChunk(null) at the end, onChunk(undefined, error) on an error. */
static JSValueRef gp__stdin_start(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__stdin_t *in = gp__stdin_get(ctx, GP__ARG(0), exc);
  if (in == NULL || in->done || in->want) return JSValueMakeUndefined(ctx);
  in->want = 1;
  if (in->kind == UV_FILE) {
    gp__stdin_file_next(in);
    return JSValueMakeUndefined(ctx);
  }
  int rc = uv_read_start(&in->u.s, gp__stdin_alloc, gp__stdin_read);
  if (rc != 0) *exc = gp__js_uv_error(ctx, rc, "read");
  return JSValueMakeUndefined(ctx);
}

/* stop(): no more reads until start() (a file read in flight still delivers). */
static JSValueRef gp__stdin_stop(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  gp__stdin_t *in = rt->stdin_r;
  if (in == NULL || !in->want) return JSValueMakeUndefined(ctx);
  in->want = 0;
  if (in->kind != UV_FILE && in->handle_open) uv_read_stop(&in->u.s);
  return JSValueMakeUndefined(ctx);
}

/* setRaw(on): a terminal's raw mode (every key at once, no echo); false elsewhere. */
static JSValueRef gp__stdin_set_raw(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__stdin_t *in = gp__stdin_get(ctx, GP__ARG(1), exc);
  if (in == NULL || in->kind != UV_TTY) return JSValueMakeBoolean(ctx, 0);
  int on = JSValueToBoolean(ctx, GP__ARG(0));
  int rc = uv_tty_set_mode(&in->u.tty, on ? UV_TTY_MODE_RAW : UV_TTY_MODE_NORMAL);
  if (rc != 0) {
    *exc = gp__js_uv_error(ctx, rc, "setRawMode");
    return JSValueMakeBoolean(ctx, 0);
  }
  in->raw = on;
  return JSValueMakeBoolean(ctx, 1);
}

void gp__js_stdin_interrupt(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  gp__stdin_t *in = rt->stdin_r;
  if (in == NULL) return;
  in->done = 1;
  in->want = 0;
  if (in->kind != UV_FILE && in->handle_open) uv_read_stop(&in->u.s);
}

static void gp__stdin_closed(uv_handle_t *h) {
  gp__stdin_t *in = h->data;
  in->handle_open = 0;
  if (in->saved_flags != -1) {
    gp__js_exit_hook_remove(gp__stdin_restore_flags, (void *)(intptr_t)in->saved_flags);
    fcntl(0, F_SETFL, in->saved_flags);
  }
  gp__stdin_maybe_free(in);
}

void gp__js_stdin_close(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  gp__stdin_t *in = rt->stdin_r;
  if (in == NULL) return;
  rt->stdin_r = NULL;
  if (rt->ctx && in->on_chunk) JSValueUnprotect(rt->ctx, in->on_chunk);
  in->on_chunk = NULL;
  in->closing = 1;
  if (in->raw) uv_tty_reset_mode();
  if (in->req_pending) uv_cancel((uv_req_t *)&in->req);
  if (in->handle_open) uv_close(&in->u.h, gp__stdin_closed);
  gp__stdin_maybe_free(in);
}

static const gp__js_fn_t gp__stdin_fns[] = {
    {"kind", gp__stdin_kind}, {"start", gp__stdin_start}, {"stop", gp__stdin_stop},
    {"setRaw", gp__stdin_set_raw},
};

void gp__mod_stdin_init(JSContextRef ctx, JSObjectRef host) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set_fns(ctx, o, gp__stdin_fns, sizeof gp__stdin_fns / sizeof gp__stdin_fns[0]);
  gp__js_set(ctx, host, "stdin", o);
}
