#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store tests (tests/unit/test_store*.c,
# bench/store_bench.c). `start` installs Debian's postgresql when initdb is missing
# (apt-get, as root), creates a cluster in a cache folder as an unprivileged user,
# starts it on a free loopback port and prints `export GP_TEST_PG_URL=...` (use it with
# eval); a cluster already running there is reused, so the normal, TSan and ASan passes
# share one. `stop` stops it and removes the folder. `url` prints the address.
#   eval "$(scripts/pg-test-cluster.sh start)"; ctest ...; scripts/pg-test-cluster.sh stop
# Folder: $GP_PG_DIR, else /tmp/geppetto-pg-<hash of this checkout's path> (under /tmp so
# that the unprivileged owner can reach it; one per checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${GP_PG_DIR:-/tmp/geppetto-pg-$(pwd | cksum | cut -d' ' -f1)}"
DATA="$DIR/data"

pg_bin() {
  local b
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$b" ] && [ -x "$b/initdb" ] && echo "$b"
}

install_pg() {
  if [ -n "$(pg_bin)" ]; then return; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "pg-test-cluster: postgresql is not installed; run as root or: apt-get install postgresql" >&2
    exit 1
  fi
  echo "pg-test-cluster: installing postgresql" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
}

# Runs a command as the cluster's owner: this user, or `nobody` when we are root
# (PostgreSQL refuses to run as root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

url() { echo "postgresql://gp@127.0.0.1:$(cat "$DIR/port")/gp_test"; }

start() {
  install_pg
  local bin
  bin=$(pg_bin)
  if [ -f "$DIR/port" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    echo "export GP_TEST_PG_URL='$(url)'"
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" -eq 0 ] && chown nobody "$DIR"
  chmod 700 "$DIR"
  as_owner "$bin/initdb" -D "$DATA" -U gp --auth=trust -E UTF8 >"$DIR/initdb.log" 2>&1 || {
    cat "$DIR/initdb.log" >&2; exit 1; }
  local port
  port=$(free_port)
  echo "$port" >"$DIR/port"
  as_owner "$bin/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 30 \
    -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 || {
    cat "$DIR/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U gp gp_test >&2
  echo "export GP_TEST_PG_URL='$(url)'"
}

stop() {
  local bin
  bin=$(pg_bin || true)
  if [ -n "$bin" ] && [ -d "$DATA" ]; then
    as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
