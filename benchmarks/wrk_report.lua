-- wrk prints latency percentiles 50/75/90/99 only; the harness wants p95 too, as one JSON line.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if line ~= "" then found[#found + 1] = line end
  end
  return found
end

-- BENCH_DISTINCT=1: every request asks for its own address (an extra, ignored query parameter
-- unique per run, thread and request), so no kept copy of a visitor's page can answer it and
-- each request measures the page rendered afresh.
-- BENCH_QUERIES=<file>: as well, the `q=` of the address is replaced by the next line of the
-- file (URL-encoded queries), so every request searches for something else.
-- BENCH_ROTATION=<file>: the addresses to ask for in turn, one per line as "<0|1> <path>";
-- 1 sends BENCH_COOKIE (a member's session), as that member's browser would. Each thread
-- starts at its own place in the rotation.
local distinct = os.getenv("BENCH_DISTINCT") == "1"
local queries_file = os.getenv("BENCH_QUERIES")
local rotation_file = os.getenv("BENCH_ROTATION")

if distinct or rotation_file then
  local threads = 0
  setup = function(thread)
    threads = threads + 1
    thread:set("tid", threads)
  end
  init = function(args)
    started = os.time()
    sent = 0
    if queries_file then queries = lines(queries_file) end
    if rotation_file then
      rotation = {}
      local cookie = os.getenv("BENCH_COOKIE") or ""
      for _, line in ipairs(lines(rotation_file)) do
        local member, path = string.match(line, "^(%d) (.+)$")
        local headers = {}
        for name, value in pairs(wrk.headers) do headers[name] = value end
        if member == "1" then headers["Cookie"] = cookie end
        rotation[#rotation + 1] = {path = path, headers = headers}
      end
      sent = (tid - 1) * 37  -- apart from the other threads (each has a Lua state of its own)
    end
  end
  request = function()
    sent = sent + 1
    if rotation then
      local entry = rotation[(sent - 1) % #rotation + 1]
      return wrk.format(nil, entry.path, entry.headers)
    end
    local path = wrk.path
    if queries then
      local query = queries[((tid - 1) * 7919 + sent - 1) % #queries + 1]
      local replacement = "%1" .. (string.gsub(query, "%%", "%%%%"))
      path = (string.gsub(path, "([?&]q=)[^&]*", replacement, 1))
    end
    local separator = string.find(path, "?", 1, true) and "&" or "?"
    return wrk.format(nil, path .. separator .. "fresh=" .. started .. "-" .. tid .. "-" .. sent)
  end
end
