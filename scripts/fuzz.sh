#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: builds the libFuzzer targets of tests/fuzz with
# clang in build-fuzz/ (only they and the libraries they link) and runs each
# for SECONDS (30 by default) from its corpus, tests/fuzz/corpus/<target>,
# copied to a temporary folder so that the checkout is never written. Fails
# when any target finds a crash, a leak, a hang (25 s) or a broken invariant;
# the input that did it is kept in build-fuzz/findings/<target>/, the log
# beside it. A target's dictionary, tests/fuzz/<target>.dict, is used when
# there is one. docs/RELIABILITY.md has the long runs and what they found.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
targets=(server_request_fuzz content_fuzz revision_fuzz diff_merge_fuzz sync_json_fuzz)

echo "== fuzz build (clang, ASan + UBSan + libFuzzer)"
# Unity, as the other CI builds: about half the compile time.
TARGETS=fuzz ./scripts/build.sh build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DCLAWMIT_FUZZ=ON -DCLAWMIT_TESTS=OFF -DCMAKE_UNITY_BUILD=ON

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "build-fuzz/findings/$t"
  cp tests/fuzz/corpus/"$t"/* "$work/$t/"
  log="build-fuzz/findings/$t.log"
  dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
  if build-fuzz/fuzz/"$t" -max_total_time="$seconds" -timeout=25 -max_len=8192 "${dict[@]}" \
    -print_final_stats=1 -artifact_prefix="build-fuzz/findings/$t/" "$work/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    echo "== $t: ok, $runs runs in ${seconds}s, $cov"
  else
    echo "== $t: FAILED (input in build-fuzz/findings/$t/)"
    grep -v -e '^ *NEW_FUNC' -e '^#[0-9]' "$log" | tail -40
    failed+=("$t")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzzing found problems in: ${failed[*]}"
  exit 1
fi
