#!/usr/bin/env bash
# `geppetto chat --mcp 'COMMAND ARGS'`, then the profile key `mcp`: the tools of an MCP
# server (the reference server-everything, from build-deps/mcp) are offered to the model,
# which calls `echo`; the answer uses the server's result. Skipped (77) without build-deps/mcp unless
# GP_TEST_REQUIRE_NPM is set.
#   tests/chat/chat_mcp.sh GEPPETTO   (run under tools/mock/with-mock.sh ... chat_mcp.json)
GEPPETTO="$1"
. "$(dirname "$0")/lib.sh"
server="$(cd "$(dirname "$0")/../.." && pwd)/build-deps/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
if [ ! -f "$server" ]; then
  [ -n "${GP_TEST_REQUIRE_NPM:-}" ] && fail "server-everything missing: run scripts/mcp-test-deps.sh"
  echo "chat_mcp: skipped (run scripts/mcp-test-deps.sh)"; exit 77
fi
printf 'use echo\n' | "$GEPPETTO" chat --profiles "$profiles" --mcp "node '$server'" >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc"
has "Calling echo."
has "The server echoed it."
# the same server named by the profile's `mcp` key (SPEC §6) instead of --mcp
mock_profile "$work/mcp.yaml" "mcp: \"node '$server'\""
printf 'use echo\n' | "$GEPPETTO" chat --profiles "$work/mcp.yaml" >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "with the profile's mcp key: exit status $rc"
has "Calling echo."
has "The server echoed it."
echo "chat_mcp: ok"
