/* The parser of ECMAScript regular expressions for JSON Schema `pattern` (SPEC §4.4).
 * The dialect is ECMAScript's with the `u` flag's strictness where that catches typos:
 * literals, `.`, classes with ranges and escapes, \d \w \s \D \W \S, \b \B, \t \n \v \f
 * \r \0 \cX \xHH \uHHHH (surrogate pairs joined) \u{H..}, identity escapes of punctuation,
 * ^ $, groups (capturing, (?:..), named (?<n>..)), alternation, * + ? {n} {n,} {n,m} greedy
 * and lazy, lookahead and lookbehind, numeric backreferences, and \p{..} / \P{..} for
 * the general categories L Lu Ll N Nd P (a property it does not know matches any
 * character and is logged at debug level). An unknown letter escape (\e), a named
 * backreference, `{` `}` `]` misplaced or a quantifier with nothing to repeat is a
 * syntax error. The matcher is regex_match.c. */
#include "tools/regex_internal.h"

#include <geppetto/log.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GP__RE_NEST 200 /* groups nest at most this deep */
#define GP__RE_NONE 0xFFFFFFFFu

typedef struct {
  const uint32_t *p;  /* the pattern's code points */
  size_t n, i;        /* length, position */
  gp_regex_t *re;     /* what is being built */
  char *why;          /* the first error, for the caller */
  size_t whylen;
  int failed;
  int depth;          /* group nesting */
  int maxref;         /* the highest backreference number seen */
} gp_re_parse_t;

static gp_re_node_t *gp__re_alt(gp_re_parse_t *P);

/* ---- helpers ---------------------------------------------------------------------- */

/* Decodes UTF-8 into code points (an invalid byte reads as U+FFFD); NULL on OOM. */
uint32_t *gp__re_utf8_decode(const char *s, size_t len, size_t *out_n) {
  uint32_t *cp = malloc((len + 1) * sizeof *cp);
  if (!cp) return NULL;
  size_t n = 0;
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    unsigned c = u[i];
    size_t k = c < 0x80 ? 1 : c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    uint32_t v = k == 1 ? c : k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
    size_t j = 1;
    while (j < k && i + j < len && (u[i + j] & 0xC0) == 0x80) v = v << 6 | (u[i + j++] & 0x3F);
    if (k == 0 || j < k || (k == 3 && v < 0x800) || (k == 4 && (v < 0x10000 || v > 0x10FFFF))) {
      cp[n++] = 0xFFFD;
      i++;
      continue;
    }
    cp[n++] = v;
    i += k;
  }
  *out_n = n;
  return cp;
}

static void *gp__re_fail(gp_re_parse_t *P, const char *fmt, ...) {
  if (P->failed) return NULL;
  P->failed = 1;
  if (P->why && P->whylen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->why, P->whylen, fmt, ap);
    va_end(ap);
  }
  return NULL;
}

static gp_re_node_t *gp__re_node(gp_re_parse_t *P, int kind) {
  gp_re_node_t *n = calloc(1, sizeof *n);
  if (!n) return gp__re_fail(P, "out of memory");
  n->kind = kind;
  n->owned = P->re->all;
  P->re->all = n;
  return n;
}

static uint32_t gp__re_peek(const gp_re_parse_t *P, size_t ahead) {
  return P->i + ahead < P->n ? P->p[P->i + ahead] : GP__RE_NONE;
}

static int gp__re_eat(gp_re_parse_t *P, uint32_t c) {
  if (gp__re_peek(P, 0) != c) return 0;
  P->i++;
  return 1;
}

static int gp__re_hexval(uint32_t c) {
  if (c >= '0' && c <= '9') return (int)(c - '0');
  if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
  return -1;
}

/* Reads exactly `count` hex digits; GP__RE_NONE (nothing consumed) if they are not there. */
static uint32_t gp__re_hex(gp_re_parse_t *P, int count) {
  uint32_t v = 0;
  for (int k = 0; k < count; k++) {
    int h = gp__re_hexval(gp__re_peek(P, (size_t)k));
    if (h < 0) return GP__RE_NONE;
    v = v << 4 | (uint32_t)h;
  }
  P->i += (size_t)count;
  return v;
}

/* Reads a decimal number (at most 9 digits kept); -1 when there is none. */
static long gp__re_decimal(gp_re_parse_t *P) {
  long v = -1;
  while (gp__re_peek(P, 0) >= '0' && gp__re_peek(P, 0) <= '9') {
    uint32_t d = P->p[P->i++] - '0';
    v = v < 0 ? (long)d : v < 100000000L ? v * 10 + (long)d : v;
  }
  return v;
}

/* ---- escapes ---------------------------------------------------------------------- */

/* \u after the `u`: HHHH (a high surrogate joins a following \uLLLL) or {H..}. */
static uint32_t gp__re_unicode_escape(gp_re_parse_t *P) {
  if (gp__re_eat(P, '{')) {
    uint32_t v = 0;
    int digits = 0;
    for (int h; (h = gp__re_hexval(gp__re_peek(P, 0))) >= 0; P->i++, digits++) {
      v = v << 4 | (uint32_t)h;
      if (v > 0x10FFFF) return gp__re_fail(P, "\\u{...} beyond U+10FFFF"), GP__RE_NONE;
    }
    if (!digits || !gp__re_eat(P, '}')) return gp__re_fail(P, "bad \\u{...} escape"), GP__RE_NONE;
    return v;
  }
  uint32_t v = gp__re_hex(P, 4);
  if (v == GP__RE_NONE) return gp__re_fail(P, "bad \\u escape (\\uHHHH or \\u{H...})"), GP__RE_NONE;
  if (v >= 0xD800 && v < 0xDC00 && gp__re_peek(P, 0) == '\\' && gp__re_peek(P, 1) == 'u') {
    size_t save = P->i;
    P->i += 2;
    uint32_t lo = gp__re_hex(P, 4);
    if (lo != GP__RE_NONE && lo >= 0xDC00 && lo < 0xE000) return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
    P->i = save;
  }
  return v;
}

/* A character escape after the backslash (also in classes); GP__RE_NONE on error. */
static uint32_t gp__re_char_escape(gp_re_parse_t *P, int in_class) {
  uint32_t c = gp__re_peek(P, 0);
  if (c == GP__RE_NONE) return gp__re_fail(P, "the pattern ends with a backslash"), GP__RE_NONE;
  P->i++;
  switch (c) {
  case 't': return '\t';
  case 'n': return '\n';
  case 'v': return '\v';
  case 'f': return '\f';
  case 'r': return '\r';
  case 'b': if (in_class) return '\b'; break;
  case '0':
    if (gp__re_peek(P, 0) >= '0' && gp__re_peek(P, 0) <= '9') break;
    return 0;
  case 'c': {
    uint32_t l = gp__re_peek(P, 0);
    if ((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z')) return P->i++, l % 32;
    break;
  }
  case 'x': {
    uint32_t v = gp__re_hex(P, 2);
    if (v != GP__RE_NONE) return v;
    return gp__re_fail(P, "bad \\x escape (\\xHH)"), GP__RE_NONE;
  }
  case 'u': return gp__re_unicode_escape(P);
  default:
    if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return c; /* identity escape: \. \- \/ ... */
    if (c >= 0x80) return c;
  }
  return gp__re_fail(P, "unknown escape \\%c at offset %zu", (int)c, P->i - 2), GP__RE_NONE;
}

/* \p{Name}, \p{gc=Name}, \p{General_Category=Name} after the p/P. */
static int gp__re_property(gp_re_parse_t *P, gp_re_item_t *it) {
  if (!gp__re_eat(P, '{')) return gp__re_fail(P, "\\p needs {Name}"), -1;
  char name[64];
  size_t len = 0;
  for (uint32_t c; (c = gp__re_peek(P, 0)) != '}'; P->i++) {
    if (c == GP__RE_NONE || c >= 0x80 || len + 1 >= sizeof name) return gp__re_fail(P, "bad \\p{...}"), -1;
    name[len++] = (char)c;
  }
  P->i++;
  name[len] = 0;
  const char *v = strchr(name, '=');
  if (v && (!strncmp(name, "gc=", 3) || !strncmp(name, "General_Category=", 17))) v++;
  else v = name;
  static const struct { const char *a, *b; int id; } known[] = {
      {"L", "Letter", GP_RE_P_L},   {"Lu", "Uppercase_Letter", GP_RE_P_LU},
      {"Ll", "Lowercase_Letter", GP_RE_P_LL}, {"N", "Number", GP_RE_P_N},
      {"Nd", "Decimal_Number", GP_RE_P_ND},   {"P", "Punctuation", GP_RE_P_P}};
  for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
    if (!strcmp(v, known[k].a) || !strcmp(v, known[k].b) || (known[k].id == GP_RE_P_ND && !strcmp(v, "digit"))) {
      it->kind = GP_RE_I_PROP, it->lo = (uint32_t)known[k].id;
      return 0;
    }
  }
  gp_log(GP_LOG_DEBUG, "tools", "pattern: \\p{%s} is not a property geppetto knows; it matches any character", name);
  it->kind = GP_RE_I_ALL, it->neg = 0;
  return 0;
}

/* A class escape \d \w \s \D \W \S \p \P after the backslash; 1 read, 0 not one, -1 error. */
static int gp__re_class_escape(gp_re_parse_t *P, gp_re_item_t *it) {
  uint32_t c = gp__re_peek(P, 0);
  uint32_t lower = c | 0x20;
  if (c == GP__RE_NONE || !(lower == 'd' || lower == 'w' || lower == 's' || lower == 'p')) return 0;
  P->i++;
  memset(it, 0, sizeof *it);
  it->neg = c >= 'A' && c <= 'Z';
  if (lower == 'p') return gp__re_property(P, it) ? -1 : 1;
  it->kind = lower == 'd' ? GP_RE_I_DIGIT : lower == 'w' ? GP_RE_I_WORD : GP_RE_I_SPACE;
  return 1;
}

/* ---- classes ---------------------------------------------------------------------- */

static int gp__re_push_item(gp_re_parse_t *P, gp_re_node_t *n, gp_re_item_t it) {
  gp_re_item_t *g = realloc(n->items, (size_t)(n->nitems + 1) * sizeof *g);
  if (!g) return gp__re_fail(P, "out of memory"), -1;
  n->items = g;
  n->items[n->nitems++] = it;
  return 0;
}

/* One class atom: a single code point (1, in *cp) or a class escape (2, in *it); -1 error. */
static int gp__re_class_atom(gp_re_parse_t *P, uint32_t *cp, gp_re_item_t *it) {
  uint32_t c = P->p[P->i++];
  if (c != '\\') return *cp = c, 1;
  int k = gp__re_class_escape(P, it);
  if (k) return k < 0 ? -1 : 2;
  if (gp__re_peek(P, 0) == '-') return P->i++, *cp = '-', 1;
  *cp = gp__re_char_escape(P, 1);
  return *cp == GP__RE_NONE ? -1 : 1;
}

/* After the `[`. An empty class matches nothing, [^] anything, as in ECMAScript. */
static gp_re_node_t *gp__re_class(gp_re_parse_t *P) {
  size_t start = P->i - 1;
  gp_re_node_t *n = gp__re_node(P, GP_RE_CLASS);
  if (!n) return NULL;
  n->neg = gp__re_eat(P, '^');
  while (!gp__re_eat(P, ']')) {
    if (P->i >= P->n) return gp__re_fail(P, "unterminated class \"[\" at offset %zu", start);
    uint32_t lo, hi;
    gp_re_item_t a = {0}, b = {0};
    int ka = gp__re_class_atom(P, &lo, &a);
    if (ka < 0) return NULL;
    if (ka == 1 && gp__re_peek(P, 0) == '-' && gp__re_peek(P, 1) != ']' && gp__re_peek(P, 1) != GP__RE_NONE) {
      P->i++;
      int kb = gp__re_class_atom(P, &hi, &b);
      if (kb < 0) return NULL;
      if (kb == 2) return gp__re_fail(P, "a class escape cannot end a range (offset %zu)", P->i);
      if (hi < lo) return gp__re_fail(P, "range out of order in class at offset %zu", start);
      a = (gp_re_item_t){.kind = GP_RE_I_RANGE, .lo = lo, .hi = hi};
    } else if (ka == 1) {
      a = (gp_re_item_t){.kind = GP_RE_I_RANGE, .lo = lo, .hi = lo};
    } else if (gp__re_peek(P, 0) == '-' && gp__re_peek(P, 1) != ']' && gp__re_peek(P, 1) != GP__RE_NONE) {
      return gp__re_fail(P, "a class escape cannot start a range (offset %zu)", P->i);
    }
    if (gp__re_push_item(P, n, a)) return NULL;
  }
  return n;
}

static gp_re_node_t *gp__re_class1(gp_re_parse_t *P, gp_re_item_t it) {
  gp_re_node_t *n = gp__re_node(P, GP_RE_CLASS);
  if (!n || gp__re_push_item(P, n, it)) return NULL;
  return n;
}

/* ---- atoms, quantifiers, sequences ------------------------------------------------ */

/* After the `(`. */
static gp_re_node_t *gp__re_group(gp_re_parse_t *P) {
  size_t start = P->i - 1;
  if (++P->depth > GP__RE_NEST) return gp__re_fail(P, "groups nest deeper than %d", GP__RE_NEST);
  gp_re_node_t *n;
  if (gp__re_peek(P, 0) == '?') {
    uint32_t c1 = gp__re_peek(P, 1), c2 = gp__re_peek(P, 2);
    if (c1 == ':') {
      n = gp__re_node(P, GP_RE_GROUP), P->i += 2;
    } else if (c1 == '=' || c1 == '!') {
      if ((n = gp__re_node(P, GP_RE_LOOK))) n->neg = c1 == '!';
      P->i += 2;
    } else if (c1 == '<' && (c2 == '=' || c2 == '!')) {
      if ((n = gp__re_node(P, GP_RE_LOOK))) n->neg = c2 == '!', n->behind = 1;
      P->i += 3;
    } else if (c1 == '<') {
      P->i += 2;
      size_t name = P->i;
      while (P->i < P->n && P->p[P->i] != '>') P->i++;
      if (P->i >= P->n || P->i == name) return gp__re_fail(P, "bad group name at offset %zu", start);
      P->i++;
      if ((n = gp__re_node(P, GP_RE_GROUP))) n->group = ++P->re->ngroups;
    } else {
      return gp__re_fail(P, "unknown group \"(?%c\" at offset %zu", c1 < 0x80 ? (int)c1 : '?', start);
    }
  } else {
    if ((n = gp__re_node(P, GP_RE_GROUP))) n->group = ++P->re->ngroups;
  }
  if (!n) return NULL;
  n->body = gp__re_alt(P);
  if (P->failed) return NULL;
  if (!gp__re_eat(P, ')')) return gp__re_fail(P, "unterminated group \"(\" at offset %zu", start);
  P->depth--;
  return n;
}

/* After the backslash, outside a class. */
static gp_re_node_t *gp__re_escape_atom(gp_re_parse_t *P) {
  uint32_t c = gp__re_peek(P, 0);
  if (c == 'b' || c == 'B') return P->i++, gp__re_node(P, c == 'b' ? GP_RE_WORDB : GP_RE_NWORDB);
  if (c >= '1' && c <= '9') {
    long v = gp__re_decimal(P);
    gp_re_node_t *n = gp__re_node(P, GP_RE_BACKREF);
    if (!n) return NULL;
    n->group = (int)(v > 1000000 ? 1000000 : v);
    if (n->group > P->maxref) P->maxref = n->group;
    P->re->backrefs = 1;
    return n;
  }
  if (c == 'k') return gp__re_fail(P, "named backreferences (\\k<name>) are not supported");
  gp_re_item_t it;
  int k = gp__re_class_escape(P, &it);
  if (k) return k < 0 ? NULL : gp__re_class1(P, it);
  uint32_t cp = gp__re_char_escape(P, 0);
  if (cp == GP__RE_NONE) return NULL;
  gp_re_node_t *n = gp__re_node(P, GP_RE_CHAR);
  if (n) n->ch = cp;
  return n;
}

/* One atom, or NULL at `|` `)` or the end (P->failed tells an error). */
static gp_re_node_t *gp__re_atom(gp_re_parse_t *P) {
  uint32_t c = P->p[P->i++];
  switch (c) {
  case '^': return gp__re_node(P, GP_RE_BOL);
  case '$': return gp__re_node(P, GP_RE_EOL);
  case '.': return gp__re_node(P, GP_RE_ANY);
  case '(': return gp__re_group(P);
  case '[': return gp__re_class(P);
  case '\\': return gp__re_escape_atom(P);
  case '*': case '+': case '?':
    return gp__re_fail(P, "nothing to repeat before \"%c\" at offset %zu", (int)c, P->i - 1);
  case '{': case '}': case ']':
    return gp__re_fail(P, "lone \"%c\" at offset %zu (escape it)", (int)c, P->i - 1);
  default: {
    gp_re_node_t *n = gp__re_node(P, GP_RE_CHAR);
    if (n) n->ch = c;
    return n;
  }
  }
}

/* {n}, {n,}, {n,m} after the `{`; 0 read, -1 error. */
static int gp__re_braces(gp_re_parse_t *P, int *min, int *max) {
  long a = gp__re_decimal(P), b = a;
  if (a < 0) return gp__re_fail(P, "bad quantifier \"{\" at offset %zu", P->i - 1), -1;
  if (gp__re_eat(P, ',')) b = gp__re_decimal(P);
  if (!gp__re_eat(P, '}')) return gp__re_fail(P, "bad quantifier \"{\" at offset %zu", P->i), -1;
  if (b >= 0 && b < a) return gp__re_fail(P, "numbers out of order in {%ld,%ld}", a, b), -1;
  if (a > 100000 || b > 100000) return gp__re_fail(P, "a repeat count above 100000"), -1;
  *min = (int)a, *max = (int)b;
  return 0;
}

/* The fixed width of sequence `n` in code points, or -1 when it varies (or captures
 * matter). */
static long gp__re_width(const gp_regex_t *re, const gp_re_node_t *n) {
  long w = 0;
  for (; n; n = n->next) {
    long k;
    switch (n->kind) {
    case GP_RE_CHAR: case GP_RE_ANY: case GP_RE_CLASS: k = 1; break;
    case GP_RE_GROUP: k = re->backrefs && n->group ? -1 : gp__re_width(re, n->body); break;
    case GP_RE_REPEAT: k = n->min == n->max && n->width ? (long)n->min * n->width : -1; break;
    default: k = -1;
    }
    if (k < 0 || w + k > 1000000) return -1;
    w += k;
  }
  return w;
}

/* Wraps `atom` in a quantifier when one follows. */
static gp_re_node_t *gp__re_quant(gp_re_parse_t *P, gp_re_node_t *atom) {
  uint32_t c = gp__re_peek(P, 0);
  int min, max;
  if (c == '*') min = 0, max = -1;
  else if (c == '+') min = 1, max = -1;
  else if (c == '?') min = 0, max = 1;
  else if (c == '{') {
    P->i++;
    if (gp__re_braces(P, &min, &max)) return NULL;
    P->i--;
  } else return atom;
  P->i++;
  int k = atom->kind;
  if (k == GP_RE_BOL || k == GP_RE_EOL || k == GP_RE_WORDB || k == GP_RE_NWORDB || (k == GP_RE_LOOK && atom->behind))
    return gp__re_fail(P, "nothing to repeat before offset %zu", P->i - 1);
  gp_re_node_t *r = gp__re_node(P, GP_RE_REPEAT);
  if (!r) return NULL;
  r->body = atom, r->min = min, r->max = max;
  r->greedy = !gp__re_eat(P, '?');
  return r;
}

/* Atoms up to `|`, `)` or the end, linked by `next`. */
static gp_re_node_t *gp__re_seq(gp_re_parse_t *P) {
  gp_re_node_t *head = NULL, **tail = &head;
  while (P->i < P->n && P->p[P->i] != '|' && P->p[P->i] != ')') {
    gp_re_node_t *a = gp__re_atom(P);
    if (a) a = gp__re_quant(P, a);
    if (!a) return NULL;
    *tail = a;
    tail = &a->next;
  }
  return head;
}

static gp_re_node_t *gp__re_alt(gp_re_parse_t *P) {
  gp_re_node_t *first = gp__re_seq(P);
  if (P->failed || gp__re_peek(P, 0) != '|') return first;
  gp_re_node_t *alt = gp__re_node(P, GP_RE_ALT);
  if (!alt) return NULL;
  gp_re_node_t *seq = first;
  for (;;) {
    gp_re_node_t **g = realloc(alt->alts, (size_t)(alt->nalts + 1) * sizeof *g);
    if (!g) return gp__re_fail(P, "out of memory");
    alt->alts = g;
    alt->alts[alt->nalts++] = seq;
    if (!gp__re_eat(P, '|')) return alt;
    seq = gp__re_seq(P);
    if (P->failed) return NULL;
  }
}

/* Gives each repeat the fixed width of its body (inner ones first). */
static void gp__re_widths(gp_regex_t *re, gp_re_node_t *n) {
  for (; n; n = n->next) {
    gp__re_widths(re, n->body);
    for (int k = 0; k < n->nalts; k++) gp__re_widths(re, n->alts[k]);
    if (n->kind == GP_RE_REPEAT) {
      long w = gp__re_width(re, n->body);
      n->width = w > 0 ? (int)w : 0;
    }
  }
}

/* ---- API -------------------------------------------------------------------------- */

void gp__regex_free(gp_regex_t *re) {
  if (!re) return;
  for (gp_re_node_t *n = re->all, *next; n; n = next) {
    next = n->owned;
    free(n->items);
    free(n->alts);
    free(n);
  }
  free(re);
}

gp_regex_t *gp__regex_compile(const char *pattern, char *why, size_t whylen) {
  if (why && whylen) why[0] = 0;
  gp_regex_t *re = calloc(1, sizeof *re);
  size_t n = 0;
  uint32_t *cp = re ? gp__re_utf8_decode(pattern, strlen(pattern), &n) : NULL;
  gp_re_parse_t P = {.p = cp, .n = n, .re = re, .why = why, .whylen = whylen};
  if (!cp) {
    gp__re_fail(&P, "out of memory");
  } else {
    re->head = gp__re_alt(&P);
    if (!P.failed && P.i < P.n) gp__re_fail(&P, "unmatched \")\" at offset %zu", P.i);
    if (!P.failed && P.maxref > re->ngroups)
      gp__re_fail(&P, "backreference \\%d to a group that does not exist", P.maxref);
    if (!P.failed) gp__re_widths(re, re->head);
  }
  free(cp);
  if (!P.failed) return re;
  gp__regex_free(re);
  return NULL;
}
