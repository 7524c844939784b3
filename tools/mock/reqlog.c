/* The request log behind GET /_mock/requests: one JSON object per provider request,
 * written by the connection threads as the request progresses. One lock guards the
 * list, the entries' JSON and their reference counts. */
#include "mock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

struct gp_mock_entry_s {
  json_t *obj;     /* the entry as served; guarded by gp__lock */
  int refs;        /* the log's and the connection's; guarded by gp__lock */
  int finished;    /* ended_ms is set; guarded by gp__lock */
};

static pthread_mutex_t gp__lock = PTHREAD_MUTEX_INITIALIZER;
static gp_mock_entry_t **gp__list; /* guarded by gp__lock */
static size_t gp__n, gp__cap;
static long gp__seq;               /* last seq handed out; never reset */
static size_t gp__limit = 100000;  /* entries kept; set before the server starts */

static void gp__unref_locked(gp_mock_entry_t *e) {
  if (--e->refs > 0) return;
  json_decref(e->obj);
  free(e);
}

void gp_mock_log_limit(size_t max_entries) { gp__limit = max_entries ? max_entries : 1; }

/* Drops the oldest tenth when the log is full, so long benchmarks keep bounded memory
 * at an amortised cost. Caller holds gp__lock. */
static void gp__trim_locked(void) {
  if (gp__n < gp__limit) return;
  size_t drop = gp__limit / 10 ? gp__limit / 10 : 1;
  for (size_t i = 0; i < drop; i++) gp__unref_locked(gp__list[i]);
  memmove(gp__list, gp__list + drop, (gp__n - drop) * sizeof *gp__list);
  gp__n -= drop;
}

void gp_mock_log_reset(void) {
  pthread_mutex_lock(&gp__lock);
  for (size_t i = 0; i < gp__n; i++) gp__unref_locked(gp__list[i]);
  gp__n = 0;
  pthread_mutex_unlock(&gp__lock);
}

void gp_mock_log_free(void) {
  gp_mock_log_reset();
  free(gp__list);
  gp__list = NULL;
  gp__cap = 0;
}

gp_mock_entry_t *gp_mock_log_add(json_t *fields, long *seq) {
  gp_mock_entry_t *e = gp__xcalloc(1, sizeof *e);
  e->obj = fields;
  e->refs = 2;
  pthread_mutex_lock(&gp__lock);
  *seq = ++gp__seq;
  json_object_set_new(fields, "seq", json_integer(*seq));
  json_object_set_new(fields, "client_closed", json_false());
  json_object_set_new(fields, "bytes_sent", json_integer(0));
  json_object_set_new(fields, "ended_ms", json_null());
  gp__trim_locked();
  if (gp__n == gp__cap) {
    gp__cap = gp__cap ? gp__cap * 2 : 64;
    gp__list = gp__xrealloc(gp__list, gp__cap * sizeof *gp__list);
  }
  gp__list[gp__n++] = e;
  pthread_mutex_unlock(&gp__lock);
  return e;
}

void gp_mock_log_set(gp_mock_entry_t *e, const char *key, json_t *value) {
  pthread_mutex_lock(&gp__lock);
  json_object_set_new(e->obj, key, value);
  pthread_mutex_unlock(&gp__lock);
}

void gp_mock_log_finish(gp_mock_entry_t *e, int client_closed, uint64_t bytes_sent,
                        int64_t ended_ms) {
  pthread_mutex_lock(&gp__lock);
  if (!e->finished) {
    e->finished = 1;
    json_object_set_new(e->obj, "client_closed", json_boolean(client_closed));
    json_object_set_new(e->obj, "bytes_sent", json_integer((json_int_t)bytes_sent));
    json_object_set_new(e->obj, "ended_ms", json_integer(ended_ms));
  }
  pthread_mutex_unlock(&gp__lock);
}

void gp_mock_log_release(gp_mock_entry_t *e) {
  if (!e) return;
  pthread_mutex_lock(&gp__lock);
  gp__unref_locked(e);
  pthread_mutex_unlock(&gp__lock);
}

char *gp_mock_log_dump(void) {
  gp_buf_t b = {0};
  pthread_mutex_lock(&gp__lock);
  gp__buf_puts(&b, "[");
  for (size_t i = 0; i < gp__n; i++) {
    char *s = json_dumps(gp__list[i]->obj, JSON_COMPACT);
    gp__buf_printf(&b, "%s%s", i ? ",\n" : "\n", s);
    free(s);
  }
  pthread_mutex_unlock(&gp__lock);
  gp__buf_puts(&b, "\n]\n");
  return gp__buf_steal(&b);
}
