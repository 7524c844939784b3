/* A latency histogram with log-linear buckets (16 per power of two, so a reported
 * percentile is within ~6% of the true value), recorded with relaxed atomics so any
 * thread may record without a lock. Values are in microseconds. */
#ifndef GP_CORE_HIST_H
#define GP_CORE_HIST_H

#include <stdint.h>

#define GP_HIST_SUB 16
#define GP_HIST_BUCKETS (64 * GP_HIST_SUB)

typedef struct gp_hist_s {
  uint64_t counts[GP_HIST_BUCKETS];   /* atomic */
  uint64_t total;                     /* atomic: number of records */
  uint64_t max;                       /* atomic: largest value recorded */
} gp_hist_t;

typedef struct gp_hist_summary_s {
  uint64_t count;
  uint64_t p50, p95, p99, p999, max;  /* microseconds */
} gp_hist_summary_t;

void gp__hist_init(gp_hist_t *h);
void gp__hist_record(gp_hist_t *h, uint64_t value);
/* Value at quantile q (0..1): the upper bound of the bucket holding it, capped at max. */
uint64_t gp__hist_quantile(const gp_hist_t *h, double q);
void gp__hist_summarize(const gp_hist_t *h, gp_hist_summary_t *out);

#endif
