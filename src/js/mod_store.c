/* Natives behind gp.stores (SPEC §4.12): Store objects (private data: a gp_store_t
 * reference) and their operations, each a blocking store call run on libuv's thread
 * pool (never on the owner) whose answer is delivered to a JS callback on the owner in
 * the request's completion. A pending operation keeps the loop alive (gp__js_keep).
 * Also what mod_session.c needs: the store of a createSession config, and a session's
 * `ready` (its history loaded) as the same kind of operation. */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "core/core.h"
#include "geppetto/session.h"
#include "geppetto/store.h"
#include "js/js_private.h"


static JSClassRef gp__store_class;

enum { GP__OP_LIST, GP__OP_LOAD, GP__OP_DELETE, GP__OP_CLOSE, GP__OP_RUNS, GP__OP_READY };

typedef struct {
  uv_work_t req;                  /* req.data: unused; first so the request is the job */
  gp_js_runtime_t *rt;
  int op;
  gp_store_t *st;                 /* reference, or NULL (READY) */
  gp_session_t *session;          /* READY: borrowed; its JS object is protected */
  JSObjectRef session_obj;        /* protected, READY only */
  JSObjectRef cb;                 /* protected: cb(err, value) */
  char *id;                       /* heap or NULL */
  size_t limit;
  int64_t before;
  int rc;                         /* worker -> owner */
  gp_error_t *err;
  gp_store_entry_t *entries;
  gp_turn_t **turns;
  gp_store_run_t *runs;
  size_t n;
} gp__sjob_t;

static void gp__store_finalize(JSObjectRef obj) { gp_store_unref(JSObjectGetPrivate(obj)); }

gp_store_t *gp__js_store_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__store_class);
}

/* storeNew(kind, target, leaseMs?, connections?) -> a native store object */
static JSValueRef gp__store_new(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  char *kind = gp__js_to_cstr(ctx, GP__ARG(0));
  char *target = JSValueIsString(ctx, GP__ARG(1)) ? gp__js_to_cstr(ctx, GP__ARG(1)) : NULL;
  gp_store_opts_t o = {0};
  if (JSValueIsNumber(ctx, GP__ARG(2))) o.lease_ms = (int64_t)JSValueToNumber(ctx, GP__ARG(2), NULL);
  if (JSValueIsNumber(ctx, GP__ARG(3))) o.connections = (int)JSValueToNumber(ctx, GP__ARG(3), NULL);
  gp_store_t *st = NULL;
  if (kind && strcmp(kind, "memory") == 0) st = gp_store_memory(&o);
  else if (kind && strcmp(kind, "sqlite") == 0 && target) st = gp_store_sqlite(target, &o);
  else if (kind && strcmp(kind, "postgres") == 0 && target) st = gp_store_postgres(target, &o);
  free(kind);
  free(target);
  if (!st) return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "unknown store or missing target");
  if (gp__store_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "NativeStore";
    def.finalize = gp__store_finalize;
    gp__store_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__store_class, st);
}

static void gp__sjob_work(uv_work_t *req) {
  gp__sjob_t *j = (gp__sjob_t *)req;
  switch (j->op) {
  case GP__OP_LIST: j->rc = gp_store_list(j->st, j->limit, j->before, &j->entries, &j->n, &j->err); break;
  case GP__OP_LOAD: j->rc = gp_store_load(j->st, j->id, &j->turns, &j->n, &j->err); break;
  case GP__OP_DELETE: j->rc = gp_store_delete(j->st, j->id, &j->err); break;
  case GP__OP_CLOSE: gp_store_close(j->st); j->rc = 0; break;
  case GP__OP_RUNS: j->rc = gp_store_runs(j->st, j->id, &j->runs, &j->n, &j->err); break;
  case GP__OP_READY: j->rc = gp_session_wait_ready(j->session, &j->err); break;
  }
}

static JSValueRef gp__entries_js(JSContextRef ctx, gp__sjob_t *j) {
  JSValueRef *items = gp__xcalloc(j->n ? j->n : 1, sizeof *items);
  for (size_t i = 0; i < j->n; i++) {
    JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
    gp__js_set(ctx, o, "id", gp__js_str(ctx, j->entries[i].id));
    gp__js_set(ctx, o, "turnCount", JSValueMakeNumber(ctx, (double)j->entries[i].turn_count));
    gp__js_set(ctx, o, "updatedAt", JSValueMakeNumber(ctx, (double)j->entries[i].updated_at_ms));
    items[i] = o;
  }
  JSValueRef a = JSObjectMakeArray(ctx, j->n, items, NULL);
  free(items);
  return a;
}

static JSValueRef gp__runs_js(JSContextRef ctx, gp__sjob_t *j) {
  JSValueRef *items = gp__xcalloc(j->n ? j->n : 1, sizeof *items);
  for (size_t i = 0; i < j->n; i++) {
    const gp_store_run_t *r = &j->runs[i];
    JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
    gp__js_set(ctx, o, "id", gp__js_str(ctx, r->id));
    gp__js_set(ctx, o, "startedAt", JSValueMakeNumber(ctx, (double)r->started_at_ms));
    gp__js_set(ctx, o, "endedAt", JSValueMakeNumber(ctx, (double)r->ended_at_ms));
    gp__js_set(ctx, o, "outcome", gp__js_str(ctx, r->outcome));
    json_t *u = r->usage ? json_loads(r->usage, JSON_DECODE_ANY, NULL) : NULL;
    gp__js_set(ctx, o, "usage", u ? gp__js_from_json(ctx, u) : JSValueMakeNull(ctx));
    json_decref(u);
    gp__js_set(ctx, o, "partialTurn", r->partial ? gp__js_from_turn(ctx, r->partial) : JSValueMakeNull(ctx));
    items[i] = o;
  }
  JSValueRef a = JSObjectMakeArray(ctx, j->n, items, NULL);
  free(items);
  return a;
}

static JSValueRef gp__sjob_value(JSContextRef ctx, gp__sjob_t *j) {
  switch (j->op) {
  case GP__OP_LIST: return gp__entries_js(ctx, j);
  case GP__OP_RUNS: return gp__runs_js(ctx, j);
  case GP__OP_LOAD: {
    JSValueRef *items = gp__xcalloc(j->n ? j->n : 1, sizeof *items);
    for (size_t i = 0; i < j->n; i++) items[i] = gp__js_from_turn(ctx, j->turns[i]);
    JSValueRef a = JSObjectMakeArray(ctx, j->n, items, NULL);
    free(items);
    return a;
  }
  default: return JSValueMakeUndefined(ctx);
  }
}

static void gp__sjob_free(gp__sjob_t *j) {
  gp_store_unref(j->st);
  gp_error_free(j->err);
  if (j->entries) gp_store_entries_free(j->entries, j->n);
  if (j->turns) gp_store_turns_free(j->turns, j->n);
  if (j->runs) gp_store_runs_free(j->runs, j->n);
  free(j->id);
  free(j);
}

/* Owner thread: cb(err) or cb(null, value). load() of an unknown id answers null. */
static void gp__sjob_after(uv_work_t *req, int status) {
  gp__sjob_t *j = (gp__sjob_t *)req;
  gp_js_runtime_t *rt = j->rt;
  JSContextRef ctx = rt->ctx;
  if (ctx) {
    JSValueRef args[2] = {JSValueMakeNull(ctx), JSValueMakeUndefined(ctx)};
    if (j->op == GP__OP_LOAD && j->rc == GP_ERR_NOT_FOUND) args[1] = JSValueMakeNull(ctx);
    else if (j->rc != 0) args[0] = gp__js_error_from(ctx, j->err);
    else args[1] = gp__sjob_value(ctx, j);
    JSValueRef exc = NULL;
    JSObjectCallAsFunction(ctx, j->cb, NULL, 2, args, &exc);
    JSValueUnprotect(ctx, j->cb);
    if (j->session_obj) JSValueUnprotect(ctx, j->session_obj);
  }
  gp__sjob_free(j);
  gp__js_unkeep(rt);
}

static void gp__sjob_submit(JSContextRef ctx, gp__sjob_t *j, JSValueRef cb) {
  j->rt = gp__js_rt();
  j->cb = (JSObjectRef)cb;
  JSValueProtect(ctx, cb);
  if (j->session_obj) JSValueProtect(ctx, j->session_obj);
  gp__js_keep(j->rt);
  uv_queue_work(gp_owner_loop(j->rt->owner), &j->req, gp__sjob_work, gp__sjob_after);
}

/* storeOp(store, op, arg, cb): op "list" (arg {limit, before}), "load"/"delete"/"runs"
 * (arg: an id), "close". */
static JSValueRef gp__store_op(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp_store_t *st = gp__js_store_of(ctx, GP__ARG(0));
  if (!st || !gp__js_is_function(ctx, GP__ARG(3)))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "storeOp(store, op, arg, cb)");
  char *op = gp__js_to_cstr(ctx, GP__ARG(1));
  gp__sjob_t *j = gp__xcalloc(1, sizeof *j);
  j->st = gp_store_ref(st);
  j->op = strcmp(op, "list") == 0 ? GP__OP_LIST : strcmp(op, "load") == 0 ? GP__OP_LOAD
        : strcmp(op, "delete") == 0 ? GP__OP_DELETE : strcmp(op, "runs") == 0 ? GP__OP_RUNS
        : GP__OP_CLOSE;
  free(op);
  JSValueRef arg = GP__ARG(2);
  if (j->op == GP__OP_LIST && JSValueIsObject(ctx, arg)) {
    JSValueRef l = gp__js_get(ctx, (JSObjectRef)arg, "limit");
    JSValueRef b = gp__js_get(ctx, (JSObjectRef)arg, "before");
    if (JSValueIsNumber(ctx, l)) j->limit = (size_t)JSValueToNumber(ctx, l, NULL);
    if (JSValueIsNumber(ctx, b)) j->before = (int64_t)JSValueToNumber(ctx, b, NULL);
  } else if (JSValueIsString(ctx, arg)) {
    j->id = gp__js_to_cstr(ctx, arg);
  }
  gp__sjob_submit(ctx, j, GP__ARG(3));
  return JSValueMakeUndefined(ctx);
}

void gp__js_session_when_ready(JSContextRef ctx, gp_session_t *s, JSObjectRef session_obj,
                               JSValueRef cb) {
  gp__sjob_t *j = gp__xcalloc(1, sizeof *j);
  j->op = GP__OP_READY;
  j->session = s;
  j->session_obj = session_obj;
  gp__sjob_submit(ctx, j, cb);
}

static const gp__js_fn_t gp__store_fns[] = {
    {"storeNew", gp__store_new},
    {"storeOp", gp__store_op},
};

void gp__mod_store_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fns(ctx, native, gp__store_fns, sizeof gp__store_fns / sizeof gp__store_fns[0]);
}
