#!/usr/bin/env bash
# The API server under wrk on loopback, as one user with one API key and one
# agent: authenticated GET /api/agents/:id at 32 and 256 connections, the same
# agent read by name (GET /api/agents/resolve, its production label) at 32, durable
# POST /api/agents/:id/versions at 1 and 8, then 500 idle keep-alive
# connections (the server's threads and RSS, and GETs still served).
# Usage: bench/server.sh [BINDIR]   (BINDIR holds clawmit-serve; default
# $CLAWMIT_BIN, else build/; DURATION=10s per case; results: bench/results/)
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
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

machine_line "$work"
echo "server: $serve"

start_server "$serve" "$work"
pid=$server_pid base=$server_base
port=${base##*:}

jwt=$(api POST /api/auth/register "" '{"email":"bench@example.com","password":"bench-password"}' |
  field token)
key=$(api POST /api/api-keys "$jwt" '{"name":"bench","scopes":["agents:read","agents:write"]}' |
  field key)
id=$(api POST /api/agents "$key" '{"name":"bench","prompt":"You are helpful."}' | field id)
version=$(curl -sS "$base/api/agents/$id" -H "Authorization: Bearer $key" | field currentVersionId)
api PUT "/api/agents/$id/labels/production" "$key" "{\"versionId\":\"$version\"}" >/dev/null

summary="$out/server.md"
printf '| case | connections | requests/s | p50 | p99 | non-2xx | socket errors | timeouts |\n' >"$summary"
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n' >>"$summary"

# run_wrk NAME CONNECTIONS THREADS wrk-args…: wrk with the key, its output in
# bench/results/server-NAME.txt and one row in the summary. D= overrides the
# duration.
run_wrk() {
  local name=$1 connections=$2 threads=$3
  shift 3
  wrk -t"$threads" -c"$connections" -d"${D:-$duration}" --timeout 2s --latency \
    -H "Authorization: Bearer $key" "$@" >"$out/server-$name.txt"
  wrk_row "$name" "$connections" "$out/server-$name.txt" | tee -a "$summary"
}

agent="$base/api/agents/$id"
echo "user, key and agent $id ready; $duration per case"
wrk -t2 -c32 -d2s -H "Authorization: Bearer $key" "$agent" >/dev/null  # warm-up
run_wrk get-32 32 2 "$agent"
run_wrk get-256 256 2 "$agent"
run_wrk resolve-32 32 2 "$base/api/agents/resolve?owner=bench@example.com&agent=bench&ref=production"
run_wrk post-1 1 1 -s "$root/bench/post_version.lua" "$agent/versions"
run_wrk post-8 8 2 -s "$root/bench/post_version.lua" "$agent/versions"
versions=$(curl -sS "$agent/versions?limit=1" -H "Authorization: Bearer $key" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["pagination"]["total"])')

# 500 idle keep-alive connections: each answered once, then silent.
threads() { find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
t0=$(threads) r0=$(rss_kb) f0=$(fds)
python3 "$root/bench/idle_conns.py" 127.0.0.1 "$port" 500 15 >"$work/idle.out" &
idle=$!
for _ in $(seq 100); do
  grep -q '^open' "$work/idle.out" && break
  sleep 0.1
done
grep -q '^open 500$' "$work/idle.out" || { echo "idle connections failed" >&2; exit 1; }
sleep 1
t1=$(threads) r1=$(rss_kb) f1=$(fds)
D=5s run_wrk get-32-with-500-idle 32 2 "$agent"
wait "$idle"
still=$(awk '/^still-open/ {print $2}' "$work/idle.out")

started=$(date +%s%N)
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
stop_ms=$((($(date +%s%N) - started) / 1000000))

{
  echo
  echo "Versions written: $versions (one agent)."
  echo "500 idle keep-alive connections: threads $t0 -> $t1, RSS $((r0 / 1024)) -> $((r1 / 1024)) MiB" \
    "($(((r1 - r0) / 500)) KiB per connection), open files $f0 -> $f1; $still of 500 still open" \
    "after the load beside them."
  echo "SIGTERM: exit status $status after $stop_ms ms."
} | tee -a "$summary"
echo "results in $out/server.md and $out/server-*.txt"
