/* The tool loop (SPEC §4.5): middlewares + engine, then the pending tool calls, their
 * results appended in call order, repeated until the model asks for no more tools.
 * Runs on a run thread; the turn is changed in place so partial output survives. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "events/events_internal.h"
#include "geppetto/session.h"
#include "inference/internal.h"

/* The calls of the last engine step: the tool_call blocks after the turn's last
 * tool_use, in block order. Calls pair with results by position within their
 * iteration, not by looking an id up across the turn: a provider may reuse an id or
 * send none, and such a call must still run. Each call's id is made unique in the turn
 * first (a generated one where it is empty or taken), so its result, and what goes back
 * to the provider, name that call alone. Returns the count; *out is a heap array of
 * borrowed views (NULL when none). */
static size_t gp__pending_calls(gp_turn_t *turn, gp_tool_call_t **out) {
  size_t start = turn->nblocks;
  while (start > 0 && turn->blocks[start - 1]->kind != GP_BLOCK_TOOL_USE) start--;
  size_t n = 0;
  gp_tool_call_t *calls = NULL;
  for (size_t i = start; i < turn->nblocks; i++) {
    gp_block_t *b = turn->blocks[i];
    if (b->kind != GP_BLOCK_TOOL_CALL) continue;
    const char *id = gp_block_call_id(b);
    char *uid = gp_turn_unique_call_id(turn, b, id);
    if (!id || strcmp(uid, id) != 0) json_object_set_new(b->payload, "id", json_string(uid));
    free(uid);
    calls = gp__xrealloc(calls, (n + 1) * sizeof *calls);
    calls[n].id = gp_block_call_id(b);
    calls[n].name = gp_block_tool_name(b);
    calls[n].args = gp_block_tool_args(b);
    n++;
  }
  *out = calls;
  return n;
}

/* Publishes tool-call for each pending call its engine did not announce (an engine
 * of a function, echo, a middleware's calls), so every call has one (SPEC §4.8). */
static void gp__announce_calls(const gp_loop_params_t *p, const gp_tool_call_t *calls, size_t n) {
  if (!gp_emitter_observed(p->emitter)) return;
  for (size_t i = 0; i < n; i++) {
    if (gp__emitter_announced(p->emitter, calls[i].id)) continue;
    gp_emit(p->emitter, GP_EVENT_TOOL_CALL,
            gp_fields_tool_call(calls[i].id, calls[i].name, calls[i].args));
  }
}

/* Appends one tool_use block per result, in call order, and publishes tool-result. */
static void gp__append_results(const gp_loop_params_t *p, gp_turn_t *turn,
                               gp_tool_result_t *results, size_t n) {
  for (size_t i = 0; i < n; i++) {
    gp_tool_result_t *r = &results[i];
    json_t *value = r->value ? json_incref(r->value) : json_null();
    gp_turn_append(turn, gp_block_new_tool_use(r->id, json_incref(value), r->error));
    json_t *fields = gp_fields_tool_result(r->id, value);
    if (r->error) json_object_set_new(json_object_get(fields, "toolResult"), "error",
                                      json_string(r->error));
    gp_emit(p->emitter, GP_EVENT_TOOL_RESULT, fields);
    json_decref(value);
  }
}

/* Runs the calls pending after an engine step and appends their results. */
static int gp__run_tools(const gp_loop_params_t *p, const gp_tool_settings_t *settings,
                         gp_turn_t *turn, gp_tool_call_t *calls, size_t n, gp_error_t **err) {
  /* The views borrow from `turn`, which gains blocks below: copy what they point to.
   * Arguments are deep copies: each worker owns its own (jansson refcounts must not be
   * shared between threads). */
  gp_tool_call_t *owned = gp__xcalloc(n, sizeof *owned);
  for (size_t i = 0; i < n; i++) {
    owned[i].id = gp__xstrdup(calls[i].id);
    owned[i].name = gp__xstrdup(calls[i].name ? calls[i].name : "");
    owned[i].args = calls[i].args ? json_deep_copy(calls[i].args) : json_object();
  }
  gp_tool_result_t *results = gp__xcalloc(n, sizeof *results);
  gp_exec_params_t ep = {.run = p->run, .registry = p->registry, .settings = settings,
                         .hooks = p->hooks, .emitter = p->emitter};
  int rc = gp_tool_execute(&ep, owned, n, results, err);
  gp__append_results(p, turn, results, n);
  for (size_t i = 0; i < n; i++) {
    gp_tool_result_clear(&results[i]);
    free((char *)owned[i].id);
    free((char *)owned[i].name);
    json_decref(owned[i].args);
  }
  free(results);
  free(owned);
  return rc;
}

int gp_tool_loop_run(const gp_loop_params_t *p, gp_turn_t *turn, gp_error_t **err) {
  gp_tool_settings_t defaults;
  gp_tool_settings_init(&defaults);
  const gp_tool_settings_t *settings = p->settings ? p->settings : &defaults;
  int tools_on = settings->enabled && p->registry != NULL;
  json_t *tool_defs = tools_on ? gp_registry_defs(p->registry,
                                                  (const char *const *)settings->allowed_tools,
                                                  settings->nallowed)
                               : json_array();
  gp_run_info_t run = p->run; /* as the inference ctx has it: tags never NULL */
  run.tags = p->run.tags ? json_incref(p->run.tags) : json_object();
  int rc = 0, repairs = 0;
  for (int iter = 1;; iter++) {
    int reason = gp_cancel_reason(run.cancel);
    if (reason) {
      rc = gp_error_set(err, reason, "%s", gp_strerror(reason));
      break;
    }
    gp_infer_ctx_t ctx = {
        .run = run, .emitter = p->emitter, .tool_defs = tool_defs,
        .tool_choice = settings->tool_choice, .iteration = iter, .output = p->output};
    size_t step_start = turn->nblocks;
    rc = gp_chain_run(p->middlewares, p->nmiddlewares, p->engine, &ctx, turn, err);
    if (rc != 0) break;
    gp_tool_call_t *calls = NULL;
    size_t n = 0;
    if (tools_on && strcmp(settings->tool_choice, "none") != 0) n = gp__pending_calls(turn, &calls);
    if (n == 0) {
      if (!p->output) break;
      rc = gp__output_settle(p->output, turn, step_start, &repairs, p->emitter, err);
      if (rc != GP__OUTPUT_REPAIR) break;
      rc = 0;
      continue; /* the repair step: the model answers again */
    }
    gp__announce_calls(p, calls, n);
    rc = gp__run_tools(p, settings, turn, calls, n, err);
    free(calls);
    if (rc != 0) break;
    if (iter >= settings->max_iterations) {
      rc = gp_error_set(err, GP_ERR_MAX_ITERATIONS,
                        "the tool loop stopped after maxIterations (%d) iterations with the "
                        "model still calling tools; raise toolLoop.maxIterations or check "
                        "why the model keeps calling tools",
                        settings->max_iterations);
      break;
    }
  }
  json_decref(run.tags);
  json_decref(tool_defs);
  return rc;
}
