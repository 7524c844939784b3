/* The PostgreSQL store back end (placeholder until the libpq implementation lands):
 * every operation fails with GP_ERR_STORE saying so. */
#include <stdlib.h>

#include "core/core.h"
#include "store/store_internal.h"

typedef struct {
  gp__store_be_t base;
  char *conninfo;
} gp__pg_t;

static int gp__pg_open(gp__store_be_t *be, gp_error_t **err) {
  return gp_error_set(err, GP_ERR_STORE, "the postgres store is not available in this build");
}

static void gp__pg_free(gp__store_be_t *be) {
  gp__pg_t *p = (gp__pg_t *)be;
  free(p->conninfo);
  free(p);
}

static const gp__store_vt_t gp__pg_vt = {.kind = "postgres", .open = gp__pg_open, .free = gp__pg_free};

gp__store_be_t *gp__store_postgres_be(const char *conninfo) {
  gp__pg_t *p = gp_xcalloc(1, sizeof *p);
  p->base.vt = &gp__pg_vt;
  p->conninfo = gp_xstrdup(conninfo);
  return &p->base;
}
