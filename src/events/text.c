/* A stream's text shared by its partial events (event.h, gp_text_t): one append-only
 * block that events reference with the length it had when they were published, so a
 * partial event costs its delta and never a copy of the completion.
 *
 * Thread safety: one writer appends; readers on other threads read only the prefix
 * their event recorded, which the writer never touches again (it writes past it). When
 * the block is full the writer reallocates it in place if nobody else holds it, else
 * moves the text to a new block of twice the size and leaves the old one to its
 * events: either way each byte is copied O(1) times on average. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "events/events_internal.h"

struct gp_text_s {
  gp_text_block_t *blk;  /* reference; NULL until the first append */
  size_t len;            /* bytes written; blk->data[len] is NUL */
};

static gp_text_block_t *gp__blk_new(size_t cap) {
  gp_text_block_t *b = gp__xmalloc(sizeof *b + cap);
  __atomic_store_n(&b->refs, 1, __ATOMIC_RELAXED);
  b->cap = cap;
  return b;
}

gp_text_block_t *gp__text_block_ref(gp_text_block_t *b) {
  if (b) __atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
  return b;
}

void gp__text_block_unref(gp_text_block_t *b) {
  if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0) free(b);
}

gp_text_t *gp_text_new(void) { return gp__xcalloc(1, sizeof(gp_text_t)); }

void gp_text_free(gp_text_t *t) {
  if (!t) return;
  gp__text_block_unref(t->blk);
  free(t);
}

/* Makes room for `extra` more bytes and the NUL. */
static void gp__text_reserve(gp_text_t *t, size_t extra) {
  size_t need = t->len + extra + 1;
  if (t->blk && need <= t->blk->cap) return;
  size_t cap = t->blk ? t->blk->cap * 2 : 256;
  while (cap < need) cap *= 2;
  if (t->blk && __atomic_load_n(&t->blk->refs, __ATOMIC_ACQUIRE) == 1) {
    gp_text_block_t *b = gp__xrealloc(t->blk, sizeof *b + cap); /* counted there */
    b->cap = cap;
    t->blk = b;
    return;
  }
  gp_text_block_t *b = gp__blk_new(cap);
  if (t->blk) {
    GP_WORK(t->len);
    memcpy(b->data, t->blk->data, t->len);
    gp__text_block_unref(t->blk);
  }
  t->blk = b;
}

void gp_text_append(gp_text_t *t, const char *s, size_t n) {
  gp__text_reserve(t, n);
  GP_WORK(n);
  if (n) memcpy(t->blk->data + t->len, s, n);
  t->len += n;
  t->blk->data[t->len] = '\0';
}

const char *gp_text_data(const gp_text_t *t, size_t *len) {
  if (len) *len = t->len;
  return t->blk ? t->blk->data : "";
}

size_t gp_text_len(const gp_text_t *t) { return t->len; }

gp_text_block_t *gp__text_share(gp_text_t *t, size_t *len) {
  if (!t->blk) gp__text_reserve(t, 0);
  *len = t->len;
  return gp__text_block_ref(t->blk);
}
