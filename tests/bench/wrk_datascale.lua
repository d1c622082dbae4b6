-- wrk script of tests/bench/bench_datascale.sh and bench_writes.sh. BENCH_MODE chooses:
--   me      GET /api/v1/user/me with a Bearer token taken in turn from BENCH_FILE (one per line)
--   login   POST /api/v1/login as user<random 1..BENCH_ACCOUNTS> with BENCH_PASSWORD
--   signup  POST /api/v1/signup with a new username and address on every request
--   verify  POST /api/v1/user/verify-email/ with the lines "email token" of BENCH_FILE, each line
--           used once: thread t of T takes lines t, t+T, …; a thread that has none left stops.
-- done() prints one RESULT line (the same fields as wrk_bench.lua) that the scripts parse.

-- done() (the RESULT line) lives beside this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_result.lua")

local mode = os.getenv("BENCH_MODE")
local threads = {}
local counter = 1

function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

local function lines(path)
    local t = {}
    for l in io.lines(path) do
        if l ~= "" then t[#t + 1] = l end
    end
    return t
end

local items, next_item, nthreads, prefix, seq

function init(args)
    nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
    seq = 0
    prefix = (os.getenv("BENCH_PREFIX") or "s") .. "t" .. tid .. "x"
    if mode == "me" or mode == "verify" then
        local all = lines(os.getenv("BENCH_FILE"))
        items = {}
        for i = tid, #all, nthreads do items[#items + 1] = all[i] end
        next_item = 1
    end
    math.randomseed(os.time() * 100 + tid)
end

local accounts = tonumber(os.getenv("BENCH_ACCOUNTS") or "1")
local password = os.getenv("BENCH_PASSWORD") or ""
local json = { ["Content-Type"] = "application/json" }

function request()
    if mode == "me" then
        local t = items[next_item]
        next_item = next_item % #items + 1
        return wrk.format("GET", "/api/v1/user/me", { ["Authorization"] = "Bearer " .. t })
    elseif mode == "login" then
        local body = string.format('{"username":"user%d","password":"%s"}',
                                   math.random(1, accounts), password)
        return wrk.format("POST", "/api/v1/login", json, body)
    elseif mode == "signup" then
        seq = seq + 1
        local name = prefix .. seq
        local body = string.format('{"username":"%s","email":"%s@example.com","password":"%s"}',
                                   name, name, password)
        return wrk.format("POST", "/api/v1/signup", json, body)
    elseif mode == "verify" then
        local line = items[next_item]
        if line == nil then
            -- Every token of this thread is spent: stop, and send a last harmless request
            -- (an unknown token answers 400 like any used one; it is counted in non2xx). wrk
            -- still waits for the whole duration, so the scripts warn that req/s is too low.
            wrk.thread:stop()
            line = "nobody@example.invalid x"
        end
        next_item = next_item + 1
        local email, token = line:match("^(%S+) (%S+)$")
        local body = string.format('{"email":"%s","token":"%s"}', email, token)
        return wrk.format("POST", "/api/v1/user/verify-email/", json, body)
    end
    return wrk.format("GET", "/healthz")
end
