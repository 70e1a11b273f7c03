-- wrk script for bench/load.py: each request is one voter's ballot POST, read from the file
-- named by BALLOTS_FILE (one "path<TAB>cookie<TAB>form body" line per voter). The wrk threads
-- take interleaved voters, so no two threads cast for the same person at the same time.
local lines = {}
for line in io.lines(os.getenv("BALLOTS_FILE")) do
  local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
  table.insert(lines, {path = path, cookie = cookie, body = body})
end

local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end

local index, step
function init(args)
  index = tonumber(wrk.thread:get("first")) or 0
  step = tonumber(os.getenv("WRK_THREADS") or "2")
end

function request()
  local ballot = lines[(index % #lines) + 1]
  index = index + step
  return wrk.format("POST", ballot.path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "participation_session=" .. ballot.cookie,
  }, ballot.body)
end
