#!/usr/bin/env bash
# A three-way merge of two agents with 1,000-line prompts, whole process:
# `clawmit merge support support-formal` (the fork changed the opening, the
# source the closing and its config), against `git merge` of the same two
# files in a git repository. Usage: bench/merge.sh [RUNS]   (results:
# bench/results/merge.md)
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
cd "$work"
for i in $(seq 1000); do echo "Rule $i: answer with care and cite the policy."; done >prompt.md

"$clawmit" init c >/dev/null
cd c
"$clawmit" new support --prompt-file ../prompt.md --set config.temperature=0.5 >/dev/null
"$clawmit" fork support support-formal --type exact_clone >/dev/null
{ echo "Be formal."; cat ../prompt.md; } >support-formal/prompt.md
"$clawmit" commit support-formal -m "Formal opening" >/dev/null
{ cat ../prompt.md; echo "Sign every answer."; } >support/prompt.md
"$clawmit" commit support -m "Signed" >/dev/null
"$clawmit" commit support --set config.temperature=0.3 -m "Cooler" >/dev/null
before=$(git --git-dir=.clawmit rev-parse refs/agents/support)
cd "$work"

mkdir g && cp prompt.md g/ && cd g && git init -q && git add . && git commit -qm base
git checkout -qb formal && { echo "Be formal."; cat ../prompt.md; } >prompt.md && git commit -qam formal
git checkout -q - && { cat ../prompt.md; echo "Sign every answer."; } >prompt.md && git commit -qam signed
main=$(git rev-parse HEAD)
cd "$work"

hyperfine -N --warmup 3 --runs "$runs" --style basic --export-markdown "$out/merge.md" \
  --prepare "sh -c 'git --git-dir=$work/c/.clawmit update-ref refs/agents/support $before && $clawmit --repo $work/c checkout --force support >/dev/null'" \
  "$clawmit --repo $work/c merge support support-formal" \
  --prepare "git -C $work/g reset -q --hard $main" \
  "git -C $work/g merge -q --no-edit formal"
echo "results: $out/merge.md"
