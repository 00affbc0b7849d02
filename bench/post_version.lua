-- wrk script for bench/server.sh: POST /api/agents/:id/versions, each request
-- a new version with its own commit message and prompt ("bench T-N", "prompt
-- T-N": T the wrk thread, N its request count), so no two bodies are equal;
-- BENCH_PREFIX in the environment goes before T (two wrk writing at once).
-- Usage: wrk -s bench/post_version.lua -H "Authorization: Bearer KEY" \
--          http://HOST:PORT/api/agents/ID/versions

local threads = 0

-- Runs in the main state once per thread, before init: numbers the threads.
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local sent = 0
local prefix = os.getenv("BENCH_PREFIX") or ""

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local n = string.format("%s%d-%d", prefix, thread_id or 0, sent)
  return wrk.format(nil, nil, nil,
    string.format('{"commitMessage":"bench %s","prompt":"prompt %s"}', n, n))
end
