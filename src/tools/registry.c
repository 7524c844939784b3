/* The tool registry: named handlers with their description and parameter schema, kept
 * in registration order. A rwlock guards the list; entries are refcounted so a call in
 * flight keeps the handler it started with even if the tool is replaced meanwhile. */
#include "tools/tools.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

struct gp_registry_s {
  atomic_int refcount;
  pthread_rwlock_t lock;      /* guards items, n, cap */
  gp__tool_t **items;         /* registration order; each holds one reference */
  size_t n;
  size_t cap;
};

static void gp__tool_free(gp__tool_t *t) {
  if (t->free_ud) t->free_ud(t->ud);
  json_decref(t->parameters);
  free(t->name);
  free(t->description);
  free(t);
}

void gp__tool_unref(gp__tool_t *t) {
  if (t && atomic_fetch_sub(&t->refcount, 1) == 1) gp__tool_free(t);
}

gp_registry_t *gp_registry_new(void) {
  gp_registry_t *r = gp__xcalloc(1, sizeof *r);
  atomic_init(&r->refcount, 1);
  pthread_rwlock_init(&r->lock, NULL);
  return r;
}

gp_registry_t *gp_registry_ref(gp_registry_t *r) {
  if (r) atomic_fetch_add(&r->refcount, 1);
  return r;
}

void gp_registry_unref(gp_registry_t *r) {
  if (!r || atomic_fetch_sub(&r->refcount, 1) != 1) return;
  for (size_t i = 0; i < r->n; i++) gp__tool_unref(r->items[i]);
  free(r->items);
  pthread_rwlock_destroy(&r->lock);
  free(r);
}

/* Index of `name` or -1. Caller holds the lock. */
static long gp__find_locked(gp_registry_t *r, const char *name) {
  for (size_t i = 0; i < r->n; i++)
    if (!strcmp(r->items[i]->name, name)) return (long)i;
  return -1;
}

static int gp__registry_add(gp_registry_t *r, const char *name, const char *description,
                        const json_t *parameters, gp_tool_cb cb, gp_tool_async_cb acb, void *ud,
                        void (*free_ud)(void *ud), gp_error_t **err) {
  int rc = 0;
  if (!r || !name || !*name) {
    rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "a tool needs a non-empty name");
  } else if (gp_tool_name_check(name, err)) {
    rc = GP_ERR_INVALID_ARGUMENT;
  } else if (!cb && !acb) {
    rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "tool %s needs a handler", name);
  } else {
    gp_error_t *serr = NULL;
    if (gp_schema_check(parameters, &serr)) {
      rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "tool %s: invalid parameters schema: %s",
                        name, serr->message);
      gp_error_free(serr);
    }
  }
  if (rc) {
    if (free_ud) free_ud(ud);
    return rc;
  }
  gp__tool_t *t = gp__xcalloc(1, sizeof *t);
  atomic_init(&t->refcount, 1);
  t->name = gp__xstrdup(name);
  t->description = gp__xstrdup(description ? description : "");
  t->parameters = parameters ? json_deep_copy(parameters) : NULL;
  t->cb = cb;
  t->acb = cb ? NULL : acb;
  t->ud = ud;
  t->free_ud = free_ud;

  gp__tool_t *old = NULL;
  pthread_rwlock_wrlock(&r->lock);
  long i = gp__find_locked(r, name);
  if (i >= 0) {
    old = r->items[i];
    r->items[i] = t;
  } else {
    if (r->n == r->cap) {
      r->cap = r->cap ? r->cap * 2 : 8;
      r->items = gp__xrealloc(r->items, r->cap * sizeof *r->items);
    }
    r->items[r->n++] = t;
  }
  pthread_rwlock_unlock(&r->lock);
  gp__tool_unref(old); /* outside the lock: free_ud may take its own locks */
  return 0;
}

int gp_registry_add(gp_registry_t *r, const char *name, const char *description,
                    const json_t *parameters, gp_tool_cb cb, void *ud,
                    void (*free_ud)(void *ud), gp_error_t **err) {
  return gp__registry_add(r, name, description, parameters, cb, NULL, ud, free_ud, err);
}

int gp_registry_add_async(gp_registry_t *r, const char *name, const char *description,
                          const json_t *parameters, gp_tool_async_cb cb, void *ud,
                          void (*free_ud)(void *ud), gp_error_t **err) {
  return gp__registry_add(r, name, description, parameters, NULL, cb, ud, free_ud, err);
}

/* An asynchronous handler waited for on this thread. */
typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int ready;                  /* guarded by mu */
} waiter_t;

static void gp__waiter_wake(void *arg) {
  waiter_t *w = arg;
  pthread_mutex_lock(&w->mu);
  w->ready = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

static int gp__call_wait(gp__tool_t *t, const gp_tool_ctx_t *ctx, json_t *args, json_t **res,
                     gp_error_t **herr) {
  waiter_t w = {.ready = 0};
  pthread_mutex_init(&w.mu, NULL);
  pthread_cond_init(&w.cv, NULL);
  gp_tool_done_t d;
  gp__done_reset(&d, gp__waiter_wake, &w);
  t->acb(t->ud, ctx, args, &d);
  if (!gp__done_returned(&d)) {
    pthread_mutex_lock(&w.mu);
    while (!w.ready) pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
  }
  pthread_cond_destroy(&w.cv);
  pthread_mutex_destroy(&w.mu);
  *res = d.result;
  *herr = d.err;
  return d.rc;
}

gp__tool_t *gp__registry_lookup(gp_registry_t *r, const char *name) {
  if (!r || !name) return NULL;
  gp__tool_t *t = NULL;
  pthread_rwlock_rdlock(&r->lock);
  long i = gp__find_locked(r, name);
  if (i >= 0) {
    t = r->items[i];
    atomic_fetch_add(&t->refcount, 1);
  }
  pthread_rwlock_unlock(&r->lock);
  return t;
}

int gp__registry_remove(gp_registry_t *r, const gp__tool_t *t) {
  gp__tool_t *gone = NULL;
  pthread_rwlock_wrlock(&r->lock);
  for (size_t i = 0; i < r->n && !gone; i++) {
    if (r->items[i] != t) continue;
    gone = r->items[i];
    memmove(r->items + i, r->items + i + 1, (r->n - i - 1) * sizeof *r->items);
    r->n--;
  }
  pthread_rwlock_unlock(&r->lock);
  gp__tool_unref(gone); /* outside the lock: free_ud may take its own locks */
  return gone != NULL;
}

int gp_registry_has(gp_registry_t *r, const char *name) {
  gp__tool_t *t = gp__registry_lookup(r, name);
  gp__tool_unref(t);
  return t != NULL;
}

size_t gp_registry_count(gp_registry_t *r) {
  if (!r) return 0;
  pthread_rwlock_rdlock(&r->lock);
  size_t n = r->n;
  pthread_rwlock_unlock(&r->lock);
  return n;
}

static int gp__name_listed(const char *name, const char *const *allowed, size_t nallowed) {
  for (size_t i = 0; i < nallowed; i++)
    if (allowed[i] && !strcmp(allowed[i], name)) return 1;
  return 0;
}

json_t *gp_registry_defs(gp_registry_t *r, const char *const *allowed, size_t nallowed) {
  json_t *defs = json_array();
  if (!r) return defs;
  pthread_rwlock_rdlock(&r->lock);
  for (size_t i = 0; i < r->n; i++) {
    gp__tool_t *t = r->items[i];
    if (allowed && !gp__name_listed(t->name, allowed, nallowed)) continue;
    json_t *params = t->parameters ? json_deep_copy(t->parameters) : json_object();
    json_array_append_new(defs, json_pack("{s:s, s:s, s:o}", "name", t->name, "description",
                                          t->description, "parameters", params));
  }
  pthread_rwlock_unlock(&r->lock);
  return defs;
}

int gp_registry_call(gp_registry_t *r, const gp_tool_ctx_t *ctx, const char *name,
                     json_t *args, json_t **result, gp_error_t **err) {
  if (result) *result = NULL;
  gp__tool_t *t = gp__registry_lookup(r, name);
  if (!t) return gp_error_set(err, GP_ERR_TOOL_NOT_FOUND, "unknown tool %s", name ? name : "(null)");
  json_t *empty = NULL;
  if (!args) args = empty = json_object();
  gp_error_t *verr = NULL;
  int rc = gp_schema_validate(t->parameters, args, &verr);
  if (rc) {
    rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "invalid arguments for tool %s: %s", name,
                      verr->message);
    gp_error_free(verr);
  } else {
    json_t *tags = NULL;
    gp_tool_ctx_t local = {0};
    if (ctx) local = *ctx;
    local.tool_name = t->name;
    if (!local.run.tags) local.run.tags = tags = json_object();
    json_t *res = NULL;
    gp_error_t *herr = NULL;
    rc = t->cb ? t->cb(t->ud, &local, args, &res, &herr) : gp__call_wait(t, &local, args, &res, &herr);
    if (rc > 0) rc = GP_ERR_TOOL_FAILED;
    if (rc) {
      json_decref(res);
      if (err) *err = herr ? herr : gp_error_new(rc, "tool %s failed", name);
      else gp_error_free(herr);
    } else if (result) {
      *result = res;
    } else {
      json_decref(res);
    }
    gp_error_free(rc ? NULL : herr);
    json_decref(tags);
  }
  json_decref(empty);
  gp__tool_unref(t);
  return rc;
}
