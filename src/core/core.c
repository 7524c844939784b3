/* Allocation that aborts on exhaustion, clocks, and a growable string buffer: the
 * small helpers every layer uses. */
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void gp__oom(size_t n) {
  fprintf(stderr, "geppetto: out of memory allocating %zu bytes\n", n);
  abort();
}

static uint64_t gp__work; /* atomic; debug builds only */

#ifdef GP_DEBUG
void gp__work_add(size_t n) { __atomic_add_fetch(&gp__work, (uint64_t)n, __ATOMIC_RELAXED); }
#endif

uint64_t gp__work_bytes(void) { return __atomic_load_n(&gp__work, __ATOMIC_RELAXED); }

void *gp__xmalloc(size_t n) {
  GP_WORK(n);
  void *p = malloc(n ? n : 1);
  if (!p) gp__oom(n);
  return p;
}

void *gp__xcalloc(size_t count, size_t size) {
  GP_WORK(count * size);
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) gp__oom(count * size);
  return p;
}

void *gp__xrealloc(void *p, size_t n) {
  GP_WORK(n); /* a move may copy it all */
  void *q = realloc(p, n ? n : 1);
  if (!q) gp__oom(n);
  return q;
}

char *gp__xstrdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s);
  char *d = gp__xmalloc(n + 1);
  memcpy(d, s, n + 1);
  return d;
}

char *gp__xstrndup(const char *s, size_t n) {
  char *d = gp__xmalloc(n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char **gp__strv_dup(const char *const *v) {
  if (v == NULL) return NULL;
  size_t n = 0;
  while (v[n]) n++;
  char **out = gp__xcalloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++) out[i] = gp__xstrdup(v[i]);
  return out;
}

void gp__strv_free(char **v) {
  for (size_t i = 0; v && v[i]; i++) free(v[i]);
  free(v);
}

char *gp__xvasprintf(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) n = 0;
  char *s = gp__xmalloc((size_t)n + 1);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

char *gp__xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = gp__xvasprintf(fmt, ap);
  va_end(ap);
  return s;
}

int64_t gp__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t gp__mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t gp__mono_ms(void) { return (int64_t)(gp__mono_ns() / 1000000ull); }

unsigned gp__env_spin_us(const char *name, unsigned def) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') return def;
  long us = strtol(v, NULL, 10);
  return us > 0 && us < 100000 ? (unsigned)us : 0u;
}

void gp__sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void gp__timespec_in(struct timespec *ts, int clock, int64_t ms) {
  clock_gettime(clock, ts);
  if (ms < 0) ms = 0;
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

static void gp__buf_reserve(gp_buf_t *b, size_t extra) {
  if (b->data && b->len + extra < b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap <= b->len + extra) cap *= 2;
  b->data = gp__xrealloc(b->data, cap);
  b->cap = cap;
}

void gp__buf_append(gp_buf_t *b, const char *s, size_t n) {
  gp__buf_reserve(b, n);
  GP_WORK(n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void gp__buf_puts(gp_buf_t *b, const char *s) { gp__buf_append(b, s, strlen(s)); }

void gp__buf_printf(gp_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = gp__xvasprintf(fmt, ap);
  va_end(ap);
  gp__buf_puts(b, s);
  free(s);
}

char *gp__buf_steal(gp_buf_t *b) {
  char *s = b->data ? b->data : gp__xstrdup("");
  b->data = NULL;
  b->len = b->cap = 0;
  return s;
}

void gp__buf_free(gp_buf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
