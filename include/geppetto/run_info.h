/* A run's identity (SPEC §4.5, §4.7): who the run is (session id, run id, tags), when
 * it must end (deadline), what stops it (its cancel token) and the host it reports to.
 *
 * Every context a run hands down carries one gp_run_info_t as a member: the inference
 * context of engines and middlewares, the tool context of handlers, the hook info, and
 * the parameters of the tool loop and the executor. It is a value whose pointers are
 * borrowed, so a context is valid when zeroed (no identity, no deadline, no token) and
 * whoever keeps it past its call copies what it needs (a tool batch does, since an
 * abandoned tool call may outlive its run). */
#ifndef GEPPETTO_RUN_INFO_H
#define GEPPETTO_RUN_INFO_H

#include <stdint.h>
#include <jansson.h>

#include "cancel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque host pointer with optional reference counting: what a C or JS host hands
 * a run (an adapter's dispatcher) so its callbacks can reach it. With both functions
 * set, whoever may outlive the caller (the run, each tool batch) holds a reference, so
 * a host is never freed under a late caller; with either NULL the host must outlive
 * every run given it. */
typedef struct gp_host_ref_s {
  void *ptr;                      /* opaque, never dereferenced by the library; may be NULL */
  void *(*ref)(void *ptr);        /* takes a reference, returns ptr; may be NULL */
  void (*unref)(void *ptr);       /* drops one; may be NULL */
} gp_host_ref_t;

/* Who a run is. Borrowed everywhere it appears: valid for the call that receives it. */
typedef struct gp_run_info_s {
  const char *session_id;         /* the session's id; may be NULL outside a session */
  const char *run_id;             /* the run's id (JS ctx.inferenceId); may be NULL */
  json_t *tags;                   /* JSON object; NULL only in the loop's and the
                                     executor's parameters (read as {}) */
  int64_t deadline_ms;            /* Unix epoch ms at which the run times out; 0: none */
  gp_cancel_t *cancel;            /* the run's token (CANCELED, TIMEOUT); may be NULL */
  gp_host_ref_t host;             /* the run's host (gp_run_opts_t.host) */
} gp_run_info_t;

#ifdef __cplusplus
}
#endif
#endif
