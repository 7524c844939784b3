/* The incremental JSON parser behind `partial-object` events (SPEC §4.10). Text is fed
 * in any pieces; each byte is looked at once, and the value so far is kept as a live
 * jansson tree (an open string is a placeholder filled in when a snapshot is taken), so
 * parsing the whole answer costs linear time. Snapshots copy the tree; gp__pjson_due
 * lets one be taken only once the bytes parsed since the last one are an eighth of all
 * parsed, so the copies add up to at most about nine times the answer too. `work`
 * counts both, for the tests that check the cost stays linear. */
#include "engines/partial_json.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define GP__PJ_MAX_DEPTH 256

enum { PJ_ARR_FIRST, PJ_ARR_VALUE, PJ_ARR_NEXT, PJ_OBJ_FIRST, PJ_OBJ_KEY, PJ_OBJ_COLON,
       PJ_OBJ_VALUE, PJ_OBJ_NEXT };
enum { TK_NONE, TK_STRING, TK_KEY, TK_NUMBER, TK_LITERAL };

typedef struct {
  json_t *container;            /* borrowed from the tree */
  int state;                    /* PJ_* */
  char *key;                    /* heap: the member being read (objects) */
} gp__frame_t;

struct gp_pjson_s {
  json_t *root;                 /* owned, or NULL before the value starts */
  gp__frame_t stack[GP__PJ_MAX_DEPTH];
  int depth;
  int tok;                      /* TK_*: the token being read */
  gp_buf_t sbuf;                /* its text so far (strings decoded) */
  json_t *placeholder;          /* the open string value in the tree, or NULL */
  int esc;                      /* 0, 1 after '\', 2..5: reading \u hex digits */
  unsigned hex;                 /* the \u value being read */
  unsigned high;                /* a pending high surrogate, or 0 */
  int done;                     /* the root value is complete */
  int failed;                   /* not JSON: later bytes are ignored */
  int changed;                  /* something new since the last snapshot */
  size_t consumed;              /* bytes fed */
  size_t at_snapshot;           /* `consumed` at the last snapshot */
  size_t work;                  /* bytes scanned + bytes' worth copied by snapshots */
};

gp_pjson_t *gp__pjson_new(void) { return gp__xcalloc(1, sizeof(gp_pjson_t)); }

void gp__pjson_free(gp_pjson_t *pj) {
  if (!pj) return;
  for (int i = 0; i < pj->depth; i++) free(pj->stack[i].key);
  json_decref(pj->root);
  gp__buf_free(&pj->sbuf);
  free(pj);
}

size_t gp__pjson_work(const gp_pjson_t *pj) { return pj->work; }
int gp__pjson_failed(const gp_pjson_t *pj) { return pj->failed; }

/* ---- building the tree ------------------------------------------------------------- */

/* Puts `v` (stolen) where the parser stands: the root, an array's end, an object's key. */
static void gp__attach(gp_pjson_t *pj, json_t *v) {
  pj->changed = 1;
  if (pj->depth == 0) {
    pj->root = v;
    if (!json_is_object(v) && !json_is_array(v)) pj->done = 1;
    return;
  }
  gp__frame_t *f = &pj->stack[pj->depth - 1];
  if (json_is_array(f->container)) {
    json_array_append_new(f->container, v);
    f->state = PJ_ARR_NEXT;
  } else {
    json_object_set_new(f->container, f->key ? f->key : "", v);
    f->state = PJ_OBJ_NEXT;
  }
}

static int gp__open(gp_pjson_t *pj, int is_obj) {
  if (pj->depth >= GP__PJ_MAX_DEPTH) return -1;
  json_t *c = is_obj ? json_object() : json_array();
  gp__attach(pj, json_incref(c));
  pj->done = 0;
  gp__frame_t *f = &pj->stack[pj->depth++];
  f->container = c;
  json_decref(c); /* the tree holds it */
  f->state = is_obj ? PJ_OBJ_FIRST : PJ_ARR_FIRST;
  f->key = NULL;
  return 0;
}

static void gp__close(gp_pjson_t *pj) {
  gp__frame_t *f = &pj->stack[--pj->depth];
  free(f->key);
  f->key = NULL;
  pj->changed = 1;
  if (pj->depth == 0) pj->done = 1;
}

/* ---- tokens ------------------------------------------------------------------------ */

static void gp__utf8(gp_buf_t *b, unsigned cp) {
  char out[4];
  size_t n;
  if (cp < 0x80) out[0] = (char)cp, n = 1;
  else if (cp < 0x800) out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12), out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  } else {
    out[0] = (char)(0xF0 | cp >> 18), out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), out[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  }
  gp__buf_append(b, out, n);
}

static void gp__codepoint(gp_pjson_t *pj, unsigned cp) {
  if (cp >= 0xD800 && cp < 0xDC00) {
    pj->high = cp;
    return;
  }
  if (cp >= 0xDC00 && cp < 0xE000 && pj->high) cp = 0x10000 + ((pj->high - 0xD800) << 10) + (cp - 0xDC00);
  else if (cp >= 0xDC00 && cp < 0xE000) cp = 0xFFFD;
  pj->high = 0;
  gp__utf8(&pj->sbuf, cp);
}

static int gp__hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* One byte of a string; 1 when it closed the string. */
static int gp__string_byte(gp_pjson_t *pj, char c) {
  if (pj->esc == 1) {
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr(from, c) : NULL;
    pj->esc = 0;
    if (c == 'u') pj->esc = 2, pj->hex = 0;
    else if (hit) gp__buf_append(&pj->sbuf, &to[hit - from], 1);
    else return -1;
    return 0;
  }
  if (pj->esc >= 2) {
    int h = gp__hexval(c);
    if (h < 0) return -1;
    pj->hex = pj->hex << 4 | (unsigned)h;
    if (++pj->esc == 6) {
      pj->esc = 0;
      gp__codepoint(pj, pj->hex);
    }
    return 0;
  }
  if (c == '\\') pj->esc = 1;
  else if (c == '"') return 1;
  else if ((unsigned char)c < 0x20) return -1;
  else gp__buf_append(&pj->sbuf, &c, 1);
  if (pj->tok == TK_STRING) pj->changed = 1;
  return 0;
}

static void gp__string_done(gp_pjson_t *pj) {
  if (pj->tok == TK_KEY) {
    gp__frame_t *f = &pj->stack[pj->depth - 1];
    free(f->key);
    f->key = gp__xstrndup(pj->sbuf.data ? pj->sbuf.data : "", pj->sbuf.len);
    f->state = PJ_OBJ_COLON;
  } else {
    json_string_setn(pj->placeholder, pj->sbuf.data ? pj->sbuf.data : "", pj->sbuf.len);
    pj->placeholder = NULL;
    if (pj->depth == 0) pj->done = 1;
    pj->changed = 1;
  }
  pj->tok = TK_NONE;
  pj->sbuf.len = 0;
}

static int gp__scalar_done(gp_pjson_t *pj) {
  gp__buf_append(&pj->sbuf, "", 1);
  pj->sbuf.len--;
  json_t *v = json_loads(pj->sbuf.data, JSON_DECODE_ANY, NULL);
  pj->tok = TK_NONE;
  pj->sbuf.len = 0;
  if (!v || json_is_object(v) || json_is_array(v) || json_is_string(v)) {
    json_decref(v);
    return -1;
  }
  gp__attach(pj, v);
  return 0;
}

/* ---- the byte loop ------------------------------------------------------------------ */

static int gp__value_start(gp_pjson_t *pj, char c) {
  if (c == '{') return gp__open(pj, 1);
  if (c == '[') return gp__open(pj, 0);
  if (c == '"') {
    pj->tok = TK_STRING;
    pj->placeholder = json_string("");
    gp__attach(pj, json_incref(pj->placeholder));
    json_decref(pj->placeholder); /* the tree holds it */
    pj->done = 0;
    return 0;
  }
  if (c == '-' || (c >= '0' && c <= '9')) pj->tok = TK_NUMBER;
  else if (c == 't' || c == 'f' || c == 'n') pj->tok = TK_LITERAL;
  else return -1;
  gp__buf_append(&pj->sbuf, &c, 1);
  return 0;
}

/* A structural byte (no token open). */
static int gp__structural(gp_pjson_t *pj, char c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 0;
  if (pj->done) return 0; /* text after the value (a closing fence): the validation judges */
  if (pj->depth == 0) return gp__value_start(pj, c);
  gp__frame_t *f = &pj->stack[pj->depth - 1];
  switch (f->state) {
  case PJ_ARR_FIRST:
    if (c == ']') return gp__close(pj), 0;
    /* fall through */
  case PJ_ARR_VALUE:
  case PJ_OBJ_VALUE: return gp__value_start(pj, c);
  case PJ_ARR_NEXT:
    if (c == ',') return f->state = PJ_ARR_VALUE, 0;
    if (c == ']') return gp__close(pj), 0;
    return -1;
  case PJ_OBJ_FIRST:
    if (c == '}') return gp__close(pj), 0;
    /* fall through */
  case PJ_OBJ_KEY:
    if (c != '"') return -1;
    pj->tok = TK_KEY;
    return 0;
  case PJ_OBJ_COLON:
    if (c != ':') return -1;
    f->state = PJ_OBJ_VALUE;
    return 0;
  case PJ_OBJ_NEXT:
    if (c == ',') return f->state = PJ_OBJ_KEY, 0;
    if (c == '}') return gp__close(pj), 0;
    return -1;
  }
  return -1;
}

static int gp__byte(gp_pjson_t *pj, char c) {
  if (pj->tok == TK_STRING || pj->tok == TK_KEY) {
    int r = gp__string_byte(pj, c);
    if (r == 1) gp__string_done(pj);
    return r < 0 ? -1 : 0;
  }
  if (pj->tok == TK_NUMBER || pj->tok == TK_LITERAL) {
    int more = pj->tok == TK_NUMBER ? (c >= '0' && c <= '9') || strchr("+-.eE", c) != NULL
                                    : c >= 'a' && c <= 'z';
    if (more && c) {
      gp__buf_append(&pj->sbuf, &c, 1);
      return pj->sbuf.len > 64 ? -1 : 0;
    }
    if (gp__scalar_done(pj)) return -1;
  }
  /* Before the value: skip what is not JSON's start (a Markdown fence, a preamble). */
  if (!pj->root && pj->depth == 0 && c != '{' && c != '[' && c != '"') return 0;
  return gp__structural(pj, c);
}

int gp__pjson_feed(gp_pjson_t *pj, const char *p, size_t n) {
  pj->work += n;
  pj->consumed += n;
  for (size_t i = 0; i < n && !pj->failed; i++) {
    if (gp__byte(pj, p[i]) < 0) pj->failed = 1;
  }
  return pj->failed ? -1 : pj->changed;
}

int gp__pjson_due(const gp_pjson_t *pj) {
  return pj->root && pj->changed && (pj->consumed - pj->at_snapshot) * 8 >= pj->consumed;
}

/* The open string's text up to its last whole UTF-8 sequence. */
static void gp__fill_placeholder(gp_pjson_t *pj) {
  if (!pj->placeholder) return;
  size_t n = pj->sbuf.len;
  const unsigned char *s = (const unsigned char *)pj->sbuf.data;
  size_t back = 0;
  while (back < n && back < 4 && (s[n - 1 - back] & 0xC0) == 0x80) back++;
  if (back < n) {
    unsigned char lead = s[n - 1 - back];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need != back + 1) n -= back + 1;
  }
  json_string_setn(pj->placeholder, n ? pj->sbuf.data : "", n);
}

json_t *gp__pjson_snapshot(gp_pjson_t *pj) {
  if (!pj->root) return NULL;
  gp__fill_placeholder(pj);
  pj->work += pj->consumed;
  pj->at_snapshot = pj->consumed;
  pj->changed = 0;
  return json_deep_copy(pj->root);
}
