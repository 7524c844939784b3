/* Test helpers: a watchdog thread per test process that aborts a case that overruns
 * its time, so every case runs under a timeout; the PostgreSQL groups' gate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond = PTHREAD_COND_INITIALIZER;
static pthread_t wd_thread;
static int wd_started;
static int64_t wd_deadline; /* monotonic ms; 0: disarmed */
static char wd_name[128];

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *wd_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&wd_lock);
  for (;;) {
    if (wd_deadline != 0 && mono_ms() >= wd_deadline) {
      fprintf(stderr, "watchdog: test case '%s' exceeded its time limit\n", wd_name);
      fflush(stderr);
      abort();
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&wd_cond, &wd_lock, &ts);
  }
  return NULL;
}

void gp_test_watchdog(const char *case_name, int seconds) {
  pthread_mutex_lock(&wd_lock);
  snprintf(wd_name, sizeof wd_name, "%s", case_name ? case_name : "?");
  wd_deadline = mono_ms() + (int64_t)seconds * 1000;
  if (!wd_started) {
    wd_started = 1;
    pthread_create(&wd_thread, NULL, wd_main, NULL);
    pthread_detach(wd_thread);
  }
  pthread_mutex_unlock(&wd_lock);
}

void gp_test_watchdog_off(void) {
  pthread_mutex_lock(&wd_lock);
  wd_deadline = 0;
  pthread_mutex_unlock(&wd_lock);
}

int gp_test_setup(void **state) {
  /* GP_TEST passes the case's name as the initial state; the case itself gets NULL */
  gp_test_watchdog(*state ? (const char *)*state : "a test case", 30);
  *state = NULL;
  return 0;
}

int gp_test_teardown(void **state) {
  (void)state;
  gp_test_watchdog_off();
  return 0;
}

int gp_test_wait_until(int (*pred)(void *arg), void *arg, int64_t ms) {
  int64_t end = mono_ms() + ms;
  int v;
  while (!(v = pred(arg)) && mono_ms() < end) usleep(1000);
  return v;
}

int gp_test_pg_group(const char *name, const struct CMUnitTest *tests, size_t n) {
  const char *url = getenv("GP_TEST_PG_URL");
  if (url && *url) return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
  if (getenv("GP_TEST_REQUIRE_PG")) {
    fprintf(stderr, "GP_TEST_REQUIRE_PG is set but GP_TEST_PG_URL is not: start scripts/pg-test-cluster.sh\n");
    return 1;
  }
  fprintf(stderr, "%s tests skipped: GP_TEST_PG_URL is not set (scripts/pg-test-cluster.sh start)\n", name);
  return 0;
}
