/* Events (SPEC §4.8): type names, reference-counted immutable event values, their flat
 * wire encoding, and constructors for each type's fields in the exact wire shape.
 * Every function here is thread-safe; an event may be read on any thread once built. */
#include "geppetto/event.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "events/events_internal.h"
#include "turns/turn_private.h"

static const char *const type_names[GP_EVENT_TYPE_COUNT] = {
    [GP_EVENT_START] = "start",
    [GP_EVENT_PARTIAL] = "partial",
    [GP_EVENT_PARTIAL_THINKING] = "partial-thinking",
    [GP_EVENT_FINAL] = "final",
    [GP_EVENT_TOOL_CALL] = "tool-call",
    [GP_EVENT_TOOL_CALL_EXECUTE] = "tool-call-execute",
    [GP_EVENT_TOOL_CALL_EXECUTION_RESULT] = "tool-call-execution-result",
    [GP_EVENT_TOOL_RESULT] = "tool-result",
    [GP_EVENT_ERROR] = "error",
    [GP_EVENT_INTERRUPT] = "interrupt",
    [GP_EVENT_LOG] = "log",
    [GP_EVENT_INFO] = "info",
    [GP_EVENT_PARTIAL_OBJECT] = "partial-object",
    [GP_EVENT_TOOL_PROGRESS] = "tool-progress",
};

const char *gp_event_type_name(gp_event_type_t type) {
  if ((int)type < 0 || type >= GP_EVENT_TYPE_COUNT) return NULL;
  return type_names[type];
}

int gp_event_type_parse(const char *name, gp_event_type_t *out) {
  if (name == NULL) return GP_ERR_INVALID_ARGUMENT;
  for (int t = 0; t < GP_EVENT_TYPE_COUNT; t++) {
    if (strcmp(name, type_names[t]) == 0) {
      if (out) *out = (gp_event_type_t)t;
      return 0;
    }
  }
  return GP_ERR_INVALID_ARGUMENT;
}

int gp_event_is_terminal(gp_event_type_t type) {
  return type == GP_EVENT_FINAL || type == GP_EVENT_ERROR || type == GP_EVENT_INTERRUPT;
}

/* ---- events --------------------------------------------------------------------- */

static uint64_t gp__events_made; /* atomic */

uint64_t gp__event_count(void) { return __atomic_load_n(&gp__events_made, __ATOMIC_RELAXED); }

gp_event_t *gp_event_new(gp_event_type_t type, const char *session_id,
                         const char *inference_id, const char *turn_id, json_t *fields) {
  __atomic_add_fetch(&gp__events_made, 1, __ATOMIC_RELAXED);
  gp_event_t *ev = gp__xcalloc(1, sizeof *ev);
  ev->type = type;
  ev->timestamp_ms = gp__now_ms();
  ev->session_id = gp__xstrdup(session_id ? session_id : "");
  ev->inference_id = gp__xstrdup(inference_id ? inference_id : "");
  ev->turn_id = gp__xstrdup(turn_id ? turn_id : "");
  ev->fields = fields ? fields : json_object();
  __atomic_store_n(&ev->refcount, 1, __ATOMIC_RELAXED);
  return ev;
}

gp_event_t *gp_event_ref(gp_event_t *ev) {
  if (ev) __atomic_add_fetch(&ev->refcount, 1, __ATOMIC_RELAXED);
  return ev;
}

void gp_event_unref(gp_event_t *ev) {
  if (ev == NULL) return;
  if (__atomic_sub_fetch(&ev->refcount, 1, __ATOMIC_ACQ_REL) != 0) return;
  free(ev->session_id);
  free(ev->inference_id);
  free(ev->turn_id);
  json_decref(ev->fields);
  gp__text_block_unref(ev->completion_buf);
  free(ev);
}

const char *gp_event_completion(const gp_event_t *ev, size_t *len) {
  if (ev->completion_buf) {
    *len = ev->completion_len;
    return ev->completion_buf->data;
  }
  json_t *c = json_object_get(ev->fields, "completion");
  *len = json_string_length(c);
  return json_string_value(c);
}

/* Deep copies so the event never shares a mutable JSON value with its caller (and
 * jansson's own refcounts are never touched from two threads at once). */
json_t *gp_event_to_json(const gp_event_t *ev) {
  json_t *j = json_object();
  const char *name = gp_event_type_name(ev->type);
  json_object_set_new(j, "type", json_string(name ? name : "unknown"));
  json_object_set_new(j, "timestampMs", json_integer(ev->timestamp_ms));
  json_object_set_new(j, "sessionId", gp__json_text(ev->session_id));
  json_object_set_new(j, "inferenceId", gp__json_text(ev->inference_id));
  json_object_set_new(j, "turnId", gp__json_text(ev->turn_id));
  if (json_is_object(ev->fields)) {
    const char *key;
    json_t *v;
    json_object_foreach(ev->fields, key, v) {
      if (json_object_get(j, key) == NULL) json_object_set_new(j, key, json_deep_copy(v));
    }
  }
  if (ev->completion_buf && json_object_get(j, "completion") == NULL) {
    json_object_set_new(j, "completion", json_stringn_nocheck(ev->completion_buf->data,
                                                              ev->completion_len));
  }
  return j;
}

/* ---- fields --------------------------------------------------------------------- */

/* A deep copy of a borrowed value, or `dflt` (a new reference) when it is NULL. */
static json_t *gp__copy_or(json_t *v, json_t *dflt) {
  if (v == NULL) return dflt;
  json_decref(dflt);
  return json_deep_copy(v);
}

json_t *gp_fields_partial(const char *delta, const char *completion) {
  json_t *j = json_object();
  json_object_set_new(j, "delta", gp__json_text(delta));
  json_object_set_new(j, "completion", gp__json_text(completion));
  return j;
}

json_t *gp_fields_final(const char *text, json_t *usage, const char *stop_reason) {
  json_t *j = json_object();
  json_object_set_new(j, "text", gp__json_text(text));
  if (usage != NULL) json_object_set_new(j, "usage", json_deep_copy(usage));
  if (stop_reason != NULL) json_object_set_new(j, "stopReason", gp__json_text(stop_reason));
  return j;
}

json_t *gp_fields_tool_call(const char *id, const char *name, json_t *input) {
  json_t *call = json_object();
  json_object_set_new(call, "id", gp__json_text(id));
  json_object_set_new(call, "name", gp__json_text(name));
  json_object_set_new(call, "input", gp__copy_or(input, json_object()));
  json_t *j = json_object();
  json_object_set_new(j, "toolCall", call);
  return j;
}

json_t *gp_fields_tool_exec_result(const char *id, json_t *result, const char *error,
                                   int64_t duration_ms) {
  json_t *r = json_object();
  json_object_set_new(r, "id", gp__json_text(id));
  json_object_set_new(r, "result", gp__copy_or(result, json_null()));
  if (error != NULL) json_object_set_new(r, "error", gp__json_text(error));
  json_object_set_new(r, "durationMs", json_integer(duration_ms));
  json_t *j = json_object();
  json_object_set_new(j, "toolResult", r);
  return j;
}

json_t *gp_fields_tool_result(const char *id, json_t *result) {
  json_t *r = json_object();
  json_object_set_new(r, "id", gp__json_text(id));
  json_object_set_new(r, "result", gp__copy_or(result, json_null()));
  json_t *j = json_object();
  json_object_set_new(j, "toolResult", r);
  return j;
}

json_t *gp_fields_error(int code, const char *message) {
  json_t *e = json_object();
  json_object_set_new(e, "code", json_string(gp_err_name(code)));
  json_object_set_new(e, "message", gp__json_text(message ? message : gp_strerror(code)));
  json_t *j = json_object();
  json_object_set_new(j, "error", e);
  return j;
}

json_t *gp_fields_interrupt(const char *text) {
  json_t *j = json_object();
  json_object_set_new(j, "text", gp__json_text(text));
  return j;
}

json_t *gp_fields_log(const char *level, const char *message, json_t *fields) {
  json_t *j = json_object();
  json_object_set_new(j, "level", gp__json_text(level ? level : "info"));
  json_object_set_new(j, "message", gp__json_text(message));
  json_object_set_new(j, "fields", gp__copy_or(fields, json_object()));
  return j;
}

json_t *gp_fields_info(const char *message, json_t *data) {
  json_t *j = json_object();
  json_object_set_new(j, "message", gp__json_text(message));
  json_object_set_new(j, "data", gp__copy_or(data, json_object()));
  return j;
}
