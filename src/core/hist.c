/* Log-linear latency histogram: bucket = (position of the top bit) * 16 + the next
 * four bits, so each power of two is split in 16 and a percentile is within ~6%. */
#include "core/hist.h"

#include <stdatomic.h>
#include <string.h>

static unsigned gp__hist_index(uint64_t v) {
  if (v < GP_HIST_SUB) return (unsigned)v;
  unsigned top = 63u - (unsigned)__builtin_clzll(v);   /* >= 4 */
  unsigned sub = (unsigned)(v >> (top - 4)) & (GP_HIST_SUB - 1);
  return (top - 3) * GP_HIST_SUB + sub;
}

static uint64_t gp__hist_upper(unsigned idx) {
  if (idx < GP_HIST_SUB) return idx;
  unsigned top = idx / GP_HIST_SUB + 3;
  uint64_t sub = idx % GP_HIST_SUB;
  uint64_t lo = (1ull << top) | (sub << (top - 4));
  return lo + (1ull << (top - 4)) - 1;
}

void gp__hist_init(gp_hist_t *h) { memset(h, 0, sizeof *h); }

void gp__hist_record(gp_hist_t *h, uint64_t value) {
  unsigned idx = gp__hist_index(value);
  if (idx >= GP_HIST_BUCKETS) idx = GP_HIST_BUCKETS - 1;
  __atomic_fetch_add(&h->counts[idx], 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&h->total, 1, __ATOMIC_RELAXED);
  uint64_t cur = __atomic_load_n(&h->max, __ATOMIC_RELAXED);
  while (value > cur &&
         !__atomic_compare_exchange_n(&h->max, &cur, value, 1, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
  }
}

uint64_t gp__hist_quantile(const gp_hist_t *h, double q) {
  uint64_t total = 0;
  for (unsigned i = 0; i < GP_HIST_BUCKETS; i++)
    total += __atomic_load_n(&h->counts[i], __ATOMIC_RELAXED);
  if (total == 0) return 0;
  uint64_t max = __atomic_load_n(&h->max, __ATOMIC_RELAXED);
  uint64_t rank = (uint64_t)(q * (double)total + 0.5);
  if (rank < 1) rank = 1;
  if (rank > total) rank = total;
  uint64_t seen = 0;
  for (unsigned i = 0; i < GP_HIST_BUCKETS; i++) {
    seen += __atomic_load_n(&h->counts[i], __ATOMIC_RELAXED);
    if (seen >= rank) {
      uint64_t up = gp__hist_upper(i);
      return up < max ? up : max;
    }
  }
  return max;
}

void gp__hist_summarize(const gp_hist_t *h, gp_hist_summary_t *out) {
  out->count = __atomic_load_n(&h->total, __ATOMIC_RELAXED);
  out->p50 = gp__hist_quantile(h, 0.50);
  out->p95 = gp__hist_quantile(h, 0.95);
  out->p99 = gp__hist_quantile(h, 0.99);
  out->p999 = gp__hist_quantile(h, 0.999);
  out->max = __atomic_load_n(&h->max, __ATOMIC_RELAXED);
}
