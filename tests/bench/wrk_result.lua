-- The done() of the wrk scripts in tests/bench (loaded by wrk_bench.lua and wrk_datascale.lua):
-- one machine-readable RESULT line that the shell scripts parse.
function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    -- wrk counts responses with a status >= 400 in errors.status (its "Non-2xx or 3xx");
    -- SignupDesk answers these routes with 200 or an error status, never 1xx/3xx.
    io.write(string.format(
        "RESULT requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
        summary.requests, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        e.status, e.connect + e.read + e.write + e.timeout))
end
