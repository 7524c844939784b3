/* Owner statistics: counters and latency histograms recorded with relaxed atomics, a
 * per-op table written by the owner thread (entries are never moved, the pointer array
 * grows under the owner's mutex), and a snapshot for any thread. */
#include "owner/owner_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static gp__op_stat_t *gp__op_find(gp_owner_t *o, const char *op) {
  if (op == o->last_op && o->last_stat) return o->last_stat;
  gp__op_stat_t **ops = o->ops;
  size_t n = atomic_load_explicit(&o->nops, memory_order_relaxed);
  gp__op_stat_t *found = NULL;
  for (size_t i = 0; i < n && !found; i++)
    if (ops[i]->op == op) found = ops[i];
  for (size_t i = 0; i < n && !found; i++)
    if (strcmp(ops[i]->name, op) == 0) found = ops[i];
  if (!found) {
    found = gp__xcalloc(1, sizeof *found);
    found->op = op;
    found->name = gp__xstrdup(op);
    gp__hist_init(&found->exec);
    pthread_mutex_lock(&o->mu);
    if (n == o->ops_cap) {
      o->ops_cap = o->ops_cap ? 2 * o->ops_cap : 16;
      o->ops = gp__xrealloc(o->ops, o->ops_cap * sizeof(gp__op_stat_t *));
    }
    (o->ops)[n] = found;
    atomic_store(&o->nops, n + 1);
    pthread_mutex_unlock(&o->mu);
  }
  o->last_op = op;
  o->last_stat = found;
  return found;
}

void gp__stats_exec(gp_owner_t *o, const char *op, uint64_t exec_us) {
  gp__hist_record(&o->exec_hist, exec_us);
  gp__op_stat_t *s = gp__op_find(o, op ? op : "?");
  atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
  gp__hist_record(&s->exec, exec_us);
}

void gp__stats_free(gp_owner_t *o) {
  gp__op_stat_t **ops = o->ops;
  size_t n = atomic_load(&o->nops);
  for (size_t i = 0; i < n; i++) {
    free(ops[i]->name);
    free(ops[i]);
  }
  free(o->ops);
  o->ops = NULL;
}

static void gp__latency(const gp_hist_t *h, gp_owner_latency_t *out) {
  gp_hist_summary_t s;
  gp__hist_summarize(h, &s);
  out->count = s.count;
  out->p50_us = s.p50;
  out->p95_us = s.p95;
  out->p99_us = s.p99;
  out->max_us = s.max;
}

void gp_owner_stats(gp_owner_t *o, gp_owner_stats_t *out) {
  memset(out, 0, sizeof *out);
  if (o == NULL) return;
  int64_t depth = atomic_load(&o->depth);
  out->queue_depth = depth > 0 ? (size_t)depth : 0;
  out->calls = atomic_load(&o->calls);
  out->posts = atomic_load(&o->posts);
  out->inline_calls = atomic_load(&o->inline_calls);
  out->canceled = atomic_load(&o->canceled);
  out->failed = atomic_load(&o->failed);
  out->rejected = atomic_load(&o->rejected);
  gp__latency(&o->enq_hist, &out->enqueue_to_start);
  gp__latency(&o->exec_hist, &out->exec);
  pthread_mutex_lock(&o->mu);
  size_t n = atomic_load(&o->nops);
  gp__op_stat_t **ops = o->ops;
  out->ops = n ? gp__xcalloc(n, sizeof *out->ops) : NULL;
  for (size_t i = 0; i < n; i++) {
    out->ops[i].op = gp__xstrdup(ops[i]->name);
    out->ops[i].count = atomic_load(&ops[i]->count);
    gp__latency(&ops[i]->exec, &out->ops[i].exec);
  }
  out->nops = n;
  pthread_mutex_unlock(&o->mu);
}

void gp_owner_stats_clear(gp_owner_stats_t *s) {
  if (s == NULL) return;
  for (size_t i = 0; i < s->nops; i++) free(s->ops[i].op);
  free(s->ops);
  s->ops = NULL;
  s->nops = 0;
}
