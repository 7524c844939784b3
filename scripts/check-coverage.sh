#!/usr/bin/env bash
# Checks docs/SPEC_COVERAGE.md: every test file it names exists, and every ctest name it
# gives in backquotes is defined in a CMakeLists.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/SPEC_COVERAGE.md
fail=0
while read -r f; do
  [ -e "$f" ] || { echo "check-coverage: $doc names $f, which does not exist"; fail=1; }
done < <(grep -oE '`(tests|examples)/[^` ]+`' "$doc" | tr -d '`' | sed 's/\*$//' | grep -v '\*' | grep -v '/NAME' | sort -u)
# The ctest names: from a configured build when there is one (names made in loops and
# helper functions included), else from the add_test lines.
defined=""
if [ -d build ] && command -v ctest >/dev/null; then
  defined="$(ctest --test-dir build -N 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p')"
fi
while read -r t; do
  if [ -n "$defined" ]; then
    grep -qx "$t" <<<"$defined" ||
      { echo "check-coverage: $doc names ctest $t, which is not defined"; fail=1; }
  else
    grep -rqE "NAME (${t})[ )]" tests/CMakeLists.txt tests/*.cmake ||
      { echo "check-coverage: $doc names ctest $t, which is not defined"; fail=1; }
  fi
done < <(grep -oE 'ctest `[^`]+`(, `[^`]+`)*' "$doc" | grep -oE '`[a-z_]+`' | tr -d '`' | sort -u)
# test_provider_*.c as a pattern: at least one must exist
ls tests/unit/test_provider_*.c >/dev/null
[ $fail -eq 0 ] && echo "check-coverage: every test named in $doc exists"
exit $fail
