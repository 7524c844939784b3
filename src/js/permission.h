/* The permission model of SPEC §3.4: a set of grants parsed from the command line
 * (`--permission`, `--allow-fs-read=`, `--allow-fs-write=`, `--allow-net=`,
 * `--allow-child-process`, `--allow-env`) and the questions the script environment asks
 * of it before it touches a file, the network, a child process or the environment.
 *
 * Pure C, no JavaScript: a host builds a set, hands it to the runtime
 * (gp_js_options_t.perm), and the runtime only reads it. A NULL set means the model is
 * off: every query answers "allowed". docs/PERMISSIONS.md has the user's view. */
#ifndef GP_JS_PERMISSION_H
#define GP_JS_PERMISSION_H

typedef struct gp__perm_s gp__perm_t;

/* A set with the model on and nothing granted. Relative paths of later grants are
 * resolved against `cwd` (NULL: the process's current directory now). Never fails
 * (aborts when out of memory). Free with gp__perm_free. */
gp__perm_t *gp__perm_new(const char *cwd);
/* Accepts NULL. */
void gp__perm_free(gp__perm_t *p);

/* What a command-line option is to the model: GP__PERM_FLAG_NONE (not a permission
 * option), _BARE (takes no value: --permission, --allow-child-process, --allow-env),
 * _VALUE (takes a list: --allow-fs-read, --allow-fs-write, --allow-net). `name` is the
 * option without any "=value" part. */
enum { GP__PERM_FLAG_NONE = 0, GP__PERM_FLAG_BARE = 1, GP__PERM_FLAG_VALUE = 2 };
int gp__perm_flag_kind(const char *name);

/* Applies option `name` (e.g. "--allow-net") with `value` (its list; NULL for a bare
 * option) to `p`; each call adds to what earlier ones granted. Returns 0, or -1 with
 * *err set to a heap message naming the bad argument (caller frees): an empty list or
 * item, a port that is not 1..65535, a URL given as a host, a value for a bare option,
 * an unknown option. `p` is unchanged on error. */
int gp__perm_apply(gp__perm_t *p, const char *name, const char *value, char **err);

/* ---- Queries: 1 allowed, 0 denied. A NULL set allows everything. ----------------- */

/* 1 when the model is on (p != NULL). */
int gp__perm_enabled(const gp__perm_t *p);
/* `path` absolute or relative to the set's cwd; normalised before the check (".",
 * "..", repeated and trailing slashes), not resolved through symbolic links. NULL asks
 * about every path (granted only by `*`), as Node's has("fs.read") does. */
int gp__perm_fs_read(const gp__perm_t *p, const char *path);
int gp__perm_fs_write(const gp__perm_t *p, const char *path);
/* `host`: a name (case-insensitive, a trailing dot ignored), an IPv4 address, or an
 * IPv6 address with or without brackets; NULL asks about every host. `port` 1..65535,
 * or -1 for "every port" (granted only by a grant without a port). */
int gp__perm_net(const gp__perm_t *p, const char *host, int port);
int gp__perm_child(const gp__perm_t *p);
int gp__perm_env(const gp__perm_t *p);

/* ---- Helpers shared with the JavaScript binding ------------------------------------ */

/* Splits "HOST", "HOST:PORT", "[V6]", "[V6]:PORT" or "scheme://[user@]HOST[:PORT]/..."
 * into a heap host (lowercase, brackets removed; caller frees) and a port: the explicit
 * one, else the scheme's default (http/ws 80, https/wss 443), else -1. *is_default (may
 * be NULL) is 1 when the port came from the scheme. Returns 0, or -1 when no host can be
 * read or the port is not 1..65535. */
int gp__perm_split_net(const char *ref, char **host, int *port, int *is_default);
/* The normalised absolute form of `path` against the set's cwd (heap; caller frees). */
char *gp__perm_resolve(const gp__perm_t *p, const char *path);

#endif
