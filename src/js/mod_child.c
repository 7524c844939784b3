/* The native half of child_process (lib/node/child_process.js): children started with
 * uv_spawn on the owner's loop, their stdio as uv_pipe_t handles, and everything they do
 * (output, the end of a stream, a completed write, the exit, the last handle closed)
 * delivered to one JS callback per child, on the owner.
 *
 * A child keeps the process alive (gp__js_keep) until its last handle has closed,
 * unless the script unref'd it. Every child is reaped by libuv's SIGCHLD handling: its
 * uv_process_t lives until the exit callback. When the runtime is torn down, the
 * children still running are killed with SIGKILL and reaped here; when the process
 * ends at once (process.exit, an uncaught error, a signal), an exit hook kills them. The synchronous forms (spawnSync) run one
 * child on a private loop that the owner runs until the child is done. Owner only. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "js/js_private.h"


/* The signals a script may name, as Node names them. */
static const struct { const char *name; int num; } gp__signals[] = {
    {"SIGHUP", SIGHUP},     {"SIGINT", SIGINT},       {"SIGQUIT", SIGQUIT},
    {"SIGILL", SIGILL},     {"SIGTRAP", SIGTRAP},     {"SIGABRT", SIGABRT},
    {"SIGBUS", SIGBUS},     {"SIGFPE", SIGFPE},       {"SIGKILL", SIGKILL},
    {"SIGUSR1", SIGUSR1},   {"SIGSEGV", SIGSEGV},     {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE},   {"SIGALRM", SIGALRM},     {"SIGTERM", SIGTERM},
    {"SIGCHLD", SIGCHLD},   {"SIGCONT", SIGCONT},     {"SIGSTOP", SIGSTOP},
    {"SIGTSTP", SIGTSTP},   {"SIGTTIN", SIGTTIN},     {"SIGTTOU", SIGTTOU},
    {"SIGURG", SIGURG},     {"SIGXCPU", SIGXCPU},     {"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF},   {"SIGWINCH", SIGWINCH},
    {"SIGIO", SIGIO},       {"SIGPWR", SIGPWR},       {"SIGSYS", SIGSYS},
};
#define GP__NSIG (sizeof gp__signals / sizeof gp__signals[0])

enum { GP__PIPE_NONE, GP__PIPE_OPEN, GP__PIPE_CLOSING };

typedef struct gp__child_s {
  gp_js_runtime_t *rt;              /* NULL once the runtime has let go of the child */
  struct gp__child_s *prev, *next;  /* the thread's children (gp__children) */
  uv_process_t proc;
  uv_pipe_t pipes[3];               /* stdin, stdout, stderr when "pipe" */
  uv_shutdown_t shut;               /* stdin's end() */
  int pipe_state[3];                /* GP__PIPE_* */
  int handles;                      /* uv handles not yet closed (close pending included) */
  int proc_open;                    /* the process handle is not closing yet */
  int exited;                       /* the exit callback ran (or teardown reaped it) */
  int js_alive;                     /* the JS handle object exists (not finalized) */
  int kept;                         /* holds a gp__js_keep */
  int unrefd, detached;
  int listed;                       /* its pid is in the exit hook's set */
  JSObjectRef on_event;             /* protected until the last handle closed */
} gp__child_t;

/* The children of this owner thread's runtime, newest first. */
static _Thread_local gp__child_t *gp__children;
static JSClassRef gp__child_class;
/* Read buffer: libuv reads into it and we copy out at once (one read at a time). */
static _Thread_local char gp__read_buf[65536];

/* ---- The pids an exit hook kills --------------------------------------------------- */

/* Children running that must not outlive the process, in every runtime: the exit hook
 * may run on any thread (the signal thread too), so this set is global. */
static pthread_mutex_t gp__pids_mu = PTHREAD_MUTEX_INITIALIZER;
static int *gp__pids;                /* under gp__pids_mu */
static size_t gp__npids, gp__pids_cap;
static pthread_once_t gp__pids_once = PTHREAD_ONCE_INIT;

/* Any thread, at the process's immediate end: SIGKILL to each (reaping none). */
static void gp__pids_kill(void *ud) {
  (void)ud;
  pthread_mutex_lock(&gp__pids_mu);
  for (size_t i = 0; i < gp__npids; i++) kill(gp__pids[i], SIGKILL);
  pthread_mutex_unlock(&gp__pids_mu);
}

static void gp__pids_hook(void) { gp__js_exit_hook_add(gp__pids_kill, NULL); }

static void gp__pids_add(int pid) {
  pthread_once(&gp__pids_once, gp__pids_hook);
  pthread_mutex_lock(&gp__pids_mu);
  if (gp__npids == gp__pids_cap) {
    gp__pids_cap = gp__pids_cap ? gp__pids_cap * 2 : 16;
    gp__pids = gp__xrealloc(gp__pids, gp__pids_cap * sizeof *gp__pids);
  }
  gp__pids[gp__npids++] = pid;
  pthread_mutex_unlock(&gp__pids_mu);
}

static void gp__pids_remove(int pid) {
  pthread_mutex_lock(&gp__pids_mu);
  for (size_t i = 0; i < gp__npids; i++) {
    if (gp__pids[i] != pid) continue;
    gp__pids[i] = gp__pids[--gp__npids];
    break;
  }
  pthread_mutex_unlock(&gp__pids_mu);
}

/* ---- Lifetime ---------------------------------------------------------------------- */

static void gp__child_free_if_done(gp__child_t *c) {
  if (c->handles == 0 && !c->js_alive) free(c);
}

static void gp__child_update_keep(gp__child_t *c) {
  int want = c->rt != NULL && c->handles > 0 && !c->unrefd;
  if (want == c->kept) return;
  c->kept = want;
  if (want) gp__js_keep(c->rt);
  else gp__js_unkeep(c->rt);
}

static int gp__child_spared(const gp__child_t *c) { return c->detached && c->unrefd; }

/* The pid belongs in the exit hook's set while the child runs and is not spared. */
static void gp__child_update_listed(gp__child_t *c) {
  int want = !c->exited && c->proc.pid > 0 && !gp__child_spared(c);
  if (want == c->listed) return;
  c->listed = want;
  if (want) gp__pids_add(c->proc.pid);
  else gp__pids_remove(c->proc.pid);
}

static void gp__child_unlink(gp__child_t *c) {
  if (c->prev) c->prev->next = c->next;
  else if (gp__children == c) gp__children = c->next;
  if (c->next) c->next->prev = c->prev;
  c->prev = c->next = NULL;
}

/* Calls on_event(kind, a, b); an exception there is uncaught, as in Node. */
static void gp__child_emit(gp__child_t *c, const char *kind, JSValueRef a, JSValueRef b) {
  if (c->rt == NULL || c->rt->ctx == NULL || c->rt->ended || c->on_event == NULL) return;
  JSContextRef ctx = c->rt->ctx;
  JSValueRef args[3] = {gp__js_str(ctx, kind), a ? a : JSValueMakeUndefined(ctx),
                        b ? b : JSValueMakeUndefined(ctx)};
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, c->on_event, NULL, 3, args, &exc);
  if (exc) gp__js_fatal(ctx, exc, "child_process");
}

static void gp__child_release_js(gp__child_t *c) {
  if (c->on_event && c->rt && c->rt->ctx) JSValueUnprotect(c->rt->ctx, c->on_event);
  c->on_event = NULL;
}

static void gp__on_handle_closed(uv_handle_t *h) {
  gp__child_t *c = h->data;
  if (--c->handles > 0) return;
  gp__child_unlink(c);
  if (c->rt && c->rt->ctx) gp__child_emit(c, "close", NULL, NULL);
  gp__child_release_js(c);
  gp__child_update_keep(c);
  gp__child_free_if_done(c);
}

static void gp__pipe_close(gp__child_t *c, int fd) {
  if (c->pipe_state[fd] != GP__PIPE_OPEN) return;
  c->pipe_state[fd] = GP__PIPE_CLOSING;
  uv_close((uv_handle_t *)&c->pipes[fd], gp__on_handle_closed);
}

static void gp__proc_close(gp__child_t *c) {
  if (!c->proc_open) return;
  c->proc_open = 0;
  uv_close((uv_handle_t *)&c->proc, gp__on_handle_closed);
}

/* ---- libuv callbacks ---------------------------------------------------------------- */

static void gp__on_exit(uv_process_t *p, int64_t status, int term_signal) {
  gp__child_t *c = p->data;
  c->exited = 1;
  gp__child_update_listed(c);
  /* As Node: the child's stdin is destroyed when it exits (no end() pending). */
  if (c->pipe_state[0] == GP__PIPE_OPEN && c->shut.handle == NULL) gp__pipe_close(c, 0);
  if (c->rt && c->rt->ctx) {
    JSContextRef ctx = c->rt->ctx;
    gp__child_emit(c, "exit", JSValueMakeNumber(ctx, (double)status),
                   JSValueMakeNumber(ctx, term_signal));
  }
  gp__proc_close(c);
}

static void gp__on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  *buf = uv_buf_init(gp__read_buf, sizeof gp__read_buf);
}

static void gp__on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  gp__child_t *c = s->data;
  int fd = s == (uv_stream_t *)&c->pipes[1] ? 1 : 2;
  if (n == 0) return;
  JSContextRef ctx = c->rt && c->rt->ctx ? c->rt->ctx : NULL;
  if (n < 0) {
    gp__pipe_close(c, fd);
    if (ctx)
      gp__child_emit(c, "end", JSValueMakeNumber(ctx, fd),
                     JSValueMakeNumber(ctx, n == UV_EOF ? 0 : (double)n));
    return;
  }
  if (ctx == NULL) return;
  JSObjectRef u8 = JSObjectMakeTypedArray(ctx, kJSTypedArrayTypeUint8Array, (size_t)n, NULL);
  char *dst = u8 ? JSObjectGetTypedArrayBytesPtr(ctx, u8, NULL) : NULL;
  if (dst) memcpy(dst, buf->base, (size_t)n);
  gp__child_emit(c, "data", JSValueMakeNumber(ctx, fd), u8);
}

typedef struct {
  uv_write_t req;
  gp__child_t *c;
  char *data;
} gp__write_t;

/* Writes complete in the order they were made: JS keeps the callbacks in a queue. */
static void gp__on_write(uv_write_t *req, int status) {
  gp__write_t *w = (gp__write_t *)req;
  gp__child_t *c = w->c;
  free(w->data);
  free(w);
  if (c->rt && c->rt->ctx)
    gp__child_emit(c, "written", JSValueMakeNumber(c->rt->ctx, status), NULL);
}

static void gp__on_shutdown(uv_shutdown_t *req, int status) {
  (void)status;
  gp__child_t *c = req->data;
  gp__pipe_close(c, 0);
}

/* ---- Teardown ----------------------------------------------------------------------- */

void gp__js_child_close_all(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  for (gp__child_t *c = gp__children; c; c = c->next) {
    if (!c->exited && c->proc_open && !gp__child_spared(c)) {
      uv_process_kill(&c->proc, SIGKILL);
      int st;
      while (waitpid(c->proc.pid, &st, 0) < 0 && errno == EINTR) {
      }
      c->exited = 1;
    }
    gp__child_update_listed(c);
    gp__child_release_js(c);
    if (c->kept) gp__js_unkeep(rt);
    c->kept = 0;
    c->rt = NULL; /* from now on the close callbacks only free */
    for (int fd = 0; fd < 3; fd++) gp__pipe_close(c, fd);
    gp__proc_close(c);
  }
  /* The close callbacks run on the loop's next turn and free what is left; the list
   * empties as they do. */
}

/* ---- Options ------------------------------------------------------------------------ */

/* A NULL-terminated heap array of the strings of a JS array (NULL when not an array). */
static char **gp__strv(JSContextRef ctx, JSValueRef v, const char *first) {
  if (!JSValueIsObject(ctx, v)) return NULL;
  JSObjectRef a = (JSObjectRef)v;
  size_t n = (size_t)JSValueToNumber(ctx, gp__js_get(ctx, a, "length"), NULL);
  size_t off = first ? 1 : 0;
  char **out = gp__xcalloc(n + off + 1, sizeof *out);
  if (first) out[0] = gp__xstrdup(first);
  for (size_t i = 0; i < n; i++) {
    char *s = gp__js_to_cstr(ctx, JSObjectGetPropertyAtIndex(ctx, a, (unsigned)i, NULL));
    out[off + i] = s ? s : gp__xstrdup("");
  }
  return out;
}

/* The parts of a spawn request both forms share, converted from JS. */
typedef struct {
  char *file, *cwd;
  char **args, **env;
  uv_stdio_container_t stdio[3];
  int detached;
} gp__spawn_req_t;

/* stdio entries: "pipe", "inherit", "ignore", or a descriptor number to share. */
static void gp__stdio_parse(JSContextRef ctx, JSValueRef v, uv_stdio_container_t *st) {
  for (int fd = 0; fd < 3; fd++) {
    JSValueRef e = JSValueIsObject(ctx, v)
                       ? JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)v, (unsigned)fd, NULL)
                       : JSValueMakeUndefined(ctx);
    st[fd].flags = UV_IGNORE;
    if (JSValueIsNumber(ctx, e)) {
      st[fd].flags = UV_INHERIT_FD;
      st[fd].data.fd = (int)JSValueToNumber(ctx, e, NULL);
      continue;
    }
    char *s = gp__js_to_cstr(ctx, e);
    if (s && strcmp(s, "pipe") == 0) st[fd].flags = UV_CREATE_PIPE | (fd == 0 ? UV_READABLE_PIPE : UV_WRITABLE_PIPE);
    else if (s && strcmp(s, "inherit") == 0) st[fd].flags = UV_INHERIT_FD, st[fd].data.fd = fd;
    free(s);
  }
}

static void gp__spawn_req_init(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                               gp__spawn_req_t *q) {
  memset(q, 0, sizeof *q);
  q->file = gp__js_to_cstr(ctx, GP__ARG(0));
  if (q->file == NULL) q->file = gp__xstrdup("");
  q->args = gp__strv(ctx, GP__ARG(1), q->file);
  if (q->args == NULL) {
    q->args = gp__xcalloc(2, sizeof *q->args);
    q->args[0] = gp__xstrdup(q->file);
  }
  if (JSValueIsString(ctx, GP__ARG(2))) q->cwd = gp__js_to_cstr(ctx, argv[2]);
  q->env = gp__strv(ctx, GP__ARG(3), NULL);
  gp__stdio_parse(ctx, GP__ARG(4), q->stdio);
  q->detached = JSValueToBoolean(ctx, GP__ARG(5));
}

static void gp__spawn_req_free(gp__spawn_req_t *q) {
  free(q->file);
  free(q->cwd);
  gp__strv_free(q->args);
  gp__strv_free(q->env);
}

static uv_process_options_t gp__spawn_options(gp__spawn_req_t *q, uv_exit_cb on_exit) {
  uv_process_options_t o;
  memset(&o, 0, sizeof o);
  o.exit_cb = on_exit;
  o.file = q->file;
  o.args = q->args;
  o.env = q->env;
  o.cwd = q->cwd;
  o.flags = q->detached ? UV_PROCESS_DETACHED : 0;
  o.stdio_count = 3;
  o.stdio = q->stdio;
  return o;
}

/* Writing to a child that has gone must fail with EPIPE, not kill the process (Node
 * ignores SIGPIPE too). libuv restores the default in the children it starts. */
static void gp__ignore_sigpipe(void) {
  static _Atomic int done;
  if (done++ == 0) signal(SIGPIPE, SIG_IGN);
}

/* ---- Natives: asynchronous children -------------------------------------------------- */

static void gp__child_finalize(JSObjectRef obj) {
  gp__child_t *c = JSObjectGetPrivate(obj);
  if (c == NULL) return;
  c->js_alive = 0;
  gp__child_free_if_done(c);
}

static gp__child_t *gp__child_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__child_class);
}

/* childSpawn(file, args, cwd, env, stdio, detached, onEvent): the child's handle, or a
 * negative errno (uv_spawn's error; nothing was started). onEvent(kind, a, b):
 * "data" (fd, Uint8Array), "end" (fd, 0 or a read error), "written" (status of the
 * oldest write), "exit" (exit status, signal number), "close" (every handle closed). */
static JSValueRef gp__child_spawn(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  JSValueRef on_event = GP__ARG(6);
  if (!gp__js_is_function(ctx, on_event))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "childSpawn: bad arguments");
  gp__spawn_req_t q;
  gp__spawn_req_init(ctx, argc, argv, &q);
  gp__child_t *c = gp__xcalloc(1, sizeof *c);
  c->detached = q.detached;
  uv_loop_t *loop = gp_owner_loop(rt->owner);
  for (int fd = 0; fd < 3; fd++) {
    if (!(q.stdio[fd].flags & UV_CREATE_PIPE)) continue;
    uv_pipe_init(loop, &c->pipes[fd], 0);
    c->pipes[fd].data = c;
    c->pipe_state[fd] = GP__PIPE_OPEN;
    c->handles++;
    q.stdio[fd].data.stream = (uv_stream_t *)&c->pipes[fd];
  }
  if (q.stdio[0].flags & UV_CREATE_PIPE) gp__ignore_sigpipe();
  uv_process_options_t o = gp__spawn_options(&q, gp__on_exit);
  c->proc.data = c;
  int rc = uv_spawn(loop, &c->proc, &o);
  gp__spawn_req_free(&q);
  c->proc_open = 1;
  c->handles++;
  if (rc != 0) {
    /* A failed uv_spawn leaves its handles initialised: closed, then c is freed. */
    c->exited = 1;
    for (int fd = 0; fd < 3; fd++) gp__pipe_close(c, fd);
    gp__proc_close(c);
    return JSValueMakeNumber(ctx, rc);
  }
  c->rt = rt;
  c->on_event = (JSObjectRef)on_event;
  JSValueProtect(ctx, on_event);
  c->next = gp__children;
  if (c->next) c->next->prev = c;
  gp__children = c;
  gp__child_update_keep(c);
  gp__child_update_listed(c);
  for (int fd = 1; fd < 3; fd++)
    if (c->pipe_state[fd] == GP__PIPE_OPEN)
      uv_read_start((uv_stream_t *)&c->pipes[fd], gp__on_alloc, gp__on_read);
  if (gp__child_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "ChildHandle";
    def.finalize = gp__child_finalize;
    gp__child_class = JSClassCreate(&def);
  }
  c->js_alive = 1;
  return JSObjectMake(ctx, gp__child_class, c);
}

static JSValueRef gp__child_pid(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__child_t *c = gp__child_of(ctx, GP__ARG(0));
  return c ? JSValueMakeNumber(ctx, c->proc.pid) : JSValueMakeUndefined(ctx);
}

/* childKill(h, signum): 0 when the signal was sent, else a negative errno (ESRCH once
 * the child has exited). */
static JSValueRef gp__child_kill(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__child_t *c = gp__child_of(ctx, GP__ARG(0));
  int sig = (int)JSValueToNumber(ctx, GP__ARG(1), NULL);
  if (c == NULL || c->exited || !c->proc_open) return JSValueMakeNumber(ctx, UV_ESRCH);
  return JSValueMakeNumber(ctx, uv_process_kill(&c->proc, sig));
}

/* childWrite(h, bytes): queues a write to stdin; 0, or a negative errno when it cannot
 * be queued. Its completion is an "written" event. */
static JSValueRef gp__child_write(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__child_t *c = gp__child_of(ctx, GP__ARG(0));
  if (c == NULL || c->pipe_state[0] != GP__PIPE_OPEN || c->shut.handle != NULL)
    return JSValueMakeNumber(ctx, UV_EPIPE);
  JSValueRef v = GP__ARG(1);
  if (JSValueGetTypedArrayType(ctx, v, NULL) != kJSTypedArrayTypeUint8Array)
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "childWrite: bad data");
  JSObjectRef o = (JSObjectRef)v;
  size_t n = JSObjectGetTypedArrayByteLength(ctx, o, NULL);
  const char *p = (const char *)JSObjectGetTypedArrayBytesPtr(ctx, o, NULL) +
                  JSObjectGetTypedArrayByteOffset(ctx, o, NULL);
  gp__write_t *w = gp__xcalloc(1, sizeof *w);
  w->c = c;
  w->data = gp__xmalloc(n ? n : 1);
  if (n) memcpy(w->data, p, n);
  uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
  int rc = uv_write(&w->req, (uv_stream_t *)&c->pipes[0], &b, 1, gp__on_write);
  if (rc != 0) {
    free(w->data);
    free(w);
  }
  return JSValueMakeNumber(ctx, rc);
}

/* childEnd(h): closes stdin once the queued writes are done. */
static JSValueRef gp__child_end(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__child_t *c = gp__child_of(ctx, GP__ARG(0));
  if (c == NULL || c->pipe_state[0] != GP__PIPE_OPEN || c->shut.handle != NULL)
    return JSValueMakeUndefined(ctx);
  c->shut.data = c;
  if (uv_shutdown(&c->shut, (uv_stream_t *)&c->pipes[0], gp__on_shutdown) != 0) {
    c->shut.handle = (uv_stream_t *)&c->pipes[0]; /* marks end() as done */
    gp__pipe_close(c, 0);
  }
  return JSValueMakeUndefined(ctx);
}

/* childCloseStream(h, fd): stops reading stdout (1) or stderr (2) and closes our end: a
 * child still writing there gets EPIPE (Node's stream.destroy()). No "end" follows. */
static JSValueRef gp__child_close_stream(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__child_t *c = gp__child_of(ctx, GP__ARG(0));
  int fd = (int)JSValueToNumber(ctx, GP__ARG(1), NULL);
  if (c != NULL && (fd == 1 || fd == 2)) gp__pipe_close(c, fd);
  return JSValueMakeUndefined(ctx);
}

/* childRef(h, on): whether the child keeps the process alive (Node's ref/unref). */
static JSValueRef gp__child_ref(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__child_t *c = gp__child_of(ctx, GP__ARG(0));
  if (c == NULL || c->rt == NULL) return JSValueMakeUndefined(ctx);
  c->unrefd = !JSValueToBoolean(ctx, GP__ARG(1));
  void (*set)(uv_handle_t *) = c->unrefd ? uv_unref : uv_ref;
  if (c->proc_open) set((uv_handle_t *)&c->proc);
  for (int fd = 0; fd < 3; fd++)
    if (c->pipe_state[fd] == GP__PIPE_OPEN) set((uv_handle_t *)&c->pipes[fd]);
  gp__child_update_keep(c);
  gp__child_update_listed(c);
  return JSValueMakeUndefined(ctx);
}

/* childErr(n): [name, message] of a negative errno ("ENOENT", "no such file ..."). */
static JSValueRef gp__child_err(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  int n = (int)JSValueToNumber(ctx, GP__ARG(0), NULL);
  JSValueRef items[2] = {gp__js_str(ctx, uv_err_name(n)), gp__js_str(ctx, uv_strerror(n))};
  return JSObjectMakeArray(ctx, 2, items, NULL);
}

/* ---- spawnSync: one child on a private loop -------------------------------------------- */

typedef struct {
  uv_loop_t loop;
  uv_process_t proc;
  uv_pipe_t pipes[3];
  uv_timer_t timer;
  uv_write_t write;
  uv_shutdown_t shut;
  gp_buf_t out[3];                  /* stdout, stderr (out[1], out[2]) */
  size_t max_buffer;                /* bytes per stream; 0: no limit */
  int kill_signal;
  int exited, timed_out, overflow, pipes_open;
  int64_t status;
  int term_signal;
} gp__sync_t;

static void gp__sync_exit(uv_process_t *p, int64_t status, int term_signal) {
  gp__sync_t *s = p->data;
  s->exited = 1;
  gp__pids_remove(p->pid);
  s->status = status;
  s->term_signal = term_signal;
  uv_close((uv_handle_t *)p, NULL);
  uv_timer_stop(&s->timer);
  /* stdin of a child that did not read all of it; and, when we killed the child, the
   * output that a process it started may still hold open */
  int last = s->timed_out || s->overflow ? 3 : 1;
  for (int fd = 0; fd < last; fd++)
    if (s->pipes[fd].type == UV_NAMED_PIPE && !uv_is_closing((uv_handle_t *)&s->pipes[fd]))
      uv_close((uv_handle_t *)&s->pipes[fd], NULL);
}

static void gp__sync_kill(gp__sync_t *s) {
  if (!s->exited) uv_process_kill(&s->proc, s->kill_signal);
}

static void gp__sync_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  gp__sync_t *s = st->data;
  int fd = st == (uv_stream_t *)&s->pipes[1] ? 1 : 2;
  if (n < 0) {
    uv_close((uv_handle_t *)st, NULL);
    return;
  }
  size_t take = (size_t)n;
  if (s->max_buffer && s->out[fd].len + take > s->max_buffer) {
    take = s->max_buffer - s->out[fd].len;
    if (!s->overflow) gp__sync_kill(s);
    s->overflow = 1;
    gp__buf_append(&s->out[fd], buf->base, take);
    uv_close((uv_handle_t *)st, NULL); /* a writer still there gets EPIPE */
    return;
  }
  gp__buf_append(&s->out[fd], buf->base, take);
}

static void gp__sync_timeout(uv_timer_t *t) {
  gp__sync_t *s = t->data;
  s->timed_out = 1;
  gp__sync_kill(s);
}

static void gp__sync_shutdown(uv_shutdown_t *req, int status) {
  (void)status;
  uv_stream_t *st = req->handle;
  if (!uv_is_closing((uv_handle_t *)st)) uv_close((uv_handle_t *)st, NULL);
}

static void gp__sync_written(uv_write_t *req, int status) {
  (void)req;
  (void)status;
}

static JSObjectRef gp__bytes_js(JSContextRef ctx, const gp_buf_t *b) {
  JSObjectRef u8 = JSObjectMakeTypedArray(ctx, kJSTypedArrayTypeUint8Array, b->len, NULL);
  char *dst = u8 ? JSObjectGetTypedArrayBytesPtr(ctx, u8, NULL) : NULL;
  if (dst && b->len) memcpy(dst, b->data, b->len);
  return u8;
}

/* Starts the input's write (all of it, then end) on stdin. */
static void gp__sync_input(gp__sync_t *s, JSContextRef ctx, JSValueRef input) {
  if (s->pipes[0].type != UV_NAMED_PIPE) return;
  if (JSValueGetTypedArrayType(ctx, input, NULL) == kJSTypedArrayTypeUint8Array) {
    JSObjectRef o = (JSObjectRef)input;
    size_t n = JSObjectGetTypedArrayByteLength(ctx, o, NULL);
    char *p = (char *)JSObjectGetTypedArrayBytesPtr(ctx, o, NULL) +
              JSObjectGetTypedArrayByteOffset(ctx, o, NULL);
    uv_buf_t b = uv_buf_init(p, (unsigned)n); /* the VM does not run meanwhile */
    if (n) uv_write(&s->write, (uv_stream_t *)&s->pipes[0], &b, 1, gp__sync_written);
  }
  if (uv_shutdown(&s->shut, (uv_stream_t *)&s->pipes[0], gp__sync_shutdown) != 0)
    uv_close((uv_handle_t *)&s->pipes[0], NULL);
}

static JSObjectRef gp__sync_result(JSContextRef ctx, gp__sync_t *s, int rc) {
  JSObjectRef r = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, r, "pid", JSValueMakeNumber(ctx, rc == 0 ? s->proc.pid : 0));
  gp__js_set(ctx, r, "error", JSValueMakeNumber(ctx, rc));
  gp__js_set(ctx, r, "status", JSValueMakeNumber(ctx, (double)s->status));
  gp__js_set(ctx, r, "signal", JSValueMakeNumber(ctx, s->term_signal));
  gp__js_set(ctx, r, "timedOut", JSValueMakeBoolean(ctx, s->timed_out));
  gp__js_set(ctx, r, "overflow", JSValueMakeBoolean(ctx, s->overflow));
  gp__js_set(ctx, r, "stdout", gp__bytes_js(ctx, &s->out[1]));
  gp__js_set(ctx, r, "stderr", gp__bytes_js(ctx, &s->out[2]));
  return r;
}

/* childSpawnSync(file, args, cwd, env, stdio, detached, input, timeoutMs, killSignal,
 * maxBuffer): runs the child to its end on a private loop (the owner blocks: that is
 * what the synchronous forms are) and returns {pid, error (0 or a negative errno),
 * status, signal (number), timedOut, overflow, stdout, stderr (Uint8Array)}. */
static JSValueRef gp__child_spawn_sync(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__spawn_req_t q;
  gp__spawn_req_init(ctx, argc, argv, &q);
  gp__sync_t *s = gp__xcalloc(1, sizeof *s);
  double timeout = JSValueToNumber(ctx, GP__ARG(7), NULL);
  s->kill_signal = (int)JSValueToNumber(ctx, GP__ARG(8), NULL);
  double maxb = JSValueToNumber(ctx, GP__ARG(9), NULL);
  s->max_buffer = maxb > 0 && maxb < 1e15 ? (size_t)maxb : 0;
  uv_loop_init(&s->loop);
  uv_timer_init(&s->loop, &s->timer);
  s->timer.data = s;
  for (int fd = 0; fd < 3; fd++) {
    if (!(q.stdio[fd].flags & UV_CREATE_PIPE)) continue;
    uv_pipe_init(&s->loop, &s->pipes[fd], 0);
    s->pipes[fd].data = s;
    q.stdio[fd].data.stream = (uv_stream_t *)&s->pipes[fd];
  }
  if (q.stdio[0].flags & UV_CREATE_PIPE) gp__ignore_sigpipe();
  uv_process_options_t o = gp__spawn_options(&q, gp__sync_exit);
  s->proc.data = s;
  int rc = uv_spawn(&s->loop, &s->proc, &o);
  gp__spawn_req_free(&q);
  if (rc != 0) {
    uv_close((uv_handle_t *)&s->proc, NULL);
    for (int fd = 0; fd < 3; fd++)
      if (s->pipes[fd].type == UV_NAMED_PIPE) uv_close((uv_handle_t *)&s->pipes[fd], NULL);
  } else {
    gp__pids_add(s->proc.pid);
    for (int fd = 1; fd < 3; fd++)
      if (s->pipes[fd].type == UV_NAMED_PIPE)
        uv_read_start((uv_stream_t *)&s->pipes[fd], gp__on_alloc, gp__sync_read);
    gp__sync_input(s, ctx, GP__ARG(6));
    if (timeout > 0) uv_timer_start(&s->timer, gp__sync_timeout, (uint64_t)timeout, 0);
  }
  uv_run(&s->loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t *)&s->timer, NULL);
  uv_run(&s->loop, UV_RUN_DEFAULT);
  uv_loop_close(&s->loop);
  JSObjectRef r = gp__sync_result(ctx, s, rc);
  for (int fd = 0; fd < 3; fd++) gp__buf_free(&s->out[fd]);
  free(s);
  return r;
}

static const gp__js_fn_t gp__child_fns[] = {
    {"childSpawn", gp__child_spawn}, {"childPid", gp__child_pid},
    {"childKill", gp__child_kill},   {"childWrite", gp__child_write},
    {"childEnd", gp__child_end},     {"childRef", gp__child_ref},
    {"childErr", gp__child_err},     {"childSpawnSync", gp__child_spawn_sync},
    {"childCloseStream", gp__child_close_stream},
};

void gp__mod_child_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__child_fns, sizeof gp__child_fns / sizeof gp__child_fns[0]);
  JSObjectRef sigs = JSObjectMake(ctx, NULL, NULL);
  for (size_t i = 0; i < GP__NSIG; i++)
    gp__js_set(ctx, sigs, gp__signals[i].name, JSValueMakeNumber(ctx, gp__signals[i].num));
  gp__js_set(ctx, host, "childSignals", sigs);
}
