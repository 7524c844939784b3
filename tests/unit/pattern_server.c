/* Test helper: a real HTTP server on loopback (libmicrohttpd, a thread per connection)
 * serving GET /pattern?size=N&chunk=K: a chunked body of N bytes of the position
 * pattern, produced K bytes at a time as the client's socket takes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pattern_server.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* ---- The body pattern ------------------------------------------------------------ */

/* Byte `i` of every body: line i/16 as 15 hex digits, then '\n'. */
char pat_byte(uint64_t i) {
  unsigned k = (unsigned)(i % 16);
  if (k == 15) return '\n';
  return "0123456789abcdef"[((i / 16) >> ((14 - k) * 4)) & 15];
}

void pat_fill(char *buf, uint64_t pos, size_t n) {
  for (size_t k = 0; k < n; k++) buf[k] = pat_byte(pos + k);
}

/* ---- The server: GET /pattern?size=N&chunk=K, a chunked body of N pattern bytes ---- */

typedef struct {
  srv_t *srv;
  uint64_t size;
  size_t chunk;
} body_t;

static ssize_t body_reader(void *cls, uint64_t pos, char *buf, size_t max) {
  body_t *b = cls;
  if (pos >= b->size) return MHD_CONTENT_READER_END_OF_STREAM;
  size_t n = b->chunk < max ? b->chunk : max;
  if (n > b->size - pos) n = (size_t)(b->size - pos);
  pat_fill(buf, pos, n);
  atomic_fetch_add(&b->srv->produced, (long long)n);
  return (ssize_t)n;
}

static uint64_t arg_u64(struct MHD_Connection *conn, const char *name, uint64_t def) {
  const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
  return v ? strtoull(v, NULL, 10) : def;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
  (void)method, (void)version, (void)upload, (void)upload_size;
  srv_t *s = cls;
  if (!*con_cls) { /* headers only: wait for the end of the request */
    *con_cls = s;
    return MHD_YES;
  }
  if (strcmp(url, "/pattern") != 0) {
    struct MHD_Response *r = MHD_create_response_from_buffer(9, (void *)"not found", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(conn, 404, r);
    MHD_destroy_response(r);
    return ret;
  }
  body_t *b = calloc(1, sizeof *b);
  b->srv = s;
  b->size = arg_u64(conn, "size", MB);
  b->chunk = (size_t)arg_u64(conn, "chunk", 4096);
  struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * KB, body_reader, b, free);
  MHD_add_response_header(r, "Content-Type", "application/octet-stream");
  enum MHD_Result ret = MHD_queue_response(conn, 200, r);
  MHD_destroy_response(r);
  return ret;
}

srv_t *srv_start(void) {
  srv_t *s = calloc(1, sizeof *s);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                          NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                          MHD_OPTION_END);
  assert_non_null(s->d);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  assert_non_null(info);
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", (unsigned)info->port);
  return s;
}

void srv_stop(srv_t *s) {
  MHD_stop_daemon(s->d);
  free(s);
}

