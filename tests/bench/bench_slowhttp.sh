#!/usr/bin/env bash
# Slow-client attacks on a real `signupdesk --headless` with slowhttptest (Debian package
# `slowhttptest`). A benchmark, not a test: CTest does not run it.
#
# For each attack it runs slowhttptest (1000 connections opened at 200/s, 50 s) from
# 127.0.0.1 and, meanwhile, a probe that fetches /healthz every 0.5 s from 127.0.0.2 (another
# client address: the attacker's own address meets the per-address connection cap, 503, by
# design). It prints slowhttptest's verdict, the probe's statuses and latencies, and the
# server's peak RSS.
#   H  slow headers (slowloris): a header line every 10 s, up to 24 bytes
#   B  slow body: POST /api/v1/signup declaring 8 KiB, 10 bytes every 10 s
#   X  slow read: reads 32 bytes every 3 s with a 512-1024 byte receive window
#
# Environment:
#   SIGNUPDESK_BIN   the program (default <repo>/build/app/signupdesk)
#   SLOW_SECONDS     length of each attack (default 50)
#   SLOW_ATTACKS     which attacks (default "H B X")

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIGNUPDESK_BIN:-$root/build/app/signupdesk}
seconds=${SLOW_SECONDS:-50}
attacks=${SLOW_ATTACKS:-H B X}

command -v slowhttptest >/dev/null || apt-get install -y -q --no-install-recommends slowhttptest >/dev/null
command -v curl >/dev/null || { echo "bench_slowhttp.sh: curl is not installed" >&2; exit 1; }
[[ -x $bin ]] || { echo "bench_slowhttp.sh: no program at $bin (build it, or set SIGNUPDESK_BIN)" >&2; exit 1; }
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^SIGNUPDESK_' || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/signupdesk-slow.XXXXXX")
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/signupdesk.ini" <<EOF
[server]
port=0
[database]
url=sqlite:$work/signupdesk.db
[mail]
folder=$work/mail
EOF
"$bin" --headless --config "$work/signupdesk.ini" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/server.out")
[[ -n $url ]] || { echo "bench_slowhttp.sh: the server did not start" >&2; cat "$work/server.err" >&2; exit 1; }
echo "server $url, RSS at start: $(awk '/VmRSS/ {print $2, $3}' /proc/$server_pid/status)"

probe() {
    local n=$1 i
    for ((i = 0; i < n; ++i)); do
        curl --interface 127.0.0.2 -s -o /dev/null -m 5 -w '%{http_code} %{time_total}\n' "$url/healthz" || echo "000 5"
        sleep 0.5
    done
}

printf '%-14s %-10s %-28s %-22s %s\n' attack available "probe statuses" "probe p50 / max (s)" "peak RSS"
for attack in $attacks; do
    case $attack in
        H) name="slow headers"; args=(-H -c 1000 -i 10 -r 200 -t GET -u "$url/healthz" -x 24) ;;
        B) name="slow body"; args=(-B -c 1000 -i 10 -r 200 -s 8192 -t POST -u "$url/api/v1/signup" -x 10) ;;
        X) name="slow read"; args=(-X -c 1000 -r 200 -w 512 -y 1024 -n 5 -z 32 -k 3 -u "$url/healthz") ;;
        *) echo "unknown attack $attack" >&2; exit 2 ;;
    esac
    probe $((seconds * 2)) >"$work/probe_$attack" &
    probe_pid=$!
    slowhttptest "${args[@]}" -p 3 -l "$seconds" >"$work/slow_$attack" 2>&1 || true
    wait "$probe_pid"
    available=$(sed 's/\x1b\[[0-9;]*m//g' "$work/slow_$attack" | awk -F: '/service available/ {v=$2} END {gsub(/ /, "", v); print v}')
    statuses=$(awk '{c[$1]++} END {for (k in c) printf "%s×%d ", k, c[k]}' "$work/probe_$attack")
    latency=$(sort -n -k2 "$work/probe_$attack" | awk '{t[NR]=$2} END {printf "%.4f / %.4f", t[int((NR+1)/2)], t[NR]}')
    printf '%-14s %-10s %-28s %-22s %s\n' "$name" "$available" "$statuses" "$latency" \
        "$(awk '/VmHWM/ {print $2, $3}' /proc/$server_pid/status)"
done
if [[ -s $work/server.err ]]; then
    echo "server standard error:"
    cat "$work/server.err"
fi
