#!/usr/bin/env bash
# Builds clawmit and runs every test: formatting, the unit and end-to-end
# tests in a release build, then all of them again under AddressSanitizer and
# UndefinedBehaviorSanitizer, then each fuzz target for 30 seconds. This is
# what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

echo "== clang-format"
git ls-files -- '*.cpp' '*.h' | xargs clang-format --dry-run -Werror

echo "== release build and tests"
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 300

echo "== sanitizer build (ASan + UBSan) and tests"
./scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DCLAWMIT_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j "$(nproc)" --output-on-failure --timeout 600

echo "== fuzzing (libFuzzer, 30 s per target)"
./scripts/fuzz.sh 30
