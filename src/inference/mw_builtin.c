/* Built-in middlewares, selected by name (SPEC §4.3): "systemPrompt" puts a system
 * block first, "reorderToolResults" places each tool result right after its call, and
 * "turnLogging" logs the turn's shape around the engine. Each is an ordinary
 * gp_middleware_t; the table at the bottom maps names to constructors. */
#include <geppetto/log.h>
#include <geppetto/middleware.h>

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* ---- systemPrompt {prompt} ---- */

/* Makes blocks[0] a system block with the prompt: replaces the text of a leading
 * system block, else inserts one, so repeated iterations never add a second. */
static int gp__system_prompt_run(void *ud, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_next_t *next,
                             gp_error_t **err) {
  const char *prompt = ud;
  if (turn->nblocks > 0 && turn->blocks[0]->kind == GP_BLOCK_SYSTEM) {
    int rc = gp_block_set_text(turn->blocks[0], prompt);
    if (rc != 0) return gp_error_set(err, rc, "systemPrompt: cannot set the system text");
  } else {
    gp_turn_insert(turn, 0, gp_block_new_system(prompt));
  }
  return gp_next(next, turn, err);
}

static gp_middleware_t *gp__system_prompt_new(const json_t *options, gp_error_t **err) {
  json_t *prompt = options ? json_object_get(options, "prompt") : NULL;
  if (!json_is_string(prompt)) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                 "middleware systemPrompt: option \"prompt\" must be a string");
    return NULL;
  }
  return gp_middleware_new("systemPrompt", gp__system_prompt_run,
                           gp__xstrdup(json_string_value(prompt)), free);
}

/* ---- reorderToolResults ---- */

/* Index of the first tool_call block with payload id `id`, or -1. */
static long gp__find_call(const gp_turn_t *turn, const char *id) {
  for (size_t i = 0; id && i < turn->nblocks; i++) {
    const gp_block_t *b = turn->blocks[i];
    if (b->kind == GP_BLOCK_TOOL_CALL) {
      const char *cid = gp_block_call_id(b);
      if (cid && strcmp(cid, id) == 0) return (long)i;
    }
  }
  return -1;
}

/* Rebuilds the block order: every tool_use whose call is in the turn follows that
 * call (results of one call keep their relative order); all else keeps its order. */
static void gp__reorder_tool_results(gp_turn_t *turn) {
  size_t n = turn->nblocks;
  if (n < 2) return;
  long *call_of = gp__xcalloc(n, sizeof *call_of);   /* tool_use i -> its call, or -1 */
  gp_block_t **out = gp__xcalloc(n, sizeof *out);
  for (size_t i = 0; i < n; i++) {
    const gp_block_t *b = turn->blocks[i];
    call_of[i] = b->kind == GP_BLOCK_TOOL_USE ? gp__find_call(turn, gp_block_call_id(b)) : -1;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (call_of[i] >= 0) continue;  /* placed after its call */
    out[k++] = turn->blocks[i];
    for (size_t j = 0; j < n; j++) {
      if (call_of[j] == (long)i) out[k++] = turn->blocks[j];
    }
  }
  GP_ASSERT(k == n);
  memcpy(turn->blocks, out, n * sizeof *out);
  free(out);
  free(call_of);
}

static int gp__reorder_run(void *ud, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_next_t *next,
                       gp_error_t **err) {
  gp__reorder_tool_results(turn);
  return gp_next(next, turn, err);
}

static gp_middleware_t *gp__reorder_new(const json_t *options, gp_error_t **err) {
  return gp_middleware_new("reorderToolResults", gp__reorder_run, NULL, NULL);
}

/* ---- turnLogging ---- */

static void gp__log_turn(const gp_turn_t *turn) {
  if (!gp_log_enabled(GP_LOG_INFO)) return;
  gp_buf_t kinds = {0};
  for (size_t i = 0; i < turn->nblocks; i++) {
    const char *name = gp_block_kind_name(turn->blocks[i]->kind);
    gp__buf_printf(&kinds, "%s%s", i ? ", " : "", name ? name : "?");
  }
  gp_log(GP_LOG_INFO, "middleware", "turn %s: %zu blocks (%s)", turn->id, turn->nblocks,
         kinds.data ? kinds.data : "");
  gp__buf_free(&kinds);
}

static int gp__turn_logging_run(void *ud, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_next_t *next,
                            gp_error_t **err) {
  gp__log_turn(turn);
  int rc = gp_next(next, turn, err);
  gp__log_turn(turn);
  return rc;
}

static gp_middleware_t *gp__turn_logging_new(const json_t *options, gp_error_t **err) {
  return gp_middleware_new("turnLogging", gp__turn_logging_run, NULL, NULL);
}

/* ---- lookup ---- */

static const struct {
  const char *name;
  gp_middleware_t *(*create)(const json_t *options, gp_error_t **err);
} builtins[] = {
    {"systemPrompt", gp__system_prompt_new},
    {"reorderToolResults", gp__reorder_new},
    {"turnLogging", gp__turn_logging_new},
};

const char *gp_middleware_builtin_name(size_t i) {
  return i < sizeof builtins / sizeof builtins[0] ? builtins[i].name : NULL;
}

/* Any thread. `options` is borrowed (NULL or a JSON object). Returns a new middleware
 * (refcount 1), or NULL with *err set (INVALID_ARGUMENT) for an unknown name or bad
 * options. */
gp_middleware_t *gp_middleware_builtin(const char *name, const json_t *options, gp_error_t **err) {
  if (options && !json_is_object(options)) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "middleware %s: options must be an object",
                 name ? name : "(null)");
    return NULL;
  }
  for (size_t i = 0; name && i < sizeof builtins / sizeof builtins[0]; i++) {
    if (strcmp(builtins[i].name, name) == 0) return builtins[i].create(options, err);
  }
  gp_buf_t known = {0};
  for (size_t i = 0; gp_middleware_builtin_name(i); i++)
    gp__buf_printf(&known, "%s%s", i ? ", " : "", gp_middleware_builtin_name(i));
  gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "unknown middleware \"%s\" (known: %s)",
               name ? name : "(null)", known.data ? known.data : "");
  gp__buf_free(&known);
  return NULL;
}
