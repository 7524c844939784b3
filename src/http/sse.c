/* Server-Sent Events decoder: the WHATWG "event stream" parsing rules applied to bytes
 * that arrive split anywhere. Lines end at CR, LF or CRLF (a CR ending one feed and the
 * LF starting the next are one line end); one leading BOM is skipped; field lines fill
 * the event buffers and a blank line dispatches them.
 *
 * Linear time: every input byte is looked at once when it arrives. A line complete
 * within one feed is parsed straight from the caller's bytes; only a line split across
 * feeds is copied into `line`, and only its new bytes are scanned. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "http/http.h"

#define GP__SSE_BOM "\xEF\xBB\xBF"

struct gp_sse_s {
  gp_sse_cb cb;
  void *ud;
  gp_buf_t line;        /* the current line's bytes when it spans feeds */
  gp_buf_t data;        /* data buffer: each data line followed by "\n" */
  gp_buf_t type;        /* event type buffer */
  gp_buf_t id;          /* last event id buffer (persists across events) */
  int64_t retry_ms;     /* the current block's retry field, -1 when absent */
  size_t bom_seen;      /* BOM bytes matched so far at stream start */
  int started;          /* the BOM question is settled */
  int after_cr;         /* the previous byte was a CR ending a line: skip one LF */
  int stopped;          /* a callback's code, sticky; 0 while going on */
};

gp_sse_t *gp__sse_new(gp_sse_cb cb, void *ud) {
  gp_sse_t *s = gp__xcalloc(1, sizeof *s);
  s->cb = cb;
  s->ud = ud;
  s->retry_ms = -1;
  return s;
}

void gp__sse_free(gp_sse_t *s) {
  if (!s) return;
  gp__buf_free(&s->line);
  gp__buf_free(&s->data);
  gp__buf_free(&s->type);
  gp__buf_free(&s->id);
  free(s);
}

static void gp__sse_reset_block(gp_sse_t *s) {
  s->data.len = 0;
  if (s->data.data) s->data.data[0] = '\0';
  s->type.len = 0;
  if (s->type.data) s->type.data[0] = '\0';
  s->retry_ms = -1;
}

/* A blank line: hand the block to the callback. WHATWG: no event when the data buffer
 * is empty (no data field at all; "data:" alone gives an event with empty data). */
static int gp__sse_dispatch(gp_sse_t *s) {
  if (s->data.len == 0) {
    gp__sse_reset_block(s);
    return 0;
  }
  s->data.len--; /* the last data line's "\n" */
  s->data.data[s->data.len] = '\0';
  gp_sse_event_t ev = {
      .type = s->type.len ? s->type.data : "message",
      .data = s->data.data,
      .data_len = s->data.len,
      .id = s->id.data ? s->id.data : "",
      .retry_ms = s->retry_ms,
  };
  int rc = s->cb ? s->cb(s->ud, &ev) : 0;
  gp__sse_reset_block(s);
  return rc;
}

/* "retry": only ASCII digits (at least one); too large a value saturates. */
static int64_t gp__sse_parse_retry(const char *v, size_t n) {
  if (n == 0) return -1;
  int64_t x = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < '0' || v[i] > '9') return -1;
    if (x < INT64_MAX / 10 - 10) x = x * 10 + (v[i] - '0');
    else x = INT64_MAX / 10;
  }
  return x;
}

static void gp__sse_set(gp_buf_t *b, const char *v, size_t n) {
  b->len = 0;
  gp__buf_append(b, v, n); /* also allocates, so an empty value reads as "" */
}

static void gp__sse_field(gp_sse_t *s, const char *name, size_t nlen, const char *v, size_t vlen) {
  if (nlen == 4 && memcmp(name, "data", 4) == 0) {
    gp__buf_append(&s->data, v, vlen);
    gp__buf_append(&s->data, "\n", 1);
  } else if (nlen == 5 && memcmp(name, "event", 5) == 0) {
    gp__sse_set(&s->type, v, vlen);
  } else if (nlen == 2 && memcmp(name, "id", 2) == 0) {
    if (!memchr(v, '\0', vlen)) gp__sse_set(&s->id, v, vlen);
  } else if (nlen == 5 && memcmp(name, "retry", 5) == 0) {
    int64_t r = gp__sse_parse_retry(v, vlen);
    if (r >= 0) s->retry_ms = r;
  } /* any other field is ignored */
}

/* One complete line, without its terminator. */
static int gp__sse_line(gp_sse_t *s, const char *p, size_t n) {
  if (n == 0) return gp__sse_dispatch(s);
  if (p[0] == ':') return 0; /* comment */
  const char *colon = memchr(p, ':', n);
  if (!colon) {
    gp__sse_field(s, p, n, "", 0);
    return 0;
  }
  size_t nlen = (size_t)(colon - p);
  const char *v = colon + 1;
  size_t vlen = n - nlen - 1;
  if (vlen > 0 && v[0] == ' ') {
    v++;
    vlen--;
  }
  gp__sse_field(s, p, nlen, v, vlen);
  return 0;
}

/* The first CR or LF in [p, end), or NULL. `*lf` caches the next LF at or after p (or
 * NULL when there is none), so a stream of CR-only line ends is not rescanned for LF. */
static const char *gp__sse_eol(const char *p, const char *end, const char **lf, int *lf_known) {
  if (!*lf_known || (*lf && *lf < p)) {
    *lf = memchr(p, '\n', (size_t)(end - p));
    *lf_known = 1;
  }
  const char *cr = memchr(p, '\r', (size_t)((*lf ? *lf : end) - p));
  return cr ? cr : *lf;
}

static int gp__sse_feed_lines(gp_sse_t *s, const char *p, size_t n) {
  const char *end = p + n, *lf = NULL;
  int lf_known = 0;
  while (p < end) {
    if (s->after_cr) {
      s->after_cr = 0;
      if (*p == '\n') {
        p++;
        continue;
      }
    }
    const char *eol = gp__sse_eol(p, end, &lf, &lf_known);
    if (!eol) {
      gp__buf_append(&s->line, p, (size_t)(end - p));
      return 0;
    }
    int rc;
    if (s->line.len) {
      gp__buf_append(&s->line, p, (size_t)(eol - p));
      rc = gp__sse_line(s, s->line.data, s->line.len);
      s->line.len = 0;
    } else {
      rc = gp__sse_line(s, p, (size_t)(eol - p));
    }
    if (*eol == '\r') s->after_cr = 1;
    p = eol + 1;
    if (rc) return rc;
  }
  return 0;
}

/* Settles whether the stream starts with a BOM; returns how many bytes of `p` to skip,
 * or (size_t)-1 when more bytes are needed to know. A partial BOM followed by other
 * bytes is ordinary data and is fed first. */
static size_t gp__sse_bom(gp_sse_t *s, const char *p, size_t n, int *rc) {
  size_t i = 0;
  while (i < n && s->bom_seen < 3) {
    if (p[i] != GP__SSE_BOM[s->bom_seen]) {
      s->started = 1;
      size_t held = s->bom_seen;
      s->bom_seen = 0;
      *rc = gp__sse_feed_lines(s, GP__SSE_BOM, held);
      return i;
    }
    s->bom_seen++;
    i++;
  }
  if (s->bom_seen < 3) return (size_t)-1;
  s->started = 1;
  return i;
}

int gp__sse_feed(gp_sse_t *s, const char *data, size_t len) {
  if (s->stopped) return s->stopped;
  if (!s->started) {
    int rc = 0;
    size_t skip = gp__sse_bom(s, data, len, &rc);
    if (skip == (size_t)-1) return 0;
    if (rc) return s->stopped = rc;
    data += skip;
    len -= skip;
  }
  int rc = gp__sse_feed_lines(s, data, len);
  if (rc) s->stopped = rc;
  return rc;
}

void gp__sse_finish(gp_sse_t *s) {
  /* WHATWG: at end of stream an incomplete block is discarded, not dispatched. */
  s->line.len = 0;
  s->after_cr = 0;
  s->bom_seen = 0;
  gp__sse_reset_block(s);
}
