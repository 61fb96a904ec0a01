-- wrk reports p50/p75/p90/p99; the benchmark wants p50 and p95, and every answer to be
-- the page itself: wrk counts a redirect (say, to the sign-in page) as a success, so
-- answers other than 200 are counted here (run.py stops on any).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  io.write(string.format("p50_ms=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95_ms=%.2f\n", latency:percentile(95) / 1000))
  io.write(string.format("not_200=%d\n", bad))
end
