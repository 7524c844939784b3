/* MCP: a client of Model Context Protocol servers (SPEC §4.11), with no JavaScript.
 *
 * A client talks JSON-RPC 2.0 to one server, over stdio (the server is a child process
 * speaking newline-delimited JSON) or Streamable HTTP. It speaks revision 2025-11-25 and
 * accepts servers of 2025-06-18 and 2025-03-26. Every function here may be called from
 * any thread; the blocking ones must not run on a JS owner thread. Completion callbacks
 * run on the client's I/O thread (the stdio reader, or the HTTP thread) or on the thread
 * that fired a cancel token: they must be short and must not block. */
#ifndef GEPPETTO_MCP_H
#define GEPPETTO_MCP_H

#include <stdint.h>
#include <jansson.h>

#include "cancel.h"
#include "error.h"
#include "tool.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GP_MCP_PROTOCOL_VERSION "2025-11-25"

typedef struct gp_mcp_spec_s {
  /* stdio: the server's program (looked up in PATH), its arguments (NULL-terminated,
   * without argv[0]; may be NULL), extra environment "NAME=VALUE" entries over ours
   * (NULL-terminated; may be NULL) and working directory (NULL: ours). */
  const char *command;
  const char *const *args;
  const char *const *env;
  const char *cwd;
  /* Streamable HTTP (when `command` is NULL): the endpoint and extra headers
   * ("Name: value", NULL-terminated; may be NULL). */
  const char *url;
  const char *const *headers;
  const char *name;           /* for messages; NULL: the command or the URL */
  int64_t timeout_ms;         /* per request; 0: 60 000 */
  int no_restart;             /* stdio: 1 = do not start the server again after it exits.
                                 HTTP: a session the server ended (404) is always followed
                                 by a new one on the next request. */
} gp_mcp_spec_t;

typedef struct gp_mcp_client_s gp_mcp_client_t;

/* Starts the server (stdio) or opens the session (HTTP), runs the initialize handshake
 * and fetches the tool list. Blocks. Returns 0 with *out (refcount 1), or an error:
 * MCP_CLOSED (the server exited or broke the protocol; its stderr's tail in the
 * message), MCP_PROTOCOL (the handshake failed: a revision we do not speak, a tools/list
 * answer without tools), MCP_ERROR, TIMEOUT, IO, INVALID_ARGUMENT.
 *
 * Later, a server that exits or sends a malformed message (not JSON-RPC, or a line over
 * 256 MiB) fails every pending request with MCP_CLOSED, saying which, with its stderr's
 * tail; the connection is then dropped and the next request restarts it when allowed.
 * Over HTTP, a 404 to a request carrying the session (the server ended it) fails the
 * pending requests with MCP_CLOSED; the next request opens a new session. */
int gp_mcp_connect(const gp_mcp_spec_t *spec, gp_mcp_client_t **out, gp_error_t **err);
gp_mcp_client_t *gp_mcp_ref(gp_mcp_client_t *c);
/* Drops a reference; the last one closes the client (as gp_mcp_close). NULL accepted. */
void gp_mcp_unref(gp_mcp_client_t *c);
/* Closes the connection: pending requests fail with MCP_CLOSED; stdio: stdin closed,
 * then SIGTERM, then SIGKILL after 2 s, the child reaped; HTTP: DELETE of the session.
 * Blocks until done. Idempotent; later calls fail with MCP_CLOSED. */
void gp_mcp_close(gp_mcp_client_t *c);

/* The server's `serverInfo` ({name, version, ...}), new reference. */
json_t *gp_mcp_server_info(gp_mcp_client_t *c);
/* The protocol revision agreed ("2025-11-25", ...). Valid while `c` lives. */
const char *gp_mcp_protocol(gp_mcp_client_t *c);
/* The name used in messages. */
const char *gp_mcp_name(gp_mcp_client_t *c);

/* The tool list [{name, description, inputSchema, outputSchema?, ...}] (new reference):
 * the one fetched last, fetched again (every page) when the server said it changed.
 * Blocks when it fetches, or while a fetch is under way. A list_changed notification
 * starts such a fetch in the background at once; it updates the cached list and the
 * registries bound with gp_mcp_use_tools. */
int gp_mcp_tools(gp_mcp_client_t *c, json_t **tools, gp_error_t **err);
/* The list fetched last, without asking the server (new reference; never NULL). */
json_t *gp_mcp_tools_cached(gp_mcp_client_t *c);
/* How many times the server said its list changed. */
uint64_t gp_mcp_tools_generation(gp_mcp_client_t *c);

/* Progress of a call: `total` < 0 when the server gave none; `message` may be NULL. */
typedef void (*gp_mcp_progress_cb)(void *ud, double progress, double total, const char *message);
/* The end of a request: rc 0 with `result` (stolen), or an error (stolen). Exactly once. */
typedef void (*gp_mcp_done_cb)(void *ud, int rc, json_t *result, gp_error_t *err);

typedef struct gp_mcp_call_opts_s {
  gp_cancel_t *cancel;        /* may be NULL; firing fails the call at once (its reason)
                                 and sends notifications/cancelled */
  int64_t timeout_ms;         /* 0: the client's */
  gp_mcp_progress_cb on_progress; /* may be NULL: then no progress token is sent */
  void *progress_ud;
} gp_mcp_call_opts_t;

/* Starts tools/call; `done` receives the server's result as sent ({content,
 * structuredContent?, isError?}). Restarts a stdio server that exited (when allowed),
 * which blocks for the handshake. `opts` may be NULL. */
void gp_mcp_call_tool_start(gp_mcp_client_t *c, const char *name, json_t *args,
                            const gp_mcp_call_opts_t *opts, gp_mcp_done_cb done, void *ud);
/* The same, waiting for the result. */
int gp_mcp_call_tool(gp_mcp_client_t *c, const char *name, json_t *args,
                     const gp_mcp_call_opts_t *opts, json_t **result, gp_error_t **err);
/* Any request (method, params borrowed, may be NULL), waiting for the result. */
int gp_mcp_request(gp_mcp_client_t *c, const char *method, json_t *params,
                   const gp_mcp_call_opts_t *opts, json_t **result, gp_error_t **err);

/* A tools/call result mapped as SPEC §4.11 says: structuredContent (validated against
 * `output_schema` when not NULL), else the text items joined, else the content array;
 * isError makes it TOOL_FAILED with that text. */
int gp_mcp_map_result(json_t *result, const json_t *output_schema, json_t **value, gp_error_t **err);

/* Registers the client's tools in `r` (their inputSchema checked by our validator before
 * each call); `include`/`exclude` (NULL-terminated, may be NULL) filter by the server's
 * names, `prefix` (may be NULL) is put before each name. A name is made one providers
 * accept (^[a-zA-Z0-9_-]{1,64}$): other characters become `_`, it is cut to 64, and a
 * name that comes out twice gets _2, _3, ... (the call still uses the server's name).
 * All or nothing: on failure no tool is registered. A call goes straight to the
 * server from the tool worker; progress becomes `tool-progress` events when the
 * registry runs in a session. The registry follows list_changed: new and changed tools
 * are registered again, dropped ones removed (a name since taken by another tool is
 * left alone). The registry's tools hold references on the client and the client holds
 * the registry until gp_mcp_close: close a client you bound. Returns 0, INVALID_ARGUMENT
 * (a name taken) or MCP_CLOSED (the client is closed). */
int gp_mcp_use_tools(gp_registry_t *r, gp_mcp_client_t *c, const char *const *include,
                     const char *const *exclude, const char *prefix, gp_error_t **err);

/* Closes every client still open (the process is exiting). */
void gp_mcp_close_all(void);

#ifdef __cplusplus
}
#endif
#endif
