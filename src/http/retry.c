/* Retry policy: which HTTP statuses are worth another attempt, how long to wait before
 * it (exponential backoff with full jitter, or the server's Retry-After), and the
 * parsing of the headers that carry the server's wish. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/core.h"
#include "http/http.h"

void gp__retry_policy_init(gp_retry_policy_t *p) {
  p->max_retries = 3;
  p->base_backoff_ms = 500;
  p->max_backoff_ms = 30000;
}

int gp__http_retryable_status(int status) {
  switch (status) {
    case 429: case 500: case 502: case 503: case 504: case 529: return 1;
    default: return 0;
  }
}

/* A per-thread xorshift generator: jitter needs no quality, only independence between
 * threads and no shared state. */
static uint64_t gp__retry_rand(void) {
  static _Thread_local uint64_t state;
  if (state == 0) {
    state = gp__mono_ns() ^ ((uint64_t)(uintptr_t)&state << 16) ^ 0x9E3779B97F4A7C15ull;
    if (state == 0) state = 1;
  }
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

int64_t gp__retry_delay_ms(const gp_retry_policy_t *p, int attempt, int64_t retry_after_ms) {
  gp_retry_policy_t def;
  if (!p) {
    gp__retry_policy_init(&def);
    p = &def;
  }
  int64_t cap = p->max_backoff_ms > 0 ? p->max_backoff_ms : 0;
  if (retry_after_ms >= 0) return retry_after_ms < cap ? retry_after_ms : cap;
  if (attempt < 1) attempt = 1;
  int64_t d = p->base_backoff_ms > 0 ? p->base_backoff_ms : 0;
  for (int i = 1; i < attempt && d < cap; i++) d *= 2;
  if (d > cap) d = cap;
  return d > 0 ? (int64_t)(gp__retry_rand() % (uint64_t)(d + 1)) : 0;
}

/* "retry-after-ms: 1500" (a number of milliseconds, fractions allowed). */
int64_t gp__http_parse_retry_after_ms(const char *v) {
  char *end;
  double x = strtod(v, &end);
  while (*end == ' ' || *end == '\t') end++;
  if (end == v || *end != '\0' || !(x >= 0) || x > 1e12) return -1;
  return (int64_t)ceil(x);
}

/* "Retry-After: 120" (seconds) or "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT". */
int64_t gp__http_parse_retry_after(const char *v) {
  const char *q = v;
  while (*q >= '0' && *q <= '9') q++;
  if (q != v && (*q == '\0' || *q == ' ' || *q == '\t')) {
    for (const char *r = q; *r; r++)
      if (*r != ' ' && *r != '\t') return -1;
    if (q - v > 9) return (int64_t)999999999 * 1000;
    return strtoll(v, NULL, 10) * 1000;
  }
  time_t t = curl_getdate(v, NULL);
  if (t == (time_t)-1) return -1;
  int64_t ms = (int64_t)t * 1000 - gp__now_ms();
  return ms > 0 ? ms : 0;
}
