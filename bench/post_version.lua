-- wrk script for bench/server.sh: POST /api/agents/:id/versions, each request
-- a new version with its own commit message and prompt ("bench T-N", "prompt
-- T-N": T the wrk thread, N its request count), so no two bodies are equal;
-- BENCH_PREFIX in the environment goes before T (two wrk writing at once).
-- AGENT_IDS (ids, space-separated) gives each wrk thread an agent of its own,
-- the Nth thread the Nth id (run it with as many threads as connections):
-- writes to several agents at once rather than one.
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

local path = nil

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local ids = {}
  for id in (os.getenv("AGENT_IDS") or ""):gmatch("%S+") do ids[#ids + 1] = id end
  if #ids > 0 then
    path = "/api/agents/" .. ids[((thread_id or 1) - 1) % #ids + 1] .. "/versions"
  end
end

function request()
  sent = sent + 1
  local n = string.format("%s%d-%d", prefix, thread_id or 0, sent)
  return wrk.format(nil, path, nil,
    string.format('{"commitMessage":"bench %s","prompt":"prompt %s"}', n, n))
end
