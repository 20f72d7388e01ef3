"""Time scripts/backup.sh and scripts/restore.sh on a generated data set (prints numbers).

    python scripts/bench_backup.py [--tickets 20000] [--seed 1] [--work DIR] [--file-size B]

1. a durable throwaway PostgreSQL (fsync on, as in production), `migrate`,
   `generate_tickets --tickets N`;
2. a file of random bytes for every attachment row the generator made (it writes rows
   only), at the row's size, with the row's sha256 set to the file's: the data set then
   looks like one uploaded through the app, sizes and all (--file-size B gives every
   row and file B bytes instead: to time the database part and the per-file cost on a
   larger data set without its hundreds of gigabytes);
3. backup.sh into WORK/backup, timed;
4. a second, empty durable cluster and an empty media folder; restore.sh, timed.

Everything it starts is stopped, and WORK (a temporary folder unless given) removed,
on exit. Not part of `make test`: the numbers go into docs/deploy.md.
"""

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MB = 1024 * 1024


def say(message: str) -> None:
    print(f"bench-backup: {message}", flush=True)


def cluster_start() -> tuple[str, str]:
    """A durable throwaway cluster: (its state directory, its DATABASE_URL)."""
    state = subprocess.run(
        [str(ROOT / "scripts" / "pg-throwaway.sh"), "start"],
        env={**os.environ, "PG_THROWAWAY_DURABLE": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    url = (Path(state) / "env").read_text().split("DATABASE_URL=", 1)[1].strip().strip("'\"")
    return state, url


def cluster_stop(state: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", state], check=False)


def app_env(database_url: str, media: Path, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TESTING", "PYTEST_VERSION"}}
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        STORAGE_BACKEND="local",
        VAR_DIR=str(var),
        SECRET_KEY="bench-only",  # noqa: S106
        DEBUG="0",
        VENV=str(Path(PY).parent.parent),
    )
    return env


def timed(label: str, command: list[str], env: dict[str, str], timings: dict[str, float]) -> None:
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    timings[label] = time.monotonic() - started
    say(f"{label}: {timings[label]:.1f} s")


def materialize_files(
    database_url: str, media: Path, seed: int, file_size: int | None
) -> tuple[int, int]:
    """Write a random file for every attachment row and record its SHA-256."""
    rng = random.Random(seed)
    hashes: list[tuple[str, int]] = []
    total = 0
    with psycopg.connect(database_url) as db:
        if file_size is not None:
            db.execute("UPDATE tickets_attachment SET size = %s", [file_size])
        rows = db.execute("SELECT id, file, size FROM tickets_attachment ORDER BY id").fetchall()
        for row_id, key, size in rows:
            path = media / key
            path.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with path.open("wb") as out:
                left = size
                while left:
                    chunk = rng.randbytes(min(left, MB))
                    digest.update(chunk)
                    out.write(chunk)
                    left -= len(chunk)
            hashes.append((digest.hexdigest(), row_id))
            total += size
        with db.cursor() as cursor:
            cursor.executemany("UPDATE tickets_attachment SET sha256 = %s WHERE id = %s", hashes)
    return len(rows), total


def database_size(database_url: str) -> int:
    with psycopg.connect(database_url) as db:
        row = db.execute("SELECT pg_database_size(current_database())").fetchone()
    assert row is not None
    return int(row[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--file-size", type=int, help="bytes of every file (default: the row's)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="lpse-bench-backup."))
    work.mkdir(parents=True, exist_ok=True)
    clusters: list[str] = []
    timings: dict[str, float] = {}
    try:
        state, source = cluster_start()
        clusters.append(state)
        env = app_env(source, work / "media", work / "var")
        timed("migrate", [PY, "manage.py", "migrate", "--noinput", "-v", "0"], env, timings)
        timed(
            "generate_tickets",
            [
                PY,
                "manage.py",
                "generate_tickets",
                f"--tickets={args.tickets}",
                f"--seed={args.seed}",
            ],
            env,
            timings,
        )
        started = time.monotonic()
        files, total = materialize_files(source, work / "media", args.seed, args.file_size)
        say(f"{files} files, {total / MB:.0f} MB written in {time.monotonic() - started:.1f} s")
        db_size = database_size(source)

        timed(
            "backup.sh", [str(ROOT / "scripts" / "backup.sh"), str(work / "backup")], env, timings
        )
        dump_size = (work / "backup" / "database.dump").stat().st_size

        state, target = cluster_start()
        clusters.append(state)
        target_env = app_env(target, work / "restored-media", work / "var")
        timed(
            "restore.sh",
            [str(ROOT / "scripts" / "restore.sh"), str(work / "backup")],
            target_env,
            timings,
        )
    finally:
        for state in clusters:
            cluster_stop(state)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"data set: {args.tickets} tickets, database {db_size / MB:.0f} MB,")
    print(f"          dump {dump_size / MB:.0f} MB,")
    print(f"          {files} attachment files, {total / MB:.0f} MB")
    for label in ("generate_tickets", "backup.sh", "restore.sh"):
        print(f"  {label:<18} {timings[label]:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
