/* Test helper: spawns geppetto-mock as a child process and talks to its control
 * routes over a plain loopback socket (no curl in the helpers, so the HTTP layer under
 * test is never used to check itself). See mock_server.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

#ifndef GP_MOCK_BIN
#define GP_MOCK_BIN "" /* tools/mock not configured: gp_mock_start fails loudly */
#endif

struct gp_mock_s {
  pid_t pid;     /* the server process */
  int out_fd;    /* read end of its stdout, kept open so it never gets SIGPIPE */
  int port;
  char url[64];
};

#define GP__MOCK_PREFIX "geppetto-mock listening on http://127.0.0.1:"

/* Reads the child's stdout until a full line arrives or the deadline passes. */
static int gp__mock_read_line(int fd, char *line, size_t cap, int64_t deadline_ms) {
  size_t len = 0;
  while (len + 1 < cap) {
    int left = (int)(deadline_ms - gp__mono_ms());
    if (left <= 0) return -1;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    ssize_t n = read(fd, line + len, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1; /* the server exited before printing its line */
    if (line[len] == '\n') {
      line[len] = '\0';
      return 0;
    }
    len++;
  }
  return -1;
}

static void gp__mock_kill(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

gp_mock_t *gp_mock_start(const char *const *fixture_paths, size_t n) {
  if (GP_MOCK_BIN[0] == '\0') fail_msg("geppetto-mock is not built (tools/mock missing)");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) fail_msg("pipe: %s", strerror(errno));
  char **argv = gp__xcalloc(n + 4, sizeof *argv);
  argv[0] = (char *)GP_MOCK_BIN;
  argv[1] = (char *)"--port";
  argv[2] = (char *)"0";
  for (size_t i = 0; i < n; i++) argv[3 + i] = (char *)fixture_paths[i];
  /* fork + exec rather than posix_spawn: the child asks to be killed when this thread
   * dies, so a failed or aborted test never leaves a server behind (ctest would wait
   * for it, as it holds the test's output). Only async-signal-safe calls in the child. */
  pid_t parent = getpid();
  long max_fd = sysconf(_SC_OPEN_MAX);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (dup2(fds[1], STDOUT_FILENO) < 0) _exit(127);
    /* The server must not hold the test's other descriptors: a client socket kept open
     * in it would hide the client's close from another server. */
    if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
      for (long fd = 3; fd < max_fd; fd++) close((int)fd);
    execv(GP_MOCK_BIN, argv);
    _exit(127);
  }
  int rc = pid < 0 ? errno : 0;
  free(argv);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    fail_msg("cannot start %s: %s", GP_MOCK_BIN, strerror(rc));
  }
  char line[256];
  if (gp__mock_read_line(fds[0], line, sizeof line, gp__mono_ms() + 10000) != 0 ||
      strncmp(line, GP__MOCK_PREFIX, strlen(GP__MOCK_PREFIX)) != 0) {
    gp__mock_kill(pid);
    close(fds[0]);
    fail_msg("geppetto-mock did not print its listening line within 10 s (see its stderr above)");
  }
  gp_mock_t *m = gp__xcalloc(1, sizeof *m);
  m->pid = pid;
  m->out_fd = fds[0];
  m->port = atoi(line + strlen(GP__MOCK_PREFIX));
  snprintf(m->url, sizeof m->url, "http://127.0.0.1:%d", m->port);
  return m;
}

const char *gp_mock_url(gp_mock_t *m) { return m->url; }

int gp_mock_port(gp_mock_t *m) { return m->port; }

/* Decodes a chunked body in place; returns its new length. */
static size_t gp__dechunk(char *body, size_t len) {
  size_t in = 0, out = 0;
  while (in < len) {
    char *end;
    unsigned long sz = strtoul(body + in, &end, 16);
    char *crlf = strstr(end, "\r\n");
    if (!crlf || sz == 0) break;
    in = (size_t)(crlf - body) + 2;
    if (in + sz > len) sz = len - in;
    memmove(body + out, body + in, sz);
    out += sz;
    in += sz + 2;
  }
  body[out] = '\0';
  return out;
}

/* One request on a fresh connection; returns the response body (caller frees) and the
 * status in *status, or NULL when the server cannot be reached. */
static char *gp__mock_http(gp_mock_t *m, const char *method, const char *path, int *status) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)m->port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    if (fd >= 0) close(fd);
    return NULL;
  }
  char *req = gp__xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 0\r\n"
                           "Connection: close\r\n\r\n", method, path, m->port);
  size_t off = 0, rlen = strlen(req);
  while (off < rlen) {
    ssize_t w = send(fd, req + off, rlen - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  free(req);
  gp_buf_t b = {0};
  char tmp[16384];
  for (;;) {
    ssize_t r = recv(fd, tmp, sizeof tmp, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    gp__buf_append(&b, tmp, (size_t)r);
  }
  close(fd);
  char *resp = gp__buf_steal(&b);
  char *sep = strstr(resp, "\r\n\r\n");
  if (strncmp(resp, "HTTP/1.", 7) != 0 || !sep) {
    free(resp);
    return NULL;
  }
  *status = atoi(resp + 9);
  *sep = '\0';
  int chunked = strcasestr(resp, "transfer-encoding: chunked") != NULL;
  char *body = gp__xstrdup(sep + 4);
  if (chunked) gp__dechunk(body, strlen(body));
  free(resp);
  return body;
}

json_t *gp_mock_requests(gp_mock_t *m) {
  int status = 0;
  char *body = gp__mock_http(m, "GET", "/_mock/requests", &status);
  if (!body || status != 200) fail_msg("GET /_mock/requests failed (status %d)", status);
  json_error_t je;
  json_t *log = json_loads(body, 0, &je);
  if (!json_is_array(log)) fail_msg("GET /_mock/requests: not a JSON array: %s", je.text);
  free(body);
  return log;
}

void gp_mock_reset(gp_mock_t *m) {
  int status = 0;
  char *body = gp__mock_http(m, "POST", "/_mock/reset", &status);
  if (!body || status != 200) fail_msg("POST /_mock/reset failed (status %d)", status);
  free(body);
}

static size_t gp__mock_ended(json_t *log) {
  size_t i, n = 0;
  json_t *r;
  json_array_foreach(log, i, r) if (json_is_integer(json_object_get(r, "ended_ms"))) n++;
  return n;
}

json_t *gp_mock_wait_requests(gp_mock_t *m, size_t count, int ms) {
  int64_t end = gp__mono_ms() + ms;
  for (;;) {
    json_t *log = gp_mock_requests(m);
    if (gp__mock_ended(log) >= count || gp__mono_ms() >= end) return log;
    json_decref(log);
    gp__sleep_ms(5);
  }
}

void gp_mock_stop(gp_mock_t *m) {
  if (!m) return;
  pid_t pid = m->pid;
  int out_fd = m->out_fd;
  free(m);
  kill(pid, SIGTERM);
  int64_t end = gp__mono_ms() + 10000;
  int st = 0;
  for (;;) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) fail_msg("waitpid(geppetto-mock): %s", strerror(errno));
    if (gp__mono_ms() >= end) {
      gp__mock_kill(pid);
      fail_msg("geppetto-mock did not exit within 10 s of SIGTERM");
    }
    gp__sleep_ms(2);
  }
  close(out_fd);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail_msg("geppetto-mock did not exit cleanly (%s %d)", WIFEXITED(st) ? "status" : "signal",
             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}
