# SIGINT without a listener cancels the streaming run (interrupt event, CANCELED with
# the partial turn), lets its handlers run and exits 130 as soon as nothing is pending.
source "$(dirname "$0")/lib.sh"
start run stream.js echo
wait_for '^STREAMING$'
kill -INT "$PID"
finish
expect_rc 130
expect_out '^event interrupt$'
expect_out '^rejected CANCELED partial blocks 2$'
expect_out '^handlers ran, running: false$'
expect_out '^exit 130$'
expect_no_out '^event final$'
expect_ms_below 1500
