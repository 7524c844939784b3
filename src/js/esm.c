/* ES modules to CommonJS (SPEC §3.3): one linear pass of a tokenizer-level scanner over
 * the source that rewrites static `import`/`export` statements, `import(` and
 * `import.meta` without moving any other character: a replaced statement becomes blanks
 * (its line breaks kept), keywords are replaced by text of the same width, and what
 * must run before the body (export getters, the imports' requires and bindings) goes
 * in a function declaration appended after the last line, which the module wrapper
 * calls first (function and `var` declarations are hoisted). Line and column numbers
 * of the original source therefore hold in the output.
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
} tok_t;

typedef struct {
  const char *s;
  size_t n, pos;
  unsigned char *stack;  /* nesting kinds */
  size_t depth, cap;
  int funcs;             /* K_FUNC entries on the stack */
  tok_t prev;            /* previous significant token */
  int prev_kw_paren;     /* the `(` about to open follows if/for/while/... */
  int last_paren_ctrl;   /* the `)` just closed was a control one */
  int last_brace_obj;    /* the `}` just closed ended an object literal */
  gp_buf_t out;          /* the output */
  size_t copied;         /* source bytes up to here are in out or replaced */
  gp_buf_t tail;         /* the hoisted function's body */
  gp_buf_t sync;         /* __gp_sync's body: the import bindings */
  gp_buf_t vars;         /* `var` names of the tail */
  gp_buf_t getters;      /* export getters: "name":()=>expr, */
  int nmods;             /* modules imported so far */
  int esm;               /* a static import/export was seen */
  int tla;               /* an `await` outside every function */
} scan_t;

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
        gp__tok_is(S, p, "case") || gp__tok_is(S, p, "void") || gp__tok_is(S, p, "throw") || gp__tok_is(S, p, "new"))
      return K_OBJ;
    if (gp__tok_is(S, p, "else") || gp__tok_is(S, p, "try") || gp__tok_is(S, p, "finally") || gp__tok_is(S, p, "do"))
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

static void gp__add_local_export(scan_t *S, const tok_t *name) {
  const char *p = S->s + name->start;
  size_t n = name->end - name->start;
  gp__add_getter(S, p, n, p, n);
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

/* `["name"` (an identifier quoted, a string token as is) into b. */
static void gp__add_key(gp_buf_t *b, const scan_t *S, const tok_t *nm) {
  gp__buf_append(b, "[", 1);
  if (nm->type == T_STR) gp__buf_append(b, S->s + nm->start, nm->end - nm->start);
  else {
    gp__buf_append(b, "\"", 1);
    gp__buf_append(b, S->s + nm->start, nm->end - nm->start);
    gp__buf_append(b, "\"", 1);
  }
}

/* An import binding `local`, set by __gp_sync: `__esm.fn(__gp_mN)` when fn is given,
 * else the caller appends the property key and the end. A read that meets a binding
 * not yet initialized (an import cycle) leaves it for the next sync. */
static void gp__add_binding(scan_t *S, const tok_t *local, int m, const char *fn) {
  gp__add_var(S, S->s + local->start, local->end - local->start);
  gp__buf_puts(&S->sync, "try{");
  gp__buf_append(&S->sync, S->s + local->start, local->end - local->start);
  if (fn) gp__buf_printf(&S->sync, "=__esm.%s(__gp_m%d)}catch(e){}", fn, m);
  else gp__buf_printf(&S->sync, "=__gp_m%d", m);
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
  if (def.type) gp__add_binding(S, &def, m, "dflt");
  if (ns.type) gp__add_binding(S, &ns, m, "ns");
  for (int i = 0; i < nspecs; i++) {
    const tok_t *nm = &specs[i].name;
    if (gp__tok_is(S, nm, "default")) gp__add_binding(S, &specs[i].as, m, "dflt");
    else {
      gp__add_binding(S, &specs[i].as, m, NULL);
      gp__add_key(&S->sync, S, nm);
      gp__buf_puts(&S->sync, "]}catch(e){}");
    }
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
        gp__add_getter(S, S->s + as->start, as->end - as->start, S->s + nm->start, nm->end - nm->start);
        continue;
      }
      gp_buf_t e = {0};
      if (gp__tok_is(S, nm, "default")) gp__buf_printf(&e, "__esm.dflt(__gp_m%d)", m);
      else {
        gp__buf_printf(&e, "__gp_m%d[", m);
        if (nm->type == T_STR) gp__buf_append(&e, S->s + nm->start, nm->end - nm->start);
        else {
          gp__buf_append(&e, "\"", 1);
          gp__buf_append(&e, S->s + nm->start, nm->end - nm->start);
          gp__buf_append(&e, "\"", 1);
        }
        gp__buf_append(&e, "]", 1);
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

/* `import(`, `import.meta` and `await` wherever an expression may be: rewrites the first
 * two, notes the last outside functions. Returns 1 when it took the token. */
static int gp__expr_word(scan_t *S, const tok_t *t, const tok_t *before) {
  if (t->type != T_IDENT || t->after_dot) return 0;
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

int gp__esm_to_cjs(const char *src, size_t n, int mode, gp_esm_result_t *res) {
  scan_t S = {0};
  S.s = src;
  S.n = n;
  memset(res, 0, sizeof *res);
  tok_t before = {0}; /* the token before the current one */
  for (;;) {
    tok_t prev = S.prev;
    tok_t t = gp__next(&S);
    if (t.type == T_EOF) break;
    before = prev;
    if (t.type != T_IDENT || t.after_dot) continue;
    if (gp__expr_word(&S, &t, &before)) continue;
    size_t len = t.end - t.start;
    if (len == 6 && memcmp(src + t.start, "import", 6) == 0) {
      char c = gp__peek_char(&S, NULL);
      if (S.depth == 0 && mode != 0 && c != ':' && c != '=' && c != '(' && c != '.') {
        if (gp__do_import(&S, &t) == 0) S.esm = 1;
      }
    } else if (len == 6 && memcmp(src + t.start, "export", 6) == 0 && S.depth == 0 && mode != 0) {
      S.esm = 1;
      gp__do_export(&S, &t);
    }
  }
  gp__copy_to(&S, n);
  int esm = mode == 1 || (mode == 2 && S.esm);
  if (esm) {
    gp__buf_puts(&S.out, "\n;");
    if (S.vars.len) {
      gp__buf_puts(&S.out, "var ");
      gp__buf_append(&S.out, S.vars.data, S.vars.len);
      gp__buf_puts(&S.out, ";");
    }
    gp__buf_puts(&S.out, "function __gp_hoist(){__esm.exp({");
    if (S.getters.len) gp__buf_append(&S.out, S.getters.data, S.getters.len);
    gp__buf_puts(&S.out, "});");
    if (S.tail.len) gp__buf_append(&S.out, S.tail.data, S.tail.len);
    if (S.sync.len) {
      gp__buf_puts(&S.out, "__gp_sync();__esm.watch(__gp_sync,[");
      for (int i = 0; i < S.nmods; i++) gp__buf_printf(&S.out, "%s__gp_m%d", i ? "," : "", i);
      gp__buf_puts(&S.out, "]);}function __gp_sync(){");
      gp__buf_append(&S.out, S.sync.data, S.sync.len);
    }
    gp__buf_puts(&S.out, "}\n");
  }
  res->len = S.out.len;
  res->code = gp__buf_steal(&S.out);
  res->esm = esm;
  res->tla = S.tla; /* for CommonJS: it may be an ES module that only awaits */
  free(S.stack);
  gp__buf_free(&S.tail);
  gp__buf_free(&S.sync);
  gp__buf_free(&S.vars);
  gp__buf_free(&S.getters);
  return 0;
}
