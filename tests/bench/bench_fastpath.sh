#!/usr/bin/env bash
# CPU time per request of GET /healthz and GET /api/v1/user/me (issue 19), for one build or
# two side by side: the figure that decides the ratio against the Fastify peer when wrk and
# the server share the cores, and the one that moves least with the machine's load.
#
#   tests/bench/bench_fastpath.sh [BIN ...]            # default: build/app/signupdesk
#   BENCH_PERF=1 tests/bench/bench_fastpath.sh BIN     # also a perf profile of each run
#
# For each build and round: a fresh `signupdesk --headless` (throw-away SQLite, rate limits
# off, a cheap password cost: the login before the runs is not measured), one superuser
# logged in, then wrk -t2 on /healthz at 16 connections and on /api/v1/user/me at 64, each
# after a 1 s warm-up. It reads the server's user and system CPU time from /proc before and
# after each run and prints req/s and CPU ms per request (CPU time ÷ requests wrk counted),
# with the load average. Builds alternate within a round, and the order flips every round.
# With BENCH_PERF=1 each run is recorded (perf record -g) and the top symbols printed; the
# profile makes the figures of that run higher.
# Not a test: not in CTest. Needs wrk and curl (and perf for BENCH_PERF=1).
# Settings: BENCH_DURATION (5s), BENCH_ROUNDS (2), BENCH_KEEP=1 keeps the work folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/bench_server.sh"
root=$(cd "$here/../.." && pwd)
duration=${BENCH_DURATION:-5s}
rounds=${BENCH_ROUNDS:-2}
bins=("$@")
((${#bins[@]})) || bins=("$root/build/app/signupdesk")
for b in "${bins[@]}"; do
    [[ -x $b ]] || { echo "bench_fastpath.sh: not an executable: $b" >&2; exit 2; }
done
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench_fastpath.sh: needs $tool" >&2; exit 2; }
done
if [[ ${BENCH_PERF:-0} == 1 ]] && ! command -v perf >/dev/null; then
    echo "bench_fastpath.sh: BENCH_PERF=1 needs perf" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/signupdesk-bench-fastpath.XXXXXX")
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    [[ ${BENCH_KEEP:-0} == 1 ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

ticks=$(getconf CLK_TCK)
# The server's user + system CPU time in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run LABEL URL CONNS [wrk options] → one line of the table
run() {
    local label=$1 url=$2 conns=$3
    shift 3
    wrk -t2 -c"$conns" -d1s "$@" "$url" >/dev/null # warm-up
    local before after out requests rps perf_pid=
    if [[ ${BENCH_PERF:-0} == 1 ]]; then
        perf record -g -q -o "$work/perf.data" -p "$server_pid" >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.3
    fi
    before=$(cpu_ticks "$server_pid")
    out=$(wrk -t2 -c"$conns" -d"$duration" "$@" "$url")
    after=$(cpu_ticks "$server_pid")
    if [[ -n $perf_pid ]]; then
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" 2>/dev/null || true
    fi
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    awk -v l="$label" -v c="$conns" -v r="$rps" -v n="$requests" -v t=$((after - before)) \
        -v hz="$ticks" -v load="$(cut -d' ' -f1 /proc/loadavg)" -v bin="$bin_label" \
        'BEGIN { printf "%-22s %5d %10.1f %10.4f %6s  %s\n", l, c, r, t * 1000 / hz / n, load, bin }'
    if [[ -n $perf_pid ]]; then
        perf report -i "$work/perf.data" --no-children -g none --sort dso,sym 2>/dev/null |
            grep -v '^#' | grep -v '^$' | head -25 | sed 's/^/    /' || true
    fi
}

measure() {
    local bin=$1 dir
    dir=$(mktemp -d "$work/run.XXXX")
    start_bench_server "$bin" "$dir" bench_fastpath.sh
    run "GET /healthz" "$url/healthz" 16
    run "GET /api/v1/user/me" "$url/api/v1/user/me" 64 -H "Authorization: Bearer $ust"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

echo "bench_fastpath.sh: wrk -t2 -d$duration, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '%-22s %5s %10s %10s %6s  %s\n' endpoint conns req/s "CPU ms/req" load build
for ((round = 0; round < rounds; round++)); do
    order=("${bins[@]}")
    if ((round % 2 == 1)); then
        order=()
        for ((i = ${#bins[@]} - 1; i >= 0; i--)); do order+=("${bins[$i]}"); done
    fi
    for bin in "${order[@]}"; do
        bin_label=$bin
        measure "$bin"
    done
done
