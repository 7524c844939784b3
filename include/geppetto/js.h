/* The JavaScript runtime for a C host (SPEC §5): create it, give it native tools, run a
 * script file or code, wait until the script has no work left, read its exit status,
 * and tear everything down with one call.
 *
 *   gp_js_t *js = NULL;
 *   if (gp_js_new(NULL, &js, NULL) != GP_OK) return 1;   // js stays NULL on failure
 *   int rc = gp_js_run_file(js, "agent.js");
 *   if (rc == GP_OK) gp_js_wait(js);
 *   int status = rc == GP_OK ? gp_js_exit_code(js) : 1;
 *   gp_js_free(js);
 *
 * A runtime owns one owner thread (SPEC §1: every touch of the JavaScript VM happens on
 * it). The functions here are called from host threads, never from that owner thread
 * or from inside a tool callback; each hops to the owner and back.
 *
 * The host survives its script. An exception nobody catches (thrown by a timer or
 * another callback after the program ran, or by a microtask), an unhandled rejection
 * and process.exit(n) end the SCRIPT, not the process: the report is printed on stderr
 * (as `geppetto run` prints it), process "exit" listeners run, the status is recorded
 * (1, or n), the script's pending work is stopped as gp_js_free stops it (runs
 * canceled, timers dropped, fetches and other I/O closed, child processes killed with
 * SIGKILL and reaped), and gp_js_wait returns. The code still on the stack when
 * process.exit(n) is called unwinds with an Error whose code is ERR_SCRIPT_ENDED; a
 * catch in the script may see it, but nothing the script scheduled runs any more.
 * After that gp_js_run_file and gp_js_eval return GP_ERR_OWNER_CLOSED without running
 * anything; gp_js_exit_code gives the status; gp_js_free tears down what is left.
 * (gp_js_config_t.exit_process asks for the command's behaviour instead.)
 *
 * Still fatal to the process, in every runtime: a JavaScript callback of a synchronous
 * run() that overruns its deadline or whose run is canceled (a callback nested in other
 * JavaScript cannot be interrupted safely; scripts use runAsync() or start()).
 *
 * Signals are the host's business: a runtime made here installs no signal handler and
 * takes no SIGINT or SIGTERM (process.on("SIGINT") listeners are never called). Only
 * the `geppetto` command handles them (SPEC §2: cancel, exit 130/143 after a grace
 * period, a second signal exits at once). */
#ifndef GEPPETTO_JS_H
#define GEPPETTO_JS_H

#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "geppetto/tool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gp_js_s gp_js_t;

typedef struct gp_js_config_s {
  int argc;                 /* process.argv after the script's name (borrowed until
                               gp_js_free); 0 and NULL for none */
  char **argv;
  const char *profile;      /* the profile gp.engines.fromProfile() uses, or NULL */
  const char *profiles;     /* the profiles file, or NULL for the default search */
  const char *const *permissions; /* NULL-terminated permission options as the command
                               takes them ("--permission", "--allow-net=api.example.com",
                               "--allow-fs-read=/data", ...), or NULL: the script may do
                               everything its process may (SPEC §3.4) */
  int exit_process;         /* 0 (the default): a fatal script event (an uncaught
                               exception after the program ran, an unhandled rejection,
                               process.exit) ends the script only, as described above.
                               Non-zero: it ends the whole process with _exit once "exit"
                               listeners ran and child processes were killed, as under
                               `geppetto run` (for a program that is only the script's
                               runner). */
} gp_js_config_t;

/* Starts an owner thread and creates the runtime on it. `cfg` may be NULL (defaults).
 * Returns GP_OK with *out set; or INVALID_ARGUMENT (a bad permission option),
 * OWNER_CLOSED (no thread), INTERNAL (the environment failed to load), with *out NULL
 * and *err (may be NULL) saying why. */
int gp_js_new(const gp_js_config_t *cfg, gp_js_t **out, gp_error_t **err);

/* Runs the script at `path` as the main module (CommonJS or ES module) / `code` as a
 * program named "[eval]" (its errors and stack frames read "[eval]:LINE:COL"). Returns
 * GP_OK, GP_ERR_JS_EXCEPTION after printing the uncaught exception on stderr (the
 * runtime stays usable: the exception ends neither the script nor its pending work),
 * GP_ERR_MODULE_NOT_FOUND when `path` can't be read, or GP_ERR_OWNER_CLOSED when the
 * script has ended (see above; GP_OK when process.exit ends it during this call). */
int gp_js_run_file(gp_js_t *js, const char *path);
int gp_js_eval(gp_js_t *js, const char *code);

/* A native tool scripts add with registry.useNativeTools(names?) (SPEC §4.4); the
 * arguments are as for gp_registry_add. Call it before running the script that uses it. */
int gp_js_add_native_tool(gp_js_t *js, const char *name, const char *description,
                          const char *parameters_json, gp_tool_cb cb, void *ud,
                          void (*free_ud)(void *ud), gp_error_t **err);

/* Waits until no timer, run, I/O or owner request of the script remains, or until the
 * script has ended (an uncaught exception, an unhandled rejection, process.exit: its
 * pending work is stopped first). Returns GP_OK either way (gp_js_exit_code tells the
 * status), or GP_ERR_INVALID_ARGUMENT / GP_ERR_OWNER_CLOSED. */
int gp_js_wait(gp_js_t *js);

/* The script's exit status. The first call after the script's work is done emits
 * process "exit" (once) to its listeners. It is process.exitCode (0 when unset); 1
 * after an uncaught exception thrown while gp_js_run_file / gp_js_eval ran the program;
 * once the script has ended (see above), 1 after an uncaught exception or unhandled
 * rejection, n after process.exit(n) (also from an "exit" listener). */
int gp_js_exit_code(gp_js_t *js);

/* The owner thread the runtime lives on (for gp_owner_stats and the like). */
gp_owner_t *gp_js_owner(gp_js_t *js);

/* Tears down the VM (timers dropped, transfers and child processes closed), stops the
 * owner thread and frees everything. Accepts NULL. */
void gp_js_free(gp_js_t *js);

#ifdef __cplusplus
}
#endif

#endif
