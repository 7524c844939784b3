# SIGINT during a run streaming from an HTTP provider (geppetto-mock, run under
# tools/mock/with-mock.sh with tests/fixtures/mock/slow.json): without a listener the run
# ends with `interrupt`, CANCELED with the partial text, and the script exits 130; with a
# listener that cancels the run, the same events and the script ends by itself (0).
# Either way no connection to the provider is left open once the run has settled.
source "$(dirname "$0")/lib.sh"
[ -n "${GEPPETTO_MOCK_URL:-}" ] || fail "GEPPETTO_MOCK_URL is not set (run under with-mock.sh)"
PORT="${GEPPETTO_MOCK_URL##*:}"
PORT="${PORT%%/*}"

# no_connection: no established TCP connection of this process to the mock's port
no_connection() {
  local left
  left="$(ss -Htnp state established "( dport = :$PORT )" 2>/dev/null | grep "pid=$PID," || true)"
  [ -z "$left" ] || fail "a connection to the provider is still open: $left"
}

# run_case [listener] EXPECTED_STATUS
run_case() {
  start run stream.js provider "$@"
  wait_for '^STREAMING$'
  # while streaming, the connection is there (so that the check below means something)
  [ -n "$(ss -Htnp state established "( dport = :$PORT )" | grep "pid=$PID,")" ] ||
    fail "no connection to the provider seen while streaming"
  kill -INT "$PID"
  wait_for '^CHECK$'
  no_connection
  finish
  expect_out '^event interrupt$'
  expect_out '^rejected CANCELED partial blocks 2$'
  expect_out '^partial text kept$'
  expect_out '^handlers ran, running: false$'
  expect_no_out '^event final$'
}

run_case
expect_rc 130
expect_out '^exit 130$'
expect_ms_below 1500

run_case listener
expect_rc 0
expect_out '^listener SIGINT cancel true$'
expect_out '^waited$'
expect_out '^exit 0$'
