# A second signal exits at once: after a first one without listener (a timer pending,
# a loop that never yields), and when the listener of the first one never got it (the
# script's thread is stuck).
source "$(dirname "$0")/lib.sh"
start run busy.js
wait_for '^READY$'
kill -INT "$PID"; sleep 0.1; kill -INT "$PID"
finish
expect_rc 130
expect_ms_below 1000
start run busy.js spin
wait_for '^READY$'
kill -INT "$PID"; sleep 0.1; kill -TERM "$PID"
finish
expect_rc 143
expect_ms_below 1000
start eval 'process.on("SIGINT", () => console.log("never")); console.log("READY"); for (;;) {}'
wait_for '^READY$'
kill -INT "$PID"; sleep 0.1; kill -INT "$PID"
finish
expect_rc 130
expect_ms_below 1000
expect_no_out '^never$'
