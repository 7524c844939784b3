#!/usr/bin/env bash
# Builds geppetto (Release) and runs the benchmarks under bench/, printing their tables
# and JSON lines. Today: bench/owner_hop (the owner hop vs raw libuv and Node's
# napi_threadsafe_function).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DGEPPETTO_BUILD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc 2>/dev/null || echo 2)" --target owner_hop >/dev/null
./build-release/bench/owner_hop "$@"
