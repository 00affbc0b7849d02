# shellcheck shell=bash disable=SC2034,SC2154
# Shell shared by bench/server.sh and bench/server_postgres.sh (sourced, not
# run): the machine line, a server started with the rate limits out of the
# way, the API calls that set up an account, and wrk's output as one row of a
# markdown table.

# The machine, its load and the file system of folder $1.
machine_line() {
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)," \
    "$(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); data on $(df -T "$1" | awk 'NR==2 {print $2}')"
}

# start_server SERVE DIR [ARGS…]: SERVE on a free loopback port with its data
# in DIR/data, stdout and stderr in DIR/server.out and DIR/server.log; the
# environment passes through (DATABASE_URL, JWT_SECRET). Sets server_pid and
# server_base (http://127.0.0.1:PORT); exits when it does not start. Limits
# far above what wrk sends: the throughput, not the 429s, is measured.
start_server() {
  local serve=$1 dir=$2 port
  shift 2
  mkdir -p "$dir"
  "$serve" --host 127.0.0.1 --port 0 --data-dir "$dir/data" \
    --rate-limit-per-minute 1000000000000 --rate-limit-per-day 1000000000000 \
    --rate-limit-health 1000000000000 "$@" >"$dir/server.out" 2>"$dir/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q '^listening on' "$dir/server.out" && break
    sleep 0.1
  done
  port=$(sed -n 's|^listening on http://.*:\([0-9]*\) (.*|\1|p' "$dir/server.out")
  [[ -n $port ]] || { echo "the server did not start:" && cat "$dir/server.log"; exit 1; } >&2
  server_base="http://127.0.0.1:$port"
}

# api METHOD PATH TOKEN [BODY]: the answer's body from $base; fails unless 2xx.
api() {
  curl -sS --fail-with-body -X "$1" "$base$2" -H "Authorization: Bearer $3" \
    -H 'Content-Type: application/json' ${4:+-d "$4"}
}
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# wrk_row NAME CONNECTIONS FILE…: one table row from the output of one wrk
# (or of several run at once against different servers: requests/s summed,
# the worse p50 and p99, errors summed).
wrk_row() {
  local name=$1 connections=$2
  shift 2
  awk -v name="$name" -v c="$connections" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000
      if (v ~ /s$/) return v * 1000
      return v + 0
    }
    /^ +50%/ { v = ms($2); if (v > p50) p50 = v }
    /^ +99%/ { v = ms($2); if (v > p99) p99 = v }
    /^Requests\/sec:/ { rps += $2 }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { errors += ($4 + 0) + ($6 + 0) + ($8 + 0); timeouts += $10 + 0 }
    END {
      printf "| %s | %d | %.0f | %.2f ms | %.2f ms | %d | %d | %d |\n",
        name, c, rps, p50, p99, bad, errors, timeouts
    }' "$@"
}
