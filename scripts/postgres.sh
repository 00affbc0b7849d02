#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the server's tests (docs/POSTGRES.md).
#
#   scripts/postgres.sh start      makes a cluster in a new temporary folder,
#                                  starts it and prints two lines:
#                                    PGDIR=<folder>
#                                    DATABASE_URL=postgresql://…
#   scripts/postgres.sh stop DIR   stops the cluster of DIR and removes DIR.
#   scripts/postgres.sh pause DIR  stops the cluster of DIR and keeps it;
#   scripts/postgres.sh resume DIR starts it again on the same port (tests of
#                                  a server whose database goes away).
#
# Debian's PostgreSQL (scripts/install-deps.sh installs it). The cluster runs
# as the `postgres` user when started by root (PostgreSQL refuses root), with
# the C locale (byte order, as SQLite compares text), its Unix socket in the
# folder and a free TCP port on 127.0.0.1; trust authentication, no password;
# 300 connections (tests run in parallel, each server with a pool of its own).
# fsync is off unless CLAWMIT_PG_FSYNC=on (benchmarks): a test cluster need
# not survive a power cut, and the tests create hundreds of schemas. The
# server's own guarantee does not change: it commits with
# synchronous_commit = on, so a 2xx is acknowledged after the commit record
# is written.
# Use it as: eval "$(scripts/postgres.sh start)"; … ; scripts/postgres.sh stop "$PGDIR"
set -euo pipefail

bindir=""
for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && bindir="$d"; done
if [[ -z "$bindir" ]]; then
  echo "postgres.sh: PostgreSQL is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the cluster of folder $1 on the port kept in $1/port.
run_server() {
  as_owner "$bindir/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 \
    -o "-p $(cat "$1/port") -k $1 -c listen_addresses=127.0.0.1 -c max_connections=300 \
        -c fsync=${CLAWMIT_PG_FSYNC:-off} -c synchronous_commit=on" \
    start >/dev/null
}

start() {
  local dir port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/clawmit-pg.XXXXXX")
  chmod 755 "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-locale -E UTF8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
  port=$(free_port)
  echo "$port" >"$dir/port"
  if ! run_server "$dir"; then
    cat "$dir/server.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  as_owner "$bindir/createdb" -h "$dir" -p "$port" -U postgres clawmit
  echo "PGDIR=$dir"
  echo "DATABASE_URL=postgresql://postgres@127.0.0.1:$port/clawmit"
}

stop() {
  local dir="${1:-}"
  if [[ -z "$dir" || ! -d "$dir/data" ]]; then
    echo "postgres.sh stop: '$dir' is not a folder made by 'postgres.sh start'" >&2
    exit 2
  fi
  # Immediate: no shutdown checkpoint for a cluster about to be removed.
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  rm -rf "$dir"
}

check_dir() {
  if [[ -z "${1:-}" || ! -d "$1/data" ]]; then
    echo "postgres.sh: '${1:-}' is not a folder made by 'postgres.sh start'" >&2
    exit 2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  pause)
    check_dir "${2:-}"
    as_owner "$bindir/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    ;;
  resume)
    check_dir "${2:-}"
    run_server "$2"
    ;;
  *)
    echo "usage: scripts/postgres.sh start | stop DIR | pause DIR | resume DIR" >&2
    exit 2
    ;;
esac
