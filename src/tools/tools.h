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
  gp_tool_cb cb;              /* exactly one of cb and acb is set */
  gp_tool_async_cb acb;
  void *ud;
  void (*free_ud)(void *ud);  /* runs when the last reference drops */
} gp__tool_t;

/* The entry registered under `name` with a new reference, or NULL. Any thread. */
gp__tool_t *gp__registry_lookup(gp_registry_t *r, const char *name);
/* Drops the entry `t` (one gp__registry_lookup gave) when it is still registered: 1, or
 * 0 when it was replaced or removed meanwhile. Calls in flight keep their reference. */
int gp__registry_remove(gp_registry_t *r, const gp__tool_t *t);
void gp__tool_unref(gp__tool_t *t); /* accepts NULL */

struct gp_tool_hooks_s {
  atomic_int refcount;
  gp_hook_cb before;          /* each may be NULL */
  gp_hook_cb after;
  gp_hook_cb on_error;
  gp_hook_async_cb abefore;   /* asynchronous forms; a phase has at most one of the two */
  gp_hook_async_cb aafter;
  gp_hook_async_cb aon_error;
  int fail_open;              /* 1: a failing hook is ignored; 0: the call fails */
  void *ud;
  void (*free_ud)(void *ud);
};

/* The completion object behind gp_tool_done_t. Embedded in whoever waits (a call's job,
 * gp_registry_call's frame); reset with gp__done_reset before each use. The starter
 * and the completer race through `state`: whichever comes second goes on (the starter
 * inline, the completer by calling resume(arg)). */
enum { GP__DONE_STARTED, GP__DONE_RETURNED, GP__DONE_COMPLETED };
struct gp_tool_done_s {
  atomic_int state;           /* GP__DONE_* */
  int rc;                     /* written by the completer before state COMPLETED */
  json_t *result;             /* idem; owned */
  gp_error_t *err;            /* idem; owned */
  void (*resume)(void *arg);  /* called by a completer that came second; must not block */
  void *arg;
};

void gp__done_reset(gp_tool_done_t *d, void (*resume)(void *arg), void *arg);
/* The starter has returned: 1 when the completion is already in (go on inline), 0 when
 * resume(arg) will run once it comes. */
int gp__done_returned(gp_tool_done_t *d);

#endif
