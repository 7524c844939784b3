#!/usr/bin/env bash
# Runs the client scenarios of the MCP conformance suite against geppetto's client
# (tests/mcp/conformance_client.js) and prints one line per scenario with its checks.
#   tests/mcp/conformance.sh GEPPETTO_BIN [SCENARIO...]
# Without scenarios: initialize, tools_call and sse-retry (lifecycle, tools, Streamable
# HTTP resumption), which must pass, then elicitation-sep1034-client-defaults (a feature
# the client does not claim), reported only. Exit 77 (skipped) when build-deps/mcp is
# missing, unless GP_TEST_REQUIRE_NPM is set.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$1"; shift
conf="$root/build-deps/mcp/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [ ! -f "$conf" ]; then
  if [ -n "${GP_TEST_REQUIRE_NPM:-}" ]; then echo "build-deps/mcp is missing: run scripts/mcp-test-deps.sh" >&2; exit 1; fi
  echo "skipped: build-deps/mcp is missing (scripts/mcp-test-deps.sh installs the conformance suite)"
  exit 77
fi
required=(initialize tools_call sse-retry)
optional=(elicitation-sep1034-client-defaults)
[ $# -gt 0 ] && { required=("$@"); optional=(); }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
run() {
  local scen="$1" must="$2"
  (cd "$work" && node --import "$root/tests/mcp/node20_shim.mjs" "$conf" client --command "$bin run $root/tests/mcp/conformance_client.js" \
     --scenario "$scen" --timeout 60000 >"$work/$scen.out" 2>&1)
  local rc=$?
  local checks crc
  checks="$(sed 's/\x1b\[[0-9;]*m//g' "$work/$scen.out" | grep -E '^(Passed: |  - )' | tr '\n' ' ')"
  grep -q "OVERALL: PASSED" "$work/$scen.out"
  crc=$?
  if [ $rc -eq 0 ] && [ $crc -eq 0 ]; then echo "PASS $scen: $checks"
  else
    echo "FAIL $scen: ${checks:-no checks.json}"
    if [ "$must" = 1 ]; then status=1; tail -30 "$work/$scen.out"; fi
  fi
}
for s in "${required[@]}"; do run "$s" 1; done
for s in "${optional[@]}"; do run "$s" 0; done
exit $status
