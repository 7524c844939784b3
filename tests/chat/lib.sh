# Shared by the `geppetto chat` tests: a profiles file pointing at the geppetto-mock that
# tools/mock/with-mock.sh started (GEPPETTO_MOCK_URL), and a check helper.
#   GEPPETTO=path/to/geppetto  (set by the test's caller)
set -uo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
profiles="$work/profiles.yaml"
cat >"$profiles" <<YAML
default: mock
profiles:
  mock: {api_type: openai, model: mock-model, base_url: "$GEPPETTO_MOCK_URL/v1", api_key: mock-key}
YAML
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out" 2>/dev/null; exit 1; }
has() { grep -qF -- "$1" "$work/out" || fail "the output lacks '$1'"; }
