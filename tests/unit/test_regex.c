/* Tests for the ECMAScript pattern matcher of JSON Schema `pattern` (src/tools/regex.c):
 * each construct matches and fails as in JavaScript's RegExp.prototype.test, over code
 * points; zod's email, datetime, uuid, ipv6, duration and base64 patterns; syntax errors;
 * a catastrophic pattern stops at its step budget instead of hanging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "testutil.h"
#include "tools/regex.h"

/* test(pattern, subject) must answer `want` (1, 0 or -1). */
static void expect(const char *pattern, const char *subject, int want) {
  char why[160];
  gp_regex_t *re = gp__regex_compile(pattern, why, sizeof why);
  if (!re) fail_msg("/%s/ did not compile: %s", pattern, why);
  int got = gp__regex_test(re, subject, strlen(subject));
  gp__regex_free(re);
  if (got != want) fail_msg("/%s/.test(\"%s\") = %d, expected %d", pattern, subject, got, want);
}
#define YES(p, s) expect(p, s, 1)
#define NO(p, s) expect(p, s, 0)

/* `pattern` must not compile, with `want` in the reason. */
static void bad(const char *pattern, const char *want) {
  char why[160];
  gp_regex_t *re = gp__regex_compile(pattern, why, sizeof why);
  if (re) {
    gp__regex_free(re);
    fail_msg("/%s/ compiled, expected an error", pattern);
  }
  if (!strstr(why, want)) fail_msg("/%s/: error '%s' does not say '%s'", pattern, why, want);
}

static void test_literals_and_search(void **state) {
  (void)state;
  YES("b", "abc");
  NO("d", "abc");
  YES("^abc$", "abc");
  NO("^ab$", "abc");
  YES("", "");
  YES("a.c", "abc");
  NO("a.c", "a\nc");
  YES("a\\.c", "a.c");
  NO("a\\.c", "abc");
  YES("\\/\\$\\^\\(\\)", "/$^()");
  YES("a|b", "xb");
  YES("^(?:ab|cd)+$", "abcdab");
  NO("^(?:ab|cd)+$", "abce");
  YES("^a(?:)b$", "ab");
}

static void test_classes(void **state) {
  (void)state;
  YES("^[a-c]+$", "abcabc");
  NO("^[a-c]+$", "abd");
  YES("^[^a-c]+$", "xyz");
  NO("^[^a-c]$", "b");
  YES("^[a\\-z]+$", "a-z"); /* \- is a hyphen, not a range */
  NO("^[a\\-z]$", "m");
  YES("^[-a]+$", "-a");
  YES("^[a-]+$", "-a");
  YES("^[\\d.]+$", "1.5");
  YES("^[\\s\\S]+$", "any\nthing");
  YES("^\\d{3}-\\w+$", "123-ab_c");
  NO("^\\d{3}$", "12a");
  YES("^\\D\\W\\S$", "a-b");
  NO("^\\D$", "5");
  YES("^\\S+\\s\\S+$", "a b");
  YES("^\\s$", "\xe2\x80\xa8"); /* U+2028 is a line terminator, hence white space */
  NO("[]", "a");
  YES("^[^]$", "\n");
  YES("^[\\]]$", "]");
  YES("^[\\b]$", "\b");
}

static void test_code_points(void **state) {
  (void)state;
  YES("^.{1,3}$", "\xc3\xa9t\xc3\xa9"); /* "été": three characters, five bytes */
  NO("^.{4}$", "\xc3\xa9t\xc3\xa9");
  YES("^[\xc3\xa0-\xc3\xbf]+$", "\xc3\xa9\xc3\xa8");
  YES("^\\u00e9$", "\xc3\xa9");
  YES("^\\u{1F600}$", "\xf0\x9f\x98\x80");
  YES("^\\uD83D\\uDE00$", "\xf0\x9f\x98\x80"); /* a surrogate pair is one code point */
  YES("^.$", "\xf0\x9f\x98\x80");
  YES("^\\x41\\t$", "A\t");
  YES("^\\p{L}+$", "\xc3\xa9t\xc3\xa9Zo\xce\xbb\xd0\x96\xe4\xb8\xad");
  NO("^\\p{L}+$", "ab1");
  YES("^\\p{Lu}\\p{Ll}+$", "\xc3\x89t\xc3\xa9");
  NO("^\\p{Lu}$", "a");
  YES("^\\p{Nd}+$", "12\xd9\xa3");
  YES("^\\p{N}$", "\xc2\xbd");
  YES("^\\P{L}+$", "123");
  YES("^\\p{P}+$", "!?,\xe2\x80\x94");
  YES("^\\p{General_Category=Letter}$", "x");
  YES("^\\p{Script=Greek}$", "x"); /* not known here: matches any character */
}

static void test_quantifiers(void **state) {
  (void)state;
  YES("^a*$", "");
  YES("^a+$", "aaa");
  NO("^a+$", "");
  YES("^ab?c$", "ac");
  YES("^a{2}$", "aa");
  NO("^a{2}$", "aaa");
  YES("^a{2,}$", "aaaa");
  YES("^a{2,3}$", "aaa");
  NO("^a{2,3}$", "aaaa");
  YES("^a+?b$", "aaab");
  YES("^(a+?)(a*)$", "aaa");
  YES("^<.+?>x$", "<a>b>x");
  YES("^(?:a|ab)(?:c|bcd)(?:d*)$", "abcd");
  YES("^(a*)*$", "aaa"); /* empty iterations stop */
  YES("^(a|b)*c$", "ababc");
  YES("^(?:[a-z]+\\.)*[a-z]+$", "a.bc.def");
  NO("^(?:[a-z]+\\.)*[a-z]+$", "a..b");
  YES("^x{0}$", "");
}

static void test_assertions_and_groups(void **state) {
  (void)state;
  YES("^(?=a)\\w+$", "abc");
  NO("^(?=a)\\w+$", "bc");
  YES("^(?!a)\\w+$", "bc");
  NO("^(?!.*\\.\\.)[a-z.]+$", "a..b");
  YES("(?<=\\$)\\d+", "$42");
  NO("(?<=\\$)\\d+", "42");
  YES("(?<!\\$)\\b\\d+", "42");
  YES("\\bfoo\\b", "a foo b");
  NO("\\bfoo\\b", "afoob");
  YES("\\Boo\\B", "afoob");
  YES("^(a)(b)\\2\\1$", "abba");
  NO("^(a)(b)\\2\\1$", "abab");
  YES("^(?<year>\\d{4})-\\d\\d$", "2024-05");
  YES("^(\\w+) \\1$", "hey hey");
}

/* Patterns zod's z.toJSONSchema() writes (zod 4). */
static void test_zod_patterns(void **state) {
  (void)state;
  const char *email = "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+"
                      "[A-Za-z]{2,}$";
  YES(email, "ada.lovelace+x@example.co.uk");
  NO(email, "not an email");
  NO(email, "a@b");
  NO(email, "a..b@example.com");
  const char *datetime = "^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|"
                         "\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|"
                         "(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z))$";
  YES(datetime, "2024-02-29T12:30:00Z");
  YES(datetime, "2023-12-31T23:59:59.123Z");
  NO(datetime, "2023-02-29T12:30:00Z");
  NO(datetime, "2023-12-31 23:59:59Z");
  const char *uuid = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|"
                     "00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$";
  YES(uuid, "123e4567-e89b-42d3-a456-426614174000");
  YES(uuid, "00000000-0000-0000-0000-000000000000");
  NO(uuid, "123e4567-e89b-92d3-a456-426614174000");
  const char *ipv6 = "^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:"
                     "[0-9a-fA-F]{1,4}|:((:[0-9a-fA-F]{1,4}){1,7}|:))$";
  YES(ipv6, "2001:db8:0:0:0:0:2:1");
  YES(ipv6, "fe80::1");
  YES(ipv6, "::");
  NO(ipv6, "2001:db8::g");
  const char *duration = "^P(?:(\\d+W)|(?!.*W)(?=\\d|T\\d)(\\d+Y)?(\\d+M)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?"
                         "(\\d+([.,]\\d+)?S)?)?)$";
  YES(duration, "P1Y2M3DT4H5M6.5S");
  YES(duration, "P3W");
  NO(duration, "P");
  NO(duration, "PT");
  const char *b64 = "^$|^(?:[0-9a-zA-Z+/]{4})*(?:(?:[0-9a-zA-Z+/]{2}==)|(?:[0-9a-zA-Z+/]{3}=))?$";
  YES(b64, "aGVsbG8=");
  NO(b64, "aGVsbG8");
  const char *emoji = "^(?=[\\s\\S]*[\\p{Extended_Pictographic}\\p{Regional_Indicator}\\u20E3])"
                      "[\\p{Extended_Pictographic}\\p{Emoji_Component}]+$";
  YES(emoji, "\xf0\x9f\x98\x80"); /* unknown properties are accepted */
}

/* A long string through fixed-width repeats: no deep recursion, well within budget. */
static void test_long_subjects(void **state) {
  (void)state;
  size_t n = 200000;
  char *s = malloc(n + 2);
  assert_non_null(s);
  for (size_t i = 0; i < n; i++) s[i] = "AbCd"[i % 4];
  s[n] = 0;
  YES("^(?:[0-9a-zA-Z+/]{4})*$", s);
  YES("^[A-Za-z]+$", s);
  YES("^.*$", s);
  YES("^.*?$", s);
  s[n] = '!', s[n + 1] = 0;
  NO("^[A-Za-z]+$", s);
  free(s);
}

static void test_budget(void **state) {
  (void)state;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  expect("^(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", -1);
  expect("^(a|aa)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", -1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  assert_true(s < 10.0);
  /* nesting beyond the frame limit answers -1 too, never a crash */
  size_t n = 60000;
  char *long_ab = malloc(2 * n + 1);
  assert_non_null(long_ab);
  for (size_t i = 0; i < n; i++) long_ab[2 * i] = 'a', long_ab[2 * i + 1] = i % 2 ? 'b' : 'c';
  long_ab[2 * n] = 0;
  expect("^(?:a[bc]|x+)*$", long_ab, -1);
  free(long_ab);
}

static void test_syntax_errors(void **state) {
  (void)state;
  bad("(a", "unterminated group");
  bad("a)", "unmatched \")\"");
  bad("[a", "unterminated class");
  bad("*a", "nothing to repeat");
  bad("a**", "nothing to repeat");
  bad("^*", "nothing to repeat");
  bad("a{2,1}", "out of order");
  bad("[z-a]", "out of order");
  bad("\\e", "unknown escape");
  bad("\\u12", "bad \\u");
  bad("\\x4", "bad \\x");
  bad("(?<a", "bad group name");
  bad("(?P<a>x)", "unknown group");
  bad("(a)\\2", "does not exist");
  bad("a{", "bad quantifier");
  bad("a}", "lone");
  bad("\\", "ends with a backslash");
  bad("[\\d-z]", "cannot start a range");
  bad("\\k<a>", "named backreferences");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_literals_and_search), GP_TEST(test_classes),
      GP_TEST(test_code_points),         GP_TEST(test_quantifiers),
      GP_TEST(test_assertions_and_groups), GP_TEST(test_zod_patterns),
      GP_TEST(test_long_subjects),       GP_TEST(test_budget),
      GP_TEST(test_syntax_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
