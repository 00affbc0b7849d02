#!/usr/bin/env bash
# The seeded model-based sync test (tests/e2e/sync_model_test.cpp) run long:
# three clones and a real clawmit serve doing STEPS random steps (default
# 5,000) of commit, fork, label, rollback, merge, push, pull, fetch and clone.
# A failure prints the seed that reproduces it.
# Usage: bench/sync_model.sh [STEPS] [SEED]   (BUILD=build by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
steps=${1:-5000}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
[[ -x $build/tests/clawmit_server_tests ]] ||
  { echo "no $build/tests/clawmit_server_tests: build the tests first" >&2; exit 1; }
echo "sync model: $steps steps, seed $seed"
start=$(date +%s)
CLAWMIT_MODEL_STEPS=$steps CLAWMIT_MODEL_SEED=$seed \
  "$build/tests/clawmit_server_tests" --gtest_filter='SyncModel*'
echo "passed: $steps steps in $(($(date +%s) - start)) s (seed $seed)"
