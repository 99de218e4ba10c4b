-- wrk script: POST signed LINE webhook bodies, each with its own webhookEventId,
-- read from the file named by $BODIES (lines "signature<TAB>body", made by loadkit linebodies).
local bodies = {}
init = function(args)
  for l in io.lines(os.getenv("BODIES")) do
    local sig, body = l:match("^([^\t]+)\t(.*)$")
    bodies[#bodies + 1] = { sig = sig, body = body }
  end
end
local n = 0
request = function()
  n = n + 1
  local b = bodies[(n % #bodies) + 1]
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["x-line-signature"] = b.sig }, b.body)
end
