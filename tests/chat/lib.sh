# Shared by the `geppetto chat` tests: a profiles file pointing at the geppetto-mock that
# tools/mock/with-mock.sh started (GEPPETTO_MOCK_URL), and a check helper.
#   GEPPETTO=path/to/geppetto  (set by the test's caller)
set -uo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
profiles="$work/profiles.yaml"
# mock_profile FILE ['KEY: VALUE'...]: a profiles file whose default profile is the
# mock's, with the extra keys given (the chat keys: system, store, tools, mcp).
mock_profile() {
  local file="$1" kv
  shift
  {
    printf 'default: mock\nprofiles:\n  mock:\n    api_type: openai\n    model: mock-model\n'
    printf '    base_url: "%s/v1"\n    api_key: mock-key\n' "$GEPPETTO_MOCK_URL"
    for kv in "$@"; do printf '    %s\n' "$kv"; done
  } >"$file"
}
mock_profile "$profiles"
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out" 2>/dev/null; exit 1; }
has() { grep -qF -- "$1" "$work/out" || fail "the output lacks '$1'"; }
