# SIGINT while a question waits on stdin (a pipe that stays open): without a listener,
# reading stops and the process exits 130 at once, not after the grace period.
source "$(dirname "$0")/lib.sh"
exec 3< <(sleep 60)
holder=$!
START_STDIN=/dev/fd/3 start run prompt.js
exec 3<&-
wait_for '^READY$'
sleep 0.1
kill -INT "$PID"
finish
kill "$holder" 2>/dev/null
expect_rc 130
expect_ms_below 1000
