#!/usr/bin/env bash
# Gives a test command a standard input (the script tests' "// stdin..." headers):
#   tests/stdin-wrap.sh file FILE -- COMMAND...   stdin is FILE itself (a regular file)
#   tests/stdin-wrap.sh pipe FILE -- COMMAND...   stdin is a pipe that `cat FILE` writes
#   tests/stdin-wrap.sh open -    -- COMMAND...   stdin is a pipe that stays open, empty,
#                                                 until the command has exited
#   tests/stdin-wrap.sh tty  FILE -- COMMAND...   stdin is a terminal (script(1)) typed
#                                                 FILE's lines; exits 77 without script(1)
# Exits with the command's status.
set -u
mode="$1"; file="$2"; shift 3
case "$mode" in
  file) exec "$@" <"$file" ;;
  pipe)
    cat "$file" | "$@"
    exit "${PIPESTATUS[1]}" ;;
  open)
    exec 3< <(sleep 120)
    holder=$!
    "$@" <&3
    rc=$?
    exec 3<&-
    kill "$holder" 2>/dev/null
    exit "$rc" ;;
  tty)
    command -v script >/dev/null 2>&1 || { echo "script(1) is not installed: skipped" >&2; exit 77; }
    printf -v cmd '%q ' "$@"
    # the terminal echoes what is typed: the command's own output follows on stdout
    # exec: no shell stays in the terminal's process group to take its Ctrl-C
    { cat "$file"; sleep 1; } | script -qefc "exec $cmd" /dev/null
    exit $? ;;
  *) echo "stdin-wrap.sh: unknown mode $mode" >&2; exit 2 ;;
esac
