"""The shipped nginx site (deploy/nginx/lpse-support.conf), as `make topology` renders it.

The topology run (scripts/topology.py, a step of `make test`) drives load and faults
through this file; these tests keep its rendering and its body limit honest on their
own, without starting anything but `nginx -t`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from lpse_support.uploads import upload_body_limit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import topology  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")


def site_values(tmp_path: Path) -> dict[str, str]:
    return {
        "SERVER_NAME": "support.lpse.example.go.id",
        "HTTP_LISTEN": "127.0.0.1:18080",
        "HTTPS_LISTEN": "127.0.0.1:18443",
        "HTTPS_PORT": "18443",
        "SSL_CERTIFICATE": str(tmp_path / "cert.pem"),
        "SSL_CERTIFICATE_KEY": str(tmp_path / "key.pem"),
        "LOG_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "UPSTREAM_SERVERS": "server 127.0.0.1:18001;\n    server 127.0.0.1:18002;",
        "CLIENT_MAX_BODY_SIZE": "1049624576",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


def test_every_placeholder_outside_the_comments_is_filled(tmp_path: Path) -> None:
    text = topology.render_site(site_values(tmp_path))

    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "@@" in line]
    assert "server 127.0.0.1:18002;" in text
    assert "client_max_body_size 1049624576;" in text


def test_a_missing_value_stops_the_rendering(tmp_path: Path) -> None:
    values = site_values(tmp_path)
    del values["STATIC_ROOT"]

    with pytest.raises(topology.TopologyError, match="STATIC_ROOT"):
        topology.render_site(values)


def test_the_proxy_refuses_bodies_at_the_apps_own_limit() -> None:
    assert topology.body_limit(
        settings.ATTACHMENT_MAX_BYTES, settings.ATTACHMENT_MAX_FILES
    ) == upload_body_limit(
        max_bytes=settings.ATTACHMENT_MAX_BYTES, max_files=settings.ATTACHMENT_MAX_FILES
    )


@pytest.mark.skipif(not NGINX, reason="nginx is not installed (scripts/system-deps.sh nginx)")
@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed")
def test_nginx_accepts_the_rendered_site(tmp_path: Path) -> None:
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", tmp_path / "key.pem"),
            *("-out", tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    (tmp_path / "static").mkdir()
    site = tmp_path / "lpse-support.conf"
    site.write_text(topology.render_site(site_values(tmp_path)), encoding="utf-8")
    conf = tmp_path / "nginx.conf"
    conf.write_text(topology.nginx_config(tmp_path, site), encoding="utf-8")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "nginx" / "tmp" / kind).mkdir(parents=True)

    result = subprocess.run(
        [NGINX, "-e", tmp_path / "error.log", "-t", "-c", conf],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{os.environ.get('PATH', '')}:/usr/sbin"},
    )

    assert result.returncode == 0, result.stderr
