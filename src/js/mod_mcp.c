/* The natives of gp.mcp (SPEC §4.11): MCP clients for scripts, over the C client of
 * src/mcp. Every operation that waits for a server (connect, tools, callTool, close)
 * runs on a short-lived thread of its own that calls the blocking C API, and posts
 * its result to the owner, where the callback runs: the owner never blocks on a
 * server. Tools added with registry.useMCP are C tools (src/mcp/tools.c): their calls
 * go from the tool workers to the server without touching the owner.
 * A pending operation keeps the process alive; an idle client does not. When the
 * runtime ends, every client it opened is closed (children reaped). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "geppetto/mcp.h"
#include "js/js_private.h"


static JSClassRef gp__mcp_class, gp__mcp_cancel_class;
static atomic_int gp__mcp_threads; /* operations whose thread has not yet posted */

/* The JS handle's private data: the client, and the runtime's list of them. */
typedef struct gp__jsmcp_s {
  gp_mcp_client_t *c;          /* reference */
  struct gp__jsmcp_s *next;    /* the runtime's open clients (owner thread) */
} gp__jsmcp_t;

static gp__jsmcp_t *gp__mcp_open; /* one runtime per process uses MCP: owner thread */
static int gp__mcp_torn_down;     /* gp__js_mcp_close_all ran: every client is closed */

enum { OP_CONNECT, OP_TOOLS, OP_CALL, OP_CLOSE };

typedef struct {
  int kind;
  gp_js_runtime_t *rt;
  gp_owner_t *owner;
  JSObjectRef cb;              /* protected until delivery */
  gp_mcp_client_t *c;          /* reference (connect: the result) */
  gp_mcp_spec_t spec;          /* OP_CONNECT */
  json_t *spec_json;           /* owns the spec's strings */
  char **strs;                 /* the spec's arrays (heap) */
  char *name;                  /* OP_CALL */
  json_t *args;
  gp_cancel_t *cancel;         /* OP_CALL, reference */
  int rc;
  json_t *result;
  gp_error_t *err;
} op_t;

/* ---- Spec from JSON -------------------------------------------------------------- */

/* NULL-terminated array of "K<sep>V" (object) or the strings of an array, kept in
 * op->strs' slab; returns NULL when `j` is absent. */
static const char *const *gp__str_list(json_t *j, const char *sep, gp_buf_t *slab_list) {
  if (!json_is_object(j) && !json_is_array(j)) return NULL;
  size_t n = json_is_object(j) ? json_object_size(j) : json_array_size(j);
  char **v = gp__xcalloc(n + 1, sizeof *v);
  size_t k = 0;
  if (json_is_object(j)) {
    const char *key;
    json_t *val;
    json_object_foreach(j, key, val) v[k++] = gp__xasprintf("%s%s%s", key, sep, json_string_value(val) ? json_string_value(val) : "");
  } else {
    size_t i;
    json_t *val;
    json_array_foreach(j, i, val) v[k++] = gp__xstrdup(json_string_value(val) ? json_string_value(val) : "");
  }
  gp__buf_append(slab_list, (const char *)&v, sizeof v);
  return (const char *const *)v;
}

static void gp__op_spec(op_t *o, json_t *s) {
  gp_buf_t lists = {0};
  o->spec_json = s;
  o->spec.command = json_string_value(json_object_get(s, "command"));
  o->spec.url = json_string_value(json_object_get(s, "url"));
  o->spec.cwd = json_string_value(json_object_get(s, "cwd"));
  o->spec.name = json_string_value(json_object_get(s, "name"));
  o->spec.args = gp__str_list(json_object_get(s, "args"), "", &lists);
  o->spec.env = gp__str_list(json_object_get(s, "env"), "=", &lists);
  o->spec.headers = gp__str_list(json_object_get(s, "headers"), ": ", &lists);
  json_t *t = json_object_get(s, "timeoutMs");
  o->spec.timeout_ms = json_is_number(t) ? (int64_t)json_number_value(t) : 0;
  o->spec.no_restart = json_is_false(json_object_get(s, "restart"));
  gp__buf_append(&lists, (const char *)&(char *){NULL}, sizeof(char *));
  o->strs = (char **)gp__buf_steal(&lists);
}

static void gp__op_free(void *arg) {
  op_t *o = arg;
  for (size_t i = 0; o->strs && o->strs[i]; i++) {
    char **v = (char **)o->strs[i];
    for (size_t k = 0; v[k]; k++) free(v[k]);
    free(v);
  }
  free(o->strs);
  json_decref(o->spec_json);
  gp_mcp_unref(o->c);
  free(o->name);
  json_decref(o->args);
  gp_cancel_unref(o->cancel);
  json_decref(o->result);
  gp_error_free(o->err);
  free(o);
}

/* ---- Delivery (owner) ------------------------------------------------------------- */

static JSObjectRef gp__wrap_client(JSContextRef ctx, gp_mcp_client_t *c) {
  gp__jsmcp_t *h = gp__xcalloc(1, sizeof *h);
  h->c = gp_mcp_ref(c);
  h->next = gp__mcp_open;
  gp__mcp_open = h;
  return JSObjectMake(ctx, gp__mcp_class, h);
}

static void gp__op_deliver(void *arg) {
  op_t *o = arg;
  gp_js_runtime_t *rt = o->rt;
  JSContextRef ctx = rt->ctx;
  if (ctx == NULL) return;
  gp__js_unkeep(rt);
  JSValueRef argv[2];
  if (o->rc != 0) {
    argv[0] = gp__js_error_from(ctx, o->err ? o->err : &(gp_error_t){.code = o->rc, .message = (char *)gp_strerror(o->rc)});
    argv[1] = JSValueMakeUndefined(ctx);
  } else {
    argv[0] = JSValueMakeNull(ctx);
    argv[1] = o->kind == OP_CONNECT ? (JSValueRef)gp__wrap_client(ctx, o->c)
              : o->result           ? gp__js_from_json(ctx, o->result)
                                    : JSValueMakeUndefined(ctx);
  }
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, o->cb, NULL, 2, argv, &exc);
  JSValueUnprotect(ctx, o->cb);
  if (exc) gp__js_report(ctx, exc, "gp.mcp callback");
}

static void *gp__op_main(void *arg) {
  op_t *o = arg;
  switch (o->kind) {
    case OP_CONNECT: o->rc = gp_mcp_connect(&o->spec, &o->c, &o->err); break;
    case OP_TOOLS: o->rc = gp_mcp_tools(o->c, &o->result, &o->err); break;
    case OP_CALL: {
      gp_mcp_call_opts_t opts = {.cancel = o->cancel};
      o->rc = gp_mcp_call_tool(o->c, o->name, o->args, &opts, &o->result, &o->err);
      break;
    }
    case OP_CLOSE: gp_mcp_close(o->c); break;
  }
  gp_owner_post(o->owner, "mcp.done", gp__op_deliver, o, gp__op_free);
  atomic_fetch_sub(&gp__mcp_threads, 1);
  return NULL;
}

/* Starts `o` on its own thread; the callback is argv[cbi]. */
static JSValueRef gp__op_start(JSContextRef ctx, op_t *o, JSValueRef cb, JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  if (!gp__js_is_function(ctx, cb)) {
    gp__op_free(o);
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "a callback is needed");
  }
  o->rt = rt;
  o->owner = rt->owner;
  o->cb = (JSObjectRef)cb;
  JSValueProtect(ctx, cb);
  gp__js_keep(rt);
  atomic_fetch_add(&gp__mcp_threads, 1);
  pthread_t t;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&at, 256 * 1024);
  if (pthread_create(&t, &at, gp__op_main, o) != 0) {
    atomic_fetch_sub(&gp__mcp_threads, 1);
    gp__js_unkeep(rt);
    JSValueUnprotect(ctx, cb);
    gp__op_free(o);
    pthread_attr_destroy(&at);
    return gp__js_throw(ctx, exc, GP_ERR_IO, 0, "cannot start a thread for the MCP request");
  }
  pthread_attr_destroy(&at);
  return JSValueMakeUndefined(ctx);
}

/* ---- Natives (owner) -------------------------------------------------------------- */

static gp_mcp_client_t *gp__client_of(JSContextRef ctx, JSValueRef v) {
  if (!JSValueIsObjectOfClass(ctx, v, gp__mcp_class)) return NULL;
  gp__jsmcp_t *h = JSObjectGetPrivate((JSObjectRef)v);
  return h ? h->c : NULL;
}

#define GP__CLIENT_OR_THROW(c)                                                          \
  gp_mcp_client_t *c = gp__client_of(ctx, GP__ARG(0));                                      \
  if (c == NULL) return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "not an MCP client")

/* mcpConnect(spec, cb(err, handle)) */
static JSValueRef gp__js_connect(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                             const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  json_t *s = gp__js_to_json(ctx, GP__ARG(0), exc);
  if (s == NULL) return JSValueMakeUndefined(ctx);
  op_t *o = gp__xcalloc(1, sizeof *o);
  o->kind = OP_CONNECT;
  gp__op_spec(o, s);
  return gp__op_start(ctx, o, GP__ARG(1), exc);
}

/* A new operation of `kind` on client `c` (a reference taken). */
static op_t *gp__op_on(int kind, gp_mcp_client_t *c) {
  op_t *o = gp__xcalloc(1, sizeof *o);
  o->kind = kind;
  o->c = gp_mcp_ref(c);
  return o;
}

/* mcpTools(handle, cb(err, tools)) */
static JSValueRef gp__js_tools(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                           const JSValueRef argv[], JSValueRef *exc) {
  GP__CLIENT_OR_THROW(c);
  return gp__op_start(ctx, gp__op_on(OP_TOOLS, c), GP__ARG(1), exc);
}

/* mcpCall(handle, name, args, canceler|undefined, cb(err, result)) */
static JSValueRef gp__js_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                          const JSValueRef argv[], JSValueRef *exc) {
  GP__CLIENT_OR_THROW(c);
  json_t *args = gp__js_to_json(ctx, GP__ARG(2), exc);
  if (args == NULL) return JSValueMakeUndefined(ctx);
  op_t *o = gp__op_on(OP_CALL, c);
  o->name = gp__js_to_cstr(ctx, GP__ARG(1));
  o->args = json_is_object(args) ? args : (json_decref(args), json_object());
  if (JSValueIsObjectOfClass(ctx, GP__ARG(3), gp__mcp_cancel_class))
    o->cancel = gp_cancel_ref(JSObjectGetPrivate((JSObjectRef)GP__ARG(3)));
  return gp__op_start(ctx, o, GP__ARG(4), exc);
}

/* mcpClose(handle, cb(err)) */
static JSValueRef gp__js_close(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                           const JSValueRef argv[], JSValueRef *exc) {
  GP__CLIENT_OR_THROW(c);
  return gp__op_start(ctx, gp__op_on(OP_CLOSE, c), GP__ARG(1), exc);
}

/* mcpInfo(handle) -> {serverInfo, protocolVersion, name, tools (the list fetched last)} */
static JSValueRef gp__js_info(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                          const JSValueRef argv[], JSValueRef *exc) {
  GP__CLIENT_OR_THROW(c);
  json_t *j = json_pack("{s:o, s:s, s:s, s:o}", "serverInfo", gp_mcp_server_info(c), "protocolVersion",
                        gp_mcp_protocol(c), "name", gp_mcp_name(c), "tools", gp_mcp_tools_cached(c));
  return gp__js_take_json(ctx, j);
}

/* mcpCanceler() -> a token; mcpCancel(token): fires it. */
static void gp__canceler_finalize(JSObjectRef obj) { gp_cancel_unref(JSObjectGetPrivate(obj)); }

static JSValueRef gp__js_canceler(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                              const JSValueRef argv[], JSValueRef *exc) {
  return JSObjectMake(ctx, gp__mcp_cancel_class, gp_cancel_new(NULL));
}

static JSValueRef gp__js_cancel(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  if (JSValueIsObjectOfClass(ctx, GP__ARG(0), gp__mcp_cancel_class))
    gp_cancel_fire(JSObjectGetPrivate((JSObjectRef)GP__ARG(0)), GP_ERR_CANCELED);
  return JSValueMakeUndefined(ctx);
}

/* Heap NULL-terminated copy of an array of strings (NULL when not an array). */
static char **gp__names_of(JSContextRef ctx, JSValueRef v) {
  json_t *j = gp__js_to_json(ctx, v, NULL);
  char **out = NULL;
  if (json_is_array(j)) {
    out = gp__xcalloc(json_array_size(j) + 1, sizeof *out);
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e) out[i] = gp__xstrdup(json_string_value(e) ? json_string_value(e) : "");
  }
  json_decref(j);
  return out;
}

/* registryUseMCP(registry, handle, include?, exclude?, prefix?) */
static JSValueRef gp__js_use(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                         const JSValueRef argv[], JSValueRef *exc) {
  gp_registry_t *r = gp__js_registry_of(ctx, GP__ARG(0));
  gp_mcp_client_t *c = gp__client_of(ctx, GP__ARG(1));
  if (r == NULL || c == NULL)
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "useMCP needs a client from gp.mcp.connect()");
  char **inc = gp__names_of(ctx, GP__ARG(2)), **ex = gp__names_of(ctx, GP__ARG(3));
  char *prefix = JSValueIsString(ctx, GP__ARG(4)) ? gp__js_to_cstr(ctx, GP__ARG(4)) : NULL;
  gp_error_t *err = NULL;
  int rc = gp_mcp_use_tools(r, c, (const char *const *)inc, (const char *const *)ex, prefix, &err);
  for (size_t i = 0; inc && inc[i]; i++) free(inc[i]);
  for (size_t i = 0; ex && ex[i]; i++) free(ex[i]);
  free(inc);
  free(ex);
  free(prefix);
  if (rc != 0) {
    *exc = gp__js_error_from(ctx, err);
    gp_error_free(err);
  }
  return JSValueMakeUndefined(ctx);
}

static void *gp__unref_main(void *arg) {
  gp_mcp_unref(arg);
  atomic_fetch_sub(&gp__mcp_threads, 1);
  return NULL;
}

/* The last reference closes the client, which may wait for its server to exit: that
 * happens on a thread of its own, not on the owner. */
static void gp__client_finalize(JSObjectRef obj) {
  gp__jsmcp_t *h = JSObjectGetPrivate(obj);
  for (gp__jsmcp_t **pp = &gp__mcp_open; *pp; pp = &(*pp)->next) {
    if (*pp == h) {
      *pp = h->next;
      break;
    }
  }
  if (gp__mcp_torn_down) { /* closed already: the last reference only frees */
    gp_mcp_unref(h->c);
    free(h);
    return;
  }
  pthread_t t;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  atomic_fetch_add(&gp__mcp_threads, 1);
  if (pthread_create(&t, &at, gp__unref_main, h->c) != 0) {
    atomic_fetch_sub(&gp__mcp_threads, 1);
    gp_mcp_unref(h->c);
  }
  pthread_attr_destroy(&at);
  free(h);
}

void gp__js_mcp_close_all(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  gp__mcp_torn_down = 1;
  for (gp__jsmcp_t *h = gp__mcp_open; h; h = h->next) gp_mcp_close(h->c);
  /* Their operations end at once now; wait until every thread has posted. */
  for (int i = 0; i < 5000 && atomic_load(&gp__mcp_threads) > 0; i++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
}

static const gp__js_fn_t gp__mcp_fns[] = {
    {"mcpConnect", gp__js_connect}, {"mcpTools", gp__js_tools},       {"mcpCall", gp__js_call},
    {"mcpClose", gp__js_close},     {"mcpInfo", gp__js_info},         {"mcpCanceler", gp__js_canceler},
    {"mcpCancel", gp__js_cancel},   {"registryUseMCP", gp__js_use},
};

void gp__mod_mcp_init(JSContextRef ctx, JSObjectRef native) {
  gp__mcp_torn_down = 0;
  if (gp__mcp_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "MCPClientHandle";
    def.finalize = gp__client_finalize;
    gp__mcp_class = JSClassCreate(&def);
    JSClassDefinition cdef = kJSClassDefinitionEmpty;
    cdef.className = "MCPCanceler";
    cdef.finalize = gp__canceler_finalize;
    gp__mcp_cancel_class = JSClassCreate(&cdef);
  }
  gp__js_set_fns(ctx, native, gp__mcp_fns, sizeof gp__mcp_fns / sizeof gp__mcp_fns[0]);
}
