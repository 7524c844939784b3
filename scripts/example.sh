#!/usr/bin/env bash
# Builds geppetto (Release) and runs the main example, offline: the agent of
# examples/agent/agent.js (two JS tools, a hook, streamed events) end to end over HTTP
# against geppetto-mock replaying examples/agent/fixture.json.
#   scripts/example.sh [openai|claude|openai-responses|gemini] [QUESTION]
# The same script runs against a real provider by naming a profile:
#   build-release/geppetto run --profile NAME examples/agent/agent.js
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DGEPPETTO_BUILD_TESTS=OFF \
  -DGEPPETTO_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc 2>/dev/null || echo 2)" --target geppetto geppetto-mock >/dev/null
exec examples/agent/run.sh ./build-release/geppetto ./build-release/geppetto-mock "$@"
