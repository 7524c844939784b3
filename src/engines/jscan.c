/* bench/jscan: the zero-allocation JSON scanner (see jscan.h). Strings are scanned with
 * a fast path over plain ASCII; everything else is checked byte by byte as RFC 8259 and
 * UTF-8 say. Nesting is bounded by the caller's pulls, except in jscan_skip, which keeps
 * its own depth counter (no recursion). */
#include "jscan.h"

#include <string.h>

#define JSCAN_MAX_DEPTH 512

void jscan_init(jscan_t *j, const char *text, size_t len) {
  j->p = text;
  j->end = text + len;
  j->err = 0;
}

static int fail(jscan_t *j) {
  j->err = 1;
  return -1;
}

static void ws(jscan_t *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}

char jscan_peek(jscan_t *j) {
  if (j->err) return 0;
  ws(j);
  return j->p < j->end ? *j->p : 0;
}

static int eat(jscan_t *j, char c) {
  if (jscan_peek(j) != c) return 0;
  j->p++;
  return 1;
}

/* The length of a valid UTF-8 sequence starting at p (lead byte >= 0x80), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
  unsigned char c = p[0];
  size_t n;
  uint32_t min, cp;
  if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000, cp = c & 0x07;
  else return 0;
  if ((size_t)(end - p) < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

static int hex4(const char *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

/* Nonzero when one of the 8 bytes is '"', '\\', a control byte or not ASCII (SWAR). */
static inline uint64_t special8(uint64_t v) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
  uint64_t has_q = (q - ones) & ~q, has_b = (b - ones) & ~b;
  uint64_t ctl = v - ones * 0x20; /* high bit set where the byte < 0x20 (or >= 0x80) */
  return (has_q | has_b | ctl | v) & high;
}

/* Scans a string whose opening quote is at j->p. */
static int scan_string(jscan_t *j, jscan_str_t *out) {
  const unsigned char *p = (const unsigned char *)j->p + 1, *end = (const unsigned char *)j->end;
  const unsigned char *start = p;
  int escaped = 0;
  for (;;) {
    /* Plain ASCII eight bytes at a time, then byte by byte. */
    while (end - p >= 8) {
      uint64_t v;
      memcpy(&v, p, 8);
      if (special8(v)) break;
      p += 8;
    }
    while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) p++;
    if (p >= end || *p < 0x20) return fail(j);
    if (*p == '"') break;
    if (*p == '\\') {
      escaped = 1;
      if (end - p < 2) return fail(j);
      unsigned char e = p[1];
      if (e == 'u') {
        uint32_t cp;
        if (end - p < 6 || !hex4((const char *)p + 2, &cp)) return fail(j);
        p += 6;
      } else if (strchr("\"\\/bfnrt", e) && e != 0) {
        p += 2;
      } else {
        return fail(j);
      }
      continue;
    }
    size_t n = utf8_len(p, end);
    if (n == 0) return fail(j);
    p += n;
  }
  out->s = (const char *)start;
  out->n = (size_t)(p - start);
  out->escaped = escaped;
  j->p = (const char *)p + 1;
  return 1;
}

static int scan_number(jscan_t *j) {
  const char *p = j->p, *end = j->end;
  if (p < end && *p == '-') p++;
  if (p < end && *p == '0') p++;
  else if (p < end && *p >= '1' && *p <= '9') while (p < end && *p >= '0' && *p <= '9') p++;
  else return fail(j);
  if (p < end && *p == '.') {
    p++;
    if (!(p < end && *p >= '0' && *p <= '9')) return fail(j);
    while (p < end && *p >= '0' && *p <= '9') p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-')) p++;
    if (!(p < end && *p >= '0' && *p <= '9')) return fail(j);
    while (p < end && *p >= '0' && *p <= '9') p++;
  }
  j->p = p;
  return 0;
}

static int literal(jscan_t *j, const char *lit) {
  size_t n = strlen(lit);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0) return fail(j);
  j->p += n;
  return 0;
}

int jscan_obj_begin(jscan_t *j) {
  if (eat(j, '{')) return 1;
  fail(j);
  return 0;
}

int jscan_arr_begin(jscan_t *j) {
  if (eat(j, '[')) return 1;
  fail(j);
  return 0;
}

/* obj_next and arr_next tell the first member from the later ones by the last
 * non-blank byte before the cursor: '{' or '[' right after the opening, the end of a
 * value otherwise (no value ends with '{' or '['). That keeps the pull loop stateless. */
int jscan_obj_next(jscan_t *j, jscan_str_t *key) {
  if (j->err) return -1;
  ws(j);
  if (j->p >= j->end) return fail(j);
  char c = *j->p;
  /* Either the first member after '{' or a ',' before the next one. */
  const char *q = j->p - 1;
  while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t') q--;
  if (*q != '{') {
    if (c == '}') {
      j->p++;
      return 0;
    }
    if (c != ',') return fail(j);
    j->p++;
    ws(j);
  } else if (c == '}') {
    j->p++;
    return 0;
  }
  if (j->p >= j->end || *j->p != '"' || scan_string(j, key) < 0) return fail(j);
  if (!eat(j, ':')) return fail(j);
  return 1;
}

int jscan_arr_next(jscan_t *j) {
  if (j->err) return -1;
  ws(j);
  if (j->p >= j->end) return fail(j);
  char c = *j->p;
  const char *q = j->p - 1;
  while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t') q--;
  if (*q == '[') {
    if (c == ']') {
      j->p++;
      return 0;
    }
    return 1;
  }
  if (c == ']') {
    j->p++;
    return 0;
  }
  if (c != ',') return fail(j);
  j->p++;
  return 1;
}

int jscan_str(jscan_t *j, jscan_str_t *out) {
  char c = jscan_peek(j);
  if (c == '"') return scan_string(j, out);
  if (c == 'n') return literal(j, "null") < 0 ? -1 : 0;
  return fail(j);
}

int jscan_int(jscan_t *j, int64_t *out) {
  char c = jscan_peek(j);
  if (c == 'n') return literal(j, "null") < 0 ? -1 : 0;
  const char *start = j->p;
  if (scan_number(j) < 0) return -1;
  int64_t v = 0;
  int neg = *start == '-';
  for (const char *p = start + neg; p < j->p; p++) {
    if (*p < '0' || *p > '9') return fail(j); /* a fraction or exponent: not an integer */
    v = v * 10 + (*p - '0');
  }
  *out = neg ? -v : v;
  return 1;
}

int jscan_skip(jscan_t *j) {
  char stack[JSCAN_MAX_DEPTH]; /* the open containers: '{' or '[' */
  int depth = 0;
  jscan_str_t s;
  for (;;) {
    char c = jscan_peek(j);
    if (c == '{' || c == '[') {
      if (depth == JSCAN_MAX_DEPTH) return fail(j);
      stack[depth++] = c;
      j->p++;
      int more = c == '{' ? jscan_obj_next(j, &s) : jscan_arr_next(j);
      if (more < 0) return -1;
      if (more == 1) continue; /* parse the first member's value */
      depth--;
    } else if (c == '"') {
      if (scan_string(j, &s) < 0) return -1;
    } else if (c == 't') {
      if (literal(j, "true") < 0) return -1;
    } else if (c == 'f') {
      if (literal(j, "false") < 0) return -1;
    } else if (c == 'n') {
      if (literal(j, "null") < 0) return -1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (scan_number(j) < 0) return -1;
    } else {
      return fail(j);
    }
    /* A value ended: close containers that end here, or go on to their next member. */
    while (depth > 0) {
      int more = stack[depth - 1] == '{' ? jscan_obj_next(j, &s) : jscan_arr_next(j);
      if (more < 0) return -1;
      if (more == 1) break;
      depth--;
    }
    if (depth == 0) return 0;
  }
}

int jscan_done(jscan_t *j) {
  if (j->err) return -1;
  ws(j);
  return j->p == j->end ? 0 : fail(j);
}

int jscan_key_eq(const jscan_str_t *k, const char *lit, size_t n) {
  return !k->escaped && k->n == n && memcmp(k->s, lit, n) == 0;
}

static void put_utf8(gp_buf_t *b, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) u[0] = (char)cp, n = 1;
  else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  else if (cp < 0x10000)
    u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
    u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  else
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  gp_buf_append(b, u, n);
}

void jscan_str_append(const jscan_str_t *s, gp_buf_t *b) {
  if (!s->escaped) {
    gp_buf_append(b, s->s, s->n);
    return;
  }
  const char *p = s->s, *end = s->s + s->n;
  while (p < end) {
    const char *run = p;
    while (p < end && *p != '\\') p++;
    if (p > run) gp_buf_append(b, run, (size_t)(p - run));
    if (p >= end) break;
    char e = p[1];
    p += 2;
    switch (e) {
    case 'b': gp_buf_append(b, "\b", 1); break;
    case 'f': gp_buf_append(b, "\f", 1); break;
    case 'n': gp_buf_append(b, "\n", 1); break;
    case 'r': gp_buf_append(b, "\r", 1); break;
    case 't': gp_buf_append(b, "\t", 1); break;
    case 'u': {
      uint32_t cp = 0, lo = 0;
      hex4(p, &cp);
      p += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
          hex4(p + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
      } else if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD; /* a lone surrogate */
      }
      put_utf8(b, cp);
      break;
    }
    default: gp_buf_append(b, &e, 1); break; /* " \ / */
    }
  }
}
