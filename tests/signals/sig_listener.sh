# Listeners of SIGINT/SIGTERM are called, once per signal, and nothing else happens.
source "$(dirname "$0")/lib.sh"
start run listener.js
wait_for '^READY$'
kill -INT "$PID"; wait_for '^got SIGINT 1$'
kill -INT "$PID"; wait_for '^got SIGINT 2$'
kill -TERM "$PID"
finish
expect_rc 0
expect_out '^got SIGTERM$'
expect_out '^exit 0$'
