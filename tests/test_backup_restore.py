"""scripts/backup.sh and scripts/restore.sh (issue 16): a restore into a fresh
PostgreSQL cluster and an empty storage equals the dump's snapshot, table by table, and
every file matches the SHA-256 recorded at upload; a damaged backup and a non-empty
target are refused.

The scripts run as subprocesses with a production-like environment (no TESTING), the
source being this test's database and storage; the target a throwaway cluster from
scripts/pg-throwaway.sh. Attachments go through the real upload path (ticket_create
with checked files), so their SHA-256 is the one recorded at upload."""

import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from accounts.models import User
from testsupport.s3 import ACCESS_KEY, REGION, SECRET_KEY, S3Bucket
from tickets import services
from tickets.attachments import attachment_check
from tickets.models import Attachment, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
PG_THROWAWAY = ROOT / "scripts" / "pg-throwaway.sh"
# Generous: a busy two-core CI machine; the scripts finish in seconds here.
SCRIPT_TIMEOUT = 300

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("backup.sh and restore.sh work on PostgreSQL (pg_dump/pg_restore)")


# --- Servers and environments -------------------------------------------------------


@pytest.fixture
def fresh_cluster() -> Iterator[str]:
    """A new, empty PostgreSQL cluster; yields its DATABASE_URL."""
    state = subprocess.run(
        [str(PG_THROWAWAY), "start"], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    try:
        text = (Path(state) / "env").read_text()
        yield text.split("DATABASE_URL=", 1)[1].strip().strip("'\"")
    finally:
        subprocess.run([str(PG_THROWAWAY), "stop", state], capture_output=True, timeout=120)


def source_database_url() -> str:
    """This test's own database (pytest-django's test_<name>), as a libpq URL."""
    params = connection.settings_dict
    user = quote(params["USER"], safe="")
    password = quote(params["PASSWORD"], safe="")
    return f"postgres://{user}:{password}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def app_env(database_url: str, **storage: str) -> dict[str, str]:
    """The production-like environment of the app, as an operator runs the scripts."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TESTING", "PYTEST_VERSION", "DEBUG", "DATABASE_URL", "MEDIA_ROOT"}
        and not key.startswith(("S3_", "STORAGE_"))
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="backup-test-only",
        VENV=str(Path(sys.executable).parent.parent),
        **storage,
    )
    return env


def run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT
    )


def succeed(script: Path, *args: str, env: dict[str, str]) -> str:
    result = run(script, *args, env=env)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


# --- Comparing databases ------------------------------------------------------------


def table_checksums(database_url: str) -> dict[str, tuple[int, str]]:
    """Per table of the public schema: the row count and the md5 of its rows in order
    (the same session settings on both sides, so the text of a row is comparable);
    per sequence: its last value."""
    sums: dict[str, tuple[int, str]] = {}
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3")
        tables = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            count, digest = db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM public.\"{table}\" t"  # noqa: E501, S608
            ).fetchone()  # type: ignore[misc]
            sums[table] = (count, digest)
        for name, value in db.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall():
            sums[f"sequence {name}"] = (int(value or 0), "")
    return sums


def local_sha256(root: Path, key: str) -> str:
    return hashlib.sha256((root / key).read_bytes()).hexdigest()


# --- Seeding through the real services ----------------------------------------------


def seed(alice: User, bob: User, agent: User) -> None:
    """Tickets with files filed and replied to through the services (SHA-256 recorded)."""
    first = make_ticket(alice, files={"bukti.png": samples.PNG, "surat.pdf": samples.PDF})
    make_ticket(bob, files={"Bukti Unggah (1).PNG": samples.PNG + b"lain"})
    make_ticket(alice, title="Tanpa lampiran")
    taken = services.ticket_take(ticket=first, actor=agent)
    reply = attachment_check(samples.upload("panduan.txt", b"Langkah 1: muat ulang."))
    services.ticket_reply(ticket=taken, actor=agent, body="Silakan coba.", files=[reply])


# --- Local storage ------------------------------------------------------------------


def test_a_restore_into_a_fresh_cluster_equals_the_dump_and_every_file_its_sha256(
    alice: User, bob: User, agent: User, media_storage: str, fresh_cluster: str, tmp_path: Path
) -> None:
    # Given tickets with attachments, and a backup of them
    seed(alice, bob, agent)
    source = source_database_url()
    backup = tmp_path / "backup"
    succeed(BACKUP, str(backup), env=app_env(source, MEDIA_ROOT=media_storage))
    expected = table_checksums(source)  # nothing has written since the dump
    # And a ticket filed after the backup, which the restore must not hold
    later = make_ticket(bob, files={"nanti.png": samples.PNG + b"nanti"})

    # When it is restored into a fresh cluster and an empty folder
    media = tmp_path / "restored-media"
    output = succeed(RESTORE, str(backup), env=app_env(fresh_cluster, MEDIA_ROOT=str(media)))

    # Then every table has the rows of the snapshot, with the same content
    restored = table_checksums(fresh_cluster)
    assert restored == expected
    assert expected["tickets_attachment"][0] == 4
    with psycopg.connect(fresh_cluster) as db:
        numbers = {n for (n,) in db.execute("SELECT number FROM tickets_ticket").fetchall()}
        rows = db.execute("SELECT file, sha256 FROM tickets_attachment").fetchall()
    assert later.number not in numbers
    # And every restored file has the SHA-256 recorded at upload
    assert rows and all(local_sha256(media, key) == sha for key, sha in rows)
    assert "4 attachment rows, each with its file" in output
    # And the manifest says what was backed up
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]
    dump = (backup / "database.dump").read_bytes()
    assert manifest["database"]["sha256"] == hashlib.sha256(dump).hexdigest()
    recorded = {a.file.name: a.sha256 for a in Attachment.objects.exclude(ticket=later)}
    listed = {entry["key"]: entry["sha256"] for entry in manifest["files"]}
    assert {key: listed[key] for key in recorded} == recorded
    assert manifest["attachment_rows"] == 4


@pytest.fixture
def seeded_backup(alice: User, bob: User, agent: User, media_storage: str, tmp_path: Path) -> Path:
    """A backup of the seeded tickets, from the local storage."""
    seed(alice, bob, agent)
    backup = tmp_path / "backup"
    succeed(BACKUP, str(backup), env=app_env(source_database_url(), MEDIA_ROOT=media_storage))
    return backup


def public_tables(database_url: str) -> int:
    with psycopg.connect(database_url) as db:
        row = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert row is not None
    return int(row[0])


def new_database(cluster_url: str, name: str) -> str:
    """A second, empty database in the cluster of `cluster_url`; its URL."""
    with psycopg.connect(cluster_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return f"{cluster_url.rsplit('/', 1)[0]}/{name}"


def test_a_tampered_file_makes_the_restore_fail_before_it_writes_anything(
    seeded_backup: Path, fresh_cluster: str, tmp_path: Path
) -> None:
    # Given a backup with one of its files altered afterwards
    backup = seeded_backup
    key = Attachment.objects.get(original_name="surat.pdf").file.name
    (backup / "files" / key).write_bytes(samples.PDF + b"\n% altered")

    # When it is restored
    media = tmp_path / "restored-media"
    result = run(RESTORE, str(backup), env=app_env(fresh_cluster, MEDIA_ROOT=str(media)))

    # Then the restore fails naming the file, and the target stays empty
    assert result.returncode != 0
    assert f"{key}: SHA-256" in result.stderr
    assert "damaged or was altered; nothing was restored" in result.stderr
    assert public_tables(fresh_cluster) == 0
    assert not media.exists() or not any(media.iterdir())


def test_a_restore_refuses_a_database_or_storage_that_is_not_empty(
    seeded_backup: Path, fresh_cluster: str, tmp_path: Path
) -> None:
    # Given a backup restored once into a fresh cluster
    backup = seeded_backup
    media = tmp_path / "restored-media"
    succeed(RESTORE, str(backup), env=app_env(fresh_cluster, MEDIA_ROOT=str(media)))
    with psycopg.connect(fresh_cluster) as db:
        before = db.execute("SELECT count(*) FROM tickets_ticket").fetchone()

    # When it is restored again into the same, now full, database
    empty_media = tmp_path / "empty-media"
    result = run(RESTORE, str(backup), env=app_env(fresh_cluster, MEDIA_ROOT=str(empty_media)))
    # Then it refuses with a clear message and changes nothing
    assert result.returncode != 0
    assert "the target database is not empty" in result.stderr
    assert "--force" in result.stderr
    with psycopg.connect(fresh_cluster) as db:
        assert db.execute("SELECT count(*) FROM tickets_ticket").fetchone() == before
    assert not empty_media.exists()

    # When it goes into an empty database but the storage that already holds files
    second = new_database(fresh_cluster, "second")
    result = run(RESTORE, str(backup), env=app_env(second, MEDIA_ROOT=str(media)))
    # Then it refuses too, before restoring the database
    assert result.returncode != 0
    assert "the target storage is not empty" in result.stderr
    assert public_tables(second) == 0

    # And with --force it restores over both, and the result still checks out
    output = succeed(
        RESTORE, "--force", str(backup), env=app_env(fresh_cluster, MEDIA_ROOT=str(media))
    )
    assert "4 attachment rows, each with its file" in output


def test_a_backup_is_refused_for_a_destination_that_exists_and_leaves_nothing_on_failure(
    alice: User, media_storage: str, tmp_path: Path
) -> None:
    make_ticket(alice, files={"bukti.png": samples.PNG})
    env = app_env(source_database_url(), MEDIA_ROOT=media_storage)
    # An existing destination is never overwritten
    (tmp_path / "taken").mkdir()
    result = run(BACKUP, str(tmp_path / "taken"), env=env)
    assert result.returncode != 0 and "exists already" in result.stderr
    # A file of a row missing from the storage fails the backup, and nothing is left
    Path(media_storage, Attachment.objects.get().file.name).unlink()
    result = run(BACKUP, str(tmp_path / "broken"), env=env)
    assert result.returncode != 0
    assert "attachment row without its file" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    # And a database that cannot be reached fails it too
    result = run(BACKUP, str(tmp_path / "down"), env={**env, "DATABASE_URL": "sqlite:///x"})
    assert result.returncode != 0 and "only PostgreSQL" in result.stderr


def test_a_backup_taken_while_tickets_are_filed_holds_the_file_of_every_row(
    alice: User, bob: User, agent: User, media_storage: str, fresh_cluster: str, tmp_path: Path
) -> None:
    # Given tickets, and a reporter filing more with files while the backup runs
    seed(alice, bob, agent)
    stop = threading.Event()
    filed: list[str] = []

    def file_tickets() -> None:
        try:
            for index in range(300):  # bounded, whatever happens to the backup
                if stop.is_set():
                    break
                ticket = make_ticket(
                    bob, files={f"beban-{index}.png": samples.PNG + bytes([index % 256]) * 64}
                )
                filed.append(ticket.number)
        finally:
            connection.close()

    writer = threading.Thread(target=file_tickets)
    writer.start()
    try:
        # (the dump then holds some of the reporter's rows, and the copy runs while
        # more are filed)
        deadline = time.monotonic() + 120
        while len(filed) < 3 and writer.is_alive() and time.monotonic() < deadline:
            stop.wait(0.05)
        before = len(filed)
        backup = tmp_path / "backup"
        env = app_env(source_database_url(), MEDIA_ROOT=media_storage)
        succeed(BACKUP, str(backup), env=env)
        during = len(filed)
    finally:
        stop.set()
        writer.join(timeout=120)

    # When it is restored
    media = tmp_path / "restored-media"
    succeed(RESTORE, str(backup), env=app_env(fresh_cluster, MEDIA_ROOT=str(media)))

    # Then every restored attachment row has its file with the SHA-256 recorded at upload
    with psycopg.connect(fresh_cluster) as db:
        rows = db.execute("SELECT file, sha256 FROM tickets_attachment").fetchall()
        restored = db.execute("SELECT count(*) FROM tickets_ticket").fetchone()
    assert all(local_sha256(media, key) == sha for key, sha in rows)
    # And it holds every ticket filed before the backup began, none filed after it ended
    assert restored is not None and 3 + before <= restored[0] <= 3 + during
    assert Ticket.objects.count() == 3 + len(filed)


# --- S3 storage (moto server) -------------------------------------------------------


def test_an_s3_bucket_is_backed_up_and_restored_into_an_empty_bucket(
    s3_bucket: S3Bucket,
    alice: User,
    bob: User,
    agent: User,
    fresh_cluster: str,
    tmp_path: Path,
) -> None:
    # Given attachments uploaded to an S3 bucket through the app's storage
    target = S3Bucket(s3_bucket.server, f"pulih-{s3_bucket.name}")
    target.create()
    s3_keys = {"S3_ACCESS_KEY": ACCESS_KEY, "S3_SECRET_KEY": SECRET_KEY, "S3_REGION": REGION}
    seed(alice, bob, agent)
    # (one above boto3's 8 MB multipart threshold: streamed in parts both ways)
    big = samples.PDF + b"%" + random.Random(16).randbytes(9 * 1024 * 1024)
    make_ticket(bob, files={"besar.pdf": big})
    source_env = app_env(
        source_database_url(),
        STORAGE_BACKEND="s3",
        S3_BUCKET=s3_bucket.name,
        S3_ENDPOINT_URL=s3_bucket.server.url,
        **s3_keys,
    )
    backup = tmp_path / "backup"
    succeed(BACKUP, str(backup), env=source_env)
    expected = table_checksums(source_database_url())

    # When it is restored into a fresh cluster and an empty bucket
    target_env = {
        **app_env(
            fresh_cluster,
            STORAGE_BACKEND="s3",
            S3_BUCKET=target.name,
            S3_ENDPOINT_URL=target.server.url,
            **s3_keys,
        )
    }
    succeed(RESTORE, str(backup), env=target_env)

    # Then the database equals the snapshot and every object its recorded SHA-256
    assert table_checksums(fresh_cluster) == expected
    with psycopg.connect(fresh_cluster) as db:
        rows = db.execute("SELECT file, sha256 FROM tickets_attachment").fetchall()
    assert len(rows) == 5
    for key, sha in rows:
        body = target.read(key)
        assert hashlib.sha256(body).hexdigest() == sha

    # And a second restore into that bucket (with an empty database) is refused
    second = new_database(fresh_cluster, "second")
    result = run(RESTORE, str(backup), env={**target_env, "DATABASE_URL": second})
    assert result.returncode != 0 and "the target storage is not empty" in result.stderr
