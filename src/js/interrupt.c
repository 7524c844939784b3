/* SIGINT and SIGTERM while `geppetto run`/`eval` runs a script (SPEC §2). Only the
 * command starts this (gp__js_runtime_handle_signals): a runtime a C host makes with
 * gp_js_new takes no signal, which stay the host's business (include/geppetto/js.h).
 *
 * A thread of its own (gp-signals) watches both signals with libuv on a private loop,
 * so a signal is seen even while the owner thread is busy: in a synchronous run(), in a
 * runaway loop, in a long listener. On a signal:
 *   - the script listens (process.on("SIGINT"|"SIGTERM"), mirrored in
 *     rt->sig_listeners): the signal is posted to the owner, which emits it to the
 *     listeners, and nothing else happens. A signal arriving while the previous one of
 *     its kind still waits for the owner ends the process at once (the owner is stuck:
 *     pressing Ctrl-C twice always works).
 *   - no listener: every run started from JS is canceled from this thread (a
 *     synchronous run() too: its caller gets CANCELED), the owner stops reading stdin,
 *     and the process ends with 128 + the signal's number once no work is pending (the
 *     CLI asks gp__js_runtime_exit_code), or after GP__GRACE_MS at the latest.
 *   - a second signal after that ends the process at once.
 * Ending at once runs the exit hooks (child processes) and flushes stdio, then _exit.
 *
 * The CLI blocks both signals in every other thread (gp__js_signals_block before any
 * thread exists): the kernel then hands them to this thread, which is waiting for them,
 * rather than to a thread that is busy (under ThreadSanitizer, which delivers a signal
 * only when its thread next enters the C library, a busy owner kept it forever). SIGCHLD
 * goes the same way: libuv's handler for it (child processes of the owner's loop and of
 * spawnSync's private loop) then runs here at once, never on a thread asleep in a raw
 * futex wait, where ThreadSanitizer held it and a spawnSync waited forever. Children
 * start with an empty mask (libuv and the MCP transport reset it). */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/log.h"
#include "js/js_private.h"

/* How long the handlers of canceled runs may take before the process ends anyway. */
#define GP__GRACE_MS 2000

typedef struct gp__sigwatch_s {
  gp_js_runtime_t *rt;          /* borrowed; outlives this */
  pthread_t thread;
  int running;                  /* the thread runs; set and read by the host thread */
  uv_loop_t loop;               /* the thread's own loop */
  uv_signal_t sig[2];           /* SIGINT, SIGTERM; signal thread */
  uv_timer_t grace;             /* armed by the default action; signal thread */
  uv_async_t stop;              /* closes everything: any thread */
  _Atomic int status;           /* 128 + signal once the default action began, else 0 */
  _Atomic int pending[2];       /* a signal posted to the listeners, not yet delivered */
} gp__sigwatch_t;

static const char *const gp__names[2] = {"SIGINT", "SIGTERM"};

/* Flushes f unless another thread holds it (the owner blocked writing to a full pipe
 * must not keep the process from ending; print() flushes after each write anyway). */
static void gp__flush_if_free(FILE *f) {
  if (ftrylockfile(f) != 0) return;
  fflush_unlocked(f);
  funlockfile(f);
}

/* Signal thread: ends the process now (exit hooks, the terminal's mode, stdio). */
static void gp__exit_at_once(int code) {
  gp_log(GP_LOG_DEBUG, "process", "signal: exiting at once with %d", code);
  gp__js_exit_hooks_run();
  uv_tty_reset_mode();
  gp__flush_if_free(stdout);
  gp__flush_if_free(stderr);
  _exit(code);
}

/* Owner: emits the signal to the script's listeners (host.process.onSignal(name)). */
static void gp__deliver(gp__sigwatch_t *w, int i) {
  gp_js_runtime_t *rt = w->rt;
  GP_JS_ASSERT(rt);
  atomic_store(&w->pending[i], 0);
  if (rt->ctx == NULL) return;
  JSContextRef ctx = rt->ctx;
  JSValueRef p = gp__js_get(ctx, rt->host, "process");
  JSValueRef fn = JSValueIsObject(ctx, p) ? gp__js_get(ctx, (JSObjectRef)p, "onSignal") : NULL;
  if (fn == NULL || !gp__js_is_function(ctx, fn)) return;
  JSValueRef arg = gp__js_str(ctx, gp__names[i]);
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, (JSObjectRef)fn, NULL, 1, &arg, &exc);
  if (exc) gp__js_fatal(ctx, exc, "Uncaught");
}

static void gp__deliver_int(void *w) { gp__deliver(w, 0); }
static void gp__deliver_term(void *w) { gp__deliver(w, 1); }

/* Owner: the default action began; input no longer keeps the process alive. */
static void gp__interrupted(void *arg) {
  gp__sigwatch_t *w = arg;
  GP_JS_ASSERT(w->rt);
  if (w->rt->ctx != NULL) gp__js_stdin_interrupt(w->rt);
}

static void gp__on_grace(uv_timer_t *t) {
  gp__sigwatch_t *w = t->data;
  gp__exit_at_once(atomic_load(&w->status));
}

/* Signal thread. */
static void gp__on_signal(uv_signal_t *h, int signum) {
  gp__sigwatch_t *w = h->data;
  gp_js_runtime_t *rt = w->rt;
  int i = signum == SIGINT ? 0 : 1, code = 128 + signum;
  if (atomic_load(&w->status) != 0) gp__exit_at_once(code);
  if (atomic_load(&rt->sig_listeners[i]) > 0) {
    if (atomic_exchange(&w->pending[i], 1)) gp__exit_at_once(code);
    if (gp_owner_post(rt->owner, "process.signal", i == 0 ? gp__deliver_int : gp__deliver_term,
                      w, NULL) != GP_OK)
      gp__exit_at_once(code);
    return;
  }
  atomic_store(&w->status, code);
  int n = gp__js_runs_cancel_all(rt);
  gp_log(GP_LOG_DEBUG, "process", "%s: %d run(s) canceled", gp__names[i], n);
  if (gp_owner_post(rt->owner, "process.interrupt", gp__interrupted, w, NULL) != GP_OK)
    gp__exit_at_once(code);
  uv_timer_start(&w->grace, gp__on_grace, GP__GRACE_MS, 0);
}

static void gp__on_stop(uv_async_t *a) {
  gp__sigwatch_t *w = a->data;
  for (int i = 0; i < 2; i++) uv_close((uv_handle_t *)&w->sig[i], NULL);
  uv_close((uv_handle_t *)&w->grace, NULL);
  uv_close((uv_handle_t *)&w->stop, NULL);
}

/* The signals this thread takes: SIGINT and SIGTERM, which it watches, and SIGCHLD,
 * whose handler libuv installs. */
static sigset_t gp__sigset(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGCHLD);
  return set;
}

void gp__js_signals_block(void) {
  sigset_t set = gp__sigset();
  pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *gp__sigwatch_main(void *arg) {
  gp__sigwatch_t *w = arg;
  pthread_setname_np(pthread_self(), "gp-signals");
  /* the one thread that takes them (see gp__js_signals_block) */
  sigset_t set = gp__sigset();
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  uv_run(&w->loop, UV_RUN_DEFAULT);
  return NULL;
}

int gp__js_runtime_handle_signals(gp_js_runtime_t *rt) {
  if (rt == NULL || rt->sigwatch != NULL) return GP_ERR_INVALID_ARGUMENT;
  gp__sigwatch_t *w = gp__xcalloc(1, sizeof *w);
  w->rt = rt;
  if (uv_loop_init(&w->loop) != 0) {
    free(w);
    return GP_ERR_INTERNAL;
  }
  const int nums[2] = {SIGINT, SIGTERM};
  for (int i = 0; i < 2; i++) {
    uv_signal_init(&w->loop, &w->sig[i]);
    w->sig[i].data = w;
    uv_signal_start(&w->sig[i], gp__on_signal, nums[i]);
  }
  uv_timer_init(&w->loop, &w->grace);
  w->grace.data = w;
  uv_async_init(&w->loop, &w->stop, gp__on_stop);
  w->stop.data = w;
  if (pthread_create(&w->thread, NULL, gp__sigwatch_main, w) != 0) {
    gp__on_stop(&w->stop);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_loop_close(&w->loop);
    free(w);
    return GP_ERR_INTERNAL;
  }
  w->running = 1;
  rt->sigwatch = w;
  return GP_OK;
}

void gp__js_sigwatch_stop(gp_js_runtime_t *rt) {
  gp__sigwatch_t *w = rt->sigwatch;
  if (w == NULL || !w->running) return;
  uv_async_send(&w->stop);
  pthread_join(w->thread, NULL);
  w->running = 0;
  uv_loop_close(&w->loop);
}

void gp__js_sigwatch_free(gp_js_runtime_t *rt) {
  if (rt->sigwatch == NULL) return;
  gp__js_sigwatch_stop(rt);
  free(rt->sigwatch);
  rt->sigwatch = NULL;
}

int gp__js_sigwatch_status(gp_js_runtime_t *rt) {
  return rt->sigwatch ? atomic_load(&rt->sigwatch->status) : 0;
}
