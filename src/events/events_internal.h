/* Internal to the library (not public): what the session attaches to a run's emitter
 * for the layers below it. The emitter carries the run's flow valve (core.h) so that an
 * engine streaming over HTTP can stop reading while the run's consumer is behind
 * (gp_run_set_backpressure). */
#ifndef GP_EVENTS_EVENTS_INTERNAL_H
#define GP_EVENTS_EVENTS_INTERNAL_H

#include "core/core.h"
#include "geppetto/event.h"

/* Gives the emitter a reference on `flow` (may be NULL), dropping any earlier one. Call
 * before the emitter is shared with other threads (the session does, when it builds the
 * run); the reference is dropped by gp_emitter_free. */
void gp__emitter_set_flow(gp_emitter_t *em, gp_flow_t *flow);
/* The emitter's flow, borrowed (valid while the emitter lives), or NULL (also for a NULL
 * emitter). Any thread; no lock, so a sink may call it too. */
gp_flow_t *gp__emitter_flow(const gp_emitter_t *em);

/* A tap on a run's answer text: called with each `partial` delta, under the emitter's
 * lock, right after the partial event is published; it returns the fields of a
 * `partial-object` event to publish next (new reference) or NULL. */
typedef json_t *(*gp_emit_tap_cb)(void *ud, const char *delta, size_t n);
/* Sets (cb not NULL) or clears the emitter's tap; 0, or -1 when one is already set (it
 * is kept). Any thread; takes em->lock, so clearing it waits for a tap call running. */
int gp__emitter_set_tap(gp_emitter_t *em, gp_emit_tap_cb cb, void *ud);

/* 1 when a tool-call event for call `id` was published on the emitter (by the engine
 * that streamed the call), so the tool loop announces only the others. Any thread. */
int gp__emitter_announced(gp_emitter_t *em, const char *id);

/* How many events this process has built (gp_event_new), for tests of "a run nobody
 * listens to builds no event". */
uint64_t gp__event_count(void);

/* A block of a stream's text (text.c): shared by the writer and the events that
 * reference a prefix of it. */
struct gp_text_block_s {
  int refs;       /* atomic */
  size_t cap;     /* bytes of data */
  char data[];
};
gp_text_block_t *gp__text_block_ref(gp_text_block_t *b);
void gp__text_block_unref(gp_text_block_t *b); /* accepts NULL */
/* A new reference on the text's current block and, in *len, the length of the text. */
gp_text_block_t *gp__text_share(gp_text_t *t, size_t *len);

#endif
