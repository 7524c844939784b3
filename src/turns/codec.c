/* The JSON codec of turns and blocks (SPEC §4.1). Encoding gives
 * {id, blocks:[{id, kind, role, payload, metadata?}], metadata?, data?}, leaving out
 * metadata and data when absent or empty. Decoding is strict about types and kinds and
 * names the path of the first offending field; it never modifies its input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/turn.h"
#include "turns/turn_private.h"

/* ---- encoding ------------------------------------------------------------------- */

static int gp__has_content(const json_t *obj) {
  return obj != NULL && !(json_is_object(obj) && json_object_size(obj) == 0);
}

json_t *gp_block_to_json(const gp_block_t *b) {
  json_t *j = json_object();
  json_object_set_new(j, "id", gp__json_text(b->id));
  json_object_set_new(j, "kind", json_string(gp_block_kind_name(b->kind)));
  json_object_set_new(j, "role", gp__json_text(b->role));
  json_object_set_new(j, "payload", b->payload ? json_deep_copy(b->payload) : json_object());
  if (gp__has_content(b->metadata)) json_object_set_new(j, "metadata", json_deep_copy(b->metadata));
  return j;
}

json_t *gp_turn_to_json(const gp_turn_t *t) {
  json_t *j = json_object();
  json_object_set_new(j, "id", gp__json_text(t->id));
  json_t *blocks = json_array();
  for (size_t i = 0; i < t->nblocks; i++) {
    json_array_append_new(blocks, gp_block_to_json(t->blocks[i]));
  }
  json_object_set_new(j, "blocks", blocks);
  if (gp__has_content(t->metadata)) json_object_set_new(j, "metadata", json_deep_copy(t->metadata));
  if (gp__has_content(t->data)) json_object_set_new(j, "data", json_deep_copy(t->data));
  return j;
}

/* ---- decoding ------------------------------------------------------------------- */

/* Reads an optional string field: absent or null -> *out = NULL; a string -> a heap
 * copy; anything else -> INVALID_ARGUMENT naming path+key. */
static int gp__opt_string(const json_t *j, const char *key, const char *path, char **out,
                      gp_error_t **err) {
  *out = NULL;
  json_t *v = json_object_get(j, key);
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_string(v)) {
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%s%s: expected string", path, key);
  }
  *out = gp__xstrdup(json_string_value(v));
  return 0;
}

/* Reads an optional object field: absent or null -> *out = NULL; an object -> a deep
 * copy; anything else -> INVALID_ARGUMENT naming path+key. */
static int gp__opt_object(const json_t *j, const char *key, const char *path, json_t **out,
                      gp_error_t **err) {
  *out = NULL;
  json_t *v = json_object_get(j, key);
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_object(v)) {
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%s%s: expected object", path, key);
  }
  *out = json_deep_copy(v);
  return 0;
}

/* Decodes one block; `path` ("blocks[2]." or "") prefixes error messages. */
static gp_block_t *gp__block_decode(const json_t *j, const char *path, gp_error_t **err) {
  char *id = NULL, *role = NULL;
  json_t *payload = NULL, *metadata = NULL, *p;
  gp_block_kind_t kind;

  if (!json_is_object(j)) {
    /* path is "blocks[i]." or ""; drop the trailing dot for this message. */
    size_t n = strlen(path);
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%.*s%sexpected object",
                 (int)(n ? n - 1 : 0), path, n ? ": " : "");
    return NULL;
  }
  json_t *k = json_object_get(j, "kind");
  if (!json_is_string(k)) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%skind: expected string%s", path,
                 k == NULL ? " (missing)" : "");
    return NULL;
  }
  if (gp_block_kind_parse(json_string_value(k), &kind) != 0) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                 "%skind: unknown block kind \"%.64s\" (expected user, llm_text, tool_call, "
                 "tool_use, system, reasoning or other)",
                 path, json_string_value(k));
    return NULL;
  }
  if (gp__opt_string(j, "id", path, &id, err) != 0) goto fail;
  if (gp__opt_string(j, "role", path, &role, err) != 0) goto fail;
  if (gp__opt_object(j, "metadata", path, &metadata, err) != 0) goto fail;
  p = json_object_get(j, "payload");
  if (p == NULL || json_is_null(p)) {
    payload = json_object();
  } else if (!json_is_object(p)) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%spayload: expected object", path);
    goto fail;
  } else {
    payload = json_deep_copy(p);
  }
  if (gp__block_payload_check(kind, payload, path, err) != 0) goto fail;
  return gp__block_make(kind, id, role, payload, metadata);

fail:
  free(id);
  free(role);
  json_decref(payload);
  json_decref(metadata);
  return NULL;
}

gp_block_t *gp_block_from_json(const json_t *j, gp_error_t **err) {
  return gp__block_decode(j, "", err);
}

gp_turn_t *gp_turn_from_json(const json_t *j, gp_error_t **err) {
  if (!json_is_object(j)) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "turn: expected object");
    return NULL;
  }
  gp_turn_t *t = gp_turn_new();
  char *id = NULL;
  if (gp__opt_string(j, "id", "", &id, err) != 0) goto fail;
  if (id != NULL) {
    free(t->id);
    t->id = id;
  }
  if (gp__opt_object(j, "metadata", "", &t->metadata, err) != 0) goto fail;
  if (gp__opt_object(j, "data", "", &t->data, err) != 0) goto fail;

  json_t *blocks = json_object_get(j, "blocks");
  if (blocks != NULL && !json_is_null(blocks)) {
    if (!json_is_array(blocks)) {
      gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "blocks: expected array");
      goto fail;
    }
    size_t i;
    json_t *bj;
    json_array_foreach(blocks, i, bj) {
      char path[48];
      snprintf(path, sizeof path, "blocks[%zu].", i);
      gp_block_t *b = gp__block_decode(bj, path, err);
      if (b == NULL) goto fail;
      gp_turn_append(t, b);
    }
  }
  return t;

fail:
  gp_turn_free(t);
  return NULL;
}
