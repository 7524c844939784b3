/* Tests for the JSON Schema subset validator and gp_schema_check: each keyword passes
 * and fails, error paths and reasons, type lists, integer vs number, code point
 * lengths and additionalProperties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <geppetto/tool.h>

#include "testutil.h"

static json_t *js(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  if (!j) fail_msg("bad JSON in test: %s (%s)", text, e.text);
  return j;
}

/* Validates value against schema (both JSON text); returns the error message or NULL. */
static char *check(const char *schema, const char *value) {
  json_t *s = js(schema), *v = js(value);
  gp_error_t *err = NULL;
  int rc = gp_schema_validate(s, v, &err);
  char *msg = NULL;
  if (rc) {
    assert_int_equal(rc, GP_ERR_INVALID_ARGUMENT);
    assert_non_null(err);
    assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
    msg = strdup(err->message);
  } else {
    assert_null(err);
  }
  gp_error_free(err);
  json_decref(s);
  json_decref(v);
  return msg;
}

static void expect_ok(const char *schema, const char *value) {
  char *m = check(schema, value);
  if (m) fail_msg("expected %s to pass %s, got: %s", value, schema, m);
}

static void expect_err(const char *schema, const char *value, const char *want) {
  char *m = check(schema, value);
  if (!m) fail_msg("expected %s to fail %s", value, schema);
  if (strcmp(m, want) != 0) fail_msg("error was '%s', expected '%s'", m, want);
  free(m);
}

static void test_type_each(void **state) {
  (void)state;
  expect_ok("{\"type\":\"string\"}", "\"x\"");
  expect_err("{\"type\":\"string\"}", "1", "$: expected string, got integer");
  expect_ok("{\"type\":\"boolean\"}", "true");
  expect_err("{\"type\":\"boolean\"}", "null", "$: expected boolean, got null");
  expect_ok("{\"type\":\"null\"}", "null");
  expect_err("{\"type\":\"null\"}", "false", "$: expected null, got boolean");
  expect_ok("{\"type\":\"object\"}", "{}");
  expect_err("{\"type\":\"object\"}", "[]", "$: expected object, got array");
  expect_ok("{\"type\":\"array\"}", "[1]");
  expect_err("{\"type\":\"array\"}", "{}", "$: expected array, got object");
  expect_ok("{}", "[1, \"x\"]");
  expect_ok("true", "1");
  expect_err("false", "1", "$: no value is allowed here");
}

static void test_integer_vs_number(void **state) {
  (void)state;
  expect_ok("{\"type\":\"number\"}", "1");
  expect_ok("{\"type\":\"number\"}", "1.5");
  expect_ok("{\"type\":\"integer\"}", "3");
  expect_ok("{\"type\":\"integer\"}", "3.0");
  expect_err("{\"type\":\"integer\"}", "3.5", "$: expected integer, got number");
  expect_err("{\"type\":\"number\"}", "\"3\"", "$: expected number, got string");
}

static void test_type_list(void **state) {
  (void)state;
  const char *s = "{\"type\":[\"string\",\"null\"]}";
  expect_ok(s, "\"a\"");
  expect_ok(s, "null");
  expect_err(s, "2", "$: expected string or null, got integer");
}

static void test_enum(void **state) {
  (void)state;
  const char *s = "{\"enum\":[\"a\",2,null]}";
  expect_ok(s, "\"a\"");
  expect_ok(s, "2");
  expect_ok(s, "2.0");
  expect_ok(s, "null");
  expect_err(s, "\"b\"", "$: value is not one of [\"a\",2,null]");
}

static void test_min_max(void **state) {
  (void)state;
  const char *s = "{\"type\":\"number\",\"minimum\":1,\"maximum\":10.5}";
  expect_ok(s, "1");
  expect_ok(s, "10.5");
  expect_err(s, "0", "$: 0 is less than the minimum 1");
  expect_err(s, "11", "$: 11 is greater than the maximum 10.5");
}

static void test_lengths_code_points(void **state) {
  (void)state;
  const char *s = "{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}";
  expect_ok(s, "\"ab\"");
  expect_err(s, "\"a\"", "$: length 1 is less than minLength 2");
  expect_err(s, "\"abcd\"", "$: length 4 is greater than maxLength 3");
  /* "héé" is 3 code points in 5 bytes; "日本語" 3 in 9; an emoji is 1 in 4. */
  expect_ok(s, "\"h\\u00e9\\u00e9\"");
  expect_ok(s, "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"");
  expect_err(s, "\"\xf0\x9f\x98\x80\"", "$: length 1 is less than minLength 2");
  expect_err(s, "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\"",
             "$: length 4 is greater than maxLength 3");
}

static void test_required_and_properties(void **state) {
  (void)state;
  const char *s = "{\"type\":\"object\",\"required\":[\"name\"],"
                  "\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}}}";
  expect_ok(s, "{\"name\":\"x\"}");
  expect_ok(s, "{\"name\":\"x\",\"age\":3,\"other\":true}");
  expect_err(s, "{\"age\":3}", "$.name: required property is missing");
  expect_err(s, "{\"name\":\"x\",\"age\":\"3\"}", "$.age: expected integer, got string");
}

static void test_nested_paths(void **state) {
  (void)state;
  const char *s =
      "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{"
      "\"b\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"c\"],"
      "\"properties\":{\"c\":{\"type\":\"string\"}}}}}}}}";
  expect_ok(s, "{\"a\":{\"b\":[{\"c\":\"x\"},{\"c\":\"y\"}]}}");
  expect_err(s, "{\"a\":{\"b\":[{\"c\":\"x\"},{\"c\":5}]}}", "$.a.b[1].c: expected string, got integer");
  expect_err(s, "{\"a\":{\"b\":[{\"c\":\"x\"},{}]}}", "$.a.b[1].c: required property is missing");
  /* Keys that are not identifiers are quoted. */
  expect_err("{\"properties\":{\"a b\":{\"type\":\"string\"}}}", "{\"a b\":1}",
             "$[\"a b\"]: expected string, got integer");
}

static void test_items(void **state) {
  (void)state;
  const char *s = "{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":0}}";
  expect_ok(s, "[]");
  expect_ok(s, "[0,1,2]");
  expect_err(s, "[0,1,-2]", "$[2]: -2 is less than the minimum 0");
  expect_err("{\"properties\":{\"items\":{\"items\":{\"type\":\"string\"}}}}",
             "{\"items\":[\"a\",\"b\",3]}", "$.items[2]: expected string, got integer");
}

static void test_additional_properties(void **state) {
  (void)state;
  const char *closed = "{\"properties\":{\"a\":{}},\"additionalProperties\":false}";
  expect_ok(closed, "{\"a\":1}");
  expect_err(closed, "{\"a\":1,\"b\":2}", "$.b: additional property is not allowed");
  const char *typed = "{\"properties\":{\"a\":{}},\"additionalProperties\":{\"type\":\"number\"}}";
  expect_ok(typed, "{\"a\":\"s\",\"b\":2}");
  expect_err(typed, "{\"a\":\"s\",\"b\":\"2\"}", "$.b: expected number, got string");
  expect_ok("{\"additionalProperties\":true}", "{\"z\":1}");
}

static void test_null_schema_and_value(void **state) {
  (void)state;
  gp_error_t *err = NULL;
  json_t *v = js("[1]");
  assert_int_equal(gp_schema_validate(NULL, v, &err), 0);
  assert_null(err);
  json_t *s = js("{\"type\":\"null\"}");
  assert_int_equal(gp_schema_validate(s, NULL, &err), 0);
  json_decref(s);
  s = js("{\"type\":\"object\"}");
  assert_int_equal(gp_schema_validate(s, NULL, NULL), GP_ERR_INVALID_ARGUMENT);
  json_decref(s);
  json_decref(v);
}

/* gp_schema_check: returns the message for schema text, or NULL when it is valid. */
static char *schema_check(const char *schema) {
  json_t *s = js(schema);
  gp_error_t *err = NULL;
  int rc = gp_schema_check(s, &err);
  json_decref(s);
  if (!rc) {
    assert_null(err);
    return NULL;
  }
  assert_int_equal(rc, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(err);
  char *m = strdup(err->message);
  gp_error_free(err);
  return m;
}

static void expect_check_err(const char *schema, const char *prefix) {
  char *m = schema_check(schema);
  if (!m) fail_msg("expected schema %s to be rejected", schema);
  if (strncmp(m, prefix, strlen(prefix)) != 0) fail_msg("error '%s' does not start with '%s'", m, prefix);
  free(m);
}

static void test_schema_check(void **state) {
  (void)state;
  assert_null(schema_check("{\"type\":\"object\",\"description\":\"d\",\"properties\":{"
                           "\"a\":{\"type\":[\"string\",\"null\"],\"enum\":[\"x\",null],"
                           "\"minLength\":1,\"maxLength\":2}},\"required\":[\"a\"],"
                           "\"additionalProperties\":false}"));
  assert_null(schema_check("{\"items\":{\"minimum\":1.5,\"maximum\":2}}"));
  assert_null(schema_check("{\"additionalProperties\":{\"type\":\"string\"}}"));
  assert_int_equal(gp_schema_check(NULL, NULL), 0);
  expect_check_err("{\"type\":5}", "$.type: ");
  expect_check_err("{\"type\":\"str\"}", "$.type: ");
  expect_check_err("{\"type\":[]}", "$.type: ");
  expect_check_err("{\"type\":[\"string\",1]}", "$.type: ");
  expect_check_err("{\"required\":\"x\"}", "$.required: ");
  expect_check_err("{\"required\":[1]}", "$.required: ");
  expect_check_err("{\"enum\":{}}", "$.enum: ");
  expect_check_err("{\"minimum\":\"1\"}", "$.minimum: ");
  expect_check_err("{\"maxLength\":-1}", "$.maxLength: ");
  expect_check_err("{\"minLength\":1.5}", "$.minLength: ");
  expect_check_err("{\"properties\":[]}", "$.properties: ");
  expect_check_err("{\"additionalProperties\":3}", "$.additionalProperties: ");
  expect_check_err("{\"properties\":{\"a\":{\"items\":{\"type\":7}}}}", "$.properties.a.items.type: ");
  expect_check_err("[]", "$: ");
}

/* JSON text written with ' for " (the tests below read better that way); heap. */
static char *q(const char *t) {
  char *s = strdup(t);
  for (char *p = s; *p; p++)
    if (*p == '\'') *p = '"';
  return s;
}

static void ok_q(const char *schema, const char *value) {
  char *s = q(schema), *v = q(value);
  expect_ok(s, v);
  free(s);
  free(v);
}

static void err_q(const char *schema, const char *value, const char *want) {
  char *s = q(schema), *v = q(value), *w = q(want);
  expect_err(s, v, w);
  free(s);
  free(v);
  free(w);
}

static void test_const_and_items_bounds(void **state) {
  (void)state;
  ok_q("{'const':'a'}", "'a'");
  ok_q("{'const':1}", "1.0");
  ok_q("{'const':{'a':[1,2]}}", "{'a':[1,2.0]}");
  err_q("{'const':'a'}", "'b'", "$: value must be 'a'");
  err_q("{'const':null}", "0", "$: value must be null");
  ok_q("{'minItems':1,'maxItems':2}", "[1]");
  err_q("{'minItems':1}", "[]", "$: item count 0 is less than minItems 1");
  err_q("{'properties':{'t':{'maxItems':2}}}", "{'t':[1,2,3]}",
        "$.t: item count 3 is greater than maxItems 2");
}

static void test_pattern(void **state) {
  (void)state;
  ok_q("{'pattern':'^[a-z]+$'}", "'abc'");
  ok_q("{'pattern':'b'}", "'abc'"); /* unanchored search */
  err_q("{'pattern':'^[a-z]+$'}", "'ab1'", "$: string does not match the pattern ^[a-z]+$");
  ok_q("{'pattern':'^\\\\d{3}-\\\\w+$'}", "'123-ab_c'");
  err_q("{'pattern':'^\\\\d{3}$'}", "'12a'", "$: string does not match the pattern ^\\d{3}$");
  ok_q("{'pattern':'^[\\\\d.]+$'}", "'1.5'");
  ok_q("{'pattern':'^\\\\S+\\\\s\\\\S+$'}", "'a b'");
  ok_q("{'pattern':'x'}", "5"); /* pattern applies to strings only */
  ok_q("{'pattern':'^(?:[a-z]+\\\\.)*(?=\\\\w)\\\\p{L}+?$'}", "'ab.z\u00e9t\u00e9'"); /* ECMAScript syntax */
  ok_q("{'pattern':'^.{1,3}$'}", "'\u00e9t\u00e9'"); /* characters, not bytes */
  err_q("{'pattern':'^[a\\\\-z]$'}", "'m'", "$: string does not match the pattern ^[a\\-z]$");
  err_q("{'pattern':'^(a+)+$'}", "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab'",
        "$: pattern ^(a+)+$ needs more than 10000000 backtracking steps on this string; simplify the pattern "
        "(nested quantifiers such as (a+)+ backtrack exponentially)");
}

static void test_any_one_all_of(void **state) {
  (void)state;
  const char *s = "{'anyOf':[{'type':'string'},{'type':'integer','minimum':0}]}";
  ok_q(s, "'x'");
  ok_q(s, "3");
  err_q(s, "-1", "$: value matches none of the anyOf schemas (the first says: $: expected "
        "string, got integer)");
  const char *o = "{'oneOf':[{'type':'integer'},{'type':'number'}]}";
  ok_q(o, "1.5");
  err_q(o, "2", "$: value matches 2 of the oneOf schemas; exactly one must match");
  err_q(o, "'s'", "$: value matches none of the oneOf schemas (the first says: $: expected "
        "integer, got string)");
  err_q("{'allOf':[{'type':'integer'},{'maximum':3}]}", "4", "$: 4 is greater than the maximum 3");
  err_q("{'properties':{'v':{'anyOf':[{'type':'null'},{'const':1}]}}}", "{'v':2}",
        "$.v: value matches none of the anyOf schemas (the first says: $.v: expected null, got "
        "integer)");
}

static void test_ref_defs_nullable(void **state) {
  (void)state;
  const char *tree = "{'$defs':{'node':{'type':'object','properties':{'v':{'type':'integer'},"
                     "'kids':{'type':'array','items':{'$ref':'#/$defs/node'}}},'required':['v']}},"
                     "'$ref':'#/$defs/node'}";
  ok_q(tree, "{'v':1,'kids':[{'v':2,'kids':[{'v':3}]}]}");
  err_q(tree, "{'v':1,'kids':[{'v':2,'kids':[{}]}]}", "$.kids[0].kids[0].v: required property is missing");
  ok_q("{'definitions':{'s':{'type':'string'}},'items':{'$ref':'#/definitions/s'}}", "['a']");
  err_q("{'$defs':{'l':{'$ref':'#/$defs/l'}},'$ref':'#/$defs/l'}", "1",
        "$: the schema nests deeper than 128 levels ($ref loop?)");
  ok_q("{'type':['string','null']}", "null");
  ok_q("{'type':'string','nullable':true}", "null");
  err_q("{'type':'string','nullable':false}", "null", "$: expected string, got null");
}

static void test_schema_check_keywords(void **state) {
  (void)state;
  char *s = q("{'type':'object','properties':{'a':{'type':'string','pattern':'^x','format':'email',"
              "'title':'A','default':'x'},'b':{'anyOf':[{'$ref':'#/$defs/n'},{'type':'null'}]},"
              "'c':{'type':'array','minItems':1,'maxItems':3,'uniqueItems':true,'items':{'const':1}}},"
              "'required':['a'],'$defs':{'n':{'type':'number'}},'x-extra':1,'$schema':'s'}");
  assert_null(schema_check(s));
  free(s);
  expect_check_err("{\"type\":\"object\",\"requried\":[\"a\"]}",
                   "$.requried: unknown keyword \"requried\"; did you mean \"required\"?");
  expect_check_err("{\"properties\":{\"a\":{\"tpye\":\"string\"}}}",
                   "$.properties.a.tpye: unknown keyword \"tpye\"; did you mean \"type\"?");
  expect_check_err("{\"zzzzzzzz\":1}", "$.zzzzzzzz: unknown keyword \"zzzzzzzz\"");
  expect_check_err("{\"type\":\"strng\"}", "$.type: unknown type \"strng\"");
  expect_check_err("{\"minItems\":-1}", "$.minItems: ");
  expect_check_err("{\"anyOf\":[]}", "$.anyOf: ");
  expect_check_err("{\"oneOf\":[{\"type\":\"x\"}]}", "$.oneOf[0].type: ");
  expect_check_err("{\"$ref\":\"#/$defs/missing\"}", "$.$ref: ");
  expect_check_err("{\"$ref\":\"http://example.com/s\"}", "$.$ref: ");
  expect_check_err("{\"pattern\":\"a**\"}", "$.pattern: \"a**\" is not a valid regular expression: nothing to repeat");
  expect_check_err("{\"pattern\":\"(a\"}", "$.pattern: ");
  expect_check_err("{\"$defs\":{\"a\":{\"type\":1}}}", "$.$defs.a.type: ");
}

static void test_tool_names(void **state) {
  (void)state;
  gp_error_t *err = NULL;
  assert_int_equal(gp_tool_name_check("get_weather-2", NULL), 0);
  char long_ok[65], long_bad[66];
  memset(long_ok, 'a', 64);
  long_ok[64] = 0;
  memset(long_bad, 'a', 65);
  long_bad[65] = 0;
  assert_int_equal(gp_tool_name_check(long_ok, NULL), 0);
  assert_int_equal(gp_tool_name_check(long_bad, NULL), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_tool_name_check("", NULL), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_tool_name_check("a.b", NULL), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(gp_tool_name_check("get weather", &err), GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "\"get weather\" must match ^[a-zA-Z0-9_-]{1,64}$"));
  gp_error_free(err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_type_each),        GP_TEST(test_integer_vs_number),
      GP_TEST(test_type_list),        GP_TEST(test_enum),
      GP_TEST(test_min_max),          GP_TEST(test_lengths_code_points),
      GP_TEST(test_required_and_properties), GP_TEST(test_nested_paths),
      GP_TEST(test_items),            GP_TEST(test_additional_properties),
      GP_TEST(test_null_schema_and_value), GP_TEST(test_schema_check),
      GP_TEST(test_const_and_items_bounds), GP_TEST(test_pattern),
      GP_TEST(test_any_one_all_of),   GP_TEST(test_ref_defs_nullable),
      GP_TEST(test_schema_check_keywords), GP_TEST(test_tool_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
