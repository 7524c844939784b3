/* The zero-allocation JSON scanner (see jscan.h). Strings are scanned sixteen bytes at a
 * time with SSE2 (eight with SWAR where SSE2 is missing, or when GP_JSCAN_SCALAR is
 * defined) over plain ASCII; everything else is checked byte by byte as RFC 8259, UTF-8
 * and jansson's own limits say. Nesting is bounded by the caller's pulls, except in
 * gp__jscan_skip, which keeps its own depth bits (no recursion). Last, gp__jscan_json
 * builds jansson values from the pulls (recursion bounded to 64 levels). */
#include "engines/jscan.h"
#include "core/json_depth.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(GP_JSCAN_SCALAR)
#define GP__JSCAN_SSE2 1
#include <emmintrin.h>
#endif

/* The provider engines' parser, gp__json_loadb, refuses text that nests more than
 * GP_JSON_MAX_DEPTH containers (core/json_depth.h); the scanner agrees: a container may
 * be opened only while fewer than that are open (a scalar inside the deepest is fine). */
#define GP__JSCAN_MAX_DEPTH GP_JSON_MAX_DEPTH

void gp__jscan_init(gp_jscan_t *j, const char *text, size_t len) {
  j->start = text;
  j->p = text;
  j->end = text + len;
  j->err = 0;
  j->depth = 0;
}

static int gp__fail(gp_jscan_t *j) {
  j->err = 1;
  return -1;
}

/* One compare for the usual byte (anything above ' ' is not white space). */
static inline int gp__is_ws(char c) {
  unsigned char u = (unsigned char)c;
  return u <= ' ' && (u == ' ' || u == '\n' || u == '\r' || u == '\t');
}

static inline void gp__ws(gp_jscan_t *j) {
  const char *p = j->p, *end = j->end;
  while (p < end && gp__is_ws(*p)) p++;
  j->p = p;
}

/* gp__jscan_peek, inlined into the scanner's own pulls. */
static inline char gp__peek(gp_jscan_t *j) {
  if (j->err) return 0;
  gp__ws(j);
  return j->p < j->end ? *j->p : 0;
}

char gp__jscan_peek(gp_jscan_t *j) { return gp__peek(j); }

static inline int gp__eat(gp_jscan_t *j, char c) {
  if (gp__peek(j) != c) return 0;
  j->p++;
  return 1;
}

/* The length of a valid UTF-8 sequence starting at p (lead byte >= 0x80), 0 if invalid
 * (overlong, a surrogate, beyond U+10FFFF, truncated). */
static size_t gp__utf8_len(const unsigned char *p, const unsigned char *end) {
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

static int gp__hex4(const unsigned char *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

#ifdef GP__JSCAN_SSE2
/* Bit i set when byte i of the 16 at p is '"', '\\', a control byte or not ASCII: a
 * signed compare with 0x20 catches both of the last two (bytes >= 0x80 are negative). */
static inline unsigned gp__special16(const unsigned char *p) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  __m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  __m128i c = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), c));
}

/* The first byte at or after p that is special (see gp__special16), or end. Loads stay
 * inside [start, end): the last short piece is read as the 16 bytes that end at `end`
 * (their head, before p, is masked off); a text under 16 bytes goes byte by byte. */
static inline const unsigned char *gp__plain_run(const unsigned char *p, const unsigned char *end,
                                                 const unsigned char *start) {
  for (; end - p >= 16; p += 16) {
    unsigned m = gp__special16(p);
    if (m) return p + __builtin_ctz(m);
  }
  if (p < end && end - start >= 16) {
    unsigned m = gp__special16(end - 16) >> (16 - (end - p));
    return m ? p + __builtin_ctz(m) : end;
  }
  while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) p++;
  return p;
}
#else
/* Nonzero when one of the 8 bytes is '"', '\\', a control byte or not ASCII (SWAR). */
static inline uint64_t gp__special8(uint64_t v) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
  uint64_t has_q = (q - ones) & ~q, has_b = (b - ones) & ~b;
  uint64_t ctl = v - ones * 0x20; /* high bit set where the byte < 0x20 (or >= 0x80) */
  return (has_q | has_b | ctl | v) & high;
}

/* The first special byte at or after p, or end: eight bytes at a time while none is
 * special, then byte by byte. */
static inline const unsigned char *gp__plain_run(const unsigned char *p, const unsigned char *end,
                                                 const unsigned char *start) {
  (void)start;
  while (end - p >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    if (gp__special8(v)) break;
    p += 8;
  }
  while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) p++;
  return p;
}
#endif

/* A \u escape at p (p[0] == '\\', p[1] == 'u'): its length (6, or 12 for a surrogate
 * pair), 0 when jansson refuses it (bad hex, \u0000, an unpaired surrogate). */
static size_t gp__uescape(const unsigned char *p, const unsigned char *end) {
  uint32_t cp, lo;
  if (end - p < 6 || !gp__hex4(p + 2, &cp) || cp == 0) return 0;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return 0;
  if (cp < 0xD800 || cp > 0xDBFF) return 6;
  if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !gp__hex4(p + 8, &lo)) return 0;
  return lo >= 0xDC00 && lo <= 0xDFFF ? 12 : 0;
}

/* The rest of a string from p, the first special byte after its opening quote: escapes
 * and non-ASCII bytes are checked here, out of line, so that the usual string (plain
 * ASCII) costs its callers one inlined run. */
static __attribute__((noinline)) int gp__scan_string_rest(gp_jscan_t *j, gp_jscan_str_t *out,
                                                          const unsigned char *p) {
  const unsigned char *start = (const unsigned char *)j->p + 1, *end = (const unsigned char *)j->end;
  int escaped = 0;
  for (;;) {
    if (p < end && *p == '"') break;
    if (p >= end || *p < 0x20) return gp__fail(j);
    if (*p == '\\') {
      escaped = 1;
      if (end - p < 2) return gp__fail(j);
      unsigned char e = p[1];
      if (e == 'u') {
        size_t n = gp__uescape(p, end);
        if (n == 0) return gp__fail(j);
        p += n;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                 e == 'r' || e == 't') {
        p += 2;
      } else {
        return gp__fail(j);
      }
    } else {
      size_t n = gp__utf8_len(p, end);
      if (n == 0) return gp__fail(j);
      p += n;
    }
    p = gp__plain_run(p, end, (const unsigned char *)j->start);
  }
  out->s = (const char *)start;
  out->n = (size_t)(p - start);
  out->escaped = escaped;
  j->p = (const char *)p + 1;
  return 1;
}

/* Scans a string whose opening quote is at j->p. */
static inline int gp__scan_string(gp_jscan_t *j, gp_jscan_str_t *out) {
  const unsigned char *start = (const unsigned char *)j->p + 1, *end = (const unsigned char *)j->end;
  const unsigned char *p = gp__plain_run(start, end, (const unsigned char *)j->start);
  if (p == end || *p != '"') return gp__scan_string_rest(j, out, p);
  out->s = (const char *)start;
  out->n = (size_t)(p - start);
  out->escaped = 0;
  j->p = (const char *)p + 1;
  return 1;
}

/* The real number text s[0..n) as jansson converts it: strtod in the current locale
 * (the '.' replaced by its decimal point). An infinite result is "real number overflow"
 * there. */
static double gp__real_value(const char *s, size_t n) {
  char small[128];
  char *buf = n < sizeof small ? small : gp__xmalloc(n + 1);
  memcpy(buf, s, n);
  buf[n] = '\0';
  const char *point = localeconv()->decimal_point;
  char *dot = strchr(buf, '.');
  if (dot && point && point[0]) *dot = point[0];
  double v = strtod(buf, NULL);
  if (buf != small) free(buf);
  return v;
}

/* The integer text s[0..end) the scanner checked is within int64. */
static int64_t gp__int_value(const char *s, const char *end) {
  int neg = *s == '-';
  uint64_t v = 0;
  for (const char *p = s + neg; p < end; p++) v = v * 10 + (uint64_t)(*p - '0');
  return neg ? (int64_t)(0 - v) : (int64_t)v; /* no overflow: the range was checked */
}

/* Scans a number at j->p. *is_int: no fraction, no exponent. Integers must fit int64
 * ("too big integer" in jansson); reals must not overflow. */
static int gp__scan_number(gp_jscan_t *j, int *is_int) {
  const char *s = j->p, *p = j->p, *end = j->end;
  int neg = p < end && *p == '-';
  p += neg;
  const char *digits = p;
  if (p < end && *p == '0') p++;
  else if (p < end && *p >= '1' && *p <= '9') while (p < end && *p >= '0' && *p <= '9') p++;
  else return gp__fail(j);
  size_t nint = (size_t)(p - digits);
  *is_int = 1;
  if (p < end && *p == '.') {
    *is_int = 0;
    p++;
    if (!(p < end && *p >= '0' && *p <= '9')) return gp__fail(j);
    while (p < end && *p >= '0' && *p <= '9') p++;
  }
  int64_t exp = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    *is_int = 0;
    p++;
    int eneg = p < end && *p == '-';
    if (p < end && (*p == '+' || *p == '-')) p++;
    if (!(p < end && *p >= '0' && *p <= '9')) return gp__fail(j);
    for (; p < end && *p >= '0' && *p <= '9'; p++)
      if (exp < 100000) exp = exp * 10 + (*p - '0');
    if (eneg) exp = -exp;
  }
  if (*is_int) {
    static const char max[] = "9223372036854775807"; /* 19 digits; the negative ends in 8 */
    if (nint > 19) return gp__fail(j);
    if (nint == 19) {
      int c = memcmp(digits, max, 18);
      if (c > 0 || (c == 0 && digits[18] > max[18] + neg)) return gp__fail(j);
    }
  } else if ((int64_t)nint + exp > 308 && isinf(gp__real_value(s, (size_t)(p - s)))) {
    return gp__fail(j); /* the value is below 10^(nint + exp): only then can it overflow */
  }
  j->p = p;
  return 0;
}

static int gp__literal(gp_jscan_t *j, const char *lit, size_t n) {
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0) return gp__fail(j);
  j->p += n;
  return 0;
}

/* 1 when a container may not be opened here. */
static int gp__too_deep(gp_jscan_t *j) { return j->depth >= GP__JSCAN_MAX_DEPTH; }

static int gp__begin(gp_jscan_t *j, char c) {
  if (!gp__too_deep(j) && gp__eat(j, c)) {
    j->depth++;
    return 1;
  }
  gp__fail(j);
  return 0;
}

int gp__jscan_obj_begin(gp_jscan_t *j) { return gp__begin(j, '{'); }

int gp__jscan_arr_begin(gp_jscan_t *j) { return gp__begin(j, '['); }

/* The last non-blank byte before the cursor, 0 at the start. obj_next and arr_next tell
 * the first member from the later ones by it: '{' or '[' right after the opening, the
 * end of a value otherwise (no value ends with '{' or '['). That keeps pulls stateless. */
static char gp__before(const gp_jscan_t *j) {
  const char *q = j->p;
  while (q > j->start && gp__is_ws(q[-1])) q--;
  return q > j->start ? q[-1] : 0;
}

int gp__jscan_obj_next(gp_jscan_t *j, gp_jscan_str_t *key) {
  if (j->err) return -1;
  gp__ws(j);
  if (j->p >= j->end) return gp__fail(j);
  char c = *j->p;
  if (c == '}') { /* ends the object after its opening or after a value alike */
    j->p++;
    j->depth--;
    return 0;
  }
  if (gp__before(j) != '{') {
    if (c != ',') return gp__fail(j);
    j->p++;
    gp__ws(j);
  }
  if (j->p >= j->end || *j->p != '"' || gp__scan_string(j, key) < 0) return gp__fail(j);
  if (!gp__eat(j, ':')) return gp__fail(j);
  return 1;
}

int gp__jscan_arr_next(gp_jscan_t *j) {
  if (j->err) return -1;
  gp__ws(j);
  if (j->p >= j->end) return gp__fail(j);
  char c = *j->p;
  if (c == ']') {
    j->p++;
    j->depth--;
    return 0;
  }
  if (gp__before(j) == '[') return 1;
  if (c != ',') return gp__fail(j);
  j->p++;
  return 1;
}

int gp__jscan_str(gp_jscan_t *j, gp_jscan_str_t *out) {
  char c = gp__peek(j);
  if (c == '"') return gp__scan_string(j, out);
  if (c == 'n') return gp__literal(j, "null", 4) < 0 ? -1 : 0;
  return gp__fail(j);
}

int gp__jscan_null(gp_jscan_t *j) {
  if (gp__peek(j) != 'n') return 0;
  return gp__literal(j, "null", 4) == 0;
}

int gp__jscan_int(gp_jscan_t *j, int64_t *out) {
  char c = gp__peek(j);
  if (c == 'n') return gp__literal(j, "null", 4) < 0 ? -1 : 0;
  if (c != '-' && !(c >= '0' && c <= '9')) return gp__fail(j);
  const char *start = j->p;
  int is_int;
  if (gp__scan_number(j, &is_int) < 0) return -1;
  if (!is_int) return gp__fail(j);
  *out = gp__int_value(start, j->p);
  return 1;
}

int gp__jscan_skip(gp_jscan_t *j) {
  uint64_t objs[GP__JSCAN_MAX_DEPTH / 64]; /* bit d: the container opened d-th here is an object */
  const int base = j->depth;
  int is_int;
  gp_jscan_str_t s;
  for (;;) {
    char c = gp__peek(j);
    if (c == '{' || c == '[') {
      if (gp__too_deep(j)) return gp__fail(j);
      int d = j->depth - base;
      uint64_t bit = 1ull << (d % 64);
      if (c == '{') objs[d / 64] |= bit;
      else objs[d / 64] &= ~bit;
      j->depth++;
      j->p++;
      int more = c == '{' ? gp__jscan_obj_next(j, &s) : gp__jscan_arr_next(j);
      if (more < 0) return -1;
      if (more == 1) continue; /* parse the first member's value */
    } else if (c == '"') {
      if (gp__scan_string(j, &s) < 0) return -1;
    } else if (c == 't') {
      if (gp__literal(j, "true", 4) < 0) return -1;
    } else if (c == 'f') {
      if (gp__literal(j, "false", 5) < 0) return -1;
    } else if (c == 'n') {
      if (gp__literal(j, "null", 4) < 0) return -1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (gp__scan_number(j, &is_int) < 0) return -1;
    } else {
      return gp__fail(j);
    }
    /* A value ended: close containers that end here (obj_next and arr_next count them
     * down), or go on to their next member. */
    while (j->depth > base) {
      int d = j->depth - 1 - base;
      int more = (objs[d / 64] >> (d % 64)) & 1 ? gp__jscan_obj_next(j, &s) : gp__jscan_arr_next(j);
      if (more < 0) return -1;
      if (more == 1) break;
    }
    if (j->depth == base) return 0;
  }
}

int gp__jscan_done(gp_jscan_t *j) {
  if (j->err) return -1;
  gp__ws(j);
  return j->p == j->end ? 0 : gp__fail(j);
}

int gp__jscan_once(int *seen, int bit) {
  if (*seen & bit) return 0;
  *seen |= bit;
  return 1;
}

static void gp__put_utf8(gp_buf_t *b, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp, n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  } else {
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  }
  gp__buf_append(b, u, n);
}

/* The string was validated by the scanner: every escape is complete and every \u
 * surrogate is paired. */
void gp__jscan_str_append(const gp_jscan_str_t *s, gp_buf_t *b) {
  if (!s->escaped) {
    gp__buf_append(b, s->s, s->n);
    return;
  }
  const unsigned char *p = (const unsigned char *)s->s, *end = p + s->n;
  while (p < end) {
    const unsigned char *run = p;
    while (p < end && *p != '\\') p++;
    if (p > run) gp__buf_append(b, (const char *)run, (size_t)(p - run));
    if (p >= end) break;
    char e = (char)p[1];
    p += 2;
    switch (e) {
      case 'b': gp__buf_append(b, "\b", 1); break;
      case 'f': gp__buf_append(b, "\f", 1); break;
      case 'n': gp__buf_append(b, "\n", 1); break;
      case 'r': gp__buf_append(b, "\r", 1); break;
      case 't': gp__buf_append(b, "\t", 1); break;
      case 'u': {
        uint32_t cp = 0, lo = 0;
        gp__hex4(p, &cp);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && gp__hex4(p + 2, &lo)) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        }
        gp__put_utf8(b, cp);
        break;
      }
      default: gp__buf_append(b, &e, 1); break; /* " \ / */
    }
  }
}

/* ---- jansson values ---------------------------------------------------------------- */

/* Deeper texts are left to jansson: a bound on the recursion below (run threads have
 * small stacks). */
#define GP__JSCAN_JSON_LEVELS 64

static json_t *gp__json_value(gp_jscan_t *j, gp_buf_t *scratch, int levels);

/* The string at j->p as jansson builds it: the bytes were validated, so no second check. */
static json_t *gp__json_string(gp_jscan_t *j, gp_buf_t *scratch) {
  gp_jscan_str_t s;
  if (gp__scan_string(j, &s) < 0) return NULL;
  if (!s.escaped) return json_stringn_nocheck(s.s, s.n);
  scratch->len = 0;
  gp__jscan_str_append(&s, scratch);
  return json_stringn_nocheck(scratch->data, scratch->len);
}

static json_t *gp__json_number(gp_jscan_t *j) {
  const char *start = j->p;
  int is_int;
  if (gp__scan_number(j, &is_int) < 0) return NULL;
  if (is_int) return json_integer((json_int_t)gp__int_value(start, j->p));
  return json_real(gp__real_value(start, (size_t)(j->p - start)));
}

/* Members are set in text order with json_object_set_new_nocheck, as jansson's parser
 * does: a duplicate key keeps its first place and its last value. */
static json_t *gp__json_object(gp_jscan_t *j, gp_buf_t *scratch, int levels) {
  if (!gp__jscan_obj_begin(j)) return NULL;
  json_t *o = json_object();
  gp_jscan_str_t k;
  int r = -1;
  while (o && (r = gp__jscan_obj_next(j, &k)) == 1) {
    json_t *v = gp__json_value(j, scratch, levels - 1);
    scratch->len = 0;
    gp__jscan_str_append(&k, scratch); /* NUL-terminated; the scanner refuses \u0000 */
    if (!v || json_object_set_new_nocheck(o, scratch->data ? scratch->data : "", v) < 0) {
      json_decref(o);
      return NULL;
    }
  }
  if (o && r == 0) return o;
  json_decref(o);
  return NULL;
}

static json_t *gp__json_array(gp_jscan_t *j, gp_buf_t *scratch, int levels) {
  if (!gp__jscan_arr_begin(j)) return NULL;
  json_t *a = json_array();
  int r = -1;
  while (a && (r = gp__jscan_arr_next(j)) == 1) {
    json_t *v = gp__json_value(j, scratch, levels - 1);
    if (!v || json_array_append_new(a, v) < 0) {
      json_decref(a);
      return NULL;
    }
  }
  if (a && r == 0) return a;
  json_decref(a);
  return NULL;
}

static json_t *gp__json_value(gp_jscan_t *j, gp_buf_t *scratch, int levels) {
  char c = gp__peek(j);
  if (levels <= 0 || ((c == '{' || c == '[') && gp__too_deep(j))) {
    gp__fail(j);
    return NULL;
  }
  switch (c) {
    case '{': return gp__json_object(j, scratch, levels);
    case '[': return gp__json_array(j, scratch, levels);
    case '"': return gp__json_string(j, scratch);
    case 't': return gp__literal(j, "true", 4) < 0 ? NULL : json_true();
    case 'f': return gp__literal(j, "false", 5) < 0 ? NULL : json_false();
    case 'n': return gp__literal(j, "null", 4) < 0 ? NULL : json_null();
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return gp__json_number(j);
      gp__fail(j);
      return NULL;
  }
}

json_t *gp__jscan_json(gp_jscan_t *j) {
  gp_buf_t scratch = {0};
  json_t *v = gp__json_value(j, &scratch, GP__JSCAN_JSON_LEVELS);
  gp__buf_free(&scratch);
  if (!v) gp__fail(j);
  return v;
}
