#!/usr/bin/env bash
# Runs examples/agent/agent.js end to end over HTTP against geppetto-mock replaying
# fixture.json, with a throwaway profiles file pointing at the mock. Offline.
#   examples/agent/run.sh GEPPETTO GEPPETTO_MOCK [API_TYPE] [QUESTION]
# API_TYPE: openai (default), claude, openai-responses or gemini — the mock speaks all four.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${GEPPETTO_MOCK_URL:-}" ]; then
  exec "$here/../../tools/mock/with-mock.sh" "$2" "$here/fixture.json" -- "$0" "$@"
fi
gp="$1" api="${3:-openai}"
shift 2; [ $# -gt 0 ] && shift
path=/v1
[ "$api" = gemini ] && path=/v1beta
profiles="$(mktemp)"
trap 'rm -f "$profiles"' EXIT
cat >"$profiles" <<YAML
default: mock
profiles:
  mock: {api_type: $api, model: mock-model, base_url: "$GEPPETTO_MOCK_URL$path", api_key: mock-key}
YAML
"$gp" run --profiles "$profiles" "$here/agent.js" "$@"
