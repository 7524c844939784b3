/* Natives behind `gp.runtime`: the owner thread's statistics (SPEC §4.9). */
#include "js/js_private.h"

static JSObjectRef gp__latency(JSContextRef ctx, const gp_owner_latency_t *l) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "p50", JSValueMakeNumber(ctx, (double)l->p50_us));
  gp__js_set(ctx, o, "p95", JSValueMakeNumber(ctx, (double)l->p95_us));
  gp__js_set(ctx, o, "p99", JSValueMakeNumber(ctx, (double)l->p99_us));
  gp__js_set(ctx, o, "max", JSValueMakeNumber(ctx, (double)l->max_us));
  return o;
}

static JSValueRef gp__stats(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                            size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  gp_owner_stats_t s;
  gp_owner_stats(rt->owner, &s);
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "queueDepth", JSValueMakeNumber(ctx, (double)s.queue_depth));
  gp__js_set(ctx, o, "calls", JSValueMakeNumber(ctx, (double)s.calls));
  gp__js_set(ctx, o, "posts", JSValueMakeNumber(ctx, (double)s.posts));
  gp__js_set(ctx, o, "inline", JSValueMakeNumber(ctx, (double)s.inline_calls));
  gp__js_set(ctx, o, "canceled", JSValueMakeNumber(ctx, (double)s.canceled));
  gp__js_set(ctx, o, "failed", JSValueMakeNumber(ctx, (double)s.failed));
  gp__js_set(ctx, o, "rejected", JSValueMakeNumber(ctx, (double)s.rejected));
  gp__js_set(ctx, o, "enqueueToStartUs", gp__latency(ctx, &s.enqueue_to_start));
  gp__js_set(ctx, o, "execUs", gp__latency(ctx, &s.exec));
  JSObjectRef by = JSObjectMake(ctx, NULL, NULL);
  for (size_t i = 0; i < s.nops; i++) {
    JSObjectRef op = JSObjectMake(ctx, NULL, NULL);
    gp__js_set(ctx, op, "count", JSValueMakeNumber(ctx, (double)s.ops[i].count));
    gp__js_set(ctx, op, "execUs", gp__latency(ctx, &s.ops[i].exec));
    gp__js_set(ctx, by, s.ops[i].op, op);
  }
  gp__js_set(ctx, o, "byOp", by);
  size_t nf = 0;
  for (struct gp__jsfetch_s *f = rt->fetches; f; f = gp__js_fetch_next(f)) nf++;
  gp__js_set(ctx, o, "openFetches", JSValueMakeNumber(ctx, (double)nf));
  gp_owner_stats_clear(&s);
  return o;
}

void gp__mod_runtime_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fn(ctx, native, "runtimeStats", gp__stats);
}
