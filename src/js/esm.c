/* ES modules to CommonJS (SPEC §3.3): a linear pass of a tokenizer-level scanner over
 * the source that rewrites static `import`/`export` statements, `import(` and
 * `import.meta` without moving any other character: a replaced statement becomes blanks
 * (its line breaks kept), keywords are replaced by text of the same width, and what
 * must run before the body (export getters, the imports' requires and namespaces) goes
 * in a function declaration appended after the last line, which the module wrapper
 * calls first (function and `var` declarations are hoisted). Line numbers of the
 * original source therefore hold in the output, and columns too except after a
 * reference to an import binding: named and default imports are live, each reference
 * becomes a read from the imported module (`count` -> `__gp_m0.count`), which moves the
 * rest of its line (the moves are listed for the loader to map columns back). A first
 * pass finds the imports, a scope pass where inner declarations hide their names, a
 * second rewriting pass the references.
 *
 * The scanner knows strings, template literals (nested `${}`), comments, regular
 * expression literals (told from division by the previous significant token) and
 * nesting, so `import`/`export` in any of those, or as property names, stay as they are.
 * No JavaScriptCore here: pure text, callable from any thread. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"

enum { T_EOF, T_IDENT, T_NUM, T_STR, T_TPL, T_REGEX, T_PUNCT };
/* what an open bracket on the nesting stack is */
enum { K_PAREN, K_CTRL_PAREN, K_BRACKET, K_BLOCK, K_FUNC, K_OBJ, K_CLASS, K_TPL };

typedef struct {
  int type;
  size_t start, end;
  int nl_before;  /* a line break between the previous token and this one */
  int after_dot;  /* previous token was `.` or `?.`: this one is a property name */
  int named;      /* follows `function`, `function*` or `class`: a declared name */
} tok_t;

/* An import binding: `local` reads property `key` of module __gp_mM's exports (named),
 * the `default` of its namespace __gp_dM (default), or is a variable set to the
 * namespace (ns). */
enum { IMP_NAMED, IMP_DEFAULT, IMP_NS };
typedef struct {
  tok_t local, key;
  int m, kind;
} imp_t;

/* Source offsets [start, end) where an inner declaration shadows import `imp`. */
typedef struct {
  size_t imp, start, end;
} shadow_t;

typedef struct scan scan_t;
typedef void (*name_fn)(scan_t *S, const tok_t *name);

struct scan {
  const char *s;
  size_t n, pos;
  unsigned char *stack;  /* nesting kinds */
  size_t depth, cap;
  int funcs;             /* K_FUNC entries on the stack */
  tok_t prev;            /* previous significant token */
  int naming;            /* the next identifier names a function or class */
  int prev_kw_paren;     /* the `(` about to open follows if/for/while/... */
  int last_paren_ctrl;   /* the `)` just closed was a control one */
  int last_brace_obj;    /* the `}` just closed ended an object literal */
  gp_buf_t out;          /* the output */
  size_t copied;         /* source bytes up to here are in out or replaced */
  gp_buf_t tail;         /* the hoisted function's body */
  gp_buf_t vars;         /* `var` names of the tail */
  gp_buf_t getters;      /* export getters: "name":()=>expr, */
  int nmods;             /* modules imported so far */
  int esm;               /* a static import/export was seen */
  int tla;               /* an `await` outside every function */
  imp_t *imps;           /* import bindings met by this pass */
  size_t nimps;
  const imp_t *known;    /* every import binding of the module: references to rewrite */
  size_t nknown;
  const shadow_t *shadows;
  size_t nshadows;
  name_fn on_name;       /* gp__binding's action on a bound name (default: export it) */
  void *scopes;          /* the scope analysis's state (gp__find_shadows) */
  gp_buf_t shifts;       /* "line,start,end,delta;" per reference made longer */
  size_t ln_pos, ln_col; /* line counting: offset reached, its column (1-based) */
  int ln;                /* line number (1-based) at ln_pos */
  int shift_line, shift; /* columns added so far on line shift_line */
};

static int gp__is_id_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c == '\\' || c >= 0x80;
}
static int gp__is_id_char(unsigned char c) { return gp__is_id_start(c) || (c >= '0' && c <= '9'); }

static int gp__tok_is(const scan_t *S, const tok_t *t, const char *w) {
  size_t l = strlen(w);
  return t->end - t->start == l && memcmp(S->s + t->start, w, l) == 0;
}

static void gp__push(scan_t *S, unsigned char k) {
  if (S->depth == S->cap) {
    S->cap = S->cap ? S->cap * 2 : 64;
    S->stack = gp__xrealloc(S->stack, S->cap);
  }
  S->stack[S->depth++] = k;
  if (k == K_FUNC) S->funcs++;
}
static int gp__pop(scan_t *S) {
  if (S->depth == 0) return -1;
  int k = S->stack[--S->depth];
  if (k == K_FUNC) S->funcs--;
  return k;
}

/* Skips blanks and comments; returns whether a line break was crossed. */
static int gp__skip_space(scan_t *S) {
  int nl = 0;
  const char *s = S->s;
  while (S->pos < S->n) {
    unsigned char c = (unsigned char)s[S->pos];
    if (c == '\n' || c == '\r') { nl = 1; S->pos++; }
    else if (c == ' ' || c == '\t' || c == '\v' || c == '\f') S->pos++;
    else if (c == 0xE2 && S->pos + 2 < S->n && (unsigned char)s[S->pos + 1] == 0x80 &&
             ((unsigned char)s[S->pos + 2] == 0xA8 || (unsigned char)s[S->pos + 2] == 0xA9)) {
      nl = 1; S->pos += 3;
    } else if (c == 0xC2 && S->pos + 1 < S->n && (unsigned char)s[S->pos + 1] == 0xA0) S->pos += 2;
    else if (c == 0xEF && S->pos + 2 < S->n && (unsigned char)s[S->pos + 1] == 0xBB &&
             (unsigned char)s[S->pos + 2] == 0xBF) S->pos += 3; /* BOM */
    else if (c == '/' && S->pos + 1 < S->n && s[S->pos + 1] == '/') {
      while (S->pos < S->n && s[S->pos] != '\n' && s[S->pos] != '\r') S->pos++;
    } else if (c == '/' && S->pos + 1 < S->n && s[S->pos + 1] == '*') {
      const char *e = S->pos + 2 <= S->n ? memmem(s + S->pos + 2, S->n - S->pos - 2, "*/", 2) : NULL;
      size_t end = e ? (size_t)(e - s) + 2 : S->n;
      if (memchr(s + S->pos, '\n', end - S->pos)) nl = 1;
      S->pos = end;
    } else if (c == '#' && S->pos == 0 && S->n > 1 && s[1] == '!') {
      while (S->pos < S->n && s[S->pos] != '\n') S->pos++;
    } else break;
  }
  return nl;
}

/* The next non-blank character (0 at the end) without consuming anything. */
static char gp__peek_char(scan_t *S, int *nl) {
  size_t save = S->pos;
  int crossed = gp__skip_space(S);
  char c = S->pos < S->n ? S->s[S->pos] : 0;
  S->pos = save;
  if (nl) *nl = crossed;
  return c;
}

/* Whether the next word is `w` (on the same line when same_line). */
static int gp__peek_word(scan_t *S, const char *w, int same_line) {
  size_t save = S->pos;
  int nl = gp__skip_space(S);
  size_t l = strlen(w);
  int ok = !(same_line && nl) && S->pos + l <= S->n && memcmp(S->s + S->pos, w, l) == 0 &&
           (S->pos + l == S->n || !gp__is_id_char((unsigned char)S->s[S->pos + l]));
  S->pos = save;
  return ok;
}

static void gp__scan_string(scan_t *S, char q) {
  const char *s = S->s;
  S->pos++;
  while (S->pos < S->n && s[S->pos] != q) {
    if (s[S->pos] == '\\') S->pos++;
    else if (s[S->pos] == '\n') break; /* unterminated: let the engine report it */
    S->pos++;
  }
  if (S->pos < S->n) S->pos++;
}

/* Scans template characters from S->pos (after '`' or a closing '}') to the closing
 * '`' (done) or to a '${' (pushes K_TPL). */
static void gp__scan_template(scan_t *S) {
  const char *s = S->s;
  while (S->pos < S->n) {
    char c = s[S->pos];
    if (c == '\\') { S->pos += 2; continue; }
    if (c == '`') { S->pos++; return; }
    if (c == '$' && S->pos + 1 < S->n && s[S->pos + 1] == '{') {
      S->pos += 2;
      gp__push(S, K_TPL);
      return;
    }
    S->pos++;
  }
}

static void gp__scan_regex(scan_t *S) {
  const char *s = S->s;
  int cls = 0;
  S->pos++;
  while (S->pos < S->n) {
    char c = s[S->pos];
    if (c == '\\') { S->pos += 2; continue; }
    if (c == '\n') break;
    if (c == '[') cls = 1;
    else if (c == ']') cls = 0;
    else if (c == '/' && !cls) { S->pos++; break; }
    S->pos++;
  }
  while (S->pos < S->n && gp__is_id_char((unsigned char)s[S->pos])) S->pos++;
}

static void gp__scan_number(scan_t *S) {
  const char *s = S->s;
  int hex = s[S->pos] == '0' && S->pos + 1 < S->n && (s[S->pos + 1] | 0x20) == 'x';
  while (S->pos < S->n) {
    char c = s[S->pos];
    if (gp__is_id_char((unsigned char)c) || c == '.') {
      S->pos++;
      if (!hex && (c | 0x20) == 'e' && S->pos < S->n && (s[S->pos] == '+' || s[S->pos] == '-')) S->pos++;
    } else break;
  }
}

/* Words after which an expression (so a regular expression) begins. */
static int gp__kw_before_expr(const scan_t *S, const tok_t *t) {
  static const char *const kws[] = {"return", "typeof", "instanceof", "in", "of", "new", "delete",
                                    "void", "throw", "case", "do", "else", "yield", "await",
                                    "extends", NULL};
  for (int i = 0; kws[i]; i++)
    if (gp__tok_is(S, t, kws[i])) return 1;
  return 0;
}

/* Whether a '/' here starts a regular expression, by the previous significant token. */
static int gp__regex_allowed(const scan_t *S) {
  const tok_t *p = &S->prev;
  switch (p->type) {
  case T_EOF: return 1;
  case T_IDENT: return !p->after_dot && gp__kw_before_expr(S, p);
  case T_NUM: case T_STR: case T_TPL: case T_REGEX: return 0;
  default: break;
  }
  char c = S->s[p->start];
  size_t l = p->end - p->start;
  if (l == 1 && c == ')') return S->last_paren_ctrl;
  if (l == 1 && c == ']') return 0;
  if (l == 1 && c == '}') return !S->last_brace_obj;
  if (l == 1 && (c == '{' || c == ';')) return 1;
  if (l == 2 && (c == '+' || c == '-') && S->s[p->start + 1] == c) return 0;
  return 1;
}

/* The kind of a '{' opening here, by the previous significant token. */
static int gp__brace_kind(const scan_t *S) {
  const tok_t *p = &S->prev;
  if (p->type == T_EOF) return K_BLOCK;
  if (p->type == T_IDENT) {
    if (p->after_dot) return K_OBJ;
    if (gp__tok_is(S, p, "return") || gp__tok_is(S, p, "typeof") || gp__tok_is(S, p, "in") ||
        gp__tok_is(S, p, "of") || gp__tok_is(S, p, "yield") || gp__tok_is(S, p, "await") ||
        gp__tok_is(S, p, "case") || gp__tok_is(S, p, "void") || gp__tok_is(S, p, "throw") || gp__tok_is(S, p, "new") ||
        gp__tok_is(S, p, "default")) /* export default {…} */
      return K_OBJ;
    if (gp__tok_is(S, p, "else") || gp__tok_is(S, p, "try") || gp__tok_is(S, p, "finally") || gp__tok_is(S, p, "do") ||
        gp__tok_is(S, p, "catch") || gp__tok_is(S, p, "static"))
      return K_BLOCK;
    return K_CLASS; /* class X, class X extends Y */
  }
  if (p->type != T_PUNCT) return K_OBJ;
  size_t l = p->end - p->start;
  char c = S->s[p->start];
  if (l == 1 && c == ')') return S->last_paren_ctrl ? K_BLOCK : K_FUNC;
  if (l == 2 && c == '=' && S->s[p->start + 1] == '>') return K_FUNC;
  if (l == 1 && (c == ';' || c == '{' || c == '}')) return K_BLOCK;
  return K_OBJ;
}

static int gp__is_ctrl_word(const scan_t *S, const tok_t *t) {
  return t->type == T_IDENT && !t->after_dot &&
         (gp__tok_is(S, t, "if") || gp__tok_is(S, t, "for") || gp__tok_is(S, t, "while") ||
          gp__tok_is(S, t, "switch") || gp__tok_is(S, t, "catch") || gp__tok_is(S, t, "with"));
}

/* The next significant token; keeps the nesting stack and S->prev up to date. */
static tok_t gp__next(scan_t *S) {
  tok_t t = {0};
  t.nl_before = gp__skip_space(S);
  t.start = S->pos;
  t.after_dot = S->prev.type == T_PUNCT &&
                ((S->prev.end - S->prev.start == 1 && S->s[S->prev.start] == '.') ||
                 (S->prev.end - S->prev.start == 2 && S->s[S->prev.start] == '?'));
  if (S->pos >= S->n) {
    t.type = T_EOF;
    t.end = S->n;
    return t;
  }
  const char *s = S->s;
  unsigned char c = (unsigned char)s[S->pos];
  if (gp__is_id_start(c) || c == '#') {
    S->pos++;
    while (S->pos < S->n && gp__is_id_char((unsigned char)s[S->pos])) S->pos++;
    t.type = T_IDENT;
  } else if ((c >= '0' && c <= '9') || (c == '.' && S->pos + 1 < S->n && s[S->pos + 1] >= '0' && s[S->pos + 1] <= '9')) {
    gp__scan_number(S);
    t.type = T_NUM;
  } else if (c == '"' || c == '\'') {
    gp__scan_string(S, (char)c);
    t.type = T_STR;
  } else if (c == '`') {
    S->pos++;
    gp__scan_template(S);
    t.type = T_TPL;
  } else if (c == '/' && gp__regex_allowed(S)) {
    gp__scan_regex(S);
    t.type = T_REGEX;
  } else {
    t.type = T_PUNCT;
    S->pos++;
    char d = S->pos < S->n ? s[S->pos] : 0;
    if ((c == '=' && d == '>') || (c == '+' && d == '+') || (c == '-' && d == '-')) S->pos++;
    else if (c == '?' && d == '.' && !(S->pos + 1 < S->n && s[S->pos + 1] >= '0' && s[S->pos + 1] <= '9')) S->pos++;
    else if (c == '.' && d == '.' && S->pos + 1 < S->n && s[S->pos + 1] == '.') S->pos += 2;
    switch (c) {
    case '(': gp__push(S, gp__is_ctrl_word(S, &S->prev) ? K_CTRL_PAREN : K_PAREN); break;
    case '[': gp__push(S, K_BRACKET); break;
    case '{': gp__push(S, (unsigned char)gp__brace_kind(S)); break;
    case ')': S->last_paren_ctrl = gp__pop(S) == K_CTRL_PAREN; break;
    case ']': gp__pop(S); break;
    case '}':
      if (S->depth && S->stack[S->depth - 1] == K_TPL) {
        gp__pop(S);
        gp__scan_template(S);
        t.type = T_TPL;
      } else {
        S->last_brace_obj = gp__pop(S) == K_OBJ;
      }
      break;
    default: break;
    }
  }
  t.end = S->pos;
  t.named = S->naming && t.type == T_IDENT;
  S->naming = (t.type == T_IDENT && !t.after_dot && (gp__tok_is(S, &t, "function") || gp__tok_is(S, &t, "class"))) ||
              (S->naming && t.type == T_PUNCT && S->s[t.start] == '*');
  S->prev = t;
  return t;
}

/* ---- output --------------------------------------------------------------------- */

static void gp__copy_to(scan_t *S, size_t pos) {
  if (pos > S->copied) gp__buf_append(&S->out, S->s + S->copied, pos - S->copied);
  if (pos > S->copied) S->copied = pos;
}

/* Replaces source [start, end) by `text` then blanks: line breaks stay, every other
 * character becomes a space per UTF-16 unit, so later columns do not move. */
static void gp__replace(scan_t *S, size_t start, size_t end, const char *text) {
  gp__copy_to(S, start);
  size_t skip = text ? strlen(text) : 0;
  if (skip) gp__buf_append(&S->out, text, skip);
  for (size_t i = start; i < end; i++) {
    unsigned char c = (unsigned char)S->s[i];
    if (c == '\n' || c == '\r') { gp__buf_append(&S->out, (const char *)&c, 1); continue; }
    if (c == 0xE2 && i + 2 < end && (unsigned char)S->s[i + 1] == 0x80 &&
        ((unsigned char)S->s[i + 2] & 0xFE) == 0xA8) {
      gp__buf_append(&S->out, S->s + i, 3);
      i += 2;
      continue;
    }
    if ((c & 0xC0) == 0x80) continue; /* UTF-8 continuation byte */
    int units = c >= 0xF0 ? 2 : 1;
    while (units--) {
      if (skip) skip--;
      else gp__buf_append(&S->out, " ", 1);
    }
  }
  S->copied = end;
}

static void gp__add_var(scan_t *S, const char *name, size_t n) {
  if (S->vars.len) gp__buf_append(&S->vars, ",", 1);
  gp__buf_append(&S->vars, name, n);
}

/* `"exported":()=>expr` in the getters. `name` is an identifier or a string token. */
static void gp__add_getter(scan_t *S, const char *name, size_t n, const char *expr, size_t en) {
  if (n && (name[0] == '"' || name[0] == '\'')) gp__buf_append(&S->getters, name, n);
  else {
    gp__buf_append(&S->getters, "\"", 1);
    gp__buf_append(&S->getters, name, n);
    gp__buf_append(&S->getters, "\"", 1);
  }
  gp__buf_append(&S->getters, ":()=>", 5);
  gp__buf_append(&S->getters, expr, en);
  gp__buf_append(&S->getters, ",", 1);
}

static const imp_t *gp__find_import(const scan_t *S, const imp_t *v, size_t n, const tok_t *t);
static void gp__add_read(gp_buf_t *out, const scan_t *S, const imp_t *b);

/* The export `as` of local name `nm`, which may be an import binding (a re-export). */
static void gp__add_local_getter(scan_t *S, const tok_t *as, const tok_t *nm) {
  const imp_t *b = gp__find_import(S, S->known, S->nknown, nm);
  if (b && b->kind != IMP_NS) {
    gp_buf_t e = {0};
    gp__add_read(&e, S, b);
    gp__add_getter(S, S->s + as->start, as->end - as->start, e.data, e.len);
    gp__buf_free(&e);
  } else {
    gp__add_getter(S, S->s + as->start, as->end - as->start, S->s + nm->start, nm->end - nm->start);
  }
}

static void gp__add_local_export(scan_t *S, const tok_t *name) {
  if (S->on_name) {
    S->on_name(S, name);
    return;
  }
  gp__add_local_getter(S, name, name);
}

/* The tail code that loads module `spec` (a string token) into __gp_mN; returns N. */
static int gp__add_import(scan_t *S, const tok_t *spec) {
  int m = S->nmods++;
  char v[32];
  int vn = snprintf(v, sizeof v, "__gp_m%d", m);
  gp__add_var(S, v, (size_t)vn);
  gp__buf_printf(&S->tail, "%s=__esm.imp(", v);
  gp__buf_append(&S->tail, S->s + spec->start, spec->end - spec->start);
  gp__buf_puts(&S->tail, ");");
  return m;
}

/* `["name"]` (an identifier quoted, a string token as is) into b. */
static void gp__add_key(gp_buf_t *b, const scan_t *S, const tok_t *nm) {
  gp__buf_append(b, "[", 1);
  if (nm->type == T_STR) gp__buf_append(b, S->s + nm->start, nm->end - nm->start);
  else {
    gp__buf_append(b, "\"", 1);
    gp__buf_append(b, S->s + nm->start, nm->end - nm->start);
    gp__buf_append(b, "\"", 1);
  }
  gp__buf_append(b, "]", 1);
}

/* The expression that reads import binding b: `__gp_m0.name`, `__gp_m0["s"]`,
 * `__gp_d0.default`. */
static void gp__add_read(gp_buf_t *out, const scan_t *S, const imp_t *b) {
  if (b->kind == IMP_DEFAULT) {
    gp__buf_printf(out, "__gp_d%d.default", b->m);
    return;
  }
  gp__buf_printf(out, "__gp_m%d", b->m);
  if (b->key.type == T_STR) gp__add_key(out, S, &b->key);
  else {
    gp__buf_append(out, ".", 1);
    gp__buf_append(out, S->s + b->key.start, b->key.end - b->key.start);
  }
}

/* Notes import binding `local` of module m. A namespace is a variable set once (an
 * ES module's exports object is its namespace from the start); a default import reads
 * the namespace __gp_dM, set once too; a named import reads the exports object. Every
 * reference to a default or named import is rewritten into such a read (live). */
static void gp__add_binding(scan_t *S, const tok_t *local, const tok_t *key, int m, int kind) {
  if (S->nimps % 8 == 0) S->imps = gp__xrealloc(S->imps, (S->nimps + 8) * sizeof *S->imps);
  imp_t *b = &S->imps[S->nimps++];
  b->local = *local;
  b->key = key ? *key : *local;
  b->m = m;
  b->kind = kind;
  if (kind == IMP_NAMED) return;
  char v[32];
  int vn = snprintf(v, sizeof v, "__gp_d%d", m);
  if (kind == IMP_NS) gp__add_var(S, S->s + local->start, local->end - local->start);
  else gp__add_var(S, v, (size_t)vn);
  if (kind == IMP_NS) gp__buf_append(&S->tail, S->s + local->start, local->end - local->start);
  else gp__buf_append(&S->tail, v, (size_t)vn);
  gp__buf_printf(&S->tail, "=__esm.ns(__gp_m%d);", m);
}

/* ---- statements ---------------------------------------------------------------- */

/* Skips an optional `with {…}` / `assert {…}` clause and `;`; returns the end offset. */
static size_t gp__finish_statement(scan_t *S, size_t end) {
  if (gp__peek_word(S, "with", 0) || gp__peek_word(S, "assert", 1)) {
    gp__next(S);
    if (gp__peek_char(S, NULL) == '{') {
      tok_t t = gp__next(S);
      size_t d = S->depth - 1;
      while (t.type != T_EOF && S->depth > d) t = gp__next(S);
      end = t.end;
    }
  }
  if (gp__peek_char(S, NULL) == ';') end = gp__next(S).end;
  return end;
}

/* `{ a, b as c, default as d, "s" as e }` of an import (is_export 0) or an export;
 * fills names[i] (local or imported) and as[i] tokens. Returns the count, -1 on error. */
typedef struct { tok_t name, as; } spec_t;

static int gp__parse_specs(scan_t *S, spec_t **out) {
  size_t cap = 8, n = 0;
  spec_t *v = gp__xmalloc(cap * sizeof *v);
  for (;;) {
    tok_t t = gp__next(S);
    if (t.type == T_PUNCT && S->s[t.start] == '}') break;
    if (t.type != T_IDENT && t.type != T_STR) { free(v); return -1; }
    if (n == cap) v = gp__xrealloc(v, (cap *= 2) * sizeof *v);
    v[n].name = v[n].as = t;
    if (gp__peek_word(S, "as", 0)) {
      gp__next(S);
      v[n].as = gp__next(S);
    }
    n++;
    t = gp__next(S);
    if (t.type == T_PUNCT && S->s[t.start] == '}') break;
    if (!(t.type == T_PUNCT && S->s[t.start] == ',')) { free(v); return -1; }
  }
  *out = v;
  return (int)n;
}

/* `import …` at statement level, S->prev being the `import` token. Returns 0 when the
 * statement was rewritten, -1 when it is left for the engine to report. */
static int gp__do_import(scan_t *S, const tok_t *kw) {
  tok_t def = {0}, ns = {0}, spec;
  spec_t *specs = NULL;
  int nspecs = 0;
  tok_t t = gp__next(S);
  if (t.type == T_STR) {
    spec = t;
  } else {
    if (t.type == T_IDENT) {
      def = t;
      t = gp__next(S);
      if (t.type == T_PUNCT && S->s[t.start] == ',') t = gp__next(S);
    }
    if (t.type == T_PUNCT && S->s[t.start] == '*') {
      if (!gp__peek_word(S, "as", 0)) return -1;
      gp__next(S);
      ns = gp__next(S);
      t = gp__next(S);
    } else if (t.type == T_PUNCT && S->s[t.start] == '{') {
      nspecs = gp__parse_specs(S, &specs);
      if (nspecs < 0) return -1;
      t = gp__next(S);
    }
    if (!gp__tok_is(S, &t, "from")) { free(specs); return -1; }
    spec = gp__next(S);
    if (spec.type != T_STR) { free(specs); return -1; }
  }
  size_t end = gp__finish_statement(S, spec.end);
  int m = gp__add_import(S, &spec);
  if (def.type) gp__add_binding(S, &def, NULL, m, IMP_DEFAULT);
  if (ns.type) gp__add_binding(S, &ns, NULL, m, IMP_NS);
  for (int i = 0; i < nspecs; i++) {
    const tok_t *nm = &specs[i].name;
    gp__add_binding(S, &specs[i].as, nm, m, gp__tok_is(S, nm, "default") ? IMP_DEFAULT : IMP_NAMED);
  }
  free(specs);
  gp__replace(S, kw->start, end, NULL);
  return 0;
}

static int gp__expr_word(scan_t *S, const tok_t *t, const tok_t *before);

/* Whether the previous token can end an expression (a line break after it may end
 * the statement). */
static int gp__prev_ends_expr(const scan_t *S) {
  const tok_t *p = &S->prev;
  if (p->type != T_PUNCT) return p->type != T_EOF;
  char c = S->s[p->start];
  return c == ')' || c == ']' || c == '}' || ((c == '+' || c == '-') && p->end - p->start == 2);
}

/* Skips an expression up to a ',' or a closer at the current depth (not consumed:
 * the returned token is it). Stops at a line break that ends a statement. */
static tok_t gp__skip_expr(scan_t *S, size_t depth) {
  for (;;) {
    int nl = 0;
    char c = gp__peek_char(S, &nl);
    if (c == 0) return gp__next(S);
    if (S->depth == depth && (c == ',' || c == ';' || c == '}' || c == ']' || c == ')')) return gp__next(S);
    if (S->depth == depth && nl && gp__prev_ends_expr(S) && c != '.' && c != '(' && c != '[' &&
        c != '?' && c != '+' && c != '-' && c != '*' && c != '/' && c != '%' && c != '&' &&
        c != '|' && c != '^' && c != '=' && c != '<' && c != '>' && c != '`' && c != '!' &&
        !gp__peek_word(S, "in", 0) && !gp__peek_word(S, "instanceof", 0)) {
      tok_t t = {0};
      t.type = T_EOF; /* statement ended by a line break */
      return t;
    }
    tok_t before = S->prev;
    tok_t t = gp__next(S);
    gp__expr_word(S, &t, &before);
  }
}

/* A binding (identifier or pattern) of a declaration: each name becomes an export. */
static int gp__binding(scan_t *S) {
  tok_t t = gp__next(S);
  if (t.type == T_IDENT) { gp__add_local_export(S, &t); return 0; }
  if (t.type != T_PUNCT) return -1;
  char open = S->s[t.start];
  if (open != '{' && open != '[') return -1;
  size_t depth = S->depth;
  for (;;) {
    char c = gp__peek_char(S, NULL);
    if (c == 0) return -1;
    if (c == '}' || c == ']') { gp__next(S); return 0; }
    if (c == ',') { gp__next(S); continue; }
    if (c == '.') { gp__next(S); if (gp__binding(S) < 0) return -1; }
    else if (open == '[') { if (gp__binding(S) < 0) return -1; }
    else {
      tok_t key = gp__next(S);
      if (key.type == T_PUNCT && S->s[key.start] == '[') { /* computed key */
        while (S->depth >= depth + 1) gp__next(S);
        key.type = T_PUNCT;
      }
      if (gp__peek_char(S, NULL) == ':') {
        gp__next(S);
        if (gp__binding(S) < 0) return -1;
      } else if (key.type == T_IDENT) gp__add_local_export(S, &key);
      else return -1;
    }
    if (gp__peek_char(S, NULL) == '=') {
      gp__next(S);
      tok_t e = gp__skip_expr(S, depth);
      if (e.type == T_EOF) return -1;
      char ec = S->s[e.start];
      if (ec == '}' || ec == ']') return 0;
    }
  }
}

/* `export var|let|const` declarators: every bound name is exported. */
static void gp__declarators(scan_t *S) {
  size_t depth = S->depth;
  for (;;) {
    if (gp__binding(S) < 0) return;
    int nl = 0;
    char c = gp__peek_char(S, &nl);
    if (c == '=') {
      gp__next(S);
      tok_t e = gp__skip_expr(S, depth);
      if (e.type != T_PUNCT || S->s[e.start] != ',') return;
    } else if (c == ',') gp__next(S);
    else return;
  }
}

static void gp__export_decl_name(scan_t *S) {
  tok_t t = gp__next(S); /* function, class, async */
  if (gp__tok_is(S, &t, "async")) t = gp__next(S);
  if (gp__peek_char(S, NULL) == '*') gp__next(S);
  tok_t name = gp__next(S);
  if (name.type == T_IDENT) gp__add_local_export(S, &name);
}

static void gp__export_default(scan_t *S, const tok_t *kw) {
  tok_t d = gp__next(S); /* default */
  int async = gp__peek_word(S, "async", 0);
  size_t save = S->pos;
  tok_t saved_prev = S->prev;
  if (async) {
    gp__next(S);
    if (!gp__peek_word(S, "function", 1)) { /* async arrow or identifier: an expression */
      S->pos = save;
      S->prev = saved_prev;
      async = 0;
      goto expr;
    }
  }
  if (gp__peek_word(S, "function", 0) || gp__peek_word(S, "class", 0)) {
    tok_t f = gp__next(S);
    int is_class = gp__tok_is(S, &f, "class");
    tok_t star = {0};
    if (!is_class && gp__peek_char(S, NULL) == '*') star = gp__next(S);
    char c = gp__peek_char(S, NULL);
    size_t pos = S->pos;
    int named = gp__is_id_start((unsigned char)c) && !(is_class && gp__peek_word(S, "extends", 0));
    if (named) {
      tok_t name = gp__next(S);
      gp__add_getter(S, "default", 7, S->s + name.start, name.end - name.start);
      gp__replace(S, kw->start, d.end, NULL);
    } else {
      const char *text = is_class ? "class __default"
                         : async ? (star.type ? "async function* __default" : "async function __default")
                                 : (star.type ? "function* __default" : "function __default");
      gp__replace(S, kw->start, pos, text);
      gp__add_getter(S, "default", 7, "__default", 9);
    }
    return;
  }
expr:
  gp__replace(S, kw->start, d.end, "var __default=");
  gp__add_getter(S, "default", 7, "__default", 9);
}

/* `export …` at statement level. */
static void gp__do_export(scan_t *S, const tok_t *kw) {
  if (gp__peek_word(S, "default", 0)) { gp__export_default(S, kw); return; }
  char c = gp__peek_char(S, NULL);
  if (c == '*') {
    gp__next(S);
    tok_t ns = {0};
    if (gp__peek_word(S, "as", 0)) { gp__next(S); ns = gp__next(S); }
    tok_t from = gp__next(S), spec = gp__next(S);
    if (!gp__tok_is(S, &from, "from") || spec.type != T_STR) return;
    size_t end = gp__finish_statement(S, spec.end);
    int m = gp__add_import(S, &spec);
    char e[32];
    int en = snprintf(e, sizeof e, "__esm.ns(__gp_m%d)", m);
    if (ns.type) gp__add_getter(S, S->s + ns.start, ns.end - ns.start, e, (size_t)en);
    else gp__buf_printf(&S->tail, "__esm.star(__gp_m%d);", m);
    gp__replace(S, kw->start, end, NULL);
    return;
  }
  if (c == '{') {
    gp__next(S);
    spec_t *specs = NULL;
    int n = gp__parse_specs(S, &specs);
    if (n < 0) return;
    size_t end = S->prev.end;
    int m = -1;
    if (gp__peek_word(S, "from", 0)) {
      gp__next(S);
      tok_t spec = gp__next(S);
      if (spec.type != T_STR) { free(specs); return; }
      end = spec.end;
      m = gp__add_import(S, &spec);
    }
    end = gp__finish_statement(S, end);
    for (int i = 0; i < n; i++) {
      const tok_t *nm = &specs[i].name, *as = &specs[i].as;
      if (m < 0) {
        gp__add_local_getter(S, as, nm);
        continue;
      }
      gp_buf_t e = {0};
      if (gp__tok_is(S, nm, "default")) gp__buf_printf(&e, "__esm.dflt(__gp_m%d)", m);
      else {
        gp__buf_printf(&e, "__gp_m%d", m);
        gp__add_key(&e, S, nm);
      }
      gp__add_getter(S, S->s + as->start, as->end - as->start, e.data, e.len);
      gp__buf_free(&e);
    }
    free(specs);
    gp__replace(S, kw->start, end, NULL);
    return;
  }
  gp__replace(S, kw->start, kw->end, NULL); /* `export ` of a declaration */
  if (gp__peek_word(S, "var", 0) || gp__peek_word(S, "let", 0) || gp__peek_word(S, "const", 0)) {
    gp__next(S);
    gp__declarators(S);
  } else if (gp__peek_word(S, "function", 0) || gp__peek_word(S, "class", 0) || gp__peek_word(S, "async", 0)) {
    gp__export_decl_name(S);
  }
}

/* Whether an `import` followed by '(' is a method name of an object literal or class
 * body (`{ import(x) {…} }`) rather than an import expression; `before` is the token
 * before it. */
static int gp__import_is_method(const scan_t *S, const tok_t *before) {
  if (S->depth == 0) return 0;
  int k = S->stack[S->depth - 1];
  if (k != K_OBJ && k != K_CLASS) return 0;
  if (before->type == T_IDENT)
    return gp__tok_is(S, before, "static") || gp__tok_is(S, before, "get") || gp__tok_is(S, before, "set") ||
           gp__tok_is(S, before, "async");
  if (before->type != T_PUNCT) return 0;
  char c = S->s[before->start];
  return c == '{' || c == ',' || c == '*' || (k == K_CLASS && (c == ';' || c == '}'));
}

/* At `import` followed by '.': rewrites `import.meta`; otherwise leaves the tokens. */
static void gp__import_meta(scan_t *S, const tok_t *kw) {
  size_t save = S->pos;
  tok_t sp = S->prev;
  gp__next(S);
  tok_t m = gp__next(S);
  if (gp__tok_is(S, &m, "meta")) {
    gp__replace(S, kw->start, m.end, "_importMeta");
    return;
  }
  S->pos = save;
  S->prev = sp;
}

/* ---- references to import bindings ------------------------------------------------ */

static const imp_t *gp__find_import(const scan_t *S, const imp_t *v, size_t n, const tok_t *t) {
  size_t l = t->end - t->start;
  for (size_t i = 0; i < n; i++)
    if (v[i].local.end - v[i].local.start == l && memcmp(S->s + v[i].local.start, S->s + t->start, l) == 0)
      return &v[i];
  return NULL;
}

static int gp__shadowed(const scan_t *S, size_t imp, size_t pos) {
  for (size_t i = 0; i < S->nshadows; i++)
    if (S->shadows[i].imp == imp && S->shadows[i].start <= pos && pos < S->shadows[i].end) return 1;
  return 0;
}

static int gp__is_punct(const scan_t *S, const tok_t *t, char c) {
  return t->type == T_PUNCT && t->end - t->start == 1 && S->s[t->start] == c;
}

static int gp__is_word(const scan_t *S, const tok_t *t, const char *w) {
  return t->type == T_IDENT && !t->after_dot && gp__tok_is(S, t, w);
}

/* Whether identifier t, preceded by `before`, is a name that is not a reference: an
 * object key, a label, a method or class field name, a break/continue label. */
static int gp__not_reference(scan_t *S, const tok_t *t, const tok_t *before) {
  if (t->named || ((gp__is_word(S, before, "break") || gp__is_word(S, before, "continue")) && !t->nl_before))
    return 1;
  size_t save = S->pos;
  char next = gp__peek_char(S, NULL);
  gp__skip_space(S);
  char next2 = S->pos + 1 < S->n ? S->s[S->pos + 1] : 0;
  S->pos = save;
  int at_start = before->type == T_EOF || gp__is_punct(S, before, '{') || gp__is_punct(S, before, ',') ||
                 gp__is_punct(S, before, ';') || gp__is_punct(S, before, '}');
  if (next == ':' && at_start) return 1;
  int top = S->depth ? S->stack[S->depth - 1] : -1;
  if (top != K_OBJ && top != K_CLASS) return 0;
  int key = at_start || gp__is_punct(S, before, '*') || gp__is_word(S, before, "get") ||
            gp__is_word(S, before, "set") || gp__is_word(S, before, "static") || gp__is_word(S, before, "async");
  if (key && next == '(') return 1;
  return top == K_CLASS && key &&
         ((next == '=' && next2 != '=' && next2 != '>') || next == ';' || next == '}' || next == ',');
}

/* Notes that the reference t became `rlen` characters: on its line, columns after it
 * moved (recorded as line, output start and end columns (1-based), added width). */
static void gp__note_shift(scan_t *S, const tok_t *t, size_t rlen) {
  if (S->ln == 0) S->ln = 1, S->ln_col = 1;
  for (; S->ln_pos < t->start; S->ln_pos++) {
    unsigned char c = (unsigned char)S->s[S->ln_pos];
    int u2028 = c == 0xE2 && S->ln_pos + 2 < S->n && (unsigned char)S->s[S->ln_pos + 1] == 0x80 &&
                ((unsigned char)S->s[S->ln_pos + 2] & 0xFE) == 0xA8;
    if (c == '\n' || (c == '\r' && (S->ln_pos + 1 >= S->n || S->s[S->ln_pos + 1] != '\n')) || u2028) {
      if (u2028) S->ln_pos += 2;
      S->ln++;
      S->ln_col = 1;
    } else if ((c & 0xC0) != 0x80) {
      S->ln_col += c >= 0xF0 ? 2 : 1; /* UTF-16 units */
    }
  }
  if (S->shift_line != S->ln) S->shift_line = S->ln, S->shift = 0;
  size_t start = S->ln_col + (size_t)S->shift, delta = rlen - (t->end - t->start);
  gp__buf_printf(&S->shifts, "%d,%zu,%zu,%zu;", S->ln, start, start + rlen, delta);
  S->shift += (int)delta;
}

/* Rewrites t when it is a reference to an import binding; returns 1 if it did. */
static int gp__import_ref(scan_t *S, const tok_t *t, const tok_t *before) {
  const imp_t *b = gp__find_import(S, S->known, S->nknown, t);
  if (b == NULL || b->kind == IMP_NS || gp__shadowed(S, (size_t)(b - S->known), t->start) ||
      gp__not_reference(S, t, before))
    return 0;
  char next = gp__peek_char(S, NULL);
  int top = S->depth ? S->stack[S->depth - 1] : -1;
  int shorthand = top == K_OBJ && (gp__is_punct(S, before, '{') || gp__is_punct(S, before, ',')) &&
                  (next == ',' || next == '}');
  int call = next == '(' || next == '`'; /* called with `this` undefined, as in ESM */
  gp_buf_t e = {0};
  if (shorthand) {
    gp__buf_append(&e, S->s + t->start, t->end - t->start);
    gp__buf_append(&e, ":", 1);
  }
  if (call) gp__buf_puts(&e, "(0,");
  gp__add_read(&e, S, b);
  if (call) gp__buf_puts(&e, ")");
  gp__note_shift(S, t, e.len);
  gp__replace(S, t->start, t->end, e.data);
  gp__buf_free(&e);
  return 1;
}

/* `import(`, `import.meta` and `await` wherever an expression may be: rewrites the first
 * two, notes the last outside functions; rewrites references to import bindings.
 * Returns 1 when it took the token. */
static int gp__expr_word(scan_t *S, const tok_t *t, const tok_t *before) {
  if (t->type != T_IDENT || t->after_dot) return 0;
  if (S->nknown && gp__import_ref(S, t, before)) return 1;
  size_t len = t->end - t->start;
  const char *w = S->s + t->start;
  if (len == 5 && memcmp(w, "await", 5) == 0) {
    if (S->funcs == 0) S->tla = 1;
    return 1;
  }
  if (len != 6 || memcmp(w, "import", 6) != 0) return 0;
  char c = gp__peek_char(S, NULL);
  if (c == '(') {
    if (!gp__import_is_method(S, before)) gp__replace(S, t->start, t->end, "_dyimp");
    return 1;
  }
  if (c == '.') {
    gp__import_meta(S, t);
    return 1;
  }
  return 0;
}

static void gp__scan_free(scan_t *S) {
  free(S->stack);
  free(S->imps);
  gp__buf_free(&S->out);
  gp__buf_free(&S->tail);
  gp__buf_free(&S->vars);
  gp__buf_free(&S->getters);
  gp__buf_free(&S->shifts);
}

/* ---- shadowing: where an inner declaration hides an import binding ---------------- */

/* A scope of the analysis: a block or function body (open until its brace closes), a
 * parenthesized head (function parameters, `for (…)`, `catch (…)`) awaiting the body it
 * belongs to, or an expression or single-statement body (an arrow's expression, a `for`
 * statement without braces) ended by `,` `;`, a closer or a line break at its depth. */
enum { SC_OPEN, SC_HEAD, SC_AWAIT, SC_EXPR };
typedef struct {
  size_t start, depth;
  int state, fn;
} scope_t;

typedef struct {
  scope_t *v;
  size_t n, cap;
  struct { size_t imp, scope; } *decl; /* declarations of import names, by scope */
  size_t ndecl, decl_cap;
  shadow_t *out;
  size_t nout, out_cap;
  const imp_t *imps;
  size_t nimps;
  int var;           /* the names being declared are `var`s (function-scoped) */
  tok_t fn_name;     /* a function expression's name, declared in its parameters' scope */
  int decl_on;       /* in a let/const/var statement: a ',' at decl_depth starts a name */
  size_t decl_depth;
} scopes_t;

static void gp__scope_push(scopes_t *B, size_t start, size_t depth, int state, int fn) {
  if (B->n == B->cap) B->v = gp__xrealloc(B->v, (B->cap = B->cap ? B->cap * 2 : 16) * sizeof *B->v);
  B->v[B->n++] = (scope_t){start, depth, state, fn};
}

/* Closes the innermost scope at `end`: its declarations become shadow ranges. */
static void gp__scope_pop(scopes_t *B, size_t end) {
  size_t k = --B->n;
  for (size_t i = 0; i < B->ndecl;) {
    if (B->decl[i].scope != k) { i++; continue; }
    if (B->nout == B->out_cap) B->out = gp__xrealloc(B->out, (B->out_cap = B->out_cap ? B->out_cap * 2 : 8) * sizeof *B->out);
    B->out[B->nout++] = (shadow_t){B->decl[i].imp, B->v[k].start, end};
    B->decl[i] = B->decl[--B->ndecl];
  }
}

/* gp__binding's action during the analysis: a declared name that is an import's. */
static void gp__declare(scan_t *S, const tok_t *name) {
  scopes_t *B = S->scopes;
  const imp_t *b = gp__find_import(S, B->imps, B->nimps, name);
  if (b == NULL || B->n == 0) return; /* not an import's name, or at the top level */
  size_t k = B->n - 1;
  while (B->var && k > 0 && !B->v[k].fn) k--;
  if (B->var && !B->v[k].fn) return;
  if (B->ndecl == B->decl_cap)
    B->decl = gp__xrealloc(B->decl, (B->decl_cap = B->decl_cap ? B->decl_cap * 2 : 8) * sizeof *B->decl);
  B->decl[B->ndecl].imp = (size_t)(b - B->imps);
  B->decl[B->ndecl++].scope = k;
}

/* At a '(' just read: whether its ')' is followed by `{` or `=>` (parameters). */
static int gp__paren_is_params(scan_t *S) {
  scan_t saved = *S;
  tok_t t;
  do t = gp__next(S);
  while (t.type != T_EOF && S->depth >= saved.depth);
  gp__skip_space(S);
  int yes = S->pos < S->n && (S->s[S->pos] == '{' ||
                              (S->s[S->pos] == '=' && S->pos + 1 < S->n && S->s[S->pos + 1] == '>'));
  saved.stack = S->stack; /* may have grown; the kinds up to saved.depth are unchanged */
  saved.cap = S->cap;
  *S = saved;
  return yes;
}

/* Whether the next tokens are a bound name or pattern (declaration, parameter). */
static int gp__at_binding(scan_t *S, scopes_t *B) {
  const tok_t *p = &S->prev;
  char c = gp__peek_char(S, NULL);
  if (!(gp__is_id_start((unsigned char)c) || c == '{' || c == '[')) return 0;
  if (gp__is_word(S, p, "let") || gp__is_word(S, p, "const") || gp__is_word(S, p, "var")) {
    B->var = gp__tok_is(S, p, "var");
    B->decl_on = 1;
    B->decl_depth = S->depth;
    return 1;
  }
  if (B->decl_on && S->depth == B->decl_depth && gp__is_punct(S, p, ',')) return 1;
  if (B->n == 0) return 0;
  const scope_t *top = &B->v[B->n - 1];
  if (top->state != SC_HEAD || S->depth != top->depth) return 0;
  B->var = 0;
  if (top->fn) return gp__is_punct(S, p, '(') || gp__is_punct(S, p, ',') || (p->type == T_PUNCT && p->end - p->start == 3);
  return gp__is_punct(S, p, '(') && S->depth >= 1 && S->stack[S->depth - 1] == K_CTRL_PAREN; /* catch (…) */
}

/* Whether the expression or statement scope ends at token t (read from depth d0). */
static int gp__expr_scope_ends(scan_t *S, const scope_t *sc, const tok_t *t, const tok_t *before, size_t d0) {
  if (S->depth < sc->depth) return 1;
  if (d0 != sc->depth) return 0;
  if (gp__is_punct(S, t, ',') || gp__is_punct(S, t, ';')) return 1;
  S->prev = *before; /* gp__prev_ends_expr looks at the token before t */
  int ends = t->nl_before && (t->type == T_IDENT || t->type == T_NUM || t->type == T_STR) &&
             !gp__is_word(S, t, "in") && !gp__is_word(S, t, "instanceof") && gp__prev_ends_expr(S);
  S->prev = *t;
  return ends;
}

/* The scopes' changes at token t (read from depth d0, `before` the token before it). */
static void gp__scope_step(scan_t *S, scopes_t *B, const tok_t *t, const tok_t *before, size_t d0) {
  int brace = gp__is_punct(S, t, '{');
  while (B->n) {
    scope_t *top = &B->v[B->n - 1];
    if (top->state == SC_AWAIT) {
      if (brace) { top->state = SC_OPEN; top->depth = S->depth; return; }
      if (t->type == T_PUNCT && t->end - t->start == 2 && S->s[t->start] == '=') return; /* => */
      top->state = SC_EXPR;
      top->depth = d0;
    }
    if (top->state == SC_HEAD) {
      if (S->depth < top->depth) top->state = SC_AWAIT;
      break;
    }
    if (top->state == SC_OPEN && S->depth < top->depth) gp__scope_pop(B, t->end);
    else if (top->state == SC_EXPR && gp__expr_scope_ends(S, top, t, before, d0)) gp__scope_pop(B, t->start);
    else break;
  }
  if (brace) gp__scope_push(B, t->start, S->depth, SC_OPEN, 0);
}

/* Declarations starting at token t: function and class names, parameters' heads,
 * `for (`/`catch (` heads, single-parameter arrows. */
static void gp__scope_decl(scan_t *S, scopes_t *B, const tok_t *t, const tok_t *before) {
  if (gp__is_punct(S, t, '(')) {
    if (gp__is_word(S, before, "for") || gp__is_word(S, before, "catch"))
      gp__scope_push(B, t->start, S->depth, SC_HEAD, 0);
    else if (S->stack[S->depth - 1] == K_PAREN && gp__paren_is_params(S)) {
      gp__scope_push(B, t->start, S->depth, SC_HEAD, 1);
      B->var = 0;
      if (B->fn_name.type == T_IDENT && B->fn_name.end <= t->start) gp__declare(S, &B->fn_name);
    }
    B->fn_name.type = T_EOF;
    return;
  }
  if (t->type != T_IDENT || t->after_dot) return;
  int stmt = before->type == T_EOF || t->nl_before || gp__is_punct(S, before, ';') ||
             gp__is_punct(S, before, '{') || gp__is_punct(S, before, '}') || gp__is_punct(S, before, ')');
  if (gp__tok_is(S, t, "function") || gp__tok_is(S, t, "class")) {
    if (gp__peek_char(S, NULL) == '*') gp__next(S);
    if (!gp__is_id_start((unsigned char)gp__peek_char(S, NULL)) || gp__peek_word(S, "extends", 0)) return;
    tok_t name = gp__next(S);
    B->var = 0;
    if (stmt) gp__declare(S, &name);
    else B->fn_name = name; /* `function count() { count }`: the function itself */
    return;
  }
  size_t save = S->pos;
  gp__skip_space(S);
  int arrow = S->pos + 1 < S->n && S->s[S->pos] == '=' && S->s[S->pos + 1] == '>';
  S->pos = save;
  if (arrow) {
    gp__scope_push(B, t->start, S->depth, SC_AWAIT, 1);
    B->var = 0;
    gp__declare(S, t);
  }
}

/* The ranges where a declaration in an inner scope hides one of the import bindings
 * imps[0..n). */
static shadow_t *gp__find_shadows(const char *src, size_t len, const imp_t *imps, size_t n, size_t *nout) {
  scan_t S = {0};
  scopes_t B = {0};
  S.s = src;
  S.n = len;
  S.on_name = gp__declare;
  S.scopes = &B;
  B.imps = imps;
  B.nimps = n;
  for (;;) {
    tok_t before = S.prev;
    if (gp__at_binding(&S, &B)) {
      gp__binding(&S);
      continue;
    }
    size_t d0 = S.depth;
    tok_t t = gp__next(&S);
    if (t.type == T_EOF) break;
    if (B.decl_on && (S.depth < B.decl_depth || (d0 == B.decl_depth && gp__is_punct(&S, &t, ';'))))
      B.decl_on = 0;
    gp__scope_step(&S, &B, &t, &before, d0);
    gp__scope_decl(&S, &B, &t, &before);
  }
  while (B.n) gp__scope_pop(&B, len);
  gp__scan_free(&S);
  free(B.v);
  free(B.decl);
  *nout = B.nout;
  return B.out;
}

/* ---- the pass ---------------------------------------------------------------------- */

/* One rewriting pass over the source into S->out (with the appended hoisting code). */
static void gp__rewrite_pass(scan_t *S, int mode) {
  tok_t before = {0}; /* the token before the current one */
  for (;;) {
    tok_t prev = S->prev;
    tok_t t = gp__next(S);
    if (t.type == T_EOF) break;
    before = prev;
    if (t.type != T_IDENT || t.after_dot) continue;
    if (gp__expr_word(S, &t, &before)) continue;
    size_t len = t.end - t.start;
    if (len == 6 && memcmp(S->s + t.start, "import", 6) == 0) {
      char c = gp__peek_char(S, NULL);
      if (S->depth == 0 && mode != 0 && c != ':' && c != '=' && c != '(' && c != '.') {
        if (gp__do_import(S, &t) == 0) S->esm = 1;
      }
    } else if (len == 6 && memcmp(S->s + t.start, "export", 6) == 0 && S->depth == 0 && mode != 0) {
      S->esm = 1;
      gp__do_export(S, &t);
    }
  }
  gp__copy_to(S, S->n);
  if (!(mode == 1 || (mode == 2 && S->esm))) return;
  gp__buf_puts(&S->out, "\n;");
  if (S->vars.len) {
    gp__buf_puts(&S->out, "var ");
    gp__buf_append(&S->out, S->vars.data, S->vars.len);
    gp__buf_puts(&S->out, ";");
  }
  gp__buf_puts(&S->out, "function __gp_hoist(){__esm.exp({");
  if (S->getters.len) gp__buf_append(&S->out, S->getters.data, S->getters.len);
  gp__buf_puts(&S->out, "});");
  if (S->tail.len) gp__buf_append(&S->out, S->tail.data, S->tail.len);
  gp__buf_puts(&S->out, "}\n");
}

/* A first pass finds the import bindings; when some are read through their module
 * (named and default imports), the shadowing analysis and a second pass rewrite every
 * reference to them. */
int gp__esm_to_cjs(const char *src, size_t n, int mode, gp_esm_result_t *res) {
  scan_t A = {0}, C = {0};
  A.s = C.s = src;
  A.n = C.n = n;
  memset(res, 0, sizeof *res);
  gp__rewrite_pass(&A, mode);
  scan_t *S = &A;
  int reads = 0;
  for (size_t i = 0; i < A.nimps; i++) reads |= A.imps[i].kind != IMP_NS;
  shadow_t *shadows = NULL;
  if (reads) {
    shadows = gp__find_shadows(src, n, A.imps, A.nimps, &C.nshadows);
    C.shadows = shadows;
    C.known = A.imps;
    C.nknown = A.nimps;
    gp__rewrite_pass(&C, mode);
    S = &C;
  }
  res->esm = mode == 1 || (mode == 2 && S->esm);
  res->tla = S->tla; /* for CommonJS: it may be an ES module that only awaits */
  res->len = S->out.len;
  res->code = gp__buf_steal(&S->out);
  res->shifts = gp__buf_steal(&S->shifts);
  gp__scan_free(&A);
  gp__scan_free(&C);
  free(shadows);
  return 0;
}
