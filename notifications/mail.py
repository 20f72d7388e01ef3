"""Delivering `OutgoingMail` rows: claim, send over SMTP, record; retry what is temporary.

A worker claims a row with a conditional UPDATE (pending and due → sending), so two
workers never send the same row at once. A temporary failure (server down, timeout,
4xx) puts the row back as pending with a later attempt time and enqueues a new task
with `run_after`; a permanent one (5xx for the recipient) or too many attempts marks it
failed for admins to see. A worker that dies while sending leaves the row "sending":
the periodic sweep gives it back after a lease, so delivery is at least once, and
exactly once when nothing crashes. Each mail keeps its Message-ID on every attempt.
"""

import datetime
import email.policy
import logging
import random
import smtplib
import socket
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string

from lib.metrics import MAIL_DELIVERIES
from notifications.models import MailStatus, OutgoingMail

logger = logging.getLogger(__name__)

# After this many attempts a temporary failure is given up as failed.
MAX_ATTEMPTS = 12
# A claim older than this is a worker that died while sending.
SENDING_LEASE = datetime.timedelta(minutes=5)
# Pending rows are re-enqueued by the sweep once they are this much overdue (their own
# task should have run by then).
OVERDUE = datetime.timedelta(minutes=2)


class TemporaryMailError(Exception):
    pass


class PermanentMailError(Exception):
    pass


def retry_delay(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, … up to 1 h, with ±20 % jitter so retries do not march."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    return datetime.timedelta(seconds=base * random.uniform(0.8, 1.2))


def _classify(error: BaseException) -> Exception:
    """Whether an SMTP failure may go away by itself.

    Only a refusal of this mail itself is permanent: the recipient refused with 5xx, or
    the message refused with 5xx after DATA. Everything else — the server down or slow,
    4xx, a refused sender or missing authentication (530, a configuration problem an
    admin fixes) — is retried with backoff.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return PermanentMailError(str(error))
        return TemporaryMailError(str(error))
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return PermanentMailError(f"{error.smtp_code} {error.smtp_error!r}")
    if isinstance(error, smtplib.SMTPResponseException):
        return TemporaryMailError(f"{error.smtp_code} {error.smtp_error!r}")
    if isinstance(error, smtplib.SMTPException | OSError | socket.timeout):
        return TemporaryMailError(f"{type(error).__name__}: {error}")
    return PermanentMailError(f"{type(error).__name__}: {error}")


def one_line(subject: str) -> str:
    """A subject as one line: no line breaks (a header cannot hold them), single spaces."""
    return " ".join(subject.split())


class _Mail(EmailMultiAlternatives):
    """Django folds a long subject the old way (compat32): a non-ASCII subject starts
    with an empty line, an ASCII one breaks at odd places. The subject is folded
    here by the standard library's current policy instead: the first words stay on
    the `Subject:` line, lines break between words, and only the non-ASCII words are
    encoded, so every mail client shows it as the one line it is."""

    def message(self) -> SafeMIMEText | SafeMIMEMultipart:
        message = super().message()
        folded = email.policy.SMTP.fold("Subject", str(self.subject))
        message.replace_header("Subject", folded.split(":", 1)[1].strip())
        return message


def _send(mail: OutgoingMail) -> None:
    email_message = _Mail(
        subject=one_line(mail.subject),
        body=mail.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to_address],
        headers={
            "Message-ID": mail.message_id,
            "Auto-Submitted": "auto-generated",
            **(_thread_headers(mail.ticket.number) if mail.ticket else {}),
        },
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    email_message.attach_alternative(mail.body_html, "text/html")
    email_message.send(fail_silently=False)


def _thread_headers(number: str) -> dict[str, str]:
    """Mail clients group every mail of a ticket into one conversation."""
    root = f"<ticket-{number}@{settings.MAIL_DOMAIN}>"
    return {"References": root, "In-Reply-To": root}


@dataclass
class Delivery:
    outcome: str  # sent, retry, failed, skipped
    mail_id: int
    retry_at: datetime.datetime | None = None  # when to try again (outcome "retry")


def mail_deliver(*, mail_id: int, worker: str | None = None) -> Delivery:
    """Claim the mail, send it, and record the outcome (the task body)."""
    delivery = _mail_attempt(mail_id=mail_id, worker=worker or get_random_string(12))
    MAIL_DELIVERIES.labels(delivery.outcome).inc()
    return delivery


def _mail_attempt(*, mail_id: int, worker: str) -> Delivery:
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(
        pk=mail_id, status=MailStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=MailStatus.SENDING,
        claimed_at=now,
        claimed_by=worker,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        # Sent already, claimed by another worker, failed for good, or not due yet.
        return Delivery("skipped", mail_id)
    mail = OutgoingMail.objects.select_related("ticket").get(pk=mail_id)
    mine = OutgoingMail.objects.filter(pk=mail_id, status=MailStatus.SENDING, claimed_by=worker)
    try:
        _send(mail)
    except Exception as error:  # every failure is recorded; none breaks the worker
        problem = _classify(error)
        if isinstance(problem, TemporaryMailError) and mail.attempts < MAX_ATTEMPTS:
            next_at = timezone.now() + retry_delay(mail.attempts)
            mine.update(
                status=MailStatus.PENDING,
                next_attempt_at=next_at,
                enqueued_at=timezone.now(),
                last_error=str(problem),
            )
            logger.warning("mail retry id=%s attempt=%d error=%s", mail_id, mail.attempts, problem)
            return Delivery("retry", mail_id, retry_at=next_at)
        mine.update(status=MailStatus.FAILED, last_error=str(problem))
        logger.error("mail failed id=%s attempt=%d error=%s", mail_id, mail.attempts, problem)
        return Delivery("failed", mail_id)
    mine.update(status=MailStatus.SENT, sent_at=timezone.now(), last_error="")
    logger.info("mail sent id=%s to=%s attempt=%d", mail_id, mail.to_address, mail.attempts)
    return Delivery("sent", mail_id)


@dataclass
class MailSweep:
    released: int = 0
    requeued: int = 0
    # The mails to enqueue again (`notifications.tasks.mail_sweep` enqueues them).
    mail_ids: list[int] = field(default_factory=list, compare=False)


def mail_reclaim(*, now: datetime.datetime | None = None) -> MailSweep:
    """Give back claims of dead workers and pick overdue mails to enqueue again."""
    now = now or timezone.now()
    result = MailSweep()
    stale = list(
        OutgoingMail.objects.filter(
            status=MailStatus.SENDING, claimed_at__lt=now - SENDING_LEASE
        ).values_list("pk", flat=True)
    )
    result.released = OutgoingMail.objects.filter(
        pk__in=stale, status=MailStatus.SENDING, claimed_at__lt=now - SENDING_LEASE
    ).update(status=MailStatus.PENDING, next_attempt_at=now, last_error="worker berhenti")
    # Due for a while, and not enqueued for a while either: while workers are only
    # behind, each such mail gets at most one extra task per OVERDUE.
    overdue = list(
        OutgoingMail.objects.filter(
            status=MailStatus.PENDING,
            next_attempt_at__lte=now - OVERDUE,
            enqueued_at__lte=now - OVERDUE,
        ).values_list("pk", flat=True)
    )
    ids = [*stale, *overdue]
    OutgoingMail.objects.filter(pk__in=ids).update(enqueued_at=now)
    result.mail_ids = ids
    result.requeued = len(ids)
    return result


def mail_reset_failed(*, mail_ids: list[int]) -> list[int]:
    """Make failed mails pending again (to be enqueued); the ids that were failed."""
    now = timezone.now()
    ids = list(
        OutgoingMail.objects.filter(pk__in=mail_ids, status=MailStatus.FAILED).values_list(
            "pk", flat=True
        )
    )
    OutgoingMail.objects.filter(pk__in=ids, status=MailStatus.FAILED).update(
        status=MailStatus.PENDING, attempts=0, next_attempt_at=now, enqueued_at=now, last_error=""
    )
    return ids
