#!/usr/bin/env bash
# Back up LPSE Support: the PostgreSQL database and the attachment storage.
#
#   scripts/backup.sh DEST_DIR
#
# Reads the app's own configuration from the environment (.env.example):
# DATABASE_URL (PostgreSQL), STORAGE_BACKEND=local with MEDIA_ROOT, or
# STORAGE_BACKEND=s3 with S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY,
# S3_REGION; the settings module is imported, so SECRET_KEY must be set as for the
# app. VENV (default ./.venv) is the app's virtualenv.
#
# DEST_DIR must not exist; it is created holding
#   database.dump   pg_dump --format=custom, one consistent snapshot (pg_dump reads
#                   everything in one repeatable-read transaction: safe under load)
#   files/<key>     every file of the storage, copied AFTER the dump has finished
#   manifest.json   created at, app version and git commit, database name, the dump's
#                   size and SHA-256, every file with its size and SHA-256
#
# The guarantee: every attachment row in the dump has its file in the backup. The
# app writes a file before its row commits and deletes one only when its row never
# committed, so every row of the snapshot had its file before the copy began; the
# helper checks each row of the dump against the copy (file present, SHA-256 recorded
# at upload, size) and fails the backup otherwise. Files uploaded after the snapshot
# are copied too, without a row (the manifest marks them "referenced": false).
#
# Everything is written into a hidden DEST_DIR.partial.* folder beside DEST_DIR and
# renamed at the very end: a DEST_DIR that exists is complete. Exits non-zero on any
# failure, and then leaves nothing behind.
set -euo pipefail

PROG=backup.sh
# shellcheck source=scripts/backup-common.sh
. "$(dirname "$0")/backup-common.sh"

[ $# -eq 1 ] || usage
case "$1" in -*) usage ;; esac
dest="${1%/}"
[ ! -e "$dest" ] || die "$dest exists already: give a new directory (a backup is never overwritten)"
parent="$(dirname "$dest")"
[ -d "$parent" ] || die "$parent is not a directory"
require_database_url
bindir="$(pg_bindir)"

work="$(mktemp -d "$parent/.$(basename "$dest").partial.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
started=$SECONDS

say "dumping the database ($("$bindir/pg_dump" --version))"
"$bindir/pg_dump" --format=custom --no-password --file="$work/database.dump" \
    --dbname="$DATABASE_URL" || die "pg_dump failed; no backup was written"
say "database dumped in $(since "$started") ($(du -h "$work/database.dump" | cut -f1))"

files_started=$SECONDS
helper backup --dump "$work/database.dump" --out "$work" --pg-bin "$bindir" \
    || die "copying the attachment storage failed; no backup was written"
say "storage copied and checked in $(since "$files_started")"

sync -f "$work/manifest.json"
mv -T -- "$work" "$dest"
trap - EXIT
say "backup complete in $(since "$started"): $dest ($(du -sh "$dest" | cut -f1))"
