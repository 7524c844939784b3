/* Internal helpers shared by every layer: allocation that aborts on exhaustion,
 * clocks, string building. Not part of the public API. */
#ifndef GP_CORE_CORE_H
#define GP_CORE_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/* Allocation: abort the process with a message when memory is exhausted, so callers
 * never handle NULL from these. */
void *gp__xmalloc(size_t n);
void *gp__xcalloc(size_t count, size_t size);
void *gp__xrealloc(void *p, size_t n);
char *gp__xstrdup(const char *s);                  /* NULL in, NULL out */
char *gp__xstrndup(const char *s, size_t n);
char *gp__xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *gp__xvasprintf(const char *fmt, va_list ap);
/* A NULL-terminated array of strings: a deep copy (NULL in, NULL out), freed with
 * gp__strv_free (which accepts NULL). */
char **gp__strv_dup(const char *const *v);
void gp__strv_free(char **v);

/* The work meter of debug builds: bytes allocated or copied by the library (every
 * gp_x* allocation, every gp_buf append, and the copies the streaming path makes
 * itself), counted so that tests can assert that work grows linearly with input
 * without timing anything. Release builds count nothing and gp__work_bytes() is 0. */
#ifdef GP_DEBUG
void gp__work_add(size_t n);
#define GP_WORK(n) gp__work_add((size_t)(n))
#else
#define GP_WORK(n) ((void)0)
#endif
uint64_t gp__work_bytes(void);

/* Clocks. */
int64_t gp__now_ms(void);     /* Unix epoch milliseconds (CLOCK_REALTIME) */
uint64_t gp__mono_ns(void);   /* monotonic nanoseconds */
int64_t gp__mono_ms(void);    /* monotonic milliseconds */
void gp__sleep_ms(int64_t ms);
/* A spin length in µs from the environment variable `name` (for A/B measurements):
 * `def` when unset or empty, else its number when in 1..99999, else 0 (no spin). */
unsigned gp__env_spin_us(const char *name, unsigned def);
struct timespec;
/* *ts = now + ms on `clock` (CLOCK_REALTIME for pthread_cond_timedwait's default). */
void gp__timespec_in(struct timespec *ts, int clock, int64_t ms);

/* A growable string buffer. */
typedef struct gp_buf_s {
  char *data;                /* NUL-terminated, heap; NULL until the first append */
  size_t len;
  size_t cap;
} gp_buf_t;
void gp__buf_append(gp_buf_t *b, const char *s, size_t n);
void gp__buf_puts(gp_buf_t *b, const char *s);
void gp__buf_printf(gp_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *gp__buf_steal(gp_buf_t *b);  /* the string (never NULL); the buffer is reset */
void gp__buf_free(gp_buf_t *b);

/* A new error (error.c) from a printf-style message, or `code`'s default message when
 * fmt is NULL: what gp_error_new and gp_error_set (src/turns/error.c) share. */
struct gp_error_s;
struct gp_error_s *gp__error_vnew(int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Flow valves (flow.c): back-pressure shared by one consumer and one producer. The
 * consumer holds the valve while it is behind; the producer checks it per chunk and, when
 * held, stops and waits for a release callback. Refcounted; every function is
 * thread-safe. */
typedef struct gp_flow_s gp_flow_t;
typedef void (*gp_flow_cb)(void *ud);
gp_flow_t *gp__flow_new(void);                /* refcount 1, not held; never NULL */
gp_flow_t *gp__flow_ref(gp_flow_t *f);
void gp__flow_unref(gp_flow_t *f);            /* accepts NULL */
/* Any thread. Holding is one atomic store. Releasing a held valve runs every registered
 * release callback once, on this thread, under the valve's mutex; releasing one that is
 * not held does nothing. The last call wins. */
void gp__flow_set_held(gp_flow_t *f, int on);
/* 1 while held (atomic load, no lock: meant for every chunk). NULL: 0. */
int gp__flow_held(const gp_flow_t *f);
/* Registers `cb`, run at each later release until gp__flow_off; returns its id (> 0).
 * A callback must be short, must not block, and must not release, register on or
 * unregister from the same valve (its mutex is held). */
uint64_t gp__flow_on_release(gp_flow_t *f, gp_flow_cb cb, void *ud);
/* Unregisters callback `id` (0 and unknown ids are ignored). When it returns, the
 * callback is not running and will not run again. Not from inside a callback. */
void gp__flow_off(gp_flow_t *f, uint64_t id);

#ifdef GP_DEBUG
#include <assert.h>
#define GP_ASSERT(x) assert(x)
#else
#define GP_ASSERT(x) ((void)0)
#endif

#endif
