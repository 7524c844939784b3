/* Logging to stderr: text "LEVEL component: message" or one JSON object per line.
 * The level and format are process-wide atomics; each record is one write(2). */
#include "geppetto/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core.h"
#include "geppetto/error.h"

static _Atomic int gp__log_level = GP_LOG_WARN;
static _Atomic int gp__log_json = 0;

static const char *const gp__level_names[] = {"debug", "info", "warn", "error", "off"};

void gp_log_set_level(gp_log_level_t level) { atomic_store(&gp__log_level, (int)level); }
gp_log_level_t gp_log_get_level(void) { return (gp_log_level_t)atomic_load(&gp__log_level); }
void gp_log_set_json(int json) { atomic_store(&gp__log_json, json ? 1 : 0); }
int gp_log_enabled(gp_log_level_t level) { return (int)level >= atomic_load(&gp__log_level); }

const char *gp_log_level_name(gp_log_level_t level) {
  return (unsigned)level <= GP_LOG_OFF ? gp__level_names[level] : "?";
}

int gp_log_level_parse(const char *name, gp_log_level_t *out) {
  for (int i = 0; i <= GP_LOG_ERROR; i++) {
    if (name && strcmp(name, gp__level_names[i]) == 0) {
      *out = (gp_log_level_t)i;
      return 0;
    }
  }
  if (name && strcmp(name, "warning") == 0) {
    *out = GP_LOG_WARN;
    return 0;
  }
  return GP_ERR_INVALID_ARGUMENT;
}

void gp_log(gp_log_level_t level, const char *component, const char *fmt, ...) {
  if (!gp_log_enabled(level) || level >= GP_LOG_OFF) return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = gp__xvasprintf(fmt, ap);
  va_end(ap);
  char *line;
  if (atomic_load(&gp__log_json)) {
    json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "ts", (json_int_t)gp__now_ms(), "level",
                          gp__level_names[level], "component", component ? component : "",
                          "msg", msg);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    line = gp__xasprintf("%s\n", text ? text : "{}");
    free(text);
    json_decref(o);
  } else {
    line = gp__xasprintf("%-5s %s: %s\n", gp__level_names[level], component ? component : "-",
                        msg);
  }
  ssize_t w = write(STDERR_FILENO, line, strlen(line));
  (void)w;
  free(line);
  free(msg);
}
