/* Events: what a run tells the world while it runs (SPEC §4.8), sinks that receive
 * them, and the per-run emitter that stamps and fans them out in publish order.
 *
 * An event is immutable once published and reference counted, so one event can reach
 * several sinks on several threads. Its type-specific fields live in `fields`, a JSON
 * object in the wire shape of SPEC §4.8 (e.g. {"delta": "...", "completion": "..."}). */
#ifndef GEPPETTO_EVENT_H
#define GEPPETTO_EVENT_H

#include <stdint.h>
#include <jansson.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  GP_EVENT_START,
  GP_EVENT_PARTIAL,                   /* {delta, completion} */
  GP_EVENT_PARTIAL_THINKING,          /* {delta, completion} */
  GP_EVENT_FINAL,                     /* {text, usage?, stopReason?} */
  GP_EVENT_TOOL_CALL,                 /* {toolCall:{id, name, input}} */
  GP_EVENT_TOOL_CALL_EXECUTE,         /* {toolCall:{id, name, input}} */
  GP_EVENT_TOOL_CALL_EXECUTION_RESULT,/* {toolResult:{id, result, error?, durationMs}} */
  GP_EVENT_TOOL_RESULT,               /* {toolResult:{id, result}} */
  GP_EVENT_ERROR,                     /* {error:{code, message}} */
  GP_EVENT_INTERRUPT,                 /* {text} */
  GP_EVENT_LOG,                       /* {level, message, fields} */
  GP_EVENT_INFO,                      /* {message, data} */
  GP_EVENT_PARTIAL_OBJECT,            /* {object}: structured output parsed so far */
  GP_EVENT_TOOL_PROGRESS,             /* {callId, progress, total?, message?} (MCP) */
  GP_EVENT_TYPE_COUNT
} gp_event_type_t;

typedef struct gp_text_block_s gp_text_block_t; /* opaque: see gp_text_t below */

typedef struct gp_event_s {
  gp_event_type_t type;
  int64_t timestamp_ms;   /* Unix epoch milliseconds */
  char *session_id;       /* heap strings, never NULL ("" when unknown) */
  char *inference_id;
  char *turn_id;
  json_t *fields;         /* type-specific fields, JSON object; owned reference */
  int refcount;           /* atomic */
  /* partial and partial-thinking events made by gp_emit_partial: the `completion` is
   * the first completion_len bytes of a shared buffer, not a member of `fields` (read
   * it with gp_event_completion; gp_event_to_json adds it). NULL otherwise. */
  gp_text_block_t *completion_buf;
  size_t completion_len;
} gp_event_t;

/* "start", "partial", "partial-thinking", "final", "tool-call", ... */
const char *gp_event_type_name(gp_event_type_t type);
/* INVALID_ARGUMENT for an unknown name. */
int gp_event_type_parse(const char *name, gp_event_type_t *out);
/* 1 for final, error and interrupt: the last event of every run is one of those. */
int gp_event_is_terminal(gp_event_type_t type);

/* A new event (refcount 1), timestamped now; steals `fields` (NULL: {}). The ids may
 * be NULL (stored as ""). Never NULL. */
gp_event_t *gp_event_new(gp_event_type_t type, const char *session_id,
                         const char *inference_id, const char *turn_id, json_t *fields);
gp_event_t *gp_event_ref(gp_event_t *ev);
void gp_event_unref(gp_event_t *ev); /* accepts NULL */
/* The flat wire object: {type, timestampMs, sessionId, inferenceId, turnId, ...fields}
 * (with `completion` after `delta` for a partial event of gp_emit_partial). */
json_t *gp_event_to_json(const gp_event_t *ev);
/* The `completion` of a partial or partial-thinking event: its bytes and length (*len),
 * valid while the event lives, NOT NUL-terminated; no copy is made. NULL (and *len 0)
 * when the event has none. A `completion` given in `fields` (gp_fields_partial) is
 * returned too. */
const char *gp_event_completion(const gp_event_t *ev, size_t *len);

/* ---- a stream's text, shared by its partial events (SPEC §4.8: streaming costs linear
 * time). An append-only buffer: each partial event holds a reference on it and the
 * length it had, so publishing an event copies the delta only, and the completion is
 * read in place (or made into a string only by a consumer that wants one). Growing
 * moves the text to a new block only when events still hold the old one; each byte is
 * then copied a bounded number of times (doubling). One writer thread at a time. */
typedef struct gp_text_s gp_text_t;
gp_text_t *gp_text_new(void);               /* never NULL */
void gp_text_free(gp_text_t *t);            /* accepts NULL; events keep their blocks */
void gp_text_append(gp_text_t *t, const char *s, size_t n);
/* The text so far, NUL-terminated (valid until the next append), and its length. */
const char *gp_text_data(const gp_text_t *t, size_t *len);
size_t gp_text_len(const gp_text_t *t);


/* Constructors for the fields of each type (new references). */
json_t *gp_fields_partial(const char *delta, const char *completion);
json_t *gp_fields_final(const char *text, json_t *usage /* borrowed, may be NULL */,
                        const char *stop_reason /* may be NULL */);
json_t *gp_fields_tool_call(const char *id, const char *name, json_t *input /* borrowed */);
json_t *gp_fields_tool_exec_result(const char *id, json_t *result /* borrowed */,
                                   const char *error /* may be NULL */, int64_t duration_ms);
json_t *gp_fields_tool_result(const char *id, json_t *result /* borrowed */);
json_t *gp_fields_error(int code, const char *message);
json_t *gp_fields_interrupt(const char *text);
json_t *gp_fields_log(const char *level, const char *message, json_t *fields /* borrowed */);
json_t *gp_fields_info(const char *message, json_t *data /* borrowed */);

/* A sink receives events. `publish` gets a borrowed event (gp_event_ref to keep it) and
 * may be called from any thread, but never concurrently for the same emitter: events of
 * one run arrive one at a time, in publish order. It must not block for long. */
typedef void (*gp_sink_cb)(void *ud, gp_event_t *ev);

typedef struct gp_sink_s gp_sink_t;
/* A sink from a callback; `free_ud` (may be NULL) runs once when the sink is freed.
 * Refcounted: the creator holds one reference. Never NULL. */
gp_sink_t *gp_sink_new(gp_sink_cb publish, void *ud, void (*free_ud)(void *ud));
gp_sink_t *gp_sink_ref(gp_sink_t *s);
void gp_sink_unref(gp_sink_t *s); /* accepts NULL */
void gp_sink_publish(gp_sink_t *s, gp_event_t *ev);

/* Fan-out: a list of sinks that each receive every event, in the order added.
 * Adding and publishing may happen on different threads (a mutex guards the list). */
typedef struct gp_fanout_s gp_fanout_t;
gp_fanout_t *gp_fanout_new(void);
void gp_fanout_free(gp_fanout_t *f); /* accepts NULL; drops its sink references */
void gp_fanout_add(gp_fanout_t *f, gp_sink_t *s); /* takes a new reference */
int gp_fanout_remove(gp_fanout_t *f, gp_sink_t *s); /* 1 if it was there */
size_t gp_fanout_count(gp_fanout_t *f);
void gp_fanout_publish(gp_fanout_t *f, gp_event_t *ev);

/* The emitter of one run: stamps events with the run's ids and publishes them, in one
 * total order, to a snapshot of the session's sinks plus the run's own. Publishing is
 * serialised by a mutex, so emitting from tool workers and the run thread is safe.
 * After a terminal event, further events are dropped (exactly one terminal event). */
typedef struct gp_emitter_s gp_emitter_t;
gp_emitter_t *gp_emitter_new(const char *session_id, const char *inference_id,
                             const char *turn_id);
void gp_emitter_free(gp_emitter_t *em); /* accepts NULL */
void gp_emitter_add_sink(gp_emitter_t *em, gp_sink_t *s); /* takes a new reference */
void gp_emitter_set_turn_id(gp_emitter_t *em, const char *turn_id);
/* Publishes an event of `type` with `fields` (stolen). Returns 0, or 1 when it was
 * dropped because a terminal event had already been published. Accepts a NULL emitter
 * (the fields are released). */
int gp_emit(gp_emitter_t *em, gp_event_type_t type, json_t *fields);
/* 1 once a terminal event has been published. */
int gp_emitter_ended(gp_emitter_t *em);
/* 1 when the emitter has a sink, so an event published now reaches someone. An emitter
 * without one builds no event at all (gp_emit drops the fields at once), so producers
 * check this before building costly fields. Any thread; no lock (sinks are only ever
 * added). NULL: 0. */
int gp_emitter_observed(const gp_emitter_t *em);
/* Publishes a partial or partial-thinking event {delta, completion}: `delta` (n bytes,
 * valid UTF-8, e.g. what a JSON parser produced) is copied; the completion is `text` as
 * it is now, shared, not copied. Nothing is built when nobody listens. Returns like
 * gp_emit. */
int gp_emit_partial(gp_emitter_t *em, gp_event_type_t type, const char *delta, size_t n,
                    gp_text_t *text);

#ifdef __cplusplus
}
#endif
#endif
