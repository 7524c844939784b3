/* The compiled form of a pattern, shared by the parser (regex.c) and the backtracking
 * matcher (regex_match.c): a graph of nodes, each sequence a list linked by `next`. */
#ifndef GP_TOOLS_REGEX_INTERNAL_H
#define GP_TOOLS_REGEX_INTERNAL_H

#include <stdint.h>

#include "tools/regex.h"

enum {
  GP_RE_CHAR,    /* one code point */
  GP_RE_ANY,     /* `.`: anything but a line terminator */
  GP_RE_CLASS,   /* [...] or \d \w \s \p{..} and their negations */
  GP_RE_BOL,     /* ^ */
  GP_RE_EOL,     /* $ */
  GP_RE_WORDB,   /* \b */
  GP_RE_NWORDB,  /* \B */
  GP_RE_GROUP,   /* (...) or (?:...) */
  GP_RE_ALT,     /* a|b|c */
  GP_RE_REPEAT,  /* x* x+ x? x{n,m}, greedy or lazy */
  GP_RE_LOOK,    /* (?=..) (?!..) (?<=..) (?<!..) */
  GP_RE_BACKREF  /* \1 */
};

/* Kinds of class items. */
enum { GP_RE_I_RANGE, GP_RE_I_DIGIT, GP_RE_I_WORD, GP_RE_I_SPACE, GP_RE_I_PROP, GP_RE_I_ALL };

/* Unicode general categories \p{..} knows (approximated by tables, see regex_match.c). */
enum { GP_RE_P_L, GP_RE_P_LU, GP_RE_P_LL, GP_RE_P_N, GP_RE_P_ND, GP_RE_P_P };

typedef struct {
  uint8_t kind;  /* GP_RE_I_* */
  uint8_t neg;   /* \D \W \S \P{..} */
  uint32_t lo;   /* RANGE: first code point; PROP: GP_RE_P_* */
  uint32_t hi;   /* RANGE: last code point */
} gp_re_item_t;

typedef struct gp_re_node_s {
  int kind;                     /* GP_RE_* */
  struct gp_re_node_s *next;    /* the following node of its sequence; NULL ends it */
  struct gp_re_node_s *body;    /* GROUP, REPEAT, LOOK: the sequence inside (NULL: empty) */
  struct gp_re_node_s **alts;   /* ALT: each alternative's sequence (NULL: empty) */
  int nalts;                    /* ALT */
  uint32_t ch;                  /* CHAR */
  gp_re_item_t *items;          /* CLASS */
  int nitems;                   /* CLASS */
  int neg;                      /* CLASS [^..]; LOOK negative */
  int behind;                   /* LOOK: lookbehind */
  int group;                    /* GROUP: capture number (1..), 0 none; BACKREF: its number */
  int min, max;                 /* REPEAT: bounds, max -1 unbounded */
  int greedy;                   /* REPEAT */
  int width;                    /* REPEAT: the body's fixed width in code points, 0 if not fixed */
  struct gp_re_node_s *owned;   /* every node of the expression, for freeing */
} gp_re_node_t;

struct gp_regex_s {
  gp_re_node_t *head;  /* the top sequence */
  gp_re_node_t *all;   /* every node, linked by `owned` */
  int ngroups;         /* capturing groups */
  int backrefs;        /* the pattern has backreferences: captures are recorded */
};

/* Decodes `len` bytes of UTF-8 into a malloc'd array of code points (an invalid byte
 * reads as U+FFFD), its length in *out_n; NULL on OOM. */
uint32_t *gp__re_utf8_decode(const char *s, size_t len, size_t *out_n);

/* Whether item list `n` (a CLASS node) matches code point `c`. */
int gp__re_class_match(const gp_re_node_t *n, uint32_t c);

#endif
