-- wrk script for POST /api/v1/models/{name}/predict with a fixed random payload (like the peer's post.lua).
-- usage: wrk -t2 -c16 -d10s --latency -s predict.lua URL -- <batch> <key_file>
function init(args)
  local batch = tonumber(args[1] or "1")
  local f = assert(io.open(args[2], "r"))
  local key = f:read("*l")
  f:close()
  math.randomseed(12345)
  local rows = {}
  for i = 1, batch do
    local v = {}
    for j = 1, 30 do v[j] = string.format("%.6f", math.random() * 4 - 2) end
    rows[i] = "[" .. table.concat(v, ", ") .. "]"
  end
  wrk.body = '{"instances": [' .. table.concat(rows, ", ") .. ']}'
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. key
end
