#!/usr/bin/env bash
# Runs a test command with a time limit; a command that overruns it is a hang, and a
# hang is only worth reporting with the stacks of every thread at that moment: they are
# printed to stderr (gdb, when installed) and kept in $GP_HANG_DIR, then the command is
# killed and the guard exits 124.
#   tests/hang-guard.sh SECONDS COMMAND [ARGS...]
# The limit is set a little under the test's own ctest TIMEOUT, so ctest sees the
# failure and its output instead of killing the guard first.
set -uo pipefail
limit="$1"; shift
"$@" &
pid=$!
# Polled, not a background timer: nothing of the guard outlives the command (ctest
# waits for every process holding the test's output).
end=$((SECONDS + limit))
while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.05; done
if ! kill -0 "$pid" 2>/dev/null; then
  wait "$pid"
  exit $?
fi
report="$(mktemp)"
{
  echo "hang-guard: '$*' still running after ${limit} s (pid $pid); the stacks of its threads:"
  if command -v gdb >/dev/null 2>&1; then
    gdb -p "$pid" -batch -nx -ex "set pagination off" -ex "thread apply all bt" 2>&1 |
      grep -E '^(Thread|#)' || echo "(gdb could not attach)"
  else
    echo "(gdb is not installed: no stacks)"
  fi
} >"$report"
cat "$report" >&2
if [ -n "${GP_HANG_DIR:-}" ]; then
  mkdir -p "$GP_HANG_DIR"
  name="$(basename "$1")"
  for a in "$@"; do case "$a" in *.js) name="$(basename "$a" .js)"; break ;; esac; done
  cp "$report" "$GP_HANG_DIR/$name-$pid.txt"
fi
rm -f "$report"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit 124
