/* Cancel tokens: firing once, reasons, children, callbacks, off(), deadlines, waits,
 * and concurrent fire/free from many threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"
#include "geppetto/cancel.h"
#include "geppetto/error.h"
#include "testutil.h"

static void count_cb(void *ud, int reason) {
  atomic_int *n = ud;
  atomic_fetch_add(n, reason == GP_ERR_TIMEOUT ? 100 : 1);
}

static void test_fire_once_first_reason_wins(void **state) {
  gp_cancel_t *c = gp_cancel_new(NULL);
  assert_int_equal(gp_cancel_reason(c), 0);
  assert_int_equal(gp_cancel_fire(c, GP_ERR_CANCELED), 1);
  assert_int_equal(gp_cancel_fire(c, GP_ERR_TIMEOUT), 0);
  assert_int_equal(gp_cancel_reason(c), GP_ERR_CANCELED);
  gp_cancel_unref(c);
  gp_cancel_unref(NULL);
}

static void test_children_fire_with_parent(void **state) {
  gp_cancel_t *p = gp_cancel_new(NULL);
  gp_cancel_t *a = gp_cancel_new(p), *b = gp_cancel_new(p);
  gp_cancel_t *aa = gp_cancel_new(a);
  atomic_int n = 0;
  gp_cancel_on(aa, count_cb, &n);
  gp_cancel_unref(b); /* freed before the parent fires: must be detached */
  gp_cancel_fire(p, GP_ERR_TIMEOUT);
  assert_int_equal(gp_cancel_reason(a), GP_ERR_TIMEOUT);
  assert_int_equal(gp_cancel_reason(aa), GP_ERR_TIMEOUT);
  assert_int_equal(atomic_load(&n), 100);
  /* A child of a fired parent is born fired. */
  gp_cancel_t *late = gp_cancel_new(p);
  assert_int_equal(gp_cancel_reason(late), GP_ERR_TIMEOUT);
  gp_cancel_unref(late);
  /* Parent freed before its children: the children stay usable. */
  gp_cancel_t *p2 = gp_cancel_new(NULL), *k2 = gp_cancel_new(p2);
  gp_cancel_unref(p2);
  assert_int_equal(gp_cancel_reason(k2), 0);
  gp_cancel_fire(k2, GP_ERR_CANCELED);
  gp_cancel_unref(k2);
  gp_cancel_unref(p);
  gp_cancel_unref(a);
  gp_cancel_unref(aa);
}

static void test_child_fire_does_not_fire_parent(void **state) {
  gp_cancel_t *p = gp_cancel_new(NULL), *k = gp_cancel_new(p);
  gp_cancel_fire(k, GP_ERR_TIMEOUT);
  assert_int_equal(gp_cancel_reason(p), 0);
  gp_cancel_unref(k);
  gp_cancel_unref(p);
}

static void test_callbacks_once_and_off(void **state) {
  gp_cancel_t *c = gp_cancel_new(NULL);
  atomic_int n = 0;
  uint64_t id1 = gp_cancel_on(c, count_cb, &n);
  uint64_t id2 = gp_cancel_on(c, count_cb, &n);
  assert_true(id1 > 0 && id2 > 0 && id1 != id2);
  gp_cancel_off(c, id2);
  gp_cancel_fire(c, GP_ERR_CANCELED);
  gp_cancel_fire(c, GP_ERR_CANCELED);
  assert_int_equal(atomic_load(&n), 1);
  /* Registering after the fire runs inline and returns 0. */
  assert_int_equal(gp_cancel_on(c, count_cb, &n), 0);
  assert_int_equal(atomic_load(&n), 2);
  gp_cancel_off(c, id1); /* already ran: returns at once */
  gp_cancel_unref(c);
}

static void test_deadline_fires_and_wait(void **state) {
  gp_cancel_t *c = gp_cancel_new(NULL);
  int64_t t0 = gp__mono_ms();
  gp_cancel_fire_after(c, 50, GP_ERR_TIMEOUT);
  assert_int_equal(gp_cancel_wait(c, 5000), GP_ERR_TIMEOUT);
  int64_t dt = gp__mono_ms() - t0;
  assert_true(dt >= 45 && dt < 1000);
  gp_cancel_unref(c);

  /* A wait that times out returns 0 after about its time. */
  c = gp_cancel_new(NULL);
  t0 = gp__mono_ms();
  assert_int_equal(gp_cancel_wait(c, 30), 0);
  assert_true(gp__mono_ms() - t0 >= 25);
  /* A later deadline replaces the earlier one. */
  gp_cancel_fire_after(c, 10000, GP_ERR_TIMEOUT);
  gp_cancel_fire_after(c, 20, GP_ERR_CANCELED);
  assert_int_equal(gp_cancel_wait(c, 5000), GP_ERR_CANCELED);
  gp_cancel_unref(c);

  /* A token freed with a pending deadline leaves the timer cleanly. */
  for (int i = 0; i < 100; i++) {
    gp_cancel_t *d = gp_cancel_new(NULL);
    gp_cancel_fire_after(d, 1 + i % 3, GP_ERR_TIMEOUT);
    gp_cancel_unref(d);
  }
  gp__sleep_ms(20);
}

typedef struct {
  gp_cancel_t *root;
  atomic_int fired;
} race_t;

static void *race_worker(void *arg) {
  race_t *r = arg;
  for (int i = 0; i < 500; i++) {
    gp_cancel_t *k = gp_cancel_new(r->root);
    uint64_t id = gp_cancel_on(k, count_cb, &r->fired);
    if (i % 3 == 0) gp_cancel_fire_after(k, 1, GP_ERR_TIMEOUT);
    if (i % 2 == 0) gp_cancel_off(k, id);
    gp_cancel_unref(k);
  }
  return NULL;
}

static void test_concurrent_children_and_fire(void **state) {
  race_t r = {.root = gp_cancel_new(NULL)};
  atomic_init(&r.fired, 0);
  pthread_t th[4];
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, race_worker, &r);
  gp__sleep_ms(2);
  gp_cancel_fire(r.root, GP_ERR_CANCELED);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  gp_cancel_unref(r.root);
  gp__sleep_ms(10); /* let deadlines of freed tokens pass */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_fire_once_first_reason_wins), GP_TEST(test_children_fire_with_parent),
      GP_TEST(test_child_fire_does_not_fire_parent), GP_TEST(test_callbacks_once_and_off),
      GP_TEST(test_deadline_fires_and_wait), GP_TEST(test_concurrent_children_and_fire),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
