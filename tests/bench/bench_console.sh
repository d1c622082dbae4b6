#!/usr/bin/env bash
# The console with 100,000 pending signups. A benchmark, not a test: not in CTest.
#
# 1. `bench_console seed` writes a fresh SQLite database of BENCH_SIGNUPS pending signups the
#    way the real flow makes them (account, verification token HMAC, its email in the outbox,
#    audit entries; half of them confirmed), in one transaction, in its own process.
# 2. `bench_console run` starts a real Application over it (HTTP on a free loopback port, the
#    file mail transport), opens the real MainWindow and prints a table: time from creating
#    the window to its first paint with rows (goal < 1 s), peak RSS (goal < 200 MB), and the GUI
#    event loop's lateness (a 10 ms timer; max, p99, p50; goal < 50 ms) while BENCH_RATE signups
#    a second arrive over HTTP for BENCH_SECONDS seconds.
#
# Environment:
#   BENCH_CONSOLE_BIN   the benchmark (default <repo>/build/tests/bench/bench_console)
#   BENCH_SIGNUPS       signups in the database (default 100000)
#   BENCH_RATE          signups a second during the live phase (default 50)
#   BENCH_SECONDS       length of the live phase (default 30)
#   BENCH_PLATFORM      offscreen (default) or xcb, which runs under xvfb-run (package xvfb)
#   BENCH_SEED          flow (default: accounts, tokens, emails, audit, as the flow makes them)
#                       or sql (issue 16: accounts only, plain SQL, many rows an INSERT, fast
#                       enough for BENCH_SIGNUPS=1000000)
#   BENCH_BACKEND       sqlite (default) or pg: a throwaway PostgreSQL 15 on BENCH_PG_PORT
#                       (default 25490), started and stopped here (tests/support/postgres-fixture.sh)
#   BENCH_DB            a database seeded earlier (bench_console seed DIR: DIR/signupdesk.db);
#                       it is copied, so runs start alike. Default: seed a fresh one.
#   SD_BENCH_PRODUCTION_COST=1  argon2id at the production cost for the live signups
#   BENCH_LOGIN_FLOOD   connections (e.g. 64): after the live phase, wrk floods POST /api/v1/login
#                       for BENCH_SECONDS and the event loop's lateness meanwhile is measured
#                       (issue 19 item 4; with SD_BENCH_PRODUCTION_COST=1, logins cost what they
#                       cost in production). Needs wrk. Default 0: off.
#   BENCH_KEEP=1        keep the work folder (database, mail, console settings)
# Exit status: 0 when every goal is met, 3 when one is missed, else an error.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${BENCH_CONSOLE_BIN:-$root/build/tests/bench/bench_console}
signups=${BENCH_SIGNUPS:-100000}
rate=${BENCH_RATE:-50}
seconds=${BENCH_SECONDS:-30}
platform=${BENCH_PLATFORM:-offscreen}
seedmode=${BENCH_SEED:-flow}
backend=${BENCH_BACKEND:-sqlite}
pgport=${BENCH_PG_PORT:-25490}
case $seedmode in flow) seedcmd=seed ;; sql) seedcmd=seed-sql ;; *) echo "bench_console.sh: BENCH_SEED is flow or sql" >&2; exit 2 ;; esac
case $backend in sqlite|pg) ;; *) echo "bench_console.sh: BENCH_BACKEND is sqlite or pg" >&2; exit 2 ;; esac

[[ -x $bin ]] || { echo "bench_console.sh: no benchmark at $bin (build the bench_console target, or set BENCH_CONSOLE_BIN)" >&2; exit 1; }

# Only this script's settings: no SIGNUPDESK_* from the caller.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^SIGNUPDESK_' || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/signupdesk-bench-console.XXXXXX")
cleanup() {
    local status=$?
    if [[ $backend == pg ]]; then
        bash "$root/tests/support/postgres-fixture.sh" stop "$pgport" "$work/pgdata" >/dev/null 2>&1 || true
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        echo "work folder kept: $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

launch=()
case $platform in
    offscreen) export QT_QPA_PLATFORM=offscreen ;;
    xcb)
        command -v xvfb-run >/dev/null || { echo "bench_console.sh: xvfb-run is not installed (apt-get install xvfb)" >&2; exit 1; }
        export QT_QPA_PLATFORM=xcb
        launch=(xvfb-run -a -s "-screen 0 1920x1080x24")
        ;;
    *) echo "bench_console.sh: BENCH_PLATFORM is offscreen or xcb" >&2; exit 2 ;;
esac

if [[ $backend == pg ]]; then
    bash "$root/tests/support/postgres-fixture.sh" start "$pgport" "$work/pgdata" >/dev/null
    export BENCH_DATABASE_URL="postgresql://signupdesk:signupdesk@127.0.0.1:$pgport/signupdesk_test"
    echo "PostgreSQL on 127.0.0.1:$pgport; seeding $signups pending signups ($seedmode) …"
    "$bin" "$seedcmd" "$work" "$signups"
elif [[ -n ${BENCH_DB:-} ]]; then
    cp "$BENCH_DB" "$work/signupdesk.db"
    echo "database: a copy of $BENCH_DB"
else
    echo "seeding $signups pending signups ($seedmode) into $work …"
    "$bin" "$seedcmd" "$work" "$signups"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (anything else using the CPU skews the figures)"
flood=${BENCH_LOGIN_FLOOD:-0}
if [[ $flood != 0 ]]; then
    command -v wrk >/dev/null || { echo "bench_console.sh: BENCH_LOGIN_FLOOD needs wrk (apt-get install wrk)" >&2; exit 1; }
    export BENCH_WRK_LUA=$here/wrk_bench.lua
fi
status=0
"${launch[@]}" "$bin" run "$work" --rate "$rate" --seconds "$seconds" --login-flood "$flood" || status=$?
exit "$status"
