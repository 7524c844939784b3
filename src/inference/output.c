/* Structured output at the end of the tool loop (SPEC §4.10): the model's final answer
 * is parsed as JSON and validated against the schema the run asked for. A value that
 * fails is sent back once with the reasons (the repair step); failing again ends the
 * run with OUTPUT_INVALID. The value lands in the turn's data "output". */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/json_depth.h"
#include "geppetto/tool.h"
#include "inference/internal.h"

/* The step's answer: its llm_text blocks joined (heap). */
static char *gp__answer_text(const gp_turn_t *turn, size_t start) {
  gp_buf_t b = {0};
  gp__buf_puts(&b, "");
  for (size_t i = start; i < turn->nblocks; i++) {
    const gp_block_t *blk = turn->blocks[i];
    if (blk->kind == GP_BLOCK_LLM_TEXT) gp__buf_puts(&b, gp_block_text(blk));
  }
  return gp__buf_steal(&b);
}

/* The JSON inside `text`: surrounding blanks trimmed and a Markdown code fence
 * (```json ... ```) taken off, as models sometimes wrap their answer. *n its length. */
static const char *gp__unfence(const char *text, size_t *n) {
  const char *s = text, *e = text + strlen(text);
  while (s < e && strchr(" \t\r\n", *s)) s++;
  while (e > s && strchr(" \t\r\n", e[-1])) e--;
  if (e - s >= 6 && !strncmp(s, "```", 3) && !strncmp(e - 3, "```", 3)) {
    s += 3;
    while (s < e && *s != '\n') s++; /* the fence's language tag */
    e -= 3;
  }
  *n = (size_t)(e - s);
  return s;
}

/* 0 with *value, or a heap reason. */
static char *gp__parse_check(const json_t *schema, const char *text, json_t **value) {
  size_t n;
  const char *s = gp__unfence(text, &n);
  *value = NULL;
  if (n == 0) return gp__xstrdup("the answer is empty, not a JSON value");
  json_error_t jerr;
  json_t *v = gp__json_loadb(s, n, JSON_DECODE_ANY, &jerr);
  if (!v) return gp__xasprintf("the answer is not valid JSON (%s at byte %d)", jerr.text, jerr.position);
  gp_error_t *verr = NULL;
  if (gp_schema_validate(schema, v, &verr)) {
    char *why = gp__xstrdup(verr && verr->message ? verr->message : "does not match the schema");
    gp_error_free(verr);
    json_decref(v);
    return why;
  }
  *value = v;
  return NULL;
}

int gp__output_settle(const json_t *output, gp_turn_t *turn, size_t step_start, int *repairs,
                      gp_emitter_t *em, gp_error_t **err) {
  char *text = gp__answer_text(turn, step_start);
  json_t *value;
  char *why = gp__parse_check(json_object_get(output, "schema"), text, &value);
  int rc = 0;
  if (!why) {
    if (!json_is_object(turn->data)) {
      json_decref(turn->data);
      turn->data = json_object();
    }
    json_object_set_new(turn->data, "output", value);
  } else if (*repairs == 0) {
    (*repairs)++;
    char *ask = gp__xasprintf("Your answer does not match the required JSON schema: %s. Reply "
                             "again with only the corrected JSON value, matching the schema.", why);
    gp_turn_append(turn, gp_block_new_user(ask));
    char *msg = gp__xasprintf("structured output invalid (%s); asking the model once more", why);
    gp_emit(em, GP_EVENT_LOG, gp_fields_log("warn", msg, NULL));
    free(msg);
    free(ask);
    rc = GP__OUTPUT_REPAIR;
  } else {
    rc = gp_error_set(err, GP_ERR_OUTPUT_INVALID,
                      "structured output: %s, still after one repair turn; the answer began "
                      "\"%.80s\"", why, text);
  }
  free(why);
  free(text);
  return rc;
}

int gp__output_option_check(const json_t *output, gp_error_t **err) {
  const json_t *schema = json_object_get(output, "schema");
  const json_t *name = json_object_get(output, "name");
  const json_t *strict = json_object_get(output, "strict");
  if (!json_is_object(output) || !json_is_object(schema))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "output needs {schema, name?, strict?} "
                        "with schema a JSON Schema object");
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)output, k, v) {
    if (strcmp(k, "schema") && strcmp(k, "name") && strcmp(k, "strict"))
      return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "output: unknown key \"%s\"; known keys: "
                          "schema, name, strict", k);
  }
  if (name && !json_is_null(name) && (!json_is_string(name) || gp_tool_name_check(json_string_value(name), NULL)))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "output.name must match ^[a-zA-Z0-9_-]{1,64}$");
  if (strict && !json_is_null(strict) && !json_is_boolean(strict))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "output.strict must be a boolean");
  gp_error_t *serr = NULL;
  if (gp_schema_check(schema, &serr)) {
    int rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "output.schema is invalid: %s", serr->message);
    gp_error_free(serr);
    return rc;
  }
  return 0;
}
