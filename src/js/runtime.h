/* The JavaScript runtime as a host (the `geppetto` command) sees it: a JavaScriptCore
 * context that lives on an owner thread, a script to run, and an exit status.
 *
 * This header has no JavaScriptCore type in it: hosts outside src/js/ include it.
 * Every function here is called from a host thread that is NOT the owner thread; each
 * hops to the owner with gp_owner_call, where the VM is created, used and destroyed. */
#ifndef GP_JS_RUNTIME_H
#define GP_JS_RUNTIME_H

#include "geppetto/owner.h"
#include "geppetto/tool.h"
#include "js/permission.h"

typedef struct gp_js_runtime_s gp_js_runtime_t;

typedef struct gp_js_options_s {
  int argc;                 /* process.argv (borrowed until gp__js_runtime_free) */
  char **argv;
  const char *profile;      /* --profile, or NULL */
  const char *profiles;     /* --profiles, or NULL */
  const gp__perm_t *perm;   /* the permission model (SPEC §3.4): NULL for off (the script
                               may do everything); else borrowed, and read from the owner
                               thread, until gp__js_runtime_free. Host-side access (provider
                               keys, stores, MCP servers) is never checked against it. */
  int exit_process;         /* 1: an uncaught exception after the program ran, an unhandled
                               rejection and process.exit(n) end the process (`geppetto`);
                               0: they end the script only (gp_js_t, include/geppetto/js.h) */
} gp_js_options_t;

/* Creates the VM on `owner` (which must outlive the runtime). Returns GP_OK with *out,
 * or a negative code (OWNER_CLOSED, INTERNAL when the environment failed to load). */
int gp__js_runtime_new(gp_owner_t *owner, const gp_js_options_t *opts, gp_js_runtime_t **out);

/* Runs the script at `path` as the main CommonJS module / the code `code` as the main
 * program. Returns GP_OK, or GP_ERR_JS_EXCEPTION after printing the uncaught exception
 * (message and stack) on stderr, or GP_ERR_MODULE_NOT_FOUND when `path` can't be read. */
int gp__js_runtime_run_file(gp_js_runtime_t *rt, const char *path);
int gp__js_runtime_eval(gp_js_runtime_t *rt, const char *code);

/* Registers a native tool that scripts add to their registries with
 * `registry.useNativeTools(names?)` (SPEC §4.4). `parameters_json` (may be NULL) is a
 * JSON Schema as JSON text, checked like any tool's. In a run, `cb` runs on a tool
 * worker thread with the call's context (gp_tool_cb); `registry.call()` runs it on the
 * owner thread. `free_ud` (may be NULL) runs once when the last registry using the tool
 * drops it, also when this fails. Any thread (it hops to the owner). Returns GP_OK, or
 * INVALID_ARGUMENT (empty name, no callback, a name already registered, bad JSON or
 * schema) / OWNER_CLOSED with *err (may be NULL) saying why. */
int gp__js_runtime_add_native_tool(gp_js_runtime_t *rt, const char *name, const char *description,
                                  const char *parameters_json, gp_tool_cb cb, void *ud,
                                  void (*free_ud)(void *ud), gp_error_t **err);

/* `geppetto run`/`eval`: SIGINT and SIGTERM are handled as SPEC §2 says (listeners of
 * process.on(name), else cancel every run and exit 130/143) by a thread of the
 * runtime's own until gp__js_runtime_close. Host thread; once. Returns GP_OK, or
 * INVALID_ARGUMENT (already on) / INTERNAL (no thread). */
int gp__js_runtime_handle_signals(gp_js_runtime_t *rt);
/* Blocks SIGINT, SIGTERM and SIGCHLD in the calling thread, and so in every thread it
 * creates afterwards: a host calls it first thing in main() when it will call
 * gp__js_runtime_handle_signals, whose thread alone then takes them (children started
 * with uv_spawn / posix_spawn get the default mask back). */
void gp__js_signals_block(void);

/* Waits until no timer, run or owner request remains (at once once the script has
 * ended, exit_process 0). Returns GP_OK or OWNER_CLOSED. */
int gp__js_runtime_wait(gp_js_runtime_t *rt);

/* The exit status once the script is done: emits process "exit" (once) to the script's
 * listeners, then answers 128 + signal after a signal's default action, 1 after an
 * uncaught exception in the main script, else process.exitCode (0 when unset); once the
 * script has ended (exit_process 0) the status it ended with. */
int gp__js_runtime_exit_code(gp_js_runtime_t *rt);

/* Destroys the VM on the owner (pending timers are dropped). The owner must then be
 * freed with gp_owner_free before gp__js_runtime_free. Accepts NULL. */
void gp__js_runtime_close(gp_js_runtime_t *rt);
/* Frees what is left after gp__js_runtime_close and gp_owner_free. Accepts NULL. */
void gp__js_runtime_free(gp_js_runtime_t *rt);

#endif
