# SIGTERM without a listener: an engine function awaiting with ctx.signal is aborted,
# the run rejects CANCELED, the process exits 143 at once (no 2 s wait).
source "$(dirname "$0")/lib.sh"
start run stream.js function
wait_for '^ENGINE WAITING$'
kill -TERM "$PID"
finish
expect_rc 143
expect_out '^rejected CANCELED'
expect_out '^exit 143$'
expect_ms_below 1500
