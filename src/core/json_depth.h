/* A bound on how deeply JSON may nest, kept wherever JSON enters geppetto: provider
 * streams, values from scripts, tool results, seed turns. Nesting costs stack in every
 * recursive walk (jansson's parser, printer and destructor, the schema validator, the
 * codecs), and run threads have 512 KiB: a bounded depth keeps every walk far inside
 * it. Not part of the public API (the limit is documented in the README). */
#ifndef GP_CORE_JSON_DEPTH_H
#define GP_CORE_JSON_DEPTH_H

#include <jansson.h>
#include <stddef.h>

/* The deepest nesting of arrays and objects accepted (a scalar is depth 0, [] is 1). */
#define GP_JSON_MAX_DEPTH 512

/* The deepest nesting of arrays and objects in JSON text s[0..n), counting brackets
 * outside strings (no validation; no recursion). Stops counting once past `max` and
 * returns max + 1. Any thread. */
size_t gp__json_text_depth(const char *s, size_t n, size_t max);

/* 1 when value j nests deeper than max levels, else 0; NULL is 0. Recursion at most
 * max + 1 deep. Any thread. */
int gp__json_too_deep(const json_t *j, size_t max);

/* json_decref without recursion: a value of any depth (one a host built past the bound)
 * is released with an explicit stack instead of jansson's recursive destructor. NULL is
 * ignored. Any thread. */
void gp__json_release_deep(json_t *j);

/* json_loadb with the depth bound: text nesting deeper than GP_JSON_MAX_DEPTH is not
 * handed to jansson and gives NULL with err->text "JSON nests deeper than 512 levels
 * (the limit)" and err->position the byte where the limit was passed. */
json_t *gp__json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);
/* The same for a NUL-terminated string. */
json_t *gp__json_loads(const char *s, size_t flags, json_error_t *err);

#endif
