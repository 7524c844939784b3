# Reading a pipe makes its (shared) file description non-blocking; whatever way the
# process ends — process.exit(), a second signal — it is blocking again for the next
# reader of the same pipe.
source "$(dirname "$0")/lib.sh"
flags() { python3 -c "import os,fcntl; print('nonblock' if fcntl.fcntl(0, fcntl.F_GETFL) & os.O_NONBLOCK else 'blocking')"; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
r=$(printf 'a\nb\n' | { "$G" eval 'process.stdin.once("data", () => process.exit(0))'; flags; })
[ "$r" = "blocking" ] || fail "after process.exit(): $r"
r=$( (sleep 1; echo late) | {
  "$G" eval 'process.stdin.on("data", () => {}); setInterval(() => {}, 1000); console.log("READY")' >"$OUT" &
  PID=$!
  wait_for '^READY$' >&2
  kill -INT "$PID"; sleep 0.1; kill -INT "$PID"
  wait "$PID"
  flags
})
[ "$r" = "blocking" ] || fail "after a second SIGINT: $r"
