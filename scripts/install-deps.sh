#!/usr/bin/env bash
# Installs the Debian 12 packages clawmit builds and tests with; installs only
# what is missing, so a second run costs nothing. Needs root (or sudo).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git clang-format curl
  libgit2-dev libcli11-dev libssl-dev nlohmann-json3-dev libcurl4-openssl-dev libgtest-dev
  libboost-dev libsqlite3-dev libsodium-dev
  postgresql libpq-dev      # clawmit serve on PostgreSQL (scripts/postgres.sh, docs/POSTGRES.md)
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer and its sanitizers
  dpkg-dev file             # cpack -G DEB: dpkg-shlibdeps finds the package's dependencies
  zsh fish bash-completion groff-base  # the completion and man page tests
)
# The browser tests (tests/browser): Debian's Chromium and Firefox ESR;
# Node.js 20 and npm come with this machine kind (nodesource), Debian's own
# nodejs is 18.
packages+=(chromium firefox-esr)
command -v node >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" == "--bench" ]]; then packages+=(hyperfine wrk); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
