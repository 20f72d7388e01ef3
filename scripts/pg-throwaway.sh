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
# shellcheck source=scripts/pg-common.sh
. "$(dirname "$0")/pg-common.sh"

do_start() {
    local bindir port
    bindir="$(pg_bindir)"
    new_state_dir lpse-pg

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

    port="$(pg_ctl_start "$dir" "$durability")"

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
