# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The project's virtualenv (as in scripts/run-tests.sh): the helper imports the settings.
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

# The calling script's header comment, as its usage.
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

say() {
    echo "$PROG: $*" >&2
}

# The client tools of the newest installed PostgreSQL, the same directory
# scripts/pg-throwaway.sh takes the server from: pg_dump refuses a newer server,
# and pg_restore reads only the dump versions it knows.
pg_bindir() {
    local dir
    dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    if [ -z "$dir" ] || [ ! -x "$dir/pg_dump" ] || [ ! -x "$dir/pg_restore" ]; then
        die "no PostgreSQL client tools under /usr/lib/postgresql (apt-get install postgresql)"
    fi
    echo "$dir"
}

# The storage half (scripts/backup_files.py), under the app's settings.
helper() {
    "$PY" "$ROOT/scripts/backup_files.py" "$@"
}

# The app's DATABASE_URL, which must name a PostgreSQL database (libpq reads it as is).
require_database_url() {
    case "${DATABASE_URL:-}" in
        postgres://* | postgresql://*) ;;
        "") die "DATABASE_URL is not set: run with the app's environment (see .env.example)" ;;
        *) die "DATABASE_URL is not a PostgreSQL URL (postgres://...): only PostgreSQL is backed up and restored" ;;
    esac
    [ -x "$PY" ] || die "no Python at $PY: set VENV to the app's virtualenv"
}

# Seconds since START (an integer from $SECONDS).
since() {
    echo "$((SECONDS - $1))s"
}
