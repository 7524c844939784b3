/* The incremental JSON parser of structured output (partial_json.c): feed the answer's
 * text in pieces, take snapshots of the value parsed so far. Total cost linear in the
 * answer (see the file). One owner at a time; no locks. */
#ifndef GP_ENGINES_PARTIAL_JSON_H
#define GP_ENGINES_PARTIAL_JSON_H

#include <stddef.h>
#include <jansson.h>

typedef struct gp_pjson_s gp_pjson_t;

gp_pjson_t *gp__pjson_new(void);
void gp__pjson_free(gp_pjson_t *pj); /* accepts NULL */
/* Parses n more bytes: 1 when the value changed since the last snapshot, 0 when not, -1
 * once the text is not JSON (later bytes are ignored; the final validation says why). */
int gp__pjson_feed(gp_pjson_t *pj, const char *p, size_t n);
/* 1 when a snapshot now keeps the copying within its linear budget and shows news. */
int gp__pjson_due(const gp_pjson_t *pj);
/* The value so far (an open string shows its text so far; an unfinished number or
 * literal is left out), new reference; NULL before the value starts. */
json_t *gp__pjson_snapshot(gp_pjson_t *pj);
/* Bytes scanned plus bytes' worth copied by snapshots: the cost the tests count. */
size_t gp__pjson_work(const gp_pjson_t *pj);
int gp__pjson_failed(const gp_pjson_t *pj);

#endif
