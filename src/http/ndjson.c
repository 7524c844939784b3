/* NDJSON decoder: one JSON value per LF-terminated line, bytes split anywhere. A CR
 * before the LF and blank (whitespace-only) lines are ignored; a malformed or too long
 * line stops the decoder with PROVIDER_STREAM naming the line.
 *
 * Linear time: each byte is scanned once when it arrives; a line complete within one
 * feed is parsed from the caller's bytes, a line split across feeds is collected in
 * `line`. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "http/http.h"
#include "core/json_depth.h"

#define GP__NDJSON_DEFAULT_MAX ((size_t)16 << 20)

struct gp_ndjson_s {
  gp_ndjson_cb cb;
  void *ud;
  size_t max_line;      /* bytes, CR included */
  gp_buf_t line;        /* the current line's bytes when it spans feeds */
  uint64_t lineno;      /* 1-based number of the line being read */
  int stopped;          /* sticky error code; 0 while going on */
  char *stop_msg;       /* the message of that error, repeated to later calls */
};

gp_ndjson_t *gp__ndjson_new(gp_ndjson_cb cb, void *ud, size_t max_line) {
  gp_ndjson_t *n = gp__xcalloc(1, sizeof *n);
  n->cb = cb;
  n->ud = ud;
  n->max_line = max_line ? max_line : GP__NDJSON_DEFAULT_MAX;
  n->lineno = 1;
  return n;
}

void gp__ndjson_free(gp_ndjson_t *n) {
  if (!n) return;
  gp__buf_free(&n->line);
  free(n->stop_msg);
  free(n);
}

static int gp__ndjson_stop(gp_ndjson_t *n, int code, gp_error_t **err, char *msg) {
  n->stopped = code;
  free(n->stop_msg);
  n->stop_msg = msg;
  if (msg) gp_error_set(err, code, "%s", msg);
  return code;
}

static int gp__ndjson_blank(const char *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return 0;
  return 1;
}

/* One complete line without its LF. */
static int gp__ndjson_line(gp_ndjson_t *n, const char *p, size_t len, gp_error_t **err) {
  uint64_t no = n->lineno++;
  if (len > 0 && p[len - 1] == '\r') len--;
  if (gp__ndjson_blank(p, len)) return 0;
  json_error_t jerr;
  json_t *v = gp__json_loadb(p, len, JSON_DECODE_ANY, &jerr);
  if (!v)
    return gp__ndjson_stop(n, GP_ERR_PROVIDER_STREAM, err,
                           gp__xasprintf("the provider's NDJSON stream has a malformed line %llu "
                                        "(column %d): %s",
                                        (unsigned long long)no, jerr.column, jerr.text));
  int rc = n->cb ? n->cb(n->ud, v) : 0;
  json_decref(v);
  if (rc) return gp__ndjson_stop(n, rc, NULL, NULL);
  return 0;
}

static int gp__ndjson_too_long(gp_ndjson_t *n, gp_error_t **err) {
  return gp__ndjson_stop(n, GP_ERR_PROVIDER_STREAM, err,
                         gp__xasprintf("the provider's NDJSON stream has a line %llu longer than "
                                      "the limit of %zu bytes",
                                      (unsigned long long)n->lineno, n->max_line));
}

static int gp__ndjson_sticky(gp_ndjson_t *n, gp_error_t **err) {
  if (n->stop_msg) gp_error_set(err, n->stopped, "%s", n->stop_msg);
  return n->stopped;
}

int gp__ndjson_feed(gp_ndjson_t *n, const char *data, size_t len, gp_error_t **err) {
  if (n->stopped) return gp__ndjson_sticky(n, err);
  const char *p = data, *end = data + len;
  while (p < end) {
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    size_t piece = (size_t)((lf ? lf : end) - p);
    if (n->line.len + piece > n->max_line) return gp__ndjson_too_long(n, err);
    if (!lf) {
      gp__buf_append(&n->line, p, piece);
      return 0;
    }
    int rc;
    if (n->line.len) {
      gp__buf_append(&n->line, p, piece);
      rc = gp__ndjson_line(n, n->line.data, n->line.len, err);
      n->line.len = 0;
    } else {
      rc = gp__ndjson_line(n, p, piece, err);
    }
    if (rc) return rc;
    p = lf + 1;
  }
  return 0;
}

int gp__ndjson_finish(gp_ndjson_t *n, gp_error_t **err) {
  if (n->stopped) return gp__ndjson_sticky(n, err);
  if (n->line.len == 0) return 0;
  int rc = gp__ndjson_line(n, n->line.data, n->line.len, err);
  n->line.len = 0;
  return rc;
}
