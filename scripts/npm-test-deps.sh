#!/usr/bin/env bash
# Installs the npm packages tests/js/modules_npm.js loads (zod, lodash, uuid, and the
# ES-module-only chalk and nanoid) into build-deps/npm at the repository's root, shared
# by the normal, ThreadSanitizer and AddressSanitizer builds; skipped when that folder
# already holds these versions. Also copies the test's entry module there, so that
# bare names resolve from inside the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-deps/npm
packages=(zod@4.6.7 lodash@4.18.1 uuid@14.0.3 chalk@5.6.2 nanoid@5.1.16)
stamp="$dir/.installed"
want="${packages[*]}"
mkdir -p "$dir"
cp tests/js/fixtures/npm_entry.cjs "$dir/entry.cjs"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "npm test packages: present in $dir"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm-test-deps: npm is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
[ -f "$dir/package.json" ] || echo '{ "name": "geppetto-npm-test-deps", "private": true }' > "$dir/package.json"
timeout 600 npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "${packages[@]}"
echo "$want" > "$stamp"
echo "npm test packages: installed in $dir"
