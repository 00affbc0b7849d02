#!/usr/bin/env bash
# Webhook delivery throughput: versions written under wrk (POST
# /api/agents/:id/versions, 4 connections) to an agent whose account has a
# webhook on version.created, then the time until the receiver (a Python
# server on loopback, bench/webhook_receiver.py) has every delivery.
# Usage: bench/webhooks.sh [BINDIR]   (default $CLAWMIT_BIN, else build/;
# DURATION=10s of writes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-${CLAWMIT_BIN:-$root/build}}" && pwd)
duration=${DURATION:-10s}
"$root/scripts/install-deps.sh" --bench
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/clawmit-serve" --port 0 --data-dir "$work/data" --allow-private-webhooks \
  --rate-limit-per-minute 1000000000000 --rate-limit-per-day 1000000000000 \
  >"$work/server.out" 2>"$work/server.log" &
pids+=($!)
python3 "$root/bench/webhook_receiver.py" >"$work/receiver.out" &
pids+=($!)
for _ in $(seq 50); do
  grep -q '^listening on' "$work/server.out" && grep -q '^port' "$work/receiver.out" && break
  sleep 0.1
done
port=$(sed -n 's|^listening on http://.*:\([0-9]*\) (.*|\1|p' "$work/server.out")
receiver=$(awk '/^port/ {print $2}' "$work/receiver.out")
base="http://127.0.0.1:$port"
api() {
  curl -sS --fail-with-body -X "$1" "$base$2" -H "Authorization: Bearer $3" \
    -H 'Content-Type: application/json' -d "$4"
}
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
jwt=$(api POST /api/auth/register "" '{"email":"bench@example.com","password":"bench-password"}' |
  field token)
key=$(api POST /api/api-keys "$jwt" \
  '{"name":"bench","scopes":["agents:read","agents:write","webhooks:read","webhooks:write"]}' |
  field key)
id=$(api POST /api/agents "$key" '{"name":"bench","prompt":"You are helpful."}' | field id)
api POST /api/webhooks "$key" \
  "{\"url\":\"http://127.0.0.1:$receiver/hook\",\"events\":[\"version.created\"]}" >/dev/null

started=$(date +%s%N)
wrk -t2 -c4 -d"$duration" --latency -H "Authorization: Bearer $key" -s "$root/bench/post_version.lua" \
  "$base/api/agents/$id/versions" >"$work/wrk.txt"
written_ns=$(($(date +%s%N) - started))
versions=$(($(curl -sS "$base/api/agents/$id/versions?limit=1" -H "Authorization: Bearer $key" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["pagination"]["total"])') - 1))
while [[ $(curl -s "http://127.0.0.1:$receiver/count") -lt $versions ]]; do sleep 0.05; done
done_ns=$(($(date +%s%N) - started))
echo "versions written in $(awk -v n="$written_ns" 'BEGIN {printf "%.1f", n / 1e9}') s: $versions" \
  "($(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/wrk.txt")/s, p50" \
  "$(awk '/^ +50%/ {print $2}' "$work/wrk.txt"), with the outbox)"
echo "all $versions deliveries received after $(awk -v n="$done_ns" 'BEGIN {printf "%.1f", n / 1e9}') s:" \
  "$(awk -v v="$versions" -v n="$done_ns" 'BEGIN {printf "%.0f", v / (n / 1e9)}') deliveries/s overall"
