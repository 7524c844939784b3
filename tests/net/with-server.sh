#!/usr/bin/env bash
# Runs a command with the test HTTP server (tests/net/server.mjs) listening:
#   tests/net/with-server.sh [--] COMMAND [ARGS...]
# exports the server's addresses (GP_TEST_HTTP, GP_TEST_HTTP_ALT, GP_TEST_HTTPS,
# GP_TEST_CERT, GP_TEST_STALL_PORT, GP_TEST_CLOSED_PORT), runs COMMAND, stops the
# server, and exits with COMMAND's status. Proxy variables of the caller's environment
# are dropped (the tests talk to loopback). A test asks for more through its environment
# (a script's "// env:" header):
#   GP_TEST_WITH_PROXY=1   http_proxy and https_proxy point at the server (a forward proxy)
#   GP_TEST_WITH_CERT=1    SSL_CERT_FILE trusts the server's self-signed certificate
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "${1:-}" = "--" ] && shift
tmp="$(mktemp -d)"
node "$here/server.mjs" "$tmp/env" >"$tmp/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 1 300); do
  [ -s "$tmp/env" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "with-server: the test server did not start:" >&2
    cat "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.05
done
if [ ! -s "$tmp/env" ]; then echo "with-server: the test server did not start in 15 s" >&2; exit 1; fi
set -a
# shellcheck disable=SC1091
. "$tmp/env"
set +a
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
if [ "${GP_TEST_WITH_PROXY:-}" = 1 ]; then
  export http_proxy="$GP_TEST_HTTP" https_proxy="$GP_TEST_HTTP"
fi
if [ "${GP_TEST_WITH_CERT:-}" = 1 ]; then export SSL_CERT_FILE="$GP_TEST_CERT"; fi
"$@"
rc=$?
if [ "$rc" -ne 0 ] && [ -s "$tmp/server.log" ]; then
  echo "with-server: server log:" >&2
  tail -20 "$tmp/server.log" >&2
fi
exit "$rc"
