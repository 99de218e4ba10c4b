-- wrk script: POST signed LINE webhook bodies, each with its own webhookEventId,
-- read from the file named by $BODIES (lines "signature<TAB>body", made by loadkit linebodies).
-- Thread k of $THREADS (default 2, as wrk -t) sends bodies k, k+THREADS, … so no two threads
-- send the same event.
local threads = tonumber(os.getenv("THREADS") or "2")
local next_id = 0
setup = function(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
local bodies = {}
init = function(args)
  for l in io.lines(os.getenv("BODIES")) do
    local sig, body = l:match("^([^\t]+)\t(.*)$")
    bodies[#bodies + 1] = { sig = sig, body = body }
  end
end
local n = 0
request = function()
  local b = bodies[((n * threads + tid) % #bodies) + 1]
  n = n + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["x-line-signature"] = b.sig }, b.body)
end
