// timeout: 120
/* API keys never leave the engine (SPEC §6): with a sentinel key, runs through sessions
 * on each provider against geppetto-mock — a tool loop, a 401 whose message echoes the
 * key, a 500 that quotes it, a stream error — and everything the runtime emits is
 * searched for it: events seen by a sink, error messages, result and partial turns
 * (metadata included) and the log output at debug level (stderr captured to a file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "mock_server.h"
#include "provider_util.h"
#include "testutil.h"

#define SENTINEL "sk-SENTINEL-7f3a9c1e5b2d4e6f8a0b"
#define SENTINEL_TAIL "7f3a9c1e5b2d4e6f8a0b"

typedef struct {
  pthread_mutex_t lock;
  gp_buf_t text;               /* every event's wire JSON, one per line */
  int events;
} collect_t;

static void collect_publish(void *ud, gp_event_t *ev) {
  collect_t *c = ud;
  json_t *j = gp_event_to_json(ev);
  char *s = json_dumps(j, JSON_COMPACT);
  pthread_mutex_lock(&c->lock);
  gp__buf_puts(&c->text, s);
  gp__buf_puts(&c->text, "\n");
  c->events++;
  pthread_mutex_unlock(&c->lock);
  free(s);
  json_decref(j);
}

static int echo_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                     gp_error_t **err) {
  *result = json_deep_copy(args);
  return 0;
}

static void append_turn(gp_buf_t *out, const gp_turn_t *t) {
  if (!t) return;
  json_t *j = gp_turn_to_json(t);
  char *s = json_dumps(j, JSON_COMPACT);
  gp__buf_puts(out, s);
  gp__buf_puts(out, "\n");
  free(s);
  json_decref(j);
}

/* One session run of `scenario`; appends the error (message and partial turn) and the
 * result turn to `out`. Returns the run's code. */
static int run_scenario(gp_engine_t *e, gp_registry_t *tools, gp_sink_t *sink,
                        const char *scenario, gp_buf_t *out) {
  gp_session_config_t cfg = {.engine = e, .tools = tools};
  gp_session_t *s = gp_session_new(&cfg, NULL);
  gp_session_add_sink(s, sink);
  gp_turn_t *seed = gp_turn_new();
  gp_turn_append(seed, gp_block_new_user(scenario));
  gp_turn_t *result = NULL;
  gp_error_t *err = NULL;
  int rc = gp_session_run(s, seed, NULL, &result, &err);
  if (err) {
    gp__buf_printf(out, "%s: %s\n", gp_err_name(err->code), err->message);
    append_turn(out, err->partial);
  }
  append_turn(out, result);
  gp_turn_free(result);
  gp_error_free(err);
  gp_session_free(s);
  return rc;
}

static char *read_all(const char *path) {
  int fd = open(path, O_RDONLY);
  gp_buf_t b = {0};
  char chunk[4096];
  ssize_t n;
  while (fd >= 0 && (n = read(fd, chunk, sizeof chunk)) > 0) gp__buf_append(&b, chunk, (size_t)n);
  if (fd >= 0) close(fd);
  return gp__buf_steal(&b);
}

static void check_provider(const char *api_type, const char *key_header, size_t header_len) {
  char *fixture = pu_fixture_path("mock_secrets.json");
  const char *paths[] = {fixture};
  gp_mock_t *m = gp_mock_start(paths, 1);
  char *base = gp__xasprintf("%s/v1", gp_mock_url(m));
  setenv("GP_TEST_SENTINEL_KEY", SENTINEL, 1);
  json_t *cfgj = json_pack("{s:s, s:s, s:s, s:s, s:i}", "apiType", api_type, "model", "m",
                           "baseURL", base, "apiKeyEnv", "GP_TEST_SENTINEL_KEY", "maxRetries", 0);
  gp_error_t *err = NULL;
  gp_engine_t *e = gp_engine_from_config_json(cfgj, &err);
  assert_non_null(e);
  gp_registry_t *tools = gp_registry_new();
  assert_int_equal(gp_registry_add(tools, "echo", "echoes", NULL, echo_tool, NULL, NULL, &err), 0);
  collect_t col = {.lock = PTHREAD_MUTEX_INITIALIZER};
  gp_sink_t *sink = gp_sink_new(collect_publish, &col, NULL);

  /* Everything the runtime logs goes to stderr: capture it while the runs happen. */
  char logpath[] = "/tmp/gp-secrets-log-XXXXXX";
  int logfd = mkstemp(logpath);
  assert_true(logfd >= 0);
  fflush(stderr);
  int saved_stderr = dup(STDERR_FILENO);
  dup2(logfd, STDERR_FILENO);
  gp_log_level_t saved_level = gp_log_get_level();
  gp_log_set_level(GP_LOG_DEBUG);

  gp_buf_t out = {0};
  int rc_tools = run_scenario(e, tools, sink, "SECRET-tools", &out);
  int rc_auth = run_scenario(e, tools, sink, "SECRET-auth", &out);
  int rc_500 = run_scenario(e, tools, sink, "SECRET-500", &out);
  int rc_fault = run_scenario(e, tools, sink, "SECRET-fault", &out);

  gp_log_set_level(saved_level);
  fflush(stderr);
  dup2(saved_stderr, STDERR_FILENO);
  close(saved_stderr);
  close(logfd);
  char *log = read_all(logpath);
  unlink(logpath);

  assert_int_equal(rc_tools, 0);
  assert_int_equal(rc_auth, GP_ERR_PROVIDER_AUTH);
  assert_int_equal(rc_500, GP_ERR_PROVIDER_HTTP);
  assert_int_equal(rc_fault, GP_ERR_PROVIDER_STREAM);
  /* The captures are real: the runs logged, published and failed with messages. */
  assert_non_null(strstr(log, "POST "));
  assert_true(col.events > 10);
  assert_non_null(strstr(out.data, "All done."));
  assert_non_null(strstr(out.data, "[REDACTED]")); /* the provider did echo the key */
  assert_non_null(strstr(out.data, "upstream rejected key [REDACTED]"));
  /* The key was in play: the mock saw a credential of its length on every request. */
  json_t *reqs = gp_mock_requests(m);
  assert_true(json_array_size(reqs) >= 5);
  char *want = gp__xasprintf("<redacted:%zu chars>", header_len);
  size_t i;
  json_t *r;
  json_array_foreach(reqs, i, r) {
    const char *h = json_string_value(json_object_get(json_object_get(r, "headers"), key_header));
    assert_non_null(h);
    assert_string_equal(h, want);
  }
  free(want);
  json_decref(reqs);
  /* And it appears nowhere. */
  pthread_mutex_lock(&col.lock);
  const char *haystacks[] = {log, out.data, col.text.data};
  const char *names[] = {"log output", "errors and turns", "events"};
  for (int k = 0; k < 3; k++) {
    if (strstr(haystacks[k], SENTINEL_TAIL)) fail_msg("%s: the API key leaked into %s", api_type, names[k]);
  }
  pthread_mutex_unlock(&col.lock);

  free(log);
  gp__buf_free(&out);
  gp__buf_free(&col.text);
  gp_sink_unref(sink);
  gp_registry_unref(tools);
  gp_engine_unref(e);
  json_decref(cfgj);
  free(base);
  free(fixture);
  unsetenv("GP_TEST_SENTINEL_KEY");
  gp_mock_stop(m);
}

static void test_openai(void **state) {
  check_provider("openai", "authorization", strlen("Bearer " SENTINEL));
}
static void test_claude(void **state) { check_provider("claude", "x-api-key", strlen(SENTINEL)); }
static void test_responses(void **state) {
  check_provider("openai-responses", "authorization", strlen("Bearer " SENTINEL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_openai),
      GP_TEST(test_claude),
      GP_TEST(test_responses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
