/* A thread pool that grows on demand up to a maximum: work is queued FIFO and picked
 * by an idle worker, or a new worker is started when none is idle and the maximum is
 * not reached. The layers that run work on threads make their own (src/inference: run
 * threads, src/tools: tool workers). Every function is thread-safe. */
#ifndef GP_CORE_POOL_H
#define GP_CORE_POOL_H

#include <stddef.h>

typedef struct gp_pool_s gp_pool_t;
typedef void (*gp_work_cb)(void *arg);

/* `name` labels the threads (for debuggers); never NULL. `max_threads` <= 0: no
 * maximum (threads are only limited by memory; each has a 512 KiB stack). */
gp_pool_t *gp__pool_new(const char *name, int max_threads);
/* Runs every queued item, then joins the workers. Must not be called from a worker. */
void gp__pool_free(gp_pool_t *p);
/* Queues fn(arg). Never fails. */
void gp__pool_submit(gp_pool_t *p, gp_work_cb fn, void *arg);
void gp__pool_stats(gp_pool_t *p, int *threads, int *busy, size_t *queued);

/* A process-wide pool kept in *slot (NULL at first): created on the first call, by
 * exactly one of the threads that race to it, and never freed. */
gp_pool_t *gp__pool_shared(gp_pool_t *_Atomic *slot, const char *name, int max_threads);

#endif
