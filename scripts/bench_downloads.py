"""Attachment downloads through nginx: streamed by the app, or sent by nginx
(X-Accel-Redirect, ATTACHMENT_X_ACCEL_PREFIX). Prints numbers only.

    make bench-downloads
    .venv/bin/python scripts/bench_downloads.py --seconds 20 --clients 4

Starts on loopback a throwaway PostgreSQL, two gunicorn app servers' worth of workers
(one gunicorn, 2 workers x 2 threads, the production settings; local storage) and nginx
with the shipped site (TLS), once without and once with X-Accel-Redirect. For a 1 MB and
a 20 MB attachment, N clients download the file over and over for the given seconds;
then req/s, p50/p95 latency, MB/s, and the CPU seconds the gunicorn workers used per
download (utime + stime from /proc/<pid>/stat).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench as B
import topology as T

SETUP = """
import json, os, sys
import django
django.setup()
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from accounts.services import reporter_upsert
from reference.services import reference_seed
from sla.seed import sla_seed
from tickets.attachments import attachment_check
from tickets.tests.factories import make_draft
from tickets.services import ticket_create
reference_seed(); sla_seed()
user = reporter_upsert(source="spse", kd_lpse=119, user_id="bench1", name="Bench",
    email="bench1@example.go.id", role="ppk", instansi="Uji")
files = [attachment_check(SimpleUploadedFile(os.path.basename(p), open(p, "rb").read(),
    content_type="application/pdf")) for p in sys.argv[1:]]
ticket = ticket_create(reporter=user, draft=make_draft(user, code=""), files=files)
browser = Client()
browser.force_login(user)
print(json.dumps({"number": ticket.number, "cookie": settings.SESSION_COOKIE_NAME,
    "session": browser.cookies[settings.SESSION_COOKIE_NAME].value}))
"""


def cpu_seconds(master: int) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in B.worker_pids(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load(url: str, cookies: dict[str, str], cert: str, clients: int, seconds: float,
         expected: str) -> tuple[list[float], int, int]:  # fmt: skip
    times: list[float] = []
    sizes = [0]
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        session = requests.Session()
        first = True
        while time.monotonic() < stop:
            started = time.monotonic()
            digest = hashlib.sha256() if first else None
            size = 0
            ok = False
            try:
                with session.get(
                    url, cookies=cookies, stream=True, timeout=120, verify=cert
                ) as response:
                    for chunk in response.iter_content(256 * 1024):
                        size += len(chunk)
                        if digest:
                            digest.update(chunk)
                    ok = response.status_code == 200 and (
                        not digest or digest.hexdigest() == expected
                    )
            except requests.RequestException:
                ok = False
            with lock:
                if ok:
                    times.append(time.monotonic() - started)
                    sizes[0] += size
                else:
                    failures[0] += 1
            first = False

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, sizes[0], failures[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_DOWNLOAD_SECONDS", 20))
    )
    parser.add_argument(
        "--clients", type=int, default=int(os.environ.get("BENCH_DOWNLOAD_CLIENTS", 4))
    )
    args = parser.parse_args()
    base = B.clean_environment()
    work = Path(tempfile.mkdtemp(prefix="lpse-bench-dl-"))
    work.chmod(0o755)
    (work / "logs").mkdir()
    os.environ["BENCH_PG_OPTIONS"] = os.environ.get("BENCH_PG_OPTIONS", "-c shared_buffers=128MB")
    pg = B.pg_start(base)
    rows = []
    try:
        env = B.app_environment(base, work, pg.url)
        media = work / "media"
        media.mkdir(mode=0o755)
        env.update({"MEDIA_ROOT": str(media), "BEHIND_PROXY": "1"})
        B.run("migrate", [B.PYTHON, B.ROOT / "manage.py", "migrate", "-v", "0"], env=env,
              log=work / "logs" / "migrate.log", timeout=600)  # fmt: skip
        collect = [B.PYTHON, B.ROOT / "manage.py", "collectstatic", "--noinput", "-v", "0"]
        B.run("collectstatic", collect,
              env=env, log=work / "logs" / "static.log", timeout=600)  # fmt: skip
        sources = []
        for mb in (1, 20):
            path = work / f"berkas-{mb}mb.pdf"
            B.random_file(path, mb * B.MB)
            sources.append(path)
        setup = subprocess.run([B.PYTHON, "-c", SETUP, *map(str, sources)], env=env, cwd=B.ROOT,
                               capture_output=True, text=True, check=True)  # fmt: skip
        fixture = json.loads(setup.stdout.strip().splitlines()[-1])
        cookies = {fixture["cookie"]: fixture["session"]}
        digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in sources]
        nginx = work / "nginx"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (nginx / "tmp" / kind).mkdir(parents=True)
        cert, key = nginx / "cert.pem", nginx / "key.pem"
        T.check_run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                     "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                     "-keyout", key, "-out", cert])  # fmt: skip
        T.nginx_workers_may_use(nginx)
        for mode in ("streamed", "x-accel"):
            app_env = dict(env)
            if mode == "x-accel":
                app_env["ATTACHMENT_X_ACCEL_PREFIX"] = "/_lampiran"
            port, https = B.free_port(), B.free_port()
            app = B.gunicorn_start(
                app_env, port, 2, 2, work / "logs" / f"app-{mode}.log", probe="/healthz"
            )
            site = nginx / f"site-{mode}.conf"
            site.write_text(T.render_site({
                "SERVER_NAME": "127.0.0.1", "HTTP_LISTEN": f"127.0.0.1:{B.free_port()}",
                "HTTPS_LISTEN": f"127.0.0.1:{https}", "HTTPS_PORT": str(https),
                "SSL_CERTIFICATE": str(cert), "SSL_CERTIFICATE_KEY": str(key),
                "LOG_DIR": str(nginx), "STATIC_ROOT": str(work / "static"),
                "UPSTREAM_SERVERS": f"server 127.0.0.1:{port};",
                "CLIENT_MAX_BODY_SIZE": "1049624576", "MEDIA_ROOT": str(media),
            }), encoding="utf-8")  # fmt: skip
            conf = nginx / f"nginx-{mode}.conf"
            conf.write_text(
                T.nginx_config(work, site).replace(
                    str(nginx / "nginx.pid"), str(nginx / f"{mode}.pid")
                ),
                encoding="utf-8",
            )
            proxy = B.CHILDREN.start(["nginx", "-e", nginx / "error.log", "-c", conf], env=base,
                                     log=work / "logs" / f"nginx-{mode}.log")  # fmt: skip
            base_url = f"https://127.0.0.1:{https}"
            probe = f"{base_url}/healthz"
            T.wait_for(
                "nginx",
                lambda probe=probe: requests.get(probe, verify=str(cert), timeout=5).ok,  # type: ignore[misc]
                30,
            )
            for index, mb in enumerate((1, 20)):
                download = f"{base_url}/tiket/{fixture['number']}/lampiran/{index + 1}/"
                before = cpu_seconds(app.pid)
                started = time.monotonic()
                times, size, failures = load(
                    download, cookies, str(cert), args.clients, args.seconds, digests[index]
                )
                elapsed = time.monotonic() - started
                used = cpu_seconds(app.pid) - before
                times.sort()
                p50 = 1000 * statistics.median(times) if times else 0
                p95 = 1000 * times[int(0.95 * (len(times) - 1))] if times else 0
                rows.append((mode, mb, len(times) / elapsed, p50, p95, size / B.MB / elapsed,
                             1000 * used / max(1, len(times)), len(times), failures))  # fmt: skip
            B.CHILDREN.stop(proxy)
            B.CHILDREN.stop(app)
    finally:
        B.CHILDREN.stop_all()
        B.pg_stop(pg, base)
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"clients {args.clients}, {args.seconds:.0f} s per row, "
        "gunicorn 2 workers x 2 threads, nginx TLS"
    )
    print(
        f"{'mode':<9} {'MB':>3} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'MB/s':>7} "
        f"{'app CPU ms/dl':>13} {'downloads':>9} {'failed':>6}"
    )
    for mode, mb, rps, p50, p95, mbs, cpu, count, failed in rows:
        print(
            f"{mode:<9} {mb:>3} {rps:>7.1f} {p50:>7.0f} {p95:>7.0f} {mbs:>7.1f} "
            f"{cpu:>13.1f} {count:>9} {failed:>6}"
        )
    return 1 if any(row[-1] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
