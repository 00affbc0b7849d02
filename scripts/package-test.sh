#!/usr/bin/env bash
# Tests clawmit as a user installs it, from a release build folder (default
# ./build; scripts/test.sh runs this after its tests):
#  1. `cmake --install` to a temporary prefix, the build folder renamed out
#     of the way, and a smoke subset of the end-to-end tests run against the
#     installed clawmit (local commands; login, push and clone through the
#     installed clawmit-net; the installed clawmit-serve);
#  2. the Debian package: `cpack -G DEB`, `apt-get install ./clawmit_*.deb`,
#     a tour of the installed /usr/bin/clawmit (init, new, commit, log, serve
#     as the package's clawmit user, register, push, clone), then
#     `apt-get remove --purge`, checking that nothing is left behind.
# Part 2 needs root (CI runs as root; otherwise it is skipped) and a machine
# without the clawmit package; it leaves the machine as it found it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
moved="$build.moved-for-package-test"

tmp=$(mktemp -d)
chmod 0755 "$tmp"  # the package's clawmit user reads the server's log folder
server=""
installed_package=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [[ -d "$moved" && ! -e "$build" ]] && mv "$moved" "$build"
  if [[ -n "$installed_package" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -q --purge clawmit >/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "package-test: $*" >&2; exit 1; }

echo "== cmake --install, run with the build folder out of the way"
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
for f in bin/clawmit libexec/clawmit/clawmit-net libexec/clawmit/clawmit-serve \
  share/doc/clawmit/README.md share/doc/clawmit/SERVER.md lib/systemd/system/clawmit.service \
  etc/clawmit/clawmit.env share/man/man1/clawmit.1 share/man/man1/clawmit-commit.1 \
  share/bash-completion/completions/clawmit share/zsh/site-functions/_clawmit \
  share/fish/vendor_completions.d/clawmit.fish; do
  [[ -e "$prefix/$f" ]] || fail "cmake --install did not install $f"
done
grep -q "^ExecStart=$prefix/bin/clawmit serve " "$prefix/lib/systemd/system/clawmit.service" ||
  fail "the unit does not run the installed clawmit"
mv "$build" "$moved"
export CLAWMIT_BINARY="$prefix/bin/clawmit"
"$moved/tests/clawmit_e2e_tests" --gtest_brief=1 \
  --gtest_filter='WorkflowTest.*:HelperPathTest.*:LabelTest.*:CompletionTest.*:ManPageTest.*'
"$moved/tests/clawmit_server_tests" --gtest_brief=1 \
  --gtest_filter='ServerAuthTest.RegisterLoginAndMeRoundTrip:ServerAuthTest.TokensSurviveARestart:RemoteCommandsTest.LoginWhoamiLogout:SyncTest.PushThenCloneKeepsEveryCommitIdForkAndLabel:SyncTest.AVersionMadeWithCurlHasOneIdInEveryClone:SyncTest.DivergedHistoriesAreRefusedByFfOnlyAndNothingChanges'
unset CLAWMIT_BINARY
mv "$moved" "$build"

echo "== the Debian package"
if [[ $(id -u) -ne 0 ]]; then
  echo "package-test: skipped the Debian package (needs root)"
  exit 0
fi
if dpkg-query -W -f='${Status}' clawmit 2>/dev/null | grep -q "install ok installed"; then
  fail "the clawmit package is already installed here: remove it first"
fi
(cd "$build" && cpack -G DEB -B "$tmp/deb" >"$tmp/cpack.log") || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/deb/clawmit_*_*.deb)
dpkg-deb --field "$deb" Package Version Architecture Depends
installed_package=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
  >"$tmp/apt.log" || { cat "$tmp/apt.log"; exit 1; }
for f in /usr/bin/clawmit /usr/libexec/clawmit/clawmit-net /usr/libexec/clawmit/clawmit-serve \
  /usr/lib/systemd/system/clawmit.service /etc/clawmit/clawmit.env \
  /usr/share/doc/clawmit/README.md /usr/share/man/man1/clawmit.1 \
  /usr/share/bash-completion/completions/clawmit /usr/share/zsh/site-functions/_clawmit \
  /usr/share/fish/vendor_completions.d/clawmit.fish; do
  [[ -e "$f" ]] || fail "the package did not install $f"
done
getent passwd clawmit >/dev/null || fail "the package did not create the clawmit user"
[[ $(stat -c '%U %a' /var/lib/clawmit) == "clawmit 700" ]] || fail "/var/lib/clawmit: $(stat -c '%U %a' /var/lib/clawmit)"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/system/clawmit.service
fi

work="$tmp/work"
mkdir -p "$work/repo"
cd "$work/repo"
export HOME="$work" XDG_CONFIG_HOME="$work/config" \
  CLAWMIT_AUTHOR_NAME="Ada Lovelace" CLAWMIT_AUTHOR_EMAIL="ada@example.com"
[[ $(command -v clawmit) == /usr/bin/clawmit ]] || fail "clawmit on PATH is $(command -v clawmit)"
clawmit --version
clawmit init .
printf 'You are the support agent of Acme.\n' >prompt.md
clawmit new support --name "Support bot" --prompt-file prompt.md -m "First support agent"
printf 'Cite your sources.\n' >>support/prompt.md
clawmit commit -m "Cite sources"
clawmit log support --oneline
# The server runs as the service would: the package's user, its data folder.
(cd / && exec setpriv --reuid=clawmit --regid=clawmit --init-groups \
  clawmit serve --port 0 --data-dir /var/lib/clawmit >"$tmp/server.out" 2>"$tmp/server.log") &
server=$!
for _ in $(seq 100); do grep -q listening "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/server.out") || { cat "$tmp/server.log"; fail "the server did not start"; }
[[ -s /var/lib/clawmit/clawmit.db && $(stat -c %U /var/lib/clawmit/clawmit.db) == clawmit ]] ||
  fail "the server's database is not in /var/lib/clawmit"
printf 'correct horse battery\n' |
  clawmit register --url "$url/api" --email ada@example.com --password-stdin
clawmit remote add origin "$url/api"
clawmit push
clawmit clone "$url/api" "$work/clone"
[[ $(cd "$work/clone" && clawmit log support --oneline) == $(clawmit log support --oneline) ]] ||
  fail "the clone's log differs"
kill -TERM "$server"
wait "$server" || fail "the server did not stop cleanly"
server=""
cd "$root"

DEBIAN_FRONTEND=noninteractive apt-get remove -y -q --purge clawmit >"$tmp/apt.log" ||
  { cat "$tmp/apt.log"; exit 1; }
installed_package=""
for f in /usr/bin/clawmit /usr/libexec/clawmit /usr/share/doc/clawmit /etc/clawmit \
  /var/lib/clawmit /usr/lib/systemd/system/clawmit.service; do
  [[ ! -e "$f" ]] || fail "$f is left after apt-get remove --purge"
done
! getent passwd clawmit >/dev/null || fail "the clawmit user is left after purge"
echo "package-test: ok"
