/* The shared HTTP loop (internal to src/http): one process-wide thread, "gp-http",
 * drives every transfer with a single curl multi handle on an epoll fd
 * (curl_multi_socket_action), so a thousand streaming requests cost one thread that
 * wakes on socket readiness, not a thousand threads each woken per chunk.
 *
 * A caller prepares an easy handle, hands it over with gp__http_loop_perform and blocks
 * until the loop completes it. While the transfer runs, the easy handle and everything
 * its curl callbacks touch belong to the loop thread; after completion they are the
 * caller's again (the loop's mutex orders the two).
 *
 * Back-pressure: the body callback may pause its transfer (mark `paused` and return
 * CURL_WRITEFUNC_PAUSE); gp__http_loop_resume, from any thread, has the loop unpause it.
 * A paused transfer does not time out idle; cancel and the total timeout still apply. */
#ifndef GP_HTTP_LOOP_H
#define GP_HTTP_LOOP_H

#include <pthread.h>
#include <stdint.h>

#include <curl/curl.h>

/* How a transfer ended. */
typedef enum {
  GP__HTTP_END_DONE = 1,   /* curl finished it: see `result` */
  GP__HTTP_END_CANCEL,     /* the cancel token fired: see `cancel_reason` */
  GP__HTTP_END_IDLE,       /* nothing received or sent for idle_ms */
  GP__HTTP_END_TOTAL,      /* deadline_ms passed */
  GP__HTTP_END_INTERNAL    /* libcurl refused the handle */
} gp__http_end_t;

typedef struct gp__http_xfer_s gp__http_xfer_t;
struct gp__http_xfer_s {
  /* Set by the caller before gp__http_loop_perform. */
  CURL *easy;
  int64_t idle_ms;               /* > 0 */
  int64_t deadline_ms;           /* monotonic end of the whole call; 0: none */
  /* Written by the curl callbacks on the loop thread during the transfer (and reset by
   * the caller between attempts): the last time a byte came or went. */
  int64_t last_activity_ms;
  curl_off_t last_upload;        /* bytes sent so far, to see upload progress as activity */
  int paused;                    /* the body callback paused it (loop thread during the
                                    transfer; reset by the caller between attempts) */
  /* Set by the caller for an asynchronous transfer (gp__http_loop_start): called once on
   * the loop thread when the transfer has ended, after the loop let go of `x`, which is
   * the callback's from then on (it may free it). NULL for gp__http_loop_perform. */
  void (*on_done)(gp__http_xfer_t *x);
  /* Results, readable by the caller once gp__http_loop_perform returns (or in on_done). */
  gp__http_end_t end;
  CURLcode result;               /* for END_DONE */
  int cancel_reason;             /* sticky: the token's reason once it fired */
  /* Private to loop.c; guarded by the loop's mutex unless noted. */
  int state;
  int in_cancel_queue;
  int in_resume_queue;
  pthread_cond_t done_cond;
  gp__http_xfer_t *next_add;     /* in the add queue */
  gp__http_xfer_t *next_cancel;  /* in the cancel queue */
  gp__http_xfer_t *next_resume;  /* in the resume queue */
  gp__http_xfer_t *next_resuming;/* in a batch taken from it (loop thread only): once taken,
                                    next_resume is the queue's again, for a new resumption */
  gp__http_xfer_t *prev_active, *next_active; /* active list (loop thread only) */
};

/* Prepares / releases the private fields (the condition variable). */
void gp__http_xfer_init(gp__http_xfer_t *x);
void gp__http_xfer_destroy(gp__http_xfer_t *x);

/* What every transfer of the loop sets on its easy handle, whoever makes it (the
 * provider client, fetch). */
typedef struct gp__http_easy_opts_s {
  const char *url;
  long connect_ms;               /* connection timeout */
  struct curl_slist *headers;    /* borrowed; must outlive the transfer */
  curl_write_callback on_header; /* each header line, with `ud` */
  curl_write_callback on_body;   /* each piece of the (decoded) body, with `ud` */
  void *ud;
  char *errbuf;                  /* CURL_ERROR_SIZE bytes, filled on failure */
} gp__http_easy_opts_t;

/* Sets on `e` the options above and the loop's common ones: http and https only, no
 * signals, HTTP/2 over TLS where offered, TCP keep-alive, every content encoding
 * libcurl decodes, no proxy CONNECT headers in the header callback, and the
 * certificate authorities of SSL_CERT_FILE / SSL_CERT_DIR when set (else the
 * system's). */
void gp__http_easy_setup(CURL *e, const gp__http_easy_opts_t *o);

/* Runs one attempt of `x` on the loop thread (started on first use) and blocks until it
 * has ended; then x->end says how. If x->cancel_reason is already set, returns at once
 * with END_CANCEL. */
void gp__http_loop_perform(gp__http_xfer_t *x);

/* Queues one attempt of `x` (x->on_done set) and returns at once; x->on_done(x) runs
 * on the loop thread when it has ended (at once on the calling thread when the loop
 * cannot start or x->cancel_reason is already set). Until then `x` must stay valid:
 * gp__http_loop_cancel and gp__http_loop_resume may be called on it. */
void gp__http_loop_start(gp__http_xfer_t *x);

/* 1 on the loop thread itself (inside a curl callback, an on_data reader or what it
 * calls), where waiting for a transfer would wait for this very thread. */
int gp__http_loop_is_current(void);

/* Any thread (a cancel token's callback): stops the transfer of `x` as soon as the
 * loop sees it (END_CANCEL with `reason`), and every later attempt before it starts.
 * Never blocks for long. */
void gp__http_loop_cancel(gp__http_xfer_t *x, int reason);

/* Any thread (a flow's release callback): has the loop unpause `x` if its body callback
 * paused it. Does nothing unless the transfer is queued or running; never blocks for
 * long. Unpausing may run the body callback at once, which may pause again. */
void gp__http_loop_resume(gp__http_xfer_t *x);

#endif
