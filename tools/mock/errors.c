/* Errors in each protocol's own shape: the JSON body of a non-2xx answer, the error
 * event a stream fails with, and the malformed chunk of the `malformed` fault. */
#include "mock.h"

#include <stdlib.h>

#include "core/core.h"

/* The service's error type for an HTTP status, in the protocol's vocabulary. */
static const char *gp__type_for(gp_mock_proto_t p, int status) {
  int anthropic = p == GP_MOCK_ANTHROPIC;
  switch (status) {
  case 400: return "invalid_request_error";
  case 401: return anthropic ? "authentication_error" : "invalid_request_error";
  case 403: return anthropic ? "permission_error" : "invalid_request_error";
  case 404: return anthropic ? "not_found_error" : "invalid_request_error";
  case 413: return anthropic ? "request_too_large" : "invalid_request_error";
  case 429: return anthropic ? "rate_limit_error" : "rate_limit_exceeded";
  case 529: return "overloaded_error";
  default: return status >= 500 ? (anthropic ? "api_error" : "server_error") : "invalid_request_error";
  }
}

/* Google's canonical status name for an HTTP status. */
static const char *gp__google_status(int status) {
  switch (status) {
  case 400: return "INVALID_ARGUMENT";
  case 401: return "UNAUTHENTICATED";
  case 403: return "PERMISSION_DENIED";
  case 404: return "NOT_FOUND";
  case 429: return "RESOURCE_EXHAUSTED";
  case 503: return "UNAVAILABLE";
  case 504: return "DEADLINE_EXCEEDED";
  default: return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

/* Gemini's error shape: {"error": {"code", "message", "status"}}. */
static char *gp__gemini_body(int status, const char *type, const char *message) {
  json_t *body = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", status, "message",
                           message ? message : status == 429 ? "Resource has been exhausted" : "Mock error",
                           "status", type ? type : gp__google_status(status));
  char *s = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  return s;
}

char *gp_mock_error_body(gp_mock_proto_t p, int status, const char *type, const char *message) {
  if (p == GP_MOCK_GEMINI) return gp__gemini_body(status, type, message);
  if (!type) type = gp__type_for(p, status);
  if (!message) message = status == 429 ? "Rate limit reached" : status == 529 ? "Overloaded" : "Mock error";
  json_t *err = json_pack("{s:s, s:s}", "type", type, "message", message);
  json_t *body;
  if (p == GP_MOCK_ANTHROPIC) {
    body = json_pack("{s:s, s:o}", "type", "error", "error", err);
  } else {
    json_object_set_new(err, "param", json_null());
    json_object_set_new(err, "code", status == 429 ? json_string("rate_limit_exceeded") : json_null());
    body = json_pack("{s:o}", "error", err);
  }
  char *s = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  return s;
}

char *gp_mock_synth_error(gp_mock_proto_t p, const gp_mock_answer_t *a, long seq,
                          const char *type, const char *message) {
  gp_mock_events_t ev = {0};
  switch (p) {
  case GP_MOCK_ANTHROPIC:
    gp_mock_events_json(&ev, "error", json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error", "type",
                                                type ? type : "overloaded_error", "message",
                                                message ? message : "Overloaded"), 1);
    break;
  case GP_MOCK_RESPONSES: {
    json_t *resp = json_pack("{s:s, s:s, s:I, s:s, s:{s:s, s:s}, s:n, s:s, s:[], s:n}", "id", "", "object",
                             "response", "created_at", (json_int_t)a->created, "status", "failed", "error",
                             "code", type ? type : "server_error", "message",
                             message ? message : "The server had an error while processing your request.",
                             "incomplete_details", "model", a->model, "output", "usage");
    json_object_set_new(resp, "id", json_sprintf("resp_%s", a->tag));
    gp_mock_events_json(&ev, "response.failed", json_pack("{s:s, s:I, s:o}", "type", "response.failed",
                                                           "sequence_number", (json_int_t)seq, "response", resp), 1);
    break;
  }
  case GP_MOCK_GEMINI:
    gp_mock_events_json(&ev, NULL, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 500, "message",
                                             message ? message : "An internal error has occurred.",
                                             "status", type ? type : "INTERNAL"), 1);
    break;
  default:
    gp_mock_events_json(&ev, NULL, json_pack("{s:{s:s, s:s, s:n, s:n}}", "error", "message",
                                             message ? message : "The server had an error while processing your request.",
                                             "type", type ? type : "server_error", "param", "code"), 1);
  }
  char *s = ev.v[0].data;
  free(ev.v);
  return s;
}

char *gp_mock_synth_malformed(gp_mock_proto_t p) {
  switch (p) {
  case GP_MOCK_ANTHROPIC:
    return gp__xstrdup("event: content_block_delta\n"
                      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_del\n\n");
  case GP_MOCK_RESPONSES:
    return gp__xstrdup("event: response.output_text.delta\n"
                      "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":\n\n");
  case GP_MOCK_GEMINI:
    return gp__xstrdup("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\n\n");
  default:
    return gp__xstrdup("data: {\"id\":\"chatcmpl-broken\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":\n\n");
  }
}
