#!/usr/bin/env bash
# The API server on SQLite and on PostgreSQL in one run, under wrk on
# loopback, as one user with one API key and one agent, in three setups:
#   sqlite-1  one process on SQLite (a fresh data directory);
#   pg-1      one process on PostgreSQL (a throw-away cluster made by
#             scripts/postgres.sh, fsync on);
#   pg-2      two processes on that same database (pg-1's and a second one,
#             the same JWT_SECRET and WEBHOOK_KEY): two wrk run at once, half the
#             connections each, one per process; their requests/s are
#             summed, the worse p50 and p99 of the two reported.
# Each: authenticated GET /api/agents/:id at 32 connections; durable POST
# /api/agents/:id/versions at 1 connection (one process only) and at 8 to
# the same agent, then 8 connections each writing to an agent of its own;
# task creation (POST /api/tasks) at 8, then 8 workers
# (bench/task_worker.lua: claim, PATCH to completed, again) for the same
# time: tasks/s are the tasks completed in that time.
# Usage: bench/server_postgres.sh [BINDIR]   (BINDIR holds clawmit-serve;
# default $CLAWMIT_BIN, else build/; DURATION=10s per case; POOL=N passes
# --database-pool-size N; results: bench/results/server-postgres.md and
# server-postgres-*.txt)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/server_lib.sh"
bin=$(cd "${1:-${CLAWMIT_BIN:-$root/build}}" && pwd)
duration=${DURATION:-10s}
"$root/scripts/install-deps.sh" --bench
serve="$bin/clawmit-serve"
[[ -x $serve ]] || { echo "no $serve: build it first (cmake --build build)" >&2; exit 1; }
out="$root/bench/results"
mkdir -p "$out"
work=$(mktemp -d)
pids=()
PGDIR=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n $PGDIR ]]; then (cd "$root" && scripts/postgres.sh stop "$PGDIR") || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A durable cluster, as a production one: fsync on, synchronous_commit on.
eval "$(cd "$root" && CLAWMIT_PG_FSYNC=on scripts/postgres.sh start)"
pg_url=$DATABASE_URL
unset DATABASE_URL
# Every process on one database shares these (docs/SERVER.md "Several processes").
JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
WEBHOOK_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export JWT_SECRET WEBHOOK_KEY
pool=()
[[ -n ${POOL:-} ]] && pool=(--database-pool-size "$POOL")

machine_line "$work"
echo "server: $serve, commit $(git -C "$root" rev-parse --short HEAD)$(
  [[ -n $(git -C "$root" status --porcelain -- server include src) ]] && echo ' (modified)')"
for pg_bin in /usr/lib/postgresql/*/bin; do :; done
echo "database: $("$pg_bin/postgres" --version), fsync on," \
  "synchronous_commit on, on loopback TCP; pool ${POOL:-8 (default)} per process"

summary="$out/server-postgres.md"
printf '| setup: case | connections | requests/s | p50 | p99 | non-2xx | socket errors | timeouts | serialization failures |\n' >"$summary"
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' >>"$summary"

# Transactions PostgreSQL failed to serialize (SQLSTATE 40001, each run again
# by the server) so far: its log's lines.
serialization_failures() { grep -c 'could not serialize' "$PGDIR/server.log" || true; }

# account EMAIL: registers EMAIL on $base, sets key (agents and tasks, read
# and write), id (a new agent) and agents (8 more).
account() {
  local jwt
  jwt=$(api POST /api/auth/register "" "{\"email\":\"$1\",\"password\":\"bench-password\"}" |
    field token)
  key=$(api POST /api/api-keys "$jwt" \
    '{"name":"bench","scopes":["agents:read","agents:write","tasks:read","tasks:write"]}' |
    field key)
  id=$(api POST /api/agents "$key" '{"name":"bench","prompt":"You are helpful."}' | field id)
  agents=()
  for i in $(seq 8); do
    agents+=("$(api POST /api/agents "$key" "{\"name\":\"bench $i\",\"prompt\":\"p\"}" | field id)")
  done
}

total_tasks() {
  api GET "/api/tasks?status=$1&limit=1" "$key" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["pagination"]["total"])'
}

# run_wrk SETUP NAME LABEL CONNECTIONS PATH wrk-args…: wrk with the key
# against PATH on every server of `bases` at once, CONNECTIONS and 2 threads
# shared among them; the outputs in
# bench/results/server-postgres-SETUP-NAME-I.txt (I the server), one row
# (SETUP: LABEL) in the summary, with the serialization failures of
# PostgreSQL meanwhile. With spread=1, one wrk thread per
# connection, each writing to its own agent of `agents`.
run_wrk() {
  local setup=$1 name=$2 label=$3 connections=$4 path=$5 n=${#bases[@]} files=() jobs=() i
  shift 5
  local c=$((connections / n)) t=$((2 / n)) failed
  failed=$(serialization_failures)
  if [[ -n ${spread:-} ]] || ((t > c)); then t=$c; fi
  for i in "${!bases[@]}"; do
    files+=("$out/server-postgres-$setup-$name-$i.txt")
    BENCH_PREFIX="p$i-" AGENT_IDS="${spread:+${agents[*]:$((i * c)):$c}}" \
      wrk -t"$t" -c"$c" -d"$duration" --timeout 2s --latency \
      -H "Authorization: Bearer $key" "$@" "${bases[$i]}$path" >"${files[-1]}" &
    jobs+=($!)
  done
  for i in "${jobs[@]}"; do wait "$i"; done
  failed=$(($(serialization_failures) - failed))
  [[ $setup == sqlite* ]] && failed="–"
  wrk_row "$setup: $label" "$connections" "${files[@]}" | sed "s/\$/ $failed |/" | tee -a "$summary"
}

# measure SETUP: the cases against the servers of `bases` (set key and id first).
measure() {
  local setup=$1 before completed left
  wrk -t2 -c32 -d2s -H "Authorization: Bearer $key" "${bases[0]}/api/agents/$id" >/dev/null
  run_wrk "$setup" get-32 "GET /api/agents/:id" 32 "/api/agents/$id"
  if [[ ${#bases[@]} -eq 1 ]]; then
    run_wrk "$setup" post-1 "POST /api/agents/:id/versions" 1 "/api/agents/$id/versions" \
      -s "$root/bench/post_version.lua"
  fi
  run_wrk "$setup" post-8 "POST /api/agents/:id/versions" 8 "/api/agents/$id/versions" \
    -s "$root/bench/post_version.lua"
  spread=1 run_wrk "$setup" post-8-agents "POST …/versions, 8 agents (one a connection)" 8 \
    "/api/agents/$id/versions" -s "$root/bench/post_version.lua"
  AGENT_ID=$id run_wrk "$setup" tasks-8 "POST /api/tasks" 8 "" -s "$root/bench/create_task.lua"
  before=$(total_tasks completed)
  run_wrk "$setup" claims-8 "8 workers: claim + PATCH" 8 "" -s "$root/bench/task_worker.lua"
  completed=$(($(total_tasks completed) - before))
  left=$(total_tasks queued)
  echo "$setup: $completed tasks claimed and completed in $duration:" \
    "$(awk -v c="$completed" -v d="${duration%s}" 'BEGIN {printf "%.0f", c / d}') tasks/s;" \
    "$left still queued" | tee -a "$work/claims.txt"
}

# (a) SQLite, one process.
start_server "$serve" "$work/sqlite"
pids+=("$server_pid")
base=$server_base bases=("$server_base")
echo "sqlite-1 on $base; $duration per case"
account bench-sqlite@example.com
measure sqlite-1
kill -TERM "${pids[0]}"
wait "${pids[0]}" || true
pids=()

# (b) PostgreSQL, one process.
DATABASE_URL=$pg_url start_server "$serve" "$work/pg-a" "${pool[@]}"
pids+=("$server_pid")
base=$server_base bases=("$server_base")
echo "pg-1 on $base"
account bench-pg@example.com
measure pg-1

# (c) PostgreSQL, two processes on the same database: the same key and agent.
DATABASE_URL=$pg_url start_server "$serve" "$work/pg-b" "${pool[@]}"
pids+=("$server_pid")
bases+=("$server_base")
echo "pg-2 on ${bases[*]}"
measure pg-2

{
  echo
  echo "Tasks (claimed then completed, in $duration with 8 workers):"
  cat "$work/claims.txt"
} >>"$summary"
for p in "${pids[@]}"; do
  kill -TERM "$p"
  wait "$p" || true
done
pids=()
echo "results in $out/server-postgres.md and $out/server-postgres-*.txt"
