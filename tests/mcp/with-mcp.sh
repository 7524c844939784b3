#!/usr/bin/env bash
# Runs one MCP test command (tests/js-mcp/NAME.js) with the reference servers of
# build-deps/mcp (scripts/mcp-test-deps.sh) and the fake server:
#   tests/mcp/with-mcp.sh MOCK_BIN SCRIPT -- COMMAND [ARGS...]
# Exports GP_MCP_EVERYTHING, GP_MCP_FILESYSTEM, GP_MCP_FAKE (server scripts for `node`)
# and GP_MCP_TMP (a fresh folder holding notes.txt, removed afterwards); when SCRIPT has
# a NAME.json beside it, geppetto-mock replays it (GEPPETTO_MOCK_URL). Skips (exit 77)
# when build-deps/mcp is missing, unless GP_TEST_REQUIRE_NPM is set. Afterwards, fails
# if any process the command started (marked through its environment) is still alive,
# or when the command exited 0 without printing "NAME: ok" (a script whose promise never
# settled ends with 0 too).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mock="$1"; script="$2"; shift 3
deps="$root/build-deps/mcp/node_modules/@modelcontextprotocol"
if [ ! -f "$deps/server-everything/dist/index.js" ] || [ ! -f "$deps/server-filesystem/dist/index.js" ]; then
  if [ -n "${GP_TEST_REQUIRE_NPM:-}" ]; then
    echo "build-deps/mcp is missing: run scripts/mcp-test-deps.sh" >&2
    exit 1
  fi
  echo "skipped: build-deps/mcp is missing (scripts/mcp-test-deps.sh installs the MCP servers)"
  exit 77
fi
export GP_MCP_EVERYTHING="$deps/server-everything/dist/index.js"
export GP_MCP_FILESYSTEM="$deps/server-filesystem/dist/index.js"
export GP_MCP_CONFORMANCE="$deps/conformance/dist/index.js"
export GP_MCP_FAKE="$root/tests/mcp/fake_server.mjs"
GP_MCP_TMP="$(mktemp -d)"
export GP_MCP_TMP
printf 'The secret word is marmalade.\n' >"$GP_MCP_TMP/notes.txt"
# A script with a line "// mcp-http: everything" gets server-everything over Streamable
# HTTP on a free loopback port, one with "// mcp-http: fake" the scripted HTTP server
# (tests/mcp/fake_http.mjs): GP_MCP_HTTP_URL is its endpoint, GP_MCP_HTTP_BASE its root.
http_pid=""
stop_http() { if [ -n "$http_pid" ]; then kill "$http_pid" 2>/dev/null; wait "$http_pid" 2>/dev/null; http_pid=""; fi; }
http_kind="$(sed -n 's|^// mcp-http: \([a-z]*\).*|\1|p' "$script" | head -n 1)"
if [ -n "$http_kind" ]; then
  case "$http_kind" in
    everything) http_cmd=(node "$GP_MCP_EVERYTHING" streamableHttp) ;;
    fake) http_cmd=(node "$root/tests/mcp/fake_http.mjs") ;;
    *) echo "unknown mcp-http server: $http_kind" >&2; exit 1 ;;
  esac
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  PORT="$port" "${http_cmd[@]}" >"$GP_MCP_TMP/http.log" 2>&1 &
  http_pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on port" "$GP_MCP_TMP/http.log" && break
    kill -0 "$http_pid" 2>/dev/null || { echo "the $http_kind server (HTTP) did not start:" >&2; cat "$GP_MCP_TMP/http.log" >&2; exit 1; }
    sleep 0.1
  done
  export GP_MCP_HTTP_BASE="http://127.0.0.1:$port"
  export GP_MCP_HTTP_URL="$GP_MCP_HTTP_BASE/mcp"
fi
mark="gp-mcp-$$-$RANDOM"
fixture="${script%.js}.json"
if [ -f "$fixture" ]; then
  GP_MCP_MARK="$mark" bash "$root/tools/mock/with-mock.sh" "$mock" "$fixture" -- "$@" | tee "$GP_MCP_TMP/stdout"
else
  GP_MCP_MARK="$mark" "$@" | tee "$GP_MCP_TMP/stdout"
fi
rc=${PIPESTATUS[0]}
name="$(basename "$script" .js)"
if [ "$rc" -eq 0 ] && ! grep -q "^$name: ok$" "$GP_MCP_TMP/stdout"; then
  echo "the script exited 0 without printing '$name: ok'" >&2
  rc=1
fi
stop_http
left=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  left="$(grep -l "GP_MCP_MARK=$mark" /proc/[0-9]*/environ 2>/dev/null || true)"
  [ -z "$left" ] && break
  sleep 0.3
done
rm -rf "$GP_MCP_TMP"
if [ -n "$left" ]; then
  echo "processes left behind after the script exited:" >&2
  for f in $left; do p="${f#/proc/}"; p="${p%/environ}"; echo "  $p: $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)" >&2; kill -9 "$p" 2>/dev/null; done
  exit 1
fi
exit $rc
