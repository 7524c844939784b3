/* An agent in C: a session whose engine plans a tool call, a C tool that answers it,
 * a hook that rewrites and vets calls, and a sink that prints every streamed event.
 * Offline: the final answer is streamed by the echo engine.
 *
 *   build-release/example_agent ["question"]
 *
 * Prints one JSON line per event, then the final turn. Exits 1 if the run fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geppetto/geppetto.h>

/* ---- the tool: a weather table ---------------------------------------------------- */

static int weather_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                        gp_error_t **err) {
  const char *city = json_string_value(json_object_get(args, "city"));
  static const struct { const char *city; int celsius; const char *sky; } table[] = {
      {"Paris", 18, "sunny"}, {"Oslo", 4, "snowing"}, {"Lima", 22, "cloudy"}};
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    if (strcmp(table[i].city, city) == 0) {
      *result = json_pack("{s:s, s:i, s:s}", "city", city, "celsius", table[i].celsius,
                          "sky", table[i].sky);
      return 0;
    }
  }
  return gp_error_set(err, GP_ERR_TOOL_FAILED, "no weather station in %s", city);
}

/* ---- the hook: normalise the city's case, refuse cities that do not exist -------- */

static int before_call(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out,
                       gp_error_t **err) {
  const char *city = json_string_value(json_object_get(info->args, "city"));
  if (city && strcmp(city, "atlantis") == 0) {
    out->action = GP_HOOK_ABORT;
    out->error = strdup("Atlantis is a legend; the hook refused the call");
    return 0;
  }
  if (city && city[0] >= 'a' && city[0] <= 'z') {
    char *fixed = strdup(city);
    fixed[0] = (char)(fixed[0] - 'a' + 'A');
    out->action = GP_HOOK_REWRITE;
    out->args = json_pack("{s:s}", "city", fixed);
    free(fixed);
  }
  return 0;
}

/* ---- the engine: ask for the tools first, then answer from their results --------- */

static int planner_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  if (!gp_turn_last_of(turn, GP_BLOCK_TOOL_USE)) {
    const char *cities[] = {"paris", "Oslo", "atlantis"};
    for (int i = 0; i < 3; i++) {
      char id[32];
      snprintf(id, sizeof id, "call_%d", i + 1);
      json_t *args = json_pack("{s:s}", "city", cities[i]);
      gp_emit(ctx->emitter, GP_EVENT_TOOL_CALL, gp_fields_tool_call(id, "weather", args));
      gp_turn_append(turn, gp_block_new_tool_call(id, "weather", args));
    }
    return 0;
  }
  char answer[512] = "Here is the weather:";
  for (size_t i = 0; i < turn->nblocks; i++) {
    gp_block_t *b = turn->blocks[i];
    if (b->kind != GP_BLOCK_TOOL_USE) continue;
    json_t *r = gp_block_tool_result(b);
    char line[160];
    if (gp_block_tool_error(b))
      snprintf(line, sizeof line, " (one call failed: %s)", gp_block_tool_error(b));
    else
      snprintf(line, sizeof line, " %s %lld°C and %s;", json_string_value(json_object_get(r, "city")),
               (long long)json_integer_value(json_object_get(r, "celsius")),
               json_string_value(json_object_get(r, "sky")));
    strncat(answer, line, sizeof answer - strlen(answer) - 1);
  }
  gp_engine_t *speaker = gp_engine_echo(answer, 0);
  int rc = gp_engine_infer(speaker, ctx, turn, err);
  gp_engine_unref(speaker);
  return rc;
}

static const gp_engine_vtable_t planner_vt = {"planner", planner_infer, NULL};

/* ---- the sink: print every event ------------------------------------------------ */

static void print_event(void *ud, gp_event_t *ev) {
  json_t *j = gp_event_to_json(ev);
  json_object_del(j, "timestampMs");
  json_object_del(j, "sessionId");
  json_object_del(j, "inferenceId");
  json_object_del(j, "turnId");
  if (ev->type == GP_EVENT_PARTIAL) json_object_del(j, "completion"); /* just the delta */
  char *line = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
  printf("event %s\n", line);
  free(line);
  json_decref(j);
}

int main(int argc, char **argv) {
  const char *question = argc > 1 ? argv[1] : "What is the weather in Paris, Oslo and Atlantis?";

  gp_registry_t *tools = gp_registry_new();
  json_t *params = json_pack("{s:s, s:{s:{s:s, s:i}}, s:[s], s:b}", "type", "object",
                             "properties", "city", "type", "string", "minLength", 1,
                             "required", "city", "additionalProperties", 0);
  gp_error_t *err = NULL;
  if (gp_registry_add(tools, "weather", "Current weather in a city", params, weather_tool, NULL,
                      NULL, &err) != 0) {
    fprintf(stderr, "register: %s\n", err->message);
    return 1;
  }
  json_decref(params);

  gp_engine_t *engine = gp_engine_new(&planner_vt, NULL, "planner-1");
  gp_tool_hooks_t *hooks = gp_tool_hooks_new(before_call, NULL, NULL, 0, NULL, NULL);
  json_t *sys_opts = json_pack("{s:s}", "prompt", "You are a weather assistant.");
  gp_middleware_t *sys = gp_middleware_builtin("systemPrompt", sys_opts, NULL);
  json_decref(sys_opts);

  gp_session_config_t cfg = {.engine = engine, .middlewares = &sys, .nmiddlewares = 1,
                             .tools = tools, .hooks = hooks};
  gp_session_t *session = gp_session_new(&cfg, &err);
  gp_sink_t *sink = gp_sink_new(print_event, NULL, NULL);
  gp_session_add_sink(session, sink);

  gp_turn_t *seed = gp_turn_new();
  gp_turn_append(seed, gp_block_new_user(question));
  gp_turn_t *result = NULL;
  int rc = gp_session_run(session, seed, NULL, &result, &err);
  if (rc != 0) {
    fprintf(stderr, "run failed: %s: %s\n", gp_err_name(rc), err->message);
    gp_error_free(err);
  } else {
    json_t *j = gp_turn_to_json(result);
    json_object_del(j, "id");
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    printf("final turn: %s\n", text);
    free(text);
    json_decref(j);
    gp_turn_free(result);
  }
  gp_sink_unref(sink);
  gp_session_free(session);
  gp_middleware_unref(sys);
  gp_tool_hooks_unref(hooks);
  gp_engine_unref(engine);
  gp_registry_unref(tools);
  return rc == 0 ? 0 : 1;
}
