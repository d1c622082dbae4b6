-- wrk script for tests/bench/bench_http.sh.
--   BENCH_MODE=login: POST /api/v1/login with {"username": BENCH_USER, "password": BENCH_PASSWORD}
--   otherwise: the request as given on the wrk command line (GET, with -H for the bearer token)
-- done() prints one machine-readable RESULT line that bench_http.sh parses.

-- done() (the RESULT line) lives beside this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_result.lua")

if os.getenv("BENCH_MODE") == "login" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.body = string.format('{"username":"%s","password":"%s"}',
                             os.getenv("BENCH_USER"), os.getenv("BENCH_PASSWORD"))
end
