/* The Streamable HTTP transport (placeholder until it is written). */
#include "mcp/mcp_internal.h"

gp__mcp_tr_t *gp__mcp_http_open(gp_mcp_client_t *c, const gp__mcp_cfg_t *cfg, gp_error_t **err) {
  (void)c;
  gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "Streamable HTTP MCP servers (%s) are not supported yet", cfg->url);
  return NULL;
}

void gp__mcp_http_set_protocol(gp__mcp_tr_t *t, const char *version) {
  (void)t;
  (void)version;
}
