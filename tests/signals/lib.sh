# Helpers of the signal tests (sourced): start `geppetto run` in the background, wait
# for a marker on its stdout, send signals, check the status and the output.
#   bash tests/signals/sig_NAME.sh GEPPETTO      (run by ctest in tests/signals)
set -u
G="$1"
OUT="$(mktemp)"
ERR="$(mktemp)"
PID=""
trap 'rm -f "$OUT" "$ERR"; [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null' EXIT

fail() {
  echo "FAIL: $*"
  echo "--- stdout:"; cat "$OUT"
  echo "--- stderr:"; cat "$ERR"
  exit 1
}

# start ARGS...: geppetto ARGS in the background (stdin: /dev/null unless redirected
# by the caller through START_STDIN)
start() {
  : >"$OUT" # now: the child truncates only once it runs, and a marker of the previous
  : >"$ERR" # run must not be taken for this one's (a signal would reach it before exec)
  "$G" "$@" <"${START_STDIN:-/dev/null}" >"$OUT" 2>"$ERR" &
  PID=$!
}

# wait_for REGEX [SECONDS]: until a line of stdout matches
wait_for() {
  local end=$((SECONDS + ${2:-10}))
  while [ "$SECONDS" -lt "$end" ]; do
    grep -qE "$1" "$OUT" && return 0
    kill -0 "$PID" 2>/dev/null || { grep -qE "$1" "$OUT" && return 0; fail "exited before printing '$1'"; }
    sleep 0.02
  done
  fail "no '$1' on stdout after ${2:-10} s"
}

# finish [SECONDS]: waits for the process (killing it after SECONDS); sets RC and MS
# (milliseconds from the call to its end)
finish() {
  local t0 end
  t0=$(date +%s%N)
  end=$((SECONDS + ${1:-10}))
  while kill -0 "$PID" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.01; done
  kill -0 "$PID" 2>/dev/null && fail "still running after ${1:-10} s"
  wait "$PID"
  RC=$?
  MS=$((($(date +%s%N) - t0) / 1000000))
  PID=""
}

expect_rc() { [ "$RC" = "$1" ] || fail "exit status $RC, expected $1"; }
expect_out() { grep -qE "$1" "$OUT" || fail "stdout has no line matching '$1'"; }
expect_no_out() { ! grep -qE "$1" "$OUT" || fail "stdout has a line matching '$1'"; }
# Sanitizer builds start slower and ThreadSanitizer sleeps 1 s at exit (atexit_sleep_ms).
SLACK=0
[ -n "${GP_TEST_SANITIZER:-}" ] && SLACK=1500
expect_ms_below() { [ "$MS" -lt $(($1 + SLACK)) ] || fail "took $MS ms, expected under $1 ms (+$SLACK)"; }
expect_ms_above() { [ "$MS" -ge "$1" ] || fail "took $MS ms, expected at least $1 ms"; }
