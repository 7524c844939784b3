/* Test helper: a real HTTP server on loopback serving the position pattern
 * (pattern_server.c). Call from the test's main thread (failures use cmocka). */
#ifndef GP_TEST_PATTERN_SERVER_H
#define GP_TEST_PATTERN_SERVER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Byte `i` of every body: line i/16 as 15 hex digits, then '\n'. A byte lost, repeated
 * or reordered anywhere is a mismatch at a known offset. */
char pat_byte(uint64_t i);
void pat_fill(char *buf, uint64_t pos, size_t n);

typedef struct {
  struct MHD_Daemon *d;
  char url[64];                 /* "http://127.0.0.1:PORT" */
  atomic_llong produced;        /* body bytes handed to the server library, all requests */
} srv_t;

/* GET /pattern?size=N&chunk=K (defaults 1 MiB, 4096). */
srv_t *srv_start(void);
void srv_stop(srv_t *s);

#endif
