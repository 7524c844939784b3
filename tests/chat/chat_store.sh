#!/usr/bin/env bash
# `geppetto chat --store sqlite:PATH --session ID` given on the command line: the
# conversation persists, and a second process with the same id continues it (its request
# carries the first exchange). `/exit` ends the first one at once (the line after it is
# not answered) with status 0.
#   tests/chat/chat_store.sh GEPPETTO   (run under tools/mock/with-mock.sh ... chat.json)
GEPPETTO="$1"
. "$(dirname "$0")/lib.sh"
lacks() { if grep -qF -- "$1" "$work/out"; then fail "the output has '$1'"; fi; }
chat() { "$GEPPETTO" chat --profiles "$profiles" --system "Be brief." --store "sqlite:$work/chat.db" "$@"; }
printf 'hi, my name is Ann\n/exit\nwhat is my name?\n' | chat --session ann >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "the first process: exit status $rc"
has "Hello Ann, nice to meet you."
lacks "Your name is Ann." # the line after /exit, which the mock would answer so
[ -s "$work/chat.db" ] || fail "no store file at $work/chat.db"
printf 'what is my name?\n' | chat --session ann >"$work/out" 2>&1 || fail "the second process failed"
has "Your name is Ann."
echo "chat_store: ok"
