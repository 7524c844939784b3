/* The public C host API of the JavaScript runtime (include/geppetto/js.h): an owner
 * thread, a runtime on it and a permission set, owned together so that a host creates
 * and destroys them with one call each. Host threads only. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/js.h"
#include "js/permission.h"
#include "js/runtime.h"

struct gp_js_s {
  gp_owner_t *owner;
  gp_js_runtime_t *rt;
  gp__perm_t *perm;  /* NULL: the model is off */
  char **argv;       /* process.argv: [program, "[eval]" (the script once run), ARGS...] */
};

/* Applies NULL-terminated options ("--allow-net=x", "--permission") to a new set. */
static int gp__js_perm_from(const char *const *opts, gp__perm_t **out, gp_error_t **err) {
  *out = NULL;
  if (opts == NULL || opts[0] == NULL) return GP_OK;
  gp__perm_t *p = gp__perm_new(NULL);
  for (size_t i = 0; opts[i]; i++) {
    const char *eq = strchr(opts[i], '=');
    char *name = eq ? gp__xstrndup(opts[i], (size_t)(eq - opts[i])) : gp__xstrdup(opts[i]);
    char *why = NULL;
    int rc = gp__perm_apply(p, name, eq ? eq + 1 : NULL, &why);
    free(name);
    if (rc != 0) {
      gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "permission option '%s': %s", opts[i],
                   why ? why : "not understood");
      free(why);
      gp__perm_free(p);
      return GP_ERR_INVALID_ARGUMENT;
    }
  }
  *out = p;
  return GP_OK;
}

int gp_js_new(const gp_js_config_t *cfg, gp_js_t **out, gp_error_t **err) {
  static const gp_js_config_t none = {0};
  if (out == NULL) return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "gp_js_new: out is NULL");
  *out = NULL;
  if (cfg == NULL) cfg = &none;
  if (cfg->argc < 0 || (cfg->argc > 0 && cfg->argv == NULL))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "gp_js_new: argc without argv");
  gp_js_t *js = gp__xcalloc(1, sizeof *js);
  int rc = gp__js_perm_from(cfg->permissions, &js->perm, err);
  if (rc != GP_OK) {
    free(js);
    return rc;
  }
  js->argv = gp__xcalloc((size_t)cfg->argc + 3, sizeof *js->argv);
  js->argv[0] = "geppetto";
  js->argv[1] = "[eval]"; /* a script run replaces it with its path */
  for (int i = 0; i < cfg->argc; i++) js->argv[i + 2] = cfg->argv[i];
  gp_owner_options_t oo = {.name = "gp-js"};
  if (gp_owner_new(&oo, &js->owner) != GP_OK) {
    gp_js_free(js);
    return gp_error_set(err, GP_ERR_OWNER_CLOSED, "gp_js_new: cannot start the owner thread");
  }
  gp_js_options_t jo = {.argc = cfg->argc + 2, .argv = js->argv, .profile = cfg->profile,
                        .profiles = cfg->profiles, .perm = js->perm,
                        .exit_process = cfg->exit_process};
  rc = gp__js_runtime_new(js->owner, &jo, &js->rt);
  if (rc != GP_OK) {
    gp_js_free(js);
    return gp_error_set(err, rc, "gp_js_new: the script environment did not load");
  }
  *out = js;
  return GP_OK;
}

int gp_js_run_file(gp_js_t *js, const char *path) {
  if (js == NULL || path == NULL) return GP_ERR_INVALID_ARGUMENT;
  return gp__js_runtime_run_file(js->rt, path);
}

int gp_js_eval(gp_js_t *js, const char *code) {
  if (js == NULL || code == NULL) return GP_ERR_INVALID_ARGUMENT;
  return gp__js_runtime_eval(js->rt, code);
}

int gp_js_add_native_tool(gp_js_t *js, const char *name, const char *description,
                          const char *parameters_json, gp_tool_cb cb, void *ud,
                          void (*free_ud)(void *ud), gp_error_t **err) {
  if (js == NULL) {
    if (free_ud) free_ud(ud);
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "gp_js_add_native_tool: no runtime");
  }
  return gp__js_runtime_add_native_tool(js->rt, name, description, parameters_json, cb, ud,
                                       free_ud, err);
}

int gp_js_wait(gp_js_t *js) { return js ? gp__js_runtime_wait(js->rt) : GP_ERR_INVALID_ARGUMENT; }

int gp_js_exit_code(gp_js_t *js) { return js ? gp__js_runtime_exit_code(js->rt) : 1; }

gp_owner_t *gp_js_owner(gp_js_t *js) { return js ? js->owner : NULL; }

void gp_js_free(gp_js_t *js) {
  if (js == NULL) return;
  gp__js_runtime_close(js->rt);
  gp_owner_free(js->owner);
  gp__js_runtime_free(js->rt);
  gp__perm_free(js->perm);
  free(js->argv);
  free(js);
}
