/* MCP tools in a tool registry (SPEC §4.11): each server tool becomes an asynchronous
 * handler that sends tools/call straight from the tool worker (no owner hop); progress
 * becomes tool-progress events; the call's cancel token (run cancel, call timeout)
 * cancels the request. Results are mapped: structuredContent (checked against
 * outputSchema), else the text items joined, else the content array; isError makes
 * the call fail with that text. Registries bound to a client follow list_changed: the
 * tools the server dropped leave them, new and changed ones are registered again. */
#include <stdlib.h>
#include <string.h>

#include "mcp/mcp_internal.h"
#include "tools/tools.h"
#include "geppetto/log.h"

/* One registered MCP tool (the registry entry's user data). */
typedef struct {
  gp_mcp_client_t *c;          /* reference */
  char *remote;                /* the server's name for it */
  json_t *output_schema;       /* or NULL */
} mtool_t;

/* One call in flight. */
typedef struct {
  const gp_tool_ctx_t *ctx;    /* valid until done */
  gp_tool_done_t *done;
  json_t *output_schema;       /* borrowed from the tool (alive while the call is) */
} mcall_t;

struct gp__mcp_binding_s {
  gp_registry_t *r;            /* reference */
  char **include, **exclude;   /* NULL-terminated or NULL */
  char *prefix;
  json_t *names;               /* object: registered name -> true */
  gp__mcp_binding_t *next;
};

/* ---- Result mapping ---------------------------------------------------------------- */

static char *gp__content_text(const json_t *content) {
  gp_buf_t b = {0};
  size_t i, n = 0;
  json_t *item;
  json_array_foreach(content, i, item) {
    if (!json_is_string(json_object_get(item, "text"))) continue;
    if (n++) gp__buf_puts(&b, "\n");
    const char *t = json_string_value(json_object_get(item, "text"));
    gp__buf_append(&b, t, json_string_length(json_object_get(item, "text")));
  }
  return n ? gp__buf_steal(&b) : NULL;
}

int gp_mcp_map_result(json_t *result, const json_t *output_schema, json_t **value, gp_error_t **err) {
  *value = NULL;
  json_t *content = json_object_get(result, "content");
  if (!json_is_array(content)) content = NULL;
  char *text = content ? gp__content_text(content) : NULL;
  int rc = 0;
  if (json_is_true(json_object_get(result, "isError"))) {
    rc = gp_error_set(err, GP_ERR_TOOL_FAILED, "%s", text ? text : "the MCP tool reported an error");
  } else if (json_object_get(result, "structuredContent")) {
    json_t *sc = json_object_get(result, "structuredContent");
    gp_error_t *verr = NULL;
    if (output_schema && gp_schema_validate(output_schema, sc, &verr) != 0) {
      rc = gp_error_set(err, GP_ERR_TOOL_FAILED, "the MCP tool's structuredContent does not match its outputSchema: %s",
                        verr ? verr->message : "invalid");
      gp_error_free(verr);
    } else {
      *value = json_incref(sc);
    }
  } else if (text) {
    *value = json_string(text);
  } else {
    *value = content ? json_incref(content) : json_array();
  }
  free(text);
  return rc;
}

/* ---- The handler ------------------------------------------------------------------ */

static void gp__mcall_progress(void *ud, double progress, double total, const char *message) {
  mcall_t *k = ud;
  json_t *f = json_pack("{s:s, s:f}", "callId", k->ctx->call_id ? k->ctx->call_id : "", "progress", progress);
  if (total >= 0) json_object_set_new(f, "total", json_real(total));
  if (message) json_object_set_new(f, "message", json_string(message));
  k->ctx->emit(k->ctx->emit_ud, GP_EVENT_TOOL_PROGRESS, f);
}

static void gp__mcall_done(void *ud, int rc, json_t *result, gp_error_t *err) {
  mcall_t *k = ud;
  json_t *value = NULL;
  if (rc == 0) {
    rc = gp_mcp_map_result(result, k->output_schema, &value, &err);
    json_decref(result);
  }
  gp_tool_done_t *done = k->done;
  free(k);
  gp_tool_done(done, rc, value, err);
}

static void gp__mtool_call(void *ud, const gp_tool_ctx_t *ctx, json_t *args, gp_tool_done_t *done) {
  mtool_t *t = ud;
  mcall_t *k = gp__xcalloc(1, sizeof *k);
  k->ctx = ctx;
  k->done = done;
  k->output_schema = t->output_schema;
  gp_mcp_call_opts_t o = {.cancel = ctx->cancel};
  if (ctx->deadline_ms > 0) {
    int64_t left = ctx->deadline_ms - gp__now_ms();
    o.timeout_ms = left > 0 ? left + 1000 : 1; /* the call's token fires first */
  }
  if (ctx->emit) {
    o.on_progress = gp__mcall_progress;
    o.progress_ud = k;
  }
  gp_mcp_call_tool_start(t->c, t->remote, args, &o, gp__mcall_done, k);
}

static void gp__mtool_free(void *ud) {
  mtool_t *t = ud;
  gp_mcp_unref(t->c);
  free(t->remote);
  json_decref(t->output_schema);
  free(t);
}

/* ---- Binding ---------------------------------------------------------------------- */

#define GP__MCP_NAME_MAX 64 /* the providers' limit on a tool name */

static void gp__binding_free(gp__mcp_binding_t *b) {
  gp_registry_unref(b->r);
  gp__strv_free(b->include);
  gp__strv_free(b->exclude);
  free(b->prefix);
  json_decref(b->names);
  free(b);
}

static int gp__listed(char **v, const char *name) {
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp(v[i], name) == 0) return 1;
  return 0;
}

/* The entry `name` of `r` when it is a tool of the client `c` (new reference), else NULL. */
static gp__tool_t *gp__ours(gp_registry_t *r, gp_mcp_client_t *c, const char *name) {
  gp__tool_t *t = gp__registry_lookup(r, name);
  if (t && !(t->acb == gp__mtool_call && ((mtool_t *)t->ud)->c == c)) {
    gp__tool_unref(t);
    t = NULL;
  }
  return t;
}

static int gp__name_char(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* `s` as a name the providers accept (^[a-zA-Z0-9_-]{1,64}$): any other character
 * becomes `_` (one per UTF-8 character), the whole is cut to 64 (heap). */
static char *gp__map_name(const char *s) {
  char *out = gp__xmalloc(GP__MCP_NAME_MAX + 2);
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && n < GP__MCP_NAME_MAX; p++) {
    if ((*p & 0xC0) == 0x80) continue; /* the rest of a UTF-8 character */
    out[n++] = gp__name_char(*p) ? (char)*p : '_';
  }
  if (n == 0) out[n++] = '_';
  out[n] = 0;
  return out;
}

/* `plain` mapped (gp__map_name); a name already in `taken` gets a suffix _2, _3, ...
 * within the 64 characters (heap). */
static char *gp__local_name(const char *plain, const json_t *taken) {
  char *base = gp__map_name(plain), *name = gp__xstrdup(base);
  size_t n = strlen(base);
  for (int i = 2; json_object_get(taken, name); i++) {
    free(name);
    char suffix[16];
    size_t sl = (size_t)snprintf(suffix, sizeof suffix, "_%d", i);
    size_t keep = n + sl > GP__MCP_NAME_MAX ? GP__MCP_NAME_MAX - sl : n;
    name = gp__xasprintf("%.*s%s", (int)keep, base, suffix);
  }
  free(base);
  return name;
}

static int gp__name_ok(const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < n; i++)
    if (!gp__name_char((unsigned char)name[i])) return 0;
  return n >= 1 && n <= GP__MCP_NAME_MAX;
}

/* The tools of `tools` that pass the binding's filters: {registered name: definition},
 * in the server's order. The name is the prefix (mapped) and the server's name, mapped
 * when the providers would refuse it; names that need no mapping are given first, so a
 * mapped one never takes theirs. */
static json_t *gp__wanted(gp__mcp_binding_t *b, gp_mcp_client_t *c, json_t *tools) {
  size_t n = json_array_size(tools);
  char **names = gp__xcalloc(n + 1, sizeof *names);
  char *prefix = b->prefix && *b->prefix ? gp__map_name(b->prefix) : gp__xstrdup("");
  json_t *taken = json_object();
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < n; i++) {
      const char *remote = json_string_value(json_object_get(json_array_get(tools, i), "name"));
      if (remote == NULL || (b->include && !gp__listed(b->include, remote)) || gp__listed(b->exclude, remote))
        continue;
      char *plain = gp__xasprintf("%s%s", prefix, remote);
      if (gp__name_ok(plain) == (pass == 0)) {
        names[i] = gp__local_name(plain, taken);
        json_object_set_new(taken, names[i], json_true());
        if (strcmp(names[i], plain) != 0)
          gp_log(GP_LOG_DEBUG, "mcp", "the tool %s of %s is registered as %s", remote, c->cfg.name, names[i]);
      }
      free(plain);
    }
  }
  json_t *out = json_object();
  for (size_t i = 0; i < n; i++) {
    if (names[i]) json_object_set(out, names[i], json_array_get(tools, i));
    free(names[i]);
  }
  free(names);
  free(prefix);
  json_decref(taken);
  return out;
}

/* Registers one server tool `d` as `name` (replacing what is there). */
static int gp__bind_one(gp__mcp_binding_t *b, gp_mcp_client_t *c, const char *name, json_t *d, gp_error_t **err) {
  const char *remote = json_string_value(json_object_get(d, "name"));
  json_t *schema = json_object_get(d, "inputSchema");
  gp_error_t *serr = NULL;
  if (schema && gp_schema_check(schema, &serr) != 0) {
    gp_log(GP_LOG_WARN, "mcp", "the inputSchema of %s from %s is outside our subset (%s); arguments go unchecked",
           remote, c->cfg.name, serr ? serr->message : "?");
    gp_error_free(serr);
    schema = NULL;
  }
  mtool_t *t = gp__xcalloc(1, sizeof *t);
  t->c = gp_mcp_ref(c);
  t->remote = gp__xstrdup(remote);
  json_t *os = json_object_get(d, "outputSchema");
  t->output_schema = json_is_object(os) ? json_deep_copy(os) : NULL;
  const char *desc = json_string_value(json_object_get(d, "description"));
  int rc = gp_registry_add_async(b->r, name, desc ? desc : "", schema, gp__mtool_call, t, gp__mtool_free, err);
  if (rc == 0) json_object_set_new(b->names, name, json_true());
  return rc;
}

/* Removes the tools the binding registered (those still ours). */
static void gp__unbind_all(gp__mcp_binding_t *b, gp_mcp_client_t *c) {
  const char *name;
  json_t *v;
  json_object_foreach(b->names, name, v) {
    gp__tool_t *t = gp__ours(b->r, c, name);
    if (t) gp__registry_remove(b->r, t);
    gp__tool_unref(t);
  }
  json_object_clear(b->names);
}

/* The first binding: all or nothing. Every name must be free, and a tool that cannot be
 * registered takes the ones registered before it back out. */
static int gp__bind_new(gp__mcp_binding_t *b, gp_mcp_client_t *c, json_t *tools, gp_error_t **err) {
  json_t *wanted = gp__wanted(b, c, tools);
  const char *name;
  json_t *d;
  int rc = 0;
  json_object_foreach(wanted, name, d) {
    if (gp_registry_has(b->r, name)) {
      rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "a tool named %s is already registered in this registry; use a prefix", name);
      break;
    }
  }
  if (rc == 0) {
    json_object_foreach(wanted, name, d) if ((rc = gp__bind_one(b, c, name, d, err)) != 0) break;
  }
  if (rc != 0) gp__unbind_all(b, c);
  json_decref(wanted);
  return rc;
}

/* The server's list changed: the tools it dropped leave the registry, the others are
 * registered again (new or changed). A name the registry's owner took over with a tool
 * of their own is left alone. */
static void gp__rebind(gp__mcp_binding_t *b, gp_mcp_client_t *c, json_t *tools) {
  json_t *wanted = gp__wanted(b, c, tools);
  const char *name;
  json_t *d;
  void *tmp;
  json_object_foreach_safe(b->names, tmp, name, d) {
    if (json_object_get(wanted, name)) continue;
    gp__tool_t *t = gp__ours(b->r, c, name);
    if (t) gp__registry_remove(b->r, t);
    gp__tool_unref(t);
    json_object_del(b->names, name);
  }
  json_object_foreach(wanted, name, d) {
    gp__tool_t *cur = gp__registry_lookup(b->r, name), *mine = gp__ours(b->r, c, name);
    int taken = cur != NULL && mine == NULL;
    gp__tool_unref(cur);
    gp__tool_unref(mine);
    gp_error_t *err = NULL;
    if (taken)
      gp_log(GP_LOG_WARN, "mcp", "the new tool %s of %s is not registered: the registry has another tool of that name",
             name, c->cfg.name);
    else if (gp__bind_one(b, c, name, d, &err) != 0)
      gp_log(GP_LOG_WARN, "mcp", "could not register the new tool %s of %s: %s", name, c->cfg.name, err->message);
    gp_error_free(err);
  }
  json_decref(wanted);
}

int gp_mcp_use_tools(gp_registry_t *r, gp_mcp_client_t *c, const char *const *include, const char *const *exclude,
                     const char *prefix, gp_error_t **err) {
  gp__mcp_binding_t *b = gp__xcalloc(1, sizeof *b);
  b->r = gp_registry_ref(r);
  b->include = gp__strv_dup(include);
  b->exclude = gp__strv_dup(exclude);
  b->prefix = gp__xstrdup(prefix);
  b->names = json_object();
  /* Under the client's lock: a list refreshed meanwhile is either the one bound here or
   * followed by a refresh that sees this binding. */
  pthread_mutex_lock(&c->mu);
  int rc = c->closed ? gp_error_set(err, GP_ERR_MCP_CLOSED, "the MCP client of %s is closed", c->cfg.name)
                     : gp__bind_new(b, c, c->tools, err);
  if (rc == 0) {
    b->next = c->bindings;
    c->bindings = b;
  }
  pthread_mutex_unlock(&c->mu);
  if (rc != 0) gp__binding_free(b);
  return rc;
}

void gp__mcp_bindings_refresh(gp_mcp_client_t *c, json_t *tools) {
  pthread_mutex_lock(&c->mu);
  for (gp__mcp_binding_t *b = c->bindings; b; b = b->next) gp__rebind(b, c, tools);
  pthread_mutex_unlock(&c->mu);
}

void gp__mcp_bindings_free(gp_mcp_client_t *c) {
  pthread_mutex_lock(&c->mu); /* a listing on another thread may be refreshing them */
  gp__mcp_binding_t *b = c->bindings;
  c->bindings = NULL;
  pthread_mutex_unlock(&c->mu);
  while (b) {
    gp__mcp_binding_t *next = b->next;
    gp__binding_free(b);
    b = next;
  }
}
