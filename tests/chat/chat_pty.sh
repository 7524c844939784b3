#!/usr/bin/env bash
# `geppetto chat` on a terminal (a pseudo-terminal from script(1)): the answer streams,
# Ctrl-C during it cancels that answer ("[interrupted]"; the partial text stays in the
# conversation, so the next request carries it), end of input (Ctrl-D) exits 0, and
# Ctrl-C at the prompt exits 130.
#   tests/chat/chat_pty.sh GEPPETTO   (run under tools/mock/with-mock.sh ... chat.json)
GEPPETTO="$1"
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "chat_pty: script(1) is missing (util-linux)"; exit 1; }
# exec: the shell script(1) starts (SHELL, else /bin/sh) must not stay in the
# terminal's process group, where Ctrl-C would kill it and make its status 130
cmd="exec $GEPPETTO chat --profiles $profiles"
(sleep 1; printf 'tell me a long story\n'; sleep 1.5; printf '\003'; sleep 1
 printf 'what did you say?\n'; sleep 2; printf '/save %s\n' "$work/conv.json"; sleep 1
 printf '\004'; sleep 1) |
  script -qfec "$cmd" /dev/null >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc after Ctrl-D"
has "Once upon a time"
has "[interrupted]"
has "I was telling a story."
grep -q '"interrupted": true' "$work/conv.json" || fail "the interrupted answer is not marked in the conversation"
grep -q "on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on" "$work/out" &&
  fail "the story was not cut short"
(sleep 1; printf '\003'; sleep 2) | script -qfec "$cmd" /dev/null >"$work/out" 2>&1
rc=$?
[ $rc -eq 130 ] || fail "exit status $rc after Ctrl-C at the prompt (expected 130)"
echo "chat_pty: ok"
