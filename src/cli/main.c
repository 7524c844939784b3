/* The `geppetto` command: `run SCRIPT [ARGS]`, `eval CODE`, `chat`, `version` and
 * `help [COMMAND]` (SPEC §2); a usage error names the bad argument and exits 2.
 * It starts an owner thread, creates the JavaScript runtime on it, runs the script
 * there, waits until no timer, run or owner request remains, and exits with
 * process.exitCode (1 after an uncaught exception, 2 on a usage error, 130/143 after
 * SIGINT/SIGTERM: signals are the runtime's, see gp__js_runtime_handle_signals). The
 * permission options (SPEC §3.4) become a permission set the runtime reads
 * (js/permission.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/geppetto.h"
#include "geppetto/owner.h"
#include "js/runtime.h"

/* The commands that take options: synopsis and what each does. */
typedef struct {
  const char *name, *synopsis, *about;
} gp__cmd_t;

static const gp__cmd_t gp__cmds[] = {
    {"run", "geppetto run [OPTIONS] SCRIPT.js|SCRIPT.mjs [ARGS...]",
     "Runs a script; exits when no work is pending."},
    {"eval", "geppetto eval [OPTIONS] 'CODE'", "Runs code given on the command line."},
    {"chat",
     "geppetto chat [OPTIONS] [--system TEXT] [--session ID] [--store sqlite:PATH|postgres:URL]\n"
     "                     [--tools FILE.js] [--mcp 'COMMAND ARGS']...",
     "An interactive conversation with a profile's model (the answer streams; each line\n"
     "continues the conversation; /reset, /save FILE, /exit; Ctrl-C cancels an answer).\n"
     "chat options (also profile keys system, store, tools, mcp):\n"
     "         --system TEXT              the system prompt\n"
     "         --session ID               persist and resume this conversation (needs a store)\n"
     "         --store sqlite:PATH|postgres:URL|memory  where sessions are kept\n"
     "         --tools FILE.js            a module exporting a tool registry\n"
     "         --mcp 'COMMAND ARGS'       the tools of an MCP server (repeatable)"},
};

static const gp__cmd_t *gp__cmd_find(const char *name) {
  for (size_t i = 0; i < sizeof gp__cmds / sizeof gp__cmds[0]; i++)
    if (strcmp(gp__cmds[i].name, name) == 0) return &gp__cmds[i];
  return NULL;
}

static void gp__print_options(FILE *f) {
  fprintf(f,
          "options: --profile NAME  --profiles FILE  --log-level debug|info|warn|error\n"
          "         --log-format text|json  --stats  --help\n"
          "permissions (off unless one is given; see docs/PERMISSIONS.md):\n"
          "         --permission               turn the model on: deny what is not granted\n"
          "         --allow-fs-read=PATH[,...]  read under PATH (* for everywhere)\n"
          "         --allow-fs-write=PATH[,...] write under PATH (* for everywhere)\n"
          "         --allow-net=HOST[:PORT][,...] reach HOST (*.DOMAIN, [IPv6], * for all)\n"
          "         --allow-child-process      start child processes\n"
          "         --allow-env                read process.env\n"
          "Options take their value as --opt=VALUE or --opt VALUE; -- ends them.\n"
          "Docs: README.md, docs/API.md (the geppetto module), docs/WEB_PLATFORM.md,\n"
          "docs/PERMISSIONS.md.\n");
}

/* The usage of command `c`, or of every command when c is NULL. */
static void gp__print_usage(FILE *f, const gp__cmd_t *c) {
  if (c) {
    fprintf(f, "usage: %s\n%s\n", c->synopsis, c->about);
  } else {
    for (size_t i = 0; i < sizeof gp__cmds / sizeof gp__cmds[0]; i++)
      fprintf(f, "%s %s\n", i ? "      " : "usage:", gp__cmds[i].synopsis);
    fprintf(f, "       geppetto version | --version\n"
               "       geppetto help [COMMAND] | --help | -h\n");
  }
  gp__print_options(f);
}

/* A usage error: "geppetto: MSG" and how to get help, on stderr. Returns 2 (SPEC §2). */
static int gp__usage(const gp__cmd_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int gp__usage(const gp__cmd_t *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("geppetto: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (c)
    fprintf(stderr, "\nusage: %s\n(geppetto %s --help lists the options)\n", c->synopsis, c->name);
  else {
    fputs("\n", stderr);
    gp__print_usage(stderr, NULL);
  }
  return 2;
}

typedef struct {
  const gp__cmd_t *cmd;         /* the command being parsed */
  const char *profile, *profiles;
  int stats;
  int help;                     /* --help / -h was given: print the command's usage */
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
    if (*i + 1 >= argc) return gp__usage(o->cmd, "%s needs a value", name);
    value = argv[++*i];
  }
  if (o->perm == NULL) o->perm = gp__perm_new(NULL);
  char *err = NULL;
  if (gp__perm_apply(o->perm, name, value, &err) != 0) {
    int rc = gp__usage(o->cmd, "%s", err);
    free(err);
    return rc;
  }
  return 0;
}

/* Whether `name` is an option with a value of command o->cmd (permissions aside). */
static int gp__is_valued(const char *name, const gp__cli_opts_t *o) {
  static const char *const common[] = {"--profile", "--profiles", "--log-level", "--log-format"};
  static const char *const chat[] = {"--system", "--session", "--store", "--tools", "--mcp"};
  for (size_t k = 0; k < sizeof common / sizeof common[0]; k++)
    if (strcmp(name, common[k]) == 0) return 1;
  for (size_t k = 0; o->chat && k < sizeof chat / sizeof chat[0]; k++)
    if (strcmp(name, chat[k]) == 0) return 1;
  return 0;
}

/* The option `name` (one gp__is_valued accepts) with its value `v`. Returns 0 or the
 * usage status (2). */
static int gp__parse_valued(const char *name, const char *v, gp__cli_opts_t *o) {
  if (strcmp(name, "--profile") == 0) {
    o->profile = v;
  } else if (strcmp(name, "--profiles") == 0) {
    o->profiles = v;
  } else if (strcmp(name, "--log-level") == 0) {
    gp_log_level_t l;
    if (gp_log_level_parse(v, &l) != 0)
      return gp__usage(o->cmd, "bad --log-level '%s' (debug, info, warn or error)", v);
    gp_log_set_level(l);
  } else if (strcmp(name, "--log-format") == 0) {
    if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
      return gp__usage(o->cmd, "bad --log-format '%s' (text or json)", v);
    gp_log_set_json(strcmp(v, "json") == 0);
  } else {
    gp__parse_chat(name, v, o);
  }
  return 0;
}

/* The option at argv[*i], which starts with "--" ("--opt=v" or "--opt v"); *i moves
 * past its value. Returns 0 or the usage status (2). */
static int gp__parse_option(int argc, char **argv, int *i, gp__cli_opts_t *o) {
  const char *a = argv[*i], *eq = strchr(a, '=');
  char name[64];
  size_t n = eq ? (size_t)(eq - a) : strlen(a);
  if (n >= sizeof name) return gp__usage(o->cmd, "unknown option %.40s...", a);
  memcpy(name, a, n);
  name[n] = '\0';
  int rc = gp__parse_perm(argc, argv, i, name, eq ? eq + 1 : NULL, o);
  if (rc != 1) return rc;
  if (strcmp(name, "--stats") == 0) {
    if (eq) return gp__usage(o->cmd, "--stats takes no value");
    o->stats = 1;
    return 0;
  }
  if (!gp__is_valued(name, o)) return gp__usage(o->cmd, "unknown option %s", name);
  if (!eq && *i + 1 >= argc) return gp__usage(o->cmd, "option %s needs a value", name);
  return gp__parse_valued(name, eq ? eq + 1 : argv[++*i], o);
}

/* Parses options up to the first non-option (after `--`, everything is one). Returns 0
 * or the usage status (2); o->help asks for the command's usage. */
static int gp__parse(int argc, char **argv, gp__cli_opts_t *o) {
  int i = 2;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      o->help = 1;
      return 0;
    }
    if (a[1] != '-') return gp__usage(o->cmd, "unknown option %s", a);
    int rc = gp__parse_option(argc, argv, &i, o);
    if (rc != 0) return rc;
  }
  if (o->chat) {
    if (i < argc) return gp__usage(o->cmd, "chat takes no argument ('%s')", argv[i]);
    o->first = argc;
    return 0;
  }
  if (i >= argc)
    return gp__usage(o->cmd, strcmp(o->cmd->name, "eval") == 0 ? "missing code" : "missing script");
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

/* What the command line asks before any runtime is made: `version`, `help [COMMAND]`
 * (or --help / -h, also after a command), a usage error. Returns -1 to go on with the
 * command's options in `o` (o->chat made for `chat`), else the exit status. */
static int gp__command(int argc, char **argv, gp__cli_opts_t *o) {
  if (argc < 2) return gp__usage(NULL, "missing command");
  const char *name = argv[1];
  if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
    printf("geppetto %s\n", GEPPETTO_VERSION);
    return 0;
  }
  if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    const gp__cmd_t *c = argc > 2 ? gp__cmd_find(argv[2]) : NULL;
    if (argc > 2 && c == NULL) return gp__usage(NULL, "unknown command '%s'", argv[2]);
    gp__print_usage(stdout, c);
    return 0;
  }
  o->cmd = gp__cmd_find(name);
  if (o->cmd == NULL) return gp__usage(NULL, "unknown command '%s'", name);
  if (strcmp(name, "chat") == 0) o->chat = json_object();
  int rc = gp__parse(argc, argv, o);
  if (rc != 0) return rc;
  if (o->help) {
    gp__print_usage(stdout, o->cmd);
    return 0;
  }
  return -1;
}

int main(int argc, char **argv) {
  gp__js_signals_block(); /* before any thread: the runtime's signal thread takes them */
  gp__cli_opts_t o = {0};
  int rc = gp__command(argc, argv, &o);
  if (rc >= 0) {
    gp__perm_free(o.perm);
    json_decref(o.chat);
    return rc;
  }
  int is_run = o.cmd == &gp__cmds[0], is_chat = o.chat != NULL;
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
    json_decref(o.chat);
    free(chat_code);
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
                        .perm = o.perm, .exit_process = 1}; /* the script's end is the process's */
  gp_js_runtime_t *rt = NULL;
  int status = 1;
  if (gp__js_runtime_new(owner, &jo, &rt) == GP_OK) {
    gp__js_runtime_handle_signals(rt); /* SIGINT/SIGTERM as SPEC §2 says */
    rc = is_run    ? gp__js_runtime_run_file(rt, argv[o.first])
         : is_chat ? gp__js_runtime_eval(rt, chat_code)
                   : gp__js_runtime_eval(rt, argv[o.first]);
    if (rc == GP_OK) gp__js_runtime_wait(rt);
    /* "exit" listeners run; after an uncaught exception the status is 1 */
    if (rc == GP_OK || rc == GP_ERR_JS_EXCEPTION || rc == GP_ERR_MODULE_NOT_FOUND)
      status = gp__js_runtime_exit_code(rt);
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
