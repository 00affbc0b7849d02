#!/usr/bin/env bash
# Task throughput: durable task creation under wrk (POST /api/tasks, 8
# connections), then 8 workers (wrk connections running
# bench/task_worker.lua) each claiming a task and completing it, in a loop,
# until the queue is empty. Counts come from the server afterwards.
# Usage: bench/tasks.sh [BINDIR]   (default $CLAWMIT_BIN, else build/;
# DURATION=10s of creation)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-${CLAWMIT_BIN:-$root/build}}" && pwd)
duration=${DURATION:-10s}
"$root/scripts/install-deps.sh" --bench
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/clawmit-serve" --port 0 --data-dir "$work/data" \
  --rate-limit-per-minute 1000000000000 --rate-limit-per-day 1000000000000 \
  >"$work/server.out" 2>"$work/server.log" &
pid=$!
for _ in $(seq 50); do
  grep -q '^listening on' "$work/server.out" && break
  sleep 0.1
done
port=$(sed -n 's|^listening on http://.*:\([0-9]*\) (.*|\1|p' "$work/server.out")
base="http://127.0.0.1:$port"
api() {
  curl -sS --fail-with-body -X "$1" "$base$2" -H "Authorization: Bearer $3" \
    -H 'Content-Type: application/json' ${4:+-d "$4"}
}
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
jwt=$(api POST /api/auth/register "" '{"email":"bench@example.com","password":"bench-password"}' |
  field token)
key=$(api POST /api/api-keys "$jwt" \
  '{"name":"bench","scopes":["agents:read","agents:write","tasks:read","tasks:write"]}' |
  field key)
id=$(api POST /api/agents "$key" '{"name":"bench","prompt":"You are helpful."}' | field id)
total() {
  api GET "/api/tasks?status=$1&limit=1" "$key" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["pagination"]["total"])'
}

AGENT_ID=$id wrk -t2 -c8 -d"$duration" --latency -H "Authorization: Bearer $key" \
  -s "$root/bench/create_task.lua" "$base" >"$work/create.txt"
created=$(total queued)
echo "created $created tasks in $duration:" \
  "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/create.txt")/s," \
  "p50 $(awk '/^ +50%/ {print $2}' "$work/create.txt")," \
  "p99 $(awk '/^ +99%/ {print $2}' "$work/create.txt")"

started=$(date +%s%N)
while [[ $(total queued) -gt 0 ]]; do
  wrk -t2 -c8 -d2s -H "Authorization: Bearer $key" -s "$root/bench/task_worker.lua" "$base" \
    >>"$work/work.txt"
done
ns=$(($(date +%s%N) - started))
completed=$(total completed)
echo "8 workers claimed and completed $completed tasks in" \
  "$(awk -v n="$ns" 'BEGIN {printf "%.1f", n / 1e9}') s:" \
  "$(awk -v c="$completed" -v n="$ns" 'BEGIN {printf "%.0f", c / (n / 1e9)}') tasks/s" \
  "(a claim and a PATCH each); still running: $(total running)"
