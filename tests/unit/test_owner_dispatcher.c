/* The deadlock of background/owner-thread-deadlock-analysis.md in C terms: a request on
 * the owner thread blocks until a worker finishes, and the worker calls back into the
 * owner. Through the owner's queue that is a wait cycle (shown here bounded by a
 * deadline); through a private dispatcher serviced by the waiting owner it completes,
 * with the callbacks run on the owner thread, in order; late requests after close go to
 * the owner's queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "geppetto/error.h"
#include "geppetto/owner.h"
#include "testutil.h"

#define NCALLBACKS 200

static gp_owner_t *g_owner;

/* Owner-only state, mutated by callbacks without a lock. */
static long g_sum;
static int g_cb_on_owner;
static int g_post_seq_ok;
static int g_last_post;

typedef struct {
  gp_dispatcher_t *d;
  atomic_int done;
  int errors;
  int late_post;           /* post once more after the run is over */
  atomic_int may_post_late;
} run_t;

static int cb_fn(void *arg, gp_owner_completion_t *c, void **result) {
  if (gp_owner_is_owner_thread(g_owner)) g_cb_on_owner++;
  g_sum += (intptr_t)arg;
  *result = (void *)(g_sum);
  return GP_OK;
}

static void seq_post(void *arg) {
  if ((intptr_t)arg == g_last_post + 1) g_post_seq_ok++;
  g_last_post = (int)(intptr_t)arg;
}

static void *run_worker(void *ud) {
  run_t *run = ud;
  for (intptr_t i = 1; i <= NCALLBACKS; i++) {
    void *res = NULL;
    if (gp_dispatcher_call(run->d, "cb", cb_fn, (void *)i, NULL, &res, NULL) != GP_OK)
      run->errors++;
    if (gp_dispatcher_post(run->d, "seq", seq_post, (void *)i, NULL) != GP_OK) run->errors++;
  }
  atomic_store(&run->done, 1);
  gp_dispatcher_wake(run->d);
  if (run->late_post) {
    while (!atomic_load(&run->may_post_late)) sched_yield();
    gp_dispatcher_post(run->d, "seq", seq_post, (void *)(intptr_t)(NCALLBACKS + 1), NULL);
  }
  gp_dispatcher_unref(run->d);
  return NULL;
}

static int run_done(void *ud) { return atomic_load(&((run_t *)ud)->done); }

/* The synchronous run, entered on the owner thread. */
static int sync_run_fn(void *arg, gp_owner_completion_t *c, void **result) {
  run_t *run = arg;
  run->d = gp_dispatcher_private_new(g_owner);
  gp_dispatcher_ref(run->d); /* the worker's reference */
  pthread_t t;
  pthread_create(&t, NULL, run_worker, run);
  int rc = gp_dispatcher_wait_service(run->d, run_done, run, NULL, 10000);
  gp_dispatcher_private_close(run->d);
  atomic_store(&run->may_post_late, 1);
  pthread_join(t, NULL);
  gp_dispatcher_unref(run->d);
  return rc;
}

static void test_private_dispatcher_breaks_the_cycle(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  g_sum = 0;
  g_cb_on_owner = 0;
  g_post_seq_ok = 0;
  g_last_post = 0;
  run_t run = {.late_post = 1};
  assert_int_equal(gp_owner_call(g_owner, "sync_run", sync_run_fn, &run, NULL, NULL, NULL), GP_OK);
  assert_int_equal(run.errors, 0);
  assert_int_equal(gp_owner_wait_idle(g_owner, 5000), GP_OK);
  assert_int_equal(g_sum, (long)NCALLBACKS * (NCALLBACKS + 1) / 2);
  assert_int_equal(g_cb_on_owner, NCALLBACKS);
  /* Per-thread FIFO of posts holds across the close: the late post ran last. */
  assert_int_equal(g_post_seq_ok, NCALLBACKS + 1);
  assert_int_equal(g_last_post, NCALLBACKS + 1);
  gp_owner_free(g_owner);
}

/* ---- The same pattern through the owner's queue is a wait cycle ------------------- */

typedef struct {
  gp_cancel_t *cancel;
  atomic_int rc;
  atomic_int done;
} cycle_t;

static void *cycle_worker(void *ud) {
  cycle_t *cy = ud;
  atomic_store(&cy->rc, gp_owner_call(g_owner, "cb", cb_fn, (void *)1, cy->cancel, NULL, NULL));
  atomic_store(&cy->done, 1);
  return NULL;
}

static int cycle_fn(void *arg, gp_owner_completion_t *c, void **result) {
  cycle_t *cy = arg;
  pthread_t t;
  pthread_create(&t, NULL, cycle_worker, cy);
  /* The owner waits for the worker, which waits for the owner: only the worker's
   * deadline ends it. */
  pthread_join(t, NULL);
  return GP_OK;
}

static void test_owner_queue_would_deadlock(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  cycle_t cy = {.cancel = gp_cancel_new(NULL)};
  gp_cancel_fire_after(cy.cancel, 200, GP_ERR_TIMEOUT);
  assert_int_equal(gp_owner_call(g_owner, "cycle", cycle_fn, &cy, NULL, NULL, NULL), GP_OK);
  assert_int_equal(atomic_load(&cy.rc), GP_ERR_TIMEOUT);
  gp_cancel_unref(cy.cancel);
  gp_owner_free(g_owner);
}

/* ---- wait_service answers cancel, timeout and shutdown ------------------------------ */

static int never(void *ud) { return 0; }

static int service_codes_fn(void *arg, gp_owner_completion_t *c, void **result) {
  gp_dispatcher_t *d = gp_dispatcher_private_new(g_owner);
  int ok = gp_dispatcher_wait_service(d, never, NULL, NULL, 20) == GP_ERR_TIMEOUT;
  gp_cancel_t *t = gp_cancel_new(NULL);
  gp_cancel_fire_after(t, 20, GP_ERR_CANCELED);
  ok = ok && gp_dispatcher_wait_service(d, never, NULL, t, -1) == GP_ERR_CANCELED;
  gp_cancel_unref(t);
  /* From the owner thread itself, a dispatcher call runs inline. */
  void *res = NULL;
  g_sum = 0;
  ok = ok && gp_dispatcher_call(d, "cb", cb_fn, (void *)5, NULL, &res, NULL) == GP_OK &&
       (intptr_t)res == 5;
  ok = ok && gp_dispatcher_wait_service(gp_owner_dispatcher(g_owner), never, NULL, NULL, 0) ==
                 GP_ERR_INVALID_ARGUMENT;
  gp_dispatcher_unref(d);
  *result = (void *)(intptr_t)ok;
  return GP_OK;
}

static void test_wait_service_codes(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  void *ok = NULL;
  assert_int_equal(gp_owner_call(g_owner, "codes", service_codes_fn, NULL, NULL, &ok, NULL), GP_OK);
  assert_int_equal((intptr_t)ok, 1);
  gp_owner_free(g_owner);
}

static atomic_int g_in_service;

static int service_forever_fn(void *arg, gp_owner_completion_t *c, void **result) {
  gp_dispatcher_t *d = gp_dispatcher_private_new(g_owner);
  atomic_store(&g_in_service, 1);
  int rc = gp_dispatcher_wait_service(d, never, NULL, NULL, -1);
  gp_dispatcher_unref(d);
  return rc;
}

static void *service_caller(void *ud) {
  return (void *)(intptr_t)gp_owner_call(g_owner, "svc", service_forever_fn, NULL, NULL, NULL, NULL);
}

static void test_shutdown_ends_wait_service(void **state) {
  assert_int_equal(gp_owner_new(NULL, &g_owner), GP_OK);
  atomic_store(&g_in_service, 0);
  pthread_t t;
  pthread_create(&t, NULL, service_caller, NULL);
  while (!atomic_load(&g_in_service)) sched_yield();
  gp_owner_shutdown(g_owner);
  void *rc;
  pthread_join(t, &rc);
  assert_int_equal((intptr_t)rc, GP_ERR_OWNER_CLOSED);
  gp_owner_free(g_owner);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_private_dispatcher_breaks_the_cycle),
      GP_TEST(test_owner_queue_would_deadlock),
      GP_TEST(test_wait_service_codes),
      GP_TEST(test_shutdown_ends_wait_service),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
