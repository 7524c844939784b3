/* The error table (names and default messages from GP_ERRNO_MAP) and the making of a
 * gp_error_t. Everything that replaces, copies or frees one is in src/turns/error.c: an
 * error owns its partial turn, and turns sit above core. */
#include "geppetto/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

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

gp_error_t *gp__error_vnew(int code, const char *fmt, va_list ap) {
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
