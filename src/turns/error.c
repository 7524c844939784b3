/* The life of a gp_error_t after it is made (src/core/error.c makes it): replacing,
 * copying and freeing, which take the partial turn it owns with it. */
#include "geppetto/error.h"

#include <stdarg.h>
#include <stdlib.h>

#include "core/core.h"
#include "geppetto/turn.h"

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
