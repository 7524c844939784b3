/* The JSON nesting bound (json_depth.h): a linear scan of text before jansson parses it,
 * and a bounded walk of values built elsewhere. */
#include "core/json_depth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The scan: depth of [ and { outside strings; *where gets the offset past the limit. */
static size_t gp__text_depth(const char *s, size_t n, size_t max, size_t *where) {
  size_t depth = 0, deepest = 0;
  int in_str = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = 0;
      continue;
    }
    switch (c) {
    case '"': in_str = 1; break;
    case '[': case '{':
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > max) {
          if (where) *where = i;
          return max + 1;
        }
      }
      break;
    case ']': case '}':
      if (depth > 0) depth--;
      break;
    default: break;
    }
  }
  return deepest;
}

size_t gp__json_text_depth(const char *s, size_t n, size_t max) {
  return s ? gp__text_depth(s, n, max, NULL) : 0;
}

static int gp__too_deep(const json_t *j, size_t left) {
  if (json_is_array(j)) {
    if (left == 0) return 1;
    for (size_t i = 0; i < json_array_size(j); i++)
      if (gp__too_deep(json_array_get(j, i), left - 1)) return 1;
    return 0;
  }
  if (json_is_object(j)) {
    if (left == 0) return 1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v) {
      if (gp__too_deep(v, left - 1)) return 1;
    }
  }
  return 0;
}

int gp__json_too_deep(const json_t *j, size_t max) { return j ? gp__too_deep(j, max) : 0; }

void gp__json_release_deep(json_t *j) {
  size_t n = 0, cap = 16;
  json_t **stack = malloc(cap * sizeof *stack);
  if (stack == NULL) abort();
  if (j) stack[n++] = j;
  while (n > 0) {
    json_t *v = stack[--n];
    if (v->refcount > 1 || !(json_is_array(v) || json_is_object(v))) {
      json_decref(v); /* not the last reference, or no children: no recursion */
      continue;
    }
    /* The last reference to a container: keep each child alive on the stack, empty the
     * container (its child references drop without reaching zero), release it. */
    size_t kids = json_is_array(v) ? json_array_size(v) : json_object_size(v);
    if (n + kids > cap) {
      while (n + kids > cap) cap *= 2;
      json_t **grown = realloc(stack, cap * sizeof *stack);
      if (grown == NULL) abort();
      stack = grown;
    }
    if (json_is_array(v)) {
      for (size_t i = 0; i < kids; i++) stack[n++] = json_incref(json_array_get(v, i));
      json_array_clear(v);
    } else {
      const char *k;
      json_t *c;
      json_object_foreach(v, k, c) { stack[n++] = json_incref(c); }
      json_object_clear(v);
    }
    json_decref(v);
  }
  free(stack);
}

json_t *gp__json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err) {
  size_t where = 0;
  if (buf && gp__text_depth(buf, len, GP_JSON_MAX_DEPTH, &where) > GP_JSON_MAX_DEPTH) {
    if (err) {
      memset(err, 0, sizeof *err);
      snprintf(err->text, sizeof err->text, "JSON nests deeper than %d levels (the limit)",
               GP_JSON_MAX_DEPTH);
      snprintf(err->source, sizeof err->source, "<buffer>");
      err->line = -1;
      err->column = -1;
      err->position = (int)where;
    }
    return NULL;
  }
  return json_loadb(buf, len, flags, err);
}

json_t *gp__json_loads(const char *s, size_t flags, json_error_t *err) {
  return gp__json_loadb(s, s ? strlen(s) : 0, flags, err);
}
