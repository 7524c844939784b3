/* Local JSON references inside one document (json_ref.c). */
#ifndef GP_CORE_JSON_REF_H
#define GP_CORE_JSON_REF_H

#include <jansson.h>

/* The value a local reference names inside `root`: "#" (root itself) or a JSON pointer
 * "#/a/b" (~0 and ~1 escapes; array indexes in decimal); NULL when it does not resolve,
 * is not local, or names an anchor ("#name"). Borrowed from `root`. Any thread. */
const json_t *gp__json_resolve_ref(const json_t *root, const char *ref);

#endif
