/* The tool hooks object (SPEC §4.6): three optional callbacks sharing one user-data
 * pointer, plus the hook error policy. Refcounted, because a batch in flight keeps the
 * hooks it started with. The executor (executor_call.c) decides what the answers mean. */
#include "tools/tools.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void gp_hook_decision_clear(gp_hook_decision_t *d) {
  free(d->name);
  json_decref(d->args);
  json_decref(d->result);
  free(d->error);
  memset(d, 0, sizeof *d);
  d->action = GP_HOOK_CONTINUE;
  d->backoff_ms = -1;
}

gp_tool_hooks_t *gp_tool_hooks_new(gp_hook_cb before, gp_hook_cb after, gp_hook_cb on_error,
                                   int fail_open, void *ud, void (*free_ud)(void *ud)) {
  gp_tool_hooks_t *h = gp__xcalloc(1, sizeof *h);
  atomic_init(&h->refcount, 1);
  h->before = before;
  h->after = after;
  h->on_error = on_error;
  h->fail_open = fail_open != 0;
  h->ud = ud;
  h->free_ud = free_ud;
  return h;
}

gp_tool_hooks_t *gp_tool_hooks_new_async(gp_hook_async_cb before, gp_hook_async_cb after,
                                         gp_hook_async_cb on_error, int fail_open, void *ud,
                                         void (*free_ud)(void *ud)) {
  gp_tool_hooks_t *h = gp_tool_hooks_new(NULL, NULL, NULL, fail_open, ud, free_ud);
  h->abefore = before;
  h->aafter = after;
  h->aon_error = on_error;
  return h;
}

gp_tool_hooks_t *gp_tool_hooks_ref(gp_tool_hooks_t *h) {
  if (h) atomic_fetch_add(&h->refcount, 1);
  return h;
}

void gp_tool_hooks_unref(gp_tool_hooks_t *h) {
  if (!h || atomic_fetch_sub(&h->refcount, 1) != 1) return;
  if (h->free_ud) h->free_ud(h->ud);
  free(h);
}
