"""pytest plugin: a real SMTP server on loopback (aiosmtpd), and the mail worker.

    def test_it_mails(smtp_sink, ...):
        ...                    # actions write OutgoingMail rows and enqueue tasks
        run_mail_worker()      # `manage.py db_worker --batch`, in this process
        assert smtp_sink.to("ppk1@example.go.id")

`smtp_sink` starts the server and points Django's SMTP backend at it. `smtp_port`
gives the port alone, so a test can let the server be down first and start it later
with `SmtpSink.start(port)`. Mail delivery runs in autocommit: use it from tests marked
`django_db(transaction=True)` (the worker commits and closes connections like a real one).
"""

import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import LazySettings
from django.core.management import call_command

from lib.ports import free_port


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage
    raw: bytes = b""  # as it came over the wire

    def raw_header(self, name: str) -> list[str]:
        """The header's physical lines as sent (folded continuation lines included)."""
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
        for start, line in enumerate(head):
            if line.lower().startswith(name.lower() + ":"):
                end = start + 1
                while end < len(head) and head[end][:1] in (" ", "\t"):
                    end += 1
                return head[start:end]
        return []

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())


@dataclass
class SmtpSink:
    """Collects what the server received; start/stop it to play an outage."""

    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(Received(list(envelope.rcpt_tos), message, envelope.content))
        return "250 Message accepted for delivery"

    def start(self, port: int) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.envelope_to]

    def addresses(self) -> list[str]:
        return sorted(address for mail in self.received for address in mail.envelope_to)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()


@pytest.fixture
def smtp_port(settings: LazySettings) -> int:
    """A loopback port Django's SMTP backend sends to; nothing listens there yet."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def smtp_sink(smtp_port: int) -> Iterator[SmtpSink]:
    """A running SMTP server on loopback that Django sends to."""
    sink = SmtpSink()
    sink.start(smtp_port)
    yield sink
    sink.stop()


def run_mail_worker(*, worker_id: str = "test-worker") -> None:
    """Run every task that is due now, then return (`db_worker --batch`)."""
    call_command(
        "db_worker",
        batch=True,
        startup_delay=False,
        reload=False,
        interval=0,
        worker_id=worker_id,
        verbosity=0,
    )
