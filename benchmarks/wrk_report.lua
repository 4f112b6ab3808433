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

-- BENCH_DISTINCT=1: every request asks for its own address (an extra, ignored query parameter
-- unique per run, thread and request), so no kept copy of a visitor's page can answer it and
-- each request measures the page rendered afresh.
if os.getenv("BENCH_DISTINCT") == "1" then
  local threads = 0
  setup = function(thread)
    threads = threads + 1
    thread:set("tid", threads)
  end
  init = function(args)
    started = os.time()
    sent = 0
  end
  request = function()
    sent = sent + 1
    local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
    return wrk.format(nil, wrk.path .. separator .. "fresh=" .. started .. "-" .. tid .. "-" .. sent)
  end
end
