/* Shared pieces of the JSON Schema subset (schema.c validates values, schema_check.c
 * checks schemas): error paths and the `pattern` dialect (local $refs: core/json_ref.h). */
#ifndef GP_TOOLS_SCHEMA_INTERNAL_H
#define GP_TOOLS_SCHEMA_INTERNAL_H

#include <jansson.h>

#include "core/core.h"

/* Appends ".key" or ["key"] to `path`; returns the length to restore with _pop. */
size_t gp__schema_path_key(gp_buf_t *path, const char *key);
void gp__schema_path_pop(gp_buf_t *path, size_t saved);
/* *err = INVALID_ARGUMENT "PATH: REASON" (when err is not NULL); returns the code. */
int gp__schema_fail(gp_error_t **err, const gp_buf_t *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Matches `s` against ECMA-style `pattern` (unanchored search, as JSON Schema says): 1
 * match, 0 no match, -1 a pattern outside the supported dialect (POSIX extended syntax
 * plus \d \w \s and their negations; no lookaround, backreferences or lazy quantifiers). */
int gp__schema_pattern_match(const char *pattern, const char *s);

#endif
