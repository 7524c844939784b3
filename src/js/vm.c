/* The VM: a JavaScriptCore global context created, used and destroyed on the owner
 * thread, the script environment loaded into it (native modules, then the embedded
 * prelude), and the entry points a host uses to run a script and wait for it.
 *
 * The loop stays alive while timers are pending (their uv timer is armed) and while runs
 * started from JS are active (the `keepalive` async handle is ref'd); the host waits
 * for that with gp_owner_wait_idle. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/log.h"
#include "js/js_private.h"

/* Private JavaScriptCore API exported by the library (JSContextRefPrivate.h). */
JS_EXPORT void JSGlobalContextSetUnhandledRejectionCallback(JSGlobalContextRef ctx,
                                                            JSObjectRef function,
                                                            JSValueRef *exception);
/* Private JavaScriptCore API exported by the library: the VM's lock held across several API
 * calls, which then drain the microtask queue only when it is released. */
JS_EXPORT void JSLock(JSContextRef ctx);
JS_EXPORT void JSUnlock(JSContextRef ctx);

static _Thread_local gp_js_runtime_t *gp__tls_rt;

gp_js_runtime_t *gp__js_rt(void) { return gp__tls_rt; }

void gp__js_run_begin(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  if (rt->active_runs++ == 0 && rt->keeps == 0 && rt->keepalive_open) uv_ref((uv_handle_t *)&rt->keepalive);
}

void gp__js_run_end(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  if (--rt->active_runs == 0 && rt->keeps == 0 && rt->keepalive_open) uv_unref((uv_handle_t *)&rt->keepalive);
}

void gp__js_keep(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  if (rt->keeps++ == 0 && rt->active_runs == 0 && rt->keepalive_open)
    uv_ref((uv_handle_t *)&rt->keepalive);
}

void gp__js_unkeep(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  if (--rt->keeps == 0 && rt->active_runs == 0 && rt->keepalive_open)
    uv_unref((uv_handle_t *)&rt->keepalive);
}

static void gp__keepalive_cb(uv_async_t *h) { (void)h; }

static JSValueRef gp__on_unhandled(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__js_fatal(ctx, argc > 1 ? argv[1] : JSValueMakeUndefined(ctx), "Unhandled rejection");
  return JSValueMakeUndefined(ctx);
}

/* Evaluates an embedded source that is one function expression; returns the function. */
static JSObjectRef gp__eval_factory(JSContextRef ctx, const char *src, const char *name) {
  JSValueRef exc = NULL;
  JSValueRef v = gp__js_eval_lib(ctx, src, name, &exc);
  if (exc) {
    gp__js_report(ctx, exc, name);
    return NULL;
  }
  return JSValueIsObject(ctx, v) ? (JSObjectRef)v : NULL;
}

/* The collector runs on the owner. JavaScriptCore's concurrent collector runs on a
 * thread of its own and suspends the owner with a signal to scan its stack; in
 * events_batch_concurrent.js that thread was found waiting forever for the suspension
 * to be acknowledged while the owner waited for the collection: 8 hangs in 26 runs
 * under ThreadSanitizer, none in 120 without the concurrent collector (the same script
 * also hung once in a plain build, where no stacks were taken). A VM used by one
 * thread gains little from it: the owner's requests are short, and collecting on the
 * owner spares a thread. */
static pthread_once_t gp__vm_options = PTHREAD_ONCE_INIT;

static void gp__vm_options_once(void) {
  if (!jsc_options_set_boolean("useConcurrentGC", 0))
    gp_log(GP_LOG_WARN, "js", "JavaScriptCore has no option useConcurrentGC; the collector "
                              "stays concurrent");
  /* The least a small heap grows between collections (1 MiB by default): at 256 KiB a
   * script that streams a download in pieces (fetch) or churns through buffers keeps
   * its RSS about 10 MB lower (50 MB in 16 KiB pieces: 13.7 -> 4.2 MB of growth), for
   * no CPU cost measurable on an agent's workload. An environment variable
   * JSC_smallHeapSize still overrides it. */
  if (!getenv("JSC_smallHeapSize")) jsc_options_set_uint("smallHeapSize", 256u << 10);
}

static int gp__vm_create(void *arg, gp_owner_completion_t *c, void **result) {
  gp_js_runtime_t *rt = arg;
  GP_JS_ASSERT(rt);
  gp__tls_rt = rt;
  /* before the first VM reads the options */
  pthread_once(&gp__vm_options, gp__vm_options_once);
  gp__js_watchdog_options();
  rt->ctx = JSGlobalContextCreate(NULL);
  JSContextRef ctx = rt->ctx;
  gp__js_watchdog_init(rt);
  JSObjectRef global = JSContextGetGlobalObject(ctx);
  rt->host = JSObjectMake(ctx, NULL, NULL);
  JSValueProtect(ctx, rt->host);
  gp__mod_host_init(ctx, rt->host);
  gp__mod_timers_init(ctx, global);
  gp__mod_web_init(ctx, rt->host);
  gp__mod_encoding_init(ctx, rt->host);
  gp__mod_permission_init(ctx, rt->host);
  gp__mod_fetch_init(ctx, rt->host);
  gp__mod_events_init(ctx, rt->host);
  gp__mod_crypto_init(ctx, rt->host);
  gp__mod_process_init(ctx, rt->host);
  gp__mod_stdin_init(ctx, rt->host);
  gp__mod_fs_init(ctx, rt->host);
  gp__mod_os_init(ctx, rt->host);
  gp__mod_module_init(ctx, rt->host);
  gp__mod_child_init(ctx, rt->host);
  JSObjectRef native = JSObjectMake(ctx, NULL, NULL);
  gp__mod_turns_init(ctx, native);
  gp__mod_engines_init(ctx, native);
  gp__mod_session_init(ctx, native);
  gp__mod_runtime_init(ctx, native);
  gp__mod_middleware_init(ctx, native);
  gp__mod_tools_init(ctx, native);
  gp__mod_hooks_init(ctx, native);
  gp__mod_providers_init(ctx, native);
  gp__mod_mcp_init(ctx, native);
  uv_async_init(gp_owner_loop(rt->owner), &rt->keepalive, gp__keepalive_cb);
  uv_unref((uv_handle_t *)&rt->keepalive);
  rt->keepalive_open = 1;

  JSStringRef n = gp__js_string("onUnhandledRejection");
  JSObjectRef cb = JSObjectMakeFunctionWithCallback(ctx, n, gp__on_unhandled);
  JSStringRelease(n);
  JSGlobalContextSetUnhandledRejectionCallback(rt->ctx, cb, NULL);

  /* the error constructors the runtime's code sees (before anything else compiles) */
  JSObjectRef errf = gp__eval_factory(ctx, gp__js_src_errors, "geppetto:errors");
  JSValueRef host_arg = rt->host;
  JSValueRef scope = errf ? JSObjectCallAsFunction(ctx, errf, NULL, 1, &host_arg, NULL) : NULL;
  if (scope == NULL || !JSValueIsArray(ctx, scope)) return GP_ERR_INTERNAL;
  gp__js_set(ctx, rt->host, "errorScope", scope);
  JSObjectRef gpf = gp__eval_factory(ctx, gp__js_src_geppetto, "geppetto:module");
  JSObjectRef pre = gp__eval_factory(ctx, gp__js_src_prelude, "geppetto:prelude");
  /* the prelude's second part: require, import, the entry points */
  JSObjectRef mods = gp__eval_factory(ctx, gp__js_src_modules, "geppetto:prelude");
  if (gpf == NULL || pre == NULL || mods == NULL) return GP_ERR_INTERNAL;
  gp__js_set(ctx, rt->host, "modulesFactory", mods);
  gp__js_set(ctx, rt->host, "native", native);
  gp__js_set(ctx, rt->host, "geppettoFactory", gpf);
  JSValueRef exc = NULL;
  JSValueRef args[] = {rt->host};
  JSObjectCallAsFunction(ctx, pre, NULL, 1, args, &exc);
  if (exc) {
    gp__js_report(ctx, exc, "geppetto:prelude");
    return GP_ERR_INTERNAL;
  }
  return GP_OK;
}

int gp__js_runtime_new(gp_owner_t *owner, const gp_js_options_t *opts, gp_js_runtime_t **out) {
  *out = NULL;
  gp_js_runtime_t *rt = gp__xcalloc(1, sizeof *rt);
  rt->owner = owner;
  rt->next_timer_id = 1;
  pthread_mutex_init(&rt->runs_mu, NULL);
  if (opts) {
    rt->argc = opts->argc;
    rt->argv = opts->argv;
    rt->profile = gp__xstrdup(opts->profile);
    rt->profiles = gp__xstrdup(opts->profiles);
    rt->perm = opts->perm;
    rt->exit_process = opts->exit_process;
  }
  int rc = gp_owner_call(owner, "js.create", gp__vm_create, rt, NULL, NULL, NULL);
  if (rc != GP_OK) {
    gp__js_runtime_close(rt);
    /* the caller frees the owner, then the runtime */
  }
  *out = rt;
  return rc;
}

typedef struct {
  gp_js_runtime_t *rt;
  const char *entry;   /* "runMain" or "runEval" */
  const char *text;
} gp__run_req_t;

static int gp__vm_run(void *arg, gp_owner_completion_t *c, void **result) {
  gp__run_req_t *q = arg;
  gp_js_runtime_t *rt = q->rt;
  GP_JS_ASSERT(rt);
  if (rt->ended) return GP_ERR_OWNER_CLOSED; /* the script has exited: nothing runs now */
  if (rt->ctx == NULL) return GP_ERR_INTERNAL;
  JSContextRef ctx = rt->ctx;
  JSValueRef fn = gp__js_get(ctx, rt->host, q->entry);
  JSValueRef exc = NULL;
  JSValueRef args[] = {gp__js_str(ctx, q->text)};
  /* one lock over the entry point and the code it prepared: the microtasks they queue
   * run when it is released, as at the end of one call (not between the two) */
  JSLock(ctx);
  JSValueRef entry = JSObjectCallAsFunction(ctx, (JSObjectRef)fn, NULL, 1, args, &exc);
  if (exc == NULL) gp__js_run_entry(ctx, entry, &exc);
  JSUnlock(ctx);
  if (exc && rt->ended) return GP_OK; /* process.exit() unwound it: the script ended */
  if (exc) {
    gp__js_report(ctx, exc, "Uncaught");
    rt->uncaught = 1;
    return GP_ERR_JS_EXCEPTION;
  }
  return GP_OK;
}

/* Host thread (a stat, off the owner). The loader has reported the failure already; a
 * main script that is not there, or not readable, is told apart from one that threw. */
int gp__js_runtime_run_file(gp_js_runtime_t *rt, const char *path) {
  gp__run_req_t q = {rt, "runMain", path};
  int rc = gp_owner_call(rt->owner, "js.runMain", gp__vm_run, &q, NULL, NULL, NULL);
  struct stat st;
  if (rc == GP_ERR_JS_EXCEPTION && (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, R_OK) != 0))
    rc = GP_ERR_MODULE_NOT_FOUND;
  return rc;
}

int gp__js_runtime_eval(gp_js_runtime_t *rt, const char *code) {
  gp__run_req_t q = {rt, "runEval", code};
  return gp_owner_call(rt->owner, "js.eval", gp__vm_run, &q, NULL, NULL, NULL);
}

int gp__js_runtime_wait(gp_js_runtime_t *rt) { return gp_owner_wait_idle(rt->owner, -1); }

static int gp__vm_exit_code(void *arg, gp_owner_completion_t *c, void **result) {
  gp_js_runtime_t *rt = arg;
  GP_JS_ASSERT(rt);
  int sig = gp__js_sigwatch_status(rt);
  int forced = sig ? sig : rt->ended ? rt->end_status : rt->uncaught ? 1 : -1;
  int code = rt->ctx && !rt->ended ? gp__js_emit_exit(rt, forced) : forced < 0 ? 0 : forced;
  if (forced >= 0) code = forced;
  if (rt->ended) code = rt->end_status; /* an "exit" listener called process.exit(n) */
  *result = (void *)(intptr_t)(code & 0xff);
  return GP_OK;
}

int gp__js_runtime_exit_code(gp_js_runtime_t *rt) {
  void *res = NULL;
  if (gp_owner_call(rt->owner, "js.exitCode", gp__vm_exit_code, rt, NULL, &res, NULL) != GP_OK)
    return 0;
  return (int)(intptr_t)res;
}

/* Owner, with no JavaScript on the stack: closes everything the script left pending and
 * destroys the VM. Runs again harmlessly (gp__js_runtime_close after the script ended). */
static void gp__vm_teardown(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  gp__js_timers_close(rt);
  gp__js_fetch_close_all(rt);
  gp__js_stdin_close(rt);
  gp__js_fs_close_all(rt);
  gp__js_child_close_all(rt);
  gp__js_mcp_close_all(rt);
  if (rt->keepalive_open) {
    uv_close((uv_handle_t *)&rt->keepalive, NULL);
    rt->keepalive_open = 0;
  }
  if (rt->ctx) {
    JSGlobalContextRef ctx = rt->ctx;
    JSValueUnprotect(ctx, rt->host);
    rt->host = NULL;
    JSGarbageCollect(ctx);
    rt->ctx = NULL; /* finalizers' deferred posts see the VM gone */
    JSGlobalContextRelease(ctx);
  }
  gp__js_sig_unlist_all(rt);
}

static int gp__vm_destroy(void *arg, gp_owner_completion_t *c, void **result) {
  gp_js_runtime_t *rt = arg;
  gp__vm_teardown(rt);
  /* the runs still listed (their settlement found the VM gone, or never came) let go
   * while the owner their hosts name still exists */
  gp__js_runs_clear(rt);
  gp__tls_rt = NULL;
  return GP_OK;
}

/* Owner, a loop turn after the script ended (exit_process 0): its runs canceled (their
 * callbacks into JS find the VM gone), the rest as at gp__js_runtime_close. */
static void gp__vm_end(void *arg) {
  gp_js_runtime_t *rt = arg;
  int n = gp__js_runs_cancel_all(rt);
  gp_log(GP_LOG_DEBUG, "js", "the script ended with %d: %d run(s) canceled", rt->end_status, n);
  gp__vm_teardown(rt);
}

void gp__js_script_end(gp_js_runtime_t *rt, int status) {
  GP_JS_ASSERT(rt);
  if (rt->ended) return;
  rt->ended = 1;
  rt->end_status = status & 0xff;
  if (gp_owner_post(rt->owner, "js.scriptEnd", gp__vm_end, rt, NULL) != GP_OK)
    gp_log(GP_LOG_WARN, "js", "the script ended but its teardown could not be queued");
}

void gp__js_runtime_close(gp_js_runtime_t *rt) {
  if (rt == NULL) return;
  gp__js_sigwatch_stop(rt);
  gp_owner_call(rt->owner, "js.destroy", gp__vm_destroy, rt, NULL, NULL, NULL);
}

void gp__js_runtime_free(gp_js_runtime_t *rt) {
  if (rt == NULL) return;
  free(rt->profile);
  free(rt->profiles);
  gp_registry_unref(rt->native_tools);
  gp__pump_unref(rt->events);
  gp__js_sigwatch_free(rt);
  gp__js_runs_clear(rt);
  pthread_mutex_destroy(&rt->runs_mu);
  free(rt);
}
