/* The backtracking matcher of ECMAScript patterns (regex.c parses them): continuation
 * passing over the node graph, one C frame per node tried, on the code points of the
 * subject. A repeat whose body has a fixed width (`\d{4}`, `[a-z]+`, `(?:ab)*`) is
 * matched by a loop rather than by recursion, so long strings do not deepen the stack.
 * Every search has a budget of GP_REGEX_MAX_STEPS steps and of stack: a
 * catastrophic pattern such as `(a+)+$` answers -1 (the caller reports it) instead of
 * hanging. Captures are recorded only when the pattern has backreferences. */
#include "tools/regex_internal.h"

#include <stdint.h>
#include <stdlib.h>

/* Stack the matcher may use, measured from the frame of gp__regex_test: pool threads
 * have 2 MiB; a debug build spends a few hundred bytes per node tried. */
#define GP__RE_STACK (384 * 1024)
#define GP__RE_UNSET ((size_t)-1)

enum { GP__K_SEQ, GP__K_CLOSE, GP__K_REP, GP__K_ACCEPT };

/* What to match after the current node: a chain of these, innermost first. */
typedef struct gp_re_cont_s {
  int kind;                         /* GP__K_* */
  const gp_re_node_t *node;         /* SEQ: the nodes to run; CLOSE: the group; REP: the repeat */
  size_t at;                        /* CLOSE: capture start; REP: iteration start; ACCEPT: end needed */
  int count;                        /* REP: iterations done, this one included */
  const struct gp_re_cont_s *next;  /* what follows */
} gp_re_cont_t;

typedef struct {
  const uint32_t *s;  /* the subject's code points */
  size_t n;           /* their number */
  size_t *caps;       /* start and end of each group (GP__RE_UNSET), when recorded */
  long steps;         /* taken so far */
  uintptr_t base;     /* the frame address of gp__regex_test */
  int blown;          /* the budget ran out: every path fails from here */
} gp_re_match_t;

static int gp__re_run(gp_re_match_t *m, const gp_re_node_t *n, size_t i, const gp_re_cont_t *k);

/* ---- characters ------------------------------------------------------------------- */

typedef struct {
  uint32_t lo, hi;
  uint8_t parity; /* 0 every code point, 1 the even ones, 2 the odd ones */
} gp_re_range_t;

/* Approximate tables of the general categories: ASCII, Latin-1, Latin Extended-A/B,
 * Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari, Thai, Georgian, Hangul, kana,
 * CJK, fullwidth forms. */
static const gp_re_range_t gp__re_lu[] = {
    {0x41, 0x5A, 0}, {0xC0, 0xD6, 0}, {0xD8, 0xDE, 0}, {0x100, 0x137, 1}, {0x139, 0x148, 2},
    {0x14A, 0x177, 1}, {0x178, 0x178, 0}, {0x179, 0x17E, 2}, {0x391, 0x3A1, 0}, {0x3A3, 0x3AB, 0},
    {0x400, 0x42F, 0}, {0x460, 0x481, 1}, {0x48A, 0x4BF, 1}, {0x531, 0x556, 0}, {0x1E00, 0x1E95, 1},
    {0x1EA0, 0x1EFF, 1}, {0xFF21, 0xFF3A, 0}, {0, 0, 0}};
static const gp_re_range_t gp__re_ll[] = {
    {0x61, 0x7A, 0}, {0xB5, 0xB5, 0}, {0xDF, 0xF6, 0}, {0xF8, 0xFF, 0}, {0x101, 0x137, 2},
    {0x138, 0x138, 0}, {0x13A, 0x148, 1}, {0x149, 0x149, 0}, {0x14B, 0x177, 2}, {0x17A, 0x17E, 1},
    {0x17F, 0x17F, 0}, {0x3AC, 0x3CE, 0}, {0x430, 0x45F, 0}, {0x461, 0x481, 2}, {0x48B, 0x4BF, 2},
    {0x561, 0x587, 0}, {0x1E01, 0x1E95, 2}, {0x1EA1, 0x1EFF, 2}, {0xFF41, 0xFF5A, 0}, {0, 0, 0}};
static const gp_re_range_t gp__re_lother[] = {
    {0xAA, 0xAA, 0}, {0xBA, 0xBA, 0}, {0x180, 0x2C1, 0}, {0x2C6, 0x2D1, 0}, {0x2E0, 0x2E4, 0},
    {0x370, 0x373, 0}, {0x376, 0x377, 0}, {0x37B, 0x37D, 0}, {0x37F, 0x37F, 0}, {0x386, 0x386, 0},
    {0x388, 0x38A, 0}, {0x38C, 0x38C, 0}, {0x38E, 0x390, 0}, {0x3CF, 0x3F5, 0}, {0x3F7, 0x3FF, 0},
    {0x48A, 0x52F, 0}, {0x5D0, 0x5EA, 0}, {0x620, 0x64A, 0}, {0x671, 0x6D3, 0}, {0x904, 0x939, 0},
    {0xE01, 0xE30, 0}, {0x10A0, 0x10FF, 0}, {0x1100, 0x11FF, 0}, {0x1E00, 0x1FBC, 0},
    {0x3041, 0x3096, 0}, {0x30A1, 0x30FA, 0}, {0x3400, 0x4DBF, 0}, {0x4E00, 0x9FFF, 0},
    {0xAC00, 0xD7A3, 0}, {0xF900, 0xFAFF, 0}, {0x20000, 0x2FFFF, 0}, {0, 0, 0}};
static const gp_re_range_t gp__re_nd[] = {
    {0x30, 0x39, 0}, {0x660, 0x669, 0}, {0x6F0, 0x6F9, 0}, {0x7C0, 0x7C9, 0}, {0x966, 0x96F, 0},
    {0x9E6, 0x9EF, 0}, {0xA66, 0xA6F, 0}, {0xAE6, 0xAEF, 0}, {0xB66, 0xB6F, 0}, {0xBE6, 0xBEF, 0},
    {0xC66, 0xC6F, 0}, {0xCE6, 0xCEF, 0}, {0xD66, 0xD6F, 0}, {0xE50, 0xE59, 0}, {0xED0, 0xED9, 0},
    {0xF20, 0xF29, 0}, {0x1040, 0x1049, 0}, {0xFF10, 0xFF19, 0}, {0, 0, 0}};
static const gp_re_range_t gp__re_nother[] = {
    {0xB2, 0xB3, 0}, {0xB9, 0xB9, 0}, {0xBC, 0xBE, 0}, {0x2070, 0x2070, 0}, {0x2074, 0x2079, 0},
    {0x2080, 0x2089, 0}, {0x2150, 0x2189, 0}, {0x2460, 0x249B, 0}, {0x3007, 0x3007, 0},
    {0x3021, 0x3029, 0}, {0, 0, 0}};
static const gp_re_range_t gp__re_p[] = {
    {0x21, 0x23, 0}, {0x25, 0x2A, 0}, {0x2C, 0x2F, 0}, {0x3A, 0x3B, 0}, {0x3F, 0x40, 0},
    {0x5B, 0x5D, 0}, {0x5F, 0x5F, 0}, {0x7B, 0x7B, 0}, {0x7D, 0x7D, 0}, {0xA1, 0xA1, 0},
    {0xA7, 0xA7, 0}, {0xAB, 0xAB, 0}, {0xB6, 0xB7, 0}, {0xBB, 0xBB, 0}, {0xBF, 0xBF, 0},
    {0x37E, 0x37E, 0}, {0x387, 0x387, 0}, {0x55A, 0x55F, 0}, {0x589, 0x58A, 0}, {0x5BE, 0x5BE, 0},
    {0x5C0, 0x5C0, 0}, {0x5C3, 0x5C3, 0}, {0x5C6, 0x5C6, 0}, {0x5F3, 0x5F4, 0}, {0x609, 0x60A, 0},
    {0x60C, 0x60D, 0}, {0x61B, 0x61B, 0}, {0x61E, 0x61F, 0}, {0x66A, 0x66D, 0}, {0x6D4, 0x6D4, 0},
    {0x964, 0x965, 0}, {0x2010, 0x2027, 0}, {0x2030, 0x2043, 0}, {0x2045, 0x2051, 0},
    {0x2053, 0x205E, 0}, {0x207D, 0x207E, 0}, {0x208D, 0x208E, 0}, {0x2308, 0x230B, 0},
    {0x2329, 0x232A, 0}, {0x3001, 0x3003, 0}, {0x3008, 0x3011, 0}, {0x3014, 0x301F, 0},
    {0xFF01, 0xFF03, 0}, {0xFF05, 0xFF0A, 0}, {0xFF0C, 0xFF0F, 0}, {0xFF1A, 0xFF1B, 0},
    {0xFF1F, 0xFF20, 0}, {0xFF3B, 0xFF3D, 0}, {0xFF3F, 0xFF3F, 0}, {0xFF5B, 0xFF5B, 0},
    {0xFF5D, 0xFF5D, 0}, {0xFF5F, 0xFF65, 0}, {0, 0, 0}};

static int gp__re_in(const gp_re_range_t *t, uint32_t c) {
  for (; t->hi; t++)
    if (c >= t->lo && c <= t->hi) return t->parity == 0 || (c & 1) == (t->parity == 2);
  return 0;
}

static int gp__re_prop(uint32_t id, uint32_t c) {
  switch (id) {
  case GP_RE_P_LU: return gp__re_in(gp__re_lu, c);
  case GP_RE_P_LL: return gp__re_in(gp__re_ll, c);
  case GP_RE_P_L: return gp__re_in(gp__re_lu, c) || gp__re_in(gp__re_ll, c) || gp__re_in(gp__re_lother, c);
  case GP_RE_P_ND: return gp__re_in(gp__re_nd, c);
  case GP_RE_P_N: return gp__re_in(gp__re_nd, c) || gp__re_in(gp__re_nother, c);
  default: return gp__re_in(gp__re_p, c);
  }
}

static int gp__re_is_word(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* ECMAScript's WhiteSpace and LineTerminator. */
static int gp__re_is_space(uint32_t c) {
  return (c >= 9 && c <= 13) || c == ' ' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

static int gp__re_item(const gp_re_item_t *it, uint32_t c) {
  int r;
  switch (it->kind) {
  case GP_RE_I_RANGE: r = c >= it->lo && c <= it->hi; break;
  case GP_RE_I_DIGIT: r = c >= '0' && c <= '9'; break;
  case GP_RE_I_WORD: r = gp__re_is_word(c); break;
  case GP_RE_I_SPACE: r = gp__re_is_space(c); break;
  case GP_RE_I_PROP: r = gp__re_prop(it->lo, c); break;
  default: return 1; /* a property not known: accepted */
  }
  return it->neg ? !r : r;
}

int gp__re_class_match(const gp_re_node_t *n, uint32_t c) {
  for (int k = 0; k < n->nitems; k++)
    if (gp__re_item(&n->items[k], c)) return !n->neg;
  return n->neg;
}

/* Whether single-character node `n` matches at `i`. */
static int gp__re_char_at(const gp_re_match_t *m, const gp_re_node_t *n, size_t i) {
  if (i >= m->n) return 0;
  uint32_t c = m->s[i];
  if (n->kind == GP_RE_CHAR) return c == n->ch;
  if (n->kind == GP_RE_ANY) return c != '\n' && c != '\r' && c != 0x2028 && c != 0x2029;
  return gp__re_class_match(n, c);
}

static int gp__re_word_at(const gp_re_match_t *m, size_t i) {
  return i < m->n && gp__re_is_word(m->s[i]);
}

/* ---- fixed-width pieces ----------------------------------------------------------- */

/* Matches fixed-width sequence `n` at `i` (no choice inside, so no backtracking); the
 * end in *end. */
static int gp__re_fixed(gp_re_match_t *m, const gp_re_node_t *n, size_t i, size_t *end) {
  for (; n; n = n->next) {
    m->steps++;
    if (n->kind == GP_RE_GROUP) {
      if (!gp__re_fixed(m, n->body, i, &i)) return 0;
    } else if (n->kind == GP_RE_REPEAT) {
      for (int c = 0; c < n->min; c++)
        if (!gp__re_fixed(m, n->body, i, &i)) return 0;
    } else {
      if (!gp__re_char_at(m, n, i)) return 0;
      i++;
    }
  }
  *end = i;
  return 1;
}

/* A repeat of a fixed-width body: counts the iterations with a loop, then tries the rest
 * at each count, the longest first (greedy) or the shortest (lazy). */
static int gp__re_repeat_fixed(gp_re_match_t *m, const gp_re_node_t *r, size_t i, const gp_re_cont_t *k) {
  size_t w = (size_t)r->width, max = r->max < 0 ? (size_t)-1 : (size_t)r->max, min = (size_t)r->min;
  size_t c = 0, j = i;
  if (r->greedy) {
    while (c < max && gp__re_fixed(m, r->body, j, &j)) c++;
    if (c < min) return 0;
    for (;; c--) {
      if (gp__re_run(m, r->next, i + c * w, k)) return 1;
      if (c == min || m->blown) return 0;
    }
  }
  for (; c < min; c++)
    if (!gp__re_fixed(m, r->body, j, &j)) return 0;
  for (;;) {
    if (gp__re_run(m, r->next, j, k)) return 1;
    if (c == max || m->blown || !gp__re_fixed(m, r->body, j, &j)) return 0;
    c++;
  }
}

/* ---- the graph -------------------------------------------------------------------- */

/* Repeat `r` after `count` iterations, at `i`. */
static int gp__re_repeat(gp_re_match_t *m, const gp_re_node_t *r, int count, size_t i, const gp_re_cont_t *k) {
  gp_re_cont_t iter = {GP__K_REP, r, i, count + 1, k};
  int more = r->max < 0 || count < r->max;
  if (count < r->min) return gp__re_run(m, r->body, i, &iter);
  if (r->greedy) {
    if (more && gp__re_run(m, r->body, i, &iter)) return 1;
    return gp__re_run(m, r->next, i, k);
  }
  if (gp__re_run(m, r->next, i, k)) return 1;
  return more && gp__re_run(m, r->body, i, &iter);
}

static int gp__re_close(gp_re_match_t *m, size_t i, const gp_re_cont_t *k) {
  size_t *cap = m->caps + 2 * k->node->group;
  size_t old0 = cap[0], old1 = cap[1];
  cap[0] = k->at, cap[1] = i;
  if (gp__re_run(m, NULL, i, k->next)) return 1;
  cap[0] = old0, cap[1] = old1;
  return 0;
}

/* The end of a sequence at `i`: continues with `k`. */
static int gp__re_cont(gp_re_match_t *m, size_t i, const gp_re_cont_t *k) {
  if (!k) return 1;
  switch (k->kind) {
  case GP__K_SEQ: return gp__re_run(m, k->node, i, k->next);
  case GP__K_CLOSE: return gp__re_close(m, i, k);
  case GP__K_REP:
    if (i == k->at && k->count > k->node->min) return 0; /* an empty iteration past the minimum */
    return gp__re_repeat(m, k->node, k->count, i, k->next);
  default: return k->at == GP__RE_UNSET || i == k->at;
  }
}

static int gp__re_look(gp_re_match_t *m, const gp_re_node_t *n, size_t i, const gp_re_cont_t *k) {
  int found = 0;
  if (!n->behind) {
    gp_re_cont_t accept = {GP__K_ACCEPT, NULL, GP__RE_UNSET, 0, NULL};
    found = gp__re_run(m, n->body, i, &accept);
  } else {
    gp_re_cont_t accept = {GP__K_ACCEPT, NULL, i, 0, NULL};
    for (size_t j = i + 1; j-- > 0 && !found && !m->blown;) found = gp__re_run(m, n->body, j, &accept);
  }
  if (m->blown || found == n->neg) return 0;
  return gp__re_run(m, n->next, i, k);
}

static int gp__re_backref(gp_re_match_t *m, const gp_re_node_t *n, size_t i, const gp_re_cont_t *k) {
  size_t a = m->caps[2 * n->group], b = m->caps[2 * n->group + 1];
  if (a == GP__RE_UNSET || b == GP__RE_UNSET) return gp__re_run(m, n->next, i, k);
  if (b - a > m->n - i) return 0;
  for (size_t j = 0; j < b - a; j++)
    if (m->s[a + j] != m->s[i + j]) return 0;
  return gp__re_run(m, n->next, i + (b - a), k);
}

static int gp__re_node(gp_re_match_t *m, const gp_re_node_t *n, size_t i, const gp_re_cont_t *k) {
  switch (n->kind) {
  case GP_RE_CHAR: case GP_RE_ANY: case GP_RE_CLASS:
    return gp__re_char_at(m, n, i) && gp__re_run(m, n->next, i + 1, k);
  case GP_RE_BOL: return i == 0 && gp__re_run(m, n->next, i, k);
  case GP_RE_EOL: return i == m->n && gp__re_run(m, n->next, i, k);
  case GP_RE_WORDB: case GP_RE_NWORDB: {
    int b = (i > 0 && gp__re_word_at(m, i - 1)) != gp__re_word_at(m, i);
    return b == (n->kind == GP_RE_WORDB) && gp__re_run(m, n->next, i, k);
  }
  case GP_RE_GROUP: {
    gp_re_cont_t after = {GP__K_SEQ, n->next, 0, 0, k};
    gp_re_cont_t close = {GP__K_CLOSE, n, i, 0, &after};
    return gp__re_run(m, n->body, i, m->caps && n->group ? &close : &after);
  }
  case GP_RE_ALT: {
    gp_re_cont_t after = {GP__K_SEQ, n->next, 0, 0, k};
    for (int a = 0; a < n->nalts && !m->blown; a++)
      if (gp__re_run(m, n->alts[a], i, &after)) return 1;
    return 0;
  }
  case GP_RE_REPEAT:
    return n->width ? gp__re_repeat_fixed(m, n, i, k) : gp__re_repeat(m, n, 0, i, k);
  case GP_RE_LOOK: return gp__re_look(m, n, i, k);
  default: return gp__re_backref(m, n, i, k);
  }
}

/* Matches sequence `n` at `i`, then `k`. */
static int gp__re_run(gp_re_match_t *m, const gp_re_node_t *n, size_t i, const gp_re_cont_t *k) {
  if (m->blown) return 0;
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  uintptr_t used = m->base > here ? m->base - here : here - m->base;
  if (++m->steps > GP_REGEX_MAX_STEPS || used > GP__RE_STACK) {
    m->blown = 1;
    return 0;
  }
  return n ? gp__re_node(m, n, i, k) : gp__re_cont(m, i, k);
}

int gp__regex_test(const gp_regex_t *re, const char *s, size_t len) {
  gp_re_match_t m = {.base = (uintptr_t)__builtin_frame_address(0)};
  m.s = gp__re_utf8_decode(s, len, &m.n);
  if (!m.s) return -1;
  if (re->backrefs) {
    m.caps = malloc((size_t)(re->ngroups + 1) * 2 * sizeof *m.caps);
    if (!m.caps) return free((void *)m.s), -1;
  }
  int found = 0;
  size_t last = re->head && re->head->kind == GP_RE_BOL ? 0 : m.n; /* ^x only at 0 */
  for (size_t i = 0; i <= last && !found && !m.blown; i++) {
    for (int g = 0; m.caps && g <= 2 * re->ngroups + 1; g++) m.caps[g] = GP__RE_UNSET;
    found = gp__re_run(&m, re->head, i, NULL);
  }
  free(m.caps);
  free((void *)m.s);
  return m.blown && !found ? -1 : found;
}
