/* The error table (names and default messages from GP_ERRNO_MAP) and gp_error_t, the
 * failure that carries a message and the partial turn. */
#include "geppetto/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/turn.h"

const char *gp_err_name(int code) {
  switch (code) {
    case GP_OK: return "OK";
#define GP__ERR_NAME(name, value, msg) \
  case GP_ERR_##name:                  \
    return #name;
    GP_ERRNO_MAP(GP__ERR_NAME)
#undef GP__ERR_NAME
    default: return "UNKNOWN";
  }
}

const char *gp_strerror(int code) {
  switch (code) {
    case GP_OK: return "success";
#define GP__ERR_MSG(name, value, msg) \
  case GP_ERR_##name:                 \
    return msg;
    GP_ERRNO_MAP(GP__ERR_MSG)
#undef GP__ERR_MSG
    default: return "unknown error";
  }
}

int gp_err_from_name(const char *name) {
  if (!name) return 0;
#define GP__ERR_CMP(n, value, msg) \
  if (strcmp(name, #n) == 0) return GP_ERR_##n;
  GP_ERRNO_MAP(GP__ERR_CMP)
#undef GP__ERR_CMP
  return 0;
}

static gp_error_t *gp__error_vnew(int code, const char *fmt, va_list ap) {
  gp_error_t *e = gp__xcalloc(1, sizeof *e);
  e->code = code ? code : GP_ERR_INTERNAL;
  e->message = fmt ? gp__xvasprintf(fmt, ap) : gp__xstrdup(gp_strerror(e->code));
  return e;
}

gp_error_t *gp_error_new(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  gp_error_t *e = gp__error_vnew(code, fmt, ap);
  va_end(ap);
  return e;
}

int gp_error_set(gp_error_t **out, int code, const char *fmt, ...) {
  if (out) {
    va_list ap;
    va_start(ap, fmt);
    gp_error_t *e = gp__error_vnew(code, fmt, ap);
    va_end(ap);
    gp_error_free(*out);
    *out = e;
  }
  return code;
}

gp_error_t *gp_error_copy(const gp_error_t *err) {
  if (!err) return NULL;
  gp_error_t *e = gp__xcalloc(1, sizeof *e);
  e->code = err->code;
  e->message = gp__xstrdup(err->message);
  e->partial = err->partial ? gp_turn_copy(err->partial) : NULL;
  return e;
}

void gp_error_set_partial(gp_error_t *err, struct gp_turn_s *partial) {
  if (!err) {
    gp_turn_free(partial);
    return;
  }
  if (err->partial != partial) gp_turn_free(err->partial);
  err->partial = partial;
}

void gp_error_free(gp_error_t *err) {
  if (!err) return;
  gp_turn_free(err->partial);
  free(err->message);
  free(err);
}
