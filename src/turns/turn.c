/* Turns and blocks (SPEC §4.1): construction with payload validation, accessors, deep
 * copies, editing a turn's block list, metadata helpers and random ids. The JSON codec
 * lives in codec.c. Turns are plain data: nothing here locks; gp_id_new is thread-safe. */
#include "geppetto/turn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/core.h"
#include "turns/turn_private.h"

/* ---- ids ---------------------------------------------------------------------- */

/* Fills `buf` with random bytes: getrandom(2), else /dev/urandom, else a weak mix of
 * clocks and addresses (only if the kernel refuses both, which it should not). */
static void gp__random_bytes(unsigned char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(buf + got, n - got, 0);
    if (r > 0) {
      got += (size_t)r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (got == n) return;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while (got < n) {
      ssize_t r = read(fd, buf + got, n - got);
      if (r > 0) got += (size_t)r;
      else if (r < 0 && errno == EINTR) continue;
      else break;
    }
    close(fd);
  }
  if (got == n) return;
  uint64_t x = gp__mono_ns() ^ ((uint64_t)gp__now_ms() << 20) ^ (uint64_t)(uintptr_t)buf;
  for (; got < n; got++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    buf[got] = (unsigned char)x;
  }
}

char *gp_id_new(void) {
  unsigned char b[16];
  gp__random_bytes(b, sizeof b);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  char *s = gp__xmalloc(37);
  snprintf(s, 37,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
           b[12], b[13], b[14], b[15]);
  return s;
}

/* ---- JSON strings --------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at `p` (1..4), or 0 if it is not one. */
static size_t gp__utf8_seq_len(const unsigned char *p) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
  else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
  else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
  else return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0; /* also stops at the NUL terminator */
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

json_t *gp__json_text(const char *s) {
  if (s == NULL) s = "";
  json_t *j = json_string(s);
  if (j != NULL) return j;
  /* Invalid UTF-8: replace each bad byte with U+FFFD. */
  gp_buf_t buf = {0};
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    size_t n = gp__utf8_seq_len(p);
    if (n == 0) {
      gp__buf_append(&buf, "\xef\xbf\xbd", 3);
      p++;
    } else {
      gp__buf_append(&buf, (const char *)p, n);
      p += n;
    }
  }
  char *clean = gp__buf_steal(&buf);
  j = json_string(clean);
  free(clean);
  if (j == NULL) abort(); /* out of memory: same policy as gp__xmalloc */
  return j;
}

/* ---- kinds ---------------------------------------------------------------------- */

static const char *const kind_names[GP_BLOCK_KIND_COUNT] = {
    [GP_BLOCK_USER] = "user",           [GP_BLOCK_LLM_TEXT] = "llm_text",
    [GP_BLOCK_TOOL_CALL] = "tool_call", [GP_BLOCK_TOOL_USE] = "tool_use",
    [GP_BLOCK_SYSTEM] = "system",       [GP_BLOCK_REASONING] = "reasoning",
    [GP_BLOCK_OTHER] = "other",
};

static const char *const kind_roles[GP_BLOCK_KIND_COUNT] = {
    [GP_BLOCK_USER] = "user",           [GP_BLOCK_LLM_TEXT] = "assistant",
    [GP_BLOCK_TOOL_CALL] = "assistant", [GP_BLOCK_TOOL_USE] = "tool",
    [GP_BLOCK_SYSTEM] = "system",       [GP_BLOCK_REASONING] = "assistant",
    [GP_BLOCK_OTHER] = "",
};

const char *gp_block_kind_name(gp_block_kind_t kind) {
  if ((int)kind < 0 || kind >= GP_BLOCK_KIND_COUNT) return NULL;
  return kind_names[kind];
}

int gp_block_kind_parse(const char *name, gp_block_kind_t *out) {
  if (name == NULL) return GP_ERR_INVALID_ARGUMENT;
  for (int k = 0; k < GP_BLOCK_KIND_COUNT; k++) {
    if (strcmp(name, kind_names[k]) == 0) {
      if (out) *out = (gp_block_kind_t)k;
      return 0;
    }
  }
  return GP_ERR_INVALID_ARGUMENT;
}

const char *gp_block_kind_default_role(gp_block_kind_t kind) {
  if ((int)kind < 0 || kind >= GP_BLOCK_KIND_COUNT) return "";
  return kind_roles[kind];
}

static int gp__is_text_kind(gp_block_kind_t kind) {
  return kind == GP_BLOCK_USER || kind == GP_BLOCK_SYSTEM || kind == GP_BLOCK_LLM_TEXT ||
         kind == GP_BLOCK_REASONING;
}

/* ---- validation ----------------------------------------------------------------- */

static int gp__need_string(json_t *payload, const char *key, const char *path, gp_error_t **err) {
  json_t *v = json_object_get(payload, key);
  if (!json_is_string(v)) {
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%spayload.%s: expected string%s",
                        path, key, v == NULL ? " (missing)" : "");
  }
  return 0;
}

int gp__block_payload_check(gp_block_kind_t kind, json_t *payload, const char *path,
                            gp_error_t **err) {
  if (path == NULL) path = "";
  if ((int)kind < 0 || kind >= GP_BLOCK_KIND_COUNT) {
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%skind: unknown block kind %d",
                        path, (int)kind);
  }
  if (!json_is_object(payload)) {
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%spayload: expected object", path);
  }
  int rc;
  switch (kind) {
  case GP_BLOCK_TOOL_CALL:
    if ((rc = gp__need_string(payload, "id", path, err)) != 0) return rc;
    if ((rc = gp__need_string(payload, "name", path, err)) != 0) return rc;
    if (json_object_get(payload, "args") == NULL) {
      json_object_set_new(payload, "args", json_object());
    }
    return 0;
  case GP_BLOCK_TOOL_USE: {
    if ((rc = gp__need_string(payload, "id", path, err)) != 0) return rc;
    if (json_object_get(payload, "result") == NULL) {
      json_object_set_new(payload, "result", json_null());
    }
    json_t *e = json_object_get(payload, "error");
    if (json_is_null(e)) {
      json_object_del(payload, "error");
    } else if (e != NULL && !json_is_string(e)) {
      return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%spayload.error: expected string",
                          path);
    }
    return 0;
  }
  case GP_BLOCK_OTHER:
    return 0;
  default:
    return gp__need_string(payload, "text", path, err);
  }
}

/* ---- blocks --------------------------------------------------------------------- */

gp_block_t *gp__block_make(gp_block_kind_t kind, char *id, char *role, json_t *payload,
                           json_t *metadata) {
  gp_block_t *b = gp__xcalloc(1, sizeof *b);
  b->kind = kind;
  b->id = id ? id : gp_id_new();
  b->role = role ? role : gp__xstrdup(gp_block_kind_default_role(kind));
  b->payload = payload ? payload : json_object();
  b->metadata = metadata;
  return b;
}

gp_block_t *gp_block_new(gp_block_kind_t kind, const char *id, const char *role,
                         json_t *payload, gp_error_t **err) {
  if (payload == NULL) payload = json_object();
  if (gp__block_payload_check(kind, payload, "", err) != 0) {
    json_decref(payload);
    return NULL;
  }
  return gp__block_make(kind, id ? gp__xstrdup(id) : NULL, role ? gp__xstrdup(role) : NULL,
                        payload, NULL);
}

static gp_block_t *gp__text_block(gp_block_kind_t kind, const char *text) {
  json_t *p = json_object();
  json_object_set_new(p, "text", gp__json_text(text));
  return gp__block_make(kind, NULL, NULL, p, NULL);
}

gp_block_t *gp_block_new_user(const char *text) { return gp__text_block(GP_BLOCK_USER, text); }
gp_block_t *gp_block_new_system(const char *text) { return gp__text_block(GP_BLOCK_SYSTEM, text); }
gp_block_t *gp_block_new_assistant(const char *text) {
  return gp__text_block(GP_BLOCK_LLM_TEXT, text);
}
gp_block_t *gp_block_new_reasoning(const char *text) {
  return gp__text_block(GP_BLOCK_REASONING, text);
}

gp_block_t *gp_block_new_tool_call(const char *call_id, const char *name, json_t *args) {
  json_t *p = json_object();
  json_object_set_new(p, "id", gp__json_text(call_id));
  json_object_set_new(p, "name", gp__json_text(name));
  json_object_set_new(p, "args", args ? args : json_object());
  return gp__block_make(GP_BLOCK_TOOL_CALL, NULL, NULL, p, NULL);
}

gp_block_t *gp_block_new_tool_use(const char *call_id, json_t *result, const char *error) {
  json_t *p = json_object();
  json_object_set_new(p, "id", gp__json_text(call_id));
  json_object_set_new(p, "result", result ? result : json_null());
  if (error != NULL) json_object_set_new(p, "error", gp__json_text(error));
  return gp__block_make(GP_BLOCK_TOOL_USE, NULL, NULL, p, NULL);
}

gp_block_t *gp_block_copy(const gp_block_t *b) {
  if (b == NULL) return NULL;
  return gp__block_make(b->kind, gp__xstrdup(b->id), gp__xstrdup(b->role),
                        json_deep_copy(b->payload),
                        b->metadata ? json_deep_copy(b->metadata) : NULL);
}

void gp_block_free(gp_block_t *b) {
  if (b == NULL) return;
  free(b->id);
  free(b->role);
  json_decref(b->payload);
  json_decref(b->metadata);
  free(b);
}

/* ---- accessors ------------------------------------------------------------------ */

static const char *gp__payload_str(const gp_block_t *b, const char *key) {
  if (b == NULL) return NULL;
  return json_string_value(json_object_get(b->payload, key));
}

const char *gp_block_text(const gp_block_t *b) {
  return b && gp__is_text_kind(b->kind) ? gp__payload_str(b, "text") : NULL;
}

const char *gp_block_call_id(const gp_block_t *b) {
  if (b == NULL || (b->kind != GP_BLOCK_TOOL_CALL && b->kind != GP_BLOCK_TOOL_USE)) {
    return NULL;
  }
  return gp__payload_str(b, "id");
}

const char *gp_block_tool_name(const gp_block_t *b) {
  return b && b->kind == GP_BLOCK_TOOL_CALL ? gp__payload_str(b, "name") : NULL;
}

json_t *gp_block_tool_args(const gp_block_t *b) {
  return b && b->kind == GP_BLOCK_TOOL_CALL ? json_object_get(b->payload, "args") : NULL;
}

json_t *gp_block_tool_result(const gp_block_t *b) {
  return b && b->kind == GP_BLOCK_TOOL_USE ? json_object_get(b->payload, "result") : NULL;
}

const char *gp_block_tool_error(const gp_block_t *b) {
  return b && b->kind == GP_BLOCK_TOOL_USE ? gp__payload_str(b, "error") : NULL;
}

int gp_block_set_text(gp_block_t *b, const char *text) {
  if (b == NULL || !gp__is_text_kind(b->kind)) return GP_ERR_INVALID_ARGUMENT;
  json_object_set_new(b->payload, "text", gp__json_text(text));
  return 0;
}

/* ---- turns ---------------------------------------------------------------------- */

gp_turn_t *gp_turn_new(void) {
  gp_turn_t *t = gp__xcalloc(1, sizeof *t);
  t->id = gp_id_new();
  return t;
}

static void gp__turn_reserve(gp_turn_t *t, size_t need) {
  if (need <= t->cap) return;
  size_t cap = t->cap ? t->cap * 2 : 4;
  while (cap < need) cap *= 2;
  t->blocks = gp__xrealloc(t->blocks, cap * sizeof *t->blocks);
  t->cap = cap;
}

gp_turn_t *gp_turn_copy(const gp_turn_t *t) {
  if (t == NULL) return NULL;
  gp_turn_t *c = gp__xcalloc(1, sizeof *c);
  c->id = gp__xstrdup(t->id);
  gp__turn_reserve(c, t->nblocks);
  for (size_t i = 0; i < t->nblocks; i++) c->blocks[i] = gp_block_copy(t->blocks[i]);
  c->nblocks = t->nblocks;
  c->metadata = t->metadata ? json_deep_copy(t->metadata) : NULL;
  c->data = t->data ? json_deep_copy(t->data) : NULL;
  return c;
}

/* Frees what the turn holds, not the turn itself. */
static void gp__turn_clear(gp_turn_t *t) {
  for (size_t i = 0; i < t->nblocks; i++) gp_block_free(t->blocks[i]);
  free(t->blocks);
  free(t->id);
  json_decref(t->metadata);
  json_decref(t->data);
  memset(t, 0, sizeof *t);
}

void gp_turn_free(gp_turn_t *t) {
  if (t == NULL) return;
  gp__turn_clear(t);
  free(t);
}

void gp_turn_append(gp_turn_t *t, gp_block_t *b) {
  gp_turn_insert(t, t->nblocks, b);
}

void gp_turn_insert(gp_turn_t *t, size_t index, gp_block_t *b) {
  GP_ASSERT(b != NULL);
  GP_ASSERT(index <= t->nblocks);
  if (b == NULL) return;
  if (index > t->nblocks) index = t->nblocks;
  gp__turn_reserve(t, t->nblocks + 1);
  memmove(t->blocks + index + 1, t->blocks + index,
          (t->nblocks - index) * sizeof *t->blocks);
  t->blocks[index] = b;
  t->nblocks++;
}

gp_block_t *gp_turn_remove(gp_turn_t *t, size_t index) {
  if (t == NULL || index >= t->nblocks) return NULL;
  gp_block_t *b = t->blocks[index];
  memmove(t->blocks + index, t->blocks + index + 1,
          (t->nblocks - index - 1) * sizeof *t->blocks);
  t->nblocks--;
  return b;
}

/* Everything of src moves, its id included: dst becomes src under dst's address. */
void gp_turn_replace(gp_turn_t *dst, gp_turn_t *src) {
  if (dst == NULL || src == NULL || dst == src) return;
  gp__turn_clear(dst);
  *dst = *src;
  free(src);
}

void gp_turn_set_meta(gp_turn_t *t, const char *key, json_t *value) {
  if (t->metadata == NULL || !json_is_object(t->metadata)) {
    json_decref(t->metadata);
    t->metadata = json_object();
  }
  json_object_set_new(t->metadata, key, value ? value : json_null());
}

json_t *gp_turn_get_meta(const gp_turn_t *t, const char *key) {
  if (t == NULL || t->metadata == NULL) return NULL;
  return json_object_get(t->metadata, key);
}

gp_block_t *gp_turn_last_of(const gp_turn_t *t, gp_block_kind_t kind) {
  if (t == NULL) return NULL;
  for (size_t i = t->nblocks; i > 0; i--) {
    if (t->blocks[i - 1]->kind == kind) return t->blocks[i - 1];
  }
  return NULL;
}

gp_block_t *gp_turn_find_tool_use(const gp_turn_t *t, const char *call_id) {
  if (t == NULL || call_id == NULL) return NULL;
  for (size_t i = 0; i < t->nblocks; i++) {
    gp_block_t *b = t->blocks[i];
    if (b->kind != GP_BLOCK_TOOL_USE) continue;
    const char *id = gp_block_call_id(b);
    if (id != NULL && strcmp(id, call_id) == 0) return b;
  }
  return NULL;
}

static int gp__call_id_used(const gp_turn_t *t, const gp_block_t *self, const char *id) {
  for (size_t i = 0; t != NULL && i < t->nblocks; i++) {
    const gp_block_t *b = t->blocks[i];
    GP_WORK(sizeof *t->blocks); /* the work meter counts the blocks visited */
    if (b == self || (b->kind != GP_BLOCK_TOOL_CALL && b->kind != GP_BLOCK_TOOL_USE)) continue;
    const char *bid = gp_block_call_id(b);
    if (bid != NULL && strcmp(bid, id) == 0) return 1;
  }
  return 0;
}

char *gp_turn_unique_call_id(const gp_turn_t *t, const gp_block_t *self, const char *want) {
  if (want != NULL && *want != '\0' && !gp__call_id_used(t, self, want)) return gp__xstrdup(want);
  /* A sequence, not a random id: the same stream gives the same turn every time. */
  for (size_t n = t != NULL ? t->nblocks : 0;; n++) {
    char *id = gp__xasprintf("call_gp%zu", n);
    if (!gp__call_id_used(t, self, id)) return id;
    free(id);
  }
}
