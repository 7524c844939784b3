/* geppetto error codes and rich errors.
 *
 * Every failure in the library is a negative int from one X-macro table; the same
 * table gives each code its name (the string a script sees as `err.code`) and a
 * default message. Failures that have more to say travel as a gp_error_t: code,
 * a message that tells the user what to do, and the partial turn when output existed. */
#ifndef GEPPETTO_ERROR_H
#define GEPPETTO_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

struct gp_turn_s;

/* XX(NAME, value, default message). Values are stable: never renumber. */
#define GP_ERRNO_MAP(XX)                                                              \
  XX(INVALID_ARGUMENT, -1, "invalid argument")                                        \
  XX(NOMEM, -2, "out of memory")                                                      \
  XX(CANCELED, -3, "the run was canceled")                                            \
  XX(TIMEOUT, -4, "the operation timed out; raise its timeout (timeoutMs, executionTimeoutMs) or make it faster")                                          \
  XX(PROVIDER_HTTP, -5, "the provider answered with an HTTP error")                   \
  XX(PROVIDER_STREAM, -6, "the provider's stream failed")                             \
  XX(PROVIDER_AUTH, -7, "the provider refused the credentials")                       \
  XX(TOOL_ABORTED, -8, "a tool call aborted the run")                                 \
  XX(MAX_ITERATIONS, -9, "the tool loop reached its iteration limit")                 \
  XX(OWNER_CLOSED, -10, "the runtime owner is closed")                                \
  XX(ASYNC_CALLBACK_IN_SYNC_RUN, -11,                                                 \
     "a callback returned a Promise during a synchronous run(); use runAsync() or start()") \
  XX(ALREADY_RUNNING, -12, "the session already has an active run")                   \
  XX(EMPTY_TURN, -13, "the session has no turn to run inference on")                  \
  XX(TOOL_NOT_FOUND, -14, "no tool with that name is registered")                     \
  XX(TOOL_NOT_ALLOWED, -15, "the tool is not in allowedTools")                        \
  XX(TOOL_FAILED, -16, "the tool handler failed")                                     \
  XX(HOOK_FAILED, -17, "a tool hook failed")                                          \
  XX(QUEUE_FULL, -18, "the queue is full")                                            \
  XX(NOT_FOUND, -19, "not found")                                                     \
  XX(MODULE_NOT_FOUND, -20, "module not found")                                       \
  XX(CONFIG, -21, "invalid configuration")                                            \
  XX(JS_EXCEPTION, -22, "a JavaScript exception was thrown")                          \
  XX(RESPONSE_TOO_LARGE, -23, "the response exceeded the size limit")                 \
  XX(IO, -24, "input/output error")                                                   \
  XX(INTERNAL, -25, "internal error")                                                 \
  XX(SESSION_BUSY, -26,                                                               \
     "another process runs this session (its lease has not expired); retry later")   \
  XX(STORE, -27, "the session store failed")                                          \
  XX(OUTPUT_INVALID, -28, "the model's structured output does not match the schema") \
  XX(MCP_CLOSED, -29,                                                                 \
     "the MCP server exited, closed the connection or broke the protocol")            \
  XX(MCP_PROTOCOL, -30, "the MCP server's handshake failed")                          \
  XX(MCP_ERROR, -31, "the MCP server answered with an error")

typedef enum {
  GP_OK = 0,
#define GP__ERR_ENUM(name, value, msg) GP_ERR_##name = (value),
  GP_ERRNO_MAP(GP__ERR_ENUM)
#undef GP__ERR_ENUM
} gp_errno_t;

/* The code's name ("CANCELED"); "UNKNOWN" for a value outside the table, "OK" for 0. */
const char *gp_err_name(int code);
/* The code's default message; never NULL. */
const char *gp_strerror(int code);
/* The code for a name ("TIMEOUT" -> GP_ERR_TIMEOUT); 0 if the name is unknown. */
int gp_err_from_name(const char *name);

/* A failure with context. Owned by whoever holds the pointer; free with gp_error_free. */
typedef struct gp_error_s {
  int code;                   /* a GP_ERR_* value, never GP_OK */
  char *message;              /* heap string, never NULL */
  struct gp_turn_s *partial;  /* output produced before the failure, or NULL; owned */
} gp_error_t;

/* A new error with a printf-style message (NULL fmt: the code's default message).
 * Never returns NULL (allocation failure aborts the process). */
gp_error_t *gp_error_new(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Deep copy, partial turn included. NULL in, NULL out. */
gp_error_t *gp_error_copy(const gp_error_t *err);
/* Takes ownership of `partial` (replacing and freeing any previous one). */
void gp_error_set_partial(gp_error_t *err, struct gp_turn_s *partial);
/* Frees the error and its partial turn. Accepts NULL. */
void gp_error_free(gp_error_t *err);

/* Convenience for out-parameters: if `out` is not NULL, *out = gp_error_new(...);
 * returns `code` either way, so `return gp_error_set(err, GP_ERR_X, "...")` reads well. */
int gp_error_set(gp_error_t **out, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
