/* The shared HTTP loop: one thread, one curl multi handle, one epoll fd.
 *
 * Callers queue transfers (add queue), cancellations (cancel queue) and resumptions of
 * paused transfers (resume queue) under the loop's mutex and write an eventfd; only the
 * loop thread touches the multi handle, adds and removes easy handles and runs curl's
 * callbacks. Idle and total timeouts are checked by a sweep over the active transfers at
 * most every GP__LOOP_SWEEP_MS, so a wake-up for one socket never costs a scan of all
 * transfers.
 *
 * The loop's globals live for the process (the thread is never joined): a transfer can
 * start at any time, including from atexit handlers of other libraries. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/core.h"
#include "http/http.h"
#include "http/loop.h"

#define GP__LOOP_SWEEP_MS 50
#define GP__LOOP_EVENTS 64

enum { GP__X_IDLE = 0, GP__X_QUEUED, GP__X_ACTIVE, GP__X_DONE };

typedef struct gp__loop_s {
  pthread_mutex_t lock;
  int broken;                        /* could not start: every transfer fails (lock) */
  int wake_pending;                  /* the eventfd has been written (lock) */
  gp__http_xfer_t *add_head, *add_tail; /* lock */
  gp__http_xfer_t *cancel_head;      /* lock */
  gp__http_xfer_t *resume_head;      /* lock */
  int epfd, evfd;                    /* fixed once started */
  /* Loop thread only: */
  CURLM *multi;
  int64_t timer_at;                  /* curl's timer, monotonic ms; -1: none */
  int64_t next_sweep;
  gp__http_xfer_t *active;           /* doubly linked */
} gp__loop_t;

static gp__loop_t gp__loop = {.lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .evfd = -1,
                              .timer_at = -1};
static pthread_once_t gp__loop_once = PTHREAD_ONCE_INIT;

void gp__http_easy_setup(CURL *e, const gp__http_easy_opts_t *o) {
  curl_easy_setopt(e, CURLOPT_URL, o->url);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_ms);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  /* Every encoding libcurl decodes (gzip, deflate, br, ...): a server may compress a body
   * it was not asked to, and undecoded it would read as a stream that never began. */
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, o->headers);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, o->on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, o->ud);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, o->on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, o->ud);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, o->errbuf);
  /* OpenSSL's variables name other certificate authorities to trust (a company's, a
   * test's); without them, the system's. */
  const char *ca_file = getenv("SSL_CERT_FILE"), *ca_dir = getenv("SSL_CERT_DIR");
  if (ca_file && *ca_file) curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
  if (ca_dir && *ca_dir) curl_easy_setopt(e, CURLOPT_CAPATH, ca_dir);
}

void gp__http_xfer_init(gp__http_xfer_t *x) { pthread_cond_init(&x->done_cond, NULL); }

void gp__http_xfer_destroy(gp__http_xfer_t *x) { pthread_cond_destroy(&x->done_cond); }

/* ---- Waking the loop (callers) --------------------------------------------------- */

/* With the lock held: makes sure the loop will look at its queues. One eventfd write
 * covers every request queued until the loop takes them. */
static void gp__loop_wake_locked(gp__loop_t *L) {
  if (L->wake_pending) return;
  L->wake_pending = 1;
  uint64_t one = 1;
  while (write(L->evfd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

static void gp__loop_drain_eventfd(gp__loop_t *L) {
  uint64_t n;
  while (read(L->evfd, &n, sizeof n) < 0 && errno == EINTR) {
  }
}

/* ---- curl's socket and timer callbacks (loop thread) ------------------------------ */

static int gp__loop_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
  (void)easy;
  gp__loop_t *L = userp;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(L->epfd, EPOLL_CTL_DEL, s, NULL); /* may already be closed: harmless */
    return 0;
  }
  struct epoll_event ev = {0};
  ev.data.fd = s;
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  if (socketp) {
    if (epoll_ctl(L->epfd, EPOLL_CTL_MOD, s, &ev) == 0 || errno != ENOENT) return 0;
  }
  /* A socket curl has not told us about yet (socketp marks the ones we have). */
  if (epoll_ctl(L->epfd, EPOLL_CTL_ADD, s, &ev) != 0 && errno == EEXIST)
    epoll_ctl(L->epfd, EPOLL_CTL_MOD, s, &ev);
  curl_multi_assign(L->multi, s, L);
  return 0;
}

static int gp__loop_timer_cb(CURLM *multi, long timeout_ms, void *userp) {
  (void)multi;
  gp__loop_t *L = userp;
  L->timer_at = timeout_ms < 0 ? -1 : gp__mono_ms() + timeout_ms;
  return 0;
}

/* ---- Active transfers (loop thread) ------------------------------------------------ */

static void gp__loop_link(gp__loop_t *L, gp__http_xfer_t *x) {
  if (!L->active) L->next_sweep = gp__mono_ms() + GP__LOOP_SWEEP_MS;
  x->prev_active = NULL;
  x->next_active = L->active;
  if (L->active) L->active->prev_active = x;
  L->active = x;
}

static void gp__loop_unlink(gp__loop_t *L, gp__http_xfer_t *x) {
  if (x->prev_active) x->prev_active->next_active = x->next_active;
  else L->active = x->next_active;
  if (x->next_active) x->next_active->prev_active = x->prev_active;
  x->prev_active = x->next_active = NULL;
}

/* Hands `x` back to its caller. After the unlock the caller may free it at once. */
static void gp__loop_complete(gp__loop_t *L, gp__http_xfer_t *x, gp__http_end_t end,
                              CURLcode result) {
  pthread_mutex_lock(&L->lock);
  if (x->in_cancel_queue) { /* queued by a cancel that came too late to matter */
    gp__http_xfer_t **pp = &L->cancel_head;
    while (*pp != x) pp = &(*pp)->next_cancel;
    *pp = x->next_cancel;
    x->in_cancel_queue = 0;
  }
  if (x->in_resume_queue) {
    gp__http_xfer_t **pp = &L->resume_head;
    while (*pp != x) pp = &(*pp)->next_resume;
    *pp = x->next_resume;
    x->in_resume_queue = 0;
  }
  x->end = end;
  x->result = result;
  if (x->on_done) { /* asynchronous: the callback takes it over */
    x->state = GP__X_IDLE;
    pthread_mutex_unlock(&L->lock);
    x->on_done(x);
    return;
  }
  x->state = GP__X_DONE;
  pthread_cond_signal(&x->done_cond);
  pthread_mutex_unlock(&L->lock);
}

/* Ends an active transfer from outside curl (cancel, idle, total). */
static void gp__loop_stop(gp__loop_t *L, gp__http_xfer_t *x, gp__http_end_t end) {
  curl_multi_remove_handle(L->multi, x->easy);
  gp__loop_unlink(L, x);
  gp__loop_complete(L, x, end, CURLE_OK);
}

/* ---- One turn of the loop ----------------------------------------------------------- */

static void gp__loop_take_adds(gp__loop_t *L) {
  pthread_mutex_lock(&L->lock);
  L->wake_pending = 0;
  gp__http_xfer_t *x = L->add_head;
  L->add_head = L->add_tail = NULL;
  for (gp__http_xfer_t *y = x; y; y = y->next_add) y->state = GP__X_ACTIVE;
  pthread_mutex_unlock(&L->lock);
  while (x) {
    gp__http_xfer_t *next = x->next_add;
    x->next_add = NULL;
    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
    if (curl_multi_add_handle(L->multi, x->easy) == CURLM_OK) gp__loop_link(L, x);
    else gp__loop_complete(L, x, GP__HTTP_END_INTERNAL, CURLE_OK);
    x = next;
  }
}

/* Takes the cancellations of active transfers (one still in the add queue waits for the
 * next turn, which its add has already asked for). One that completed meanwhile left
 * the queue in gp__loop_complete, and nothing but this function completes one until
 * the batch is done, so every transfer in the batch is still active. */
static void gp__loop_take_cancels(gp__loop_t *L) {
  gp__http_xfer_t *x = NULL;
  pthread_mutex_lock(&L->lock);
  for (gp__http_xfer_t **pp = &L->cancel_head; *pp;) {
    gp__http_xfer_t *y = *pp;
    if (y->state != GP__X_ACTIVE) {
      pp = &y->next_cancel;
      continue;
    }
    *pp = y->next_cancel;
    y->in_cancel_queue = 0;
    y->next_cancel = x;
    x = y;
  }
  pthread_mutex_unlock(&L->lock);
  while (x) {
    gp__http_xfer_t *next = x->next_cancel;
    x->next_cancel = NULL;
    gp__loop_stop(L, x, GP__HTTP_END_CANCEL);
    x = next;
  }
}

/* Unpauses the transfers whose flow was released. A resumption of one not active (still
 * in the add queue: it has not read anything, so it is not paused) is dropped. As with
 * cancellations, nothing else completes a transfer of the batch until it is done; an
 * unpause may run a body callback that queues more resumptions: they wait for the next
 * turn, which their wake-up has asked for. */
static void gp__loop_take_resumes(gp__loop_t *L) {
  gp__http_xfer_t *x = NULL;
  pthread_mutex_lock(&L->lock);
  while (L->resume_head) {
    gp__http_xfer_t *y = L->resume_head;
    L->resume_head = y->next_resume;
    y->in_resume_queue = 0;
    if (y->state != GP__X_ACTIVE) continue;
    y->next_resuming = x;
    x = y;
  }
  pthread_mutex_unlock(&L->lock);
  while (x) {
    gp__http_xfer_t *next = x->next_resuming;
    x->next_resuming = NULL;
    if (x->paused) {
      x->paused = 0;
      x->last_activity_ms = gp__mono_ms(); /* the idle time starts again from here */
      /* Delivers what curl kept at once (the body callback may pause again). A callback
       * that refused it leaves curl's transfer running: end it with curl's error. */
      CURLcode rc = curl_easy_pause(x->easy, CURLPAUSE_CONT);
      if (rc != CURLE_OK) {
        curl_multi_remove_handle(L->multi, x->easy);
        gp__loop_unlink(L, x);
        gp__loop_complete(L, x, GP__HTTP_END_DONE, rc);
      }
    }
    x = next;
  }
}

static void gp__loop_read_done(gp__loop_t *L) {
  CURLMsg *m;
  int queued;
  while ((m = curl_multi_info_read(L->multi, &queued)) != NULL) {
    if (m->msg != CURLMSG_DONE) continue;
    CURL *easy = m->easy_handle;
    CURLcode result = m->data.result;
    char *priv = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    gp__http_xfer_t *x = (gp__http_xfer_t *)priv;
    curl_multi_remove_handle(L->multi, easy);
    gp__loop_unlink(L, x);
    gp__loop_complete(L, x, GP__HTTP_END_DONE, result);
  }
}

/* Idle and total timeouts of every active transfer, at most every GP__LOOP_SWEEP_MS;
 * upload progress counts as activity (a large request body may take a while). */
static void gp__loop_sweep(gp__loop_t *L) {
  int64_t now = gp__mono_ms();
  if (!L->active || now < L->next_sweep) return;
  L->next_sweep = now + GP__LOOP_SWEEP_MS;
  for (gp__http_xfer_t *x = L->active, *next; x; x = next) {
    next = x->next_active;
    if (x->paused) x->last_activity_ms = now; /* waiting for its reader, not the server */
    curl_off_t up = 0;
    curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &up);
    if (up != x->last_upload) {
      x->last_upload = up;
      x->last_activity_ms = now;
    }
    if (x->deadline_ms && now >= x->deadline_ms) gp__loop_stop(L, x, GP__HTTP_END_TOTAL);
    else if (now - x->last_activity_ms >= x->idle_ms) gp__loop_stop(L, x, GP__HTTP_END_IDLE);
  }
}

static int gp__loop_timeout(const gp__loop_t *L) {
  int64_t wake = L->timer_at;
  if (L->active && (wake < 0 || L->next_sweep < wake)) wake = L->next_sweep;
  if (wake < 0) return -1;
  int64_t ms = wake - gp__mono_ms();
  if (ms <= 0) return 0;
  return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void gp__loop_socket_event(gp__loop_t *L, const struct epoll_event *ev) {
  int flags = 0, running;
  if (ev->events & EPOLLIN) flags |= CURL_CSELECT_IN;
  if (ev->events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
  if (ev->events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
  curl_multi_socket_action(L->multi, ev->data.fd, flags, &running);
}

static void gp__loop_timer(gp__loop_t *L) {
  if (L->timer_at < 0 || gp__mono_ms() < L->timer_at) return;
  int running;
  L->timer_at = -1; /* curl sets the next one from inside the call */
  curl_multi_socket_action(L->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

/* After a wake-up that brought data, the thread may poll again for up to this long
 * (yielding the core in between) before it sleeps in epoll, so that a token following
 * within microseconds costs no sleep and wake-up. Off by default: on a loaded machine a
 * 30 µs poll lowered the CPU per agent step (2.4-3.3 -> 0.9-1.6 ms), but on a quiet one
 * every poll is two system calls and it raised it (1.30-1.60 -> 1.74-2.11 ms, the same
 * wall time; docs/PERFORMANCE.md). GP_HTTP_SPIN_US=N turns it on. An idle loop never
 * spins. */
#define GP__LOOP_SPIN_US 0

static uint64_t gp__loop_spin_ns(void) {
  return (uint64_t)gp__env_spin_us("GP_HTTP_SPIN_US", GP__LOOP_SPIN_US) * 1000u;
}

/* The next events: polled while `busy` (the last wake-up brought some) for up to
 * spin_ns, then waited for until the next timer. */
static int gp__loop_wait(gp__loop_t *L, struct epoll_event *evs, int busy, uint64_t spin_ns) {
  int n = 0;
  if (busy && spin_ns) {
    uint64_t end = gp__mono_ns() + spin_ns;
    while ((n = epoll_wait(L->epfd, evs, GP__LOOP_EVENTS, 0)) == 0 && gp__mono_ns() < end)
      sched_yield();
  }
  return n != 0 ? n : epoll_wait(L->epfd, evs, GP__LOOP_EVENTS, gp__loop_timeout(L));
}

static _Thread_local int gp__on_loop_thread;

int gp__http_loop_is_current(void) { return gp__on_loop_thread; }

static void *gp__loop_main(void *arg) {
  gp__loop_t *L = arg;
  gp__on_loop_thread = 1;
  pthread_setname_np(pthread_self(), "gp-http");
  struct epoll_event evs[GP__LOOP_EVENTS];
  const uint64_t spin_ns = gp__loop_spin_ns();
  int n = 0;
  for (;;) {
    n = gp__loop_wait(L, evs, n > 0, spin_ns);
    for (int i = 0; i < n; i++) {
      if (evs[i].data.fd == L->evfd) gp__loop_drain_eventfd(L);
      else gp__loop_socket_event(L, &evs[i]);
    }
    gp__loop_take_adds(L);
    gp__loop_timer(L);
    gp__loop_read_done(L);
    gp__loop_take_cancels(L);
    gp__loop_take_resumes(L);
    gp__loop_sweep(L);
  }
  return NULL;
}

/* ---- Start (once per process) ------------------------------------------------------ */

static int gp__loop_open(gp__loop_t *L) {
  L->epfd = epoll_create1(EPOLL_CLOEXEC);
  L->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  L->multi = curl_multi_init();
  if (L->epfd < 0 || L->evfd < 0 || !L->multi) return -1;
  struct epoll_event ev = {.events = EPOLLIN};
  ev.data.fd = L->evfd;
  if (epoll_ctl(L->epfd, EPOLL_CTL_ADD, L->evfd, &ev) != 0) return -1;
  curl_multi_setopt(L->multi, CURLMOPT_SOCKETFUNCTION, gp__loop_socket_cb);
  curl_multi_setopt(L->multi, CURLMOPT_SOCKETDATA, L);
  curl_multi_setopt(L->multi, CURLMOPT_TIMERFUNCTION, gp__loop_timer_cb);
  curl_multi_setopt(L->multi, CURLMOPT_TIMERDATA, L);
  return 0;
}

static void gp__loop_start(void) {
  gp__loop_t *L = &gp__loop;
  gp__http_global_init();
  int ok = gp__loop_open(L) == 0;
  if (ok) {
    /* The loop takes no signals: they belong to the threads that expect them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    ok = pthread_create(&th, &attr, gp__loop_main, L) == 0;
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
  }
  if (!ok) {
    pthread_mutex_lock(&L->lock);
    L->broken = 1;
    pthread_mutex_unlock(&L->lock);
  }
}

/* ---- The callers' side ------------------------------------------------------------- */

/* Queues `x` with the lock held; 0 when it cannot run (x->end says why). */
static int gp__loop_enqueue_locked(gp__loop_t *L, gp__http_xfer_t *x) {
  if (L->broken || x->cancel_reason) {
    x->end = L->broken ? GP__HTTP_END_INTERNAL : GP__HTTP_END_CANCEL;
    return 0;
  }
  x->state = GP__X_QUEUED;
  x->next_add = NULL;
  if (L->add_tail) L->add_tail->next_add = x;
  else L->add_head = x;
  L->add_tail = x;
  gp__loop_wake_locked(L);
  return 1;
}

void gp__http_loop_perform(gp__http_xfer_t *x) {
  gp__loop_t *L = &gp__loop;
  pthread_once(&gp__loop_once, gp__loop_start);
  pthread_mutex_lock(&L->lock);
  if (gp__loop_enqueue_locked(L, x)) {
    while (x->state != GP__X_DONE) pthread_cond_wait(&x->done_cond, &L->lock);
    x->state = GP__X_IDLE;
  }
  pthread_mutex_unlock(&L->lock);
}

void gp__http_loop_start(gp__http_xfer_t *x) {
  gp__loop_t *L = &gp__loop;
  pthread_once(&gp__loop_once, gp__loop_start);
  pthread_mutex_lock(&L->lock);
  int queued = gp__loop_enqueue_locked(L, x);
  pthread_mutex_unlock(&L->lock);
  if (!queued) x->on_done(x);
}

void gp__http_loop_cancel(gp__http_xfer_t *x, int reason) {
  gp__loop_t *L = &gp__loop;
  pthread_mutex_lock(&L->lock);
  if (!x->cancel_reason) x->cancel_reason = reason ? reason : GP_ERR_CANCELED;
  if ((x->state == GP__X_QUEUED || x->state == GP__X_ACTIVE) && !x->in_cancel_queue) {
    x->in_cancel_queue = 1;
    x->next_cancel = L->cancel_head;
    L->cancel_head = x;
    gp__loop_wake_locked(L);
  }
  pthread_mutex_unlock(&L->lock);
}

void gp__http_loop_resume(gp__http_xfer_t *x) {
  gp__loop_t *L = &gp__loop;
  pthread_mutex_lock(&L->lock);
  if ((x->state == GP__X_QUEUED || x->state == GP__X_ACTIVE) && !x->in_resume_queue) {
    x->in_resume_queue = 1;
    x->next_resume = L->resume_head;
    L->resume_head = x;
    gp__loop_wake_locked(L);
  }
  pthread_mutex_unlock(&L->lock);
}
