/* Turns and blocks: the JSON codec (round trips, strict decoding with path-naming
 * errors), construction, deep copies and editing helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "geppetto/turn.h"
#include "testutil.h"

/* Encodes, decodes and re-encodes `t`; asserts the two encodings are equal. */
static void assert_round_trip(const gp_turn_t *t) {
  json_t *j1 = gp_turn_to_json(t);
  gp_error_t *err = NULL;
  gp_turn_t *back = gp_turn_from_json(j1, &err);
  assert_null(err);
  assert_non_null(back);
  json_t *j2 = gp_turn_to_json(back);
  if (!json_equal(j1, j2)) {
    char *a = json_dumps(j1, JSON_SORT_KEYS), *b = json_dumps(j2, JSON_SORT_KEYS);
    fail_msg("round trip differs:\n%s\n%s", a, b);
  }
  assert_int_equal(back->nblocks, t->nblocks);
  json_decref(j1);
  json_decref(j2);
  gp_turn_free(back);
}

/* Decodes `text` as a turn, expecting INVALID_ARGUMENT with `needle` in the message. */
static void assert_turn_rejected(const char *text, const char *needle) {
  json_error_t jerr;
  json_t *j = json_loads(text, 0, &jerr);
  assert_non_null(j);
  gp_error_t *err = NULL;
  gp_turn_t *t = gp_turn_from_json(j, &err);
  assert_null(t);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  if (strstr(err->message, needle) == NULL) {
    fail_msg("message \"%s\" lacks \"%s\"", err->message, needle);
  }
  gp_error_free(err);
  json_decref(j);
}

static gp_turn_t *turn_of_all_kinds(void) {
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_system("be brief"));
  gp_turn_append(t, gp_block_new_user("hello \xc3\xa9"));
  gp_turn_append(t, gp_block_new_reasoning("thinking..."));
  gp_turn_append(t, gp_block_new_assistant("hi"));
  gp_turn_append(t, gp_block_new_tool_call(
                        "call_1", "lookup", json_pack("{s:s, s:[i,i,{s:b}]}", "q", "x", "n",
                                                      1, 2, "deep", 1)));
  gp_turn_append(t, gp_block_new_tool_use("call_1", json_pack("{s:i, s:n}", "rows", 3, "z"),
                                          NULL));
  gp_turn_append(t, gp_block_new_tool_use("call_2", NULL, "boom"));
  gp_error_t *err = NULL;
  gp_block_t *other = gp_block_new(GP_BLOCK_OTHER, "oth-1", "custom",
                                   json_pack("{s:s, s:[]}", "anything", "goes", "list"), &err);
  assert_non_null(other);
  other->metadata = json_pack("{s:s}", "source", "test");
  gp_turn_append(t, other);
  gp_turn_set_meta(t, GP_META_MODEL, json_string("m-1"));
  gp_turn_set_meta(t, GP_META_USAGE, json_pack("{s:i, s:i}", "inputTokens", 5, "outputTokens", 7));
  t->data = json_pack("{s:{s:i}}", "app", "k", 1);
  return t;
}

static void test_round_trip_all_kinds(void **state) {
  (void)state;
  gp_turn_t *t = turn_of_all_kinds();
  assert_int_equal(t->nblocks, 8);
  assert_round_trip(t);

  /* Each kind appears with its name and the encoding has metadata and data. */
  json_t *j = gp_turn_to_json(t);
  const char *kinds[] = {"system", "user", "reasoning", "llm_text",
                         "tool_call", "tool_use", "tool_use", "other"};
  json_t *blocks = json_object_get(j, "blocks");
  for (size_t i = 0; i < 8; i++) {
    json_t *b = json_array_get(blocks, i);
    assert_string_equal(json_string_value(json_object_get(b, "kind")), kinds[i]);
    assert_true(json_is_string(json_object_get(b, "id")));
    assert_true(json_is_string(json_object_get(b, "role")));
    assert_true(json_is_object(json_object_get(b, "payload")));
  }
  assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, 3), "role")),
                      "assistant");
  assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, 5), "role")),
                      "tool");
  json_t *meta7 = json_object_get(json_array_get(blocks, 7), "metadata");
  assert_string_equal(json_string_value(json_object_get(meta7, "source")), "test");
  assert_null(json_object_get(json_array_get(blocks, 0), "metadata"));
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "metadata"), "model")),
                      "m-1");
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(json_object_get(j, "data"), "app"), "k")), 1);
  /* Exactly the SPEC keys. */
  assert_int_equal(json_object_size(j), 4);
  json_decref(j);
  gp_turn_free(t);
}

static void test_empty_meta_omitted(void **state) {
  (void)state;
  gp_turn_t *t = gp_turn_new();
  t->metadata = json_object();
  t->data = NULL;
  json_t *j = gp_turn_to_json(t);
  assert_null(json_object_get(j, "metadata"));
  assert_null(json_object_get(j, "data"));
  assert_int_equal(json_array_size(json_object_get(j, "blocks")), 0);
  assert_string_equal(json_string_value(json_object_get(j, "id")), t->id);
  json_decref(j);
  assert_round_trip(t);
  gp_turn_free(t);
}

static void test_nested_json_values_stay_values(void **state) {
  (void)state;
  const char *text =
      "{\"id\":\"t1\",\"blocks\":["
      "{\"id\":\"b1\",\"kind\":\"tool_call\",\"role\":\"assistant\","
      " \"payload\":{\"id\":\"c1\",\"name\":\"f\",\"args\":{\"a\":[1,{\"b\":null}],\"s\":\"x\"}}},"
      "{\"id\":\"b2\",\"kind\":\"tool_use\",\"role\":\"tool\","
      " \"payload\":{\"id\":\"c1\",\"result\":[{\"ok\":true},2.5,\"t\"]}}]}";
  json_t *j = json_loads(text, 0, NULL);
  assert_non_null(j);
  gp_error_t *err = NULL;
  gp_turn_t *t = gp_turn_from_json(j, &err);
  assert_non_null(t);
  assert_string_equal(t->id, "t1");
  json_t *args = gp_block_tool_args(t->blocks[0]);
  assert_true(json_is_object(args));
  assert_true(json_is_array(json_object_get(args, "a")));
  assert_true(json_is_null(json_object_get(json_array_get(json_object_get(args, "a"), 1), "b")));
  json_t *res = gp_block_tool_result(t->blocks[1]);
  assert_true(json_is_array(res));
  assert_true(json_is_true(json_object_get(json_array_get(res, 0), "ok")));
  assert_string_equal(gp_block_call_id(t->blocks[1]), "c1");
  assert_string_equal(gp_block_tool_name(t->blocks[0]), "f");
  assert_null(gp_block_tool_error(t->blocks[1]));
  /* The decoded turn does not share values with the input. */
  assert_ptr_not_equal(args, json_object_get(json_object_get(
                                 json_array_get(json_object_get(j, "blocks"), 0), "payload"),
                             "args"));
  json_t *again = gp_turn_to_json(t);
  assert_true(json_equal(j, again));
  json_decref(again);
  json_decref(j);
  gp_turn_free(t);
}

static void test_unknown_kind_rejected(void **state) {
  (void)state;
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"user\",\"payload\":{\"text\":\"a\"}},"
                       "{\"kind\":\"llm_text\",\"payload\":{\"text\":\"b\"}},"
                       "{\"kind\":\"foo\",\"payload\":{}}]}",
                       "blocks[2].kind: unknown block kind \"foo\"");
  assert_turn_rejected("{\"blocks\":[{\"payload\":{\"text\":\"a\"}}]}", "blocks[0].kind");
  assert_turn_rejected("{\"blocks\":[{\"kind\":7}]}", "blocks[0].kind: expected string");
  json_t *bj = json_pack("{s:s}", "kind", "Other");
  gp_error_t *err = NULL;
  assert_null(gp_block_from_json(bj, &err));
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "unknown block kind \"Other\""));
  gp_error_free(err);
  json_decref(bj);
  gp_block_kind_t k = GP_BLOCK_USER;
  assert_int_equal(gp_block_kind_parse("nope", &k), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(k, GP_BLOCK_USER);
  for (int i = 0; i < GP_BLOCK_KIND_COUNT; i++) {
    assert_int_equal(gp_block_kind_parse(gp_block_kind_name((gp_block_kind_t)i), &k), 0);
    assert_int_equal(k, i);
  }
  assert_null(gp_block_kind_name(GP_BLOCK_KIND_COUNT));
}

static void test_wrong_payload_types(void **state) {
  (void)state;
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"user\",\"payload\":{\"text\":3}}]}",
                       "blocks[0].payload.text: expected string");
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"user\",\"payload\":{\"text\":\"x\"}},"
                       "{\"kind\":\"system\"}]}",
                       "blocks[1].payload.text: expected string");
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"tool_call\",\"payload\":{\"id\":\"c\"}}]}",
                       "blocks[0].payload.name: expected string");
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"tool_call\",\"payload\":{\"id\":1,\"name\":\"n\"}}]}",
                       "blocks[0].payload.id: expected string");
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"tool_use\",\"payload\":{\"result\":1}}]}",
                       "blocks[0].payload.id: expected string");
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"tool_use\",\"payload\":{\"id\":\"c\",\"error\":5}}]}",
                       "blocks[0].payload.error: expected string");
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"other\",\"payload\":[1]}]}",
                       "blocks[0].payload: expected object");
  assert_turn_rejected("{\"blocks\":[{\"kind\":\"user\",\"role\":1,\"payload\":{\"text\":\"x\"}}]}",
                       "blocks[0].role: expected string");
  assert_turn_rejected("{\"blocks\":[3]}", "blocks[0]: expected object");
  assert_turn_rejected("{\"blocks\":{}}", "blocks: expected array");
  assert_turn_rejected("{\"id\":5}", "id: expected string");
  assert_turn_rejected("{\"metadata\":[]}", "metadata: expected object");
  assert_turn_rejected("{\"data\":\"x\"}", "data: expected object");
  gp_error_t *err = NULL;
  json_t *arr = json_array();
  assert_null(gp_turn_from_json(arr, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  gp_error_free(err);
  json_decref(arr);

  /* gp_block_new validates too, and releases the payload on failure. */
  err = NULL;
  assert_null(gp_block_new(GP_BLOCK_LLM_TEXT, NULL, NULL, json_pack("{s:i}", "text", 1), &err));
  assert_non_null(strstr(err->message, "payload.text: expected string"));
  gp_error_free(err);
  err = NULL;
  assert_null(gp_block_new((gp_block_kind_t)42, NULL, NULL, NULL, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  gp_error_free(err);
  /* A NULL err pointer is allowed. */
  assert_null(gp_block_new(GP_BLOCK_TOOL_USE, NULL, NULL, NULL, NULL));
}

static void test_missing_fields_defaulted(void **state) {
  (void)state;
  json_t *j = json_loads("{\"blocks\":[{\"kind\":\"user\",\"payload\":{\"text\":\"a\"}},"
                         "{\"kind\":\"tool_call\",\"payload\":{\"id\":\"c\",\"name\":\"n\"}},"
                         "{\"kind\":\"tool_use\",\"payload\":{\"id\":\"c\",\"error\":null}},"
                         "{\"kind\":\"other\"}]}",
                         0, NULL);
  gp_error_t *err = NULL;
  gp_turn_t *t = gp_turn_from_json(j, &err);
  assert_non_null(t);
  assert_int_equal(strlen(t->id), 36);
  assert_int_equal(t->id[14], '4');
  assert_int_equal(t->nblocks, 4);
  for (size_t i = 0; i < t->nblocks; i++) assert_int_equal(strlen(t->blocks[i]->id), 36);
  assert_string_not_equal(t->blocks[0]->id, t->blocks[1]->id);
  assert_string_equal(t->blocks[0]->role, "user");
  assert_string_equal(t->blocks[1]->role, "assistant");
  assert_string_equal(t->blocks[2]->role, "tool");
  assert_string_equal(t->blocks[3]->role, "");
  assert_true(json_is_object(gp_block_tool_args(t->blocks[1])));
  assert_int_equal(json_object_size(gp_block_tool_args(t->blocks[1])), 0);
  assert_true(json_is_null(gp_block_tool_result(t->blocks[2])));
  assert_null(json_object_get(t->blocks[2]->payload, "error"));
  assert_null(t->metadata);
  assert_null(t->data);
  /* The input was not modified by defaulting. */
  json_t *in_call = json_object_get(json_array_get(json_object_get(j, "blocks"), 1), "payload");
  assert_null(json_object_get(in_call, "args"));
  json_decref(j);
  gp_turn_free(t);

  /* Ids are distinct and well formed. */
  char *a = gp_id_new(), *b = gp_id_new();
  assert_string_not_equal(a, b);
  assert_int_equal(a[8], '-');
  assert_true(strchr("89ab", a[19]) != NULL);
  free(a);
  free(b);
}

static void test_deep_copy_independent(void **state) {
  (void)state;
  gp_turn_t *t = turn_of_all_kinds();
  json_t *before = gp_turn_to_json(t);
  gp_turn_t *c = gp_turn_copy(t);
  json_t *copy_json = gp_turn_to_json(c);
  assert_true(json_equal(before, copy_json));
  json_decref(copy_json);

  /* Mutate every part of the copy. */
  gp_block_set_text(c->blocks[1], "changed");
  json_object_set_new(gp_block_tool_args(c->blocks[4]), "q", json_string("y"));
  json_array_append_new(json_object_get(gp_block_tool_args(c->blocks[4]), "n"), json_integer(9));
  json_object_set_new(c->blocks[7]->metadata, "source", json_string("other"));
  gp_turn_set_meta(c, GP_META_MODEL, json_string("m-2"));
  json_object_set_new(c->data, "more", json_true());
  gp_block_free(gp_turn_remove(c, 0));
  free(c->blocks[0]->id);
  c->blocks[0]->id = strdup("x");

  json_t *after = gp_turn_to_json(t);
  assert_true(json_equal(before, after));
  assert_string_equal(gp_block_text(t->blocks[1]), "hello \xc3\xa9");
  json_decref(before);
  json_decref(after);

  gp_block_t *bc = gp_block_copy(t->blocks[5]);
  assert_string_equal(gp_block_call_id(bc), "call_1");
  assert_ptr_not_equal(bc->payload, t->blocks[5]->payload);
  assert_true(json_equal(bc->payload, t->blocks[5]->payload));
  gp_block_free(bc);
  assert_null(gp_block_copy(NULL));
  gp_block_free(NULL);
  gp_turn_free(NULL);
  gp_turn_free(c);
  gp_turn_free(t);
}

static void test_insert_remove_replace(void **state) {
  (void)state;
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("b"));
  gp_turn_insert(t, 0, gp_block_new_user("a"));
  gp_turn_insert(t, 2, gp_block_new_user("d"));
  gp_turn_insert(t, 2, gp_block_new_user("c"));
  for (int i = 0; i < 20; i++) gp_turn_append(t, gp_block_new_assistant("z")); /* grows */
  assert_int_equal(t->nblocks, 24);
  const char *want[] = {"a", "b", "c", "d"};
  for (size_t i = 0; i < 4; i++) assert_string_equal(gp_block_text(t->blocks[i]), want[i]);

  gp_block_t *b = gp_turn_remove(t, 1);
  assert_string_equal(gp_block_text(b), "b");
  gp_block_free(b);
  assert_int_equal(t->nblocks, 23);
  assert_string_equal(gp_block_text(t->blocks[1]), "c");
  assert_null(gp_turn_remove(t, 23));
  b = gp_turn_remove(t, 22);
  assert_string_equal(gp_block_text(b), "z");
  gp_block_free(b);
  assert_int_equal(t->nblocks, 22);

  gp_turn_t *src = gp_turn_new();
  gp_turn_append(src, gp_block_new_user("only"));
  gp_turn_set_meta(src, GP_META_PROVIDER, json_string("echo"));
  char *src_id = strdup(src->id);
  gp_turn_replace(t, src); /* src is freed */
  assert_int_equal(t->nblocks, 1);
  assert_string_equal(gp_block_text(t->blocks[0]), "only");
  assert_string_equal(t->id, src_id);
  assert_string_equal(json_string_value(gp_turn_get_meta(t, GP_META_PROVIDER)), "echo");
  assert_null(gp_turn_get_meta(t, GP_META_MODEL));
  free(src_id);

  assert_int_equal(gp_block_set_text(t->blocks[0], "new"), 0);
  assert_string_equal(gp_block_text(t->blocks[0]), "new");
  gp_block_t *call = gp_block_new_tool_call("c", "n", NULL);
  assert_int_equal(gp_block_set_text(call, "x"), GP_ERR_INVALID_ARGUMENT);
  assert_null(gp_block_text(call));
  assert_null(gp_block_tool_result(call));
  gp_block_free(call);
  gp_turn_free(t);
}

static void test_find_tool_use_and_last_of(void **state) {
  (void)state;
  gp_turn_t *t = gp_turn_new();
  assert_null(gp_turn_last_of(t, GP_BLOCK_USER));
  gp_turn_append(t, gp_block_new_user("first"));
  gp_turn_append(t, gp_block_new_tool_call("c1", "f", NULL));
  gp_turn_append(t, gp_block_new_tool_call("c2", "g", NULL));
  gp_turn_append(t, gp_block_new_tool_use("c2", json_integer(2), NULL));
  gp_turn_append(t, gp_block_new_user("second"));
  gp_turn_append(t, gp_block_new_tool_use("c1", json_integer(1), NULL));
  gp_turn_append(t, gp_block_new_assistant("done"));

  assert_string_equal(gp_block_text(gp_turn_last_of(t, GP_BLOCK_USER)), "second");
  assert_string_equal(gp_block_call_id(gp_turn_last_of(t, GP_BLOCK_TOOL_CALL)), "c2");
  assert_null(gp_turn_last_of(t, GP_BLOCK_REASONING));
  gp_block_t *u1 = gp_turn_find_tool_use(t, "c1");
  assert_ptr_equal(u1, t->blocks[5]);
  assert_int_equal(json_integer_value(gp_block_tool_result(u1)), 1);
  assert_ptr_equal(gp_turn_find_tool_use(t, "c2"), t->blocks[3]);
  assert_null(gp_turn_find_tool_use(t, "c3"));
  assert_null(gp_turn_find_tool_use(t, NULL));
  gp_turn_free(t);
}

static void test_invalid_utf8_text(void **state) {
  (void)state;
  gp_block_t *b = gp_block_new_user("ok\xff\xc3");
  assert_non_null(gp_block_text(b));
  assert_string_equal(gp_block_text(b), "ok\xef\xbf\xbd\xef\xbf\xbd");
  gp_block_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_round_trip_all_kinds),    GP_TEST(test_empty_meta_omitted),
      GP_TEST(test_nested_json_values_stay_values), GP_TEST(test_unknown_kind_rejected),
      GP_TEST(test_wrong_payload_types),     GP_TEST(test_missing_fields_defaulted),
      GP_TEST(test_deep_copy_independent),   GP_TEST(test_insert_remove_replace),
      GP_TEST(test_find_tool_use_and_last_of), GP_TEST(test_invalid_utf8_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
