#!/usr/bin/env bash
# Runs examples/interactive/agent.js offline against geppetto-mock replaying
# fixture.json, in a scratch folder holding notes.txt, with the user's lines piped in:
# a question, "y" to let it read the file, a request to run `ls`, "n" to refuse.
#   examples/interactive/run.sh GEPPETTO GEPPETTO_MOCK
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${GEPPETTO_MOCK_URL:-}" ]; then
  exec "$here/../../tools/mock/with-mock.sh" "$2" "$here/fixture.json" -- "$0" "$@"
fi
gp="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'buy milk, call Bob\n' >"$work/notes.txt"
cat >"$work/profiles.yaml" <<YAML
default: mock
profiles:
  mock: {api_type: openai, model: mock-model, base_url: "$GEPPETTO_MOCK_URL/v1", api_key: mock-key}
YAML
cd "$work"
printf 'what is in notes.txt?\ny\nnow list the files\nn\n' |
  "$gp" run --profiles profiles.yaml "$here/agent.js"
