#!/usr/bin/env bash
# Point-in-time recovery, shown and timed with PostgreSQL's own tools (docs/deploy.md).
#
#   scripts/bench-pitr.sh [TICKETS]          (default 20000)
#
# 1. a durable cluster with WAL archiving (archive_command cp into an archive folder,
#    archive_timeout 60 s), migrated;
# 2. a base backup (pg_basebackup -Ft -X none), then `generate_tickets TICKETS`: the
#    WAL that recovery has to replay;
# 3. the target time T is taken, then a "mistake" (every rating deleted) and a WAL
#    switch so that it is archived;
# 4. the base backup is unpacked into a new data directory with restore_command and
#    recovery_target_time = T, and started: timed until it has replayed to T and
#    accepts writes;
# 5. checks: the recovered cluster has every ticket and every rating (the mistake is
#    not in it). Prints the WAL size replayed and the times; exits non-zero when a
#    check fails. Everything lives in one temporary folder, removed on exit with the
#    servers stopped. Not part of `make test`. VENV (default ./.venv): the app's virtualenv.
set -euo pipefail

export PROG=bench-pitr.sh
# shellcheck source=scripts/backup-common.sh
. "$(dirname "$0")/backup-common.sh"

tickets="${1:-20000}"
bindir="$(pg_bindir)"
work="$(mktemp -d /tmp/lpse-pitr.XXXXXX)"
run_as() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -ne 0 ] || chown postgres: "$work"
cleanup() {
    local dir
    for dir in "$work/primary" "$work/recovered"; do
        if [ -f "$dir/postmaster.pid" ]; then
            run_as "$bindir/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    done
    rm -rf -- "$work"
}
trap cleanup EXIT

free_port() {
    python3 "$(dirname "${BASH_SOURCE[0]}")/../lib/ports.py"
}
psql_at() {
    "$bindir/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d lpse -c "$2"
}

run_as mkdir "$work/archive"
run_as "$bindir/initdb" -D "$work/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
port="$(free_port)"
run_as "$bindir/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w -o "-p $port -k $work \
    -c listen_addresses=127.0.0.1 -c wal_level=replica -c archive_mode=on \
    -c archive_timeout=60 -c max_wal_size=4GB \
    -c archive_command='test ! -f $work/archive/%f && cp %p $work/archive/%f'" start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres lpse
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/lpse" DEBUG=0 SECRET_KEY=bench-only VAR_DIR="$work/var"
"$PY" "$ROOT/manage.py" migrate --noinput -v 0

started=$SECONDS
run_as "$bindir/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$work/base" -Ft -z -X none -c fast
say "base backup in $(since "$started") ($(du -sh "$work/base" | cut -f1))"

"$PY" "$ROOT/manage.py" generate_tickets --tickets "$tickets" --seed 1 -v 0 >/dev/null
before="$(psql_at "$port" "SELECT count(*) || ' tickets, ' || (SELECT count(*) FROM tickets_rating) || ' ratings' FROM tickets_ticket")"
target="$(psql_at "$port" "SELECT now()")"
psql_at "$port" "DELETE FROM tickets_rating_categories; DELETE FROM tickets_rating" >/dev/null
last="$(psql_at "$port" "SELECT pg_walfile_name(pg_switch_wal())")"
started=$SECONDS
until [ -f "$work/archive/$last" ]; do
    [ $((SECONDS - started)) -lt 120 ] || die "WAL segment $last was not archived in 120 s"
    psql_at "$port" "SELECT pg_sleep(0.2)" >/dev/null
done
wal="$(du -sh "$work/archive" | cut -f1)"
say "primary: $before at T=$target; then every rating deleted; WAL archived: $wal"
run_as "$bindir/pg_ctl" -D "$work/primary" -m fast -w stop >/dev/null

# Recovery: the base backup plus the archive, up to T.
started=$SECONDS
run_as mkdir -m 700 "$work/recovered"
run_as tar -xzf "$work/base/base.tar.gz" -C "$work/recovered"
cat >>"$work/recovered/postgresql.auto.conf" <<CONF
restore_command = 'cp $work/archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
archive_mode = off
CONF
run_as touch "$work/recovered/recovery.signal"
port="$(free_port)"
run_as "$bindir/pg_ctl" -D "$work/recovered" -l "$work/recovered.log" -t 3600 -w \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
until [ "$(psql_at "$port" "SELECT pg_is_in_recovery()")" = f ]; do
    [ $((SECONDS - started)) -lt 3600 ] || die "recovery did not finish in an hour"
    psql_at "$port" "SELECT pg_sleep(0.2)" >/dev/null
done
after="$(psql_at "$port" "SELECT count(*) || ' tickets, ' || (SELECT count(*) FROM tickets_rating) || ' ratings' FROM tickets_ticket")"
say "recovered to T in $(since "$started") (unpack + replay of $wal of WAL): $after"
[ "$after" = "$before" ] || die "the recovered cluster differs from the primary at T ($before)"
say "point-in-time recovery checks out"
