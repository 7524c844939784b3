/* The native half of Node's `fs` (lib/node/fs*.js): one native per file-system call
 * (open, read, stat, scandir, ...), each a thin wrapper around libuv's uv_fs_* on the
 * owner's loop. Called with a callback as its last argument, a native starts the call
 * on libuv's thread pool and returns at once; the completion runs on the owner, where
 * the callback gets (code, value): code 0 and the value, or a negative libuv error and
 * nothing. Called with undefined instead, it runs the call on the owner (the *Sync
 * forms) and returns the value or throws the negative error as a number. The JS side
 * turns errors into Node's Error objects (message, code, errno, syscall, path).
 *
 * Reads and writes of whole regular files (readFile, writeFile: the JS side asks for
 * "direct" I/O) work on the script's typed array itself, as Node does: a thread-pool
 * job (uv_queue_work) calls pread/pwrite on its bytes, which the request keeps alive
 * (protected; JavaScriptCore pins a buffer whose pointer it handed out). Other reads
 * and writes (descriptors given by the script, which may be pipes that block for ever)
 * go through a heap copy instead, with uv_fs_read/uv_fs_write. A pending call keeps the
 * process alive (gp__js_keep); at teardown the calls still pending are canceled, direct
 * jobs already running are waited for (they must not touch the VM's memory after it is
 * gone), and the others finish later without touching the VM. Owner thread only,
 * except the thread-pool work itself (gp__direct_work). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "js/js_private.h"


/* What a completed request's value is made of. */
typedef enum {
  GP__FS_NONE,  /* undefined */
  GP__FS_INT,   /* req.result: a descriptor or a byte count */
  GP__FS_STAT,  /* req.statbuf as an array of 18 numbers (see gp__fs_stat_value) */
  GP__FS_PATH,  /* req.path (mkdtemp's new directory) */
  GP__FS_PTR,   /* req.ptr as a string (realpath, readlink) */
  GP__FS_DIR,   /* scandir's entries: [names, types] */
  GP__FS_READ,  /* a byte count; the bytes read into buf are copied into the view
                   (direct I/O: the job read them there itself) */
} gp__fs_kind_t;

typedef struct gp__fsreq_s {
  uv_fs_t req;                     /* req.data points back here */
  uv_work_t work;                  /* direct I/O: the job; work.data points back here */
  gp_js_runtime_t *rt;             /* NULL once orphaned at teardown */
  struct gp__fsreq_s *prev, *next; /* rt->fs_reqs while pending; owner thread */
  gp__fs_kind_t kind;
  JSObjectRef cb;                  /* async: protected until the completion */
  JSObjectRef view;                /* read, direct write: the typed array, protected */
  size_t view_at;                  /* read: where the bytes go in the view */
  char *buf;                       /* read/write: heap bytes the thread pool uses */
  /* Direct I/O (pread/pwrite on the view's own bytes), set on the owner before the job: */
  int direct;                      /* 1: this is a direct job (`work` is used, not `req`) */
  int writing;                     /* 1: pwrite, 0: pread */
  uv_file fd;                      /* the script's descriptor, open until we complete */
  char *at;                        /* the view's bytes (pinned while the view lives) */
  size_t len;                      /* bytes to transfer at `at` */
  int64_t pos;                     /* -1: the descriptor's current position */
  ssize_t result;                  /* set by the job: bytes, or a negative libuv code */
  atomic_int ran;                  /* set by the job when it has let go of `at` */
} gp__fsreq_t;

/* ---- Requests ---------------------------------------------------------------------- */

/* A request; `cb` a function (asynchronous) or anything else (synchronous). */
static gp__fsreq_t *gp__fsreq_new(JSContextRef ctx, JSValueRef cb, gp__fs_kind_t kind) {
  gp__fsreq_t *r = gp__xcalloc(1, sizeof *r);
  r->rt = gp__js_rt();
  r->kind = kind;
  r->req.data = r;
  if (gp__js_is_function(ctx, cb)) {
    r->cb = (JSObjectRef)cb;
    JSValueProtect(ctx, cb);
  }
  return r;
}

static uv_loop_t *gp__loop(gp__fsreq_t *r) { return gp_owner_loop(r->rt->owner); }
static uv_fs_cb gp__done_cb(gp__fsreq_t *r);

/* Releases the JS values a request holds (the VM must be alive). */
static void gp__fsreq_drop_js(gp__fsreq_t *r, JSContextRef ctx) {
  if (r->cb) JSValueUnprotect(ctx, r->cb);
  if (r->view) JSValueUnprotect(ctx, r->view);
  r->cb = r->view = NULL;
}

static void gp__fsreq_free(gp__fsreq_t *r) {
  uv_fs_req_cleanup(&r->req);
  free(r->buf);
  free(r);
}

static void gp__fsreq_unlink(gp__fsreq_t *r) {
  if (r->prev) r->prev->next = r->next;
  else if (r->rt->fs_reqs == r) r->rt->fs_reqs = r->next;
  if (r->next) r->next->prev = r->prev;
  r->prev = r->next = NULL;
}

/* Stat results as numbers, in this order (the JS side names them). */
static JSValueRef gp__fs_stat_value(JSContextRef ctx, const uv_stat_t *s) {
  double v[] = {
      (double)s->st_dev, (double)s->st_mode, (double)s->st_nlink, (double)s->st_uid,
      (double)s->st_gid, (double)s->st_rdev, (double)s->st_blksize, (double)s->st_ino,
      (double)s->st_size, (double)s->st_blocks,
      (double)s->st_atim.tv_sec, (double)s->st_atim.tv_nsec,
      (double)s->st_mtim.tv_sec, (double)s->st_mtim.tv_nsec,
      (double)s->st_ctim.tv_sec, (double)s->st_ctim.tv_nsec,
      (double)s->st_birthtim.tv_sec, (double)s->st_birthtim.tv_nsec,
  };
  JSValueRef items[sizeof v / sizeof v[0]];
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) items[i] = JSValueMakeNumber(ctx, v[i]);
  return JSObjectMakeArray(ctx, sizeof v / sizeof v[0], items, NULL);
}

/* scandir's entries as [names, types] (types: libuv's UV_DIRENT_* numbers). */
static JSValueRef gp__fs_dir_value(JSContextRef ctx, uv_fs_t *req) {
  JSObjectRef names = JSObjectMakeArray(ctx, 0, NULL, NULL);
  JSObjectRef types = JSObjectMakeArray(ctx, 0, NULL, NULL);
  uv_dirent_t ent;
  for (unsigned i = 0; uv_fs_scandir_next(req, &ent) == 0; i++) {
    JSObjectSetPropertyAtIndex(ctx, names, i, gp__js_str(ctx, ent.name), NULL);
    JSObjectSetPropertyAtIndex(ctx, types, i, JSValueMakeNumber(ctx, ent.type), NULL);
  }
  JSValueRef pair[2] = {names, types};
  return JSObjectMakeArray(ctx, 2, pair, NULL);
}

/* The view's bytes from byte `at` on, and how many there are (0 if it shrank). */
static char *gp__view_bytes(JSContextRef ctx, JSObjectRef view, size_t at, size_t *room) {
  char *p = JSObjectGetTypedArrayBytesPtr(ctx, view, NULL);
  size_t len = JSObjectGetTypedArrayByteLength(ctx, view, NULL);
  *room = p && at <= len ? len - at : 0;
  return p ? p + JSObjectGetTypedArrayByteOffset(ctx, view, NULL) + at : NULL;
}

/* The value of a successful request. */
static JSValueRef gp__fs_value(JSContextRef ctx, gp__fsreq_t *r) {
  uv_fs_t *q = &r->req;
  switch (r->kind) {
    case GP__FS_INT: return JSValueMakeNumber(ctx, (double)(r->direct ? r->result : q->result));
    case GP__FS_STAT: return gp__fs_stat_value(ctx, &q->statbuf);
    case GP__FS_PATH: return gp__js_str(ctx, q->path);
    case GP__FS_PTR: return gp__js_str(ctx, q->ptr);
    case GP__FS_DIR: return gp__fs_dir_value(ctx, q);
    case GP__FS_READ: {
      if (r->direct) return JSValueMakeNumber(ctx, (double)r->result);
      size_t room = 0, n = (size_t)q->result;
      char *dst = r->buf ? gp__view_bytes(ctx, r->view, r->view_at, &room) : NULL;
      if (dst && n) memcpy(dst, r->buf, n < room ? n : room);
      return JSValueMakeNumber(ctx, (double)q->result);
    }
    case GP__FS_NONE: break;
  }
  return JSValueMakeUndefined(ctx);
}

/* A request's completion (owner): hands (code, value) to the callback. `result` is the
 * call's: a count, or a negative libuv code. */
static void gp__fs_complete(gp__fsreq_t *r, ssize_t result) {
  if (r->rt == NULL) { /* orphaned at teardown: the VM is gone */
    gp__fsreq_free(r);
    return;
  }
  gp_js_runtime_t *rt = r->rt;
  GP_JS_ASSERT(rt);
  gp__fsreq_unlink(r);
  gp__js_unkeep(rt);
  JSContextRef ctx = rt->ctx;
  int code = result < 0 ? (int)result : 0;
  JSValueRef args[2] = {JSValueMakeNumber(ctx, code),
                        code ? JSValueMakeUndefined(ctx) : gp__fs_value(ctx, r)};
  JSObjectRef cb = r->cb;
  r->cb = NULL;
  gp__fsreq_drop_js(r, ctx);
  gp__fsreq_free(r);
  JSValueRef exc = NULL;
  if (!rt->ended) JSObjectCallAsFunction(ctx, cb, NULL, 2, args, &exc);
  JSValueUnprotect(ctx, cb);
  if (exc) gp__js_fatal(ctx, exc, "Uncaught");
}

static void gp__fs_done(uv_fs_t *req) {
  gp__fsreq_t *r = req->data;
  gp__fs_complete(r, req->result);
}

static uv_fs_cb gp__done_cb(gp__fsreq_t *r) { return r->cb ? gp__fs_done : NULL; }

/* Direct I/O, on a thread-pool thread: one pread/pwrite (read/write at the current
 * position) on the view's bytes. Touches nothing of the runtime. */
static void gp__direct_work(uv_work_t *w) {
  gp__fsreq_t *r = w->data;
  ssize_t n;
  do {
    if (r->writing)
      n = r->pos < 0 ? write(r->fd, r->at, r->len) : pwrite(r->fd, r->at, r->len, (off_t)r->pos);
    else
      n = r->pos < 0 ? read(r->fd, r->at, r->len) : pread(r->fd, r->at, r->len, (off_t)r->pos);
  } while (n < 0 && errno == EINTR);
  r->result = n < 0 ? uv_translate_sys_error(errno) : n;
  atomic_store_explicit(&r->ran, 1, memory_order_release);
}

static void gp__direct_after(uv_work_t *w, int status) {
  gp__fsreq_t *r = w->data;
  gp__fs_complete(r, status < 0 ? status : r->result);
}

/* After the uv_fs_* call: an asynchronous request is now pending (rc 0) and returns
 * undefined; a synchronous one returns its value. A failure of either is thrown as the
 * negative libuv code (a number) and frees the request. */
static JSValueRef gp__fs_submitted(JSContextRef ctx, gp__fsreq_t *r, int rc, JSValueRef *exc) {
  if (rc >= 0 && r->cb) {
    gp_js_runtime_t *rt = r->rt;
    r->next = rt->fs_reqs;
    if (r->next) r->next->prev = r;
    rt->fs_reqs = r;
    gp__js_keep(rt);
    return JSValueMakeUndefined(ctx);
  }
  JSValueRef v = rc < 0 ? NULL : gp__fs_value(ctx, r);
  if (rc < 0) *exc = JSValueMakeNumber(ctx, rc);
  gp__fsreq_drop_js(r, ctx);
  gp__fsreq_free(r);
  return v ? v : JSValueMakeUndefined(ctx);
}

/* Waits (a few seconds at most) until the running direct job of `r` has let go of the
 * view's bytes: a pread/pwrite of a regular file, which ends soon. */
static void gp__direct_wait(gp__fsreq_t *r) {
  for (int i = 0; i < 5000 && !atomic_load_explicit(&r->ran, memory_order_acquire); i++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
}

void gp__js_fs_close_all(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  while (rt->fs_reqs) {
    gp__fsreq_t *r = rt->fs_reqs;
    gp__fsreq_unlink(r);
    gp__js_unkeep(rt);
    /* Not started yet: completes with UV_ECANCELED; running: finishes on its own. Either
     * way the completion only frees the request, on the loop's last turns. */
    int rc = uv_cancel(r->direct ? (uv_req_t *)&r->work : (uv_req_t *)&r->req);
    if (r->direct && rc != 0) gp__direct_wait(r);
    if (rt->ctx) gp__fsreq_drop_js(r, rt->ctx);
    r->rt = NULL;
  }
}

/* ---- Argument helpers ------------------------------------------------------------ */

static int gp__int_arg(JSContextRef ctx, JSValueRef v) { return (int)JSValueToNumber(ctx, v, NULL); }

static double gp__num_arg(JSContextRef ctx, JSValueRef v) {
  double d = JSValueToNumber(ctx, v, NULL);
  return d != d ? 0 : d; /* NaN */
}

static int gp__is_view(JSContextRef ctx, JSValueRef v) {
  if (!JSValueIsObject(ctx, v)) return 0;
  JSTypedArrayType t = JSValueGetTypedArrayType(ctx, v, NULL);
  return t != kJSTypedArrayTypeNone && t != kJSTypedArrayTypeArrayBuffer;
}

/* ---- Natives: paths --------------------------------------------------------------- */

/* Each native: (args..., cb) as described at the top of the file. The JS side has
 * validated the arguments (strings without NUL, integers in range). */

#define GP__PATH_NATIVE(NAME, KIND, CB_AT, CALL)                                             \
  static JSValueRef NAME(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,    \
                         const JSValueRef argv[], JSValueRef *exc) {                          \
    GP_JS_ASSERT(gp__js_rt());                                                               \
    gp__fsreq_t *r = gp__fsreq_new(ctx, GP__ARG(CB_AT), KIND);                               \
    char *path = gp__js_to_cstr(ctx, GP__ARG(0));                                            \
    int rc = path ? (CALL) : UV_EINVAL;                                                      \
    free(path);                                                                              \
    return gp__fs_submitted(ctx, r, rc, exc);                                                \
  }

GP__PATH_NATIVE(gp__fs_open, GP__FS_INT, 3,
                uv_fs_open(gp__loop(r), &r->req, path, gp__int_arg(ctx, GP__ARG(1)),
                           gp__int_arg(ctx, GP__ARG(2)), gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_stat, GP__FS_STAT, 1, uv_fs_stat(gp__loop(r), &r->req, path, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_lstat, GP__FS_STAT, 1, uv_fs_lstat(gp__loop(r), &r->req, path, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_scandir, GP__FS_DIR, 1,
                uv_fs_scandir(gp__loop(r), &r->req, path, 0, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_mkdir, GP__FS_NONE, 2,
                uv_fs_mkdir(gp__loop(r), &r->req, path, gp__int_arg(ctx, GP__ARG(1)), gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_rmdir, GP__FS_NONE, 1, uv_fs_rmdir(gp__loop(r), &r->req, path, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_unlink, GP__FS_NONE, 1, uv_fs_unlink(gp__loop(r), &r->req, path, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_access, GP__FS_NONE, 2,
                uv_fs_access(gp__loop(r), &r->req, path, gp__int_arg(ctx, GP__ARG(1)), gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_mkdtemp, GP__FS_PATH, 1, uv_fs_mkdtemp(gp__loop(r), &r->req, path, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_realpath, GP__FS_PTR, 1, uv_fs_realpath(gp__loop(r), &r->req, path, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_readlink, GP__FS_PTR, 1, uv_fs_readlink(gp__loop(r), &r->req, path, gp__done_cb(r)))
GP__PATH_NATIVE(gp__fs_chmod, GP__FS_NONE, 2,
                uv_fs_chmod(gp__loop(r), &r->req, path, gp__int_arg(ctx, GP__ARG(1)), gp__done_cb(r)))
/* utimes(path, atime, mtime): seconds since the epoch, fractions allowed. */
GP__PATH_NATIVE(gp__fs_utimes, GP__FS_NONE, 3,
                uv_fs_utime(gp__loop(r), &r->req, path, gp__num_arg(ctx, GP__ARG(1)),
                            gp__num_arg(ctx, GP__ARG(2)), gp__done_cb(r)))

/* Two paths: rename(from, to), copyfile(from, to, flags), symlink(target, path, flags). */
#define GP__PATH2_NATIVE(NAME, CB_AT, CALL)                                                  \
  static JSValueRef NAME(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,    \
                         const JSValueRef argv[], JSValueRef *exc) {                          \
    GP_JS_ASSERT(gp__js_rt());                                                               \
    gp__fsreq_t *r = gp__fsreq_new(ctx, GP__ARG(CB_AT), GP__FS_NONE);                        \
    char *a = gp__js_to_cstr(ctx, GP__ARG(0)), *b = gp__js_to_cstr(ctx, GP__ARG(1));         \
    int rc = a && b ? (CALL) : UV_EINVAL;                                                    \
    free(a);                                                                                 \
    free(b);                                                                                 \
    return gp__fs_submitted(ctx, r, rc, exc);                                                \
  }

GP__PATH2_NATIVE(gp__fs_rename, 2, uv_fs_rename(gp__loop(r), &r->req, a, b, gp__done_cb(r)))
GP__PATH2_NATIVE(gp__fs_copyfile, 3,
                 uv_fs_copyfile(gp__loop(r), &r->req, a, b, gp__int_arg(ctx, GP__ARG(2)), gp__done_cb(r)))
GP__PATH2_NATIVE(gp__fs_symlink, 3,
                 uv_fs_symlink(gp__loop(r), &r->req, a, b, gp__int_arg(ctx, GP__ARG(2)), gp__done_cb(r)))

/* ---- Natives: descriptors ---------------------------------------------------------- */

#define GP__FD_NATIVE(NAME, KIND, CB_AT, CALL)                                               \
  static JSValueRef NAME(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,    \
                         const JSValueRef argv[], JSValueRef *exc) {                          \
    GP_JS_ASSERT(gp__js_rt());                                                               \
    gp__fsreq_t *r = gp__fsreq_new(ctx, GP__ARG(CB_AT), KIND);                               \
    uv_file fd = gp__int_arg(ctx, GP__ARG(0));                                               \
    return gp__fs_submitted(ctx, r, (CALL), exc);                                            \
  }

GP__FD_NATIVE(gp__fs_close, GP__FS_NONE, 1, uv_fs_close(gp__loop(r), &r->req, fd, gp__done_cb(r)))
GP__FD_NATIVE(gp__fs_fstat, GP__FS_STAT, 1, uv_fs_fstat(gp__loop(r), &r->req, fd, gp__done_cb(r)))
GP__FD_NATIVE(gp__fs_fsync, GP__FS_NONE, 1, uv_fs_fsync(gp__loop(r), &r->req, fd, gp__done_cb(r)))
GP__FD_NATIVE(gp__fs_ftruncate, GP__FS_NONE, 2,
              uv_fs_ftruncate(gp__loop(r), &r->req, fd, (int64_t)gp__num_arg(ctx, GP__ARG(1)),
                              gp__done_cb(r)))

/* Starts direct I/O on the view's bytes p[0..len) (asynchronous requests only). */
static int gp__direct_start(JSContextRef ctx, gp__fsreq_t *r, JSObjectRef view, uv_file fd,
                            char *p, size_t len, int64_t pos, int write) {
  r->direct = 1;
  r->writing = write;
  r->fd = fd;
  r->at = p;
  r->len = len;
  r->pos = pos;
  r->view = view;
  JSValueProtect(ctx, view);
  r->work.data = r;
  return uv_queue_work(gp__loop(r), &r->work, gp__direct_work, gp__direct_after);
}

/* read(fd, view, offset, length, position, direct, cb) / write(...): `length` bytes at
 * byte `offset` of the typed array `view`, at file `position` (-1: the current one).
 * `direct`: a regular file, read or written straight from the view on the thread pool
 * (else through a heap copy). Returns (or hands over) the count of bytes transferred. */
static JSValueRef gp__fs_io(JSContextRef ctx, size_t argc, const JSValueRef argv[], int write,
                            JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  if (!gp__is_view(ctx, GP__ARG(1))) {
    *exc = JSValueMakeNumber(ctx, UV_EINVAL);
    return JSValueMakeUndefined(ctx);
  }
  gp__fsreq_t *r = gp__fsreq_new(ctx, GP__ARG(6), write ? GP__FS_INT : GP__FS_READ);
  uv_file fd = gp__int_arg(ctx, GP__ARG(0));
  JSObjectRef view = (JSObjectRef)argv[1];
  size_t at = (size_t)gp__num_arg(ctx, GP__ARG(2)), room = 0;
  size_t len = (size_t)gp__num_arg(ctx, GP__ARG(3));
  int64_t pos = (int64_t)gp__num_arg(ctx, GP__ARG(4));
  char *p = gp__view_bytes(ctx, view, at, &room);
  if (len > room) len = room;
  if (r->cb && JSValueToBoolean(ctx, GP__ARG(5)) && p)
    return gp__fs_submitted(ctx, r, gp__direct_start(ctx, r, view, fd, p, len, pos, write), exc);
  uv_buf_t b = uv_buf_init(p, (unsigned)len);
  if (r->cb) { /* the thread pool works on a heap copy */
    r->buf = gp__xmalloc(len ? len : 1);
    if (write && len) memcpy(r->buf, p, len);
    b.base = r->buf;
    if (!write) {
      r->view = view;
      r->view_at = at;
      JSValueProtect(ctx, view);
    }
  }
  uv_loop_t *loop = gp__loop(r);
  int rc = write ? uv_fs_write(loop, &r->req, fd, &b, 1, pos, gp__done_cb(r))
                 : uv_fs_read(loop, &r->req, fd, &b, 1, pos, gp__done_cb(r));
  if (!write && !r->cb) r->kind = GP__FS_INT; /* read in place: nothing to copy */
  return gp__fs_submitted(ctx, r, rc, exc);
}

static JSValueRef gp__fs_read(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                              const JSValueRef argv[], JSValueRef *exc) {
  return gp__fs_io(ctx, argc, argv, 0, exc);
}

static JSValueRef gp__fs_write(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  return gp__fs_io(ctx, argc, argv, 1, exc);
}

/* errname(code): [name, description] of a negative libuv code ("ENOENT", "no such file
 * or directory"), as Node's messages use them. */
static JSValueRef gp__fs_errname(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                                 const JSValueRef argv[], JSValueRef *exc) {
  int code = gp__int_arg(ctx, GP__ARG(0));
  JSValueRef pair[2] = {gp__js_str(ctx, uv_err_name(code)), gp__js_str(ctx, uv_strerror(code))};
  return JSObjectMakeArray(ctx, 2, pair, NULL);
}

/* ---- Constants --------------------------------------------------------------------- */

static void gp__fs_constants(JSContextRef ctx, JSObjectRef fs) {
  static const struct {
    const char *name;
    int value;
  } k[] = {
      {"O_RDONLY", O_RDONLY}, {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR},
      {"O_CREAT", O_CREAT}, {"O_EXCL", O_EXCL}, {"O_NOCTTY", O_NOCTTY},
      {"O_TRUNC", O_TRUNC}, {"O_APPEND", O_APPEND}, {"O_DIRECTORY", O_DIRECTORY},
      {"O_NOATIME", O_NOATIME}, {"O_NOFOLLOW", O_NOFOLLOW}, {"O_SYNC", O_SYNC},
      {"O_DSYNC", O_DSYNC}, {"O_DIRECT", O_DIRECT}, {"O_NONBLOCK", O_NONBLOCK},
      {"S_IFMT", S_IFMT}, {"S_IFREG", S_IFREG}, {"S_IFDIR", S_IFDIR},
      {"S_IFCHR", S_IFCHR}, {"S_IFBLK", S_IFBLK}, {"S_IFIFO", S_IFIFO},
      {"S_IFLNK", S_IFLNK}, {"S_IFSOCK", S_IFSOCK},
      {"S_IRWXU", S_IRWXU}, {"S_IRUSR", S_IRUSR}, {"S_IWUSR", S_IWUSR}, {"S_IXUSR", S_IXUSR},
      {"S_IRWXG", S_IRWXG}, {"S_IRGRP", S_IRGRP}, {"S_IWGRP", S_IWGRP}, {"S_IXGRP", S_IXGRP},
      {"S_IRWXO", S_IRWXO}, {"S_IROTH", S_IROTH}, {"S_IWOTH", S_IWOTH}, {"S_IXOTH", S_IXOTH},
      {"F_OK", F_OK}, {"R_OK", R_OK}, {"W_OK", W_OK}, {"X_OK", X_OK},
      {"UV_FS_SYMLINK_DIR", UV_FS_SYMLINK_DIR}, {"UV_FS_SYMLINK_JUNCTION", UV_FS_SYMLINK_JUNCTION},
      {"UV_FS_COPYFILE_EXCL", UV_FS_COPYFILE_EXCL}, {"COPYFILE_EXCL", UV_FS_COPYFILE_EXCL},
      {"UV_FS_COPYFILE_FICLONE", UV_FS_COPYFILE_FICLONE},
      {"COPYFILE_FICLONE", UV_FS_COPYFILE_FICLONE},
      {"UV_FS_COPYFILE_FICLONE_FORCE", UV_FS_COPYFILE_FICLONE_FORCE},
      {"COPYFILE_FICLONE_FORCE", UV_FS_COPYFILE_FICLONE_FORCE},
      {"UV_DIRENT_UNKNOWN", UV_DIRENT_UNKNOWN}, {"UV_DIRENT_FILE", UV_DIRENT_FILE},
      {"UV_DIRENT_DIR", UV_DIRENT_DIR}, {"UV_DIRENT_LINK", UV_DIRENT_LINK},
      {"UV_DIRENT_FIFO", UV_DIRENT_FIFO}, {"UV_DIRENT_SOCKET", UV_DIRENT_SOCKET},
      {"UV_DIRENT_CHAR", UV_DIRENT_CHAR}, {"UV_DIRENT_BLOCK", UV_DIRENT_BLOCK},
  };
  JSObjectRef c = JSObjectMake(ctx, NULL, NULL);
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    gp__js_set(ctx, c, k[i].name, JSValueMakeNumber(ctx, k[i].value));
  gp__js_set(ctx, fs, "constants", c);
}

static const gp__js_fn_t gp__fs_fns[] = {
    {"open", gp__fs_open},         {"close", gp__fs_close},       {"read", gp__fs_read},
    {"write", gp__fs_write},       {"stat", gp__fs_stat},         {"lstat", gp__fs_lstat},
    {"fstat", gp__fs_fstat},       {"scandir", gp__fs_scandir},   {"mkdir", gp__fs_mkdir},
    {"rmdir", gp__fs_rmdir},       {"unlink", gp__fs_unlink},     {"rename", gp__fs_rename},
    {"copyfile", gp__fs_copyfile}, {"access", gp__fs_access},     {"mkdtemp", gp__fs_mkdtemp},
    {"realpath", gp__fs_realpath}, {"readlink", gp__fs_readlink}, {"symlink", gp__fs_symlink},
    {"chmod", gp__fs_chmod},       {"utimes", gp__fs_utimes},     {"fsync", gp__fs_fsync},
    {"ftruncate", gp__fs_ftruncate}, {"errname", gp__fs_errname},
};

void gp__mod_fs_init(JSContextRef ctx, JSObjectRef host) {
  JSObjectRef fs = JSObjectMake(ctx, NULL, NULL);
  gp__js_set_fns(ctx, fs, gp__fs_fns, sizeof gp__fs_fns / sizeof gp__fs_fns[0]);
  gp__fs_constants(ctx, fs);
  gp__js_set(ctx, host, "fs", fs);
}
