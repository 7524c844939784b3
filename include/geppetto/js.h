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
 * or from inside a tool callback; each hops to the owner and back. */
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
} gp_js_config_t;

/* Starts an owner thread and creates the runtime on it. `cfg` may be NULL (defaults).
 * Returns GP_OK with *out set; or INVALID_ARGUMENT (a bad permission option),
 * OWNER_CLOSED (no thread), INTERNAL (the environment failed to load), with *out NULL
 * and *err (may be NULL) saying why. */
int gp_js_new(const gp_js_config_t *cfg, gp_js_t **out, gp_error_t **err);

/* Runs the script at `path` as the main module (CommonJS or ES module) / `code` as a
 * program named "[eval]" (its errors and stack frames read "[eval]:LINE:COL"). Returns
 * GP_OK, GP_ERR_JS_EXCEPTION after printing the uncaught exception on stderr, or
 * GP_ERR_MODULE_NOT_FOUND when `path` can't be read. */
int gp_js_run_file(gp_js_t *js, const char *path);
int gp_js_eval(gp_js_t *js, const char *code);

/* A native tool scripts add with registry.useNativeTools(names?) (SPEC §4.4); the
 * arguments are as for gp_registry_add. Call it before running the script that uses it. */
int gp_js_add_native_tool(gp_js_t *js, const char *name, const char *description,
                          const char *parameters_json, gp_tool_cb cb, void *ud,
                          void (*free_ud)(void *ud), gp_error_t **err);

/* Waits until no timer, run, I/O or owner request of the script remains. */
int gp_js_wait(gp_js_t *js);

/* process.exitCode as an exit status (0 when unset; 1 after an uncaught exception thrown
 * while gp_js_run_file / gp_js_eval ran the program). As under `geppetto run`, an
 * exception thrown later (by a timer or another callback), an unhandled rejection and
 * process.exit(n) end the whole process (status 1, or n) once "exit" listeners ran. */
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
