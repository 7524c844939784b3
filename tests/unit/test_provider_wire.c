// timeout: 60
/* What goes on the wire and what comes back, at the edges: API keys and base URLs with
 * control characters are refused before any request (a CR/LF would smuggle a header), a
 * key from the environment loses one trailing newline, a key in the base URL's userinfo
 * never shows in errors or logs; an OpenAI stream that ends after its finish_reason
 * without `data: [DONE]` is complete, one without either is not; a gzip body is decoded.
 * Against geppetto-mock. */
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

static char fixture_path[64];

static gp_mock_t *wire_mock(void) {
  const char *paths[] = {fixture_path};
  return gp_mock_start(paths, 1);
}

static gp_engine_t *wire_engine(const char *base, const char *key, const char *key_env,
                                gp_error_t **err) {
  json_t *cfg = json_pack("{s:s, s:s, s:s, s:i}", "apiType", "openai", "model", "wire",
                          "baseURL", base, "maxRetries", 0);
  if (key) json_object_set_new(cfg, "apiKey", json_string(key));
  if (key_env) json_object_set_new(cfg, "apiKeyEnv", json_string(key_env));
  gp_engine_t *e = gp_engine_from_config_json(cfg, err);
  json_decref(cfg);
  return e;
}

static int wire_infer(gp_engine_t *e, const char *prompt, gp_error_t **err, char **text) {
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user(prompt));
  int rc = gp_engine_infer(e, &c->ctx, t, err);
  gp_block_t *b = gp_turn_last_of(t, GP_BLOCK_LLM_TEXT);
  if (text) *text = b ? gp__xstrdup(gp_block_text(b)) : NULL;
  gp_turn_free(t);
  pu_ctx_free(c);
  return rc;
}

static void test_key_with_crlf_refused(void **state) {
  gp_error_t *err = NULL;
  gp_engine_t *e = wire_engine("http://127.0.0.1:9/v1", "sk-wire\r\nX-Evil: 1", NULL, &err);
  assert_null(e);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "apiKey"));
  assert_null(strstr(err->message, "sk-wire"));
  assert_null(strstr(err->message, "Evil"));
  gp_error_free(err);
  err = NULL;
  setenv("GP_WIRE_KEY", "sk-wire\nmore", 1);
  e = wire_engine("http://127.0.0.1:9/v1", NULL, "GP_WIRE_KEY", &err);
  assert_null(e);
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "$GP_WIRE_KEY"));
  assert_null(strstr(err->message, "sk-wire"));
  gp_error_free(err);
  err = NULL;
  e = wire_engine("http://127.0.0.1:9/v1\r\nX-Evil: 1", "k", NULL, &err);
  assert_null(e);
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "baseURL"));
  assert_null(strstr(err->message, "Evil"));
  gp_error_free(err);
}

static void test_env_key_trailing_newline(void **state) {
  gp_mock_t *m = wire_mock();
  char *base = gp__xasprintf("%s/v1", gp_mock_url(m));
  const char *keys[] = {"sk-wire-key\n", "sk-wire-key\r\n"};
  for (int i = 0; i < 2; i++) {
    setenv("GP_WIRE_KEY", keys[i], 1);
    gp_error_t *err = NULL;
    gp_engine_t *e = wire_engine(base, NULL, "GP_WIRE_KEY", &err);
    if (!e) fail_msg("engine: %s", err->message);
    char *text = NULL;
    int rc = wire_infer(e, "KEYCHECK", &err, &text);
    if (rc != 0) fail_msg("infer: %s", err ? err->message : "?");
    assert_string_equal(text, "key ok");
    free(text);
    gp_engine_unref(e);
  }
  free(base);
  gp_mock_stop(m);
}

static void test_userinfo_redacted(void **state) {
  gp_mock_t *m = wire_mock();
  char *base = gp__xasprintf("http://user:sk-userinfo-secret@127.0.0.1:%d/v1", gp_mock_port(m));
  gp_error_t *err = NULL;
  gp_engine_t *e = wire_engine(base, "k", NULL, &err);
  if (!e) fail_msg("engine: %s", err->message);
  char logpath[] = "/tmp/gp_wire_logXXXXXX";
  int fd = mkstemp(logpath);
  assert_true(fd >= 0);
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  gp_log_set_level(GP_LOG_DEBUG);
  int rc = wire_infer(e, "NOMATCH", &err, NULL);
  gp_log_set_level(GP_LOG_WARN);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  char buf[65536];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  close(fd);
  unlink(logpath);
  buf[n > 0 ? n : 0] = '\0';
  assert_int_not_equal(rc, 0);
  assert_null(strstr(err->message, "sk-userinfo-secret"));
  assert_non_null(strstr(err->message, "***@127.0.0.1"));
  assert_null(strstr(buf, "sk-userinfo-secret"));
  assert_non_null(strstr(buf, "***@127.0.0.1"));
  gp_error_free(err);
  gp_engine_unref(e);
  free(base);
  gp_mock_stop(m);
}

static void test_no_done_after_finish(void **state) {
  gp_mock_t *m = wire_mock();
  char *base = gp__xasprintf("%s/v1", gp_mock_url(m));
  gp_error_t *err = NULL;
  gp_engine_t *e = wire_engine(base, "k", NULL, &err);
  char *text = NULL;
  int rc = wire_infer(e, "NODONE_FINISHED", &err, &text);
  if (rc != 0) fail_msg("a stream with its finish_reason is complete: %s", err->message);
  assert_string_equal(text, "Complete answer.");
  free(text);
  rc = wire_infer(e, "NODONE_CUT", &err, NULL);
  assert_int_equal(rc, GP_ERR_PROVIDER_STREAM);
  assert_non_null(strstr(err->message, "[DONE]"));
  assert_null(strstr(err->message, "openai: openai:"));
  gp_error_free(err);
  gp_engine_unref(e);
  free(base);
  gp_mock_stop(m);
}

/* A gzip body the client did not ask for reads as the stream it holds. */
static void test_gzip_body(void **state) {
  gp_mock_t *m = wire_mock();
  char *base = gp__xasprintf("%s/v1", gp_mock_url(m));
  gp_error_t *err = NULL;
  gp_engine_t *e = wire_engine(base, "k", NULL, &err);
  char *text = NULL;
  int rc = wire_infer(e, "GZIPPED", &err, &text);
  if (rc != 0) fail_msg("gzip body: %s", err->message);
  assert_string_equal(text, "Unzipped fine.");
  free(text);
  gp_engine_unref(e);
  free(base);
  gp_mock_stop(m);
}

/* A warning about a tool call's arguments names the provider once ("openai: openai:"
 * came from a message that carried the prefix its log component adds again). */
static void test_log_prefix_once(void **state) {
  gp_mock_t *m = wire_mock();
  char *base = gp__xasprintf("%s/v1", gp_mock_url(m));
  gp_error_t *err = NULL;
  gp_engine_t *e = wire_engine(base, "k", NULL, &err);
  char logpath[] = "/tmp/gp_wire_logXXXXXX";
  int fd = mkstemp(logpath);
  assert_true(fd >= 0);
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  int rc = wire_infer(e, "BADARGS", &err, NULL);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  char buf[65536];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  close(fd);
  unlink(logpath);
  buf[n > 0 ? n : 0] = '\0';
  if (rc != 0) fail_msg("infer: %s", err->message);
  assert_non_null(strstr(buf, "openai: tool call"));
  assert_null(strstr(buf, "openai: openai:"));
  gp_engine_unref(e);
  free(base);
  gp_mock_stop(m);
}

static const char *FIXTURE =
    "{\"responses\": ["
    "{\"match\": {\"contains\": \"BADARGS\"}, \"tool_calls\": [{\"id\": \"c1\", \"name\": "
    "\"get_weather\", \"arguments\": \"{\\\"bad\\\": \"}]},"
    "{\"match\": {\"contains\": \"GZIPPED\"}, \"gzip\": true, \"text\": \"Unzipped fine.\"},"
    "{\"match\": {\"contains\": \"KEYCHECK\"}, \"expect\": {\"header\": {\"authorization\": "
    "\"Bearer sk-wire-key\"}}, \"text\": \"key ok\"},"
    "{\"match\": {\"contains\": \"NODONE_FINISHED\"}, \"events\": ["
    "{\"data\": {\"id\": \"c\", \"object\": \"chat.completion.chunk\", \"choices\": [{\"index\": 0, "
    "\"delta\": {\"role\": \"assistant\", \"content\": \"Complete answer.\"}, \"finish_reason\": null}]}},"
    "{\"data\": {\"id\": \"c\", \"object\": \"chat.completion.chunk\", \"choices\": [{\"index\": 0, "
    "\"delta\": {}, \"finish_reason\": \"stop\"}]}}]},"
    "{\"match\": {\"contains\": \"NODONE_CUT\"}, \"events\": ["
    "{\"data\": {\"id\": \"c\", \"object\": \"chat.completion.chunk\", \"choices\": [{\"index\": 0, "
    "\"delta\": {\"role\": \"assistant\", \"content\": \"Half an\"}, \"finish_reason\": null}]}}]}"
    "]}";

int main(void) {
  snprintf(fixture_path, sizeof fixture_path, "/tmp/gp_wire_fixXXXXXX");
  int fd = mkstemp(fixture_path);
  if (fd < 0 || write(fd, FIXTURE, strlen(FIXTURE)) != (ssize_t)strlen(FIXTURE)) return 1;
  close(fd);
  unsetenv("OPENAI_API_KEY");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_key_with_crlf_refused),
      cmocka_unit_test(test_env_key_trailing_newline),
      cmocka_unit_test(test_userinfo_redacted),
      cmocka_unit_test(test_no_done_after_finish),
      cmocka_unit_test(test_gzip_body),
      cmocka_unit_test(test_log_prefix_once),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  unlink(fixture_path);
  return rc;
}
