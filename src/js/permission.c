/* The permission set of SPEC §3.4: parsing the `--permission` / `--allow-*` options into
 * grants, and answering whether a path, a host and port, child processes or the
 * environment are granted. Paths are compared in a normalised absolute form (lexically:
 * symbolic links are not resolved); hosts in lowercase, IPv6 addresses in their
 * canonical text form. Pure C; the set is immutable once the runtime reads it. */
#include "js/permission.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"

typedef struct {
  char *prefix;   /* normalised absolute path; heap */
  int wildcard;   /* 1: "PREFIX*", any path starting with prefix; 0: prefix and below */
} gp__perm_path_t;

typedef struct {
  char *host;     /* lowercase name or canonical address; NULL for "*" (any host); heap */
  int subdomains; /* 1: "*.NAME": any name ending in ".NAME" (host holds NAME) */
  int port;       /* 1..65535, or -1 for every port */
} gp__perm_net_t;

struct gp__perm_s {
  char *cwd;                        /* relative paths are resolved against it; heap */
  int fs_read_all, fs_write_all;    /* `*` granted */
  int net_all;                      /* `--allow-net=*` */
  int child, env;                   /* --allow-child-process, --allow-env */
  gp__perm_path_t *reads, *writes;  /* heap arrays of nreads / nwrites grants */
  size_t nreads, nwrites;
  gp__perm_net_t *nets;             /* heap array of nnets grants */
  size_t nnets;
};

gp__perm_t *gp__perm_new(const char *cwd) {
  gp__perm_t *p = gp__xcalloc(1, sizeof *p);
  if (cwd) {
    p->cwd = gp__xstrdup(cwd);
  } else {
    char buf[PATH_MAX];
    p->cwd = gp__xstrdup(getcwd(buf, sizeof buf) ? buf : "/");
  }
  return p;
}

void gp__perm_free(gp__perm_t *p) {
  if (p == NULL) return;
  for (size_t i = 0; i < p->nreads; i++) free(p->reads[i].prefix);
  for (size_t i = 0; i < p->nwrites; i++) free(p->writes[i].prefix);
  for (size_t i = 0; i < p->nnets; i++) free(p->nets[i].host);
  free(p->reads);
  free(p->writes);
  free(p->nets);
  free(p->cwd);
  free(p);
}

/* ---- Paths ------------------------------------------------------------------------ */

/* The absolute, lexically normalised form of `path` (relative to `cwd`): no ".", no
 * "..", no empty segment, no trailing slash except for "/" itself. Heap. */
static char *gp__path_normalise(const char *cwd, const char *path) {
  char *joined = path[0] == '/' ? gp__xstrdup(path) : gp__xasprintf("%s/%s", cwd, path);
  size_t n = strlen(joined);
  char *out = gp__xmalloc(n + 2);
  size_t len = 0;
  for (const char *s = joined; *s;) {
    while (*s == '/') s++;
    const char *e = s;
    while (*e && *e != '/') e++;
    size_t seg = (size_t)(e - s);
    if (seg == 0 || (seg == 1 && s[0] == '.')) {
      /* nothing */
    } else if (seg == 2 && s[0] == '.' && s[1] == '.') {
      while (len > 0 && out[len - 1] != '/') len--;
      if (len > 0) len--;  /* the slash before the dropped segment */
    } else {
      out[len++] = '/';
      memcpy(out + len, s, seg);
      len += seg;
    }
    s = e;
  }
  if (len == 0) out[len++] = '/';
  out[len] = '\0';
  free(joined);
  return out;
}

char *gp__perm_resolve(const gp__perm_t *p, const char *path) {
  char buf[PATH_MAX];
  const char *cwd = p ? p->cwd : (getcwd(buf, sizeof buf) ? buf : "/");
  return gp__path_normalise(cwd, path ? path : "");
}

/* One grant from one list item: "*" is handled by the caller; "PREFIX*" (anything after
 * the first `*` ignored) grants every path starting with PREFIX; else the path and
 * everything under it. */
static gp__perm_path_t gp__path_grant(const char *cwd, const char *item) {
  gp__perm_path_t g = {NULL, 0};
  const char *star = strchr(item, '*');
  if (star == NULL) {
    g.prefix = gp__path_normalise(cwd, item);
    return g;
  }
  char *head = gp__xstrndup(item, (size_t)(star - item));
  char *norm = gp__path_normalise(cwd, head);
  size_t hl = strlen(head);
  /* "/data/" then a star: the slash stays part of the prefix */
  if (hl > 0 && head[hl - 1] == '/' && strcmp(norm, "/") != 0) {
    g.prefix = gp__xasprintf("%s/", norm);
    free(norm);
  } else {
    g.prefix = norm;
  }
  free(head);
  g.wildcard = 1;
  return g;
}

static int gp__path_covers(const gp__perm_path_t *g, const char *path) {
  size_t n = strlen(g->prefix);
  if (strncmp(path, g->prefix, n) != 0) return 0;
  if (g->wildcard || path[n] == '\0' || path[n] == '/') return 1;
  return strcmp(g->prefix, "/") == 0;
}

static int gp__fs_check(const gp__perm_t *p, int all, const gp__perm_path_t *v, size_t n,
                        const char *path) {
  if (p == NULL || all) return 1;
  if (path == NULL) return 0;
  char *abs = gp__path_normalise(p->cwd, path);
  int ok = 0;
  for (size_t i = 0; i < n && !ok; i++) ok = gp__path_covers(&v[i], abs);
  free(abs);
  return ok;
}

int gp__perm_fs_read(const gp__perm_t *p, const char *path) {
  return gp__fs_check(p, p && p->fs_read_all, p ? p->reads : NULL, p ? p->nreads : 0, path);
}

int gp__perm_fs_write(const gp__perm_t *p, const char *path) {
  return gp__fs_check(p, p && p->fs_write_all, p ? p->writes : NULL, p ? p->nwrites : 0, path);
}

/* ---- Hosts ------------------------------------------------------------------------ */

/* Parses "1".."65535" (n bytes, digits only). Returns the port or -1. */
static int gp__port_parse(const char *s, size_t n) {
  if (n == 0 || n > 5) return -1;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v >= 1 && v <= 65535 ? v : -1;
}

/* The comparable form of a host name or address (n bytes, without brackets): an IPv6
 * address in canonical text, else lowercase without a trailing dot. Heap. */
static char *gp__host_canon(const char *s, size_t n) {
  char *h = gp__xstrndup(s, n);
  struct in6_addr a6;
  char buf[INET6_ADDRSTRLEN];
  if (strchr(h, ':') && inet_pton(AF_INET6, h, &a6) == 1 &&
      inet_ntop(AF_INET6, &a6, buf, sizeof buf)) {
    free(h);
    return gp__xstrdup(buf);
  }
  for (char *c = h; *c; c++) *c = (char)tolower((unsigned char)*c);
  size_t len = strlen(h);
  if (len > 1 && h[len - 1] == '.') h[len - 1] = '\0';
  return h;
}

/* Splits "HOST", "HOST:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address (s[0..n)).
 * Returns 0 with *host (heap, canonical) and *port (-1: none), -1 when there is no
 * host, -2 when the port is malformed. */
static int gp__hostport(const char *s, size_t n, char **host, int *port) {
  const char *hs = s, *colon = NULL;
  size_t hn = n;
  *port = -1;
  if (n > 0 && s[0] == '[') {
    const char *close = memchr(s, ']', n);
    if (close == NULL) return -1;
    hs = s + 1;
    hn = (size_t)(close - hs);
    size_t rest = n - (size_t)(close + 1 - s);
    if (rest > 0) {
      if (close[1] != ':') return -1;
      colon = close + 1;
    }
  } else {
    const char *c1 = memchr(s, ':', n);
    if (c1 && memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s)) == NULL) {  /* exactly one */
      colon = c1;
      hn = (size_t)(c1 - s);
    }
  }
  if (colon) {
    *port = gp__port_parse(colon + 1, n - (size_t)(colon + 1 - s));
    if (*port < 0) return -2;
  }
  if (hn == 0) return -1;
  *host = gp__host_canon(hs, hn);
  return 0;
}

int gp__perm_split_net(const char *ref, char **host, int *port, int *is_default) {
  *host = NULL;
  if (is_default) *is_default = 0;
  if (ref == NULL) return -1;
  const char *auth = ref, *sep = strstr(ref, "://");
  int defport = -1;
  if (sep) {
    size_t sl = (size_t)(sep - ref);
    if ((sl == 4 && strncasecmp(ref, "http", 4) == 0) || (sl == 2 && strncasecmp(ref, "ws", 2) == 0))
      defport = 80;
    else if ((sl == 5 && strncasecmp(ref, "https", 5) == 0) || (sl == 3 && strncasecmp(ref, "wss", 3) == 0))
      defport = 443;
    auth = sep + 3;
  }
  size_t n = strcspn(auth, sep ? "/?#" : "/");
  const char *at = NULL;
  for (size_t i = 0; sep && i < n; i++)
    if (auth[i] == '@') at = auth + i;
  if (at) {
    n -= (size_t)(at + 1 - auth);
    auth = at + 1;
  }
  if (gp__hostport(auth, n, host, port) != 0) return -1;
  if (*port < 0 && defport > 0) {
    *port = defport;
    if (is_default) *is_default = 1;
  }
  return 0;
}

/* 1 when host names / characters of a grant are acceptable: letters, digits, '-', '.',
 * '_', or an address. */
static int gp__host_valid(const char *h) {
  if (strchr(h, ':')) {
    struct in6_addr a6;
    return inet_pton(AF_INET6, h, &a6) == 1;
  }
  for (const char *c = h; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.' && *c != '_') return 0;
  return *h != '\0';
}

/* One --allow-net item (not "*") into *g. Returns 0 or -1 with *why (static text). */
static int gp__net_grant(const char *item, gp__perm_net_t *g, const char **why) {
  memset(g, 0, sizeof *g);
  if (strstr(item, "://")) return *why = "takes HOST[:PORT], not a URL", -1;
  int rc = gp__hostport(item, strlen(item), &g->host, &g->port);
  if (rc == -2) return *why = "has a bad port (expected 1..65535)", -1;
  if (rc != 0) return *why = "has no host", -1;
  if (strcmp(g->host, "*") == 0) {
    free(g->host);
    g->host = NULL;
    return 0;
  }
  if (strncmp(g->host, "*.", 2) == 0) {
    memmove(g->host, g->host + 2, strlen(g->host + 2) + 1);
    g->subdomains = 1;
  }
  if (!gp__host_valid(g->host)) {
    free(g->host);
    g->host = NULL;
    return *why = "has an invalid host name", -1;
  }
  return 0;
}

static int gp__net_matches(const gp__perm_net_t *g, const char *host, int port) {
  if (g->port != -1 && g->port != port) return 0;
  if (g->host == NULL) return 1;
  if (!g->subdomains) return strcmp(g->host, host) == 0;
  size_t hl = strlen(host), gl = strlen(g->host);
  return hl > gl + 1 && host[hl - gl - 1] == '.' && strcmp(host + hl - gl, g->host) == 0;
}

int gp__perm_net(const gp__perm_t *p, const char *host, int port) {
  if (p == NULL || p->net_all) return 1;
  if (host == NULL || *host == '\0') return 0;
  size_t n = strlen(host);
  if (n >= 2 && host[0] == '[' && host[n - 1] == ']') host++, n -= 2;
  char *h = gp__host_canon(host, n);
  int ok = 0;
  for (size_t i = 0; i < p->nnets && !ok; i++) ok = gp__net_matches(&p->nets[i], h, port);
  free(h);
  return ok;
}

int gp__perm_enabled(const gp__perm_t *p) { return p != NULL; }
int gp__perm_child(const gp__perm_t *p) { return p == NULL || p->child; }
int gp__perm_env(const gp__perm_t *p) { return p == NULL || p->env; }

/* ---- Options ---------------------------------------------------------------------- */

static const struct {
  const char *name;
  int kind;
} gp__perm_flags[] = {
    {"--permission", GP__PERM_FLAG_BARE},      {"--allow-child-process", GP__PERM_FLAG_BARE},
    {"--allow-env", GP__PERM_FLAG_BARE},       {"--allow-fs-read", GP__PERM_FLAG_VALUE},
    {"--allow-fs-write", GP__PERM_FLAG_VALUE}, {"--allow-net", GP__PERM_FLAG_VALUE},
};

int gp__perm_flag_kind(const char *name) {
  for (size_t i = 0; name && i < sizeof gp__perm_flags / sizeof gp__perm_flags[0]; i++)
    if (strcmp(gp__perm_flags[i].name, name) == 0) return gp__perm_flags[i].kind;
  return GP__PERM_FLAG_NONE;
}

/* Splits `value` at commas into a NULL-terminated heap array of heap items. Returns
 * NULL with *why when the list or an item is empty. */
static char **gp__list_split(const char *value, const char **why) {
  if (value == NULL || *value == '\0') return *why = "needs a value (an empty list)", NULL;
  size_t cap = 2;
  for (const char *c = value; *c; c++) cap += *c == ',';
  char **items = gp__xcalloc(cap, sizeof *items);
  size_t k = 0;
  for (const char *s = value;; s++) {
    const char *e = s + strcspn(s, ",");
    while (s < e && isspace((unsigned char)*s)) s++;
    size_t len = (size_t)(e - s);
    while (len > 0 && isspace((unsigned char)s[len - 1])) len--;
    if (len == 0) {
      for (size_t i = 0; i < k; i++) free(items[i]);
      free(items);
      return *why = "has an empty item", NULL;
    }
    items[k++] = gp__xstrndup(s, len);
    if (*e == '\0') break;
    s = e;
  }
  return items;
}

static void gp__list_free(char **items) {
  for (size_t i = 0; items && items[i]; i++) free(items[i]);
  free(items);
}

static void gp__apply_fs(gp__perm_t *p, int write, char **items) {
  for (size_t i = 0; items[i]; i++) {
    if (strcmp(items[i], "*") == 0) {
      *(write ? &p->fs_write_all : &p->fs_read_all) = 1;
      continue;
    }
    gp__perm_path_t **v = write ? &p->writes : &p->reads;
    size_t *n = write ? &p->nwrites : &p->nreads;
    *v = gp__xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = gp__path_grant(p->cwd, items[i]);
  }
}

/* Parses every item first, so that a bad one leaves `p` unchanged. */
static int gp__apply_net(gp__perm_t *p, char **items, const char **bad, const char **why) {
  size_t k = 0;
  while (items[k]) k++;
  gp__perm_net_t *add = gp__xcalloc(k + 1, sizeof *add);
  size_t m = 0;
  int all = 0;
  for (size_t i = 0; i < k; i++) {
    if (strcmp(items[i], "*") == 0) { all = 1; continue; }
    if (gp__net_grant(items[i], &add[m], why) != 0) {
      *bad = items[i];
      for (size_t j = 0; j < m; j++) free(add[j].host);
      free(add);
      return -1;
    }
    m++;
  }
  p->net_all |= all;
  p->nets = gp__xrealloc(p->nets, (p->nnets + m + 1) * sizeof *p->nets);
  memcpy(p->nets + p->nnets, add, m * sizeof *add);
  p->nnets += m;
  free(add);
  return 0;
}

int gp__perm_apply(gp__perm_t *p, const char *name, const char *value, char **err) {
  *err = NULL;
  int kind = gp__perm_flag_kind(name);
  if (kind == GP__PERM_FLAG_NONE) return *err = gp__xasprintf("unknown option %s", name), -1;
  if (kind == GP__PERM_FLAG_BARE) {
    if (value) return *err = gp__xasprintf("%s takes no value (got '%s=%s')", name, name, value), -1;
    if (strcmp(name, "--allow-child-process") == 0) p->child = 1;
    if (strcmp(name, "--allow-env") == 0) p->env = 1;
    return 0;
  }
  const char *why = NULL, *bad = NULL;
  char **items = gp__list_split(value, &why);
  if (items == NULL) return *err = gp__xasprintf("%s=%s %s", name, value ? value : "", why), -1;
  int rc = 0;
  if (strcmp(name, "--allow-net") == 0) {
    rc = gp__apply_net(p, items, &bad, &why);
  } else {
    gp__apply_fs(p, strcmp(name, "--allow-fs-write") == 0, items);
  }
  if (rc != 0) *err = gp__xasprintf("%s=%s: '%s' %s", name, value, bad, why);
  gp__list_free(items);
  return rc;
}
