# Sourced by the benchmark scripts that start headless servers (bench_metrics.sh,
# bench_fastpath.sh, bench_http.sh, bench_session.sh, datascale_lib.sh): not run on its own.
#
# launch_headless BIN CONFIG OUT ERR NAME [SECONDS]: `BIN --config CONFIG --headless` in the
# background, its output to OUT and ERR, waiting up to SECONDS (default 15) for its
# "listening on" line. Sets server_pid and url; exits the script, naming NAME, when the server
# dies first or never says it listens. The server gets no descriptor above 2: under
# `flock /work/bench.lock …` one of them holds the lock, and a server that outlived a killed
# script would hold it for everyone.
launch_headless() {
    local bin=$1 config=$2 out=$3 err=$4 name=$5 seconds=${6:-15}
    : >"$out" # before the server's own redirect: the loop below may read it first
    "$bin" --config "$config" --headless >"$out" 2>"$err" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    server_pid=$!
    url=
    for _ in $(seq $((seconds * 10))); do
        url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$out")
        [[ -n $url ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || { echo "$name: the server did not start:" >&2; cat "$err" >&2; exit 1; }
        sleep 0.1
    done
    echo "$name: no 'listening on' line from $bin after $seconds s" >&2
    cat "$err" >&2
    exit 1
}
#
# start_bench_server BIN DIR NAME: `BIN --headless` on loopback with a throw-away SQLite
# database under DIR, the file mail transport, rate limits off and a cheap password cost, and a
# super-user logged in. Sets server_pid, url (http://127.0.0.1:<port>) and ust (its session
# token); exits the script, naming NAME, when the server does not start or the login fails.
start_bench_server() {
    local bin=$1 dir=$2 name=$3
    cat >"$dir/signupdesk.ini" <<INI
[server]
listen=127.0.0.1
port=0
[database]
url=sqlite:$dir/data/signupdesk.db
[mail]
transport=file
folder=$dir/mail
[ratelimit]
enabled=false
[password]
memory_kib=1024
iterations=1
INI
    local password="Bench-$RANDOM$RANDOM-pass"
    printf '%s\n' "$password" | "$bin" --config "$dir/signupdesk.ini" admin create-superuser \
        benchadmin benchadmin@example.com >/dev/null
    launch_headless "$bin" "$dir/signupdesk.ini" "$dir/out" "$dir/err" "$name"
    ust=$(curl -sf -H 'Content-Type: application/json' \
        -d "{\"username\":\"benchadmin\",\"password\":\"$password\"}" "$url/api/v1/login" |
        sed -n 's/.*"ust":"\([^"]*\)".*/\1/p')
    [[ -n $ust ]] || { echo "$name: login failed on $bin" >&2; exit 1; }
}
