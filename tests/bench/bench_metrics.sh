#!/usr/bin/env bash
# The cost of request ids and /metrics on GET /api/v1/user/me throughput (issue 15: goal
# < 3 % fewer req/s). Not a test: not in CTest. Needs wrk and curl.
#
# Runs two programs in turn on the same machine, each `signupdesk --headless` on loopback with
# a throw-away SQLite database, a cheap password cost and rate limits off: BEFORE (a build
# without metrics, e.g. main's) and AFTER (this tree's). For each of BENCH_ROUNDS rounds it
# measures both, alternating which goes first, with wrk -t2 -c BENCH_CONNECTIONS for
# BENCH_DURATION; it prints every run and the median req/s of each, and their difference.
#
#   bash tests/bench/bench_metrics.sh BEFORE_BIN [AFTER_BIN]   (AFTER: build/app/signupdesk)
# Environment: BENCH_DURATION (default 10s), BENCH_CONNECTIONS (16), BENCH_ROUNDS (5).

set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/bench_server.sh"
root=$(cd "$here/../.." && pwd)
before=${1:?usage: bench_metrics.sh BEFORE_BIN [AFTER_BIN]}
after=${2:-$root/build/app/signupdesk}
duration=${BENCH_DURATION:-10s}
conns=${BENCH_CONNECTIONS:-16}
rounds=${BENCH_ROUNDS:-5}
command -v wrk >/dev/null || { echo "bench_metrics.sh: wrk is not installed" >&2; exit 1; }
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^SIGNUPDESK_' || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/signupdesk-benchmetrics.XXXXXX")
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# measure BIN → prints req/s of one wrk run on /api/v1/user/me
measure() {
    local bin=$1 dir
    dir=$(mktemp -d "$work/run.XXXX")
    start_bench_server "$bin" "$dir" bench_metrics.sh
    wrk -t2 -c"$conns" -d2s -H "Authorization: Bearer $ust" "$url/api/v1/user/me" >/dev/null # warm-up
    wrk -t2 -c"$conns" -d"$duration" -H "Authorization: Bearer $ust" -s "$here/wrk_bench.lua" \
        "$url/api/v1/user/me" | sed -n 's/^RESULT .* rps=\([^ ]*\) .*/\1/p'
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

echo "me throughput, before: $before, after: $after; wrk -t2 -c$conns -d$duration, $rounds rounds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
b=() a=()
for ((i = 0; i < rounds; i++)); do
    if ((i % 2 == 0)); then b+=("$(measure "$before")"); a+=("$(measure "$after")")
    else a+=("$(measure "$after")"); b+=("$(measure "$before")"); fi
    echo "round $((i + 1)): before ${b[-1]} req/s, after ${a[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
mb=$(median "${b[@]}"); ma=$(median "${a[@]}")
echo "median: before $mb req/s, after $ma req/s, change $(awk -v b="$mb" -v a="$ma" 'BEGIN {printf "%+.1f %%", (a-b)/b*100}')"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
