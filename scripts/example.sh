#!/usr/bin/env bash
# Builds geppetto (Release) and runs the example agent: a session with the echo
# engine, a C tool and a hook, printing its streamed events. Offline.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DGEPPETTO_BUILD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc 2>/dev/null || echo 2)" --target example_agent >/dev/null
exec ./build-release/example_agent "$@"
