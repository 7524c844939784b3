/* The stdio transport: the server is a child process (posix_spawn, with its arguments,
 * environment and working directory) speaking newline-delimited JSON-RPC on its stdin
 * and stdout. One reader thread per server polls its stdout and stderr (stderr is kept
 * in a bounded ring for error messages) and delivers each line; writes to stdin come
 * from the requesting threads, serialised by the client. Close: stdin closed, then
 * SIGTERM, then SIGKILL after 2 s, the child reaped and the reader joined. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mcp/mcp_internal.h"

extern char **environ;

#define GP__MCP_RING 4096                  /* bytes of stderr kept */

typedef struct {
  gp__mcp_tr_t base;
  pid_t pid;
  int in_fd, out_fd, err_fd;               /* our ends */
  int wake[2];                             /* close() wakes the reader */
  pthread_t reader;
  pthread_mutex_t mu;                      /* ring, exited, status */
  char ring[GP__MCP_RING];
  size_t ring_len, ring_pos;
  int reaped, status;
} stdio_t;

/* ---- stderr ring ------------------------------------------------------------------ */

static void gp__ring_add(stdio_t *s, const char *p, size_t n) {
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < n; i++) {
    s->ring[s->ring_pos] = p[i];
    s->ring_pos = (s->ring_pos + 1) % GP__MCP_RING;
    if (s->ring_len < GP__MCP_RING) s->ring_len++;
  }
  pthread_mutex_unlock(&s->mu);
}

/* The last `max` bytes of stderr, trimmed (heap). */
static char *gp__ring_tail(stdio_t *s, size_t max) {
  pthread_mutex_lock(&s->mu);
  size_t n = s->ring_len < max ? s->ring_len : max;
  char *out = gp__xmalloc(n + 1);
  size_t start = (s->ring_pos + GP__MCP_RING - n) % GP__MCP_RING;
  for (size_t i = 0; i < n; i++) out[i] = s->ring[(start + i) % GP__MCP_RING];
  out[n] = 0;
  pthread_mutex_unlock(&s->mu);
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' ')) out[--n] = 0;
  return out;
}

/* What error messages quote of stderr: "; its stderr ends with: ..." or "" (heap). */
static char *gp__stdio_tail(gp__mcp_tr_t *t) {
  char *tail = gp__ring_tail((stdio_t *)t, 1500);
  char *out = gp__xasprintf("%s%s", *tail ? "; its stderr ends with: " : "", tail);
  free(tail);
  return out;
}

/* ---- The child ------------------------------------------------------------------- */

/* Waits up to `ms` for the child to exit; 1 when it has been reaped. */
static int gp__reap(stdio_t *s, int64_t ms) {
  int64_t end = gp__mono_ms() + ms;
  for (;;) {
    pthread_mutex_lock(&s->mu);
    if (!s->reaped) {
      int st;
      pid_t r = waitpid(s->pid, &st, ms < 0 ? 0 : WNOHANG);
      if (r == s->pid || (r < 0 && errno == ECHILD)) {
        s->reaped = 1;
        s->status = r == s->pid ? st : 0;
      }
    }
    int done = s->reaped;
    pthread_mutex_unlock(&s->mu);
    if (done || ms < 0) return done;
    if (gp__mono_ms() >= end) return 0;
    gp__sleep_ms(10);
  }
}

static char *gp__exit_message(stdio_t *s) {
  gp_mcp_client_t *c = s->base.c;
  char how[64] = "closed its stdout";
  if (gp__reap(s, 300)) {
    if (WIFEXITED(s->status)) snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(s->status));
    else if (WIFSIGNALED(s->status)) snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(s->status));
  }
  char *tail = gp__stdio_tail(&s->base);
  char *msg = gp__xasprintf("the MCP server %s %s%s", c->cfg.name, how, tail);
  free(tail);
  return msg;
}

/* ---- The reader thread ----------------------------------------------------------- */

int gp__mcp_drain_lines(gp__mcp_tr_t *tr, gp_buf_t *buf, size_t *scanned) {
  size_t start = 0;
  for (size_t i = *scanned; i < buf->len; i++) {
    if (buf->data[i] != '\n') continue;
    size_t end = i;
    if (end > start && buf->data[end - 1] == '\r') end--;
    size_t k = start;
    while (k < end && (buf->data[k] == ' ' || buf->data[k] == '\t')) k++;
    if (k < end) gp__mcp_deliver(tr->c, tr, buf->data + start, end - start);
    start = i + 1;
  }
  if (start > 0) {
    memmove(buf->data, buf->data + start, buf->len - start);
    buf->len -= start;
  }
  *scanned = buf->len;
  return buf->len > GP__MCP_MAX_MESSAGE ? -1 : 0;
}

static void *gp__reader_main(void *arg) {
  stdio_t *s = arg;
  gp_buf_t line = {0};
  size_t scanned = 0;
  char *chunk = gp__xmalloc(65536);
  int out_open = 1, err_open = 1;
  while (out_open) {
    struct pollfd fds[3] = {{s->out_fd, POLLIN, 0}, {err_open ? s->err_fd : -1, POLLIN, 0}, {s->wake[0], POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents) goto out; /* closing: the client no longer listens */
    if (fds[1].revents) {
      ssize_t n = read(s->err_fd, chunk, 65536);
      if (n > 0) gp__ring_add(s, chunk, (size_t)n);
      else if (n == 0 || errno != EINTR) err_open = 0;
    }
    if (fds[0].revents) {
      ssize_t n = read(s->out_fd, chunk, 65536);
      if (n > 0) {
        gp__buf_append(&line, chunk, (size_t)n);
        if (gp__mcp_drain_lines(&s->base, &line, &scanned) != 0) {
          char *tail = gp__stdio_tail(&s->base);
          char *m = gp__xasprintf("the MCP server %s broke the protocol: it sent a line longer than %zu MiB%s",
                                 s->base.c->cfg.name, GP__MCP_MAX_MESSAGE >> 20, tail);
          gp__mcp_lost(s->base.c, &s->base, GP_ERR_MCP_CLOSED, m);
          free(m);
          free(tail);
          goto out;
        }
      } else if (n == 0 || errno != EINTR) {
        out_open = 0;
      }
    }
  }
  /* stdout ended: gather the rest of stderr for the message (briefly). */
  for (int i = 0; err_open && i < 50; i++) {
    struct pollfd f[2] = {{s->err_fd, POLLIN, 0}, {s->wake[0], POLLIN, 0}};
    if (poll(f, 2, 20) <= 0 || f[1].revents) break;
    ssize_t n = read(s->err_fd, chunk, 65536);
    if (n <= 0) break;
    gp__ring_add(s, chunk, (size_t)n);
  }
  char *msg = gp__exit_message(s);
  gp__mcp_lost(s->base.c, &s->base, GP_ERR_MCP_CLOSED, msg);
  free(msg);
out:
  free(chunk);
  gp__buf_free(&line);
  return NULL;
}

/* ---- Operations ------------------------------------------------------------------ */

static int gp__stdio_send(gp__mcp_tr_t *t, const char *msg, size_t len, gp_error_t **err) {
  stdio_t *s = (stdio_t *)t;
  if (s->in_fd < 0) return gp_error_set(err, GP_ERR_MCP_CLOSED, "the MCP server %s is closed", t->c->cfg.name);
  struct iovec v[2] = {{(void *)msg, len}, {"\n", 1}};
  size_t total = len + 1, done = 0;
  /* A server gone raises SIGPIPE: blocked here and consumed, the write fails with EPIPE. */
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  while (done < total) {
    ssize_t n = writev(s->in_fd, v, 2);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
      }
      pthread_sigmask(SIG_SETMASK, &old, NULL);
      char *m = gp__exit_message(s);
      int rc = gp_error_set(err, GP_ERR_MCP_CLOSED, "%s", m);
      free(m);
      return rc;
    }
    done += (size_t)n;
    for (int i = 0; i < 2 && n > 0; i++) {
      size_t k = (size_t)n < v[i].iov_len ? (size_t)n : v[i].iov_len;
      v[i].iov_base = (char *)v[i].iov_base + k;
      v[i].iov_len -= k;
      n -= (ssize_t)k;
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return 0;
}

static void gp__stdio_close(gp__mcp_tr_t *t) {
  stdio_t *s = (stdio_t *)t;
  if (s->in_fd >= 0) close(s->in_fd);
  s->in_fd = -1;
  if (!gp__reap(s, 500)) {
    kill(s->pid, SIGTERM);
    if (!gp__reap(s, 2000)) {
      kill(s->pid, SIGKILL);
      gp__reap(s, -1);
    }
  }
  ssize_t w = write(s->wake[1], "x", 1);
  (void)w;
  pthread_join(s->reader, NULL);
  close(s->out_fd);
  close(s->err_fd);
  close(s->wake[0]);
  close(s->wake[1]);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

static const gp__mcp_tr_ops_t stdio_ops = {gp__stdio_send, gp__stdio_close, gp__stdio_tail};

/* environ with cfg->env over it (heap array of borrowed/owned strings: all freed by the
 * caller with free() on the array only; the entries point into environ or cfg). */
static char **gp__merged_env(const gp__mcp_cfg_t *cfg) {
  size_t n = 0, m = 0;
  while (environ[n]) n++;
  while (cfg->env[m]) m++;
  char **out = gp__xcalloc(n + m + 1, sizeof *out);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t nl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
    int overridden = 0;
    for (size_t j = 0; j < m && !overridden; j++)
      overridden = strncmp(cfg->env[j], environ[i], nl) == 0 && cfg->env[j][nl] == '=';
    if (!overridden) out[k++] = environ[i];
  }
  for (size_t j = 0; j < m; j++) out[k++] = cfg->env[j];
  return out;
}

gp__mcp_tr_t *gp__mcp_stdio_open(gp_mcp_client_t *c, const gp__mcp_cfg_t *cfg, gp_error_t **err) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1}, wake[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC) || pipe2(wake, O_CLOEXEC)) {
    int e = errno;
    int fds[] = {in[0], in[1], out[0], out[1], er[0], er[1], wake[0], wake[1]};
    for (size_t i = 0; i < 8; i++)
      if (fds[i] >= 0) close(fds[i]);
    gp_error_set(err, GP_ERR_IO, "cannot make pipes for the MCP server %s: %s", cfg->name, strerror(e));
    return NULL;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, er[1], 2);
  if (cfg->cwd) posix_spawn_file_actions_addchdir_np(&fa, cfg->cwd);
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t none, all;
  sigemptyset(&none);
  sigemptyset(&all);
  int dfl[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof dfl / sizeof dfl[0]; i++) sigaddset(&all, dfl[i]);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  size_t na = 0;
  while (cfg->args[na]) na++;
  char **argv = gp__xcalloc(na + 2, sizeof *argv);
  argv[0] = cfg->command;
  for (size_t i = 0; i < na; i++) argv[i + 1] = cfg->args[i];
  char **envp = gp__merged_env(cfg);
  pid_t pid;
  int rc = posix_spawnp(&pid, cfg->command, &fa, &at, argv, envp);
  free(argv);
  free(envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(in[0]);
  close(out[1]);
  close(er[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(er[0]);
    close(wake[0]);
    close(wake[1]);
    gp_error_set(err, rc == ENOENT ? GP_ERR_NOT_FOUND : GP_ERR_IO, "cannot start the MCP server %s%s%s: %s",
                 cfg->command, cfg->cwd ? " in " : "", cfg->cwd ? cfg->cwd : "", strerror(rc));
    return NULL;
  }
  stdio_t *s = gp__xcalloc(1, sizeof *s);
  s->base.ops = &stdio_ops;
  s->base.c = c;
  s->pid = pid;
  s->in_fd = in[1];
  s->out_fd = out[0];
  s->err_fd = er[0];
  s->wake[0] = wake[0];
  s->wake[1] = wake[1];
  pthread_mutex_init(&s->mu, NULL);
  if (pthread_create(&s->reader, NULL, gp__reader_main, s) != 0) abort();
  return &s->base;
}
