/* Internal interface of the tools layer: registry entries shared with the executor
 * and the hooks object's layout. Not part of the public API. */
#ifndef GP_TOOLS_TOOLS_H
#define GP_TOOLS_TOOLS_H

#include <stdatomic.h>
#include <geppetto/tool.h>

/* One registered tool. Refcounted so that a call in flight keeps its entry (and the
 * handler's user data) alive while the registry replaces or drops it. Immutable after
 * creation, so it is read without a lock. */
typedef struct gp__tool_s {
  atomic_int refcount;
  char *name;                 /* heap */
  char *description;          /* heap, "" when none */
  json_t *parameters;         /* deep copy of the schema, or NULL */
  gp_tool_cb cb;
  void *ud;
  void (*free_ud)(void *ud);  /* runs when the last reference drops */
} gp__tool_t;

/* The entry registered under `name` with a new reference, or NULL. Any thread. */
gp__tool_t *gp__registry_lookup(gp_registry_t *r, const char *name);
void gp__tool_unref(gp__tool_t *t); /* accepts NULL */

struct gp_tool_hooks_s {
  atomic_int refcount;
  gp_hook_cb before;          /* each may be NULL */
  gp_hook_cb after;
  gp_hook_cb on_error;
  int fail_open;              /* 1: a failing hook is ignored; 0: the call fails */
  void *ud;
  void (*free_ud)(void *ud);
};

#endif
