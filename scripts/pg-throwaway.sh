#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the tests.
#
#   dir="$(scripts/pg-throwaway.sh start)"   # prints the state directory
#   . "$dir/env"                             # exports DATABASE_URL
#   scripts/pg-throwaway.sh stop "$dir"      # stops the server, removes everything
#
# The cluster lives in a fresh `mktemp -d` directory under /tmp (data, socket,
# log). As root, initdb and pg_ctl run as the `postgres` user, which owns that
# directory. The server listens on 127.0.0.1 only, on a free port, with fsync
# off. A role with LOGIN CREATEDB (so pytest-django can create test_<db>) owns
# the database.
#
# PG_THROWAWAY_DURABLE=1 keeps PostgreSQL's durable defaults instead (fsync,
# synchronous_commit and full_page_writes on, as in production), for benchmarks;
# PG_THROWAWAY_OPTIONS adds server settings to it ("-c shared_buffers=1GB").
set -euo pipefail

PG_USER="${PG_THROWAWAY_USER:-lpse_support}"
PG_PASSWORD="${PG_THROWAWAY_PASSWORD:-lpse_support}"
PG_DB="${PG_THROWAWAY_DB:-lpse_support}"
MARKER=".lpse-pg-throwaway"
started=""

log() { echo "pg-throwaway: $*" >&2; }

pg_bindir() {
    # The newest installed server; /usr/local/bin/{initdb,pg_ctl} are not trusted.
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ] || [ ! -x "$dir/pg_ctl" ]; then
        log "no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)"
        exit 1
    fi
    echo "$dir"
}

as_owner() {
    # initdb and pg_ctl refuse to run as root.
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

server_pid() {
    local pidfile="$1/data/postmaster.pid"
    [ -f "$pidfile" ] && head -1 "$pidfile" || true
}

do_stop() {
    local dir="$1" bindir pid
    if [ ! -f "$dir/$MARKER" ]; then
        log "refusing to touch $dir: not a throwaway cluster directory"
        exit 1
    fi
    pid="$(server_pid "$dir")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        bindir="$(pg_bindir)"
        if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null; then
            log "pg_ctl stop failed; killing postmaster $pid"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf -- "$dir"
    log "stopped and removed $dir"
}

do_start() {
    local bindir port attempt
    bindir="$(pg_bindir)"
    dir="$(mktemp -d /tmp/lpse-pg.XXXXXX)"  # global: the EXIT trap needs it
    touch "$dir/$MARKER"
    # Whatever goes wrong from here on, leave nothing behind.
    trap 'if [ -z "$started" ]; then do_stop "$dir" >/dev/null 2>&1 || true; fi' EXIT
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
    fi

    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        log "initdb failed:"
        cat "$dir/initdb.log" >&2
        exit 1
    }

    local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" mode=""
    if [ "${PG_THROWAWAY_DURABLE:-0}" = 1 ]; then
        durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on ${PG_THROWAWAY_OPTIONS:-}"
        mode=", durable (fsync on)"
    fi

    for attempt in 1 2 3; do
        port="$(free_port)"
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $durability" \
            start >/dev/null; then
            break
        fi
        if [ "$attempt" -eq 3 ] || ! grep -q "could not bind\|already in use" "$dir/postgres.log" 2>/dev/null; then
            log "PostgreSQL did not start; its log:"
            cat "$dir/postgres.log" >&2 2>/dev/null || true
            exit 1
        fi
        log "port $port was taken, trying another one"
    done

    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -v user="$PG_USER" -v password="$PG_PASSWORD" -v db="$PG_DB" >/dev/null <<'SQL'
CREATE ROLE :"user" LOGIN CREATEDB PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL

    printf 'export DATABASE_URL=%q\n' \
        "postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DB" >"$dir/env"
    chmod 644 "$dir/env"
    started=1
    log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $(server_pid "$dir"))$mode, state in $dir"
    echo "$dir"
}

case "${1:-}" in
    start) do_start ;;
    stop)
        [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        do_stop "$2"
        ;;
    *)
        echo "usage: $0 start | stop DIR" >&2
        exit 2
        ;;
esac
