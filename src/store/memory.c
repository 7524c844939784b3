/* The memory store back end: the same behaviour as the databases, kept in a JSON object
 * of this process (sessions by id: {turns: [text], rev, created, updated, runs, lease}).
 * Nothing survives the process; useful for tests and for fork/list within a script.
 * Runs on the store's worker thread only (store_internal.h), so it needs no lock. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "core/core.h"
#include "store/store_internal.h"

typedef struct {
  gp__store_be_t base;
  json_t *sessions;               /* object: id -> session object */
} gp__mem_t;

static int gp__mem_open(gp__store_be_t *be, gp_error_t **err) { return 0; }

static json_t *gp__mem_session(gp__mem_t *m, const char *id, int create) {
  json_t *s = json_object_get(m->sessions, id);
  if (s || !create) return s;
  int64_t now = gp__store_now_ms();
  s = json_pack("{s:[],s:I,s:I,s:I,s:[],s:n}", "turns", "rev", (json_int_t)0, "created",
                (json_int_t)now, "updated", (json_int_t)now, "runs", "lease");
  json_object_set_new(m->sessions, id, s);
  return s;
}

static void gp__mem_touch(json_t *s, int64_t *rev) {
  json_int_t r = json_integer_value(json_object_get(s, "rev")) + 1;
  json_object_set_new(s, "rev", json_integer(r));
  json_object_set_new(s, "updated", json_integer(gp__store_now_ms()));
  if (rev) *rev = r;
}

static int gp__mem_load(gp__store_be_t *be, const char *id, char ***turns, size_t *n,
                        int64_t *rev, gp_error_t **err) {
  json_t *s = gp__mem_session((gp__mem_t *)be, id, 0);
  if (!s) return gp_error_set(err, GP_ERR_NOT_FOUND, "no session %s in the store", id);
  json_t *t = json_object_get(s, "turns");
  *n = json_array_size(t);
  *turns = gp__xcalloc(*n ? *n : 1, sizeof **turns);
  for (size_t i = 0; i < *n; i++) (*turns)[i] = gp__xstrdup(json_string_value(json_array_get(t, i)));
  *rev = json_integer_value(json_object_get(s, "rev"));
  return 0;
}

static int gp__mem_lease(gp__store_be_t *be, const char *id, const char *owner,
                         int64_t lease_ms, int64_t *rev, gp_error_t **err) {
  json_t *s = gp__mem_session((gp__mem_t *)be, id, 1);
  json_t *l = json_object_get(s, "lease");
  int64_t now = gp__store_now_ms();
  const char *holder = json_is_object(l) ? json_string_value(json_object_get(l, "owner")) : NULL;
  if (holder && strcmp(holder, owner) != 0 && json_integer_value(json_object_get(l, "expires")) > now) {
    if (!gp__store_owner_gone(holder))
      return gp__store_busy(err, id, holder,
                            json_integer_value(json_object_get(l, "expires")) - now);
    gp__store_log_takeover(id, holder);
  }
  json_object_set_new(s, "lease", json_pack("{s:s,s:I}", "owner", owner, "expires",
                                            (json_int_t)(now + lease_ms)));
  *rev = json_integer_value(json_object_get(s, "rev"));
  return 0;
}

static int gp__mem_release(gp__store_be_t *be, const char *id, const char *owner,
                           gp_error_t **err) {
  json_t *s = gp__mem_session((gp__mem_t *)be, id, 0);
  json_t *l = s ? json_object_get(s, "lease") : NULL;
  if (json_is_object(l) && strcmp(json_string_value(json_object_get(l, "owner")), owner) == 0)
    json_object_set_new(s, "lease", json_null());
  return 0;
}

static int gp__mem_holds(json_t *s, const char *owner) {
  json_t *l = json_object_get(s, "lease");
  return json_is_object(l) && strcmp(json_string_value(json_object_get(l, "owner")), owner) == 0;
}

static void gp__mem_put(json_t *s, int64_t index, const char *text) {
  json_t *t = json_object_get(s, "turns");
  if ((size_t)index < json_array_size(t)) json_array_set_new(t, (size_t)index, json_string(text));
  else json_array_append_new(t, json_string(text));
}

static int gp__mem_commit(gp__store_be_t *be, const gp__store_commit_t *c, int64_t *rev,
                          gp_error_t **err) {
  json_t *s = gp__mem_session((gp__mem_t *)be, c->session_id, 1);
  if (c->owner && !gp__mem_holds(s, c->owner))
    return gp_error_set(err, GP_ERR_SESSION_BUSY,
                        "session %s: this run's lease was lost (expired and taken); nothing committed",
                        c->session_id);
  json_t *run = json_pack("{s:s,s:I,s:I,s:s}", "id", c->run_id, "started",
                          (json_int_t)c->started_ms, "ended", (json_int_t)c->ended_ms, "outcome",
                          c->outcome);
  if (c->usage) json_object_set_new(run, "usage", json_string(c->usage));
  if (c->partial) json_object_set_new(run, "partial", json_string(c->partial));
  json_array_append_new(json_object_get(s, "runs"), run);
  if (c->owner) json_object_set_new(s, "lease", json_null()); /* the run has ended */
  if (c->turn_index >= 0 && c->turn_json) {
    gp__mem_put(s, c->turn_index, c->turn_json);
    gp__mem_touch(s, rev);
  } else {
    *rev = json_integer_value(json_object_get(s, "rev"));
  }
  return 0;
}

static int gp__mem_put_turn(gp__store_be_t *be, const char *id, int64_t index,
                            const char *turn_json, int64_t *rev, gp_error_t **err) {
  json_t *s = gp__mem_session((gp__mem_t *)be, id, 1);
  gp__mem_put(s, index, turn_json);
  gp__mem_touch(s, rev);
  return 0;
}

static int gp__entry_cmp(const void *a, const void *b) {
  const gp_store_entry_t *x = a, *y = b;
  return x->updated_at_ms < y->updated_at_ms ? 1 : x->updated_at_ms > y->updated_at_ms ? -1
                                                                                     : strcmp(x->id, y->id);
}

static int gp__mem_list(gp__store_be_t *be, size_t limit, int64_t before_ms,
                        gp_store_entry_t **out, size_t *n, gp_error_t **err) {
  gp__mem_t *m = (gp__mem_t *)be;
  size_t cap = json_object_size(m->sessions), k = 0;
  gp_store_entry_t *e = gp__xcalloc(cap ? cap : 1, sizeof *e);
  const char *id;
  json_t *s;
  json_object_foreach(m->sessions, id, s) {
    int64_t up = json_integer_value(json_object_get(s, "updated"));
    if (before_ms > 0 && up >= before_ms) continue;
    e[k].id = gp__xstrdup(id);
    e[k].turn_count = json_array_size(json_object_get(s, "turns"));
    e[k].updated_at_ms = up;
    k++;
  }
  qsort(e, k, sizeof *e, gp__entry_cmp);
  if (limit && k > limit) {
    for (size_t i = limit; i < k; i++) free(e[i].id);
    k = limit;
  }
  *out = e;
  *n = k;
  return 0;
}

static int gp__mem_remove(gp__store_be_t *be, const char *id, gp_error_t **err) {
  json_object_del(((gp__mem_t *)be)->sessions, id);
  return 0;
}

static int gp__mem_copy(gp__store_be_t *be, const char *from, const char *to,
                        gp_error_t **err) {
  gp__mem_t *m = (gp__mem_t *)be;
  json_t *src = gp__mem_session(m, from, 0);
  if (gp__mem_session(m, to, 0))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "session %s already exists in the store", to);
  json_t *dst = gp__mem_session(m, to, 1);
  if (src) json_object_set_new(dst, "turns", json_deep_copy(json_object_get(src, "turns")));
  gp__mem_touch(dst, NULL);
  return 0;
}

static int gp__mem_runs(gp__store_be_t *be, const char *id, gp_store_run_t **out,
                        size_t *n, gp_error_t **err) {
  json_t *s = gp__mem_session((gp__mem_t *)be, id, 0);
  json_t *runs = s ? json_object_get(s, "runs") : NULL;
  *n = json_array_size(runs);
  *out = gp__xcalloc(*n ? *n : 1, sizeof **out);
  for (size_t i = 0; i < *n; i++) {
    json_t *r = json_array_get(runs, i);
    gp_store_run_t *o = &(*out)[i];
    o->id = gp__xstrdup(json_string_value(json_object_get(r, "id")));
    o->started_at_ms = json_integer_value(json_object_get(r, "started"));
    o->ended_at_ms = json_integer_value(json_object_get(r, "ended"));
    o->outcome = gp__xstrdup(json_string_value(json_object_get(r, "outcome")));
    o->usage = gp__xstrdup(json_string_value(json_object_get(r, "usage")));
    json_t *p = json_object_get(r, "partial");
    if (p) {
      json_t *pj = json_loads(json_string_value(p), 0, NULL);
      o->partial = pj ? gp_turn_from_json(pj, NULL) : NULL;
      json_decref(pj);
    }
  }
  return 0;
}

static void gp__mem_free(gp__store_be_t *be) {
  gp__mem_t *m = (gp__mem_t *)be;
  json_decref(m->sessions);
  free(m);
}

static const gp__store_vt_t gp__mem_vt = {
    .kind = "memory", .open = gp__mem_open, .load = gp__mem_load, .lease = gp__mem_lease,
    .release = gp__mem_release, .commit = gp__mem_commit, .put_turn = gp__mem_put_turn,
    .list = gp__mem_list, .remove = gp__mem_remove, .copy = gp__mem_copy,
    .runs = gp__mem_runs, .free = gp__mem_free};

gp__store_be_t *gp__store_memory_be(void) {
  gp__mem_t *m = gp__xcalloc(1, sizeof *m);
  m->base.vt = &gp__mem_vt;
  m->sessions = json_object();
  return &m->base;
}
