/* Internals of the JavaScript runtime shared by src/js/ files: the runtime struct, the
 * helpers every binding uses (strings, errors, the JSON codec) and each module's init.
 *
 * Everything declared here touches the VM and runs on the owner thread only (debug
 * builds assert it with GP_JS_ASSERT). JavaScriptCore types never leave src/js/. */
#ifndef GP_JS_PRIVATE_H
#define GP_JS_PRIVATE_H

#include <JavaScriptCore/JavaScript.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <uv.h>

#include "geppetto/engine.h"
#include "geppetto/error.h"
#include "geppetto/event.h"
#include "geppetto/owner.h"
#include "geppetto/session.h"
#include "geppetto/tool.h"
#include "geppetto/turn.h"
#include "js/runtime.h"

typedef struct gp__js_timers_s gp__js_timers_t;

struct gp_js_runtime_s {
  gp_owner_t *owner;              /* borrowed; outlives the runtime */
  JSGlobalContextRef ctx;         /* owner thread only; NULL once destroyed */
  JSObjectRef host;               /* the native `__host` object (protected) */
  uv_async_t keepalive;           /* ref'd while runs are active: keeps the loop busy */
  int keepalive_open;             /* owner thread */
  int active_runs;                /* runs started from JS and not yet settled; owner */
  gp__js_timers_t *timers;        /* timers' heap (mod_timers.c), made at the first
                                     setTimeout; owner thread */
  uint32_t next_timer_id;         /* owner thread */
  int argc;                       /* process.argv, borrowed from the host */
  char **argv;
  char *profile, *profiles;       /* --profile / --profiles, or NULL; heap */
  const gp__perm_t *perm;         /* permission set (NULL: model off); borrowed from the
                                     host until gp__js_runtime_free; read on the owner */
  struct gp__js_guard_s *guards;  /* guarded calls in progress, innermost first; owner */
  uint64_t wd_fires;              /* times the watchdog terminated JS; owner thread */
  int wd_reason;                  /* the reason of the last termination; owner thread */
  gp_registry_t *native_tools;    /* tools a C host registered (useNativeTools), or
                                     NULL; pointer read and set on the owner only */
  struct gp__jsfetch_s *fetches;  /* fetch transfers open (mod_fetch.c); owner thread */
  _Atomic int fetch_live;         /* transfers whose end the HTTP loop has not yet posted:
                                     the runtime (and its owner) must outlive them */
  int keeps;                      /* I/O keeping the loop alive (gp__js_keep); owner */
  struct gp__pump_s *events;      /* the event pump of async runs (pump.c), made at the
                                     first start(); set and read on the owner only */
  struct gp__stdin_s *stdin_r;    /* process.stdin's reader (mod_stdin.c), made at the
                                     first read; owner thread */
  pthread_mutex_t runs_mu;        /* guards runs, nruns, capruns */
  struct gp_run_s **runs;         /* runs started from JS, not yet ended (references):
                                     what a SIGINT cancels; under runs_mu */
  size_t nruns, capruns;
  _Atomic int sig_listeners[2];   /* the script's "SIGINT"/"SIGTERM" listener counts,
                                     written on the owner, read by the signal thread */
  struct gp__sigwatch_s *sigwatch; /* the signal thread (interrupt.c), or NULL; set and
                                     freed by the host thread */
  int uncaught;                   /* the main script threw: exit status 1; owner */
  int exit_process;               /* gp_js_options_t.exit_process; read on the owner */
  int ended;                      /* exit_process 0: the script has ended (uncaught
                                     exception, unhandled rejection, process.exit) and
                                     runs no more; owner */
  int ending;                     /* the "exit" listeners of an uncaught failure run; owner */
  int end_status;                 /* the status it ended with (when `ended`); owner */
  struct gp__fsreq_s *fs_reqs;    /* fs calls pending on the thread pool (mod_fs.c); owner */
  struct gp__js_sig_s *sigs;      /* live ctx.signal of run callbacks (signal.c); owner */
};

#define GP_JS_ASSERT(rt) GP_ASSERT_OWNER((rt)->owner)
/* A native function's argument i, undefined when the caller passed fewer (for use in
 * a JSObjectCallAsFunctionCallback, whose parameters are ctx, argc and argv). */
#define GP__ARG(i) (argc > (i) ? argv[(i)] : JSValueMakeUndefined(ctx))

/* The runtime of the calling (owner) thread; NULL outside one. */
gp_js_runtime_t *gp__js_rt(void);

/* ---- Strings (utf.c): the one UTF-8 <-> UTF-16 conversion ---------------------------- */

/* The length of the longest valid UTF-8 prefix of s[0..n) (n when all of it is valid;
 * overlong forms, surrogates and code points above U+10FFFF are invalid). */
size_t gp__utf8_valid_prefix(const char *s, size_t n);
/* Decodes s[0..n) into out (room for n units always suffices); each maximal subpart of
 * an invalid sequence becomes one U+FFFD (WHATWG). Returns the units written. */
size_t gp__utf8_to_utf16(const char *s, size_t n, uint16_t *out);
/* Encodes s[0..n) into out (NULL: only counts); a lone surrogate becomes U+FFFD.
 * Returns the bytes written (no NUL added). */
size_t gp__utf16_to_utf8(const uint16_t *s, size_t n, char *out);
/* A new JS string (caller releases) from the NUL-terminated UTF-8 `s` (NULL: ""), or
 * from the n bytes at s that may hold NUL and need no terminator. Never fails. */
JSStringRef gp__js_string(const char *s);
JSStringRef gp__js_string_n(const char *s, size_t n);
/* A heap UTF-8 copy of a JS string (caller frees); *len (optional) gets its bytes,
 * which may include NUL characters. */
char *gp__js_strdup_n(JSStringRef s, size_t *len);
/* In JSON text from JSON.stringify, rewrites each \uXXXX escape of a lone surrogate
 * (which jansson refuses) to \ufffd, in place. Returns how many it rewrote. */
size_t gp__json_fix_lone_surrogates(char *text);

/* ---- Helpers (util.c) -------------------------------------------------------------- */

/* A heap UTF-8 copy of a JS string / of String(value) (NULL on a throwing conversion). */
char *gp__js_strdup(JSContextRef ctx, JSStringRef s);
char *gp__js_to_cstr(JSContextRef ctx, JSValueRef v);
JSValueRef gp__js_str(JSContextRef ctx, const char *s);
/* obj[name] = value (no exception handling: never throws for plain objects). */
void gp__js_set(JSContextRef ctx, JSObjectRef obj, const char *name, JSValueRef value);
JSValueRef gp__js_get(JSContextRef ctx, JSObjectRef obj, const char *name);
void gp__js_set_fn(JSContextRef ctx, JSObjectRef obj, const char *name,
                   JSObjectCallAsFunctionCallback fn);
/* A table of natives, installed on an object in one call. */
typedef struct {
  const char *name;
  JSObjectCallAsFunctionCallback fn;
} gp__js_fn_t;
void gp__js_set_fns(JSContextRef ctx, JSObjectRef obj, const gp__js_fn_t *fns, size_t n);
/* An Error (or TypeError when type_error) with `code` set to the name of `code`. */
JSObjectRef gp__js_error(JSContextRef ctx, int code, int type_error, const char *msg);
/* The Error object for a failure: code, message, partialTurn when it has one. */
JSObjectRef gp__js_error_from(JSContextRef ctx, const gp_error_t *err);
/* A gp_error_t for a thrown JS value: `code` from its `code` property when it names a
 * known code, else `fallback`; message from its `message` (or String(value)). */
gp_error_t *gp__js_error_to_c(JSContextRef ctx, JSValueRef exc, int fallback);
/* Sets *exc to the Error of the C failure `err` (a TypeError for INVALID_ARGUMENT; an
 * INVALID_ARGUMENT one when NULL), frees it, returns undefined. */
JSValueRef gp__js_throw_c(JSContextRef ctx, JSValueRef *exc, gp_error_t *err);
/* A JS boolean: whether the path the JS value names exists and is of `kind` (S_IFREG,
 * S_IFDIR, ...), following symbolic links. */
JSValueRef gp__js_path_is(JSContextRef ctx, JSValueRef path, unsigned kind);
/* Evaluates the n bytes of UTF-8 source at src as a script whose frames are named
 * `url` (its line 1 is line 1). Returns its value, or NULL with *exc set. */
JSValueRef gp__js_eval(JSContextRef ctx, const char *src, size_t n, const char *url, JSValueRef *exc);
/* Evaluates an embedded library file (one function expression, named `url`) with the
 * error constructors of host.errorScope (lib/errors.js) in its scope; returns its value. */
JSValueRef gp__js_eval_lib(JSContextRef ctx, const char *src, const char *url, JSValueRef *exc);
/* Sets *exc to an Error and returns undefined: `return gp__js_throw(...)`. */
JSValueRef gp__js_throw(JSContextRef ctx, JSValueRef *exc, int code, int type_error,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 1 if v is a callable object. */
int gp__js_is_function(JSContextRef ctx, JSValueRef v);
/* v as a function, or NULL with *exc set to a TypeError (INVALID_ARGUMENT) whose
 * message is `need` ("X needs a function ..."): a native's function argument. */
JSObjectRef gp__js_function_arg(JSContextRef ctx, JSValueRef v, const char *need, JSValueRef *exc);
/* The private data of v when it is an object of class `cls` (NULL: not made yet), else
 * NULL: what each binding's gp__js_X_of reads. */
void *gp__js_private_of(JSContextRef ctx, JSValueRef v, JSClassRef cls);
/* 1 if v is an object with a callable `then`. */
int gp__js_is_thenable(JSContextRef ctx, JSValueRef v);
/* Prints "Uncaught <message>\n<stack>" on stderr. */
void gp__js_report(JSContextRef ctx, JSValueRef exc, const char *what);
/* Reports an exception that nobody can catch (timer, listener-less callback) and
 * emits process "exit". With exit_process it then ends the process with status 1 and
 * never returns; without it the script ends (gp__js_script_end with 1) and it returns:
 * the caller goes on with no further JavaScript. Once the script has ended it reports
 * nothing (what the script's last code throws, process.exit's unwinding included). */
void gp__js_fatal(JSContextRef ctx, JSValueRef exc, const char *what);
/* Flushes stdio and ends the process now with `code` (exit_process: process.exit). */
void gp__js_exit_now(int code) __attribute__((noreturn));
/* exit_process 0: the script has ended with `status` (the first call counts): marks it
 * ended and posts the teardown of its pending work (runs canceled; timers, I/O handles,
 * fetches dropped; child processes killed; the VM destroyed) to the owner's loop, where
 * no JavaScript is on the stack. Owner. */
void gp__js_script_end(gp_js_runtime_t *rt, int status);

/* ---- JSON codec (codec.c) -------------------------------------------------------- */

/* JS value -> JSON (new reference; JSON null for undefined). NULL with *exc set when
 * the value cannot be serialised. */
json_t *gp__js_to_json(JSContextRef ctx, JSValueRef v, JSValueRef *exc);
/* JSON -> JS value (NULL json: undefined), built directly: the same value as
 * JSON.parse(json_dumps(j)) gives. */
JSValueRef gp__js_from_json(JSContextRef ctx, const json_t *j);
/* An event as its JS object, built directly: the same value as
 * JSON.parse(json_dumps(gp_event_to_json(ev))) gives. */
JSValueRef gp__js_from_event(JSContextRef ctx, const gp_event_t *ev);
/* JS Turn -> C turn, validated (TypeError naming an unknown kind). NULL with *exc. */
gp_turn_t *gp__js_to_turn(JSContextRef ctx, JSValueRef v, JSValueRef *exc);
JSValueRef gp__js_from_turn(JSContextRef ctx, const gp_turn_t *t);
/* The same, then frees the C value: a native's result made in C. */
JSValueRef gp__js_take_json(JSContextRef ctx, json_t *j);
JSValueRef gp__js_take_turn(JSContextRef ctx, gp_turn_t *t);

/* ---- Awaiting a Promise for a deferred owner call (await.c) ---------------------- */

/* Converts a settled promise's value into the call's answer: returns the status for
 * gp_owner_complete and sets *result. `rejected` says which reaction ran. Runs on the
 * owner inside the reaction; must release (unprotect) whatever `ud` holds. */
typedef int (*gp__js_settle_fn)(JSContextRef ctx, void *ud, int rejected, JSValueRef value,
                                void **result);
/* Attaches reactions to `promise` that finish completion `c` through `settle(ud)`.
 * With c == NULL the promise's outcome is ignored (its rejection is handled). `ud_free`
 * (may be NULL) frees ud once both reactions are gone; it must not touch the VM. */
void gp__js_await(JSContextRef ctx, JSValueRef promise, gp_owner_completion_t *c,
                  gp__js_settle_fn settle, void *ud, void (*ud_free)(void *ud));
/* The same, for a caller that waits with `cancel` (may be NULL): when the token fires
 * before the promise settles, the call is finished at once with the token's reason
 * (its caller has gone) and the promise's outcome is ignored, so a promise that never
 * settles keeps nothing of the owner busy. */
void gp__js_await_token(JSContextRef ctx, JSValueRef promise, gp_owner_completion_t *c,
                        gp_cancel_t *cancel, gp__js_settle_fn settle, void *ud,
                        void (*ud_free)(void *ud));
/* The dispatcher a run's adapter must use: the run's host, else the owner's queue. */
gp_dispatcher_t *gp__js_dispatcher(gp_js_runtime_t *rt, void *host);
/* 1 when `host` is a synchronous run's private dispatcher (callbacks must not pend). */
int gp__js_is_sync(gp_js_runtime_t *rt, void *host);
/* Sets the run's identity on a ctx object: sessionId, inferenceId, tags ({} for NULL). */
void gp__js_set_run(JSContextRef ctx, JSObjectRef o, const gp_run_info_t *run);
/* The `ctx` object of engine and middleware callbacks; `signal` becomes ctx.signal. */
JSObjectRef gp__js_infer_ctx(JSContextRef ctx, const gp_infer_ctx_t *ictx, JSValueRef signal);

/* ---- The JS adapter primitive (adapter.c) ------------------------------------------ */

#define GP__JS_ADAPTER_MAX_ARGS 3
/* One call of a run into a JS function, made on the owner inside an owner request. */
typedef struct {
  JSObjectRef fn;                 /* the function */
  int64_t deadline_ms;            /* interrupts it still running then (0: none) */
  const char *limit;              /* names that deadline; NULL: "the run's timeoutMs" */
  gp_cancel_t *cancel;            /* the call's token (borrowed; may be NULL) */
  void *host;                     /* the run's host (gp__js_is_sync, gp__js_note_pending) */
  /* Owner: fills argv (at most GP__JS_ADAPTER_MAX_ARGS) from ud; returns argc. */
  size_t (*args)(JSContextRef ctx, void *ud, JSValueRef argv[]);
  /* The answer from what fn returned (rejected 0) or threw (1), or what its promise
   * settled with. */
  gp__js_settle_fn settle;
  /* An answer carrying `err` (taken); returns its status. */
  int (*fail)(void *ud, gp_error_t *err, void **result);
  const char *what;               /* names fn in ASYNC_CALLBACK_IN_SYNC_RUN's message, */
  const char *name;               /* followed by this name (may be NULL) */
  void *ud;                       /* taken: ud_free (may be NULL) frees it; no VM */
  void (*ud_free)(void *ud);
} gp__js_adapter_t;
/* Owner: the owner-call fn body of every JS adapter. Returns the answer's status with
 * *result, or GP_OWNER_PENDING when a returned promise is awaited (finishing `c` when it
 * settles, or with the token's reason once `cancel` fires first). */
int gp__js_adapter_call(gp_js_runtime_t *rt, const gp__js_adapter_t *a, gp_owner_completion_t *c,
                        void **result);

/* The answer of a JS function that returns a Turn (engine function, middleware). */
typedef struct {
  gp_turn_t *turn;                /* the new turn, or on failure the partial one (or NULL) */
  gp_error_t *err;                /* NULL on success */
} gp__js_turn_answer_t;
/* A new answer of (turn, err), both taken, in *result; returns err's code, or GP_OK. */
int gp__js_turn_answer(gp_turn_t *turn, gp_error_t *err, void **result);
/* Owner: the answer for the value `v` the function returned: a Turn, or undefined for
 * `fallback` (the turn object it was given, possibly changed in place); anything else
 * fails INVALID_ARGUMENT with a copy of `partial` (may be NULL) as the partial turn. */
int gp__js_turn_answer_from(JSContextRef ctx, JSValueRef v, JSValueRef fallback,
                            const gp_turn_t *partial, void **result);
/* Frees an answer (an owner call's result_free): any thread; accepts NULL. */
void gp__js_turn_answer_free(void *a);

/* ---- ctx.signal (signal.c) ----------------------------------------------------------- */

/* One call's AbortSignal tied to a cancel token. */
typedef struct gp__js_sig_s gp__js_sig_t;
/* Owner: a new AbortSignal that aborts (on the owner, through a post to `host`'s
 * dispatcher) with an Error of code CANCELED or TIMEOUT when `cancel` (borrowed; may be
 * NULL: never aborts) fires; already fired: the abort is posted at once. `tool`: the
 * signal of a tool call (a TIMEOUT names executionTimeoutMs), else of a run. Returns the
 * signal and sets *out, to be released with gp__js_sig_release; before the geppetto
 * module is loaded returns undefined and sets *out to NULL. */
JSValueRef gp__js_sig_new(gp_js_runtime_t *rt, JSContextRef ctx, gp_cancel_t *cancel, void *host,
                          int tool, gp__js_sig_t **out);
/* Owner: the call has ended; the signal no longer aborts. Idempotent; NULL: no-op. Touches
 * no JS value (may run in a finalizer). */
void gp__js_sig_finish(gp__js_sig_t *s);
/* Owner: gp__js_sig_finish, then drops the call's reference. Accepts NULL. */
void gp__js_sig_release(void *s);
/* Owner: aborts now every live signal whose token has fired and whose posted abort has
 * not run yet (a run's cancel() and settlement call it, so that a handler's ctx.signal
 * is aborted before the canceled run's promise rejects). */
void gp__js_sig_flush(gp_js_runtime_t *rt);
/* Owner, at teardown: forgets the list of live signals. */
void gp__js_sig_unlist_all(gp_js_runtime_t *rt);
/* Posts JSValueUnprotect(v) to the owner (from any thread, also from finalizers). */
void gp__js_unprotect_later(gp_js_runtime_t *rt, JSValueRef v);

/* ---- Guarded calls: interrupting runaway JavaScript (watchdog.c) ----------------- */

/* Calls fn like JSObjectCallAsFunction(ctx, fn, self, argc, argv, exc), but interrupts
 * it when it still runs at `deadline_ms` (Unix epoch ms, as gp__now_ms() and
 * gp_run_info_t.deadline_ms; 0: none) or once `cancel` (may be NULL; borrowed) fires.
 * Every JS callback a run makes (engine function, middleware, tool handler, hook) goes
 * through it with the run's deadline and token (a tool call: the earlier of the run's
 * deadline and its executionTimeoutMs, and the call's token).
 *   - Returns fn's value, or NULL with *exc set: what fn threw; or, when interrupted,
 *     an Error whose `code` is "TIMEOUT" (deadline) or the token's reason ("CANCELED",
 *     "TIMEOUT"), which gp__js_error_to_c turns into that code.
 *   - A deadline already passed / a token already fired: fn is not called; same Error.
 *   - Interruption is JavaScriptCore's watchdog: uncatchable by the script, it unwinds
 *     to this call only; the VM stays usable. It is checked every ~50 ms of the owner
 *     thread's CPU time, so a runaway loop stops within about that of its deadline.
 *   - Nested calls (inside a synchronous run(): JS frames lie below) cannot be
 *     interrupted and resumed: JavaScriptCore keeps a termination pending for the rest
 *     of the enclosing call (nothing there could catch run()'s error) and aborts inside
 *     microtasks. A nested callback still running at its deadline (or cancel) ends the
 *     process with status 1 and an "Uncaught Error [TIMEOUT]" report naming the remedy
 *     (runAsync()/start()), as an uncaught exception would.
 *   - Only the synchronous part of fn is covered: the continuation of a returned
 *     Promise runs later, from the event loop, outside this call.
 *   - A returned native Promise is marked handled inside the call (before the
 *     microtasks that a top-level call drains on return), so an async function that
 *     rejects before its first await is not reported as an unhandled rejection: the
 *     caller must then await it (gp__js_await) or deliberately discard it.
 * Owner thread only. With deadline_ms == 0 and cancel == NULL nothing is interrupted. */
JSValueRef gp__js_call_guarded(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                               const JSValueRef argv[], int64_t deadline_ms, gp_cancel_t *cancel,
                               JSValueRef *exc);
/* The same, with `limit` naming what deadline_ms is in the report of a nested callback
 * that overran it ("the tool's executionTimeoutMs"); gp__js_call_guarded says "the run's
 * timeoutMs". `limit` is borrowed for the call. */
JSValueRef gp__js_call_guarded_limit(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], int64_t deadline_ms,
                                     const char *limit, gp_cancel_t *cancel, JSValueRef *exc);
/* The library's GLib API for JavaScriptCore's options (jsc/JSCOptions.h; gboolean is
 * int), declared here to keep GLib's headers out of the build. 0 when the option is
 * unknown. Options are read when the first VM is created. */
int jsc_options_set_boolean(const char *option, int value);
int jsc_options_set_uint(const char *option, unsigned value);
/* Sets the process's JavaScriptCore options the watchdog relies on (polling VM traps);
 * call before creating a VM. Any thread; once per process. */
void gp__js_watchdog_options(void);
/* Creates the watchdog at VM creation, before any code is compiled. Owner thread. */
void gp__js_watchdog_init(gp_js_runtime_t *rt);

/* ---- The event pump (pump.c) ----------------------------------------------------- */

/* Something with work for the owner (a run with events waiting). The pump fills `next`
 * and `listed`; the owner of the item sets the two callbacks. */
typedef struct gp__pump_item_s {
  struct gp__pump_item_s *next;   /* under the pump's lock */
  int listed;                     /* under the pump's lock */
  void (*service)(struct gp__pump_item_s *it);            /* owner thread */
  /* Drops the reference the list held; `serviced` 0: never will be (owner closing). */
  void (*release)(struct gp__pump_item_s *it, int serviced);
} gp__pump_item_t;

typedef struct gp__pump_s gp__pump_t;

/* A pump posting its requests named `op` to `d` (the owner's own dispatcher), each
 * running for about `slice_us` at most. Refcount 1. */
gp__pump_t *gp__pump_new(gp_dispatcher_t *d, const char *op, uint64_t slice_us);
gp__pump_t *gp__pump_ref(gp__pump_t *p);
void gp__pump_unref(gp__pump_t *p); /* accepts NULL */
/* Any thread: lists `it` to be serviced on the owner. Returns 1 when it was listed now
 * (the list took the reference the caller took for it), 0 when it already was (the
 * caller drops the reference it took). A pump whose owner is closing releases what it
 * lists unserviced. */
int gp__pump_mark(gp__pump_t *p, gp__pump_item_t *it);

/* ---- Modules: each installs its namespace on `target` ------------------------------ */

void gp__mod_host_init(JSContextRef ctx, JSObjectRef target);     /* __host primitives */
void gp__mod_timers_init(JSContextRef ctx, JSObjectRef global);   /* set/clearTimeout... */
void gp__mod_web_init(JSContextRef ctx, JSObjectRef host);        /* web libraries' natives */
void gp__mod_encoding_init(JSContextRef ctx, JSObjectRef host);   /* text, base64, Buffer codecs */
void gp__mod_permission_init(JSContextRef ctx, JSObjectRef host); /* host.permission */
void gp__mod_fetch_init(JSContextRef ctx, JSObjectRef host);      /* fetch transfers */

/* Pending I/O (a fetch awaiting its response or a read) keeps the owner's loop alive
 * between gp__js_keep and gp__js_unkeep, as active runs do. Owner thread. */
void gp__js_keep(gp_js_runtime_t *rt);
void gp__js_unkeep(gp_js_runtime_t *rt);
/* Aborts every fetch transfer still open and waits (at most a few seconds) until the
 * HTTP loop has let go of each, so none posts to an owner being freed. Teardown, on the
 * owner thread. */
void gp__js_fetch_close_all(gp_js_runtime_t *rt);
/* The next open transfer of the runtime's list (rt->fetches), to count them. */
struct gp__jsfetch_s *gp__js_fetch_next(struct gp__jsfetch_s *f);
void gp__mod_events_init(JSContextRef ctx, JSObjectRef host);     /* events, abort, blob natives */
void gp__mod_crypto_init(JSContextRef ctx, JSObjectRef host);     /* host.crypto: Node's crypto */
void gp__mod_fs_init(JSContextRef ctx, JSObjectRef host);         /* host.fs: Node's fs */
void gp__mod_os_init(JSContextRef ctx, JSObjectRef host);         /* host.os: Node's os */
/* The fs calls still pending no longer reach JS: their values are released, those not
 * started are canceled, the others complete on the loop's last turns without touching
 * the VM. Teardown, on the owner thread. */
void gp__js_fs_close_all(gp_js_runtime_t *rt);
void gp__mod_module_init(JSContextRef ctx, JSObjectRef host);     /* esmToCjs, compile */
/* Runs a module's or eval code's entry ({fn, done} or {script, url, done})
 * and returns done(failed, value) (mod_module.c). */
JSValueRef gp__js_run_entry(JSContextRef ctx, JSValueRef entry, JSValueRef *exc);

/* ---- ES modules to CommonJS (esm.c) -------------------------------------------------- */

typedef struct {
  char *code;  /* heap; the CommonJS body for the module wrapper */
  size_t len;
  int esm;     /* the output is an ES module (calls __gp_hoist, strict, __esModule) */
  int tla;     /* it awaits at top level: an ES module's wrapper must be async */
  char *shifts; /* heap; "line,start,end,delta;" for each reference to an import made
                 * longer: output columns [start, end) of line, width added */
} gp_esm_result_t;
/* Rewrites the source `src[0..n)`: mode 0 CommonJS (only `import(` and `import.meta`),
 * 1 ES module, 2 an ES module if it has a static import/export. Keeps every line, and
 * every column except after a rewritten reference to an import binding on its line
 * (listed in `shifts`). Pure text: any thread. Returns 0. */
int gp__esm_to_cjs(const char *src, size_t n, int mode, gp_esm_result_t *res);
void gp__mod_child_init(JSContextRef ctx, JSObjectRef host);      /* child_process natives */
/* Kills (SIGKILL) and reaps every child process still running, then closes their
 * handles; no JS callback of theirs runs afterwards. Teardown, on the owner thread. */
void gp__js_child_close_all(gp_js_runtime_t *rt);
void gp__mod_turns_init(JSContextRef ctx, JSObjectRef native);    /* turn codec natives */
void gp__mod_engines_init(JSContextRef ctx, JSObjectRef native);  /* echo, fromFunction */
void gp__mod_session_init(JSContextRef ctx, JSObjectRef native);  /* sessions and runs */
void gp__mod_store_init(JSContextRef ctx, JSObjectRef native);    /* stores (mod_store.c) */
/* The store of a native store object (borrowed), or NULL. */
gp_store_t *gp__js_store_of(JSContextRef ctx, JSValueRef v);
/* Calls cb(err) or cb(null) on the owner once session `s` (whose native object is
 * `session_obj`, kept alive meanwhile) has loaded its history; the wait runs off the
 * owner. */
void gp__js_session_when_ready(JSContextRef ctx, gp_session_t *s, JSObjectRef session_obj,
                               JSValueRef cb);
void gp__mod_runtime_init(JSContextRef ctx, JSObjectRef native);  /* runtime.stats */
void gp__mod_middleware_init(JSContextRef ctx, JSObjectRef native); /* middlewares */
void gp__mod_tools_init(JSContextRef ctx, JSObjectRef native);    /* tool registries */
void gp__mod_hooks_init(JSContextRef ctx, JSObjectRef native);    /* tool hooks */
/* The script's process.env standing in for getenv while an engine or embedder is made
 * (env_view.c): begin before the C call, end after it; NULL (nothing to end) when the
 * permission model closes the environment. */
typedef struct gp__js_env gp__js_env_t;
gp__js_env_t *gp__js_env_begin(JSContextRef ctx);
void gp__js_env_end(gp__js_env_t *s);
void gp__mod_providers_init(JSContextRef ctx, JSObjectRef native); /* fromConfig, fromProfile */
void gp__mod_embeddings_init(JSContextRef ctx, JSObjectRef native); /* gp.embeddings (called
                                                                       by the providers' init) */
void gp__mod_mcp_init(JSContextRef ctx, JSObjectRef native);      /* gp.mcp clients (mod_mcp.c) */
void gp__js_mcp_close_all(gp_js_runtime_t *rt);                   /* at teardown: close them */

/* Timers still alive are closed (owner thread; at teardown). */
void gp__js_timers_close(gp_js_runtime_t *rt);
/* The pending timer `id` no longer keeps the loop alive (Node's timeout.unref()); the
 * loop's timer handle is unref'd while only such timers are pending. Unknown id: no-op. */
void gp__js_timer_unref(gp_js_runtime_t *rt, uint32_t id);
/* The C middleware behind a middleware object of gp.middlewares (borrowed), or NULL. */
struct gp_middleware_s *gp__js_middleware_of(JSContextRef ctx, JSValueRef v);
/* A new reference for a createSession `middlewares` entry: a middleware object, or a
 * function (wrapped as gp.middlewares.fromJS would); NULL for anything else. */
struct gp_middleware_s *gp__js_middleware_from(JSContextRef ctx, JSValueRef v);
/* A new middleware adapting JS function f (name: borrowed, or NULL: the function's
 * name, else "js"); f is protected until the middleware is freed (switch.c). */
struct gp_middleware_s *gp__js_mw_new(JSContextRef ctx, gp_js_runtime_t *rt, JSObjectRef f,
                                      const char *name);
/* 1 when `host` is the private dispatcher of a middleware's synchronous next() under
 * runAsync()/start(): a callback there may pend (return GP_OWNER_PENDING) as on the
 * owner's queue, after telling the waiting next() with gp__js_note_pending(rt, host),
 * which then returns a Promise instead of the Turn (switch.c, "Switching"). */
int gp__js_switchable(gp_js_runtime_t *rt, void *host);
void gp__js_note_pending(gp_js_runtime_t *rt, void *host);
/* The C engine behind an engine object made by the engines module, or NULL. */
struct gp_engine_s *gp__js_engine_of(JSContextRef ctx, JSValueRef v);
/* A JS engine object owning `e` (its reference is taken over). */
JSObjectRef gp__js_engine_wrap(JSContextRef ctx, struct gp_engine_s *e);
/* The C registry behind a registry object of gp.tools (borrowed), or NULL. */
gp_registry_t *gp__js_registry_of(JSContextRef ctx, JSValueRef v);
/* Tool hooks from {beforeToolCall?, afterToolCall?, onToolError?, hookErrorPolicy?}:
 * a new reference; NULL for undefined/null (no hooks) or, with *exc set (TypeError
 * naming the problem), for anything invalid. */
gp_tool_hooks_t *gp__js_hooks_from(JSContextRef ctx, JSValueRef v, JSValueRef *exc);
/* ---- process (mod_process.c, interrupt.c, mod_stdin.c) --------------------------- */

void gp__mod_process_init(JSContextRef ctx, JSObjectRef host);    /* host.process natives */
void gp__mod_stdin_init(JSContextRef ctx, JSObjectRef host);      /* host.stdin natives */
/* The runs a signal cancels: each run started from JS is added when it starts and
 * removed when it has ended (add takes a reference, remove drops it). cancel_all
 * cancels every one (returns how many were still going); clear drops the list
 * (teardown). Any thread (runs_mu). */
void gp__js_runs_add(gp_js_runtime_t *rt, struct gp_run_s *run);
void gp__js_runs_remove(gp_js_runtime_t *rt, struct gp_run_s *run);
int gp__js_runs_cancel_all(gp_js_runtime_t *rt);
void gp__js_runs_clear(gp_js_runtime_t *rt);
/* Exit hooks: what must be done before the process ends at once (process.exit, an
 * uncaught exception, a second SIGINT), e.g. killing child processes. Each runs once,
 * on the exiting thread (any thread: a hook must not touch the VM and must not wait
 * for the owner). At most 8; add returns INVALID_ARGUMENT when full. Any thread. */
int gp__js_exit_hook_add(void (*fn)(void *ud), void *ud);
void gp__js_exit_hook_remove(void (*fn)(void *ud), void *ud);
void gp__js_exit_hooks_run(void);
/* An Error as Node's system errors: message "SYSCALL CODE (text)", code ("ENOENT"),
 * errno (libuv's negative value), syscall. */
JSObjectRef gp__js_uv_error(JSContextRef ctx, int uverr, const char *syscall);
/* The signal thread: stopped (joined) by gp__js_runtime_close, freed by
 * gp__js_runtime_free; status is 128 + the signal whose default action began, else 0. */
void gp__js_sigwatch_stop(gp_js_runtime_t *rt);
void gp__js_sigwatch_free(gp_js_runtime_t *rt);
int gp__js_sigwatch_status(gp_js_runtime_t *rt);
/* stdin stops reading for good (a SIGINT's default action), owner; close: teardown. */
void gp__js_stdin_interrupt(gp_js_runtime_t *rt);
void gp__js_stdin_close(gp_js_runtime_t *rt);
/* process.on("exit") listeners: emits "exit" once with `code` (< 0: process.exitCode,
 * else 0) and returns the status to exit with (what the listeners left in
 * process.exitCode, or `code` when >= 0). Owner. */
int gp__js_emit_exit(gp_js_runtime_t *rt, int code);

/* Runs bookkeeping: the loop stays alive while a JS-started run is active. */
void gp__js_run_begin(gp_js_runtime_t *rt);
void gp__js_run_end(gp_js_runtime_t *rt);

/* The embedded JavaScript sources (generated from src/js/lib/). */
extern const char gp__js_src_errors[];
extern const char gp__js_src_prelude[];
extern const char gp__js_src_modules[];
extern const char gp__js_src_geppetto[];

#endif
