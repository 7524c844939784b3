/* geppetto-mock internals: the types shared by the server's files (docs/MOCK.md is the
 * contract). The server runs one thread per connection (libmicrohttpd); a request is
 * read, matched against the fixtures, turned into a plan of SSE steps and streamed by a
 * content reader on that connection's thread. Fixture JSON is only read under the
 * fixture lock and copied (json_deep_copy) into the request's own values. */
#ifndef GP_MOCK_MOCK_H
#define GP_MOCK_MOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

typedef enum {
  GP_MOCK_OPENAI,     /* Chat Completions */
  GP_MOCK_ANTHROPIC,  /* Messages */
  GP_MOCK_RESPONSES,  /* OpenAI Responses */
  GP_MOCK_GEMINI,     /* Gemini streamGenerateContent */
  GP_MOCK_NONE        /* not a provider route */
} gp_mock_proto_t;

const char *gp_mock_proto_name(gp_mock_proto_t p); /* "openai" ... ; NULL for NONE */

/* What matching, expectations and synthesis read from one provider request. Built on
 * the connection's thread; owned by the request. */
typedef struct {
  gp_mock_proto_t proto;
  const char *body;     /* raw body, NUL-terminated (owned by the connection) */
  size_t body_len;
  json_t *json;         /* parsed body (an object), owned */
  const char *model;    /* the body's "model", "" when absent; points into json */
  int tool_results;     /* tool results in the conversation (see MOCK.md) */
  int include_usage;    /* OpenAI stream_options.include_usage */
  json_t *headers;      /* lowercase name -> value (unredacted), owned */
  long seq;             /* the request's number in the log */
  char path_model[256]; /* the model named in the URL (Gemini), "" otherwise */
} gp_mock_req_t;

/* Fills the derived fields (model, tool_results, include_usage) from req->json. */
void gp_mock_req_derive(gp_mock_req_t *req);
/* 1 when the request offers a tool called `name`. */
int gp_mock_req_offers_tool(const gp_mock_req_t *req, const char *name);

/* ---- fixtures (fixtures.c) -------------------------------------------------------- */

/* Loads the files in order; on error prints why on stderr and returns -1. Main thread,
 * before the server starts. */
int gp_mock_fixtures_load(char *const *paths, int n);
void gp_mock_fixtures_free(void);
/* Picks the first response whose match holds and whose `times` is not used up, counts
 * the use and returns a deep copy of it (caller owns) with its global index in *index;
 * NULL when nothing matches. Any thread; takes the fixture lock. */
json_t *gp_mock_fixtures_pick(const gp_mock_req_t *req, int *index);
size_t gp_mock_fixtures_count(void);
void gp_mock_fixtures_reset(void); /* forgets the `times` counters */

/* ---- structured output (output.c) ------------------------------------------------- */

/* The answer text of a fixture response with `output` (a JSON value, sent as compact
 * JSON) or `output_text` (sent as is: invalid JSON on purpose); heap, or NULL when the
 * response has neither. */
char *gp_mock_output_text(json_t *resp);
/* For such a response: NULL when the request asks for structured output in its
 * protocol's form (OpenAI response_format json_schema, Responses text.format,
 * Anthropic output_config.format, Gemini responseMimeType + responseSchema), else what
 * is missing (caller frees). */
char *gp_mock_output_check(json_t *resp, const gp_mock_req_t *req);
/* What OpenAI answers 400 to: a request asking for strict structured output (Chat
 * Completions json_schema.strict, Responses text.format.strict) whose schema is not
 * closed (root an object; every object additionalProperties false, all properties
 * required). The message (heap), or NULL when the request is fine. */
char *gp_mock_strict_check(const gp_mock_req_t *req);

/* ---- embeddings (embed.c) --------------------------------------------------------- */

enum { GP_MOCK_EMBED_OPENAI = 1, GP_MOCK_EMBED_OLLAMA, GP_MOCK_EMBED_GEMINI };
/* The embeddings API `url` names (GP_MOCK_EMBED_*; Gemini's model into `model`), or 0. */
int gp_mock_embed_route(const char *url, char model[256]);
/* The JSON answer for an embeddings request (caller frees), with its HTTP status. */
char *gp_mock_embed_answer(int kind, const char *path_model, json_t *body, int *status);
/* The fault an embeddings model name asks for (docs/MOCK.md): the HTTP status to answer
 * instead (401 for "fail-401", 500 for "fail-500", 429 for "flaky-429" the first time a
 * request body is seen, 200 after), else 0; *delay_ms from "delay-N" (0 without). Any
 * thread; takes the fault lock. */
int gp_mock_embed_fault(const char *model, const char *body, size_t len, int *delay_ms);
void gp_mock_embed_reset(void); /* forgets the bodies "flaky-429" has seen */

/* ---- expectations (expect.c) ------------------------------------------------------ */

/* Checks `expect` against the request: NULL when every check holds, else a message
 * saying what was expected and what came (caller frees). */
char *gp_mock_expect_check(json_t *expect, const gp_mock_req_t *req);

/* ---- the request log (reqlog.c) -------------------------------------------------- */

/* Entries are JSON objects touched only under the log's lock. A handle keeps an entry
 * alive after a reset drops it from the log. */
typedef struct gp_mock_entry_s gp_mock_entry_t;

void gp_mock_log_free(void);
/* Keeps at most this many entries (the oldest are dropped). Main thread, at start. */
void gp_mock_log_limit(size_t max_entries);
/* Records a new request; takes ownership of `fields` (seq, started_ms are added).
 * Returns a handle (release with gp_mock_log_release) and the seq in *seq. */
gp_mock_entry_t *gp_mock_log_add(json_t *fields, long *seq);
/* Sets one field (takes ownership of value). */
void gp_mock_log_set(gp_mock_entry_t *e, const char *key, json_t *value);
/* Records the end of the request once: later calls do nothing. */
void gp_mock_log_finish(gp_mock_entry_t *e, int client_closed, uint64_t bytes_sent,
                        int64_t ended_ms);
void gp_mock_log_release(gp_mock_entry_t *e);
char *gp_mock_log_dump(void); /* the log as a JSON array text, caller frees */
void gp_mock_log_reset(void);

/* ---- event lists (synth*.c) ------------------------------------------------------- */

typedef struct {
  char *data;   /* the SSE text of the event, heap */
  size_t len;
  int final;    /* one of the protocol's closing events (dropped by `truncate`) */
} gp_mock_event_t;

typedef struct {
  gp_mock_event_t *v;
  size_t n, cap;
} gp_mock_events_t;

void gp_mock_events_push(gp_mock_events_t *ev, char *data, int final); /* takes data */
/* Appends "event: NAME\n" (when name) and "data: JSON\n\n"; steals `data`. */
void gp_mock_events_json(gp_mock_events_t *ev, const char *name, json_t *data, int final);
void gp_mock_events_free(gp_mock_events_t *ev);

/* What a synthesised answer says, resolved from the fixture response and the request. */
typedef struct {
  char *tag;               /* id part: chatcmpl-<tag>, msg_<tag>, resp_<tag> */
  const char *model;
  int64_t created;         /* Unix seconds */
  char **text;             /* text pieces (about one word each) */
  size_t ntext;
  char *text_all;          /* the whole text, "" when none */
  char **reasoning;        /* reasoning pieces */
  size_t nreasoning;
  char *reasoning_all;
  const char *signature;   /* Anthropic thinking signature */
  struct gp_mock_call_s {
    char *id, *name, *args;   /* args: the arguments' JSON text */
    int explicit_id;          /* the fixture gave the id (Gemini sends only those) */
    char **frags;             /* args in fragments */
    size_t nfrags;
  } *calls;
  size_t ncalls;
  long input_tokens, output_tokens, cached_tokens;
  const char *stop_reason; /* protocol-native; NULL: the default */
  int include_usage;
} gp_mock_answer_t;

/* Builds the answer from a fixture response (borrowed; the answer points into it, so
 * keep `resp` alive while the answer is used). Returns -1 with *err set (caller frees)
 * when the response is malformed. */
int gp_mock_answer_init(gp_mock_answer_t *a, json_t *resp, const gp_mock_req_t *req,
                        char **err);
void gp_mock_answer_free(gp_mock_answer_t *a);
/* Sets the `created` time of every answer (the server's start, Unix seconds), so a
 * fixture with an `id` streams the same bytes every time. Main thread, at start. */
void gp_mock_answer_epoch(int64_t unix_s);

void gp_mock_synth_openai(const gp_mock_answer_t *a, gp_mock_events_t *ev);
void gp_mock_synth_anthropic(const gp_mock_answer_t *a, gp_mock_events_t *ev);
void gp_mock_synth_responses(const gp_mock_answer_t *a, gp_mock_events_t *ev);
void gp_mock_synth_gemini(const gp_mock_answer_t *a, gp_mock_events_t *ev);
/* The protocol's mid-stream error event, `seq` events into the stream. */
char *gp_mock_synth_error(gp_mock_proto_t p, const gp_mock_answer_t *a, long seq,
                          const char *type, const char *message);
/* A chunk in the protocol's framing whose data is not valid JSON. */
char *gp_mock_synth_malformed(gp_mock_proto_t p);
/* The JSON body of a non-2xx answer in the protocol's error shape; type and message
 * default from the status. Caller frees. */
char *gp_mock_error_body(gp_mock_proto_t p, int status, const char *type, const char *message);

/* ---- streaming (stream.c) -------------------------------------------------------- */

typedef enum {
  GP_MOCK_STEP_DATA,   /* send these bytes */
  GP_MOCK_STEP_END,    /* end the body cleanly here */
  GP_MOCK_STEP_RESET,  /* close the connection abruptly */
  GP_MOCK_STEP_STALL   /* send nothing more until the client leaves */
} gp_mock_step_kind_t;

typedef struct gp_mock_stream_s gp_mock_stream_t;

/* Builds the stream for a 200 answer from the fixture response: synthesised, `events`
 * or `raw`, with its delivery options and fault. Returns NULL with *err (caller frees)
 * when the response is malformed. `fd` is the connection's socket. */
gp_mock_stream_t *gp_mock_stream_new(json_t *resp, const gp_mock_req_t *req, int fd,
                                     char **err);
void gp_mock_stream_free(gp_mock_stream_t *s);
/* libmicrohttpd content reader (cls: the stream). Connection thread only. */
ssize_t gp_mock_stream_read(void *cls, uint64_t pos, char *buf, size_t max);
/* What the log needs at the end of the request. */
int gp_mock_stream_done(const gp_mock_stream_t *s);          /* ended as planned */
int gp_mock_stream_client_closed(const gp_mock_stream_t *s, int64_t *when_ms);
uint64_t gp_mock_stream_bytes(const gp_mock_stream_t *s);

/* ---- waiting (stream.c) ---------------------------------------------------------- */

/* Waits up to `ms` (-1: forever) on a connection socket: 0 when the time passed, 1 when
 * the client closed the connection, 2 when the server is stopping. */
int gp_mock_wait(int fd, int ms);
/* The server is stopping: wakes every wait for good. Async-signal-unsafe; main thread. */
void gp_mock_wait_init(void);
void gp_mock_wait_stop(void);
int gp_mock_stopping(void);

/* ---- the server (server.c) ------------------------------------------------------- */

struct MHD_Daemon;
/* Starts the daemon on host:port; returns NULL after printing why. *bound: the port. */
struct MHD_Daemon *gp_mock_server_start(const char *host, int port, int *bound);

#endif
