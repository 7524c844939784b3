/* Who holds a lease: the owner ids written to a store's lease rows, and the test that a
 * holder on this machine has died. An owner id is the run's id followed by the identity
 * of the process that runs it, "RUN@HOST:PID:START:MACHINE":
 * - HOST: the host name;
 * - PID and START: the process id and its start time (field 22 of /proc/PID/stat, in
 *   clock ticks since boot; 0 where /proc is missing), so a reused pid is not taken for
 *   the process that held the lease;
 * - MACHINE: the first 8 characters of the kernel's boot id and the inode of the pid
 *   namespace, so a lease written before a reboot, or by a container that shares the
 *   host name but not the pid space, is never judged by this process's view of pids.
 * A process finding a session leased by a process of the same HOST and MACHINE that no
 * longer exists (or is a zombie, or whose pid now runs another process) takes the lease
 * at once instead of waiting for its expiry; a holder on another machine is waited out. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/log.h"
#include "store/store_internal.h"

static pthread_mutex_t gp__ident_mu = PTHREAD_MUTEX_INITIALIZER;
static pid_t gp__ident_pid;                 /* the pid gp__ident was made for */
static char gp__ident[400];                 /* "HOST:PID:START:MACHINE" */
static char gp__machine[64];                /* "BOOT8.PIDNS" */
static char gp__host[256];

/* The state letter and start time of process `pid` from /proc; 0 when it is unreadable. */
static int gp__proc_stat(pid_t pid, char *state, unsigned long long *start) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
  if (!p || sscanf(p + 1, " %c", state) != 1) return 0;
  for (int field = 3; field < 22 && p; field++) p = strchr(p + 1, ' ');
  return p && sscanf(p + 1, "%llu", start) == 1;
}

static void gp__machine_id(char *out, size_t size) {
  char boot[64] = "-";
  FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
  if (f) {
    if (!fgets(boot, sizeof boot, f)) strcpy(boot, "-");
    fclose(f);
  }
  boot[strcspn(boot, "\n")] = '\0';
  struct stat sb;
  unsigned long long ns = stat("/proc/self/ns/pid", &sb) == 0 ? (unsigned long long)sb.st_ino : 0;
  snprintf(out, size, "%.8s.%llu", boot, ns); /* the boot id's first 8 characters */
}

/* Makes this process's identity (again after a fork). Under gp__ident_mu. */
static void gp__ident_make(void) {
  pid_t pid = getpid();
  if (pid == gp__ident_pid) return;
  if (gethostname(gp__host, sizeof gp__host - 1) != 0) strcpy(gp__host, "localhost");
  gp__host[strcspn(gp__host, ":@")] = '\0';
  gp__machine_id(gp__machine, sizeof gp__machine);
  char state;
  unsigned long long start = 0;
  if (!gp__proc_stat(pid, &state, &start)) start = 0;
  snprintf(gp__ident, sizeof gp__ident, "%s:%d:%llu:%s", gp__host, (int)pid, start, gp__machine);
  gp__ident_pid = pid;
}

char *gp__store_owner(const char *run_id) {
  pthread_mutex_lock(&gp__ident_mu);
  gp__ident_make();
  char *o = gp__xasprintf("%s@%s", run_id, gp__ident);
  pthread_mutex_unlock(&gp__ident_mu);
  return o;
}

/* Splits an owner id into its parts (pointers into `buf`, a copy); 0 if it has none. */
static int gp__owner_parse(const char *owner, char *buf, size_t size, char **host, int *pid,
                           unsigned long long *start, char **machine) {
  const char *at = strrchr(owner, '@');
  if (!at || strlen(at + 1) >= size) return 0;
  strcpy(buf, at + 1);
  char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
  if (!c3) return 0;
  *c1 = *c2 = *c3 = '\0';
  char *end;
  long p = strtol(c1 + 1, &end, 10);
  if (*end || p <= 0) return 0;
  *start = strtoull(c2 + 1, &end, 10);
  if (*end) return 0;
  *host = buf;
  *pid = (int)p;
  *machine = c3 + 1;
  return 1;
}

int gp__store_owner_gone(const char *owner) {
  char buf[400], *host, *machine;
  int pid;
  unsigned long long start, now_start;
  if (!owner || !gp__owner_parse(owner, buf, sizeof buf, &host, &pid, &start, &machine)) return 0;
  pthread_mutex_lock(&gp__ident_mu);
  gp__ident_make();
  int here = strcmp(host, gp__host) == 0 && strcmp(machine, gp__machine) == 0;
  pthread_mutex_unlock(&gp__ident_mu);
  if (!here) return 0; /* another machine: only its lease's expiry tells */
  if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) return 1;
  char state;
  if (!gp__proc_stat((pid_t)pid, &state, &now_start)) return 0; /* alive, no /proc: wait */
  return state == 'Z' || state == 'X' || (start != 0 && now_start != start);
}

char *gp__store_owner_describe(const char *owner) {
  char buf[400], *host, *machine;
  int pid;
  unsigned long long start;
  if (!owner) return gp__xstrdup("another process");
  const char *at = strrchr(owner, '@');
  if (!at || !gp__owner_parse(owner, buf, sizeof buf, &host, &pid, &start, &machine))
    return gp__xasprintf("run %s", owner);
  return gp__xasprintf("run %.*s of process %d on %s", (int)(at - owner), owner, pid, host);
}

int gp__store_busy(gp_error_t **err, const char *id, const char *owner, int64_t left_ms) {
  char *who = gp__store_owner_describe(owner);
  int rc = gp_error_set(err, GP_ERR_SESSION_BUSY,
                        "session %s is running elsewhere (%s holds its lease, which expires in %lld ms"
                        " unless renewed)", id, who, (long long)(left_ms > 0 ? left_ms : 0));
  free(who);
  return rc;
}

void gp__store_log_takeover(const char *id, const char *owner) {
  char *who = gp__store_owner_describe(owner);
  gp_log(GP_LOG_INFO, "store", "session %s: %s held its lease and has ended; taking the lease over", id, who);
  free(who);
}
