-- wrk script: GET /api/ask with a rotating set of questions (Japanese, kana, English, not covered).
local qs = {
  "ハザードマップの担当は？", "who handles hazard maps?", "ごみの分別について知りたい", "はざーどまっぷ",
  "コンビニで税金を払える？", "総務課は何をしていますか", "今日の天気は？", "Which department inspects bridges?",
}
local function enc(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local paths = {}
for i, q in ipairs(qs) do paths[i] = "/api/ask?q=" .. enc(q) end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
