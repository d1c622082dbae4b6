#!/usr/bin/env bash
# GET /api/v1/user/me on SQLite and on PostgreSQL side by side, with the session cache off
# and on (issue 16 item 3: PostgreSQL with the cache off reaches >= 70 % of SQLite on one
# instance; with the cache on, no slower than before). Not a test: not in CTest.
#
# Starts a throw-away PostgreSQL (tests/support/postgres-fixture.sh) on BENCH_PG_PORT, then
# for each of sqlite/postgresql × cache off/on: writes a config (loopback, port 0, rate limits
# off, session/cache_ms 0 or 1000), makes a super-user, starts `signupdesk --headless`, logs in
# for a `ust` (or BENCH_SESSIONS of them) and runs wrk on GET /api/v1/user/me at each of
# BENCH_CONNECTIONS. Prints a table and the PostgreSQL ÷ SQLite ratios, with the load average
# before and after (other jobs on the machine skew the figures: rerun when it is high), and the
# CPU time per request of the instance and of the PostgreSQL server (process CPU time ÷
# requests: less disturbed by other jobs than req/s).
#
# Environment:
#   BENCH_DURATION     wrk duration of each run (default 10s)
#   BENCH_CONNECTIONS  connection counts (default "16 64"), run with -t2
#   BENCH_PG_PORT      the throw-away PostgreSQL's port (default 25466)
#   BENCH_SERVER_THREADS  server/threads of the instance (default: the server's own default)
#   BENCH_SESSIONS     sessions (logins) whose tokens wrk sends in turn (default 1)
#   SIGNUPDESK_BIN     the program (default <repo>/build/app/signupdesk)
#   BENCH_KEEP=1       keep the work folder

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench_server.sh
source "$here/bench_server.sh"
root=$(cd "$here/../.." && pwd)
bin=${SIGNUPDESK_BIN:-$root/build/app/signupdesk}
duration=${BENCH_DURATION:-10s}
[[ $duration =~ ^[0-9]+$ ]] && duration="${duration}s"
connections=${BENCH_CONNECTIONS:-16 64}
pg_port=${BENCH_PG_PORT:-25466}
sessions=${BENCH_SESSIONS:-1}
[[ $sessions =~ ^[1-9][0-9]*$ ]] || { echo "bench_session.sh: BENCH_SESSIONS must be a positive number" >&2; exit 1; }
lua=$here/wrk_bench.lua

command -v wrk >/dev/null || { echo "bench_session.sh: wrk is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench_session.sh: curl is not installed" >&2; exit 1; }
[[ -x $bin ]] || { echo "bench_session.sh: no program at $bin" >&2; exit 1; }
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^SIGNUPDESK_' || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/signupdesk-bench-session.XXXXXX")
chmod 755 "$work"
server_pid=
wrk_pid=
pg_started=0

stop_server() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() {
    local status=$?
    if [[ -n $wrk_pid ]]; then kill -TERM "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true; fi
    stop_server
    if (( pg_started )); then
        bash "$root/tests/support/postgres-fixture.sh" stop "$pg_port" "$work/pgdata" >/dev/null || true
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash "$root/tests/support/postgres-fixture.sh" start "$pg_port" "$work/pgdata" >"$work/pg.out"
pg_started=1
pg_data=$(sed -n 's/.*(data: \(.*\))$/\1/p' "$work/pg.out")
pg_pid=$(head -n 1 "$pg_data/postmaster.pid")
pg_url="postgresql://signupdesk:signupdesk@127.0.0.1:$pg_port/signupdesk_test"

# start_instance BACKEND CACHE_MS → sets url, ust (and server_pid)
start_instance() {
    local backend=$1 cache_ms=$2 dir=$work/$1-$2
    mkdir -p "$dir"
    local db_url="sqlite:$dir/data/signupdesk.db"
    [[ $backend == postgresql ]] && db_url=$pg_url
    {
        echo "[server]"
        echo "listen=127.0.0.1"
        echo "port=0"
        [[ -n ${BENCH_SERVER_THREADS:-} ]] && echo "threads=$BENCH_SERVER_THREADS"
        echo "[database]"
        echo "url=$db_url"
        echo "[mail]"
        echo "folder=$dir/mail"
        echo "[ratelimit]"
        echo "enabled=false"
        echo "[session]"
        echo "cache_ms=$cache_ms"
    } >"$dir/signupdesk.ini"
    local user=bench$RANDOM$RANDOM
    local password="Load-test-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$password" | "$bin" --config "$dir/signupdesk.ini" admin create-superuser \
        "$user" "$user@example.com" >/dev/null
    launch_headless "$bin" "$dir/signupdesk.ini" "$dir/server.out" "$dir/server.err" \
        bench_session.sh
    : >"$work/tokens"
    for _ in $(seq "$sessions"); do
        ust=$(curl -sf -H 'Content-Type: application/json' \
                  -d "$(printf '{"username":"%s","password":"%s"}' "$user" "$password")" \
                  "$url/api/v1/login" | sed -n 's/.*"ust":"\([^"]*\)".*/\1/p')
        [[ -n $ust ]] || { echo "bench_session.sh: login failed" >&2; exit 1; }
        echo "$ust" >>"$work/tokens"
    done
    curl -sf -H "Authorization: Bearer $ust" "$url/api/v1/user/me" >/dev/null ||
        { echo "bench_session.sh: GET /api/v1/user/me failed" >&2; exit 1; }
}

cpu_ticks() { # cpu_ticks PID...: user + system CPU time of these processes, in clock ticks
    local total=0 pid t
    for pid in "$@"; do
        t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || t=0
        total=$((total + t))
    done
    echo "$total"
}
pg_ticks() { # the PostgreSQL server: the postmaster and its children (backends, workers)
    if [[ $backend == postgresql ]]; then cpu_ticks "$pg_pid" $(pgrep -P "$pg_pid"); else echo 0; fi
}

run_wrk() { # run_wrk CONNECTIONS → rps p50 p99 non2xx server_us pg_us
    local out=$work/wrk.txt tokens=
    (( sessions > 1 )) && tokens=$work/tokens
    local s0 p0 s1 p1
    s0=$(cpu_ticks "$server_pid"); p0=$(pg_ticks)
    BENCH_TOKENS=$tokens wrk -t2 -c"$1" -d"$duration" --timeout 10s --latency -s "$lua" \
        -H "Authorization: Bearer $ust" "$url/api/v1/user/me" >"$out" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=
    s1=$(cpu_ticks "$server_pid"); p1=$(pg_ticks)
    local line
    line=$(grep '^RESULT ' "$out") || { echo "bench_session.sh: no RESULT from wrk" >&2; cat "$out" >&2; exit 1; }
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    rps=$(field rps); p50=$(field p50_ms); p99=$(field p99_ms); non2xx=$(field non2xx)
    local requests hz
    requests=$(field requests); hz=$(getconf CLK_TCK)
    server_us=$(awk -v t=$((s1 - s0)) -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.0f", n ? t * 1e6 / hz / n : 0 }')
    pg_us=$(awk -v t=$((p1 - p0)) -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.0f", n ? t * 1e6 / hz / n : 0 }')
}

echo "SignupDesk session-check benchmark: $(nproc) cores, wrk -t2 -d $duration, $sessions session(s), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "program: $bin"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (anything else using the CPU skews the figures)"
declare -A result
rows=()
for cache in 0 1000; do
    for backend in sqlite postgresql; do
        start_instance "$backend" "$cache"
        for c in $connections; do
            run_wrk "$c"
            result[$backend-$cache-$c]=$rps
            rows+=("$(printf '%-12s %8s %5s %10s %9s %9s %8s %10s %8s' "$backend" "$cache" "$c" "$rps" "$p50" "$p99" "$non2xx" "$server_us" "$pg_us")")
        done
        stop_server
    done
done
echo
printf '%-12s %8s %5s %10s %9s %9s %8s %10s %8s\n' database cache_ms conns req/s p50_ms p99_ms non-2xx \
    server_us pg_us
printf '%s\n' "${rows[@]}"
echo
for cache in 0 1000; do
    for c in $connections; do
        awk -v p="${result[postgresql-$cache-$c]}" -v s="${result[sqlite-$cache-$c]}" \
            -v c="$c" -v k="$cache" \
            'BEGIN { printf "cache_ms=%s c%s: PostgreSQL / SQLite = %.0f / %.0f = %.2f\n", k, c, p, s, p / s }'
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
