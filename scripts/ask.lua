-- wrk script: GET /api/ask with the questions in scripts/loadtest/questions.txt in turn. Requests are
-- formatted once in init: per request wrk only calls request() and copies the string it returns.
local function enc(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local reqs = {}
init = function(args)
  for l in io.lines("scripts/loadtest/questions.txt") do
    local q = l:match("^%s*(.-)%s*$")
    if q ~= "" and q:sub(1, 1) ~= "#" then
      reqs[#reqs + 1] = wrk.format("GET", "/api/ask?q=" .. enc(q))
    end
  end
  assert(#reqs > 0, "no questions in scripts/loadtest/questions.txt")
end
local n = 0
request = function()
  n = n + 1
  return reqs[(n % #reqs) + 1]
end
