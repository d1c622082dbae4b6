-- wrk script for tests/bench/bench_http.sh.
--   BENCH_MODE=login: POST /api/v1/login with {"username": BENCH_USER, "password": BENCH_PASSWORD}
--   BENCH_TOKENS=FILE: the request as given, with "Authorization: Bearer <token>" taken in
--     turn from FILE's lines (one session token a line: many sessions, bench_session.sh)
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

local tokens_file = os.getenv("BENCH_TOKENS")
if tokens_file and tokens_file ~= "" then
    local tokens = {}
    for line in io.lines(tokens_file) do
        if line ~= "" then tokens[#tokens + 1] = line end
    end
    local next_token = 0
    function init(args)
        -- each wrk thread starts at its own place in the list
        next_token = math.random(#tokens) - 1
    end
    function request()
        next_token = next_token % #tokens + 1
        wrk.headers["Authorization"] = "Bearer " .. tokens[next_token]
        return wrk.format()
    end
end
