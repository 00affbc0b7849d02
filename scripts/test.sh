#!/usr/bin/env bash
# Builds clawmit and runs every test: formatting, the unit and end-to-end
# tests in a release build, that build installed (cmake --install, the .deb)
# and tested as installed, the server's tests again on PostgreSQL, then the
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer, then each
# fuzz target for 30 seconds. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
# playwright-core for the browser tests, at the version of its lock file.
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
export CLAWMIT_REQUIRE_BROWSER=1
export CLAWMIT_REQUIRE_SHELLS=1  # the completion tests run in bash, zsh and fish

echo "== clang-format"
git ls-files -- '*.cpp' '*.h' | xargs clang-format --dry-run -Werror

# Unity builds (CMake joins a target's files eight at a time): CLI11 and
# nlohmann/json code is generated once per eight files instead of once per
# file, which halves CI's build time. Names local to a file must therefore be
# unique in their target (tests/support/test_support.h has the shared ones).
echo "== release build and tests"
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 300
./scripts/package-test.sh build  # cmake --install and the .deb, tested as installed

# The server's tests again with the server on PostgreSQL (docs/POSTGRES.md):
# a throw-away cluster, removed after, also when a test fails.
echo "== the server's tests on PostgreSQL"
pg_env=$(./scripts/postgres.sh start)  # PGDIR=… and DATABASE_URL=…
eval "$pg_env"
trap './scripts/postgres.sh stop "$PGDIR"' EXIT
export CLAWMIT_TEST_DATABASE_URL="$DATABASE_URL"
build/tests/clawmit_server_unit_tests --gtest_filter='*/Postgres' --gtest_brief=1
ctest --test-dir build -L server_e2e -j "$(nproc)" --output-on-failure --timeout 300
unset CLAWMIT_TEST_DATABASE_URL DATABASE_URL
./scripts/postgres.sh stop "$PGDIR"
trap - EXIT

echo "== sanitizer build (ASan + UBSan) and tests"
./scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DCLAWMIT_SANITIZE=ON -DCMAKE_UNITY_BUILD=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j "$(nproc)" --output-on-failure --timeout 600

echo "== fuzzing (libFuzzer, 30 s per target)"
./scripts/fuzz.sh 30
