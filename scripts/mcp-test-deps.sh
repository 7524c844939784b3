#!/usr/bin/env bash
# Installs the npm packages the MCP tests run against into build-deps/mcp (a cache folder
# shared by the normal, TSan and ASan test passes): the reference servers
# @modelcontextprotocol/server-everything and server-filesystem, and the conformance
# suite @modelcontextprotocol/conformance (written for Node.js 22; on Debian's Node.js 20
# it runs through tests/mcp/node20_shim.mjs). Skipped when they are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-deps/mcp
pkgs=(@modelcontextprotocol/server-everything@2026.8.31 @modelcontextprotocol/server-filesystem@2026.8.31
      @modelcontextprotocol/conformance@0.1.16)
stamp="$dir/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${pkgs[*]}" ]; then
  echo "mcp-test-deps: already installed in $dir"
  exit 0
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${pkgs[@]}"
echo "${pkgs[*]}" >"$stamp"
echo "mcp-test-deps: installed in $dir"
