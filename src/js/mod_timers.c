/* Timers on the owner's libuv loop: setTimeout, setInterval and their clear functions.
 * All timers sit in one binary min-heap ordered by (due time, creation sequence), so
 * equal due times fire in creation order, behind a single uv timer armed for the
 * heap's top; a table from id to timer makes clearTimeout O(log n) too. A timer keeps
 * its callback and arguments protected until it fires for the last time or is cleared;
 * while any timer is pending the uv timer is armed, and it keeps the process alive
 * unless every pending timer is unref'd (gp__js_timer_unref, for AbortSignal.timeout).
 * An exception thrown by a timer callback is uncaught: reported, exit status 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "js/js_private.h"

/* Node's TIMEOUT_MAX: longer (and negative, NaN) delays become 1 ms. */
#define GP__TIMEOUT_MAX 2147483647.0

typedef struct gp_js_timer_s {
  uint64_t due;                  /* loop time (ms) when it fires */
  uint64_t seq;                  /* creation order, for equal due times */
  uint64_t repeat;               /* interval (ms), 0 for a timeout */
  size_t pos;                    /* index in the heap */
  size_t slot;                   /* index in the id table */
  uint32_t id;
  int unref;                     /* does not keep the process alive */
  JSObjectRef fn;                /* protected */
  JSObjectRef args;              /* protected array of extra arguments, or NULL */
} gp_js_timer_t;

struct gp__js_timers_s {
  uv_timer_t h;                  /* armed for heap[0]; the state is freed in its close cb */
  gp_js_timer_t **heap;          /* min-heap by (due, seq); n used of cap */
  size_t n, cap;
  size_t nref;                   /* pending timers that are not unref'd */
  gp_js_timer_t **slots;         /* id -> timer, open addressing (linear probing) */
  size_t mask;                   /* slots has mask + 1 entries, a power of two */
  uint64_t seq;                  /* next creation sequence number */
  int firing;                    /* in the uv callback: it re-arms once at its end */
  int wrapped;                   /* ids have wrapped around: a new id may be taken */
};


/* ---- id table --------------------------------------------------------------------- */

static size_t gp__slot_of(const gp__js_timers_t *ts, uint32_t id) {
  return (size_t)(id * 2654435761u) & ts->mask;
}

static void gp__table_put(gp__js_timers_t *ts, gp_js_timer_t *t);

/* Doubles the table when it would be more than half full (n live timers). */
static void gp__table_grow(gp__js_timers_t *ts) {
  if ((ts->n + 1) * 2 <= ts->mask + 1) return;
  gp_js_timer_t **old = ts->slots;
  size_t oldn = ts->mask + 1;
  ts->mask = oldn * 2 - 1;
  ts->slots = gp__xcalloc(ts->mask + 1, sizeof *ts->slots);
  for (size_t i = 0; i < oldn; i++)
    if (old[i]) gp__table_put(ts, old[i]);
  free(old);
}

static void gp__table_put(gp__js_timers_t *ts, gp_js_timer_t *t) {
  size_t i = gp__slot_of(ts, t->id);
  while (ts->slots[i]) i = (i + 1) & ts->mask;
  ts->slots[i] = t;
  t->slot = i;
}

static gp_js_timer_t *gp__table_find(const gp__js_timers_t *ts, uint32_t id) {
  for (size_t i = gp__slot_of(ts, id); ts->slots[i]; i = (i + 1) & ts->mask)
    if (ts->slots[i]->id == id) return ts->slots[i];
  return NULL;
}

/* Removes slot i, shifting later entries of its probe run back (no tombstones). */
static void gp__table_del(gp__js_timers_t *ts, size_t i) {
  ts->slots[i] = NULL;
  for (size_t j = (i + 1) & ts->mask; ts->slots[j]; j = (j + 1) & ts->mask) {
    size_t home = gp__slot_of(ts, ts->slots[j]->id);
    /* the entry at j may move to the hole at i when home is not in (i, j] cyclically */
    if (((j - home) & ts->mask) >= ((j - i) & ts->mask)) {
      ts->slots[i] = ts->slots[j];
      ts->slots[i]->slot = i;
      ts->slots[j] = NULL;
      i = j;
    }
  }
}

/* ---- heap ------------------------------------------------------------------------- */

static int gp__before(const gp_js_timer_t *a, const gp_js_timer_t *b) {
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void gp__heap_set(gp__js_timers_t *ts, size_t i, gp_js_timer_t *t) {
  ts->heap[i] = t;
  t->pos = i;
}

static void gp__heap_up(gp__js_timers_t *ts, size_t i) {
  gp_js_timer_t *t = ts->heap[i];
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!gp__before(t, ts->heap[p])) break;
    gp__heap_set(ts, i, ts->heap[p]);
    i = p;
  }
  gp__heap_set(ts, i, t);
}

static void gp__heap_down(gp__js_timers_t *ts, size_t i) {
  gp_js_timer_t *t = ts->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= ts->n) break;
    if (c + 1 < ts->n && gp__before(ts->heap[c + 1], ts->heap[c])) c++;
    if (!gp__before(ts->heap[c], t)) break;
    gp__heap_set(ts, i, ts->heap[c]);
    i = c;
  }
  gp__heap_set(ts, i, t);
}

static void gp__heap_push(gp__js_timers_t *ts, gp_js_timer_t *t) {
  if (ts->n == ts->cap) {
    ts->cap = ts->cap ? ts->cap * 2 : 64;
    ts->heap = gp__xrealloc(ts->heap, ts->cap * sizeof *ts->heap);
  }
  gp__heap_set(ts, ts->n++, t);
  gp__heap_up(ts, t->pos);
}

static void gp__heap_remove(gp__js_timers_t *ts, gp_js_timer_t *t) {
  size_t i = t->pos;
  gp_js_timer_t *last = ts->heap[--ts->n];
  if (last == t) return;
  gp__heap_set(ts, i, last);
  gp__heap_up(ts, i);
  gp__heap_down(ts, last->pos);
}

/* ---- scheduling ------------------------------------------------------------------- */

static void gp__timers_fire(uv_timer_t *h);

/* Arms the uv timer for the heap's top, or stops it (the process may then end). */
static void gp__timers_arm(gp__js_timers_t *ts) {
  if (ts->firing) return;
  if (ts->n == 0) {
    uv_timer_stop(&ts->h);
    return;
  }
  uint64_t now = uv_now(ts->h.loop), due = ts->heap[0]->due;
  uv_timer_start(&ts->h, gp__timers_fire, due > now ? due - now : 0, 0);
  if (ts->nref > 0) uv_ref((uv_handle_t *)&ts->h);
  else uv_unref((uv_handle_t *)&ts->h);
}

/* Takes the timer out of the heap and the table and unprotects it; the caller frees. */
static void gp__timer_unlink(gp_js_runtime_t *rt, gp__js_timers_t *ts, gp_js_timer_t *t) {
  gp__table_del(ts, t->slot);
  gp__heap_remove(ts, t);
  if (!t->unref) ts->nref--;
  if (rt->ctx) {
    JSValueUnprotect(rt->ctx, t->fn);
    if (t->args) JSValueUnprotect(rt->ctx, t->args);
  }
}

/* Runs every timer due at the loop time of this pass, earliest first; timers added by
 * the callbacks are due later, so the pass ends. Owner thread. */
static void gp__timers_fire(uv_timer_t *h) {
  gp__js_timers_t *ts = h->data;
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  JSContextRef ctx = rt->ctx;
  uint64_t now = uv_now(h->loop);
  ts->firing = 1;
  while (ts->n > 0 && ts->heap[0]->due <= now && rt->ctx && !rt->ended) {
    gp_js_timer_t *t = ts->heap[0];
    JSObjectRef fn = t->fn, argobj = t->args;
    JSValueProtect(ctx, fn); /* both survive a clear from inside the callback */
    if (argobj) JSValueProtect(ctx, argobj);
    if (t->repeat) { /* re-scheduled before the call, behind timers due at the same time */
      gp__heap_remove(ts, t);
      t->due = now + t->repeat;
      t->seq = ts->seq++;
      gp__heap_push(ts, t);
    } else {
      gp__timer_unlink(rt, ts, t);
      free(t);
    }
    size_t n = 0;
    JSValueRef *args = NULL;
    if (argobj) {
      n = (size_t)JSValueToNumber(ctx, gp__js_get(ctx, argobj, "length"), NULL);
      args = gp__xcalloc(n + 1, sizeof *args);
      for (size_t i = 0; i < n; i++) args[i] = JSObjectGetPropertyAtIndex(ctx, argobj, (unsigned)i, NULL);
    }
    JSValueRef exc = NULL;
    JSObjectCallAsFunction(ctx, fn, NULL, n, args, &exc);
    free(args);
    JSValueUnprotect(ctx, fn);
    if (argobj) JSValueUnprotect(ctx, argobj);
    if (exc) gp__js_fatal(ctx, exc, "Uncaught");
  }
  ts->firing = 0;
  if (rt->ended) /* the script has ended: no timer fires again (the teardown frees them) */
    uv_timer_stop(h);
  else
    gp__timers_arm(ts);
}

/* The delay as Node clamps it: not a finite number in [1, 2^31-1] becomes 1 ms; one
 * over the maximum also warns on stderr. */
static uint64_t gp__timer_delay(JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  double ms = argc > 1 ? JSValueToNumber(ctx, argv[1], NULL) : 1;
  if (ms >= 1 && ms <= GP__TIMEOUT_MAX) return (uint64_t)ms;
  if (ms > GP__TIMEOUT_MAX) {
    JSStringRef s = JSValueToStringCopy(ctx, JSValueMakeNumber(ctx, ms), NULL);
    char *text = s ? gp__js_strdup(ctx, s) : NULL;
    if (s) JSStringRelease(s);
    fflush(stdout);
    fprintf(stderr, "TimeoutOverflowWarning: %s does not fit into a 32-bit signed integer.\n"
                    "Timeout duration was set to 1.\n", text ? text : "?");
    fflush(stderr);
    free(text);
  }
  return 1;
}

static JSValueRef gp__timer_add(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                                JSValueRef *exc, int repeat) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (argc < 1 || !gp__js_is_function(ctx, argv[0]))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "the callback must be a function");
  uint64_t delay = gp__timer_delay(ctx, argc, argv);
  gp__js_timers_t *ts = rt->timers;
  uv_loop_t *loop = gp_owner_loop(rt->owner);
  if (ts == NULL) {
    ts = rt->timers = gp__xcalloc(1, sizeof *ts);
    ts->mask = 63;
    ts->slots = gp__xcalloc(ts->mask + 1, sizeof *ts->slots);
    uv_timer_init(loop, &ts->h);
    ts->h.data = ts;
  }
  gp_js_timer_t *t = gp__xcalloc(1, sizeof *t);
  for (;;) { /* after 2^32 timers: skip 0 and ids still pending */
    t->id = rt->next_timer_id++;
    if (t->id == 0) ts->wrapped = 1;
    else if (!ts->wrapped || gp__table_find(ts, t->id) == NULL) break;
  }
  t->fn = (JSObjectRef)argv[0];
  JSValueProtect(ctx, t->fn);
  if (argc > 2) {
    t->args = JSObjectMakeArray(ctx, argc - 2, argv + 2, NULL);
    JSValueProtect(ctx, t->args);
  }
  t->repeat = repeat ? delay : 0;
  uv_update_time(loop); /* the loop time is stale while a long callback runs */
  t->due = uv_now(loop) + delay;
  t->seq = ts->seq++;
  gp__table_grow(ts);
  gp__table_put(ts, t);
  gp__heap_push(ts, t);
  if (ts->nref++ == 0 || t->pos == 0) gp__timers_arm(ts); /* the first ref'd one refs h */
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
  gp__js_timers_t *ts = rt->timers;
  if (ts == NULL || !JSValueIsNumber(ctx, GP__ARG(0))) return JSValueMakeUndefined(ctx);
  double d = JSValueToNumber(ctx, argv[0], NULL);
  if (!(d >= 1 && d <= UINT32_MAX) || d != floor(d)) return JSValueMakeUndefined(ctx);
  gp_js_timer_t *t = gp__table_find(ts, (uint32_t)d);
  if (t) {
    int top = t->pos == 0;
    gp__timer_unlink(rt, ts, t);
    free(t);
    if (top) gp__timers_arm(ts);
  }
  return JSValueMakeUndefined(ctx);
}

void gp__js_timer_unref(gp_js_runtime_t *rt, uint32_t id) {
  GP_JS_ASSERT(rt);
  gp__js_timers_t *ts = rt->timers;
  gp_js_timer_t *t = ts ? gp__table_find(ts, id) : NULL;
  if (t == NULL || t->unref) return;
  t->unref = 1;
  if (--ts->nref == 0) gp__timers_arm(ts); /* only unref'd ones left: unrefs h */
}

static void gp__timers_closed(uv_handle_t *h) {
  gp__js_timers_t *ts = h->data;
  free(ts->heap);
  free(ts->slots);
  free(ts);
}

void gp__js_timers_close(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  gp__js_timers_t *ts = rt->timers;
  if (ts == NULL) return;
  for (size_t i = 0; i < ts->n; i++) {
    gp_js_timer_t *t = ts->heap[i];
    if (rt->ctx) {
      JSValueUnprotect(rt->ctx, t->fn);
      if (t->args) JSValueUnprotect(rt->ctx, t->args);
    }
    free(t);
  }
  ts->n = 0;
  ts->nref = 0;
  rt->timers = NULL;
  uv_timer_stop(&ts->h);
  uv_close((uv_handle_t *)&ts->h, gp__timers_closed);
}

static const gp__js_fn_t gp__timer_fns[] = {
    {"setTimeout", gp__set_timeout},     {"setInterval", gp__set_interval},
    {"clearTimeout", gp__clear_timer},   {"clearInterval", gp__clear_timer},
};

void gp__mod_timers_init(JSContextRef ctx, JSObjectRef global) {
  gp__js_set_fns(ctx, global, gp__timer_fns, sizeof gp__timer_fns / sizeof gp__timer_fns[0]);
}
