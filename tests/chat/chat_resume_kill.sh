#!/usr/bin/env bash
# A chat killed mid-answer continues where it was (SPEC §4.12, issue 17's "done when"):
# `geppetto chat --session ann --store sqlite:F` answers one line, starts a long answer
# and is killed with SIGKILL in the middle of it. Meanwhile a second chat on the same
# session is told SESSION_BUSY, naming the holder's process and the lease's expiry.
# Restarted at once (no wait for the dead process's 60 s lease: its process is gone), the
# chat continues the conversation: the model sees the finished exchange and not the
# killed one's line, and the stored history holds the finished turns only.
#   tests/chat/chat_resume_kill.sh GEPPETTO   (run under tools/mock/with-mock.sh ... chat_resume_kill.json)
GEPPETTO="$1"
. "$(dirname "$0")/lib.sh"
db="$work/chat.db"
args=(chat --profiles "$profiles" --store "sqlite:$db" --session ann)
chat() { "$GEPPETTO" "${args[@]}"; }
wait_for() { # FILE TEXT: up to 10 s
  for _ in $(seq 100); do grep -qF -- "$2" "$1" && return 0; sleep 0.1; done
  cp "$1" "$work/out"; fail "no '$2' within 10 s"
}

mkfifo "$work/in"
"$GEPPETTO" "${args[@]}" <"$work/in" >"$work/first" 2>&1 & # its own pid, not a subshell's
pid=$!
exec 3>"$work/in"
echo "hi, my name is Ann" >&3
wait_for "$work/first" "Hello Ann, nice to meet you."
echo "tell me a long story" >&3
wait_for "$work/first" "Once upon"

# a second process meanwhile: busy, and told who holds the session
echo "what is my name?" | chat >"$work/out" 2>&1
has "SESSION_BUSY"
has "of process $pid on"
has "expires in"
has "another geppetto is answering in session ann"

kill -KILL "$pid"
wait "$pid" 2>/dev/null
exec 3>&-
grep -q "went on and on and on and on and on and on and on and on and on and on and on and on and on and on" \
  "$work/first" && fail "the long answer finished before the kill"

start=$(date +%s)
printf 'what is my name?\n/save %s\n' "$work/conv.json" | chat >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "the restarted chat exited $rc"
grep -q SESSION_BUSY "$work/out" && fail "the restarted chat waited for the dead process's lease"
has "Your name is Ann."
[ $(( $(date +%s) - start )) -lt 10 ] || fail "the restarted chat took $(( $(date +%s) - start )) s"
cp "$work/conv.json" "$work/out"
has '"text": "hi, my name is Ann"'
has '"text": "Hello Ann, nice to meet you."'
has '"text": "what is my name?"'
has '"text": "Your name is Ann."'
grep -q "long story" "$work/conv.json" && fail "the killed run's line is in the history"
echo "chat_resume_kill: ok"
