# Pending work (a timer) after SIGTERM without a listener: the process exits 143 after
# the 2 s grace period; a script stuck in a loop exits 130 after it too.
source "$(dirname "$0")/lib.sh"
start run busy.js
wait_for '^READY$'
kill -TERM "$PID"
finish
expect_rc 143
expect_ms_above 1800
expect_ms_below 3500
start run busy.js spin
wait_for '^READY$'
kill -INT "$PID"
finish
expect_rc 130
expect_ms_above 1800
expect_ms_below 3500
