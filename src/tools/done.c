/* Completions of asynchronous tool handlers and hooks (gp_tool_done_t): the hand-off
 * between the thread that starts a call and the one that finishes it (the owner when a
 * JS promise settles), so that nothing waits on a thread in between. */
#include "tools/tools.h"

#include <pthread.h>

void gp__done_reset(gp_tool_done_t *d, void (*resume)(void *arg), void *arg) {
  atomic_store(&d->state, GP__DONE_STARTED);
  d->rc = 0;
  d->result = NULL;
  d->err = NULL;
  d->resume = resume;
  d->arg = arg;
}

int gp__done_returned(gp_tool_done_t *d) {
  return atomic_exchange(&d->state, GP__DONE_RETURNED) == GP__DONE_COMPLETED;
}

void gp_tool_done(gp_tool_done_t *d, int rc, json_t *result, gp_error_t *err) {
  d->rc = rc;
  d->result = result;
  d->err = err;
  /* Read resume/arg first: once the starter sees COMPLETED, `d` may be gone. */
  void (*resume)(void *) = d->resume;
  void *arg = d->arg;
  if (atomic_exchange(&d->state, GP__DONE_COMPLETED) == GP__DONE_RETURNED) resume(arg);
}
