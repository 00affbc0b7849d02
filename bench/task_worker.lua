-- wrk script for bench/tasks.sh: each connection is a worker that claims a
-- task (POST /api/tasks/claim), completes it (PATCH /api/tasks/:id with
-- status completed and an output), and claims the next. A 204 (the queue is
-- empty) is followed by another claim.
-- Usage: wrk -s bench/task_worker.lua -H "Authorization: Bearer KEY" http://HOST:PORT

local claim_body = '{"leaseSeconds":60}'
local next_id = nil
completed = 0

function init(args)
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if next_id then
    local id = next_id
    next_id = nil
    completed = completed + 1
    return wrk.format("PATCH", "/api/tasks/" .. id, nil,
      '{"status":"completed","output":{"answer":"done"}}')
  end
  return wrk.format("POST", "/api/tasks/claim", nil, claim_body)
end

function response(status, headers, body)
  if status == 200 then
    local id = body:match('"id":"(task_[%w]+)"')
    if id and body:find('"status":"running"', 1, true) then next_id = id end
  end
end
