/* Local JSON references ("#", "#/a/b/0", with the ~0 ~1 escapes of JSON pointers)
 * resolved inside one document: the $ref of tool schemas (src/tools) and of the schemas
 * the Gemini engine rewrites (src/engines). */
#include "core/json_ref.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

const json_t *gp__json_resolve_ref(const json_t *root, const char *ref) {
  if (!ref || ref[0] != '#') return NULL;
  const json_t *cur = root;
  const char *p = ref + 1;
  if (*p && *p != '/') return NULL; /* "#anchor" is not supported */
  while (*p == '/' && cur) {
    p++;
    size_t n = strcspn(p, "/");
    gp_buf_t tok = {0};
    for (size_t i = 0; i < n; i++) {
      if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
        gp__buf_append(&tok, p[i + 1] == '0' ? "~" : "/", 1);
        i++;
      } else {
        gp__buf_append(&tok, p + i, 1);
      }
    }
    const char *t = tok.data ? tok.data : "";
    if (json_is_object(cur)) {
      cur = json_object_get(cur, t);
    } else if (json_is_array(cur)) {
      char *end;
      unsigned long idx = strtoul(t, &end, 10);
      cur = *t && !*end ? json_array_get(cur, idx) : NULL;
    } else {
      cur = NULL;
    }
    gp__buf_free(&tok);
    p += n;
  }
  return cur;
}
