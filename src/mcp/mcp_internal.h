/* Internal interface of the MCP layer: the client's state and the transports under it.
 *
 * A transport moves whole JSON-RPC messages: `send` writes one (any thread, serialised
 * by the client), and the transport hands each message it receives to gp__mcp_deliver
 * and its end to gp__mcp_lost, from its own I/O thread (the stdio reader thread, or the
 * shared HTTP thread). `close` stops its I/O, waits for its thread and frees it.
 * `stderr_tail` (NULL for transports without one) gives what error messages quote of
 * the server's stderr: "; its stderr ends with: ..." or "" (heap). */
#ifndef GP_MCP_INTERNAL_H
#define GP_MCP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "core/core.h"
#include "geppetto/mcp.h"

/* One message from a server at most (a stdio line, an SSE event, a JSON body): more breaks
 * the protocol (MCP_CLOSED), rather than growing without bound. */
#define GP__MCP_MAX_MESSAGE ((size_t)256 << 20)

typedef struct gp__mcp_tr_s gp__mcp_tr_t;

typedef struct gp__mcp_tr_ops_s {
  int (*send)(gp__mcp_tr_t *t, const char *msg, size_t len, gp_error_t **err);
  void (*close)(gp__mcp_tr_t *t);
  char *(*stderr_tail)(gp__mcp_tr_t *t);
} gp__mcp_tr_ops_t;

struct gp__mcp_tr_s {
  const gp__mcp_tr_ops_t *ops;
  gp_mcp_client_t *c;          /* borrowed: the client outlives its transports */
};

/* The client's configuration: a deep copy of the spec. */
typedef struct gp__mcp_cfg_s {
  char *command;
  char **args;                 /* NULL-terminated, never NULL */
  char **env;                  /* idem */
  char *cwd;
  char *url;
  char **headers;              /* idem */
  char *name;
  int64_t timeout_ms;
  int restart;
} gp__mcp_cfg_t;

typedef struct gp__mcp_pending_s gp__mcp_pending_t;
typedef struct gp__mcp_binding_s gp__mcp_binding_t;

struct gp_mcp_client_s {
  atomic_int refs;
  gp__mcp_cfg_t cfg;
  pthread_mutex_t mu;          /* guards everything below but the send lock's part */
  pthread_cond_t cv;           /* starting, pending, closed changes; the sweeper waits */
  pthread_mutex_t smu;         /* serialises sends and transport replacement */
  pthread_mutex_t lmu;         /* serialises fetching the tool list again */
  gp__mcp_tr_t *tr;            /* current transport or NULL */
  int tr_alive;                /* 0 once lost: the next request restarts it */
  int starting;                /* a (re)start is in progress */
  int closed;
  int close_done;
  char *lost_msg;              /* why the last transport ended (heap) */
  int64_t next_id;
  gp__mcp_pending_t *pending;
  json_t *server_info, *server_caps;
  char protocol[16];
  json_t *tools;               /* array, never NULL */
  int tools_dirty;
  uint64_t tools_gen;
  gp__mcp_binding_t *bindings; /* registries that use our tools (list_changed) */
  pthread_t sweeper;           /* fails requests past their deadline or canceled */
  int sweep_kick;
  int refreshing;              /* a list_changed refresh thread is running */
  gp_mcp_client_t *all_next, **all_prev; /* the process's list of open clients */
};

/* From a transport's I/O thread: one message received (`msg[0..len)`), or the end. */
void gp__mcp_deliver(gp_mcp_client_t *c, gp__mcp_tr_t *tr, const char *msg, size_t len);
void gp__mcp_lost(gp_mcp_client_t *c, gp__mcp_tr_t *tr, int code, const char *message);
/* The request `id` failed in the transport (an HTTP error status, unreachable server). */
void gp__mcp_fail_request(gp_mcp_client_t *c, int64_t id, int code, const char *message);

/* The transports. NULL with *err when they cannot start. */
gp__mcp_tr_t *gp__mcp_stdio_open(gp_mcp_client_t *c, const gp__mcp_cfg_t *cfg, gp_error_t **err);
gp__mcp_tr_t *gp__mcp_http_open(gp_mcp_client_t *c, const gp__mcp_cfg_t *cfg, gp_error_t **err);
/* For tests (tests/fuzz/fuzz_mcp.c): every transport the clients start from now on is
 * made by `open` instead (NULL: the real ones again). Set before connecting. */
typedef gp__mcp_tr_t *(*gp__mcp_open_fn)(gp_mcp_client_t *c, const gp__mcp_cfg_t *cfg, gp_error_t **err);
void gp__mcp_set_opener(gp__mcp_open_fn open);
/* stdio: hands every complete line of `buf` (from `*scanned` on) to the client as one
 * message, blank lines skipped, a CR before the LF dropped; keeps the rest in `buf`.
 * 0, or -1 when what is kept is longer than a message may be. */
int gp__mcp_drain_lines(gp__mcp_tr_t *tr, gp_buf_t *buf, size_t *scanned);
/* HTTP: the protocol version agreed, sent as MCP-Protocol-Version from then on. */
void gp__mcp_http_set_protocol(gp__mcp_tr_t *t, const char *version);

/* tools.c: the registries bound with gp_mcp_use_tools see the new list. */
void gp__mcp_bindings_refresh(gp_mcp_client_t *c, json_t *tools);
void gp__mcp_bindings_free(gp_mcp_client_t *c);

#endif
