/* The `geppetto` command: `run SCRIPT [ARGS]`, `eval CODE` and `version` (SPEC §2).
 * It starts an owner thread, creates the JavaScript runtime on it, runs the script
 * there, waits until no timer, run or owner request remains, and exits with
 * process.exitCode (1 after an uncaught exception, 2 on a usage error, 130/143 after
 * SIGINT/SIGTERM: signals are the runtime's, see gp__js_runtime_handle_signals). The
 * permission options (SPEC §3.4) become a permission set the runtime reads
 * (js/permission.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/geppetto.h"
#include "geppetto/owner.h"
#include "js/runtime.h"

static void gp__print_usage(FILE *f) {
  fprintf(f,
          "usage: geppetto run [OPTIONS] SCRIPT.js|SCRIPT.mjs [ARGS...]\n"
          "       geppetto eval [OPTIONS] 'CODE'\n"
          "       geppetto chat [OPTIONS] [--system TEXT] [--session ID] [--store sqlite:PATH|postgres:URL]\n"
          "                     [--tools FILE.js] [--mcp 'COMMAND ARGS']...\n"
          "       geppetto version | --version\n"
          "       geppetto help | --help | -h\n"
          "options: --profile NAME  --profiles FILE  --log-level debug|info|warn|error\n"
          "         --log-format text|json  --stats\n"
          "permissions (off unless one is given; see docs/PERMISSIONS.md):\n"
          "         --permission               turn the model on: deny what is not granted\n"
          "         --allow-fs-read=PATH[,...]  read under PATH (* for everywhere)\n"
          "         --allow-fs-write=PATH[,...] write under PATH (* for everywhere)\n"
          "         --allow-net=HOST[:PORT][,...] reach HOST (*.DOMAIN, [IPv6], * for all)\n"
          "         --allow-child-process      start child processes\n"
          "         --allow-env                read process.env\n"
          "Options take their value as --opt=VALUE or --opt VALUE.\n"
          "Docs: README.md, docs/API.md (the geppetto module), docs/WEB_PLATFORM.md,\n"
          "docs/PERMISSIONS.md.\n");
}

static int gp__usage(const char *msg) {
  if (msg) fprintf(stderr, "geppetto: %s\n", msg);
  gp__print_usage(stderr);
  return 2;
}

typedef struct {
  const char *profile, *profiles;
  int stats;
  int first;                    /* index of SCRIPT / CODE in argv */
  gp__perm_t *perm;             /* the permission model, or NULL (off); heap */
  json_t *chat;                 /* `chat`: its options ({system, session, store, tools,
                                   mcp: [...]}), else NULL; owned */
} gp__cli_opts_t;

/* A `chat` option (--system, --session, --store, --tools, --mcp) into o->chat.
 * Returns 1 when `name` is none of them. */
static int gp__parse_chat(const char *name, const char *v, gp__cli_opts_t *o) {
  static const char *const keys[] = {"--system", "--session", "--store", "--tools"};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    if (strcmp(name, keys[k]) == 0) {
      json_object_set_new(o->chat, keys[k] + 2, json_string(v));
      return 0;
    }
  }
  if (strcmp(name, "--mcp") != 0) return 1;
  json_t *list = json_object_get(o->chat, "mcp");
  if (list == NULL) json_object_set_new(o->chat, "mcp", list = json_array());
  json_array_append_new(list, json_string(v));
  return 0;
}

/* A permission option at argv[*i] ("--allow-net=x", "--allow-net x", "--permission"):
 * added to o->perm, made at the first one. `value` is what followed '=' (or NULL).
 * Returns 0, 1 when `name` is no permission option, or the usage status (2). */
static int gp__parse_perm(int argc, char **argv, int *i, const char *name, const char *value,
                          gp__cli_opts_t *o) {
  int kind = gp__perm_flag_kind(name);
  if (kind == GP__PERM_FLAG_NONE) return 1;
  if (kind == GP__PERM_FLAG_VALUE && value == NULL) {
    if (*i + 1 >= argc) {
      fprintf(stderr, "geppetto: %s needs a value\n", name);
      return gp__usage(NULL);
    }
    value = argv[++*i];
  }
  if (o->perm == NULL) o->perm = gp__perm_new(NULL);
  char *err = NULL;
  if (gp__perm_apply(o->perm, name, value, &err) != 0) {
    fprintf(stderr, "geppetto: %s\n", err);
    free(err);
    return gp__usage(NULL);
  }
  return 0;
}

/* Parses options up to the first non-option. Returns 0 or the usage status (2). */
static int gp__parse(int argc, char **argv, gp__cli_opts_t *o) {
  int i = 2;
  char name[64];
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    const char *a = argv[i], *eq = strchr(a, '=');
    if (strcmp(a, "--") == 0) { i++; break; }
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, a, n);
    name[n] = '\0';
    int rc = gp__parse_perm(argc, argv, &i, name, eq ? eq + 1 : NULL, o);
    if (rc == 0) continue;
    if (rc != 1) return rc;
    if (strcmp(name, "--stats") == 0 && !eq) { o->stats = 1; continue; }
    if (!eq && i + 1 >= argc) return gp__usage("option needs a value");
    const char *v = eq ? eq + 1 : argv[++i];
    if (strcmp(name, "--profile") == 0) {
      o->profile = v;
    } else if (strcmp(name, "--profiles") == 0) {
      o->profiles = v;
    } else if (strcmp(name, "--log-level") == 0) {
      gp_log_level_t l;
      if (gp_log_level_parse(v, &l) != 0) return gp__usage("bad --log-level");
      gp_log_set_level(l);
    } else if (strcmp(name, "--log-format") == 0) {
      if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0) return gp__usage("bad --log-format");
      gp_log_set_json(strcmp(v, "json") == 0);
    } else if (o->chat && gp__parse_chat(name, v, o) == 0) {
      continue;
    } else {
      fprintf(stderr, "geppetto: unknown option %s\n", a);
      return gp__usage(NULL);
    }
  }
  if (o->chat) {
    if (i < argc) {
      fprintf(stderr, "geppetto: chat takes no argument ('%s')\n", argv[i]);
      return gp__usage(NULL);
    }
    o->first = argc;
    return 0;
  }
  if (i >= argc) return gp__usage("missing script");
  o->first = i;
  return 0;
}

static void gp__print_latency(const char *name, const gp_owner_latency_t *l, const char *sep) {
  fprintf(stderr, "\"%s\":{\"p50\":%llu,\"p95\":%llu,\"p99\":%llu,\"max\":%llu}%s", name,
          (unsigned long long)l->p50_us, (unsigned long long)l->p95_us,
          (unsigned long long)l->p99_us, (unsigned long long)l->max_us, sep);
}

/* --stats: the owner's statistics as one JSON line on stderr. */
static void gp__print_stats(gp_owner_t *owner) {
  gp_owner_stats_t s;
  gp_owner_stats(owner, &s);
  fprintf(stderr,
          "{\"queueDepth\":%zu,\"calls\":%llu,\"posts\":%llu,\"inline\":%llu,\"canceled\":%llu,"
          "\"failed\":%llu,\"rejected\":%llu,",
          s.queue_depth, (unsigned long long)s.calls, (unsigned long long)s.posts,
          (unsigned long long)s.inline_calls, (unsigned long long)s.canceled,
          (unsigned long long)s.failed, (unsigned long long)s.rejected);
  gp__print_latency("enqueueToStartUs", &s.enqueue_to_start, ",");
  gp__print_latency("execUs", &s.exec, ",\"byOp\":{");
  for (size_t i = 0; i < s.nops; i++) {
    fprintf(stderr, "\"%s\":{\"count\":%llu,", s.ops[i].op, (unsigned long long)s.ops[i].count);
    gp__print_latency("execUs", &s.ops[i].exec, i + 1 < s.nops ? "}," : "}");
  }
  fprintf(stderr, "}}\n");
  gp_owner_stats_clear(&s);
}

int main(int argc, char **argv) {
  gp__js_signals_block(); /* before any thread: the runtime's signal thread takes them */
  if (argc < 2) return gp__usage(NULL);
  const char *cmd = argv[1];
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("geppetto %s\n", GEPPETTO_VERSION);
    return 0;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    gp__print_usage(stdout);
    return 0;
  }
  int is_run = strcmp(cmd, "run") == 0, is_eval = strcmp(cmd, "eval") == 0;
  int is_chat = strcmp(cmd, "chat") == 0;
  if (!is_run && !is_eval && !is_chat) {
    fprintf(stderr, "geppetto: unknown command '%s'\n", cmd);
    return gp__usage(NULL);
  }
  gp__cli_opts_t o = {0};
  if (is_chat) o.chat = json_object();
  int rc = gp__parse(argc, argv, &o);
  if (rc != 0) {
    gp__perm_free(o.perm);
    json_decref(o.chat);
    return rc;
  }
  /* chat: the conversation loop of the embedded library, given its options */
  char *chat_code = NULL;
  if (is_chat) {
    if (o.profile) json_object_set_new(o.chat, "profile", json_string(o.profile));
    char *opts = json_dumps(o.chat, JSON_COMPACT);
    chat_code = gp__xasprintf("require('geppetto/chat')(%s).catch((e) => {"
                             " console.error('geppetto chat: ' + (e && e.code ? e.code + ': ' : '') +"
                             " (e && e.message ? e.message : e)); process.exitCode = 1; })",
                             opts ? opts : "{}");
    free(opts);
  }

  /* process.argv: [the command, the script (or "[eval]"), ARGS...] */
  int jargc = argc - o.first + 1;
  char **jargv = calloc((size_t)jargc + 1, sizeof *jargv);
  if (jargv == NULL) {
    gp__perm_free(o.perm);
    return 1;
  }
  jargv[0] = argv[0];
  jargv[1] = is_run ? argv[o.first] : is_chat ? "[chat]" : "[eval]";
  for (int i = o.first + 1; i < argc; i++) jargv[i - o.first + 1] = argv[i];

  gp_owner_t *owner = NULL;
  gp_owner_options_t oo = {.name = "gp-js"};
  if (gp_owner_new(&oo, &owner) != GP_OK) {
    fprintf(stderr, "geppetto: cannot start the runtime thread\n");
    free(jargv);
    gp__perm_free(o.perm);
    return 1;
  }
  gp_js_options_t jo = {.argc = jargc, .argv = jargv, .profile = o.profile, .profiles = o.profiles,
                        .perm = o.perm};
  gp_js_runtime_t *rt = NULL;
  int status = 1;
  if (gp__js_runtime_new(owner, &jo, &rt) == GP_OK) {
    gp__js_runtime_handle_signals(rt); /* SIGINT/SIGTERM as SPEC §2 says */
    rc = is_run    ? gp__js_runtime_run_file(rt, argv[o.first])
         : is_chat ? gp__js_runtime_eval(rt, chat_code)
                   : gp__js_runtime_eval(rt, argv[o.first]);
    if (rc == GP_OK) gp__js_runtime_wait(rt);
    /* "exit" listeners run; after an uncaught exception the status is 1 */
    if (rc == GP_OK || rc == GP_ERR_JS_EXCEPTION) status = gp__js_runtime_exit_code(rt);
  }
  if (o.stats) gp__print_stats(owner);
  gp__js_runtime_close(rt);
  gp_owner_free(owner);
  gp__js_runtime_free(rt);
  gp__perm_free(o.perm);
  json_decref(o.chat);
  free(chat_code);
  free(jargv);
  return status;
}
