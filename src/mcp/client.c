/* The MCP client core: JSON-RPC 2.0 over a transport (ids, requests, notifications,
 * errors, responses in any order), the initialize handshake with version negotiation,
 * restarts, per-request deadlines and cancellation, ping and -32601 answers.
 *
 * Threads: requests start on any thread; the transport's I/O thread delivers messages
 * and completes requests; a sweeper thread per client fails requests whose deadline
 * passed or whose cancel token fired, at once, and tells the server with
 * notifications/cancelled. Every completion runs outside the client's lock. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp/mcp_internal.h"
#include "geppetto/log.h"

struct gp__mcp_pending_s {
  int64_t id;
  char *method;
  gp_mcp_done_cb done;
  void *ud;
  gp_mcp_progress_cb on_progress;
  void *progress_ud;
  gp_cancel_t *cancel;         /* own reference, or NULL */
  uint64_t cancel_id;
  int64_t deadline;            /* monotonic ms */
  int64_t timeout;             /* ms, for the message */
  int64_t started;             /* monotonic ms */
  int reason;                  /* the sweeper's: why it ends (TIMEOUT, CANCELED, ...) */
  int by_token;                /* ... from its cancel token (run cancel, the call's deadline) */
  gp__mcp_pending_t *next;
};

static const char *const gp__mcp_versions[] = {GP_MCP_PROTOCOL_VERSION, "2025-06-18", "2025-03-26"};

/* ---- The process's open clients --------------------------------------------------- */

static pthread_mutex_t gp__mcp_all_mu = PTHREAD_MUTEX_INITIALIZER;
static gp_mcp_client_t *gp__mcp_all;

static void gp__all_add(gp_mcp_client_t *c) {
  pthread_mutex_lock(&gp__mcp_all_mu);
  c->all_next = gp__mcp_all;
  if (gp__mcp_all) gp__mcp_all->all_prev = &c->all_next;
  c->all_prev = &gp__mcp_all;
  gp__mcp_all = c;
  pthread_mutex_unlock(&gp__mcp_all_mu);
}

static void gp__all_remove(gp_mcp_client_t *c) {
  pthread_mutex_lock(&gp__mcp_all_mu);
  if (c->all_prev) {
    *c->all_prev = c->all_next;
    if (c->all_next) c->all_next->all_prev = c->all_prev;
    c->all_prev = NULL;
  }
  pthread_mutex_unlock(&gp__mcp_all_mu);
}

void gp_mcp_close_all(void) {
  for (;;) {
    pthread_mutex_lock(&gp__mcp_all_mu);
    gp_mcp_client_t *c = gp__mcp_all ? gp_mcp_ref(gp__mcp_all) : NULL;
    pthread_mutex_unlock(&gp__mcp_all_mu);
    if (c == NULL) return;
    gp_mcp_close(c); /* removes it from the list */
    gp_mcp_unref(c);
  }
}

/* ---- Configuration ---------------------------------------------------------------- */

/* A copy of v, an empty array for NULL (the transports read them without checking). */
static char **gp__strv_copy(const char *const *v) {
  static const char *const none[] = {NULL};
  return gp__strv_dup(v ? v : none);
}

static void gp__cfg_clear(gp__mcp_cfg_t *k) {
  free(k->command);
  gp__strv_free(k->args);
  gp__strv_free(k->env);
  free(k->cwd);
  free(k->url);
  gp__strv_free(k->headers);
  free(k->name);
}

static int gp__cfg_init(gp__mcp_cfg_t *k, const gp_mcp_spec_t *s, gp_error_t **err) {
  memset(k, 0, sizeof *k);
  int has_cmd = s->command && *s->command, has_url = s->url && *s->url;
  if (has_cmd == has_url)
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "an MCP server needs either a command (stdio) or a url (Streamable HTTP)");
  if (has_url && strncmp(s->url, "http://", 7) != 0 && strncmp(s->url, "https://", 8) != 0)
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "the MCP server url must be http:// or https://");
  k->command = gp__xstrdup(has_cmd ? s->command : NULL);
  k->args = gp__strv_copy(s->args);
  k->env = gp__strv_copy(s->env);
  k->cwd = gp__xstrdup(s->cwd);
  k->url = gp__xstrdup(has_url ? s->url : NULL);
  k->headers = gp__strv_copy(s->headers);
  k->name = gp__xstrdup(s->name && *s->name ? s->name : has_cmd ? s->command : s->url);
  k->timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : 60000;
  /* HTTP: a session the server ended (404) is followed by a new one, as MCP requires. */
  k->restart = has_cmd ? !s->no_restart : 1;
  return 0;
}

/* ---- Pending requests ----------------------------------------------------------- */

/* Removes and returns the request `id` (NULL when none). Under c->mu. */
static gp__mcp_pending_t *gp__pending_take(gp_mcp_client_t *c, int64_t id) {
  for (gp__mcp_pending_t **pp = &c->pending; *pp; pp = &(*pp)->next) {
    if ((*pp)->id == id) {
      gp__mcp_pending_t *p = *pp;
      *pp = p->next;
      p->next = NULL;
      return p;
    }
  }
  return NULL;
}

static gp__mcp_pending_t *gp__pending_find(gp_mcp_client_t *c, int64_t id) {
  for (gp__mcp_pending_t *p = c->pending; p; p = p->next)
    if (p->id == id) return p;
  return NULL;
}

/* Completes a request taken out of the table. Outside c->mu. */
static void gp__finish(gp__mcp_pending_t *p, int rc, json_t *result, gp_error_t *err) {
  if (p->cancel) {
    if (p->cancel_id) gp_cancel_off(p->cancel, p->cancel_id);
    gp_cancel_unref(p->cancel);
  }
  if (rc != 0 && err == NULL) err = gp_error_new(rc, NULL);
  if (rc != 0) {
    json_decref(result);
    result = NULL;
  }
  p->done(p->ud, rc, result, err);
  free(p->method);
  free(p);
}

/* Fails every request in list `p` with (code, message). Outside c->mu. */
static void gp__fail_list(gp__mcp_pending_t *p, int code, const char *msg) {
  while (p) {
    gp__mcp_pending_t *next = p->next;
    gp__finish(p, code, NULL, gp_error_new(code, "%s", msg));
    p = next;
  }
}

/* ---- Sending -------------------------------------------------------------------- */

static int gp__send_json(gp_mcp_client_t *c, json_t *msg, gp_error_t **err) {
  char *text = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
  if (text == NULL) return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "the message cannot be encoded as JSON");
  pthread_mutex_lock(&c->smu);
  pthread_mutex_lock(&c->mu);
  gp__mcp_tr_t *tr = c->tr_alive ? c->tr : NULL;
  pthread_mutex_unlock(&c->mu);
  int rc = tr ? tr->ops->send(tr, text, strlen(text), err)
              : gp_error_set(err, GP_ERR_MCP_CLOSED, "the MCP server %s is not connected", c->cfg.name);
  pthread_mutex_unlock(&c->smu);
  free(text);
  return rc;
}

static void gp__send_notification(gp_mcp_client_t *c, const char *method, json_t *params) {
  json_t *m = json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method", method);
  if (params) json_object_set_new(m, "params", params);
  gp_error_t *err = NULL;
  if (gp__send_json(c, m, &err) != 0) gp_error_free(err);
  json_decref(m);
}

static void gp__send_cancelled(gp_mcp_client_t *c, int64_t id, int reason) {
  gp__send_notification(c, "notifications/cancelled",
                    json_pack("{s:I, s:s}", "requestId", (json_int_t)id, "reason",
                              reason == GP_ERR_TIMEOUT ? "the request timed out" : "the request was canceled"));
}

/* ---- Starting and restarting the server ----------------------------------------- */

static void gp__rpc_start(gp_mcp_client_t *c, const char *method, json_t *params, const gp_mcp_call_opts_t *o,
                      int internal, gp_mcp_done_cb done, void *ud);

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int finished, rc;
  json_t *result;
  gp_error_t *err;
} waiter_t;

static void gp__waiter_done(void *ud, int rc, json_t *result, gp_error_t *err) {
  waiter_t *w = ud;
  pthread_mutex_lock(&w->mu);
  w->rc = rc;
  w->result = result;
  w->err = err;
  w->finished = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

static int gp__rpc_wait(gp_mcp_client_t *c, const char *method, json_t *params, const gp_mcp_call_opts_t *o,
                    int internal, json_t **result, gp_error_t **err) {
  waiter_t w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
  gp__rpc_start(c, method, params, o, internal, gp__waiter_done, &w);
  pthread_mutex_lock(&w.mu);
  while (!w.finished) pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  pthread_mutex_destroy(&w.mu);
  pthread_cond_destroy(&w.cv);
  if (w.rc == 0) {
    if (result) *result = w.result;
    else json_decref(w.result);
  } else if (err) {
    *err = w.err;
  } else {
    gp_error_free(w.err);
  }
  return w.rc;
}

static int gp__version_supported(const char *v) {
  for (size_t i = 0; i < sizeof gp__mcp_versions / sizeof gp__mcp_versions[0]; i++)
    if (v && strcmp(v, gp__mcp_versions[i]) == 0) return 1;
  return 0;
}

/* Every page of tools/list. */
static int gp__list_tools(gp_mcp_client_t *c, int internal, json_t **out, gp_error_t **err) {
  json_t *all = json_array();
  char *cursor = NULL;
  for (int page = 0; page < 10000; page++) {
    json_t *params = cursor ? json_pack("{s:s}", "cursor", cursor) : NULL;
    json_t *res = NULL;
    int rc = gp__rpc_wait(c, "tools/list", params, NULL, internal, &res, err);
    free(cursor);
    cursor = NULL;
    if (rc != 0) {
      json_decref(all);
      return rc;
    }
    json_t *tools = json_object_get(res, "tools");
    if (!json_is_array(tools)) {
      json_decref(res);
      json_decref(all);
      return gp_error_set(err, GP_ERR_MCP_PROTOCOL, "the MCP server %s answered tools/list without a tools array",
                          c->cfg.name);
    }
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t) if (json_is_string(json_object_get(t, "name"))) json_array_append(all, t);
    const char *next = json_string_value(json_object_get(res, "nextCursor"));
    if (next && *next) cursor = gp__xstrdup(next);
    json_decref(res);
    if (cursor == NULL) break;
  }
  free(cursor);
  *out = all;
  return 0;
}

/* initialize, notifications/initialized, tools/list. */
static int gp__handshake(gp_mcp_client_t *c, gp_error_t **err) {
  json_t *params = json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion", GP_MCP_PROTOCOL_VERSION,
                             "capabilities", "clientInfo", "name", "geppetto", "version", "1");
  json_t *res = NULL;
  int rc = gp__rpc_wait(c, "initialize", params, NULL, 1, &res, err);
  if (rc != 0) return rc;
  const char *v = json_string_value(json_object_get(res, "protocolVersion"));
  if (!gp__version_supported(v)) {
    rc = gp_error_set(err, GP_ERR_MCP_PROTOCOL,
                      "the MCP server %s speaks protocol revision %s; geppetto speaks %s, 2025-06-18 and 2025-03-26",
                      c->cfg.name, v ? v : "(none)", GP_MCP_PROTOCOL_VERSION);
    json_decref(res);
    return rc;
  }
  pthread_mutex_lock(&c->mu);
  snprintf(c->protocol, sizeof c->protocol, "%s", v);
  json_decref(c->server_info);
  json_t *info = json_object_get(res, "serverInfo");
  c->server_info = json_is_object(info) ? json_deep_copy(info) : json_object();
  json_decref(c->server_caps);
  json_t *caps = json_object_get(res, "capabilities");
  c->server_caps = json_is_object(caps) ? json_deep_copy(caps) : json_object();
  int has_tools = json_object_get(c->server_caps, "tools") != NULL;
  pthread_mutex_unlock(&c->mu);
  json_decref(res);
  pthread_mutex_lock(&c->smu);
  if (c->cfg.url && c->tr) gp__mcp_http_set_protocol(c->tr, c->protocol);
  pthread_mutex_unlock(&c->smu);
  gp__send_notification(c, "notifications/initialized", NULL);
  json_t *tools = json_array();
  if (has_tools) {
    json_decref(tools);
    if ((rc = gp__list_tools(c, 1, &tools, err)) != 0) return rc;
  }
  pthread_mutex_lock(&c->mu);
  json_decref(c->tools);
  c->tools = tools;
  c->tools_dirty = 0;
  pthread_mutex_unlock(&c->mu);
  return 0;
}

static _Atomic(gp__mcp_open_fn) gp__mcp_opener;

void gp__mcp_set_opener(gp__mcp_open_fn open) { atomic_store(&gp__mcp_opener, open); }

static gp__mcp_tr_t *gp__open_transport(gp_mcp_client_t *c, gp_error_t **err) {
  gp__mcp_open_fn open = atomic_load(&gp__mcp_opener);
  if (open) return open(c, &c->cfg, err);
  return c->cfg.command ? gp__mcp_stdio_open(c, &c->cfg, err) : gp__mcp_http_open(c, &c->cfg, err);
}

/* Closes the old transport (if any) and starts a new one with the handshake. Called with
 * c->starting set by this thread. */
static int gp__start_transport(gp_mcp_client_t *c, gp_error_t **err) {
  pthread_mutex_lock(&c->smu);
  pthread_mutex_lock(&c->mu);
  gp__mcp_tr_t *old = c->tr;
  c->tr = NULL;
  c->tr_alive = 0;
  pthread_mutex_unlock(&c->mu);
  if (old) old->ops->close(old);
  gp__mcp_tr_t *tr = gp__open_transport(c, err);
  pthread_mutex_lock(&c->mu);
  c->tr = tr;
  c->tr_alive = tr != NULL;
  pthread_mutex_unlock(&c->mu);
  pthread_mutex_unlock(&c->smu);
  if (tr == NULL) return (err && *err) ? (*err)->code : GP_ERR_IO;
  int rc = gp__handshake(c, err);
  if (rc != 0) {
    pthread_mutex_lock(&c->mu);
    c->tr_alive = 0;
    pthread_mutex_unlock(&c->mu);
  }
  return rc;
}

/* Makes sure the transport is up, restarting it when allowed. 0 or an error. */
static int gp__ensure_alive(gp_mcp_client_t *c, gp_error_t **err) {
  pthread_mutex_lock(&c->mu);
  while (c->starting && !c->closed) pthread_cond_wait(&c->cv, &c->mu);
  if (c->closed) {
    pthread_mutex_unlock(&c->mu);
    return gp_error_set(err, GP_ERR_MCP_CLOSED, "the MCP client of %s is closed", c->cfg.name);
  }
  if (c->tr_alive) {
    pthread_mutex_unlock(&c->mu);
    return 0;
  }
  if (!c->cfg.restart) {
    int rc = gp_error_set(err, GP_ERR_MCP_CLOSED, "%s", c->lost_msg ? c->lost_msg : "the MCP server is gone");
    pthread_mutex_unlock(&c->mu);
    return rc;
  }
  c->starting = 1;
  pthread_mutex_unlock(&c->mu);
  gp_log(GP_LOG_INFO, "mcp", c->cfg.command ? "starting the MCP server %s again" : "opening a new session with the MCP server %s",
         c->cfg.name);
  int rc = gp__start_transport(c, err);
  pthread_mutex_lock(&c->mu);
  c->starting = 0;
  pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
  return rc;
}

/* ---- Requests ------------------------------------------------------------------- */

static void gp__on_cancel(void *ud, int reason) {
  (void)reason;
  gp_mcp_client_t *c = ud;
  pthread_mutex_lock(&c->mu);
  c->sweep_kick = 1;
  pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

static void gp__rpc_start(gp_mcp_client_t *c, const char *method, json_t *params, const gp_mcp_call_opts_t *o,
                      int internal, gp_mcp_done_cb done, void *ud) {
  gp_error_t *err = NULL;
  if (!internal && gp__ensure_alive(c, &err) != 0) {
    json_decref(params);
    done(ud, err->code, NULL, err);
    return;
  }
  gp__mcp_pending_t *p = gp__xcalloc(1, sizeof *p);
  p->method = gp__xstrdup(method);
  p->done = done;
  p->ud = ud;
  int64_t timeout = o && o->timeout_ms > 0 ? o->timeout_ms : c->cfg.timeout_ms;
  p->started = gp__mono_ms();
  p->deadline = p->started + timeout;
  p->timeout = timeout;
  pthread_mutex_lock(&c->mu);
  p->id = ++c->next_id;
  pthread_mutex_unlock(&c->mu);
  if (params == NULL) params = json_object();
  if (o && o->on_progress) {
    p->on_progress = o->on_progress;
    p->progress_ud = o->progress_ud;
    json_t *meta = json_object_get(params, "_meta");
    if (!json_is_object(meta)) json_object_set_new(params, "_meta", meta = json_object());
    json_object_set_new(meta, "progressToken", json_integer(p->id));
  }
  if (o && o->cancel) {
    p->cancel = gp_cancel_ref(o->cancel);
    p->cancel_id = gp_cancel_on(p->cancel, gp__on_cancel, c);
  }
  json_t *msg = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t)p->id, "method", method,
                          "params", params);
  pthread_mutex_lock(&c->mu);
  int ok = !c->closed && c->tr_alive;
  if (ok) {
    p->next = c->pending;
    c->pending = p;
    pthread_cond_broadcast(&c->cv); /* the sweeper learns the new deadline */
  }
  pthread_mutex_unlock(&c->mu);
  if (!ok) {
    json_decref(msg);
    gp__finish(p, GP_ERR_MCP_CLOSED,
           NULL, gp_error_new(GP_ERR_MCP_CLOSED, "the MCP server %s is not connected", c->cfg.name));
    return;
  }
  if (gp__send_json(c, msg, &err) != 0) {
    pthread_mutex_lock(&c->mu);
    gp__mcp_pending_t *mine = gp__pending_take(c, p->id);
    pthread_mutex_unlock(&c->mu);
    if (mine) gp__finish(mine, err->code, NULL, err);
    else gp_error_free(err);
  }
  json_decref(msg);
}

/* ---- The sweeper: deadlines and cancel tokens ----------------------------------- */

/* Ends a request the sweeper took out: the server hears notifications/cancelled, the
 * request fails with its reason. Outside c->mu. */
static void gp__expire(gp_mcp_client_t *c, gp__mcp_pending_t *p) {
  gp__send_cancelled(c, p->id, p->reason);
  gp_error_t *e;
  if (p->reason == GP_ERR_TIMEOUT && !p->by_token)
    e = gp_error_new(GP_ERR_TIMEOUT, "the MCP server %s did not answer %s in time (timeout %lld ms)", c->cfg.name,
                     p->method, (long long)p->timeout);
  else if (p->reason == GP_ERR_TIMEOUT) /* the token's: a tool call's executionTimeoutMs */
    e = gp_error_new(GP_ERR_TIMEOUT, "the MCP server %s did not answer %s within the call's time limit (%lld ms)",
                     c->cfg.name, p->method, (long long)(gp__mono_ms() - p->started));
  else
    e = gp_error_new(p->reason, "%s to the MCP server %s was canceled", p->method, c->cfg.name);
  gp__finish(p, p->reason, NULL, e);
}

static void *gp__sweeper_main(void *arg) {
  gp_mcp_client_t *c = arg;
  pthread_mutex_lock(&c->mu);
  while (!c->close_done) {
    int64_t now = gp__mono_ms(), next = now + 1000;
    gp__mcp_pending_t *expired = NULL;
    for (gp__mcp_pending_t **pp = &c->pending; *pp;) {
      gp__mcp_pending_t *p = *pp;
      p->reason = gp_cancel_reason(p->cancel);
      p->by_token = p->reason != 0;
      if (p->reason == 0 && p->deadline <= now) p->reason = GP_ERR_TIMEOUT;
      if (p->reason != 0) {
        *pp = p->next;
        p->next = expired;
        expired = p;
        continue;
      }
      if (p->deadline < next) next = p->deadline;
      pp = &p->next;
    }
    if (expired) {
      pthread_mutex_unlock(&c->mu);
      while (expired) {
        gp__mcp_pending_t *p = expired;
        expired = p->next;
        gp__expire(c, p);
      }
      pthread_mutex_lock(&c->mu);
      continue;
    }
    if (c->sweep_kick) {
      c->sweep_kick = 0;
      continue;
    }
    struct timespec ts;
    gp__timespec_in(&ts, CLOCK_MONOTONIC, next - now);
    pthread_cond_timedwait(&c->cv, &c->mu, &ts);
  }
  pthread_mutex_unlock(&c->mu);
  return NULL;
}

/* ---- Messages from the server ----------------------------------------------------- */

static void gp__reply(gp_mcp_client_t *c, json_t *id, json_t *result, int code, const char *message) {
  json_t *m = json_pack("{s:s, s:O}", "jsonrpc", "2.0", "id", id);
  if (result) json_object_set_new(m, "result", result);
  else json_object_set_new(m, "error", json_pack("{s:i, s:s}", "code", code, "message", message));
  gp_error_t *err = NULL;
  if (gp__send_json(c, m, &err) != 0) gp_error_free(err);
  json_decref(m);
}

static void gp__on_progress(gp_mcp_client_t *c, json_t *params) {
  json_t *tok = json_object_get(params, "progressToken");
  if (!json_is_integer(tok)) return;
  json_t *pv = json_object_get(params, "progress"), *tv = json_object_get(params, "total");
  pthread_mutex_lock(&c->mu);
  gp__mcp_pending_t *p = gp__pending_find(c, json_integer_value(tok));
  if (p && p->on_progress)
    p->on_progress(p->progress_ud, json_is_number(pv) ? json_number_value(pv) : 0,
                   json_is_number(tv) ? json_number_value(tv) : -1,
                   json_string_value(json_object_get(params, "message")));
  pthread_mutex_unlock(&c->mu);
}

/* After list_changed: lists the tools again (the cached list and the bound registries),
 * again while the server said it changed meanwhile. */
static void *gp__refresh_main(void *arg) {
  gp_mcp_client_t *c = arg;
  for (int again = 1; again;) {
    json_t *tools = NULL;
    gp_error_t *err = NULL;
    int rc = gp_mcp_tools(c, &tools, &err); /* refreshes the bound registries too */
    if (rc == 0) {
      json_decref(tools);
    } else {
      gp_log(GP_LOG_WARN, "mcp", "could not list the tools of %s again: %s", c->cfg.name, err->message);
      gp_error_free(err);
    }
    pthread_mutex_lock(&c->mu);
    again = rc == 0 && c->tools_dirty && !c->closed;
    if (!again) {
      c->refreshing = 0;
      pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
  }
  gp_mcp_unref(c);
  return NULL;
}

static void gp__on_list_changed(gp_mcp_client_t *c) {
  pthread_mutex_lock(&c->mu);
  c->tools_dirty = 1;
  c->tools_gen++;
  int go = !c->refreshing && !c->closed;
  if (go) c->refreshing = 1;
  pthread_mutex_unlock(&c->mu);
  if (!go) return;
  pthread_t t;
  gp_mcp_ref(c);
  if (pthread_create(&t, NULL, gp__refresh_main, c) == 0) {
    pthread_detach(t);
  } else {
    pthread_mutex_lock(&c->mu);
    c->refreshing = 0;
    pthread_mutex_unlock(&c->mu);
    gp_mcp_unref(c);
  }
}

static void gp__on_request(gp_mcp_client_t *c, const char *method, json_t *id) {
  if (strcmp(method, "ping") == 0) gp__reply(c, id, json_object(), 0, NULL);
  else gp__reply(c, id, NULL, -32601, "Method not found");
}

static void gp__on_notification(gp_mcp_client_t *c, const char *method, json_t *params) {
  if (strcmp(method, "notifications/progress") == 0) gp__on_progress(c, params);
  else if (strcmp(method, "notifications/tools/list_changed") == 0) gp__on_list_changed(c);
  /* notifications/cancelled: we run no server requests that could be canceled;
   * notifications/message and others: nothing to do. */
}

static void gp__on_response(gp_mcp_client_t *c, json_t *m) {
  json_t *id = json_object_get(m, "id");
  if (!json_is_integer(id)) { /* not one of ours: an answer to a notification, id null */
    gp_log(GP_LOG_DEBUG, "mcp", "%s sent an answer that matches no request", c->cfg.name);
    return;
  }
  pthread_mutex_lock(&c->mu);
  gp__mcp_pending_t *p = gp__pending_take(c, json_integer_value(id));
  pthread_mutex_unlock(&c->mu);
  if (p == NULL) return; /* canceled or timed out already */
  json_t *e = json_object_get(m, "error");
  if (e) {
    const char *msg = json_string_value(json_object_get(e, "message"));
    json_int_t code = json_integer_value(json_object_get(e, "code"));
    gp__finish(p, GP_ERR_MCP_ERROR, NULL,
           gp_error_new(GP_ERR_MCP_ERROR, "%s (MCP error %lld from %s on %s)", msg ? msg : "error", (long long)code,
                        c->cfg.name, p->method));
    return;
  }
  /* A copy: the waiter's thread owns it alone (no jansson value is shared by threads). */
  json_t *res = json_object_get(m, "result");
  gp__finish(p, 0, res ? json_deep_copy(res) : json_null(), NULL);
}

/* One message: a response, a request or a notification (or a batch of them). */
static int gp__dispatch(gp_mcp_client_t *c, json_t *m) {
  if (json_is_array(m)) {
    size_t i;
    json_t *x;
    json_array_foreach(m, i, x) if (gp__dispatch(c, x) != 0) return -1;
    return 0;
  }
  if (!json_is_object(m)) return -1;
  const char *method = json_string_value(json_object_get(m, "method"));
  json_t *id = json_object_get(m, "id");
  if (method && id) gp__on_request(c, method, id);
  else if (method) gp__on_notification(c, method, json_object_get(m, "params"));
  else if (json_object_get(m, "result") || json_object_get(m, "error")) gp__on_response(c, m);
  else return -1;
  return 0;
}

/* A server that broke the protocol: the connection is dropped (the next request starts
 * it again, when allowed) and its pending requests fail with MCP_CLOSED, naming what
 * was wrong and quoting its stderr (SPEC §4.11). */
static void gp__broken(gp_mcp_client_t *c, gp__mcp_tr_t *tr, const char *what, const char *msg, size_t len) {
  size_t n = len < 80 ? len : 80;
  while (n < len && n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80) n--; /* whole UTF-8 characters */
  char *quote = gp__xstrndup(msg, n);
  for (char *q = quote; *q; q++)
    if ((unsigned char)*q < 0x20) *q = ' ';
  char *tail = tr->ops->stderr_tail ? tr->ops->stderr_tail(tr) : gp__xstrdup("");
  char *text = gp__xasprintf("the MCP server %s broke the protocol: it sent a malformed message (%s): %s%s%s",
                             c->cfg.name, what, quote, n < len ? "..." : "", tail);
  gp__mcp_lost(c, tr, GP_ERR_MCP_CLOSED, text);
  free(text);
  free(tail);
  free(quote);
}

void gp__mcp_deliver(gp_mcp_client_t *c, gp__mcp_tr_t *tr, const char *msg, size_t len) {
  pthread_mutex_lock(&c->mu);
  int current = c->tr == tr && c->tr_alive;
  pthread_mutex_unlock(&c->mu);
  if (!current) return; /* a server that broke the protocol, or ended: no longer heard */
  json_error_t jerr;
  json_t *m = json_loadb(msg, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (m == NULL) gp__broken(c, tr, "not JSON", msg, len);
  else if (gp__dispatch(c, m) != 0) gp__broken(c, tr, "JSON, but not JSON-RPC", msg, len);
  json_decref(m);
}

void gp__mcp_fail_request(gp_mcp_client_t *c, int64_t id, int code, const char *message) {
  pthread_mutex_lock(&c->mu);
  gp__mcp_pending_t *p = gp__pending_take(c, id);
  pthread_mutex_unlock(&c->mu);
  if (p) gp__finish(p, code, NULL, gp_error_new(code, "%s", message));
}

void gp__mcp_lost(gp_mcp_client_t *c, gp__mcp_tr_t *tr, int code, const char *message) {
  pthread_mutex_lock(&c->mu);
  gp__mcp_pending_t *list = NULL;
  if (c->tr == tr && c->tr_alive) {
    c->tr_alive = 0;
    free(c->lost_msg);
    c->lost_msg = gp__xstrdup(message);
    list = c->pending;
    c->pending = NULL;
  }
  pthread_mutex_unlock(&c->mu);
  if (list) gp_log(GP_LOG_WARN, "mcp", "%s", message);
  gp__fail_list(list, code, message);
}

/* ---- Public API ------------------------------------------------------------------- */

int gp_mcp_connect(const gp_mcp_spec_t *spec, gp_mcp_client_t **out, gp_error_t **err) {
  *out = NULL;
  gp_mcp_client_t *c = gp__xcalloc(1, sizeof *c);
  if (gp__cfg_init(&c->cfg, spec, err) != 0) {
    gp__cfg_clear(&c->cfg);
    free(c);
    return GP_ERR_INVALID_ARGUMENT;
  }
  atomic_init(&c->refs, 1);
  pthread_mutex_init(&c->mu, NULL);
  pthread_mutex_init(&c->smu, NULL);
  pthread_mutex_init(&c->lmu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&c->cv, &ca);
  pthread_condattr_destroy(&ca);
  c->tools = json_array();
  c->server_info = json_object();
  c->server_caps = json_object();
  if (pthread_create(&c->sweeper, NULL, gp__sweeper_main, c) != 0) abort();
  gp__all_add(c);
  c->starting = 1;
  int rc = gp__start_transport(c, err);
  pthread_mutex_lock(&c->mu);
  c->starting = 0;
  pthread_mutex_unlock(&c->mu);
  if (rc != 0) {
    gp_mcp_unref(c);
    return rc;
  }
  *out = c;
  return 0;
}

gp_mcp_client_t *gp_mcp_ref(gp_mcp_client_t *c) {
  atomic_fetch_add(&c->refs, 1);
  return c;
}

void gp_mcp_close(gp_mcp_client_t *c) {
  pthread_mutex_lock(&c->mu);
  if (c->closed) {
    while (!c->close_done) pthread_cond_wait(&c->cv, &c->mu);
    pthread_mutex_unlock(&c->mu);
    return;
  }
  c->closed = 1;
  pthread_cond_broadcast(&c->cv);
  gp__mcp_pending_t *list = c->pending;
  c->pending = NULL;
  pthread_mutex_unlock(&c->mu);
  char *msg = gp__xasprintf("the MCP client of %s was closed", c->cfg.name);
  gp__fail_list(list, GP_ERR_MCP_CLOSED, msg);
  free(msg);
  pthread_mutex_lock(&c->mu);
  while (c->starting || c->refreshing) pthread_cond_wait(&c->cv, &c->mu);
  pthread_mutex_unlock(&c->mu);
  gp__mcp_bindings_free(c); /* drops the registries: their tools hold references on us */
  pthread_mutex_lock(&c->smu);
  pthread_mutex_lock(&c->mu);
  gp__mcp_tr_t *tr = c->tr;
  c->tr = NULL;
  c->tr_alive = 0;
  pthread_mutex_unlock(&c->mu);
  if (tr) tr->ops->close(tr);
  pthread_mutex_unlock(&c->smu);
  pthread_mutex_lock(&c->mu);
  c->close_done = 1;
  pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
  pthread_join(c->sweeper, NULL);
  gp__all_remove(c);
}

void gp_mcp_unref(gp_mcp_client_t *c) {
  if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1) return;
  gp_mcp_close(c);
  json_decref(c->tools);
  json_decref(c->server_info);
  json_decref(c->server_caps);
  free(c->lost_msg);
  gp__cfg_clear(&c->cfg);
  pthread_mutex_destroy(&c->mu);
  pthread_mutex_destroy(&c->smu);
  pthread_mutex_destroy(&c->lmu);
  pthread_cond_destroy(&c->cv);
  free(c);
}

json_t *gp_mcp_server_info(gp_mcp_client_t *c) {
  pthread_mutex_lock(&c->mu);
  json_t *j = json_deep_copy(c->server_info);
  pthread_mutex_unlock(&c->mu);
  return j;
}

const char *gp_mcp_protocol(gp_mcp_client_t *c) { return c->protocol; }
const char *gp_mcp_name(gp_mcp_client_t *c) { return c->cfg.name; }

json_t *gp_mcp_tools_cached(gp_mcp_client_t *c) {
  pthread_mutex_lock(&c->mu);
  json_t *j = json_deep_copy(c->tools);
  pthread_mutex_unlock(&c->mu);
  return j;
}

uint64_t gp_mcp_tools_generation(gp_mcp_client_t *c) {
  pthread_mutex_lock(&c->mu);
  uint64_t g = c->tools_gen;
  pthread_mutex_unlock(&c->mu);
  return g;
}

/* Fetching the list again: one at a time (under c->lmu), so the last list fetched is the
 * one kept and the one the bound registries see. */
int gp_mcp_tools(gp_mcp_client_t *c, json_t **tools, gp_error_t **err) {
  *tools = NULL;
  int rc = gp__ensure_alive(c, err);
  if (rc != 0) return rc;
  pthread_mutex_lock(&c->lmu);
  pthread_mutex_lock(&c->mu);
  int dirty = c->tools_dirty;
  c->tools_dirty = 0;
  pthread_mutex_unlock(&c->mu);
  if (!dirty) {
    pthread_mutex_unlock(&c->lmu);
    *tools = gp_mcp_tools_cached(c);
    return 0;
  }
  json_t *fresh = NULL;
  if ((rc = gp__list_tools(c, 0, &fresh, err)) != 0) {
    pthread_mutex_lock(&c->mu);
    c->tools_dirty = 1;
    pthread_mutex_unlock(&c->mu);
    pthread_mutex_unlock(&c->lmu);
    return rc;
  }
  pthread_mutex_lock(&c->mu);
  json_decref(c->tools);
  c->tools = json_deep_copy(fresh);
  pthread_mutex_unlock(&c->mu);
  gp__mcp_bindings_refresh(c, fresh);
  pthread_mutex_unlock(&c->lmu);
  *tools = fresh;
  return 0;
}

void gp_mcp_call_tool_start(gp_mcp_client_t *c, const char *name, json_t *args, const gp_mcp_call_opts_t *opts,
                            gp_mcp_done_cb done, void *ud) {
  json_t *params = json_pack("{s:s, s:o}", "name", name, "arguments", args ? json_deep_copy(args) : json_object());
  gp__rpc_start(c, "tools/call", params, opts, 0, done, ud);
}

int gp_mcp_call_tool(gp_mcp_client_t *c, const char *name, json_t *args, const gp_mcp_call_opts_t *opts,
                     json_t **result, gp_error_t **err) {
  json_t *params = json_pack("{s:s, s:o}", "name", name, "arguments", args ? json_deep_copy(args) : json_object());
  return gp__rpc_wait(c, "tools/call", params, opts, 0, result, err);
}

int gp_mcp_request(gp_mcp_client_t *c, const char *method, json_t *params, const gp_mcp_call_opts_t *opts,
                   json_t **result, gp_error_t **err) {
  return gp__rpc_wait(c, method, params ? json_deep_copy(params) : NULL, opts, 0, result, err);
}
