"""The demo's mail server and inbox: an SMTP sink (aiosmtpd) and a page to read what arrived.

    .venv/bin/python scripts/mail_sink.py --smtp-port 1025 --http-port 8025 --dir var/mail

Every message received on the SMTP port is stored as `<dir>/<n>.eml`; the inbox at
http://127.0.0.1:8025/ lists them newest first and shows each one (text and HTML).
Development only: it accepts mail for anybody and relays nothing.
"""

import argparse
import email
import email.policy
import html
import itertools
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        existing = [int(p.stem) for p in directory.glob("*.eml") if p.stem.isdigit()]
        self.counter = itertools.count(max(existing, default=0) + 1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            path = self.directory / f"{next(self.counter)}.eml"
        path.write_bytes(envelope.content)
        return "250 Message accepted for delivery"

    def paths(self) -> list[Path]:
        found = [p for p in self.directory.glob("*.eml") if p.stem.isdigit()]
        return sorted(found, key=lambda p: int(p.stem), reverse=True)

    def read(self, number: str) -> EmailMessage | None:
        path = self.directory / f"{number}.eml"
        if not number.isdigit() or not path.is_file():
            return None
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        return message if isinstance(message, EmailMessage) else None


PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1f2933}}
header{{background:#8b1a1a;color:#fff;padding:.8rem 1.2rem;font-weight:700}}
main{{max-width:60rem;margin:1rem auto;padding:0 1rem}}
table{{width:100%;border-collapse:collapse;background:#fff}}
td,th{{text-align:left;padding:.5rem;border-bottom:1px solid #d9dee4;vertical-align:top}}
pre{{white-space:pre-wrap;background:#fff;padding:1rem;border:1px solid #d9dee4}}
iframe{{width:100%;height:40rem;border:1px solid #d9dee4;background:#fff}}</style>
</head><body><header>Kotak surat demo · LPSE Support</header><main>{body}</main></body></html>"""


def _index(store: Store) -> str:
    rows = []
    for path in store.paths()[:300]:
        message = store.read(path.stem)
        if message is None:
            continue
        rows.append(
            f"<tr><td>{html.escape(str(message['Date'] or ''))}</td>"
            f"<td>{html.escape(str(message['To'] or ''))}</td>"
            f"<td><a href='/{path.stem}'>{html.escape(str(message['Subject'] or ''))}</a></td></tr>"
        )
    table = "".join(rows) or "<tr><td colspan=3>Belum ada email.</td></tr>"
    return PAGE.format(
        title="Kotak surat demo",
        body="<p>Semua email yang dikirim LPSE Support dalam demo (terbaru di atas). "
        "Muat ulang untuk melihat yang baru.</p>"
        f"<table><tr><th>Waktu</th><th>Kepada</th><th>Subjek</th></tr>{table}</table>",
    )


def _message(number: str, message: EmailMessage) -> str:
    plain = message.get_body(preferencelist=("plain",))
    text = plain.get_content() if plain is not None else ""
    body = (
        "<p><a href='/'>« Kotak surat</a></p>"
        f"<h1>{html.escape(str(message['Subject'] or ''))}</h1>"
        f"<p>Kepada: {html.escape(str(message['To'] or ''))}<br>"
        f"Dari: {html.escape(str(message['From'] or ''))}<br>"
        f"Message-ID: {html.escape(str(message['Message-ID'] or ''))}</p>"
        f"<h2>Teks</h2><pre>{html.escape(text)}</pre>"
    )
    if message.get_body(preferencelist=("html",)) is not None:
        body += f"<h2>HTML</h2><iframe sandbox src='/{number}/html' title='HTML'></iframe>"
    return PAGE.format(title=html.escape(str(message["Subject"] or "")), body=body)


def make_handler(store: Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if not parts:
                return self._send(200, _index(store), "text/html")
            message = store.read(parts[0])
            if message is None:
                return self._send(404, "Tidak ditemukan", "text/plain")
            if len(parts) > 1 and parts[1] == "html":
                part = message.get_body(preferencelist=("html",))
                return self._send(200, part.get_content() if part else "", "text/html")
            return self._send(200, _message(parts[0], message), "text/html")

        def _send(self, status: int, content: str, kind: str) -> None:
            data = content.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    store = Store(args.dir)
    controller = Controller(store, hostname=args.host, port=args.smtp_port)
    controller.start()
    server = ThreadingHTTPServer((args.host, args.http_port), make_handler(store))
    print(
        f"mail sink: SMTP {args.host}:{args.smtp_port}, inbox http://{args.host}:{args.http_port}/"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        controller.stop()
        time.sleep(0.1)


if __name__ == "__main__":
    main()
