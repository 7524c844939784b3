/* The native half of Node's `os` (lib/node/os.js): facts about the machine and the user
 * from libuv (uv_os_*, uv_cpu_info, uv_get_*_memory, uv_os_uname, ...). Each native is
 * a quick synchronous query and returns a plain value, or throws an Error naming the
 * libuv failure. Owner thread only. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/core.h"
#include "js/js_private.h"


/* Node's name of the machine's architecture (process.arch). */
#if defined(__x86_64__)
#define GP__ARCH "x64"
#elif defined(__aarch64__)
#define GP__ARCH "arm64"
#elif defined(__i386__)
#define GP__ARCH "ia32"
#elif defined(__arm__)
#define GP__ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define GP__ARCH "riscv64"
#elif defined(__powerpc64__)
#define GP__ARCH "ppc64"
#elif defined(__s390x__)
#define GP__ARCH "s390x"
#elif defined(__loongarch64)
#define GP__ARCH "loong64"
#else
#define GP__ARCH "unknown"
#endif

static JSValueRef gp__os_fail(JSContextRef ctx, JSValueRef *exc, const char *what, int rc) {
  return gp__js_throw(ctx, exc, GP_ERR_IO, 0, "%s failed: %s (%s)", what, uv_strerror(rc),
                      uv_err_name(rc));
}

/* A string from a libuv getter that fills (buf, &size). */
static JSValueRef gp__os_string(JSContextRef ctx, JSValueRef *exc, const char *what,
                                int (*get)(char *, size_t *)) {
  char buf[PATH_MAX + 1];
  size_t n = sizeof buf;
  int rc = get(buf, &n);
  return rc < 0 ? gp__os_fail(ctx, exc, what, rc) : gp__js_str(ctx, buf);
}

static JSValueRef gp__os_homedir(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__os_string(ctx, exc, "uv_os_homedir", uv_os_homedir);
}

static JSValueRef gp__os_tmpdir(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__os_string(ctx, exc, "uv_os_tmpdir", uv_os_tmpdir);
}

static JSValueRef gp__os_hostname(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__os_string(ctx, exc, "uv_os_gethostname", uv_os_gethostname);
}

/* cpus(): [{model, speed, times: {user, nice, sys, idle, irq}}] (times in ms). */
static JSValueRef gp__os_cpus(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                              size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  uv_cpu_info_t *info = NULL;
  int n = 0, rc = uv_cpu_info(&info, &n);
  if (rc < 0) return gp__os_fail(ctx, exc, "uv_cpu_info", rc);
  JSObjectRef arr = JSObjectMakeArray(ctx, 0, NULL, NULL);
  for (int i = 0; i < n; i++) {
    JSObjectRef cpu = JSObjectMake(ctx, NULL, NULL), t = JSObjectMake(ctx, NULL, NULL);
    gp__js_set(ctx, cpu, "model", gp__js_str(ctx, info[i].model));
    gp__js_set(ctx, cpu, "speed", JSValueMakeNumber(ctx, info[i].speed));
    gp__js_set(ctx, t, "user", JSValueMakeNumber(ctx, (double)info[i].cpu_times.user));
    gp__js_set(ctx, t, "nice", JSValueMakeNumber(ctx, (double)info[i].cpu_times.nice));
    gp__js_set(ctx, t, "sys", JSValueMakeNumber(ctx, (double)info[i].cpu_times.sys));
    gp__js_set(ctx, t, "idle", JSValueMakeNumber(ctx, (double)info[i].cpu_times.idle));
    gp__js_set(ctx, t, "irq", JSValueMakeNumber(ctx, (double)info[i].cpu_times.irq));
    gp__js_set(ctx, cpu, "times", t);
    JSObjectSetPropertyAtIndex(ctx, arr, (unsigned)i, cpu, NULL);
  }
  uv_free_cpu_info(info, n);
  return arr;
}

/* uname(): [sysname, release, version, machine]. */
static JSValueRef gp__os_uname(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  uv_utsname_t u;
  int rc = uv_os_uname(&u);
  if (rc < 0) return gp__os_fail(ctx, exc, "uv_os_uname", rc);
  JSValueRef v[4] = {gp__js_str(ctx, u.sysname), gp__js_str(ctx, u.release),
                     gp__js_str(ctx, u.version), gp__js_str(ctx, u.machine)};
  return JSObjectMakeArray(ctx, 4, v, NULL);
}

/* memory(): [total, free] in bytes. */
static JSValueRef gp__os_memory(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef v[2] = {JSValueMakeNumber(ctx, (double)uv_get_total_memory()),
                     JSValueMakeNumber(ctx, (double)uv_get_free_memory())};
  return JSObjectMakeArray(ctx, 2, v, NULL);
}

static JSValueRef gp__os_uptime(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  double up = 0;
  int rc = uv_uptime(&up);
  return rc < 0 ? gp__os_fail(ctx, exc, "uv_uptime", rc) : JSValueMakeNumber(ctx, up);
}

static JSValueRef gp__os_loadavg(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  double avg[3];
  uv_loadavg(avg);
  JSValueRef v[3] = {JSValueMakeNumber(ctx, avg[0]), JSValueMakeNumber(ctx, avg[1]),
                     JSValueMakeNumber(ctx, avg[2])};
  return JSObjectMakeArray(ctx, 3, v, NULL);
}

/* userInfo(): {uid, gid, username, homedir, shell} of the process's effective user. */
static JSValueRef gp__os_user_info(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  uv_passwd_t pw;
  int rc = uv_os_get_passwd(&pw);
  if (rc < 0) return gp__os_fail(ctx, exc, "uv_os_get_passwd", rc);
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "uid", JSValueMakeNumber(ctx, (double)pw.uid));
  gp__js_set(ctx, o, "gid", JSValueMakeNumber(ctx, (double)pw.gid));
  gp__js_set(ctx, o, "username", gp__js_str(ctx, pw.username));
  gp__js_set(ctx, o, "homedir", gp__js_str(ctx, pw.homedir));
  gp__js_set(ctx, o, "shell", pw.shell ? gp__js_str(ctx, pw.shell) : JSValueMakeNull(ctx));
  uv_os_free_passwd(&pw);
  return o;
}

static JSValueRef gp__os_parallelism(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return JSValueMakeNumber(ctx, uv_available_parallelism());
}

/* ids(): [uid, gid, euid, egid, pid, ppid] of the process. */
static JSValueRef gp__os_ids(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef v[6] = {JSValueMakeNumber(ctx, getuid()), JSValueMakeNumber(ctx, getgid()),
                     JSValueMakeNumber(ctx, geteuid()), JSValueMakeNumber(ctx, getegid()),
                     JSValueMakeNumber(ctx, getpid()), JSValueMakeNumber(ctx, getppid())};
  return JSObjectMakeArray(ctx, 6, v, NULL);
}

static const gp__js_fn_t gp__os_fns[] = {
    {"homedir", gp__os_homedir}, {"tmpdir", gp__os_tmpdir},   {"hostname", gp__os_hostname},
    {"cpus", gp__os_cpus},       {"uname", gp__os_uname},     {"memory", gp__os_memory},
    {"uptime", gp__os_uptime},   {"loadavg", gp__os_loadavg}, {"userInfo", gp__os_user_info},
    {"availableParallelism", gp__os_parallelism},              {"ids", gp__os_ids},
};

void gp__mod_os_init(JSContextRef ctx, JSObjectRef host) {
  JSObjectRef os = JSObjectMake(ctx, NULL, NULL);
  gp__js_set_fns(ctx, os, gp__os_fns, sizeof gp__os_fns / sizeof gp__os_fns[0]);
  gp__js_set(ctx, os, "arch", gp__js_str(ctx, GP__ARCH));
  gp__js_set(ctx, host, "os", os);
}
