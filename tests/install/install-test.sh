#!/usr/bin/env bash
# What `cmake --install` puts in place works for a C host (SPEC §5): installs the build
# into a temporary prefix, then
#  - builds examples/c/js_host.c and examples/c/agent.c with pkg-config alone and runs them,
#  - builds js_host.c again as a CMake project using find_package(geppetto),
#  - runs the installed `geppetto` command,
#  - checks that the shared library exports only public gp_ functions (no gp__ internals,
#    nothing else), each declared in an installed header,
#  - checks the TypeScript declarations are installed.
#   tests/install/install-test.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
src="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir="$(dirname "$(find "$prefix" -name libgeppetto.so -print -quit)")"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export LD_LIBRARY_PATH="$libdir"

cc -o "$tmp/js_host" "$src/examples/c/js_host.c" $(pkg-config --cflags --libs geppetto)
out="$("$tmp/js_host")"
[ "$out" = "2 + 40 = 42" ] || { echo "js_host printed: $out"; exit 1; }
cc -o "$tmp/agent" "$src/examples/c/agent.c" $(pkg-config --cflags --libs geppetto)
"$tmp/agent" >/dev/null || { echo "the agent example failed"; exit 1; }
echo "pkg-config: js_host and agent built and ran"

mkdir -p "$tmp/cm"
cp "$src/examples/c/js_host.c" "$tmp/cm/"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(host C)
find_package(geppetto 0.1 REQUIRED)
add_executable(js_host js_host.c)
target_link_libraries(js_host PRIVATE geppetto::geppetto)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cm/build" >/dev/null
[ "$("$tmp/cm/build/js_host")" = "2 + 40 = 42" ] || { echo "the find_package host failed"; exit 1; }
echo "find_package(geppetto): built and ran"

[ "$("$prefix/bin/geppetto" eval 'console.log(40 + 2)')" = 42 ] || { echo "installed geppetto failed"; exit 1; }

nm -D --defined-only "$libdir/libgeppetto.so" | awk '{print $3}' | sort -u >"$tmp/exported"
bad="$(grep -vE '^gp_[a-z0-9]' "$tmp/exported" || true)"
[ -z "$bad" ] || { echo "exported symbols that are not public gp_ functions:"; echo "$bad"; exit 1; }
cat "$prefix"/include/geppetto/*.h >"$tmp/headers"
while read -r sym; do
  grep -qE "[ *]$sym\(" "$tmp/headers" || { echo "exported $sym is not declared in include/geppetto"; exit 1; }
done <"$tmp/exported"
echo "exports: $(wc -l <"$tmp/exported") public gp_ functions, nothing else"

[ -f "$prefix/share/geppetto/geppetto.d.ts" ] || { echo "share/geppetto/geppetto.d.ts is not installed"; exit 1; }
cmp -s "$src/types/geppetto.d.ts" "$prefix/share/geppetto/geppetto.d.ts" ||
  { echo "the installed geppetto.d.ts differs from types/geppetto.d.ts"; exit 1; }
echo "types: share/geppetto/geppetto.d.ts installed"
echo "install: ok"
