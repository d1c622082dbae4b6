#!/usr/bin/env bash
# The server at data scale (issue 16 item 6). Not a test: not in CTest.
#
# For each database (SQLite, then a throw-away PostgreSQL 15 started with
# tests/support/postgres-fixture.sh on BENCH_PG_PORT, made durable: fsync and
# synchronous_commit on), and for each size (1,000 accounts, then 1,000,000):
#   1. a fresh database migrated by the program (`admin create-superuser`, which also makes the
#      argon2id hash all seeded accounts share), then seed_accounts.py's SQL in one transaction:
#      the accounts, their used verification tokens, one live session each, their sent
#      verification emails, and BENCH_VERIFY_TOKENS pending accounts with a live token each;
#   2. `signupdesk --headless` on it (rate limits off, session cache off so `me` reads the
#      database, the argon2id cost the tests use unless BENCH_PASSWORD_COST=production);
#   3. both servers (small and large) run side by side; BENCH_ROUNDS rounds, in each round every
#      route on both, the order small/large swapped from round to round (a machine shared with
#      other jobs drifts; interleaving spreads the drift over both): wrk (-t2,
#      BENCH_CONNECTIONS connections, BENCH_DURATION) on GET /api/v1/user/me (1,000 known
#      sessions in turn), POST /api/v1/login (a random seeded account each time),
#      POST /api/v1/signup (a new account each time), POST /api/v1/user/verify-email/ (each
#      seeded token once; the tokens are split between the rounds). After each run the mail it
#      queued is let out before the next starts.
# Prints req/s, p50 and p99 per run, then the medians over the rounds, large ÷ small for p50
# and p99 and whether each is within 20 % (the goal: ratio ≤ 1.2).
#
# Environment: BENCH_ROUNDS (3), BENCH_DURATION (5s), BENCH_CONNECTIONS (16), BENCH_SMALL (1000),
# BENCH_LARGE (1000000), BENCH_BACKENDS ("sqlite postgresql"),
# BENCH_MODES ("me login signup verify"), BENCH_VERIFY_TOKENS (45000 per database),
# BENCH_IO_COUNT (300: verifications counted with strace on SQLite, 0: none),
# BENCH_PG_PORT (25462), BENCH_PASSWORD_COST (test|production), SIGNUPDESK_BIN,
# BENCH_KEEP=1 (keep the work folder: databases, server logs, raw wrk output).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIGNUPDESK_BIN:-$root/build/app/signupdesk}
duration=${BENCH_DURATION:-5s}
[[ $duration =~ ^[0-9]+$ ]] && duration="${duration}s"
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-16}
small=${BENCH_SMALL:-1000}
large=${BENCH_LARGE:-1000000}
backends=${BENCH_BACKENDS:-sqlite postgresql}
verify_tokens=${BENCH_VERIFY_TOKENS:-45000}
io_count=${BENCH_IO_COUNT:-300}
pg_port=${BENCH_PG_PORT:-25462}
modes=${BENCH_MODES:-me login signup verify}

work=$(mktemp -d "${TMPDIR:-/tmp}/signupdesk-bench-datascale.XXXXXX")
chmod 755 "$work" # the postgres user keeps its data directory in here
# shellcheck source=datascale_lib.sh
source "$here/datascale_lib.sh"
bench_trap

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "SignupDesk at data scale: $(nproc) cores, $rounds rounds of wrk -t$wrk_threads -c$connections -d $duration, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "program: $bin; password cost: ${BENCH_PASSWORD_COST:-test} (test = [password] memory_kib=64 iterations=1)"
echo "work folder: $work ($(df --output=source,fstype "$work" | tail -n 1))"
echo "load average before: $(loadavg) (anything else using the CPU skews the figures)"
declare -A all url_of dir_of dburl_of
rows=()
io_notes=()
for backend in $backends; do
    if [[ $backend == postgresql ]] && ((pg_started == 0)); then
        pg_start
        echo "PostgreSQL: $(pg_settings)"
    fi
    for n in $small $large; do
        dir=$work/$backend-$n
        prepare_db "$backend" "$n" "$verify_tokens" "$dir"
        echo "$backend: seeded $n accounts (+ $verify_tokens pending) in $seed_seconds s; load $(loadavg)"
        # The first BENCH_IO_COUNT tokens for the I/O count below, the rest split between rounds.
        head -n "$io_count" "$dir/verify.txt" >"$dir/verify-io"
        tail -n +"$((io_count + 1))" "$dir/verify.txt" >"$dir/verify-rest"
        split -n "l/$rounds" -d -a 2 "$dir/verify-rest" "$dir/verify-round-"
        start_server "$dir"
        url_of[$n]=$url dir_of[$n]=$dir dburl_of[$n]=$db_url
        if [[ $backend == sqlite ]] && ((io_count > 0)) && command -v strace >/dev/null; then
            # What one verification costs in I/O at this size: the server's pread64, pwrite64 and
            # fdatasync calls over io_count verifications on one connection, their mail sent.
            strace_count_start "$server_pid" "$dir/strace-verify.txt" pread64,pwrite64,fdatasync
            verify_with_curl "$dir/verify-io"
            drain_outbox "$db_url"
            sleep 2.5 # the audit sealer's round (every 2 s) of these verifications
            strace_count_stop
            io_notes+=("$(awk -v b="$backend" -v n="$n" -v c="$io_count" \
                -v r="$(syscall_calls "$dir/strace-verify.txt" pread64)" \
                -v w="$(syscall_calls "$dir/strace-verify.txt" pwrite64)" \
                -v s="$(syscall_calls "$dir/strace-verify.txt" fdatasync)" \
                -v wal="$(stat -c %s "$dir/data/signupdesk.db-wal" 2>/dev/null || echo 0)" 'BEGIN {
                printf "%s %8d accounts: per verification %.1f pread64, %.1f pwrite64, %.2f fdatasync (%d verifications; WAL file now %d KiB)",
                    b, n, r / c, w / c, s / c, c, wal / 1024 }')")
            echo "${io_notes[-1]}"
        fi
    done
    for round in $(seq "$rounds"); do
        order="$small $large"
        ((round % 2 == 0)) && order="$large $small"
        for mode in $modes; do
            for n in $order; do
                dir=${dir_of[$n]} url=${url_of[$n]}
                extra=()
                [[ $mode == me ]] && extra=(BENCH_FILE="$dir/sessions.txt")
                [[ $mode == verify ]] && extra=(BENCH_FILE="$(printf '%s/verify-round-%02d' "$dir" $((round - 1)))")
                [[ $mode == login ]] && extra=(BENCH_ACCOUNTS="$n")
                [[ $mode == signup ]] && extra=(BENCH_PREFIX="r${round}n")
                run_wrk "$mode" "$connections" "$duration" "${extra[@]}"
                for f in rps p50 p99; do all[$backend-$n-$mode-$f]+=" ${!f}"; done
                rows+=("$(printf '%-11s %8s %-7s %5s %5s %9s %9s %9s %8s %8s  %s' "$backend" "$n" "$mode" \
                    "$round" "$connections" "$rps" "$p50" "$p99" "$non2xx" "$sockerr" "$(loadavg)")")
                drain_outbox "${dburl_of[$n]}"
            done
        done
    done
    for n in $small $large; do
        echo "$backend $n: $(dbq "${dburl_of[$n]}" "SELECT count(*) FROM users") accounts at the end"
    done
    stop_servers
    for n in $small $large; do
        if grep -v '^signupdesk: stopped$' "${dir_of[$n]}/server.err" | grep -q .; then
            echo "server standard error ($backend, $n):"
            head -n 20 "${dir_of[$n]}/server.err"
        fi
        # Free the disk for the next database.
        [[ $backend == sqlite && ${BENCH_KEEP:-0} != 1 ]] && rm -rf "${dir_of[$n]}/data"
    done
done
echo
printf '%-11s %8s %-7s %5s %5s %9s %9s %9s %8s %8s  %s\n' database accounts route round conns req/s p50_ms p99_ms non-2xx sock-err load
printf '%s\n' "${rows[@]}"
echo
echo "medians over $rounds rounds; ratio $large ÷ $small accounts (goal: within 20 %, i.e. ≤ 1.20):"
for backend in $backends; do
    for mode in $modes; do
        m() { median <<<"${all[$backend-$1-$mode-$2]}"; }
        awk -v b="$backend" -v md="$mode" -v sr="$(m "$small" rps)" -v lr="$(m "$large" rps)" \
            -v s50="$(m "$small" p50)" -v l50="$(m "$large" p50)" \
            -v s99="$(m "$small" p99)" -v l99="$(m "$large" p99)" 'BEGIN {
            r50 = l50 / s50; r99 = l99 / s99
            printf "%-11s %-7s req/s %8.1f → %8.1f   p50 %7.2f → %7.2f ms = %.2f %-4s   p99 %7.2f → %7.2f ms = %.2f %s\n",
                b, md, sr, lr, s50, l50, r50, (r50 <= 1.2 ? "ok" : "MISS"), s99, l99, r99, (r99 <= 1.2 ? "ok" : "MISS") }'
    done
done
if ((${#io_notes[@]})); then
    echo
    echo "I/O of one verification, counted with strace (BENCH_IO_COUNT on one connection, mail sent):"
    printf '%s\n' "${io_notes[@]}"
fi
echo "load average after: $(loadavg)"
