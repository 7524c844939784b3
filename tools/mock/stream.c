/* Delivering a 200 answer: the event list (synthesised, `events` or `raw`) becomes a
 * plan of steps with the fault applied, and a libmicrohttpd content reader plays it on
 * the connection's own thread: padding first (huge_bytes), pauses between events
 * (delay_ms) during which the socket is watched so a client that leaves is seen at
 * once, pieces of chunk_bytes, and the fault's reset, stall or early end. */
#include "mock.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"

typedef struct {
  gp_mock_step_kind_t kind;
  char *data;   /* GP_MOCK_STEP_DATA: the bytes, heap */
  size_t len;
} gp__step_t;

struct gp_mock_stream_s {
  gp__step_t *steps;
  size_t nsteps;
  size_t i;            /* the step being sent */
  size_t off;          /* bytes of step i already sent */
  int paused;          /* the pause before step i is done */
  uint64_t pad_total;  /* huge_bytes */
  uint64_t pad_sent;
  size_t chunk_bytes;  /* 0: whole events */
  int delay_ms;
  int rst;             /* reset with a TCP RST rather than an unfinished body */
  int fd;              /* the connection's socket */
  uint64_t bytes;      /* body bytes handed to the server */
  int done;            /* ended as planned (end of plan, END or RESET) */
  int closed;          /* the client left before the end */
  int64_t closed_ms;   /* when that was seen */
};

/* ---- waiting ----------------------------------------------------------------------- */

static int gp__stop_pipe[2] = {-1, -1};
static atomic_int gp__stopping;

void gp_mock_wait_init(void) {
  if (pipe2(gp__stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) abort();
}

void gp_mock_wait_stop(void) {
  atomic_store(&gp__stopping, 1);
  /* Never read: the pipe stays readable, so every later wait returns at once. */
  ssize_t w = write(gp__stop_pipe[1], "x", 1);
  (void)w;
}

int gp_mock_stopping(void) { return atomic_load(&gp__stopping); }

int gp_mock_wait(int fd, int ms) {
  int64_t end = ms < 0 ? 0 : gp__mono_ms() + ms;
  for (;;) {
    /* POLLRDHUP: the peer's FIN; data the client sends is not watched (not POLLIN). */
    struct pollfd p[2] = {{.fd = fd, .events = POLLRDHUP}, {.fd = gp__stop_pipe[0], .events = POLLIN}};
    int left = ms < 0 ? -1 : (int)(end - gp__mono_ms());
    if (ms >= 0 && left <= 0) return 0;
    int r = poll(p, 2, left);
    if (r < 0 && errno == EINTR) continue;
    if (p[1].revents || gp_mock_stopping()) return 2;
    if (r > 0 && (p[0].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) return 1;
    if (r == 0) return 0;
  }
}

/* ---- the plan ---------------------------------------------------------------------- */

static void gp__add(gp_mock_stream_t *s, gp_mock_step_kind_t kind, char *data) {
  s->steps = gp__xrealloc(s->steps, (s->nsteps + 1) * sizeof *s->steps);
  s->steps[s->nsteps++] = (gp__step_t){.kind = kind, .data = data, .len = data ? strlen(data) : 0};
}

/* `events`: each {"event"?, "data"} written as SSE; string data line by line. */
static int gp__raw_events(json_t *list, gp_mock_events_t *ev, char **err) {
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    json_t *data = json_object_get(e, "data");
    const char *name = json_string_value(json_object_get(e, "event"));
    if (!json_is_object(e) || !data) {
      *err = gp__xasprintf("events[%zu] needs a \"data\" (string or JSON)", i);
      return -1;
    }
    gp_buf_t b = {0};
    if (name) gp__buf_printf(&b, "event: %s\n", name);
    char *text = json_is_string(data) ? gp__xstrdup(json_string_value(data))
                                      : json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
    for (char *line = text, *nl; line; line = nl ? nl + 1 : NULL) {
      nl = strchr(line, '\n');
      gp__buf_printf(&b, "data: %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    free(text);
    gp__buf_puts(&b, "\n");
    gp_mock_events_push(ev, gp__buf_steal(&b), i + 1 == json_array_size(list));
  }
  return 0;
}

static int gp__events(json_t *resp, const gp_mock_req_t *req, const gp_mock_answer_t *a,
                      gp_mock_events_t *ev, char **err) {
  json_t *raw = json_object_get(resp, "raw"), *list = json_object_get(resp, "events");
  if (raw) {
    gp_mock_events_push(ev, gp__xstrdup(json_string_value(raw)), 0);
    return 0;
  }
  if (list) return gp__raw_events(list, ev, err);
  switch (req->proto) {
  case GP_MOCK_ANTHROPIC: gp_mock_synth_anthropic(a, ev); break;
  case GP_MOCK_RESPONSES: gp_mock_synth_responses(a, ev); break;
  case GP_MOCK_GEMINI: gp_mock_synth_gemini(a, ev); break;
  default: gp_mock_synth_openai(a, ev);
  }
  return 0;
}

/* Where the fault strikes: `after_events`, by default after the first event (mid-stream),
 * or for `truncate` just before the protocol's closing events. */
static size_t gp__fault_at(json_t *fault, const char *kind, gp_mock_events_t *ev) {
  json_t *after = json_object_get(fault, "after_events");
  size_t k;
  if (json_is_integer(after) && json_integer_value(after) >= 0) {
    k = (size_t)json_integer_value(after);
  } else if (strcmp(kind, "truncate") == 0) {
    for (k = 0; k < ev->n && !ev->v[k].final; k++) {}
  } else {
    k = 1;
  }
  return k < ev->n ? k : ev->n;
}

/* Moves the events into steps, applying the fault. */
static void gp__plan(gp_mock_stream_t *s, json_t *fault, gp_mock_events_t *ev,
                     const gp_mock_req_t *req, const gp_mock_answer_t *a) {
  const char *kind = json_string_value(json_object_get(fault, "kind"));
  size_t k = kind ? gp__fault_at(fault, kind, ev) : ev->n;
  for (size_t i = 0; i < k; i++) gp__add(s, GP_MOCK_STEP_DATA, ev->v[i].data);
  size_t rest = k;
  if (!kind) {
  } else if (strcmp(kind, "reset") == 0) {
    gp__add(s, GP_MOCK_STEP_RESET, NULL);
  } else if (strcmp(kind, "stall") == 0) {
    gp__add(s, GP_MOCK_STEP_STALL, NULL);
  } else if (strcmp(kind, "error_event") == 0) {
    gp__add(s, GP_MOCK_STEP_DATA,
            gp_mock_synth_error(req->proto, a, (long)k, json_string_value(json_object_get(fault, "type")),
                                json_string_value(json_object_get(fault, "message"))));
    gp__add(s, GP_MOCK_STEP_END, NULL);
  } else if (strcmp(kind, "malformed") == 0) {
    gp__add(s, GP_MOCK_STEP_DATA, gp_mock_synth_malformed(req->proto));
    for (; rest < ev->n; rest++) gp__add(s, GP_MOCK_STEP_DATA, ev->v[rest].data);
  } else {
    gp__add(s, GP_MOCK_STEP_END, NULL); /* truncate */
  }
  /* Events past the fault are not sent: free them. */
  for (; rest < ev->n; rest++) free(ev->v[rest].data);
  free(ev->v);
  ev->v = NULL;
  ev->n = 0;
}

/* `gzip: true`: the data steps before the first other step become one gzip member,
 * sent as one step (the server adds Content-Encoding: gzip). */
static void gp__gzip(gp_mock_stream_t *s) {
  size_t n = 0;
  gp_buf_t in = {0};
  while (n < s->nsteps && s->steps[n].kind == GP_MOCK_STEP_DATA) {
    gp__buf_append(&in, s->steps[n].data, s->steps[n].len);
    free(s->steps[n].data);
    n++;
  }
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
  uLong cap = deflateBound(&z, (uLong)in.len) + 32;
  char *out = gp__xmalloc(cap);
  z.next_in = (Bytef *)(in.data ? in.data : "");
  z.avail_in = (uInt)in.len;
  z.next_out = (Bytef *)out;
  z.avail_out = (uInt)cap;
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
  size_t len = cap - z.avail_out;
  deflateEnd(&z);
  gp__buf_free(&in);
  gp__step_t one = {.kind = GP_MOCK_STEP_DATA, .data = out, .len = len};
  if (n == 0) {
    s->steps = gp__xrealloc(s->steps, (s->nsteps + 1) * sizeof *s->steps);
    memmove(s->steps + 1, s->steps, s->nsteps * sizeof *s->steps);
    s->nsteps++;
  } else if (n > 1) {
    memmove(s->steps + 1, s->steps + n, (s->nsteps - n) * sizeof *s->steps);
    s->nsteps -= n - 1;
  }
  s->steps[0] = one;
}

gp_mock_stream_t *gp_mock_stream_new(json_t *resp, const gp_mock_req_t *req, int fd,
                                     char **err) {
  gp_mock_answer_t a;
  if (gp_mock_answer_init(&a, resp, req, err) != 0) return NULL;
  gp_mock_events_t ev = {0};
  if (gp__events(resp, req, &a, &ev, err) != 0) {
    gp_mock_events_free(&ev);
    gp_mock_answer_free(&a);
    return NULL;
  }
  gp_mock_stream_t *s = gp__xcalloc(1, sizeof *s);
  s->fd = fd;
  s->chunk_bytes = (size_t)json_integer_value(json_object_get(resp, "chunk_bytes"));
  s->delay_ms = (int)json_integer_value(json_object_get(resp, "delay_ms"));
  s->pad_total = (uint64_t)json_integer_value(json_object_get(resp, "huge_bytes"));
  s->rst = json_is_true(json_object_get(json_object_get(resp, "fault"), "rst"));
  gp__plan(s, json_object_get(resp, "fault"), &ev, req, &a);
  if (json_is_true(json_object_get(resp, "gzip"))) gp__gzip(s);
  gp_mock_answer_free(&a);
  return s;
}

void gp_mock_stream_free(gp_mock_stream_t *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nsteps; i++) free(s->steps[i].data);
  free(s->steps);
  free(s);
}

/* ---- the content reader ------------------------------------------------------------ */

#define GP__PAD_LINE 1024

/* Padding is SSE comment lines ":xxx...x\n" of GP__PAD_LINE bytes; a last line of one
 * byte is a bare "\n" (an empty line, which dispatches nothing). */
static char gp__pad_byte(uint64_t total, uint64_t p) {
  uint64_t line = p / GP__PAD_LINE, within = p % GP__PAD_LINE;
  uint64_t full = total / GP__PAD_LINE;
  uint64_t len = line < full ? GP__PAD_LINE : total % GP__PAD_LINE;
  if (within == len - 1) return '\n';
  return within == 0 ? ':' : 'x';
}

static size_t gp__cap(const gp_mock_stream_t *s, size_t n, size_t max) {
  if (n > max) n = max;
  if (s->chunk_bytes && n > s->chunk_bytes) n = s->chunk_bytes;
  return n;
}

static ssize_t gp__pad(gp_mock_stream_t *s, char *buf, size_t max) {
  size_t n = gp__cap(s, (size_t)(s->pad_total - s->pad_sent), max);
  for (size_t i = 0; i < n; i++) buf[i] = gp__pad_byte(s->pad_total, s->pad_sent + i);
  s->pad_sent += n;
  s->bytes += n;
  return (ssize_t)n;
}

/* The client left (or the server is stopping) while we waited. */
static ssize_t gp__gone(gp_mock_stream_t *s, int why) {
  if (why == 1) {
    s->closed = 1;
    s->closed_ms = gp__now_ms();
  }
  return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* Ends the connection mid-body: libmicrohttpd closes it without the chunked body's
 * terminator, after everything sent so far (the client reads all of it, then an early
 * end). With "rst", a TCP RST instead: SO_LINGER 0 and disconnecting the socket send it
 * at once (data the client has not read yet may be lost, as with a real reset). */
static ssize_t gp__reset(gp_mock_stream_t *s) {
  if (s->rst) {
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    struct sockaddr sa = {.sa_family = AF_UNSPEC};
    (void)connect(s->fd, &sa, sizeof sa);
  }
  s->done = 1;
  return MHD_CONTENT_READER_END_WITH_ERROR;
}

ssize_t gp_mock_stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  gp_mock_stream_t *s = cls;
  (void)pos;
  if (s->pad_sent < s->pad_total) return gp__pad(s, buf, max);
  /* Empty events send nothing (a zero-byte read would mean "try again"). */
  while (s->i < s->nsteps && s->steps[s->i].kind == GP_MOCK_STEP_DATA && s->steps[s->i].len == 0) s->i++;
  if (s->i >= s->nsteps) {
    s->done = 1;
    return MHD_CONTENT_READER_END_OF_STREAM;
  }
  gp__step_t *st = &s->steps[s->i];
  if (s->off == 0 && s->i > 0 && !s->paused && s->delay_ms > 0) {
    int w = gp_mock_wait(s->fd, s->delay_ms);
    if (w != 0) return gp__gone(s, w);
  }
  s->paused = 1;
  switch (st->kind) {
  case GP_MOCK_STEP_END:
    s->done = 1;
    return MHD_CONTENT_READER_END_OF_STREAM;
  case GP_MOCK_STEP_RESET:
    return gp__reset(s);
  case GP_MOCK_STEP_STALL:
    return gp__gone(s, gp_mock_wait(s->fd, -1));
  default: break;
  }
  size_t n = gp__cap(s, st->len - s->off, max);
  memcpy(buf, st->data + s->off, n);
  s->off += n;
  s->bytes += n;
  if (s->off == st->len) {
    s->i++;
    s->off = 0;
    s->paused = 0;
  }
  return (ssize_t)n;
}

int gp_mock_stream_done(const gp_mock_stream_t *s) { return s->done; }

int gp_mock_stream_client_closed(const gp_mock_stream_t *s, int64_t *when_ms) {
  if (s->closed) *when_ms = s->closed_ms;
  return s->closed;
}

uint64_t gp_mock_stream_bytes(const gp_mock_stream_t *s) { return s->bytes; }
