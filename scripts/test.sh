#!/usr/bin/env bash
# Builds geppetto and runs the whole test suite with ctest.
#   scripts/test.sh                 normal Debug build in build/
#   scripts/test.sh thread          ThreadSanitizer build in build-tsan/
#   scripts/test.sh address         AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
case "$mode" in
  "") dir=build; extra=() ;;
  thread) dir=build-tsan; extra=(-DGEPPETTO_SANITIZE=thread -DGEPPETTO_BUILD_BENCH=OFF) ;;
  address) dir=build-asan; extra=(-DGEPPETTO_SANITIZE=address -DGEPPETTO_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/test.sh [thread|address]" >&2; exit 2 ;;
esac
jobs="$(nproc 2>/dev/null || echo 2)"
# The npm packages of the tests (build-deps/, installed once, shared by every build):
# those tests/js/modules_npm.js loads, and the MCP reference servers and conformance
# suite. Without npm they are skipped with a message (CI requires them).
bash scripts/npm-test-deps.sh || echo "warning: npm test packages not installed; modules_npm skips" >&2
bash scripts/mcp-test-deps.sh || echo "warning: MCP test servers not installed; the MCP tests skip" >&2
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "${extra[@]}" >/dev/null
cmake --build "$dir" -j"$jobs"
ctest --test-dir "$dir" --output-on-failure -j"$jobs"
