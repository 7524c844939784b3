/* Sinks, fan-outs and the per-run emitter. A sink wraps a callback; a fan-out is a
 * mutex-guarded list of sinks; the emitter stamps a run's events with its ids and
 * publishes them, under its mutex, to its sinks in one total order, letting exactly one
 * terminal event (final, error, interrupt) through. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "events/events_internal.h"
#include "geppetto/event.h"

/* ---- sinks ---------------------------------------------------------------------- */

struct gp_sink_s {
  gp_sink_cb publish;        /* never NULL */
  void *ud;                  /* passed to publish; freed by free_ud */
  void (*free_ud)(void *ud); /* may be NULL */
  int refcount;              /* atomic */
};

gp_sink_t *gp_sink_new(gp_sink_cb publish, void *ud, void (*free_ud)(void *ud)) {
  gp_sink_t *s = gp__xcalloc(1, sizeof *s);
  s->publish = publish;
  s->ud = ud;
  s->free_ud = free_ud;
  __atomic_store_n(&s->refcount, 1, __ATOMIC_RELAXED);
  return s;
}

gp_sink_t *gp_sink_ref(gp_sink_t *s) {
  if (s) __atomic_add_fetch(&s->refcount, 1, __ATOMIC_RELAXED);
  return s;
}

void gp_sink_unref(gp_sink_t *s) {
  if (s == NULL) return;
  if (__atomic_sub_fetch(&s->refcount, 1, __ATOMIC_ACQ_REL) != 0) return;
  if (s->free_ud) s->free_ud(s->ud);
  free(s);
}

void gp_sink_publish(gp_sink_t *s, gp_event_t *ev) {
  if (s != NULL && s->publish != NULL && ev != NULL) s->publish(s->ud, ev);
}

/* ---- a growable list of sink references (not locked; callers lock) -------------- */

typedef struct {
  gp_sink_t **items; /* owned references */
  size_t n, cap;
} sink_list_t;

static void gp__list_add(sink_list_t *l, gp_sink_t *s) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 4;
    l->items = gp__xrealloc(l->items, l->cap * sizeof *l->items);
  }
  l->items[l->n++] = gp_sink_ref(s);
}

static void gp__list_clear(sink_list_t *l) {
  for (size_t i = 0; i < l->n; i++) gp_sink_unref(l->items[i]);
  free(l->items);
  memset(l, 0, sizeof *l);
}

/* ---- fan-out -------------------------------------------------------------------- */

struct gp_fanout_s {
  pthread_mutex_t lock; /* guards sinks */
  sink_list_t sinks;
};

gp_fanout_t *gp_fanout_new(void) {
  gp_fanout_t *f = gp__xcalloc(1, sizeof *f);
  pthread_mutex_init(&f->lock, NULL);
  return f;
}

void gp_fanout_free(gp_fanout_t *f) {
  if (f == NULL) return;
  gp__list_clear(&f->sinks);
  pthread_mutex_destroy(&f->lock);
  free(f);
}

/* Any thread; takes f->lock. */
void gp_fanout_add(gp_fanout_t *f, gp_sink_t *s) {
  if (s == NULL) return;
  pthread_mutex_lock(&f->lock);
  gp__list_add(&f->sinks, s);
  pthread_mutex_unlock(&f->lock);
}

/* Any thread; takes f->lock. Removes the first occurrence. */
int gp_fanout_remove(gp_fanout_t *f, gp_sink_t *s) {
  gp_sink_t *found = NULL;
  pthread_mutex_lock(&f->lock);
  for (size_t i = 0; i < f->sinks.n; i++) {
    if (f->sinks.items[i] == s) {
      found = s;
      memmove(f->sinks.items + i, f->sinks.items + i + 1,
              (f->sinks.n - i - 1) * sizeof *f->sinks.items);
      f->sinks.n--;
      break;
    }
  }
  pthread_mutex_unlock(&f->lock);
  gp_sink_unref(found); /* outside the lock: free_ud may do anything */
  return found != NULL;
}

size_t gp_fanout_count(gp_fanout_t *f) {
  pthread_mutex_lock(&f->lock);
  size_t n = f->sinks.n;
  pthread_mutex_unlock(&f->lock);
  return n;
}

/* Any thread. Publishes to a snapshot taken under f->lock, outside the lock, so a sink
 * may add or remove sinks (effective from the next event). Concurrent publishers are
 * not ordered with respect to each other; the emitter serialises a run's events. */
void gp_fanout_publish(gp_fanout_t *f, gp_event_t *ev) {
  gp_sink_t *small[8];
  gp_sink_t **snap = small;
  pthread_mutex_lock(&f->lock);
  size_t n = f->sinks.n;
  if (n > sizeof small / sizeof small[0]) snap = gp__xmalloc(n * sizeof *snap);
  for (size_t i = 0; i < n; i++) snap[i] = gp_sink_ref(f->sinks.items[i]);
  pthread_mutex_unlock(&f->lock);
  for (size_t i = 0; i < n; i++) {
    gp_sink_publish(snap[i], ev);
    gp_sink_unref(snap[i]);
  }
  if (snap != small) free(snap);
}

/* ---- emitter -------------------------------------------------------------------- */

struct gp_emitter_s {
  pthread_mutex_t lock; /* guards everything below; held while sinks run */
  char *session_id;     /* heap, never NULL */
  char *inference_id;   /* heap, never NULL */
  char *turn_id;        /* heap, never NULL; may change (gp_emitter_set_turn_id) */
  sink_list_t sinks;    /* owned references, publish order */
  size_t nsinks;        /* sinks.n, also read without the lock (atomic) */
  int ended;            /* 1 once a terminal event was published */
  gp_flow_t *flow;      /* reference or NULL; set before sharing, then read-only */
  gp_emit_tap_cb tap;   /* fed each `partial` delta, or NULL (gp__emitter_set_tap) */
  void *tap_ud;
  json_t *announced;    /* ids of the tool-call events published (keys), or NULL */
};

gp_emitter_t *gp_emitter_new(const char *session_id, const char *inference_id,
                             const char *turn_id) {
  gp_emitter_t *em = gp__xcalloc(1, sizeof *em);
  pthread_mutex_init(&em->lock, NULL);
  em->session_id = gp__xstrdup(session_id ? session_id : "");
  em->inference_id = gp__xstrdup(inference_id ? inference_id : "");
  em->turn_id = gp__xstrdup(turn_id ? turn_id : "");
  return em;
}

/* No gp_emit may be running or start afterwards. */
void gp_emitter_free(gp_emitter_t *em) {
  if (em == NULL) return;
  gp__list_clear(&em->sinks);
  gp__flow_unref(em->flow);
  free(em->session_id);
  free(em->inference_id);
  free(em->turn_id);
  json_decref(em->announced);
  pthread_mutex_destroy(&em->lock);
  free(em);
}

/* Any thread; takes em->lock. The sink sees events emitted after this returns. */
void gp_emitter_add_sink(gp_emitter_t *em, gp_sink_t *s) {
  if (em == NULL || s == NULL) return;
  pthread_mutex_lock(&em->lock);
  gp__list_add(&em->sinks, s);
  __atomic_store_n(&em->nsinks, em->sinks.n, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&em->lock);
}

int gp_emitter_observed(const gp_emitter_t *em) {
  return em != NULL && __atomic_load_n(&em->nsinks, __ATOMIC_ACQUIRE) > 0;
}

void gp__emitter_set_flow(gp_emitter_t *em, gp_flow_t *flow) {
  if (em == NULL) return;
  gp_flow_t *old = em->flow;
  em->flow = gp__flow_ref(flow);
  gp__flow_unref(old);
}

gp_flow_t *gp__emitter_flow(const gp_emitter_t *em) { return em ? em->flow : NULL; }

/* Any thread; takes em->lock. */
void gp_emitter_set_turn_id(gp_emitter_t *em, const char *turn_id) {
  if (em == NULL) return;
  char *id = gp__xstrdup(turn_id ? turn_id : "");
  pthread_mutex_lock(&em->lock);
  char *old = em->turn_id;
  em->turn_id = id;
  pthread_mutex_unlock(&em->lock);
  free(old);
}

int gp__emitter_set_tap(gp_emitter_t *em, gp_emit_tap_cb cb, void *ud) {
  if (em == NULL) return -1;
  pthread_mutex_lock(&em->lock);
  int busy = cb && em->tap;
  if (!busy) em->tap = cb, em->tap_ud = ud;
  pthread_mutex_unlock(&em->lock);
  return busy ? -1 : 0;
}

/* With em->lock held: 1 when the event is to be dropped (a terminal one was already
 * published); otherwise 0, marking the end when this one is terminal. */
static int gp__emit_drop_locked(gp_emitter_t *em, gp_event_type_t type) {
  if (em->ended) return 1;
  if (gp_event_is_terminal(type)) em->ended = 1;
  return 0;
}

/* With em->lock held: publishes ev to every sink, then drops the lock and ev. */
static void gp__emit_publish_unlock(gp_emitter_t *em, gp_event_t *ev) {
  for (size_t i = 0; i < em->sinks.n; i++) gp_sink_publish(em->sinks.items[i], ev);
  pthread_mutex_unlock(&em->lock);
  gp_event_unref(ev);
}

/* With em->lock held: records the call id of a tool-call event's fields. */
static void gp__emit_announce_locked(gp_emitter_t *em, const json_t *fields) {
  const char *id = json_string_value(json_object_get(json_object_get(fields, "toolCall"), "id"));
  if (id == NULL) return;
  if (em->announced == NULL) em->announced = json_object();
  json_object_set_new(em->announced, id, json_true());
}

/* Any thread; takes em->lock and holds it while the sinks run, which is what makes the
 * order total. A sink must therefore not call gp_emit on the same emitter. With no sink
 * no event is built (nobody would see it). */
int gp_emit(gp_emitter_t *em, gp_event_type_t type, json_t *fields) {
  if (em == NULL) {
    json_decref(fields);
    return 0;
  }
  pthread_mutex_lock(&em->lock);
  if (gp__emit_drop_locked(em, type)) {
    pthread_mutex_unlock(&em->lock);
    json_decref(fields);
    return 1;
  }
  if (em->sinks.n == 0) {
    pthread_mutex_unlock(&em->lock);
    json_decref(fields);
    return 0;
  }
  if (type == GP_EVENT_TOOL_CALL) gp__emit_announce_locked(em, fields);
  gp_event_t *ev = gp_event_new(type, em->session_id, em->inference_id, em->turn_id, fields);
  gp__emit_publish_unlock(em, ev);
  return 0;
}

int gp__emitter_announced(gp_emitter_t *em, const char *id) {
  if (em == NULL || id == NULL) return 0;
  pthread_mutex_lock(&em->lock);
  int known = em->announced && json_object_get(em->announced, id) != NULL;
  pthread_mutex_unlock(&em->lock);
  return known;
}

/* Any thread, like gp_emit. The event costs the delta: the completion is a reference
 * on the text's block and the length it has now. */
int gp_emit_partial(gp_emitter_t *em, gp_event_type_t type, const char *delta, size_t n,
                    gp_text_t *text) {
  if (!gp_emitter_observed(em)) return 0; /* per delta: no lock, no allocation */
  pthread_mutex_lock(&em->lock);
  if (gp__emit_drop_locked(em, type)) {
    pthread_mutex_unlock(&em->lock);
    return 1;
  }
  json_t *fields = json_object();
  GP_WORK(n);
  json_object_set_new(fields, "delta", json_stringn_nocheck(delta ? delta : "", delta ? n : 0));
  gp_event_t *ev = gp_event_new(type, em->session_id, em->inference_id, em->turn_id, fields);
  ev->completion_buf = gp__text_share(text, &ev->completion_len);
  json_t *tapped = type == GP_EVENT_PARTIAL && em->tap ? em->tap(em->tap_ud, delta, n) : NULL;
  if (!tapped) {
    gp__emit_publish_unlock(em, ev);
    return 0;
  }
  for (size_t i = 0; i < em->sinks.n; i++) gp_sink_publish(em->sinks.items[i], ev);
  gp_event_unref(ev);
  ev = gp_event_new(GP_EVENT_PARTIAL_OBJECT, em->session_id, em->inference_id, em->turn_id, tapped);
  gp__emit_publish_unlock(em, ev);
  return 0;
}

/* Any thread; takes em->lock. */
int gp_emitter_ended(gp_emitter_t *em) {
  if (em == NULL) return 0;
  pthread_mutex_lock(&em->lock);
  int ended = em->ended;
  pthread_mutex_unlock(&em->lock);
  return ended;
}
