-- wrk: GET /k<i> with i drawn from Zipf(s) over N keys (env ZIPF_N, ZIPF_S; seed ZIPF_SEED).
local n = tonumber(os.getenv("ZIPF_N") or "100000")
local s = tonumber(os.getenv("ZIPF_S") or "0.99")
local cdf = {}
local total = 0
for i = 1, n do total = total + 1 / (i ^ s); cdf[i] = total end
for i = 1, n do cdf[i] = cdf[i] / total end
math.randomseed(tonumber(os.getenv("ZIPF_SEED") or "1"))

local function draw()
  local u, lo, hi = math.random(), 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

request = function()
  return wrk.format("GET", "/k" .. draw())
end
