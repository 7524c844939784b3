#!/usr/bin/env bash
# `geppetto chat` on a pipe: each line continues the conversation (the second request
# carries the first exchange and the --system prompt), /save writes the conversation,
# /reset starts over, an unknown command is named, end of input exits 0.
#   tests/chat/chat_pipe.sh GEPPETTO   (run under tools/mock/with-mock.sh ... chat.json)
GEPPETTO="$1"
. "$(dirname "$0")/lib.sh"
printf 'hi, my name is Ann\nwhat is my name?\n/save %s\n/frob\n/reset\nwho am I?\n' "$work/conv.json" |
  "$GEPPETTO" chat --profiles "$profiles" --system "Be brief." >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc"
has "Hello Ann, nice to meet you."
has "Your name is Ann."
has "unknown command /frob"
has "[conversation reset]"
has "I do not know yet."
grep -q '"text": "Your name is Ann."' "$work/conv.json" || fail "/save did not write the conversation"
grep -q '"text": "hi, my name is Ann"' "$work/conv.json" || fail "/save lacks the first message"
echo "chat_pipe: ok"
