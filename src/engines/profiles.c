/* Profiles (SPEC §6): named engine configurations in a YAML file. Finds the file
 * (--profiles, $GEPPETTO_PROFILES, $XDG_CONFIG_HOME/geppetto/profiles.yaml,
 * ~/.config/geppetto/profiles.yaml), reads it with libyaml, picks the profile (argument,
 * $GEPPETTO_PROFILE, the file's `default`) and maps its snake_case keys to the script's
 * engine options. Every error says what is missing and where it was looked for. */
#include "engines/provider_internal.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define GP__PROFILES_MAX_BYTES (1 << 20)
#define GP__YAML_MAX_DEPTH 32
#define GP__YAML_MAX_NODES 100000

static const char *gp__env(const char *name) {
  const char *v = gp__getenv(name);
  return v && *v ? v : NULL;
}

static char *gp__home(void) {
  const char *h = gp__env("HOME");
  if (h) return gp__xstrdup(h);
  struct passwd *pw = getpwuid(getuid());
  return gp__xstrdup(pw && pw->pw_dir ? pw->pw_dir : "");
}

char *gp_profiles_path(const char *explicit_path) {
  if (explicit_path && *explicit_path) return gp__xstrdup(explicit_path);
  const char *v = gp__env("GEPPETTO_PROFILES");
  if (v) return gp__xstrdup(v);
  v = gp__env("XDG_CONFIG_HOME");
  if (v) return gp__xasprintf("%s/geppetto/profiles.yaml", v);
  char *home = gp__home();
  char *p = gp__xasprintf("%s/.config/geppetto/profiles.yaml", home);
  free(home);
  return p;
}

/* Where gp_profiles_path found its answer, for error messages. */
static const char *gp__path_source(const char *explicit_path) {
  if (explicit_path && *explicit_path) return "given with --profiles";
  if (gp__env("GEPPETTO_PROFILES")) return "from $GEPPETTO_PROFILES";
  if (gp__env("XDG_CONFIG_HOME")) return "from $XDG_CONFIG_HOME";
  return "the default, ~/.config/geppetto/profiles.yaml";
}

/* ---- YAML to JSON ------------------------------------------------------------------ */

typedef struct {
  yaml_document_t *doc;
  size_t nodes;                 /* converted so far: aliases must not blow up */
} gp__yconv_t;

static int gp__is_int(const char *s) {
  if (*s == '-' || *s == '+') s++;
  if (!isdigit((unsigned char)*s)) return 0;
  while (isdigit((unsigned char)*s)) s++;
  return *s == '\0';
}

static int gp__is_float(const char *s) {
  char *end;
  if (!*s || isspace((unsigned char)*s)) return 0;
  strtod(s, &end);
  return *end == '\0' && strpbrk(s, "0123456789") != NULL && !strpbrk(s, "xXpP");
}

/* A plain scalar gets YAML 1.2 core-schema typing; quoted ones stay strings. (The
 * loader tags every untagged scalar !!str, so the style is what tells them apart.) */
static json_t *gp__scalar(const yaml_node_t *n) {
  const char *s = (const char *)n->data.scalar.value;
  if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")) {
      return json_null();
    }
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) return json_true();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) return json_false();
    if (gp__is_int(s)) return json_integer(strtoll(s, NULL, 10));
    if (gp__is_float(s)) return json_real(strtod(s, NULL));
  }
  json_t *j = json_stringn(s, n->data.scalar.length);
  return j ? j : json_string("");
}

static json_t *gp__yjson(gp__yconv_t *cv, yaml_node_t *n, int depth) {
  if (!n || depth > GP__YAML_MAX_DEPTH || ++cv->nodes > GP__YAML_MAX_NODES) return NULL;
  if (n->type == YAML_SCALAR_NODE) return gp__scalar(n);
  if (n->type == YAML_SEQUENCE_NODE) {
    json_t *a = json_array();
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
      json_t *v = gp__yjson(cv, yaml_document_get_node(cv->doc, *it), depth + 1);
      if (!v) return json_decref(a), NULL;
      json_array_append_new(a, v);
    }
    return a;
  }
  if (n->type == YAML_MAPPING_NODE) {
    json_t *o = json_object();
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
      yaml_node_t *k = yaml_document_get_node(cv->doc, p->key);
      json_t *v = gp__yjson(cv, yaml_document_get_node(cv->doc, p->value), depth + 1);
      if (!v || !k || k->type != YAML_SCALAR_NODE) return json_decref(v), json_decref(o), NULL;
      json_object_set_new(o, (const char *)k->data.scalar.value, v);
    }
    return o;
  }
  return NULL;
}

/* Reads `path` into a JSON value. CONFIG naming the file (and line) on failure. */
static json_t *gp__load_yaml(const char *path, const char *source, gp_error_t **err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    int e = errno;
    gp_error_set(err, GP_ERR_CONFIG,
                 "%s profiles file %s (%s): %s; profiles are read from --profiles FILE, else "
                 "$GEPPETTO_PROFILES, else $XDG_CONFIG_HOME/geppetto/profiles.yaml "
                 "(~/.config/geppetto/profiles.yaml when XDG_CONFIG_HOME is not set)",
                 e == ENOENT ? "no" : "cannot read", path, source, strerror(e));
    return NULL;
  }
  char *buf = gp__xmalloc(GP__PROFILES_MAX_BYTES + 1);
  size_t n = fread(buf, 1, GP__PROFILES_MAX_BYTES + 1, f);
  fclose(f);
  json_t *out = NULL;
  if (n > GP__PROFILES_MAX_BYTES) {
    gp_error_set(err, GP_ERR_CONFIG, "profiles file %s is larger than 1 MiB", path);
    free(buf);
    return NULL;
  }
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)buf, n);
  if (!yaml_parser_load(&parser, &doc)) {
    gp_error_set(err, GP_ERR_CONFIG, "profiles file %s:%zu:%zu: %s", path,
                 parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "invalid YAML");
  } else {
    gp__yconv_t cv = {.doc = &doc};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    out = root ? gp__yjson(&cv, root, 0) : json_object();
    if (!out) {
      gp_error_set(err, GP_ERR_CONFIG,
                   "profiles file %s: unsupported YAML (non-scalar keys, nesting deeper than %d "
                   "or more than %d nodes)", path, GP__YAML_MAX_DEPTH, GP__YAML_MAX_NODES);
    }
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  free(buf);
  return out;
}

/* ---- profile to engine options ----------------------------------------------------- */

/* YAML key -> script key. */
static const char *const gp__keymap[][2] = {
    {"api_type", "apiType"},       {"model", "model"},
    {"base_url", "baseURL"},       {"api_key", "apiKey"},
    {"api_key_env", "apiKeyEnv"},  {"temperature", "temperature"},
    {"top_p", "topP"},             {"max_tokens", "maxTokens"},
    {"stop", "stop"},              {"timeout_ms", "timeoutMs"},
    {"idle_timeout_ms", "idleTimeoutMs"}, {"connect_timeout_ms", "connectTimeoutMs"},
    {"max_retries", "maxRetries"}, {"max_response_bytes", "maxResponseBytes"},
    {"headers", "headers"},
};
#define GP__NKEYS (sizeof gp__keymap / sizeof gp__keymap[0])

static const char *gp__script_key(const char *yaml_key) {
  for (size_t i = 0; i < GP__NKEYS; i++) {
    if (!strcmp(yaml_key, gp__keymap[i][0]) || !strcmp(yaml_key, gp__keymap[i][1])) {
      return gp__keymap[i][1];
    }
  }
  return NULL;
}

/* "a, b, c" of an object's keys (heap). */
static char *gp__key_list(const json_t *obj) {
  gp_buf_t b = {0};
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)obj, k, v) {
    if (b.len) gp__buf_puts(&b, ", ");
    gp__buf_puts(&b, k);
  }
  return b.len ? gp__buf_steal(&b) : gp__xstrdup("(none)");
}

/* The keys `geppetto chat` reads from a profile (SPEC §6); no engine option. */
static const char *const gp__chat_keys[] = {"system", "tools", "mcp", "store"};
#define GP__NCHAT (sizeof gp__chat_keys / sizeof gp__chat_keys[0])

static int gp__chat_key(const char *k) {
  for (size_t i = 0; i < GP__NCHAT; i++)
    if (!strcmp(k, gp__chat_keys[i])) return 1;
  return 0;
}

static json_t *gp__map_profile(const json_t *prof, const char *where, gp_error_t **err) {
  json_t *out = json_object();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)prof, k, v) {
    if (gp__chat_key(k)) continue;
    const char *sk = gp__script_key(k);
    if (!sk) {
      gp_buf_t known = {0};
      for (size_t i = 0; i < GP__NKEYS; i++) gp__buf_printf(&known, "%s%s", i ? ", " : "", gp__keymap[i][0]);
      for (size_t i = 0; i < GP__NCHAT; i++) gp__buf_printf(&known, ", %s", gp__chat_keys[i]);
      gp_error_set(err, GP_ERR_CONFIG, "%s: unknown key \"%s\"; known keys: %s", where, k, known.data);
      gp__buf_free(&known);
      json_decref(out);
      return NULL;
    }
    if (json_is_null(v)) continue;
    /* One trailing newline leaves a key; any other control character is refused later. */
    const char *sv = json_string_value(v);
    if (!strcmp(sk, "apiKey") && sv) json_object_set_new(out, sk, json_stringn(sv, gp__key_len(sv)));
    else json_object_set(out, sk, v);
  }
  return out;
}

/* The profile name and a phrase saying where it came from. */
static const char *gp__pick_name(const char *name, const json_t *root, const char **source) {
  if (name && *name) return *source = "given", name;
  const char *env = gp__env("GEPPETTO_PROFILE");
  if (env) return *source = "from $GEPPETTO_PROFILE", env;
  *source = "the file's default";
  const char *d = json_string_value(json_object_get(root, "default"));
  if (d) return d;
  /* No `default:` key: a profile named "default" is the default. */
  const json_t *profiles = json_object_get(root, "profiles");
  if (json_is_object(profiles) && json_object_get(profiles, "default"))
    return *source = "the profile named default", "default";
  return NULL;
}

/* The named profile object in the file, or NULL with *err. */
static const json_t *gp__find_profile(const json_t *root, const char *path, const char *name,
                                      const char **picked, gp_error_t **err) {
  const json_t *profiles = json_object_get(root, "profiles");
  if (!json_is_object(profiles)) {
    gp_error_set(err, GP_ERR_CONFIG, "profiles file %s has no `profiles:` mapping", path);
    return NULL;
  }
  const char *source;
  const char *n = gp__pick_name(name, root, &source);
  char *names = gp__key_list(profiles);
  const json_t *prof = n ? json_object_get(profiles, n) : NULL;
  if (!n) {
    gp_error_set(err, GP_ERR_CONFIG,
                 "no profile chosen: no name given, $GEPPETTO_PROFILE is not set and %s has no "
                 "`default:` (nor a profile named default); profiles in the file: %s", path, names);
  } else if (!prof) {
    gp_error_set(err, GP_ERR_CONFIG, "no profile \"%s\" (%s) in %s; profiles in the file: %s", n,
                 source, path, names);
  } else if (!json_is_object(prof)) {
    gp_error_set(err, GP_ERR_CONFIG, "profile \"%s\" in %s is not a mapping", n, path);
    prof = NULL;
  }
  free(names);
  *picked = n;
  return prof;
}

/* Sets each override on `out` (a copy: overrides may belong to another thread); an
 * unknown key is INVALID_ARGUMENT naming it and listing the known ones. Types are checked
 * when the engine is made. */
static int gp__apply_overrides(json_t *out, const json_t *overrides, gp_error_t **err) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)overrides, k, v) {
    if (!gp__engine_key_known(k)) return gp__engine_key_error("fromProfile overrides", k, err);
  }
  json_t *copy = json_deep_copy(overrides);
  json_object_update(out, copy);
  json_decref(copy);
  return 0;
}

/* gp_profile_resolve, also returning "profile \"NAME\" in PATH" for later messages. */
/* Loads the profiles file and finds the profile `name` picks: the profile (borrowed from
 * *root, which the caller releases) and *where ("profile \"NAME\" in PATH", heap); NULL
 * with *err (and *root possibly set) when the file or the profile is missing. */
static const json_t *gp__load_profile(const char *profiles_path, const char *name, json_t **root,
                                      char **where, gp_error_t **err) {
  char *path = gp_profiles_path(profiles_path);
  *root = gp__load_yaml(path, gp__path_source(profiles_path), err);
  *where = NULL;
  const json_t *prof = NULL;
  const char *picked = NULL;
  if (*root && !json_is_object(*root)) {
    gp_error_set(err, GP_ERR_CONFIG, "profiles file %s is not a YAML mapping", path);
  } else if (*root) {
    prof = gp__find_profile(*root, path, name, &picked, err);
    if (prof) *where = gp__xasprintf("profile \"%s\" in %s", picked, path);
  }
  free(path);
  return prof;
}

static json_t *gp__resolve(const char *profiles_path, const char *name, const json_t *overrides,
                           char **where_out, gp_error_t **err) {
  json_t *root = NULL, *out = NULL;
  char *where = NULL;
  const json_t *prof = gp__load_profile(profiles_path, name, &root, &where, err);
  if (prof) out = gp__map_profile(prof, where, err);
  if (out && json_is_object(overrides) && gp__apply_overrides(out, overrides, err)) {
    json_decref(out);
    out = NULL;
  }
  const char *missing = !out ? NULL : !json_is_string(json_object_get(out, "apiType")) ? "api_type"
                                    : !json_is_string(json_object_get(out, "model"))   ? "model"
                                                                                        : NULL;
  if (missing) {
    gp_error_set(err, GP_ERR_CONFIG, "%s has no %s (a string); add it to the profile", where, missing);
    json_decref(out);
    out = NULL;
  }
  json_decref(root);
  if (out && where_out) *where_out = where;
  else free(where);
  return out;
}

json_t *gp_profile_resolve(const char *profiles_path, const char *name, const json_t *overrides,
                           gp_error_t **err) {
  return gp__resolve(profiles_path, name, overrides, NULL, err);
}

gp_engine_t *gp_engine_from_profile(const char *profiles_path, const char *name,
                                    const json_t *overrides, gp_error_t **err) {
  char *where = NULL;
  json_t *cfg = gp__resolve(profiles_path, name, overrides, &where, err);
  if (!cfg) return NULL;
  gp_error_t *e = NULL;
  gp_engine_t *engine = gp_engine_from_config_json(cfg, &e);
  if (!engine && e) {
    char *msg = gp__xasprintf("%s: %s", where, e->message);
    free(e->message);
    e->message = msg;
  }
  if (err) *err = e;
  else gp_error_free(e);
  json_decref(cfg);
  free(where);
  return engine;
}

/* The chat keys of the profile, checked: system, tools, store strings; mcp a string or
 * an array of strings. */
static json_t *gp__chat_of(const json_t *prof, const char *where, gp_error_t **err) {
  json_t *out = json_object();
  for (size_t i = 0; i < GP__NCHAT; i++) {
    const char *k = gp__chat_keys[i];
    json_t *v = json_object_get(prof, k);
    if (v == NULL || json_is_null(v)) continue;
    int ok = json_is_string(v);
    if (!ok && !strcmp(k, "mcp") && json_is_array(v)) {
      ok = 1;
      for (size_t j = 0; j < json_array_size(v); j++) ok = ok && json_is_string(json_array_get(v, j));
    }
    if (!ok) {
      gp_error_set(err, GP_ERR_CONFIG, "%s: %s must be a string%s", where, k,
                   strcmp(k, "mcp") ? "" : " or a list of strings");
      json_decref(out);
      return NULL;
    }
    json_object_set(out, k, v);
  }
  return out;
}

json_t *gp_profile_chat_settings(const char *profiles_path, const char *name, gp_error_t **err) {
  json_t *root = NULL, *out = NULL;
  char *where = NULL;
  const json_t *prof = gp__load_profile(profiles_path, name, &root, &where, err);
  if (prof) out = gp__chat_of(prof, where, err);
  json_decref(root);
  free(where);
  return out;
}
