#!/usr/bin/env bash
# Whole-process benchmarks of local commands against git on the same machine
# and the same content, each pair run in one hyperfine call so the ratio holds
# on a noisy machine. Usage: bench/local.sh [RUNS]   (results: bench/results/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-30}
"$root/scripts/install-deps.sh" --bench
TARGETS=clawmit "$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
clawmit="$root/build/clawmit"
out="$root/bench/results"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CLAWMIT_AUTHOR_NAME=Bench CLAWMIT_AUTHOR_EMAIL=bench@example.com
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
hf() { hyperfine -N --warmup "${WARMUP:-3}" --runs "${RUNS:-$runs}" --style basic "$@"; }

# A 5 KB agent, committed by clawmit and by git with fsync of what it commits.
cd "$work"
"$clawmit" init c >/dev/null
head -c 3750 /dev/urandom | base64 -w 76 >prompt.md
(cd c && "$clawmit" new support --prompt-file ../prompt.md --set config.temperature=0.5 >/dev/null)
mkdir g && cp -r c/support/. g/ && git -C g init -q && git -C g add . &&
  git -C g -c core.fsync=committed commit -qm v1
edit='head -c 3750 /dev/urandom | base64 -w 76 >'
hf --export-markdown "$out/commit.md" \
  --prepare "sh -c '$edit $work/c/support/prompt.md'" \
  "$clawmit --repo $work/c commit support -m edit" \
  --prepare "sh -c '$edit $work/g/prompt.md'" \
  "git -C $work/g -c core.fsync=committed -c maintenance.auto=false commit -q -am edit"

hf --export-markdown "$out/diff.md" \
  "$clawmit --repo $work/c diff support@v1 support@v2" \
  "git -C $work/g diff HEAD~1 HEAD~0"

hf --export-markdown "$out/version.md" "$clawmit --version" "git --version"

# Long histories, imported with git fast-import in clawmit's exact format;
# git walks the very same commits.
for n in 10000 100000; do
  "$clawmit" init "h$n" >/dev/null
  python3 "$root/bench/make_history.py" bench "$n" | git --git-dir="h$n/.clawmit" fast-import --quiet
  "$clawmit" --repo "h$n" log bench -n 1 >/dev/null  # builds the version index once
  hf --export-markdown "$out/log-$n.md" \
    "$clawmit --repo $work/h$n log bench --oneline" \
    "git --git-dir=$work/h$n/.clawmit log --oneline refs/agents/bench"
done
hf --export-markdown "$out/log-n20.md" \
  "$clawmit --repo $work/h100000 log bench --oneline -n 20" \
  "git --git-dir=$work/h100000/.clawmit log --oneline -n 20 refs/agents/bench"


# A family of 10,000 agents (a binary tree of forks): lineage reads a lineage
# index and each member's head, never the agents' histories.
"$clawmit" init fam >/dev/null
python3 "$root/bench/make_family.py" 10000 | git --git-dir=fam/.clawmit fast-import --quiet
RUNS=2 WARMUP=0 hf --prepare "rm -f $work/fam/.clawmit/clawmit/lineage" \
  --export-markdown "$out/lineage-first.md" \
  "$clawmit --repo $work/fam lineage a9999"
RUNS=10 hf --export-markdown "$out/lineage.md" "$clawmit --repo $work/fam lineage a9999" \
  "$clawmit --repo $work/fam lineage a9999 --json"

# Rollback on the 100,000-version agent, against git restoring a version and
# committing it (the same work: a new commit with an old tree).
RUNS=10 hf --export-markdown "$out/rollback.md" \
  --prepare "true" "$clawmit --repo $work/h100000 rollback bench v50000 --yes" \
  --prepare "true" \
  "git -C $work/g -c core.fsync=committed -c maintenance.auto=false revert --no-edit HEAD"
echo "results in $out"
