#!/usr/bin/env bash
# scripts/build.sh DIR [cmake options...]: configure and build with Ninja.
# TARGETS="clawmit" builds only those targets.
set -euo pipefail
dir=$1
shift
cmake -S "$(dirname "$0")/.." -B "$dir" -G Ninja "$@" >"${TMPDIR:-/tmp}/clawmit-cmake.log" ||
  { cat "${TMPDIR:-/tmp}/clawmit-cmake.log"; exit 1; }
# shellcheck disable=SC2086
ninja -C "$dir" -j "${JOBS:-$(nproc)}" ${TARGETS:-}
