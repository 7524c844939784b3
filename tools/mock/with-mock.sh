#!/usr/bin/env bash
# Starts geppetto-mock on a free loopback port with the given fixtures, runs a command
# with GEPPETTO_MOCK_URL set to the server's address, stops the server and exits with
# the command's status.
#   tools/mock/with-mock.sh MOCK_BIN FIXTURE... -- COMMAND [ARGS...]
set -euo pipefail
mock="$1"; shift
fixtures=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do fixtures+=("$1"); shift; done
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || { echo "usage: with-mock.sh MOCK_BIN FIXTURE... -- COMMAND [ARGS...]" >&2; exit 2; }
tmp="$(mktemp -d)"
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
: >"$tmp/out" # exists before the server's shell opens it: the poll below may read first
"$mock" --port 0 "${fixtures[@]}" >"$tmp/out" 2>"$tmp/err" &
mock_pid=$!
url=""
for _ in $(seq 1 200); do
  url="$(sed -n 's/^geppetto-mock listening on //p' "$tmp/out")"
  [ -n "$url" ] && break
  kill -0 "$mock_pid" 2>/dev/null || { echo "geppetto-mock failed to start:" >&2; cat "$tmp/err" >&2; exit 1; }
  sleep 0.05
done
[ -n "$url" ] || { echo "geppetto-mock did not start within 10 s" >&2; exit 1; }
export GEPPETTO_MOCK_URL="$url"
set +e
"$@"
rc=$?
set -e
exit $rc
