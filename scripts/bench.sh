#!/usr/bin/env bash
# Runs every benchmark and prints one table of figures and ratios (geppetto vs the peer
# agent SDKs, goal met or missed), writing them all to bench/results.json:
#   1. agent loop (CPU, wall, peak RSS per step; cold start) vs the Vercel AI SDK, the
#      OpenAI Agents SDK and LangChain.js, on geppetto-mock;
#   2. stream decoding vs eventsource-parser and the openai / @anthropic-ai/sdk
#      accumulators, 0.2 to 20 MB;
#   3. 10, 100 and 1000 concurrent streaming runs vs the best peer;
#   4. bench/owner_hop (the owner hop vs raw libuv and Node's napi_threadsafe_function).
# Builds geppetto Release in build-bench (GP_BENCH_BUILD overrides) and installs the
# peers with `npm ci` from bench/peers/package-lock.json. Method: docs/PERFORMANCE.md.
# Usage: scripts/bench.sh [--quick] [--only agent,decode,concurrency,owner] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${GP_BENCH_BUILD:-build-bench}"

for tool in node npm cmake; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench: '$tool' is missing; run scripts/install-deps.sh first" >&2
    exit 1
  fi
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "bench: Node.js $(node --version) is too old; the peers need Node.js >= 20" >&2
  exit 1
fi

# The peers, exactly as locked. Reinstalled only when the lock file changed.
stamp="bench/peers/node_modules/.geppetto-lock"
if ! cmp -s bench/peers/package-lock.json "$stamp" 2>/dev/null; then
  echo "bench: installing the peers (npm ci in bench/peers)" >&2
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error >&2)
  cp bench/peers/package-lock.json "$stamp"
fi

echo "bench: building geppetto (Release) in $BUILD" >&2
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGEPPETTO_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc 2>/dev/null || echo 2)" \
  --target geppetto geppetto-mock decode owner_hop agent_loop_c >/dev/null

# 1000 concurrent streams need about 2000 descriptors in one process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec node bench/run.mjs --build "$BUILD" "$@"
