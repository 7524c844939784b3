# SIGINT during a synchronous run(): the run is canceled from the signal thread, run()
# throws CANCELED, the script goes on and the process exits 130.
source "$(dirname "$0")/lib.sh"
start run sync_run.js
wait_for '^READY$'
sleep 0.2
kill -INT "$PID"
finish
expect_rc 130
expect_out '^run threw CANCELED$'
expect_ms_below 1500
