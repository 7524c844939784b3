/* Natives behind the `process` global (SPEC §3.1) beyond the few of mod_host.c: ids,
 * clocks, memory, versions, kill(), which signals the script listens to, and the two
 * pieces of bookkeeping that signals and exit need: the runs started from JS (so a
 * SIGINT can cancel every one of them, from any thread) and the exit hooks (what must
 * happen before the process ends at once, e.g. killing child processes).
 *
 * The natives run on the owner thread; the run list and the exit hooks are guarded by
 * mutexes and may be used from any thread. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/geppetto.h"
#include "geppetto/session.h"
#include "http/http.h"
#include "js/js_private.h"


/* Private JavaScriptCore API exported by the library (JSBasePrivate.h): an object with
 * heapSize, heapCapacity, extraMemorySize, objectCount, ... */
JS_EXPORT JSObjectRef JSGetMemoryUsageStatistics(JSContextRef ctx);
/* JavaScriptCore's version (jsc/jsc-version.h). */
unsigned jsc_get_major_version(void);
unsigned jsc_get_minor_version(void);
unsigned jsc_get_micro_version(void);

/* ---- Runs started from JS ------------------------------------------------------------ */

void gp__js_runs_add(gp_js_runtime_t *rt, gp_run_t *run) {
  pthread_mutex_lock(&rt->runs_mu);
  if (rt->nruns == rt->capruns) {
    rt->capruns = rt->capruns ? 2 * rt->capruns : 8;
    rt->runs = gp__xrealloc(rt->runs, rt->capruns * sizeof *rt->runs);
  }
  rt->runs[rt->nruns++] = gp_run_ref(run);
  pthread_mutex_unlock(&rt->runs_mu);
}

void gp__js_runs_remove(gp_js_runtime_t *rt, gp_run_t *run) {
  gp_run_t *found = NULL;
  pthread_mutex_lock(&rt->runs_mu);
  for (size_t i = 0; i < rt->nruns; i++) {
    if (rt->runs[i] != run) continue;
    found = run;
    rt->runs[i] = rt->runs[--rt->nruns];
    break;
  }
  pthread_mutex_unlock(&rt->runs_mu);
  gp_run_unref(found);
}

int gp__js_runs_cancel_all(gp_js_runtime_t *rt) {
  int n = 0;
  pthread_mutex_lock(&rt->runs_mu);
  for (size_t i = 0; i < rt->nruns; i++) n += gp_run_cancel(rt->runs[i]);
  pthread_mutex_unlock(&rt->runs_mu);
  return n;
}

void gp__js_runs_clear(gp_js_runtime_t *rt) {
  pthread_mutex_lock(&rt->runs_mu);
  for (size_t i = 0; i < rt->nruns; i++) gp_run_unref(rt->runs[i]);
  free(rt->runs);
  rt->runs = NULL;
  rt->nruns = rt->capruns = 0;
  pthread_mutex_unlock(&rt->runs_mu);
}

/* ---- Exit hooks ------------------------------------------------------------------------ */

#define GP__EXIT_HOOKS_MAX 8

static pthread_mutex_t gp__hooks_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
  void (*fn)(void *ud);
  void *ud;
} gp__hooks[GP__EXIT_HOOKS_MAX];           /* under gp__hooks_mu */
static int gp__nhooks;                     /* under gp__hooks_mu */

int gp__js_exit_hook_add(void (*fn)(void *ud), void *ud) {
  pthread_mutex_lock(&gp__hooks_mu);
  int ok = gp__nhooks < GP__EXIT_HOOKS_MAX;
  if (ok) {
    gp__hooks[gp__nhooks].fn = fn;
    gp__hooks[gp__nhooks].ud = ud;
    gp__nhooks++;
  }
  pthread_mutex_unlock(&gp__hooks_mu);
  return ok ? GP_OK : GP_ERR_INVALID_ARGUMENT;
}

void gp__js_exit_hook_remove(void (*fn)(void *ud), void *ud) {
  pthread_mutex_lock(&gp__hooks_mu);
  for (int i = 0; i < gp__nhooks; i++) {
    if (gp__hooks[i].fn != fn || gp__hooks[i].ud != ud) continue;
    gp__hooks[i] = gp__hooks[--gp__nhooks];
    break;
  }
  pthread_mutex_unlock(&gp__hooks_mu);
}

void gp__js_exit_hooks_run(void) {
  /* trylock: a hook that exits from inside a hook must not wait for itself */
  if (pthread_mutex_trylock(&gp__hooks_mu) != 0) return;
  int n = gp__nhooks;
  gp__nhooks = 0; /* each runs once */
  for (int i = 0; i < n; i++) gp__hooks[i].fn(gp__hooks[i].ud);
  pthread_mutex_unlock(&gp__hooks_mu);
}

/* ---- "exit" ------------------------------------------------------------------------------ */

int gp__js_emit_exit(gp_js_runtime_t *rt, int code) {
  GP_JS_ASSERT(rt);
  JSContextRef ctx = rt->ctx;
  JSValueRef p = gp__js_get(ctx, rt->host, "process");
  JSValueRef fn = JSValueIsObject(ctx, p) ? gp__js_get(ctx, (JSObjectRef)p, "emitExit") : NULL;
  if (fn == NULL || !gp__js_is_function(ctx, fn))
    return code < 0 ? 0 : code;
  JSValueRef arg = code < 0 ? JSValueMakeUndefined(ctx) : JSValueMakeNumber(ctx, code);
  JSValueRef exc = NULL;
  JSValueRef v = JSObjectCallAsFunction(ctx, (JSObjectRef)fn, NULL, 1, &arg, &exc);
  if (exc) { /* a throwing "exit" listener: as Node, reported, status 1 */
    if (!rt->ended) gp__js_report(ctx, exc, "Uncaught"); /* else process.exit() unwound */
    return 1;
  }
  return v && JSValueIsNumber(ctx, v) ? (int)JSValueToNumber(ctx, v, NULL) : 0;
}

/* ---- Natives ----------------------------------------------------------------------------- */

/* hrtime() -> [seconds, nanoseconds] of the monotonic clock. */
static JSValueRef gp__proc_hrtime(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  JSValueRef items[2] = {JSValueMakeNumber(ctx, (double)ts.tv_sec),
                         JSValueMakeNumber(ctx, (double)ts.tv_nsec)};
  return JSObjectMakeArray(ctx, 2, items, NULL);
}

static double gp__num_prop(JSContextRef ctx, JSObjectRef o, const char *name) {
  JSValueRef v = gp__js_get(ctx, o, name);
  return JSValueIsNumber(ctx, v) ? JSValueToNumber(ctx, v, NULL) : 0;
}

/* heap() -> {heapUsed, heapTotal, external}: JavaScriptCore's own statistics. Its
 * heap size counts the cells found live by the last collection (0 before the first):
 * until then the heap's capacity stands for it. heapTotal: the capacity; external:
 * memory that objects report outside the heap (large strings, some ArrayBuffers). */
static JSValueRef gp__proc_heap(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSObjectRef st = JSGetMemoryUsageStatistics(ctx);
  double used = gp__num_prop(ctx, st, "heapSize"), total = gp__num_prop(ctx, st, "heapCapacity");
  if (used <= 0 || used > total) used = total;
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "heapUsed", JSValueMakeNumber(ctx, used));
  gp__js_set(ctx, o, "heapTotal", JSValueMakeNumber(ctx, total));
  gp__js_set(ctx, o, "external", JSValueMakeNumber(ctx, gp__num_prop(ctx, st, "extraMemorySize")));
  return o;
}

/* ids() -> {pid, ppid, uid, gid, euid, egid} */
static JSValueRef gp__proc_ids(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "pid", JSValueMakeNumber(ctx, (double)getpid()));
  gp__js_set(ctx, o, "ppid", JSValueMakeNumber(ctx, (double)getppid()));
  gp__js_set(ctx, o, "uid", JSValueMakeNumber(ctx, (double)getuid()));
  gp__js_set(ctx, o, "gid", JSValueMakeNumber(ctx, (double)getgid()));
  gp__js_set(ctx, o, "euid", JSValueMakeNumber(ctx, (double)geteuid()));
  gp__js_set(ctx, o, "egid", JSValueMakeNumber(ctx, (double)getegid()));
  return o;
}

/* isatty(fd) -> boolean */
static JSValueRef gp__proc_isatty(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  int fd = (int)JSValueToNumber(ctx, GP__ARG(0), NULL);
  return JSValueMakeBoolean(ctx, isatty(fd) == 1);
}

/* An Error shaped as Node's system errors: message "SYSCALL CODE", code, errno (a
 * negative errno, libuv's), syscall. */
JSObjectRef gp__js_uv_error(JSContextRef ctx, int uverr, const char *syscall) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s %s (%s)", syscall, uv_err_name(uverr), uv_strerror(uverr));
  JSValueRef m = gp__js_str(ctx, msg);
  JSObjectRef e = JSObjectMakeError(ctx, 1, &m, NULL);
  gp__js_set(ctx, e, "code", gp__js_str(ctx, uv_err_name(uverr)));
  gp__js_set(ctx, e, "errno", JSValueMakeNumber(ctx, uverr));
  gp__js_set(ctx, e, "syscall", gp__js_str(ctx, syscall));
  return e;
}

/* kill(pid, signum): throws a system error (ESRCH, EPERM, EINVAL). */
static JSValueRef gp__proc_kill(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  int pid = (int)JSValueToNumber(ctx, GP__ARG(0), NULL);
  int sig = (int)JSValueToNumber(ctx, GP__ARG(1), NULL);
  int rc = uv_kill(pid, sig);
  if (rc != 0) *exc = gp__js_uv_error(ctx, rc, "kill");
  return JSValueMakeUndefined(ctx);
}

/* signalListeners(name, count): the script's listener count for "SIGINT"/"SIGTERM",
 * read by the signal thread (interrupt.c) when a signal arrives. */
static JSValueRef gp__proc_sig_listeners(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  char *name = gp__js_to_cstr(ctx, GP__ARG(0));
  int n = (int)JSValueToNumber(ctx, GP__ARG(1), NULL);
  if (name && strcmp(name, "SIGINT") == 0) atomic_store(&rt->sig_listeners[0], n);
  if (name && strcmp(name, "SIGTERM") == 0) atomic_store(&rt->sig_listeners[1], n);
  free(name);
  return JSValueMakeUndefined(ctx);
}

/* decodeUtf8(u8) -> the bytes of a Uint8Array (its view) as text; each invalid
 * sequence becomes U+FFFD. */
static JSValueRef gp__proc_decode(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef v = GP__ARG(0);
  if (!JSValueIsObject(ctx, v) ||
      JSValueGetTypedArrayType(ctx, v, NULL) != kJSTypedArrayTypeUint8Array)
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "decodeUtf8 needs a Uint8Array");
  const char *p = JSObjectGetTypedArrayBytesPtr(ctx, (JSObjectRef)v, NULL);
  size_t n = JSObjectGetTypedArrayByteLength(ctx, (JSObjectRef)v, NULL);
  JSStringRef s = gp__js_string_n(p, n);
  JSValueRef out = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  return out;
}

/* The signals process.kill() and process.on() know, by Node's names. */
static const struct {
  const char *name;
  int num;
} gp__signals[] = {
    {"SIGHUP", SIGHUP},   {"SIGINT", SIGINT},     {"SIGQUIT", SIGQUIT}, {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP}, {"SIGABRT", SIGABRT},   {"SIGBUS", SIGBUS},   {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1},   {"SIGSEGV", SIGSEGV}, {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM},   {"SIGTERM", SIGTERM}, {"SIGCHLD", SIGCHLD},
    {"SIGCONT", SIGCONT}, {"SIGSTOP", SIGSTOP},   {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN},
    {"SIGTTOU", SIGTTOU}, {"SIGURG", SIGURG},     {"SIGXCPU", SIGXCPU}, {"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH}, {"SIGIO", SIGIO},
    {"SIGSYS", SIGSYS},
};

static JSObjectRef gp__signal_table(JSContextRef ctx) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  for (size_t i = 0; i < sizeof gp__signals / sizeof gp__signals[0]; i++)
    gp__js_set(ctx, o, gp__signals[i].name, JSValueMakeNumber(ctx, gp__signals[i].num));
  return o;
}

/* process.versions: every value a string, as in Node. */
static JSObjectRef gp__versions(JSContextRef ctx) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  char jsc[48];
  snprintf(jsc, sizeof jsc, "%u.%u.%u", jsc_get_major_version(), jsc_get_minor_version(),
           jsc_get_micro_version());
  gp__js_set(ctx, o, "geppetto", gp__js_str(ctx, GEPPETTO_VERSION));
  gp__js_set(ctx, o, "javascriptcore", gp__js_str(ctx, jsc));
  gp__js_set(ctx, o, "uv", gp__js_str(ctx, uv_version_string()));
  gp__js_set(ctx, o, "curl", gp__js_str(ctx, gp__http_curl_version()));
  gp__js_set(ctx, o, "jansson", gp__js_str(ctx, JANSSON_VERSION));
  return o;
}

static const char *gp__arch(void) {
#if defined(__x86_64__)
  return "x64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "ia32";
#elif defined(__arm__)
  return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

static const gp__js_fn_t gp__proc_fns[] = {
    {"hrtime", gp__proc_hrtime}, {"heap", gp__proc_heap},   {"ids", gp__proc_ids},
    {"isatty", gp__proc_isatty}, {"kill", gp__proc_kill},
    {"signalListeners", gp__proc_sig_listeners}, {"decodeUtf8", gp__proc_decode},
};

void gp__mod_process_init(JSContextRef ctx, JSObjectRef host) {
  JSObjectRef p = JSObjectMake(ctx, NULL, NULL);
  gp__js_set_fns(ctx, p, gp__proc_fns, sizeof gp__proc_fns / sizeof gp__proc_fns[0]);
  gp__js_set(ctx, p, "signals", gp__signal_table(ctx));
  gp__js_set(ctx, p, "versions", gp__versions(ctx));
  gp__js_set(ctx, p, "arch", gp__js_str(ctx, gp__arch()));
  gp__js_set(ctx, host, "process", p);
}
