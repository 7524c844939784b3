/* geppetto-mock: a local LLM provider answering from fixture files (docs/MOCK.md).
 * The command line, start-up (file limits, signals, the listening line) and a clean
 * stop on SIGINT/SIGTERM. */
#include "mock.h"

#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void gp__usage(FILE *f) {
  fprintf(f, "usage: geppetto-mock [--port N] [--host 127.0.0.1] [--max-log N] FIXTURE.json...\n"
             "A local LLM provider (OpenAI Chat Completions, Anthropic Messages, OpenAI Responses)\n"
             "answering from fixture files; see docs/MOCK.md.\n");
}

/* Room for a thousand concurrent streams: one descriptor each, plus slack. */
static void gp__raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static int gp__parse_port(const char *s, int *port) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 0 || v > 65535) return -1;
  *port = (int)v;
  return 0;
}

int main(int argc, char **argv) {
  int port = 0;
  const char *host = "127.0.0.1";
  char **files = calloc((size_t)argc, sizeof *files);
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      gp__usage(stdout);
      free(files);
      return 0;
    } else if (strcmp(a, "--port") == 0 && i + 1 < argc) {
      if (gp__parse_port(argv[++i], &port) != 0) {
        fprintf(stderr, "geppetto-mock: --port %s: expected 0-65535\n", argv[i]);
        free(files);
        return 2;
      }
    } else if (strcmp(a, "--host") == 0 && i + 1 < argc) {
      host = argv[++i];
    } else if (strcmp(a, "--max-log") == 0 && i + 1 < argc) {
      long v = strtol(argv[++i], NULL, 10);
      if (v <= 0) {
        fprintf(stderr, "geppetto-mock: --max-log %s: expected a positive count\n", argv[i]);
        free(files);
        return 2;
      }
      gp_mock_log_limit((size_t)v);
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "geppetto-mock: unknown option %s\n", a);
      gp__usage(stderr);
      free(files);
      return 2;
    } else {
      files[nfiles++] = argv[i];
    }
  }
  /* Every thread the server starts inherits this mask: the signals reach sigwait only. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  gp__raise_fd_limit();
  gp_mock_wait_init();
  gp_mock_answer_epoch((int64_t)time(NULL));
  if (gp_mock_fixtures_load(files, nfiles) != 0) {
    gp_mock_fixtures_free();
    free(files);
    return 2;
  }
  free(files);
  int bound = 0;
  struct MHD_Daemon *d = gp_mock_server_start(host, port, &bound);
  if (!d) {
    gp_mock_fixtures_free();
    return 1;
  }
  printf("geppetto-mock listening on http://%s:%d\n", strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, bound);
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  gp_mock_wait_stop();
  MHD_stop_daemon(d);
  gp_mock_log_free();
  gp_mock_fixtures_free();
  return 0;
}
