-- wrk reports p50/p75/p90/p99; the issue asks for p50 and p95.
done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95_ms=%.2f\n", latency:percentile(95) / 1000))
end
