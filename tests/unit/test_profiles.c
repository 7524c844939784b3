/* Profiles (SPEC §6): where the file is looked for (--profiles, $GEPPETTO_PROFILES,
 * $XDG_CONFIG_HOME, ~/.config), which profile is picked (argument, $GEPPETTO_PROFILE,
 * `default`), how YAML keys map to engine options, overrides, and the messages for a
 * missing file, profile, key or API key. Each case works in its own temporary folder
 * with the environment variables it needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/providers.h"
#include "testutil.h"

static const char *const k_vars[] = {"GEPPETTO_PROFILES", "GEPPETTO_PROFILE", "XDG_CONFIG_HOME",
                                     "HOME", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "MY_CLAUDE_KEY"};
#define NVARS (sizeof k_vars / sizeof k_vars[0])

typedef struct {
  char dir[64];
  char *saved[NVARS];
} env_t;

static int env_setup(void **state) {
  gp_test_setup(state);
  env_t *e = calloc(1, sizeof *e);
  strcpy(e->dir, "/tmp/gp-profiles-XXXXXX");
  if (!mkdtemp(e->dir)) return -1;
  for (size_t i = 0; i < NVARS; i++) {
    const char *v = getenv(k_vars[i]);
    e->saved[i] = v ? strdup(v) : NULL;
    unsetenv(k_vars[i]);
  }
  setenv("HOME", e->dir, 1);
  *state = e;
  return 0;
}

static int env_teardown(void **state) {
  env_t *e = *state;
  for (size_t i = 0; i < NVARS; i++) {
    if (e->saved[i]) setenv(k_vars[i], e->saved[i], 1);
    else unsetenv(k_vars[i]);
    free(e->saved[i]);
  }
  char *cmd = gp__xasprintf("rm -rf '%s'", e->dir);
  int rc = system(cmd);
  (void)rc;
  free(cmd);
  free(e);
  return gp_test_teardown(state);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, env_setup, env_teardown)

/* Writes `text` to DIR/REL (creating parent folders); returns the heap path. */
static char *write_file(env_t *e, const char *rel, const char *text) {
  char *path = gp__xasprintf("%s/%s", e->dir, rel);
  for (char *s = path + strlen(e->dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
    *s = '\0';
    mkdir(path, 0700);
    *s = '/';
  }
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static const char *k_yaml =
    "# profiles used by the tests\n"
    "default: mini\n"
    "profiles:\n"
    "  mini:   {api_type: openai, model: gpt-4o-mini}\n"
    "  claude: {api_type: claude, model: claude-sonnet-4-5, api_key_env: MY_CLAUDE_KEY}\n"
    "  local:\n"
    "    api_type: openai\n"
    "    model: qwen2.5\n"
    "    base_url: \"http://127.0.0.1:11434/v1\"\n"
    "    temperature: 0.2\n"
    "    top_p: 1\n"
    "    max_tokens: 512\n"
    "    stop: [\"END\", '###']\n"
    "    timeout_ms: 30000\n"
    "    idle_timeout_ms: 5000\n"
    "    max_retries: 2\n"
    "  quoted: {api_type: openai, model: m, base_url: 'http://x/v1', temperature: '0.5'}\n"
    "  nomodel: {api_type: openai}\n"
    "  typo: {api_type: openai, model: m, base-url: 'http://x'}\n";

static void test_path_lookup_order(void **state) {
  env_t *e = *state;
  char *p = gp_profiles_path(NULL);
  char *want = gp__xasprintf("%s/.config/geppetto/profiles.yaml", e->dir);
  assert_string_equal(p, want);
  free(p);
  free(want);
  setenv("XDG_CONFIG_HOME", "/xdg", 1);
  p = gp_profiles_path(NULL);
  assert_string_equal(p, "/xdg/geppetto/profiles.yaml");
  free(p);
  setenv("GEPPETTO_PROFILES", "/env/p.yaml", 1);
  p = gp_profiles_path(NULL);
  assert_string_equal(p, "/env/p.yaml");
  free(p);
  p = gp_profiles_path("/explicit.yaml");
  assert_string_equal(p, "/explicit.yaml");
  free(p);
  setenv("GEPPETTO_PROFILES", "", 1); /* empty counts as unset */
  p = gp_profiles_path(NULL);
  assert_string_equal(p, "/xdg/geppetto/profiles.yaml");
  free(p);
}

static void test_resolve_and_map_keys(void **state) {
  env_t *e = *state;
  char *path = write_file(e, ".config/geppetto/profiles.yaml", k_yaml);
  gp_error_t *err = NULL;
  /* No name, no $GEPPETTO_PROFILE: the file's default, found at ~/.config. */
  json_t *cfg = gp_profile_resolve(NULL, NULL, NULL, &err);
  assert_non_null(cfg);
  assert_string_equal(json_string_value(json_object_get(cfg, "model")), "gpt-4o-mini");
  json_decref(cfg);
  setenv("GEPPETTO_PROFILE", "claude", 1);
  cfg = gp_profile_resolve(NULL, NULL, NULL, &err);
  assert_string_equal(json_string_value(json_object_get(cfg, "apiType")), "claude");
  assert_string_equal(json_string_value(json_object_get(cfg, "apiKeyEnv")), "MY_CLAUDE_KEY");
  json_decref(cfg);
  /* An explicit name wins over $GEPPETTO_PROFILE; keys are mapped and typed. */
  json_t *over = json_pack("{s:i, s:s}", "maxTokens", 64, "apiKey", "sk-override");
  cfg = gp_profile_resolve(path, "local", over, &err);
  assert_non_null(cfg);
  json_t *want = json_pack("{s:s, s:s, s:s, s:f, s:i, s:i, s:[s,s], s:i, s:i, s:i, s:s}", "apiType",
                           "openai", "model", "qwen2.5", "baseURL", "http://127.0.0.1:11434/v1",
                           "temperature", 0.2, "topP", 1, "maxTokens", 64, "stop", "END", "###",
                           "timeoutMs", 30000, "idleTimeoutMs", 5000, "maxRetries", 2, "apiKey",
                           "sk-override");
  assert_true(json_equal(cfg, want));
  json_decref(want);
  json_decref(cfg);
  json_decref(over);
  /* The engine: a local server needs no key. */
  gp_engine_t *eng = gp_engine_from_profile(path, "local", NULL, &err);
  assert_non_null(eng);
  assert_string_equal(gp_engine_provider(eng), "openai");
  assert_string_equal(gp_engine_model(eng), "qwen2.5");
  gp_engine_unref(eng);
  free(path);
}

/* A key written as a block scalar ends with a newline: one "\n" is trimmed, so the
 * header is not broken; a control character inside the key is refused, unshown. */
static void test_api_key_newline(void **state) {
  env_t *e = *state;
  char *path = write_file(e, "p.yaml",
                          "profiles:\n"
                          "  block:\n"
                          "    api_type: openai\n"
                          "    model: m\n"
                          "    api_key: |\n"
                          "      sk-block-key\n"
                          "  crlf: {api_type: openai, model: m, api_key: \"sk-crlf-key\\r\\n\"}\n"
                          "  inner: {api_type: openai, model: m, api_key: \"sk-a\\r\\nX-Evil: 1\"}\n");
  gp_error_t *err = NULL;
  json_t *cfg = gp_profile_resolve(path, "block", NULL, &err);
  assert_non_null(cfg);
  assert_string_equal(json_string_value(json_object_get(cfg, "apiKey")), "sk-block-key");
  json_decref(cfg);
  cfg = gp_profile_resolve(path, "crlf", NULL, &err);
  assert_non_null(cfg);
  assert_string_equal(json_string_value(json_object_get(cfg, "apiKey")), "sk-crlf-key");
  json_decref(cfg);
  assert_null(gp_engine_from_profile(path, "inner", NULL, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "apiKey"));
  assert_null(strstr(err->message, "sk-a"));
  assert_null(strstr(err->message, "Evil"));
  gp_error_free(err);
  free(path);
}

static void test_missing_file(void **state) {
  env_t *e = *state;
  gp_error_t *err = NULL;
  struct { const char *var, *value, *explicit_path, *source; } cases[] = {
      {NULL, NULL, NULL, "~/.config/geppetto/profiles.yaml"},
      {"XDG_CONFIG_HOME", "/nonexistent-xdg", NULL, "$XDG_CONFIG_HOME"},
      {"GEPPETTO_PROFILES", "/nonexistent/env.yaml", NULL, "$GEPPETTO_PROFILES"},
      {NULL, NULL, "/nonexistent/explicit.yaml", "--profiles"},
  };
  for (size_t i = 0; i < 4; i++) {
    if (cases[i].var) setenv(cases[i].var, cases[i].value, 1);
    assert_null(gp_profile_resolve(cases[i].explicit_path, NULL, NULL, &err));
    assert_int_equal(err->code, GP_ERR_CONFIG);
    char *path = gp_profiles_path(cases[i].explicit_path);
    assert_non_null(strstr(err->message, path)); /* where it looked */
    assert_non_null(strstr(err->message, cases[i].source)); /* why there */
    assert_non_null(strstr(err->message, "$GEPPETTO_PROFILES")); /* the lookup order */
    assert_non_null(strstr(err->message, "no profiles file"));
    if (i == 0) assert_non_null(strstr(err->message, e->dir));
    free(path);
    gp_error_free(err);
    err = NULL;
  }
}

static void test_missing_profile_and_keys(void **state) {
  env_t *e = *state;
  char *path = write_file(e, "p.yaml", k_yaml);
  gp_error_t *err = NULL;
  assert_null(gp_profile_resolve(path, "gpt5", NULL, &err));
  assert_int_equal(err->code, GP_ERR_CONFIG);
  assert_non_null(strstr(err->message, "no profile \"gpt5\""));
  assert_non_null(strstr(err->message, path));
  assert_non_null(strstr(err->message, "mini, claude, local"));
  gp_error_free(err);
  err = NULL;
  setenv("GEPPETTO_PROFILE", "ghost", 1);
  assert_null(gp_profile_resolve(path, NULL, NULL, &err));
  assert_non_null(strstr(err->message, "$GEPPETTO_PROFILE"));
  gp_error_free(err);
  err = NULL;
  unsetenv("GEPPETTO_PROFILE");
  assert_null(gp_profile_resolve(path, "nomodel", NULL, &err));
  assert_non_null(strstr(err->message, "profile \"nomodel\""));
  assert_non_null(strstr(err->message, "no model"));
  gp_error_free(err);
  err = NULL;
  /* A model given as an override completes the profile. */
  json_t *over = json_pack("{s:s}", "model", "m2");
  json_t *cfg = gp_profile_resolve(path, "nomodel", over, &err);
  assert_non_null(cfg);
  json_decref(cfg);
  json_decref(over);
  assert_null(gp_profile_resolve(path, "typo", NULL, &err));
  assert_non_null(strstr(err->message, "unknown key \"base-url\""));
  assert_non_null(strstr(err->message, "base_url"));
  gp_error_free(err);
  err = NULL;
  /* A quoted number stays a string: the engine names the key. */
  assert_null(gp_engine_from_profile(path, "quoted", NULL, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "temperature"));
  assert_non_null(strstr(err->message, "profile \"quoted\""));
  gp_error_free(err);
  err = NULL;
  free(path);
}

static void test_no_default(void **state) {
  env_t *e = *state;
  char *path = write_file(e, "p.yaml", "profiles:\n  a: {api_type: openai, model: m}\n  b: {api_type: openai, model: n}\n");
  gp_error_t *err = NULL;
  assert_null(gp_profile_resolve(path, NULL, NULL, &err));
  assert_non_null(strstr(err->message, "no profile chosen"));
  assert_non_null(strstr(err->message, "default"));
  assert_non_null(strstr(err->message, "a, b"));
  gp_error_free(err);
  err = NULL;
  free(path);
  path = write_file(e, "q.yaml", "default: a\n");
  assert_null(gp_profile_resolve(path, NULL, NULL, &err));
  assert_non_null(strstr(err->message, "profiles:"));
  gp_error_free(err);
  err = NULL;
  free(path);
}

static void test_bad_yaml(void **state) {
  env_t *e = *state;
  char *path = write_file(e, "bad.yaml", "default: a\nprofiles:\n  a: {api_type: openai, model: [unclosed\n");
  gp_error_t *err = NULL;
  assert_null(gp_profile_resolve(path, NULL, NULL, &err));
  assert_int_equal(err->code, GP_ERR_CONFIG);
  char *where = gp__xasprintf("%s:", path);
  assert_non_null(strstr(err->message, where));
  free(where);
  gp_error_free(err);
  err = NULL;
  free(path);
}

static void test_missing_api_key(void **state) {
  env_t *e = *state;
  char *path = write_file(e, "p.yaml", k_yaml);
  gp_error_t *err = NULL;
  assert_null(gp_engine_from_profile(path, "claude", NULL, &err));
  assert_int_equal(err->code, GP_ERR_CONFIG);
  assert_non_null(strstr(err->message, "profile \"claude\""));
  assert_non_null(strstr(err->message, path));
  assert_non_null(strstr(err->message, "$MY_CLAUDE_KEY"));
  gp_error_free(err);
  err = NULL;
  assert_null(gp_engine_from_profile(path, "mini", NULL, &err));
  assert_non_null(strstr(err->message, "$OPENAI_API_KEY"));
  gp_error_free(err);
  err = NULL;
  setenv("MY_CLAUDE_KEY", "sk-ant-abc", 1);
  gp_engine_t *eng = gp_engine_from_profile(path, "claude", NULL, &err);
  assert_non_null(eng);
  assert_string_equal(gp_engine_provider(eng), "claude");
  gp_engine_unref(eng);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      CASE(test_path_lookup_order), CASE(test_resolve_and_map_keys), CASE(test_missing_file),
      CASE(test_missing_profile_and_keys), CASE(test_no_default), CASE(test_bad_yaml),
      CASE(test_missing_api_key), CASE(test_api_key_newline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
