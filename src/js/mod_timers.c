/* Timers on the owner's libuv loop: setTimeout, setInterval and their clear functions.
 * A timer keeps its callback and arguments protected until it fires for the last time
 * or is cleared; an armed timer keeps the process alive (its handle is active).
 * An exception thrown by a timer callback is uncaught: reported, exit status 1. */
#include <stdlib.h>

#include "core/core.h"
#include "js/js_private.h"

typedef struct gp_js_timer_s {
  uv_timer_t h;                  /* owner loop handle; freed in its close callback */
  uint32_t id;
  JSObjectRef fn;                /* protected */
  JSObjectRef args;              /* protected array of extra arguments, or NULL */
  int repeat;
  struct gp_js_timer_s *next;    /* rt->timers list */
} gp_js_timer_t;

#define GP__ARG(i) (argc > (i) ? argv[(i)] : JSValueMakeUndefined(ctx))

static void gp__timer_closed(uv_handle_t *h) { free(h->data); }

/* Unlinks, unprotects and closes. Owner thread. */
static void gp__timer_drop(gp_js_runtime_t *rt, gp_js_timer_t *t) {
  for (gp_js_timer_t **p = &rt->timers; *p; p = &(*p)->next)
    if (*p == t) { *p = t->next; break; }
  if (rt->ctx) {
    JSValueUnprotect(rt->ctx, t->fn);
    if (t->args) JSValueUnprotect(rt->ctx, t->args);
  }
  uv_timer_stop(&t->h);
  uv_close((uv_handle_t *)&t->h, gp__timer_closed);
}

static void gp__timer_fire(uv_timer_t *h) {
  gp_js_timer_t *t = h->data;
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  JSContextRef ctx = rt->ctx;
  JSObjectRef fn = t->fn;
  JSValueProtect(ctx, fn); /* survives a clear from inside the callback */
  size_t n = 0;
  JSValueRef *args = NULL;
  if (t->args) {
    n = (size_t)JSValueToNumber(ctx, gp__js_get(ctx, t->args, "length"), NULL);
    args = gp_xcalloc(n + 1, sizeof *args);
    for (size_t i = 0; i < n; i++) args[i] = JSObjectGetPropertyAtIndex(ctx, t->args, (unsigned)i, NULL);
  }
  if (!t->repeat) gp__timer_drop(rt, t);
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, fn, NULL, n, args, &exc);
  free(args);
  JSValueUnprotect(ctx, fn);
  if (exc) gp__js_fatal(ctx, exc, "Uncaught");
}

static JSValueRef gp__timer_add(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                                JSValueRef *exc, int repeat) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (argc < 1 || !JSValueIsObject(ctx, argv[0]) || !JSObjectIsFunction(ctx, (JSObjectRef)argv[0]))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "the callback must be a function");
  double ms = argc > 1 ? JSValueToNumber(ctx, argv[1], NULL) : 0;
  if (!(ms >= 1)) ms = repeat ? 1 : 0; /* NaN, negative: as soon as possible */
  gp_js_timer_t *t = gp_xcalloc(1, sizeof *t);
  t->id = rt->next_timer_id++;
  t->fn = (JSObjectRef)argv[0];
  JSValueProtect(ctx, t->fn);
  if (argc > 2) {
    t->args = JSObjectMakeArray(ctx, argc - 2, argv + 2, NULL);
    JSValueProtect(ctx, t->args);
  }
  t->repeat = repeat;
  t->h.data = t;
  uv_loop_t *loop = gp_owner_loop(rt->owner);
  uv_update_time(loop); /* the loop time is stale while a long callback runs */
  uv_timer_init(loop, &t->h);
  uint64_t delay = (uint64_t)ms;
  uv_timer_start(&t->h, gp__timer_fire, delay, repeat ? delay : 0);
  t->next = rt->timers;
  rt->timers = t;
  return JSValueMakeNumber(ctx, t->id);
}

static JSValueRef gp__set_timeout(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__timer_add(ctx, argc, argv, exc, 0);
}

static JSValueRef gp__set_interval(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__timer_add(ctx, argc, argv, exc, 1);
}

static JSValueRef gp__clear_timer(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (!JSValueIsNumber(ctx, GP__ARG(0))) return JSValueMakeUndefined(ctx);
  uint32_t id = (uint32_t)JSValueToNumber(ctx, argv[0], NULL);
  for (gp_js_timer_t *t = rt->timers; t; t = t->next)
    if (t->id == id) {
      gp__timer_drop(rt, t);
      break;
    }
  return JSValueMakeUndefined(ctx);
}

void gp__js_timers_close(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  while (rt->timers) gp__timer_drop(rt, rt->timers);
}

static const gp__js_fn_t gp__timer_fns[] = {
    {"setTimeout", gp__set_timeout},     {"setInterval", gp__set_interval},
    {"clearTimeout", gp__clear_timer},   {"clearInterval", gp__clear_timer},
};

void gp__mod_timers_init(JSContextRef ctx, JSObjectRef global) {
  gp__js_set_fns(ctx, global, gp__timer_fns, sizeof gp__timer_fns / sizeof gp__timer_fns[0]);
}
