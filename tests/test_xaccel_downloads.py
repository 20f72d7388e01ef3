"""Downloads sent by nginx (X-Accel-Redirect) after the app checked who asks (issue 16).

With `ATTACHMENT_X_ACCEL_PREFIX` set and local storage, the app answers a permitted
single-file download with headers only and nginx sends the file from the `internal`
location of the shipped site (deploy/nginx/lpse-support.conf, rendered as `make
topology` renders it). Real processes: nginx (TLS) in front of gunicorn on the test
database. Without the setting the app streams the file itself, as before.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.http import content_disposition_header
from pytest_django.fixtures import Settings

from accounts.models import User
from lib.ports import free_port
from tests.test_deploy_nginx import NGINX, topology
from testsupport.processes import app_environment, start, stop, wait_until
from tickets.models import Attachment, Ticket
from tickets.tests.factories import make_ticket

ROOT = Path(__file__).resolve().parent.parent
PYTHON = __import__("sys").executable
PREFIX = "/_lampiran"
# Random bytes behind a PDF header: accepted as .pdf by the upload checks.
BODY = b"%PDF-1.7\n" + os.urandom(300_000)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not NGINX, reason="nginx is not installed (scripts/system-deps.sh nginx)"),
    pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed"),
]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Site:
    """nginx on https://127.0.0.1:<port> in front of one gunicorn."""

    url: str
    cert: str
    folder: Path
    media: Path

    def get(self, path: str, user: User | None = None) -> requests.Response:
        cookies = {}
        if user is not None:
            browser = Client()
            browser.force_login(user)
            cookies[settings.SESSION_COOKIE_NAME] = browser.cookies[
                settings.SESSION_COOKIE_NAME
            ].value
        return requests.get(
            self.url + path, cookies=cookies, verify=self.cert, timeout=60, allow_redirects=False
        )

    def access_log(self) -> str:
        return (self.folder / "lpse-support.access.log").read_text(encoding="utf-8")


def _log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _answers(url: str, cert: str) -> bool:
    try:
        return requests.get(url, verify=cert, timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder nginx's workers (www-data when run as root) can read: pytest's own
    temporary folders are private to this user."""
    folder = Path(tempfile.mkdtemp(prefix="lpse-xaccel-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def media(settings: Settings, shared_folder: Path) -> Path:
    """The attachments of this test and of the app server under nginx: one folder."""
    folder = shared_folder / "media"
    folder.mkdir(mode=0o755)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def site_start(folder: Path, media: Path, **app_env: str) -> Iterator[Site]:
    """gunicorn (the test database, `app_env` added) and nginx with the shipped site."""
    nginx = folder / "nginx"
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (nginx / "tmp" / kind).mkdir(parents=True)
    cert, key = nginx / "cert.pem", nginx / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    (folder / "static").mkdir()
    app_port, https_port = free_port(), free_port()
    site = nginx / "lpse-support.conf"
    site.write_text(
        topology.render_site(
            {
                "SERVER_NAME": "127.0.0.1",
                "HTTP_LISTEN": f"127.0.0.1:{free_port()}",
                "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                "HTTPS_PORT": str(https_port),
                "SSL_CERTIFICATE": str(cert),
                "SSL_CERTIFICATE_KEY": str(key),
                "LOG_DIR": str(nginx),
                "STATIC_ROOT": str(folder / "static"),
                "UPSTREAM_SERVERS": f"server 127.0.0.1:{app_port};",
                "CLIENT_MAX_BODY_SIZE": "1049624576",
                "MEDIA_ROOT": str(media),
            }
        ),
        encoding="utf-8",
    )
    conf = nginx / "nginx.conf"
    conf.write_text(topology.nginx_config(folder, site), encoding="utf-8")
    topology.nginx_workers_may_use(nginx)

    env = app_environment(folder, MEDIA_ROOT=str(media), BEHIND_PROXY="1", **app_env)
    app_log = folder / "gunicorn.log"
    argv = [PYTHON, "-m", "gunicorn", "--config", "lpse_support/gunicorn_conf.py"]
    argv += ["--bind", f"127.0.0.1:{app_port}", "--workers", "1", "--threads", "2"]
    app = start(argv, env=env, log=app_log)
    proxy = start(
        [NGINX, "-e", str(nginx / "error.log"), "-c", str(conf)], env=env, log=folder / "nginx.out"
    )
    url = f"https://127.0.0.1:{https_port}"
    try:
        wait_until(
            lambda: _answers(f"{url}/healthz", str(cert)),
            lambda: f"nginx and gunicorn answer\n{_log(app_log)}\n{_log(nginx / 'error.log')}",
        )
        yield Site(url=url, cert=str(cert), folder=nginx, media=media)
    finally:
        stop(proxy)
        stop(app)


@pytest.fixture
def accel_site(shared_folder: Path, media: Path) -> Iterator[Site]:
    yield from site_start(shared_folder, media, ATTACHMENT_X_ACCEL_PREFIX=PREFIX)


@pytest.fixture
def streaming_site(shared_folder: Path, media: Path) -> Iterator[Site]:
    yield from site_start(shared_folder, media)


# What the app sets on every answer (lpse_support's middleware, Django's security ones).
SECURITY_HEADERS = (
    "Cache-Control", "X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy",
    "Referrer-Policy", "Cross-Origin-Opener-Policy",
)  # fmt: skip


def _streamed_in_process(ticket: Ticket, user: User) -> Any:
    """The app's own streamed answer (no X-Accel-Redirect: this process has no prefix)."""
    browser = Client()
    browser.force_login(user)
    response = browser.get(download_path(ticket))
    assert response.status_code == 200 and "X-Accel-Redirect" not in response
    return response


def _directives(value: str) -> set[str]:
    """A header's parts: CSP's directives come in another order in another process."""
    return {part.strip() for part in value.replace(";", ",").split(",")}


def ticket_with_file(alice: User) -> tuple[Ticket, Attachment]:
    ticket = make_ticket(alice, files={"Laporan Akhir.pdf": BODY})
    return ticket, ticket.attachments.get(sequence=1)


def download_path(ticket: Ticket) -> str:
    return reverse("portal:attachment_download", args=[ticket.number, 1])


def test_a_permitted_download_is_sent_by_nginx(alice: User, accel_site: Site) -> None:
    # Given alice's ticket with a file, and an app server that hands files to nginx
    ticket, attachment = ticket_with_file(alice)

    # When she downloads it through nginx
    response = accel_site.get(download_path(ticket), alice)

    # Then she gets exactly the stored bytes, under her download name and type
    assert response.status_code == 200
    assert sha256(response.content) == sha256(BODY) == attachment.sha256
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == content_disposition_header(
        as_attachment=True, filename=attachment.download_name
    )
    assert response.headers["Content-Length"] == str(len(BODY))
    # And the app's other headers are there, as the app streaming it would send them;
    # the internal path is never shown
    streamed = _streamed_in_process(ticket, alice)
    for name in SECURITY_HEADERS:
        assert _directives(response.headers[name]) == _directives(streamed[name]), name
    assert len(response.headers["X-Request-ID"]) == 32
    assert "X-Accel-Redirect" not in response.headers
    # And the app server sent no body: nginx did (its log line is the file's size)
    line = next(
        line for line in accel_site.access_log().splitlines() if download_path(ticket) in line
    )
    assert f'" 200 {len(BODY)} ' in line


def test_a_stored_name_with_odd_characters_is_encoded(alice: User, accel_site: Site) -> None:
    # Given a stored file whose name has spaces, non-ASCII, ? # % and a semicolon (the row
    # names it: stored by an earlier version, or moved by an operator)
    ticket, attachment = ticket_with_file(alice)
    odd = "lampiran/lama/Berkas uji ü ?#%; 50%25.pdf"
    (accel_site.media / "lampiran" / "lama").mkdir(parents=True)
    (accel_site.media / odd).write_bytes(BODY)
    Attachment.objects.filter(pk=attachment.pk).update(file=odd)

    response = accel_site.get(download_path(ticket), alice)

    assert response.status_code == 200
    assert sha256(response.content) == sha256(BODY)


@pytest.mark.parametrize(
    "who", ["carol", "agent_other", "admin_user", "agent_deactivated", "supervisor_empty_group"]
)
def test_not_yours_is_the_same_404_and_nginx_sends_nothing(
    request: pytest.FixtureRequest, alice: User, who: str, accel_site: Site
) -> None:
    # Given alice's ticket with a file
    ticket, _ = ticket_with_file(alice)
    user: User = request.getfixturevalue(who)
    unknown = reverse("portal:attachment_download", args=["SPSE-20000101-99999", 1])

    # When somebody it is not for asks for it, and for an unknown ticket
    response = accel_site.get(download_path(ticket), user)
    baseline = accel_site.get(unknown, user)

    # Then both answers are the same 404 (a deactivated account is signed out: the same
    # redirect to the sign-in page), and no byte of the file is in it
    expected = 302 if who == "agent_deactivated" else 404
    assert response.status_code == baseline.status_code == expected
    assert _page(response) == _page(baseline)
    assert (
        response.headers.get("Location", "").split("?")[0]
        == (baseline.headers.get("Location", "").split("?")[0])
    )
    assert "X-Accel-Redirect" not in response.headers
    assert BODY[:200] not in response.content


def _page(response: requests.Response) -> bytes:
    """The body without what differs between two requests (the request id, a nonce)."""
    text = response.content
    for header in ("X-Request-ID",):
        if header in response.headers:
            text = text.replace(response.headers[header].encode(), b"")
    return text


def test_the_internal_location_is_not_reachable_from_outside(alice: User, accel_site: Site) -> None:
    # Given a stored file, whose key is known to the person asking
    _, attachment = ticket_with_file(alice)

    # When the internal location is asked for directly (signed in or not)
    for user in (None, alice):
        response = accel_site.get(f"{PREFIX}/{attachment.file.name}", user)

        # Then nginx answers 404 (an `internal` location), never the file
        assert response.status_code == 404
        assert BODY[:200] not in response.content


def test_without_the_setting_the_app_streams_the_file(alice: User, streaming_site: Site) -> None:
    # Given an app server without ATTACHMENT_X_ACCEL_PREFIX behind the same site
    ticket, attachment = ticket_with_file(alice)

    response = streaming_site.get(download_path(ticket), alice)

    # Then the same bytes and headers arrive, streamed by the app
    assert response.status_code == 200
    assert sha256(response.content) == attachment.sha256
    assert response.headers["Content-Disposition"] == content_disposition_header(
        as_attachment=True, filename=attachment.download_name
    )
    assert response.headers["Cache-Control"] == "no-store"
