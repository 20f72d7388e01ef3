#!/usr/bin/env bash
# A streaming replica of a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh), on
# loopback: the production shape "primary + one replica" on one machine.
#
#   primary="$(scripts/pg-throwaway.sh start)"         # the primary (its env: DATABASE_URL)
#   replica="$(scripts/pg-replica.sh start "$primary")" # prints the replica's state directory
#   . "$replica/env"          # exports DATABASE_REPLICA_URL (and PG_REPLICA_PORT)
#   scripts/pg-replica.sh stop "$replica"              # stops the replica, removes it
#   scripts/pg-throwaway.sh stop "$primary"            # then the primary
#
# `start` copies the running primary with `pg_basebackup -R` (a fast checkpoint, WAL
# streamed along) over a replication connection on 127.0.0.1 as the `postgres` role
# (the throwaway cluster trusts loopback, replication included), then starts the copy
# as a hot standby on its own free port, streaming from the primary. The application's
# role, password and database are the primary's (a physical copy): DATABASE_REPLICA_URL
# is the primary's DATABASE_URL on the replica's port. The state (data, socket, log)
# lives in a fresh `mktemp -d` directory under /tmp; as root, the PostgreSQL tools run
# as the `postgres` user. PG_THROWAWAY_DURABLE=1 keeps fsync on, as for the primary.
# Stop the replica before its primary.
set -euo pipefail

MARKER=".lpse-pg-replica"
PRIMARY_MARKER=".lpse-pg-throwaway"
started=""

log() { echo "pg-replica: $*" >&2; }
# shellcheck source=scripts/pg-common.sh
. "$(dirname "$0")/pg-common.sh"

do_start() {
    local primary="$1" bindir primary_port primary_url port durability
    if [ ! -f "$primary/$PRIMARY_MARKER" ] || [ ! -f "$primary/env" ]; then
        log "$primary is not a cluster started by scripts/pg-throwaway.sh"
        exit 1
    fi
    primary_port="$(sed -n 4p "$primary/data/postmaster.pid" 2>/dev/null || true)"
    if [ -z "$primary_port" ]; then
        log "the primary in $primary is not running"
        exit 1
    fi
    primary_url="$(. "$primary/env" && echo "$DATABASE_URL")"
    bindir="$(pg_bindir)"
    new_state_dir lpse-pg-replica

    as_owner "$bindir/pg_basebackup" -D "$dir/data" -h 127.0.0.1 -p "$primary_port" \
        -U postgres -R -X stream -c fast --no-sync >"$dir/basebackup.log" 2>&1 || {
        log "pg_basebackup failed:"
        cat "$dir/basebackup.log" >&2
        exit 1
    }

    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if [ "${PG_THROWAWAY_DURABLE:-0}" = 1 ]; then
        durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    fi
    # -w waits until the standby is consistent and accepts read-only connections.
    port="$(pg_ctl_start "$dir" "-c hot_standby=on $durability")"

    {
        printf 'export DATABASE_REPLICA_URL=%q\n' \
            "$(echo "$primary_url" | sed -E "s#@127\.0\.0\.1:[0-9]+/#@127.0.0.1:$port/#")"
        printf 'export PG_REPLICA_PORT=%q\n' "$port"
    } >"$dir/env"
    chmod 644 "$dir/env"
    started=1
    log "replica of 127.0.0.1:$primary_port on 127.0.0.1:$port (pid $(server_pid "$dir")), state in $dir"
    echo "$dir"
}

case "${1:-}" in
    start)
        [ $# -eq 2 ] || { echo "usage: $0 start PRIMARY_DIR" >&2; exit 2; }
        do_start "$2"
        ;;
    stop)
        [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        do_stop "$2"
        ;;
    *)
        echo "usage: $0 start PRIMARY_DIR | stop DIR" >&2
        exit 2
        ;;
esac
