/* Test helper: runs geppetto-mock (docs/MOCK.md) as a child process on a free loopback
 * port, so provider tests talk real HTTP to a real server. Every failure here is a
 * test failure: the helpers print what went wrong and fail the current cmocka case.
 * Call them from the test's main thread (cmocka's fail() longjmps). */
#ifndef GP_TEST_MOCK_SERVER_H
#define GP_TEST_MOCK_SERVER_H

#include <stddef.h>

#include <jansson.h>

typedef struct gp_mock_s gp_mock_t;

/* Spawns GP_MOCK_BIN --port 0 with these fixture files (paths as given; relative
 * ones resolve against the test's working directory, so build them from GP_FIXTURES)
 * and waits up to 10 s for its "listening" line. Fails the test if the server does not
 * start. The server is killed if the calling thread dies first (a failed or aborted
 * test leaves nothing running), so call this from the thread that outlives it (the
 * test's main thread). Free with gp_mock_stop(). */
gp_mock_t *gp_mock_start(const char *const *fixture_paths, size_t n);

/* "http://127.0.0.1:PORT"; owned by the mock, valid until gp_mock_stop(). */
const char *gp_mock_url(gp_mock_t *m);
int gp_mock_port(gp_mock_t *m);

/* The request log (GET /_mock/requests) as a new JSON array the caller owns
 * (json_decref). Fails the test when the server cannot be reached. */
json_t *gp_mock_requests(gp_mock_t *m);

/* POST /_mock/reset: forgets the request log and the `times` counters. */
void gp_mock_reset(gp_mock_t *m);

/* Sends SIGTERM, waits for the process and fails the test unless it exited with
 * status 0 within 10 s. Frees the handle; NULL is accepted. */
void gp_mock_stop(gp_mock_t *m);

/* Polls the request log until `count` requests are recorded with ended_ms set (the
 * server has finished with them, including client_closed detection), or `ms` pass.
 * Returns the log (caller owns) whichever happens first. */
json_t *gp_mock_wait_requests(gp_mock_t *m, size_t count, int ms);

#endif
