#!/usr/bin/env bash
# Type-checks the examples against the declarations of the geppetto module
# (types/geppetto.d.ts): `tsc --checkJs` over examples/ and tests/js/api_classes.js (the
# exported classes and `geppetto/chat`), so the declarations cannot drift from what the
# examples use. TypeScript and Node's types come from npm into
# build-deps/ts (installed once, reused by later runs and by every build flavour).
set -euo pipefail
cd "$(dirname "$0")/.."
deps=build-deps/ts
if [ ! -x "$deps/node_modules/.bin/tsc" ]; then
  echo "typecheck: installing typescript and @types/node into $deps"
  mkdir -p "$deps"
  npm install --prefix "$deps" --no-audit --no-fund --silent typescript@5 @types/node@20 >/dev/null
fi
files=(types/geppetto.d.ts examples/js/*.js examples/agent/*.js examples/interactive/*.js
       tests/js/api_classes.js)
"$deps/node_modules/.bin/tsc" --noEmit --allowJs --checkJs --target es2022 --module commonjs \
  --lib es2022,dom,dom.iterable,dom.asynciterable --types node --typeRoots "$deps/node_modules/@types" \
  --skipLibCheck "${files[@]}"
echo "typecheck: ${#files[@]} files check against types/geppetto.d.ts"
