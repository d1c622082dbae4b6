# Sourced by the benchmark scripts that time one headless server (bench_metrics.sh,
# bench_fastpath.sh): not run on its own.
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
    "$bin" --config "$dir/signupdesk.ini" --headless >"$dir/out" 2>"$dir/err" &
    server_pid=$!
    url=
    for _ in $(seq 150); do
        url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$dir/out")
        [[ -n $url ]] && break
        sleep 0.1
    done
    [[ -n $url ]] || { echo "$name: $bin did not start" >&2; cat "$dir/err" >&2; exit 1; }
    ust=$(curl -sf -H 'Content-Type: application/json' \
        -d "{\"username\":\"benchadmin\",\"password\":\"$password\"}" "$url/api/v1/login" |
        sed -n 's/.*"ust":"\([^"]*\)".*/\1/p')
    [[ -n $ust ]] || { echo "$name: login failed on $bin" >&2; exit 1; }
}
