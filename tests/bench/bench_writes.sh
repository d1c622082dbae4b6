#!/usr/bin/env bash
# Write throughput next to the disk's fsync rate (issue 16 item 7). Not a test: not in CTest.
#
# 1. fsync_rate.py in the work folder (the filesystem of both databases): 4 KiB write +
#    fdatasync in a loop, overwriting one block and appending; at the start and at the end.
# 2. For each database (SQLite, then a throw-away PostgreSQL 15 started with
#    tests/support/postgres-fixture.sh on BENCH_PG_PORT, made durable: fsync and
#    synchronous_commit on): a fresh database with BENCH_ACCOUNTS seeded accounts and enough
#    pending ones with a live verification token each (seed_accounts.py, as in
#    bench_datascale.sh), `signupdesk --headless` on it (rate limits off, the argon2id cost the
#    tests use unless BENCH_PASSWORD_COST=production), then wrk (-t2, BENCH_DURATION) at each of
#    BENCH_CONNECTIONS: POST /api/v1/user/verify-email/ (each seeded token once: a durable
#    single-use write) and POST /api/v1/signup (a new account each time). After each run the
#    mail it queued is let out (its sending is part of the write's cost) before the next run.
# 3. How many fsyncs one write costs, counted, not assumed: on SQLite, strace -f -c counts the
#    server's fsync/fdatasync calls over BENCH_COUNT verifications, then BENCH_COUNT signups,
#    each on one connection and with their mail sent; on PostgreSQL, pg_stat_wal's wal_sync
#    over each timed run (the WAL flushes; data files are synced at checkpoints).
# Prints writes/s, p50, p99 per run, and for each run writes/s ÷ fsyncs/s of the disk measured
# just before and just after that database's runs (a disk shared with other jobs drifts).
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS ("16 64"), BENCH_ACCOUNTS (1000),
# BENCH_VERIFY_TOKENS (40000 per connection count), BENCH_COUNT (200), BENCH_BACKENDS
# ("sqlite postgresql"), BENCH_PG_PORT (25462), BENCH_PASSWORD_COST (test|production),
# SIGNUPDESK_BIN, BENCH_KEEP=1 (keep the work folder).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIGNUPDESK_BIN:-$root/build/app/signupdesk}
duration=${BENCH_DURATION:-10s}
[[ $duration =~ ^[0-9]+$ ]] && duration="${duration}s"
connections=${BENCH_CONNECTIONS:-16 64}
accounts=${BENCH_ACCOUNTS:-1000}
per_run=${BENCH_VERIFY_TOKENS:-40000}
count=${BENCH_COUNT:-200}
backends=${BENCH_BACKENDS:-sqlite postgresql}
pg_port=${BENCH_PG_PORT:-25462}

work=$(mktemp -d "${TMPDIR:-/tmp}/signupdesk-bench-writes.XXXXXX")
chmod 755 "$work" # the postgres user keeps its data directory in here
# shellcheck source=datascale_lib.sh
source "$here/datascale_lib.sh"
bench_trap

fsync_rate() { python3 "$here/fsync_rate.py" "$work" "${BENCH_FSYNC_SECONDS:-3}"; }
fsync_field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

echo "SignupDesk write throughput: $(nproc) cores, wrk -t$wrk_threads -d $duration, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "program: $bin; password cost: ${BENCH_PASSWORD_COST:-test} (test = [password] memory_kib=64 iterations=1)"
echo "work folder: $work ($(df --output=source,fstype "$work" | tail -n 1))"
echo "load average before: $(loadavg) (anything else using the CPU skews the figures)"
fsync_now=$(fsync_rate)
echo "disk, before: $fsync_now"

ncounts=$(wc -w <<<"$connections")
rows=()
rates=()
notes=()
for backend in $backends; do
    if [[ $backend == postgresql ]] && ((pg_started == 0)); then
        pg_start
        echo "PostgreSQL: $(pg_settings)"
    fi
    dir=$work/$backend
    overwrite_before=$(fsync_field overwrite "$fsync_now")
    first_row=${#rows[@]}
    prepare_db "$backend" "$accounts" $((per_run * ncounts + count)) "$dir"
    echo "$backend: seeded $accounts accounts (+ $((per_run * ncounts + count)) pending) in $seed_seconds s"
    # The first BENCH_COUNT tokens for the fsync count, then one share per connection count.
    head -n "$count" "$dir/verify.txt" >"$dir/verify-count"
    tail -n +"$((count + 1))" "$dir/verify.txt" >"$dir/verify-rest"
    split -n "l/$ncounts" -d -a 2 "$dir/verify-rest" "$dir/verify-run-"
    start_server "$dir"
    if [[ $backend == sqlite ]] && command -v strace >/dev/null; then
        # fsyncs per write: the server's fsync/fdatasync calls over BENCH_COUNT writes of each kind
        # on one connection, their mail sent. strace slows the server: only counts come from it.
        for mode in verify signup; do
            strace_count_start "$server_pid" "$dir/strace-$mode.txt" fsync,fdatasync
            if [[ $mode == verify ]]; then
                verify_with_curl "$dir/verify-count"
                done_writes=$count
            else
                for i in $(seq "$count"); do
                    curl -sf -o /dev/null -H 'Content-Type: application/json' \
                        -d "{\"username\":\"fs$i\",\"email\":\"fs$i@example.com\",\"password\":\"$bench_password\"}" \
                        "$url/api/v1/signup" || { echo "signup $i failed" >&2; exit 1; }
                done
                done_writes=$count
            fi
            drain_outbox "$db_url"
            sleep 2.5 # the audit sealer's round (every 2 s) of these writes
            strace_count_stop
            syncs=$(($(syscall_calls "$dir/strace-$mode.txt" fsync) + $(syscall_calls "$dir/strace-$mode.txt" fdatasync)))
            note=$(awk -v s="$syncs" -v n="$done_writes" -v m="$mode" \
                'BEGIN { printf "sqlite %s: %d fsync/fdatasync calls for %d writes (mail sent too) = %.2f per write", m, s, n, s / n }')
            notes+=("$note")
            echo "$note"
        done
    fi
    i=0
    for c in $connections; do
        for mode in verify signup; do
            syncs_before=
            [[ $backend == postgresql ]] && syncs_before=$(dbq "$db_url" "SELECT wal_sync FROM pg_stat_wal")
            extra=()
            [[ $mode == verify ]] && extra=(BENCH_FILE="$(printf '%s/verify-run-%02d' "$dir" "$i")")
            [[ $mode == signup ]] && extra=(BENCH_PREFIX="c${c}n")
            run_wrk "$mode" "$c" "$duration" "${extra[@]}"
            drain_outbox "$db_url"
            per_write=
            if [[ -n $syncs_before ]]; then
                sleep 11 # an idle backend reports its statistics within 10 s
                syncs_after=$(dbq "$db_url" "SELECT wal_sync FROM pg_stat_wal")
                per_write=$(awk -v a="$syncs_before" -v b="$syncs_after" -v n="$requests" \
                    'BEGIN { printf "%.2f", (b - a) / n }')
            fi
            # The ratio to the disk's rate after these runs is filled in below (AFTER).
            fraction=$(awk -v r="$rps" -v f="$overwrite_before" 'BEGIN { printf "%.2f", r / f }')
            rows+=("$(printf '%-11s %-7s %5s %9s %9s %9s %8s %8s %8s %8s %9s  %s' "$backend" "$mode" "$c" \
                "$rps" "$p50" "$p99" "$non2xx" "$sockerr" "$fraction" "AFTER" "${per_write:--}" "$(loadavg)")")
            rates[${#rows[@]} - 1]=$rps
        done
        i=$((i + 1))
    done
    stop_servers
    fsync_now=$(fsync_rate)
    echo "disk, after the $backend runs: $fsync_now"
    overwrite_after=$(fsync_field overwrite "$fsync_now")
    for ((r = first_row; r < ${#rows[@]}; r++)); do
        rows[r]=${rows[r]/AFTER/$(awk -v r="${rates[r]}" -v f="$overwrite_after" 'BEGIN { printf "%8.2f", r / f }')}
    done
    if grep -v '^signupdesk: stopped$' "$dir/server.err" | grep -q .; then
        echo "server standard error ($backend):"
        head -n 20 "$dir/server.err"
    fi
done
echo
printf '%-11s %-7s %5s %9s %9s %9s %8s %8s %8s %8s %9s  %s\n' database route conns writes/s p50_ms p99_ms \
    non-2xx sock-err "÷before" "÷after" "walsync/w" load
printf '%s\n' "${rows[@]}"
echo
echo "÷before, ÷after: writes/s ÷ the disk's overwrite fsync rate measured just before and just after that database's runs."
echo "walsync/w: PostgreSQL WAL syncs (pg_stat_wal.wal_sync) per request of the run, mail sending included."
printf '%s\n' "${notes[@]}"
echo "load average after: $(loadavg)"
