#!/usr/bin/env bash
# Restore an LPSE Support backup (scripts/backup.sh) into an empty database and an
# empty attachment storage.
#
#   scripts/restore.sh [--force] BACKUP_DIR
#
# The target is the app's configuration in the environment, as for backup.sh:
# DATABASE_URL (an existing, empty PostgreSQL database: createdb it first),
# STORAGE_BACKEND with MEDIA_ROOT or the S3_* variables, SECRET_KEY; VENV (default
# ./.venv) is the app's virtualenv.
#
# In this order, stopping at the first failure:
#   1. the dump and every file are checked against the manifest's SHA-256 (a damaged
#      or altered backup is refused before anything is written);
#   2. the target database must have no tables and the storage no files: otherwise it
#      refuses, unless --force is given (then pg_restore --clean --if-exists drops and
#      recreates the backup's objects, and files with the same key are replaced;
#      anything else already there stays);
#   3. pg_restore --no-owner --no-privileges --exit-on-error --jobs=2 (the restoring
#      role owns everything);
#   4. the files are copied into the storage, each hashed as it is sent;
#   5. every Attachment row of the restored database must have its file, with the
#      manifest's SHA-256 equal to the one recorded at upload.
# Prints a summary; exits non-zero on any mismatch.
set -euo pipefail

PROG=restore.sh
# shellcheck source=scripts/backup-common.sh
. "$(dirname "$0")/backup-common.sh"

force=""
backup=""
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -*) usage ;;
        *)
            [ -z "$backup" ] || usage
            backup="${arg%/}"
            ;;
    esac
done
[ -n "$backup" ] || usage
[ -f "$backup/manifest.json" ] || die "$backup holds no manifest.json: not a complete backup"
require_database_url
bindir="$(pg_bindir)"
started=$SECONDS

helper check --backup "$backup" || die "the backup failed its check; nothing was restored"

tables="$("$bindir/psql" -X -A -t -q -v ON_ERROR_STOP=1 --no-password --dbname="$DATABASE_URL" -c "
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'")" \
    || die "cannot reach the target database (DATABASE_URL); nothing was restored"
clean=()
if [ "$tables" -ne 0 ]; then
    if [ -z "$force" ]; then
        die "the target database is not empty ($tables tables, views or sequences): restore into a new empty database (createdb), or pass --force to drop and recreate the backup's objects in it; nothing was restored"
    fi
    say "--force: the target database has $tables tables, views or sequences; the backup's are dropped and recreated"
    clean=(--clean --if-exists)
fi
if [ -z "$force" ]; then
    helper storage-empty || die "nothing was restored"
fi

db_started=$SECONDS
say "restoring the database ($("$bindir/pg_restore" --version))"
"$bindir/pg_restore" --no-owner --no-privileges --exit-on-error --jobs=2 "${clean[@]}" \
    --no-password --dbname="$DATABASE_URL" "$backup/database.dump" \
    || die "pg_restore failed: the target database is partly restored; drop and recreate it before trying again"
say "database restored in $(since "$db_started")"

files_started=$SECONDS
helper restore --backup "$backup" || die "the restore does not match the backup"
say "files restored and checked in $(since "$files_started")"
say "restore complete in $(since "$started") from $backup"
