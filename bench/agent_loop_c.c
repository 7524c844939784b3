/* bench/agent_loop_c: the agent task of bench/agent_loop.js from a C host — the same
 * OpenAI engine on geppetto-mock, the same three tools written in C, the same tool loop —
 * so the table can tell the library's own cost from the JavaScript runtime's.
 * Prints the same JSON line as bench/agent_loop.js (system "geppetto-c").
 * Usage: agent_loop_c BASE_URL [--reps N] [--warmup N] */
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <ctype.h>

#include "core/core.h"
#include "geppetto/geppetto.h"
#include "geppetto/providers.h"

#define STEPS_PER_TASK 4
#define TOOL_CALLS_PER_TASK 9
#define FINAL_WORDS 200

static atomic_int g_calls;

static int tool_add(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  atomic_fetch_add(&g_calls, 1);
  double a = json_number_value(json_object_get(args, "a")), b = json_number_value(json_object_get(args, "b"));
  *result = json_pack("{s:f}", "sum", a + b);
  return 0;
}

static int tool_lookup(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  atomic_fetch_add(&g_calls, 1);
  const char *key = json_string_value(json_object_get(args, "key"));
  static const char *const keys[] = {"alpha", "beta", "gamma"};
  json_t *value = json_null();
  for (int i = 0; i < 3; i++)
    if (key && strcmp(key, keys[i]) == 0) value = json_integer(i + 1);
  *result = json_pack("{s:s,s:o}", "key", key ? key : "", "value", value);
  return 0;
}

static int tool_upper(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  atomic_fetch_add(&g_calls, 1);
  char *t = gp__xstrdup(json_string_value(json_object_get(args, "text")));
  for (char *p = t ? t : ""; *p; p++) *p = (char)toupper((unsigned char)*p);
  *result = json_pack("{s:s}", "text", t ? t : "");
  free(t);
  return 0;
}

static void add_tool(gp_registry_t *r, const char *name, const char *desc, const char *schema, gp_tool_cb cb) {
  json_t *params = json_loads(schema, 0, NULL);
  gp_error_t *err = NULL;
  if (gp_registry_add(r, name, desc, params, cb, NULL, NULL, &err) != 0) {
    fprintf(stderr, "agent_loop_c: %s\n", err->message);
    exit(1);
  }
  json_decref(params);
}

static int count_words(const char *s) {
  int n = 0, in = 0;
  for (; s && *s; s++) {
    if (isspace((unsigned char)*s)) in = 0;
    else if (!in) in = 1, n++;
  }
  return n;
}

/* One task: a fresh session, the prompt, the run to its end. Returns the final answer's
 * word count, or -1 on failure. */
static int task(gp_engine_t *engine, gp_registry_t *reg, const gp_tool_settings_t *settings) {
  gp_session_config_t cfg = {.engine = engine, .tools = reg, .settings = settings};
  gp_error_t *err = NULL;
  gp_session_t *s = gp_session_new(&cfg, &err);
  if (s == NULL) {
    fprintf(stderr, "agent_loop_c: %s\n", err->message);
    exit(1);
  }
  gp_turn_t *seed = gp_turn_new();
  gp_turn_append(seed, gp_block_new_user("Run the three bench steps, then answer."));
  gp_turn_t *out = NULL;
  int words = -1;
  if (gp_session_run(s, seed, NULL, &out, &err) == 0) {
    gp_block_t *last = gp_turn_last_of(out, GP_BLOCK_LLM_TEXT);
    words = last ? count_words(gp_block_text(last)) : 0;
  } else {
    fprintf(stderr, "agent_loop_c: %s\n", err->message);
    gp_error_free(err);
  }
  gp_turn_free(out);
  gp_session_free(s);
  return words;
}

/* CPU of the whole process (every thread) in µs: user, system. */
static void cpu_us(double *user, double *sys) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  *user = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec;
  *sys = ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: agent_loop_c BASE_URL [--reps N] [--warmup N]\n");
    return 2;
  }
  int reps = 100, warmup = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--reps") == 0) reps = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--warmup") == 0) warmup = atoi(argv[i + 1]);
  }
  gp_engine_config_t ec;
  gp_engine_config_init(&ec);
  ec.api_type = "openai";
  ec.model = "bench-agent";
  ec.base_url = argv[1];
  ec.api_key = "sk-bench";
  gp_error_t *err = NULL;
  gp_engine_t *engine = gp_engine_from_config(&ec, &err);
  if (engine == NULL) {
    fprintf(stderr, "agent_loop_c: %s\n", err->message);
    return 1;
  }
  gp_registry_t *reg = gp_registry_new();
  add_tool(reg, "add", "Adds two numbers.",
           "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}},"
           "\"required\":[\"a\",\"b\"],\"additionalProperties\":false}", tool_add);
  add_tool(reg, "lookup", "Looks a key up in a small table.",
           "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}},\"required\":[\"key\"],"
           "\"additionalProperties\":false}", tool_lookup);
  add_tool(reg, "upper", "Upper-cases a text.",
           "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"],"
           "\"additionalProperties\":false}", tool_upper);
  gp_tool_settings_t settings;
  gp_tool_settings_init(&settings);
  settings.max_iterations = 10;

  for (int i = 0; i < warmup; i++) task(engine, reg, &settings);
  atomic_store(&g_calls, 0);
  double u0, s0, u1, s1;
  cpu_us(&u0, &s0);
  uint64_t t0 = gp__mono_ns();
  int bad = 0;
  for (int i = 0; i < reps; i++)
    if (task(engine, reg, &settings) != FINAL_WORDS) bad++;
  double wall_ms = (gp__mono_ns() - t0) / 1e6;
  cpu_us(&u1, &s1);
  double cpu = (u1 - u0) + (s1 - s0);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  int calls = atomic_load(&g_calls);
  int steps = reps * STEPS_PER_TASK;
  int ok = bad == 0 && calls == reps * TOOL_CALLS_PER_TASK;
  printf("{\"system\":\"geppetto-c\",\"reps\":%d,\"warmup\":%d,\"steps\":%d,\"tool_calls\":%d,"
         "\"ok\":%s,\"cpu_user_ms\":%.2f,\"cpu_sys_ms\":%.2f,\"cpu_per_step_us\":%.1f,\"wall_ms\":%.2f,\"wall_per_step_us\":%.1f,"
         "\"max_rss_kb\":%ld%s}\n",
         reps, warmup, steps, calls, ok ? "true" : "false", (u1 - u0) / 1e3, (s1 - s0) / 1e3, cpu / steps, wall_ms,
         wall_ms * 1000 / steps, ru.ru_maxrss, ok ? "" : ",\"error\":\"wrong answers or tool calls\"");
  gp_registry_unref(reg);
  gp_engine_unref(engine);
  return ok ? 0 : 1;
}
