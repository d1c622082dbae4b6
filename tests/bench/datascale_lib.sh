# Shared by bench_datascale.sh and bench_writes.sh (sourced, not run). Needs: root, here, bin,
# work (a fresh folder on the disk being measured), pg_port. Defines the server/PostgreSQL
# lifecycle, the seeding and one wrk run; cleanup on exit is installed by bench_trap.
# shellcheck source=bench_server.sh
source "$here/bench_server.sh" # launch_headless

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed (apt-get install sqlite3)" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is not installed (apt-get install postgresql-client)" >&2; exit 1; }
[[ -x $bin ]] || { echo "no program at $bin (build it, or set SIGNUPDESK_BIN)" >&2; exit 1; }

# Only these scripts' settings: no SIGNUPDESK_* from the caller.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^SIGNUPDESK_' || true)

wrk_pid=
strace_pid=
pg_started=0
bench_password="Bench-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')-pass"
bench_secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
pg_base="postgresql://signupdesk:signupdesk@127.0.0.1:$pg_port"
wrk_threads=2

server_pids=()

# stop_pid PID: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
    if kill -0 "$1" 2>/dev/null; then
        kill -TERM "$1" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null || true
    fi
}

stop_servers() {
    local pid
    for pid in "${server_pids[@]}"; do stop_pid "$pid"; done
    server_pids=()
}

bench_cleanup() {
    local status=$?
    if [[ -n $wrk_pid ]]; then kill -TERM "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true; fi
    [[ -n $strace_pid ]] && strace_count_stop
    stop_servers
    if ((pg_started)); then
        bash "$root/tests/support/postgres-fixture.sh" stop "$pg_port" "$work/pgdata" >/dev/null || true
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
    exit "$status"
}

bench_trap() {
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

pg_super() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }

# The test fixture runs PostgreSQL with fsync and synchronous_commit off (test speed); a
# benchmark of durable writes needs them on, as in production.
pg_start() {
    # (No descriptors above 2 for PostgreSQL either: see start_server.)
    bash "$root/tests/support/postgres-fixture.sh" start "$pg_port" "$work/pgdata" >"$work/pg.out" \
        3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
    pg_started=1
    pg_super -d postgres -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
        -c "ALTER SYSTEM SET full_page_writes = on" \
        -c "SELECT pg_reload_conf()" >/dev/null
}

# pg_reset NAME: a fresh, empty database NAME owned by signupdesk (nothing may be connected).
pg_reset() {
    pg_super -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 OWNER signupdesk" >/dev/null
}

pg_settings() {
    pg_super -d postgres -At -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
        WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers')"
}

# prepare_db BACKEND ACCOUNTS PENDING DIR: a config in DIR, a migrated database holding one
# super-user (whose argon2id hash, made by the program at the configured cost, all seeded
# accounts share), then ACCOUNTS seeded accounts and PENDING pending ones (seed_accounts.py).
# On PostgreSQL the database is named after DIR. Sets seed_seconds and db_url; dbq SQL runs
# one query on that database.
prepare_db() {
    local backend=$1 accounts=$2 pending=$3 dir=$4
    mkdir -p "$dir"
    local pg_url=
    db_url="sqlite:$dir/data/signupdesk.db"
    if [[ $backend == postgresql ]]; then
        local name
        name=bench_$(basename "$dir" | tr -c 'a-z0-9\n' '_')
        pg_url=$pg_base/$name
        db_url=$pg_url
        pg_reset "$name"
    fi
    {
        echo "[server]"
        echo "listen=127.0.0.1"
        echo "port=0"
        echo "[database]"
        echo "url=$db_url"
        echo "[mail]"
        echo "folder=$dir/mail"
        echo "[ratelimit]"
        echo "enabled=false"
        echo "[session]"
        echo "cache_ms=0"
        echo "[security]"
        echo "secret=$bench_secret"
        if [[ ${BENCH_PASSWORD_COST:-test} == test ]]; then
            # The cost the tests use (tests/*: memory_kib=64, iterations=1): login and signup
            # then measure the lookups and writes, not argon2id.
            echo "[password]"
            echo "memory_kib=64"
            echo "iterations=1"
        fi
    } >"$dir/signupdesk.ini"
    printf '%s\n' "$bench_password" | "$bin" --config "$dir/signupdesk.ini" admin create-superuser \
        benchadmin benchadmin@example.com >/dev/null
    local hash
    hash=$(dbq "$db_url" "SELECT password_hash FROM users WHERE username_key = 'benchadmin'")
    local start=$EPOCHREALTIME
    python3 "$here/seed_accounts.py" --dialect "$backend" --accounts "$accounts" --pending "$pending" \
        --password-hash "$hash" --secret "$bench_secret" --now-ms "$(date +%s%3N)" --out "$dir" \
        >"$dir/seed.sql"
    if [[ $backend == sqlite ]]; then
        sqlite3 -bail "$dir/data/signupdesk.db" <"$dir/seed.sql" >/dev/null
    else
        psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$dir/seed.sql" >/dev/null
    fi
    seed_seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    rm -f "$dir/seed.sql"
}

# start_server DIR → url, server_pid (stopped by stop_servers)
start_server() {
    local dir=$1
    launch_headless "$bin" "$dir/signupdesk.ini" "$dir/server.out" "$dir/server.err" \
        "$(basename "$0")" 60
    server_pids+=("$server_pid")
    # One of each request by hand, so a broken setup fails here and not as a run of errors.
    local ust
    ust=$(head -n 1 "$dir/sessions.txt")
    curl -sf -H "Authorization: Bearer $ust" "$url/api/v1/user/me" >/dev/null ||
        { echo "GET /api/v1/user/me with a seeded session failed" >&2; exit 1; }
    curl -sf -H 'Content-Type: application/json' \
        -d "{\"username\":\"user1\",\"password\":\"$bench_password\"}" "$url/api/v1/login" >/dev/null ||
        { echo "POST /api/v1/login as a seeded account failed" >&2; exit 1; }
}

# run_wrk MODE CONNECTIONS DURATION [VAR=value…] → rps p50 p99 non2xx sockerr requests
run_wrk() {
    local mode=$1 conns=$2 duration=$3
    shift 3
    local out=$work/wrk-$mode-c$conns-$RANDOM.txt threads=$wrk_threads
    ((conns < threads)) && threads=$conns
    env "$@" BENCH_MODE="$mode" BENCH_THREADS=$threads BENCH_PASSWORD="$bench_password" \
        wrk -t"$threads" -c"$conns" -d"$duration" --timeout 10s --latency \
        -s "$here/wrk_datascale.lua" "$url" >"$out" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=
    local line
    line=$(grep '^RESULT ' "$out") || { echo "no RESULT from wrk:" >&2; cat "$out" >&2; exit 1; }
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    rps=$(field rps); p50=$(field p50_ms); p99=$(field p99_ms)
    non2xx=$(field non2xx); sockerr=$(field socket_errors); requests=$(field requests)
    # wrk runs for the whole duration even when every thread stopped early, so a verify run that
    # spent all its tokens would understate req/s: say so (give it more BENCH_VERIFY_TOKENS).
    local arg
    for arg in "$@"; do
        if [[ $mode == verify && $arg == BENCH_FILE=* ]] && ((requests >= $(wc -l <"${arg#BENCH_FILE=}"))); then
            echo "WARNING: the verify run used every token of ${arg#BENCH_FILE=}: its req/s is too low" >&2
        fi
    done
}

# verify_with_curl FILE: POST /api/v1/user/verify-email/ once per line "email token" of FILE, one
# after the other; fails on any answer but 200.
verify_with_curl() {
    local email token
    while read -r email token; do
        curl -sf -o /dev/null -H 'Content-Type: application/json' \
            -d "{\"email\":\"$email\",\"token\":\"$token\"}" "$url/api/v1/user/verify-email/" ||
            { echo "verification of $email failed" >&2; exit 1; }
    done <"$1"
}

# dbq DB_URL SQL: one query's rows, unaligned, on SQLite or PostgreSQL.
dbq() {
    if [[ $1 == sqlite:* ]]; then sqlite3 "${1#sqlite:}" "$2"; else psql -X -At "$1" -c "$2"; fi
}

# drain_outbox DB_URL: lets the mail the last run queued go out (its sending is part of a
# write's cost) before the next run starts.
drain_outbox() {
    for _ in $(seq 1200); do
        (($(dbq "$1" "SELECT count(*) FROM outbox WHERE status IN ('queued', 'processing')") == 0)) && return
        sleep 0.2
    done
}

# strace_count_start PID FILE SYSCALLS: counts the system calls SYSCALLS (comma-separated) of
# every thread of PID into FILE until strace_count_stop. strace slows the traced process: only
# the counts mean anything, never the times of a run under it.
strace_count_start() {
    strace -f -qq -c -e trace="$3" -o "$2" -p "$1" &
    strace_pid=$!
    sleep 1
}
strace_count_stop() {
    kill -INT "$strace_pid"
    wait "$strace_pid" 2>/dev/null || true
    strace_pid=
}
# syscall_calls FILE NAME: the number of calls of NAME that strace -c counted in FILE.
syscall_calls() { awk -v n="$2" '$NF == n { s += $4 } END { print s + 0 }' "$1"; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
