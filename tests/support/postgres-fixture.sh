#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on 127.0.0.1:PORT for the tests (CTest fixture).
#
#   postgres-fixture.sh start PORT DATADIR   (re)create DATADIR, start the server, create
#                                            role signupdesk/signupdesk and database
#                                            signupdesk_test owned by it
#   postgres-fixture.sh stop  PORT DATADIR   stop it if it runs; exit 0 otherwise
#
# PostgreSQL refuses to run as root, so when we are root the server tools run as the
# `postgres` OS user. If that user cannot reach DATADIR (e.g. a parent folder is private),
# the data directory /tmp/signupdesk-pg-PORT is used instead, and said so.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_USER=postgres

die() { echo "postgres-fixture: $*" >&2; exit 1; }

[[ $# -eq 3 ]] || die "usage: $0 start|stop PORT DATADIR"
action=$1 port=$2 datadir=$3
if ! [[ "$port" =~ ^[0-9]+$ ]] || ((10#$port < 1 || 10#$port > 65535)); then die "bad port: $port"; fi
[[ -n "$datadir" ]] || die "empty DATADIR"
datadir=$(realpath -m -- "$datadir")
[[ "$datadir" != / ]] || die "refusing DATADIR /"
fallback=/tmp/signupdesk-pg-$port

# The postgres user may not be able to enter the current directory.
cd /

if [[ $EUID -eq 0 ]]; then
    id "$PG_USER" >/dev/null 2>&1 || die "no '$PG_USER' OS user (is the postgresql package installed?)"
    as_pg() { runuser -u "$PG_USER" -- "$@"; }
    owner=$PG_USER
else
    as_pg() { "$@"; }
    owner=$(id -un)
fi

[[ -x "$PGBIN/pg_ctl" ]] || die "$PGBIN/pg_ctl not found (install postgresql-15)"

# The PostgreSQL tools must not pick up a developer's connection settings.
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGDATA PGOPTIONS

postmaster_pid() {  # postmaster_pid DIR: the pid of a live server on DIR, if any
    local pid state
    [[ -f "$1/postmaster.pid" ]] || return 1
    pid=$(head -n 1 -- "$1/postmaster.pid" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    # A zombie (killed, not yet reaped by a lazy init) counts as gone.
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z && "$state" != X ]] || return 1
    # A stale pid file whose pid now belongs to another program counts as gone too.
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres ]] || return 1
    echo "$pid"
}

stop_server() {  # stop_server DIR
    local pid
    pid=$(postmaster_pid "$1") || return 0
    if ! as_pg "$PGBIN/pg_ctl" stop -D "$1" -m fast -w -t 60 >/dev/null; then
        if postmaster_pid "$1" >/dev/null; then
            die "could not stop the server on $1 (pid $pid)"
        fi
    fi
    echo "postgres-fixture: stopped the server on $1"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

case "$action" in
stop)
    stop_server "$datadir"
    [[ "$datadir" == "$fallback" ]] || stop_server "$fallback"
    exit 0
    ;;
start) ;;
*) die "unknown action '$action' (start|stop)" ;;
esac

# --- start ---------------------------------------------------------------------------
stop_server "$datadir"
[[ "$datadir" == "$fallback" ]] || stop_server "$fallback"
port_in_use && die "port $port on 127.0.0.1 is already in use by another program"

wipe() {  # wipe DIR: only an empty directory or a PostgreSQL data directory
    local dir=$1
    if [[ -e "$dir" ]]; then
        [[ -d "$dir" ]] || die "$dir exists and is not a directory"
        if [[ -n "$(ls -A -- "$dir")" && ! -f "$dir/PG_VERSION" ]]; then
            die "$dir is not empty and not a PostgreSQL data directory; not wiping it"
        fi
        rm -rf -- "$dir"
    fi
}

prepare() {  # prepare DIR: fresh, empty, owned by the server's user, mode 0700
    wipe "$1"
    mkdir -p -- "$1" || die "cannot create $1"
    chmod 700 -- "$1"
    if [[ $EUID -eq 0 ]]; then chown "$owner:" -- "$1"; fi
}
usable() {  # usable DIR: can the server's user reach and write DIR?
    as_pg test -w "$1" -a -x "$1" 2>/dev/null
}

prepare "$datadir"
if ! usable "$datadir"; then
    echo "postgres-fixture: user '$owner' cannot use $datadir; using $fallback instead"
    rm -rf -- "$datadir"
    datadir=$fallback
    prepare "$datadir"
    usable "$datadir" || die "user '$owner' cannot use $datadir either"
fi

# Unix sockets go in the data directory, unless its path is too long for a socket name
# (107 bytes), then in a folder of their own under /tmp.
sockdir=$datadir
if (( ${#datadir} > 80 )); then
    sockdir=/tmp/signupdesk-pgsock-$port
    rm -rf -- "$sockdir"
    mkdir -p -- "$sockdir"
    chmod 700 -- "$sockdir"
    [[ $EUID -ne 0 ]] || chown "$owner:" -- "$sockdir"
fi

logfile=$datadir/server.log

# --no-sync: a throwaway cluster need not be flushed to disk.
initdb_log=$(mktemp)
as_pg "$PGBIN/initdb" -D "$datadir" --auth=trust -U postgres --encoding=UTF8 --locale=C \
    --no-sync >"$initdb_log" 2>&1 || {
    cat "$initdb_log" >&2 || true
    rm -f -- "$initdb_log"
    die "initdb failed for $datadir"
}
rm -f -- "$initdb_log"

# fsync, synchronous_commit and full_page_writes off: test speed only. A crash may lose or corrupt this
# throwaway cluster, which every run re-creates anyway. Never use these in production.
cat >>"$datadir/postgresql.conf" <<EOF

# --- tests/support/postgres-fixture.sh ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

if ! as_pg "$PGBIN/pg_ctl" start -D "$datadir" -l "$logfile" -w -t 60 >/dev/null; then
    tail -n 30 "$logfile" >&2 || true
    die "the server did not start on 127.0.0.1:$port (log: $logfile)"
fi

psql_admin() {
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}
psql_admin -c "CREATE ROLE signupdesk LOGIN CREATEDB PASSWORD 'signupdesk'" \
           -c "CREATE DATABASE signupdesk_test OWNER signupdesk ENCODING 'UTF8' TEMPLATE template0" \
    || die "could not create role signupdesk / database signupdesk_test"

echo "postgres-fixture: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') up at" \
     "postgresql://signupdesk:signupdesk@127.0.0.1:$port/signupdesk_test (data: $datadir)"
