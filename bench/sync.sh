#!/usr/bin/env bash
# Sync on loopback: push and clone of AGENTS agents of VERSIONS versions each
# (default 100 × 100 = 10,000 versions) against a real clawmit serve, then
# fetch and push with nothing new; then, as a team works: pulls of 1,000 and
# 10,000 new versions into a clone that has the agent, and a push of 1,000
# versions with 50 KB prompts — seconds and requests made for each.
# Usage: bench/sync.sh [BINDIR]   (BINDIR holds clawmit, clawmit-net and
# clawmit-serve; default $CLAWMIT_BIN, else build/; RUNS=3 clones; results:
# bench/results/sync.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-${CLAWMIT_BIN:-$root/build}}" && pwd)
agents=${AGENTS:-100}
versions=${VERSIONS:-100}
runs=${RUNS:-3}
clawmit="$bin/clawmit"
[[ -x $clawmit && -x $bin/clawmit-net && -x $bin/clawmit-serve ]] ||
  { echo "no clawmit binaries in $bin: build them first (cmake --build build)" >&2; exit 1; }
out="$root/bench/results"
mkdir -p "$out"
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)," \
  "$(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); data on $(df -T "$work" | awk 'NR==2 {print $2}')"

# Limits far above what one push sends: the time, not the waits, is measured
# (with the default 100 requests a minute a push of 100 new agents waits for
# the next minute once: docs/SYNC.md).
"$bin/clawmit-serve" --host 127.0.0.1 --port 0 --data-dir "$work/data" \
  --rate-limit-per-minute 1000000 --rate-limit-per-day 100000000 >"$work/server.out" \
  2>"$work/server.log" &
pid=$!
for _ in $(seq 50); do
  grep -q '^listening on' "$work/server.out" && break
  sleep 0.1
done
port=$(sed -n 's|^listening on http://.*:\([0-9]*\) (.*|\1|p' "$work/server.out")
[[ -n $port ]] || { echo "the server did not start:" && cat "$work/server.log"; exit 1; } >&2
url="http://127.0.0.1:$port/api"
CLAWMIT_TOKEN=$(curl -sS --fail-with-body -X POST "$url/auth/register" \
  -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
export CLAWMIT_TOKEN XDG_CONFIG_HOME="$work/xdg"

# The local repository: histories imported in clawmit's exact format.
mkdir "$work/a"
(cd "$work/a" && "$clawmit" init >/dev/null && "$clawmit" remote add origin "$url" >/dev/null)
for i in $(seq -w 0 $((agents - 1))); do
  python3 "$root/bench/make_history.py" "a$i" "$versions" |
    git --git-dir="$work/a/.clawmit" fast-import --quiet
done

now() { date +%s.%N; }
# measure NAME DIR clawmit-args…: one row of the table (seconds, requests).
summary="$out/sync.md"
printf '| work | seconds | requests |\n|---|---:|---:|\n' >"$summary"
measure() {
  local name=$1 dir=$2
  shift 2
  local start end
  start=$(now)
  (cd "$dir" && "$clawmit" "$@" --json -q) >"$work/last.json"
  end=$(now)
  local requests
  requests=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["requests"])' \
    "$work/last.json")
  awk -v n="$name" -v s="$start" -v e="$end" -v r="$requests" \
    'BEGIN { printf "| %s | %.2f | %s |\n", n, e - s, r }' | tee -a "$summary"
}

total=$((agents * versions))
measure "push $agents agents, $total versions (new on the server)" "$work/a" push
measure "push, nothing new" "$work/a" push
for run in $(seq "$runs"); do
  rm -rf "$work/b"
  measure "clone $agents agents, $total versions (run $run)" "$work" clone "$url" b
done
measure "fetch, nothing new" "$work/b" fetch
measure "pull, nothing new" "$work/b" pull

# Incremental pulls: the clone has v1 of the agent, the remote N more.
ga() { git --git-dir="$work/a/.clawmit" "$@"; }
for n in ${INCREMENTAL:-1000 10000}; do
  slug="inc$n"
  python3 "$root/bench/make_history.py" "$slug" $((n + 1)) | ga fast-import --quiet
  full=$(ga rev-parse "refs/agents/$slug")
  ga update-ref "refs/agents/$slug" "$(ga rev-list --reverse "refs/agents/$slug" | head -1)"
  (cd "$work/a" && "$clawmit" push -q origin "$slug")
  (cd "$work/b" && "$clawmit" pull -q origin "$slug")
  ga update-ref "refs/agents/$slug" "$full"
  (cd "$work/a" && "$clawmit" push -q origin "$slug")
  measure "pull $n new versions into a clone that has the agent" "$work/b" pull origin "$slug"
done

# Large prompts: the push is split by bytes (1 MiB requests), not only by count.
PROMPT_BYTES=50000 python3 "$root/bench/make_history.py" big "${BIG:-1000}" | ga fast-import --quiet
measure "push ${BIG:-1000} versions with 50 KB prompts" "$work/a" push origin big
measure "pull ${BIG:-1000} versions with 50 KB prompts" "$work/b" pull origin big

git --git-dir="$work/b/.clawmit" fsck --strict --no-progress
echo "the clone passes git fsck --strict; results: $summary"
