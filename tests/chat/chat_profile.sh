#!/usr/bin/env bash
# `geppetto chat` takes `system` and `store` from the profile (SPEC §6), and with
# `--session ID` the conversation persists: a second process with the same id continues
# it (the second request carries the first exchange and the profile's system prompt).
#   tests/chat/chat_profile.sh GEPPETTO   (run under tools/mock/with-mock.sh ... chat.json)
GEPPETTO="$1"
. "$(dirname "$0")/lib.sh"
mock_profile "$profiles" 'system: "Be brief."' "store: \"sqlite:$work/chat.db\""
printf 'hi, my name is Ann\n' | "$GEPPETTO" chat --profiles "$profiles" --session ann >"$work/out" 2>&1 ||
  fail "the first process failed"
has "Hello Ann, nice to meet you."
printf 'what is my name?\n' | "$GEPPETTO" chat --profiles "$profiles" --session ann >"$work/out" 2>&1 ||
  fail "the second process failed"
has "Your name is Ann."
cat >"$work/bad.yaml" <<YAML
default: mock
profiles:
  mock: {api_type: openai, model: m, base_url: "$GEPPETTO_MOCK_URL/v1", api_key: k, store: 5}
YAML
printf 'hi\n' | "$GEPPETTO" chat --profiles "$work/bad.yaml" >"$work/out" 2>&1
[ $? -ne 0 ] || fail "a store that is not a string was accepted"
has "store must be a string"
echo "chat_profile: ok"
