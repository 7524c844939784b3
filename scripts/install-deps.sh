#!/usr/bin/env bash
# Installs the Debian packages geppetto builds and tests with (see README.md,
# "Dependencies"). Idempotent: does nothing when every package is already there.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libjavascriptcoregtk-4.1-dev libuv1-dev libcurl4-openssl-dev libjansson-dev
  libyaml-dev libmicrohttpd-dev libcmocka-dev
  libsqlite3-dev libpq-dev libssl-dev
  nodejs
)
# npm installs the benchmarks' peer SDKs (bench/peers). Debian ships it as its own
# package; Node.js builds that bundle npm (and conflict with that package) already have it.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root to install them" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
