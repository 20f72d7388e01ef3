# shellcheck shell=bash
# Shell helpers shared by scripts/pg-throwaway.sh and scripts/pg-replica.sh (sourced, not
# run). Each caller defines `log` and its directory MARKER first.

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
    # initdb, pg_basebackup and pg_ctl refuse to run as root.
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A free loopback port below the kernel's ephemeral range (lib/ports.py): a cluster
# stopped and started again on its port (a restart) finds it free.
free_port() {
    python3 "$(dirname "${BASH_SOURCE[0]}")/../lib/ports.py"
}

server_pid() {
    local pidfile="$1/data/postmaster.pid"
    [ -f "$pidfile" ] && head -1 "$pidfile" || true
}

do_stop() {
    local dir="$1" bindir pid
    if [ ! -f "$dir/$MARKER" ]; then
        log "refusing to touch $dir: not a directory this script made"
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

pg_ctl_start() {
    # pg_ctl_start DIR OPTIONS: start the server of DIR/data on a free loopback port (three
    # tries if the port is taken meanwhile); prints the port.
    local dir="$1" options="$2" bindir port attempt
    bindir="$(pg_bindir)"
    for attempt in 1 2 3; do
        port="$(free_port)"
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $options" \
            start >/dev/null; then
            echo "$port"
            return 0
        fi
        if [ "$attempt" -eq 3 ] || ! grep -q "could not bind\|already in use" "$dir/postgres.log" 2>/dev/null; then
            log "PostgreSQL did not start; its log:"
            cat "$dir/postgres.log" >&2 2>/dev/null || true
            exit 1
        fi
        log "port $port was taken, trying another one"
    done
}

new_state_dir() {
    # new_state_dir PREFIX: a fresh directory under /tmp in the global `dir`, marked as
    # ours, owned by `postgres` as root, and removed on exit unless `started` is set.
    dir="$(mktemp -d "/tmp/$1.XXXXXX")"
    touch "$dir/$MARKER"
    # Whatever goes wrong from here on, leave nothing behind.
    # shellcheck disable=SC2154  # `started` is the caller's, set once all went well
    trap 'if [ -z "$started" ]; then do_stop "$dir" >/dev/null 2>&1 || true; fi' EXIT
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
    fi
}
