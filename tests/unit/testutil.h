/* Shared helpers for the C test suite: a per-case watchdog and small waiting helpers.
 * Include after cmocka's headers. */
#ifndef GP_TESTUTIL_H
#define GP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Arms a watchdog: if the current case runs longer than `seconds`, the process prints
 * the case name and aborts (so a hang is a failure with a name, not a ctest timeout). */
void gp_test_watchdog(const char *case_name, int seconds);
void gp_test_watchdog_off(void);

/* cmocka setup/teardown pair arming a 30 s watchdog per case; the setup takes the
 * case's name from the initial state (GP_TEST puts it there). */
int gp_test_setup(void **state);
int gp_test_teardown(void **state);

/* Polls `pred(arg)` every millisecond until it returns nonzero or `ms` pass;
 * returns the last value of pred. */
int gp_test_wait_until(int (*pred)(void *arg), void *arg, int64_t ms);

/* Runs a group of PostgreSQL cases when GP_TEST_PG_URL names a server. Without one it
 * fails when GP_TEST_REQUIRE_PG is set (CI), else says the group was skipped and
 * returns 0. */
struct CMUnitTest;
int gp_test_pg_group(const char *name, const struct CMUnitTest *tests, size_t n);
#define GP_TEST_PG_GROUP(name, tests) gp_test_pg_group(name, tests, sizeof tests / sizeof tests[0])

#define GP_TEST(fn) \
  cmocka_unit_test_prestate_setup_teardown(fn, gp_test_setup, gp_test_teardown, (void *)#fn)

#endif
