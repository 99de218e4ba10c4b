-- wrk script: POST signed LINE webhook requests, each with its own webhookEventId, from the file $REQUESTS
-- written by `loadkit linerequests`: raw HTTP requests, each after a line with its length. They are read
-- before wrk starts its clock, so wrk formats nothing per request. Run with -t1: a second thread would
-- send the same events again (and would load its copy while the first thread is already sending).
local threads = 0
setup = function(thread)
  threads = threads + 1
  assert(threads == 1, "line.lua sends each event once: run wrk with -t1")
end
local reqs = {}
init = function(args)
  local f = assert(io.open(os.getenv("REQUESTS"), "rb"))
  while true do
    local len = f:read("*n")
    if not len then break end
    local r = f:read(1) == "\n" and f:read(len)
    assert(r and #r == len, "truncated request " .. (#reqs + 1) .. " in " .. os.getenv("REQUESTS"))
    reqs[#reqs + 1] = r
  end
  f:close()
  assert(#reqs > 0, "no requests in " .. os.getenv("REQUESTS"))
end
local n = 0
request = function()
  n = n % #reqs + 1
  return reqs[n]
end
