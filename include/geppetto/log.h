/* Logging: one line per record on stderr, as text or JSON, filtered by level.
 * Thread-safe; a record is written with one write(2) so lines never interleave.
 * Never logs secrets: callers pass no API key to it (see SPEC §6). */
#ifndef GEPPETTO_LOG_H
#define GEPPETTO_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { GP_LOG_DEBUG, GP_LOG_INFO, GP_LOG_WARN, GP_LOG_ERROR, GP_LOG_OFF } gp_log_level_t;

void gp_log_set_level(gp_log_level_t level);      /* default: GP_LOG_WARN */
gp_log_level_t gp_log_get_level(void);
void gp_log_set_json(int json);                   /* 0: text (default), 1: JSON lines */
/* Parses "debug", "info", "warn", "error"; INVALID_ARGUMENT otherwise. */
int gp_log_level_parse(const char *name, gp_log_level_t *out);
const char *gp_log_level_name(gp_log_level_t level);
int gp_log_enabled(gp_log_level_t level);
/* Logs a record from `component` ("owner", "tools", ...). */
void gp_log(gp_log_level_t level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
