-- wrk script for bench/tasks.sh: POST /api/tasks for one agent (AGENT_ID in
-- the environment), each with its own title.
local sent = 0
local agent = os.getenv("AGENT_ID")

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  return wrk.format(nil, "/api/tasks", nil, string.format(
    '{"agentId":"%s","title":"bench %d","priority":"high","input":{"n":%d}}', agent, sent, sent))
end
