/* Helpers shared by the turns layer's files (turn.c, codec.c) and the events layer:
 * payload validation with path-naming errors and lossless-or-lossy JSON strings.
 * Internal; not part of the public API. */
#ifndef GP_TURNS_TURN_PRIVATE_H
#define GP_TURNS_TURN_PRIVATE_H

#include <jansson.h>

#include "geppetto/turn.h"

/* A JSON string for `s` (NULL: ""). Invalid UTF-8 sequences become U+FFFD, so the
 * result is never NULL and always encodes. New reference. */
json_t *gp__json_text(const char *s);

/* Checks (and completes) `payload` for `kind`: fills tool_call.args ({}) and
 * tool_use.result (null) when missing, drops a null tool_use.error. `path` prefixes
 * error messages ("blocks[2]." or ""). Returns 0 or INVALID_ARGUMENT with *err set
 * (e.g. "blocks[2].payload.text: expected string"). Does not steal `payload`. */
int gp__block_payload_check(gp_block_kind_t kind, json_t *payload, const char *path,
                            gp_error_t **err);

/* A block assembled from parts already checked: steals id, role (heap strings),
 * payload and metadata. */
gp_block_t *gp__block_make(gp_block_kind_t kind, char *id, char *role, json_t *payload,
                           json_t *metadata);

#endif
