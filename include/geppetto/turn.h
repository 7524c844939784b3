/* Turns and blocks: the conversation data model (SPEC §4.1).
 *
 * A turn is an ordered list of blocks plus metadata and data (JSON objects). A block has
 * an id, a kind, a role and a kind-specific payload held as a JSON object:
 *   user, system, llm_text, reasoning -> {"text": string}
 *   tool_call                         -> {"id": string, "name": string, "args": any JSON}
 *   tool_use                          -> {"id": string, "result": any JSON, "error"?: string}
 *   other                             -> any JSON object
 * Turns are plain data: not thread-safe, owned by one holder at a time; hand a copy
 * (gp_turn_copy) to another thread rather than sharing. */
#ifndef GEPPETTO_TURN_H
#define GEPPETTO_TURN_H

#include <stddef.h>
#include <jansson.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  GP_BLOCK_USER,
  GP_BLOCK_LLM_TEXT,
  GP_BLOCK_TOOL_CALL,
  GP_BLOCK_TOOL_USE,
  GP_BLOCK_SYSTEM,
  GP_BLOCK_REASONING,
  GP_BLOCK_OTHER,
  GP_BLOCK_KIND_COUNT
} gp_block_kind_t;

typedef struct gp_block_s {
  char *id;               /* heap string, never NULL */
  gp_block_kind_t kind;
  char *role;             /* heap string, never NULL: "user", "assistant", "tool", "system", "" */
  json_t *payload;        /* JSON object of the kind's shape; owned reference */
  json_t *metadata;       /* JSON object or NULL; owned reference */
} gp_block_t;

typedef struct gp_turn_s {
  char *id;               /* heap string, never NULL */
  gp_block_t **blocks;    /* owned blocks, in order */
  size_t nblocks;
  size_t cap;             /* allocated slots in blocks */
  json_t *metadata;       /* JSON object or NULL; owned reference */
  json_t *data;           /* JSON object or NULL; owned reference */
} gp_turn_t;

/* Metadata keys set on a turn after inference. */
#define GP_META_PROVIDER "provider"
#define GP_META_MODEL "model"
#define GP_META_USAGE "usage" /* {inputTokens, outputTokens, cachedTokens?} */
#define GP_META_STOP_REASON "stop_reason"
#define GP_META_SESSION_ID "session_id"
#define GP_META_INFERENCE_ID "inference_id"

/* "user", "llm_text", ...; NULL for a value out of range. */
const char *gp_block_kind_name(gp_block_kind_t kind);
/* Parses a kind name; returns GP_ERR_INVALID_ARGUMENT for an unknown one. */
int gp_block_kind_parse(const char *name, gp_block_kind_t *out);
/* The role a block of this kind gets when none is given. */
const char *gp_block_kind_default_role(gp_block_kind_t kind);

/* A block of `kind`. `id` NULL: a fresh id; `role` NULL: the kind's default role.
 * Steals `payload` (NULL: an empty object). Validates the payload's shape for the kind:
 * on mismatch returns NULL and sets *err (INVALID_ARGUMENT, naming the field), and
 * the payload reference is released. */
gp_block_t *gp_block_new(gp_block_kind_t kind, const char *id, const char *role,
                         json_t *payload, gp_error_t **err);
gp_block_t *gp_block_new_user(const char *text);
gp_block_t *gp_block_new_system(const char *text);
gp_block_t *gp_block_new_assistant(const char *text);   /* llm_text */
gp_block_t *gp_block_new_reasoning(const char *text);
/* Steals `args` (NULL: {}). */
gp_block_t *gp_block_new_tool_call(const char *call_id, const char *name, json_t *args);
/* Steals `result` (NULL: null). `error` NULL when the call succeeded. */
gp_block_t *gp_block_new_tool_use(const char *call_id, json_t *result, const char *error);
gp_block_t *gp_block_copy(const gp_block_t *b);
void gp_block_free(gp_block_t *b);

/* Payload accessors; NULL when the block has no such field. Borrowed pointers. */
const char *gp_block_text(const gp_block_t *b);
const char *gp_block_call_id(const gp_block_t *b);     /* tool_call and tool_use */
const char *gp_block_tool_name(const gp_block_t *b);   /* tool_call */
json_t *gp_block_tool_args(const gp_block_t *b);       /* tool_call */
json_t *gp_block_tool_result(const gp_block_t *b);     /* tool_use */
const char *gp_block_tool_error(const gp_block_t *b);  /* tool_use */
/* Replaces the text of a text-kind block. Returns INVALID_ARGUMENT for other kinds. */
int gp_block_set_text(gp_block_t *b, const char *text);

/* A new empty turn with a fresh id. Never NULL. */
gp_turn_t *gp_turn_new(void);
gp_turn_t *gp_turn_copy(const gp_turn_t *t);
void gp_turn_free(gp_turn_t *t);
/* Appends `b`, taking ownership. */
void gp_turn_append(gp_turn_t *t, gp_block_t *b);
/* Inserts `b` at `index` (<= nblocks), taking ownership. */
void gp_turn_insert(gp_turn_t *t, size_t index, gp_block_t *b);
/* Removes and returns block `index` (the caller owns it). */
gp_block_t *gp_turn_remove(gp_turn_t *t, size_t index);
/* Moves src's contents into dst (dst's old contents are freed) and frees src. */
void gp_turn_replace(gp_turn_t *dst, gp_turn_t *src);
/* Sets metadata[key] = value (steals value), creating the object if needed. */
void gp_turn_set_meta(gp_turn_t *t, const char *key, json_t *value);
/* metadata[key] or NULL; borrowed. */
json_t *gp_turn_get_meta(const gp_turn_t *t, const char *key);
/* The last block of `kind`, or NULL. */
gp_block_t *gp_turn_last_of(const gp_turn_t *t, gp_block_kind_t kind);
/* The tool_use block whose payload id is `call_id`, or NULL. */
gp_block_t *gp_turn_find_tool_use(const gp_turn_t *t, const char *call_id);
/* A call id for a new tool_call of `t`: `want` when it is non-empty and no tool_call or
 * tool_use block of `t` (other than `self`, may be NULL) carries it, else a generated
 * "call_gp" + a number, unique in `t`. Providers may send empty, missing or reused
 * ids; the turn keeps its ids unique so results pair with their call. Heap string. */
char *gp_turn_unique_call_id(const gp_turn_t *t, const gp_block_t *self, const char *want);

/* The JSON encoding of SPEC §4.1: {id, blocks:[{id, kind, role, payload, metadata?}],
 * metadata?, data?}. Returns a new reference. */
json_t *gp_turn_to_json(const gp_turn_t *t);
json_t *gp_block_to_json(const gp_block_t *b);
/* Decodes a turn. Missing ids are generated, a missing role is the kind's default, a
 * missing payload is {} (then validated). An unknown kind, a wrong type or a payload of
 * the wrong shape is INVALID_ARGUMENT naming the path (e.g. "blocks[2].kind: unknown
 * block kind \"foo\""). Returns NULL and sets *err on failure. */
gp_turn_t *gp_turn_from_json(const json_t *j, gp_error_t **err);
gp_block_t *gp_block_from_json(const json_t *j, gp_error_t **err);

/* A fresh random id (UUID v4 text). Heap string, caller frees. */
char *gp_id_new(void);

#ifdef __cplusplus
}
#endif
#endif
