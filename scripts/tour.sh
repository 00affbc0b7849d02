#!/usr/bin/env bash
# A short tour of clawmit: builds it, then versions an agent in a temporary
# folder (init, new, edit, commit, log, diff, show, rollback by checkout),
# then starts `clawmit serve` on SQLite, talks to it with curl, and syncs
# with it: login, push, clone, status --remote, a task for a local revision,
# and a fork made in one clone merged back into its source in another, then
# both clones changing one agent: pull merges, push sends the merge, and an
# organisation that a second user joins and clones.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/install-deps.sh"
echo "building clawmit (first time: a few minutes)..."
TARGETS="clawmit clawmit-net clawmit-serve" "$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release >"${TMPDIR:-/tmp}/clawmit-build.log" ||
  { cat "${TMPDIR:-/tmp}/clawmit-build.log"; exit 1; }
clawmit="$root/build/clawmit"

work=$(mktemp -d)
server=""
elsewhere=$(mktemp -d)
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work" "$elsewhere"' EXIT
cd "$work"
# Credentials go to the tour's own folder, never to your ~/.config.
export CLAWMIT_AUTHOR_NAME="Ada Lovelace" CLAWMIT_AUTHOR_EMAIL="ada@example.com" \
  XDG_CONFIG_HOME="$elsewhere/config"

step() { printf '\n\033[1m$ clawmit %s\033[m\n' "$*"; "$clawmit" "$@"; }

step init .
cat > prompt.md <<'PROMPT'
You are the support agent of Acme.
Answer politely and briefly.
PROMPT
cat > tools.json <<'TOOLS'
[{"name": "search_docs", "description": "Search the help center",
  "parameters": {"query": "string"}}]
TOOLS
step new support --name "Support bot" --prompt-file prompt.md --tools-file tools.json \
  --set config.temperature=0.7 --set config.maxTokens=2000 -m "First support agent"

printf 'Always link the help-center article you used.\n' >> support/prompt.md
cat > support/config.json <<'CONFIG'
{"temperature": 0.5, "maxTokens": 3000}
CONFIG
step status
step diff
step commit -m "Cite sources, cooler and longer answers"
step log support
step diff support@v1 support@v2 --stat
step show support@v2
step diff support@v1 support --json
step checkout support@v1
step commit support -m "Back to the first prompt"
step log support --oneline
printf '\n$ git --git-dir=.clawmit log --oneline refs/agents/support\n'
git --git-dir=.clawmit log --oneline refs/agents/support

printf '\n\033[1m$ clawmit serve --port 0 --data-dir server-data\033[m   (the Clawmit API, on SQLite)\n'
"$clawmit" serve --port 0 --data-dir server-data >server.out 2>server.log &
server=$!
for _ in $(seq 50); do grep -q listening server.out 2>/dev/null && break; sleep 0.1; done
cat server.out
url=$(grep -o 'http://[0-9.]*:[0-9]*' server.out)
api() { printf '\n$ curl -X %s %s%s\n' "$1" "$url" "$2"; curl -s -X "$1" "$url$2" "${@:3}"; echo; }
api POST /api/auth/register -H 'Content-Type: application/json' \
  -d '{"email":"ada@example.com","password":"correct horse battery"}'
token=$(curl -s -X POST "$url/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"ada@example.com","password":"correct horse battery"}' |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
api GET /api/auth/me -H "Authorization: Bearer $token"
api POST /api/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"ada@example.com","password":"wrong password"}'
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
agent=$(curl -s -X POST "$url/api/agents" "${auth[@]}" \
  -d '{"name":"Support bot","prompt":"You are the support agent of Acme.","config":{"temperature":0.7}}')
printf '\n$ curl -X POST %s/api/agents -d {"name":"Support bot",...}\n%s\n' "$url" "$agent"
id=$(printf '%s' "$agent" | sed -n 's/.*"id":"\(agent_[^"]*\)".*/\1/p' | head -1)
api POST "/api/agents/$id/versions" "${auth[@]}" \
  -d '{"config":{"temperature":0.5},"commitMessage":"Cooler answers"}'
api POST "/api/agents/$id/fork" "${auth[@]}" \
  -d '{"name":"Support bot (formal)","prompt":"You are the formal support agent of Acme."}'
api GET "/api/agents/$id/lineage" "${auth[@]}"
printf '\n$ curl -sI %s/   (the web dashboard: open it in a browser, sign in as ada@example.com)\n' "$url"
curl -sI "$url/" | grep -i -E '^(HTTP|content-type|content-security-policy)'

printf '\n\033[1m--- sync: the local repository and the server ---\033[m\n'
step remote add origin "$url/api"
printf '\n\033[1m$ clawmit login --email ada@example.com --password-stdin\033[m\n'
printf 'correct horse battery\n' | "$clawmit" login --email ada@example.com --password-stdin
step label set support production v2
step push --dry-run
step push
step status --remote || echo "(exit $?: the server has agents made with curl above that are not here)"
step pull
step status --remote
step tasks create support@production --title "Answer ticket #42" --input '{"ticket":42}'
step clone "$url/api" "$elsewhere/clone"
(cd "$elsewhere/clone" && step log support --oneline && step label list)
printf '\nthe same commit ids here and in the clone:\n'
git --git-dir=.clawmit rev-parse refs/agents/support
git --git-dir="$elsewhere/clone/.clawmit" rev-parse refs/agents/support

printf '\n\033[1m--- two people, one agent: a merge ---\033[m\n'
printf '(in the clone, Grace tries a greeting on a fork of support and pushes it)\n'
grace() {
  (cd "$elsewhere/clone" && CLAWMIT_AUTHOR_NAME="Grace Hopper" \
    CLAWMIT_AUTHOR_EMAIL="grace@example.com" step "$@")
}
grace fork support support-greet --type exact_clone
sed -i '1i Greet the customer by name.' "$elsewhere/clone/support-greet/prompt.md"
grace commit support-greet -m "Greet by name"
grace push -q
printf '(here, Ada signs the answers of support, pulls the fork and merges it back)\n'
printf 'Sign every answer as the Acme support team.\n' >> support/prompt.md
step commit support -m "Sign answers"
step pull
step merge support support-greet
step log support -n 2
step lineage support
step push
grace pull
printf '\n\033[1m--- both changed support: pull merges, push sends the merge ---\033[m\n'
printf '(Grace cools support down in the clone and pushes; here, Ada asks for sources meanwhile)\n'
grace commit support --set config.temperature=0.2 -m "Cooler answers"
grace push -q
printf 'Cite the handbook section you used.\n' >> support/prompt.md
step commit support -m "Cite sources"
step pull
step log support -n 3
step push
grace pull
printf '\nthe merges have one commit id here, on the server and in the clone:\n'
git --git-dir=.clawmit rev-parse refs/agents/support
git --git-dir="$elsewhere/clone/.clawmit" rev-parse refs/agents/support
git --git-dir=.clawmit log --graph --oneline -n 7 refs/agents/support

printf '\n\033[1m--- a team: an organisation, a teammate who joins it and clones its agents ---\033[m\n'
bob() {
  (cd "$elsewhere" && XDG_CONFIG_HOME="$elsewhere/bob-config" CLAWMIT_AUTHOR_NAME="Bob" \
    CLAWMIT_AUTHOR_EMAIL="bob@example.com" step "$@")
}
step org create acme --name "Acme Inc"
invitation=$("$clawmit" org invite acme bob@example.com --role editor --json |
  sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
printf '(Bob registers on the server and accepts the invitation Ada sent him)\n'
printf 'a long passphrase\n' | bob register --url "$url/api" --email bob@example.com --password-stdin
bob org accept "$invitation" --url "$url/api"
step remote add team "$url/api" --org acme
step push team
bob clone "$url/api" acme-agents --org acme
printf '\nthe same commit id for Ada and for Bob, from the org:\n'
git --git-dir=.clawmit rev-parse refs/agents/support
git --git-dir="$elsewhere/acme-agents/.clawmit" rev-parse refs/agents/support
kill -TERM "$server"; wait "$server" || true; server=""
printf '\nserver log (one line per request, never a token):\n'
cat server.log
