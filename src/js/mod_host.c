/* The `__host` object: the few native primitives the embedded prelude builds the script
 * environment from (printing, files, exiting, argv, env).
 * Not visible to scripts; the prelude keeps it in a closure. Owner thread only. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/geppetto.h"
#include "geppetto/log.h"
#include "js/js_private.h"

extern char **environ;


static JSValueRef gp__host_print(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  int fd = (int)JSValueToNumber(ctx, GP__ARG(0), NULL);
  JSStringRef js = JSValueToStringCopy(ctx, GP__ARG(1), NULL);
  size_t len = 0;
  char *s = js ? gp__js_strdup_n(js, &len) : NULL; /* lone surrogates: U+FFFD */
  if (js) JSStringRelease(js);
  FILE *f = fd == 2 ? stderr : stdout;
  if (fd == 2) fflush(stdout);
  if (len) fwrite(s, 1, len, f);
  if (argc < 3 || JSValueToBoolean(ctx, argv[2])) fputc('\n', f); /* print(fd, s, newline?) */
  fflush(f);
  free(s);
  return JSValueMakeUndefined(ctx);
}

static JSValueRef gp__host_log(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char *lvl = gp__js_to_cstr(ctx, GP__ARG(0));
  char *msg = gp__js_to_cstr(ctx, GP__ARG(1));
  gp_log_level_t l = GP_LOG_WARN;
  if (lvl) gp_log_level_parse(lvl, &l);
  gp_log(l, "js", "%s", msg ? msg : "");
  free(lvl);
  free(msg);
  return JSValueMakeUndefined(ctx);
}

/* logEnabled(level): whether the log shows `level` ("debug" keeps the runtime's frames
 * in the stacks scripts see). */
static JSValueRef gp__host_log_enabled(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char *lvl = gp__js_to_cstr(ctx, GP__ARG(0));
  gp_log_level_t l = GP_LOG_WARN;
  int ok = lvl && gp_log_level_parse(lvl, &l) == GP_OK;
  free(lvl);
  return JSValueMakeBoolean(ctx, ok && gp_log_enabled(l));
}

static JSValueRef gp__host_read_file(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char *path = gp__js_to_cstr(ctx, GP__ARG(0));
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (f == NULL) {
    JSValueRef r = gp__js_throw(ctx, exc, GP_ERR_IO, 0, "cannot read %s", path ? path : "?");
    free(path);
    return r;
  }
  gp_buf_t b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) gp__buf_append(&b, chunk, n);
  fclose(f);
  free(path);
  char *text = gp__buf_steal(&b);
  JSValueRef v = gp__js_str(ctx, text);
  free(text);
  return v;
}

static JSValueRef gp__host_is_file(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__js_path_is(ctx, GP__ARG(0), S_IFREG);
}

static JSValueRef gp__host_realpath(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char *path = gp__js_to_cstr(ctx, GP__ARG(0));
  char buf[PATH_MAX];
  JSValueRef v = path && realpath(path, buf) ? gp__js_str(ctx, buf) : JSValueMakeNull(ctx);
  free(path);
  return v;
}

static JSValueRef gp__host_cwd(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char buf[PATH_MAX];
  return gp__js_str(ctx, getcwd(buf, sizeof buf) ? buf : ".");
}

/* exit(code): process.exit's end, once "exit" was emitted. With exit_process the process
 * ends now; otherwise the script ends (gp__js_script_end) and this returns: the caller
 * (the prelude) then unwinds the script by throwing. */
static JSValueRef gp__host_exit(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  int code = (int)JSValueToNumber(ctx, GP__ARG(0), NULL);
  if (rt->exit_process) gp__js_exit_now(code & 0xff);
  gp__js_script_end(rt, code);
  return JSValueMakeUndefined(ctx);
}

static JSValueRef gp__host_env(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSObjectRef env = JSObjectMake(ctx, NULL, NULL);
  for (char **e = environ; e && *e; e++) {
    const char *eq = strchr(*e, '=');
    if (eq == NULL) continue;
    char *k = gp__xstrndup(*e, (size_t)(eq - *e));
    gp__js_set(ctx, env, k, gp__js_str(ctx, eq + 1));
    free(k);
  }
  return env;
}

static JSValueRef gp__host_argv(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  JSValueRef *items = gp__xcalloc((size_t)rt->argc + 1, sizeof *items);
  for (int i = 0; i < rt->argc; i++) items[i] = gp__js_str(ctx, rt->argv[i]);
  JSObjectRef a = JSObjectMakeArray(ctx, (size_t)rt->argc, items, NULL);
  free(items);
  return a;
}

/* rusage(): CPU time of the whole process (every thread) in µs, {user, system}, and the
 * peak resident set size in KiB, {maxRSS}: what Node's process.resourceUsage() gives. */
static JSValueRef gp__host_rusage(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "user", JSValueMakeNumber(ctx, ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec));
  gp__js_set(ctx, o, "system", JSValueMakeNumber(ctx, ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec));
  gp__js_set(ctx, o, "maxRSS", JSValueMakeNumber(ctx, (double)ru.ru_maxrss));
  return o;
}

/* rss(): the resident set size now, in bytes (/proc/self/statm; 0 when unreadable). */
static JSValueRef gp__host_rss(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return JSValueMakeNumber(ctx, (double)resident * (double)sysconf(_SC_PAGESIZE));
}

/* monoMs(): the monotonic clock in milliseconds, with sub-millisecond precision. */
static JSValueRef gp__host_mono_ms(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return JSValueMakeNumber(ctx, (double)gp__mono_ns() / 1e6);
}

static const gp__js_fn_t gp__host_fns[] = {
    {"print", gp__host_print},   {"log", gp__host_log},         {"readFile", gp__host_read_file},
    {"isFile", gp__host_is_file}, {"realpath", gp__host_realpath}, {"cwd", gp__host_cwd},
    {"exit", gp__host_exit},     {"env", gp__host_env},
    {"argv", gp__host_argv},     {"rusage", gp__host_rusage},   {"rss", gp__host_rss},
    {"monoMs", gp__host_mono_ms}, {"logEnabled", gp__host_log_enabled},
};

void gp__mod_host_init(JSContextRef ctx, JSObjectRef target) {
  gp__js_set_fns(ctx, target, gp__host_fns, sizeof gp__host_fns / sizeof gp__host_fns[0]);
  gp__js_set(ctx, target, "platform", gp__js_str(ctx, "linux"));
  gp__js_set(ctx, target, "version", gp__js_str(ctx, GEPPETTO_VERSION));
}
