#!/usr/bin/env bash
# clawmit serve migrate at a team's size: AGENTS agents of VERSIONS versions
# with PROMPT_BYTES prompts (default 4 × 500 × 50 KB = 2,000 versions,
# about 100 MB), pushed to a clawmit serve on SQLite, then copied to a
# throw-away PostgreSQL (scripts/postgres.sh) — seconds for the copy and for
# a re-run (which only checks).
# Usage: bench/migrate.sh [BINDIR]   (default $CLAWMIT_BIN, else build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-${CLAWMIT_BIN:-$root/build}}" && pwd)
agents=${AGENTS:-4}
versions=${VERSIONS:-500}
export PROMPT_BYTES=${PROMPT_BYTES:-50000}
work=$(mktemp -d)
pid=""
pgdir=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
  if [[ -n $pgdir ]]; then "$root/scripts/postgres.sh" stop "$pgdir" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

env -u DATABASE_URL "$bin/clawmit-serve" --port 0 --data-dir "$work/data" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -1)/api
token=$(curl -s -X POST "$url/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"correct horse"}' |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
export CLAWMIT_TOKEN=$token CLAWMIT_AUTHOR_NAME=Bench CLAWMIT_AUTHOR_EMAIL=bench@example.com
mkdir -p "$work/repo" && cd "$work/repo"
"$bin/clawmit" init -q
for a in $(seq "$agents"); do
  python3 "$root/bench/make_history.py" "agent-$a" "$versions" |
    git --git-dir=.clawmit fast-import --quiet
done
"$bin/clawmit" remote add origin "$url"
"$bin/clawmit" push -q
kill "$pid" && wait "$pid" 2>/dev/null || true
pid=""
echo "source: $(du -h "$work/data/clawmit.db" | cut -f1) SQLite, $((agents * versions)) versions of ${PROMPT_BYTES}-byte prompts"

cd "$root"
eval "$("$root/scripts/postgres.sh" start)"
pgdir=$PGDIR
for run in copy re-run; do
  start=$(date +%s.%N)
  "$bin/clawmit-serve" migrate --from "sqlite:$work/data/clawmit.db" --to "$DATABASE_URL" >/dev/null
  end=$(date +%s.%N)
  printf '%s: %.1f s\n' "$run" "$(echo "$end - $start" | bc)"
done
