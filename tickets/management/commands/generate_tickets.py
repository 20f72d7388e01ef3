"""Generate a realistic synthetic data set: N tickets with their history (issue 8).

    manage.py generate_tickets --tickets 100000 --seed 1 [--batch 5000] [--end 2026-01-31]

Each ticket gets messages (about five), events that follow a legal path of the
lifecycle from `created` to its status, attachment rows (no files are written), a
rating for about half of the closed ones, and SLA columns as the services would have
set them. Tickets spread over applications, categories, LPSE instances and the two years
(`--days`) before `--end` (default: now), most of them closed; the open ones are recent.

Determinism: ticket i draws everything from its own `random.Random(seed, i)`, so the
content does not depend on the batch size. Database ids and the numbers' daily
sequence values depend on what the database already holds.

Safe to run again and next to real data:
- numbers are real `<APP>-<YYYYMMDD>-<NNNNN>` numbers taken from `TicketSequence`
  (the same per application and day counter the app uses, moved forward under a row
  lock), so they never collide with real tickets, and tickets filed later continue
  after them;
- the generated reporters are marked by their SSO identity: user id `syn<seed>-<n>`; a
  seed whose tickets exist already is refused (use another seed to add more data);
- ids are reserved from the tables' sequences per batch.

Rows are written per batch in one transaction each: by `COPY` on PostgreSQL, by
`executemany` elsewhere (SQLite, tests).
"""

import datetime
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import ROLES_BY_SOURCE, ReporterRole, SignInSource, User
from accounts.services import staff_member_upsert
from lib.filenames import slugify_stem, split_extension
from lib.sla import Pause
from lib.synthetic import (
    WordModel,
    company_name,
    person_name,
    reporter_ticket_counts,
    ticket_times,
    unit_name,
    weighted_index,
    zipf_weights,
)
from reference.models import (
    Application,
    ApplicationGroup,
    Category,
    CodeKind,
    Lpse,
    Priority,
    RatingCategory,
    TicketType,
)
from reference.services import reference_seed
from sla.calendars import CalendarBook
from sla.clocks import ClockInput, pauses_to_json, ticket_dues
from sla.models import SlaPolicy
from sla.seed import sla_seed
from tickets.models import (
    Attachment,
    CloseReason,
    EventKind,
    Message,
    MessageKind,
    Rating,
    Status,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from tickets.search import SearchEntry, search_entries_write, ticket_codes

REPORTER_CAP = 2000
UTC = datetime.UTC

TENDER_STAGES = (
    "Pengumuman Pascakualifikasi",
    "Download Dokumen Pemilihan",
    "Pemberian Penjelasan",
    "Upload Dokumen Penawaran",
    "Pembukaan Dokumen Penawaran",
    "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga",
    "Pembuktian Kualifikasi",
    "Penetapan Pemenang",
    "Pengumuman Pemenang",
    "Masa Sanggah",
    "Surat Penunjukan Penyedia Barang/Jasa",
    "Penandatanganan Kontrak",
)
TITLE_TEMPLATES = (
    "{leaf}",
    "{leaf}",
    "{leaf} pada tahap {stage}",
    "Mohon bantuan: {leaf_lower}",
    "{leaf} ({app})",
    "{leaf} kode {code}",
    "Kendala {leaf_lower}",
    "{leaf} - {words}",
)
LEADS = (
    "Selamat pagi, kami dari {unit} mengalami kendala {leaf_lower}.",
    "Selamat siang, {leaf_lower} sejak kemarin pada aplikasi {app}.",
    "Mohon bantuan, {leaf_lower} pada tahap {stage}.",
    "Kami mengalami masalah: {leaf_lower}. Kode paket {code}.",
    "Yth. Helpdesk LPSE, {leaf_lower} padahal sudah dicoba berulang kali.",
    "Saat proses {stage} muncul kendala {leaf_lower}.",
)
CLOSINGS = (
    "Mohon bantuannya, terima kasih.",
    "Terima kasih atas bantuannya.",
    "Mohon segera ditindaklanjuti karena batas waktu hampir berakhir.",
    "Tangkapan layar terlampir.",
    "",
)
STAFF_REPLIES = (
    "Terima kasih atas laporannya. Mohon bersihkan cache peramban lalu coba kembali.",
    "Laporan sedang kami periksa bersama tim teknis.",
    "Mohon kirimkan tangkapan layar pesan error beserta waktu kejadiannya.",
    "Silakan gunakan SPAMKODOK versi terbaru lalu unggah ulang file .rhs.",
    "Data RUP disinkronkan berkala, mohon tunggu 1x24 jam.",
    "Jadwal sudah kami sesuaikan, silakan dicek kembali.",
)
FEEDBACK_REQUESTS = (
    "Mohon informasi kode tender dan tangkapan layar error yang muncul.",
    "Apakah kendala masih terjadi setelah cache peramban dibersihkan?",
    "Mohon lampirkan dokumen yang gagal diunggah.",
    "Mohon sebutkan langkah yang dilakukan sebelum error muncul.",
)
FEEDBACKS = (
    "Berikut kami lampirkan tangkapan layarnya.",
    "Masih terjadi, sudah dicoba dengan peramban lain.",
    "Kode tender sudah kami cantumkan, mohon dicek.",
    "Sudah kami coba ulang namun tetap gagal.",
)
RESOLUTIONS = (
    "Permasalahan sudah kami perbaiki, silakan dicoba kembali.",
    "Data sudah disinkronkan ulang dan sekarang tampil normal.",
    "Akun sudah kami buka blokirnya, silakan login kembali.",
    "Dokumen sudah dapat diunggah setelah perbaikan server.",
)
REOPENS = (
    "Belum, masih muncul error yang sama.",
    "Belum selesai, data masih belum tampil.",
    "Sudah dicoba tapi masih gagal.",
)
NOTES = (
    "Sudah dikoordinasikan dengan tim teknis.",
    "Kemungkinan terkait gangguan server kemarin.",
    "Duplikat laporan serupa dari LPSE lain.",
    "Perlu dicek log aplikasi.",
)
FORCE_REASONS = (
    "Masalah sudah teratasi sendiri.",
    "Tidak ada tanggapan, kami ajukan tiket baru.",
    "Salah memilih kategori.",
    "Tender sudah dibatalkan.",
)
RATING_COMMENTS = (
    "Terima kasih, sangat membantu.",
    "Respon agak lambat.",
    "Solusi tepat.",
    "Mohon ditingkatkan kecepatan responnya.",
)
ATTACHMENT_NAMES = (
    ("tangkapan layar error.png", "image/png"),
    ("screenshot.jpg", "image/jpeg"),
    ("Dokumen Penawaran.rhs", "application/octet-stream"),
    ("surat permohonan.pdf", "application/pdf"),
    ("HPS revisi.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "BA klarifikasi.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("log.txt", "text/plain"),
    ("dokumen pendukung.zip", "application/zip"),
)
SPSE_ROLES = (
    (ReporterRole.PELAKU_USAHA, 45),
    (ReporterRole.POKJA, 20),
    (ReporterRole.PPK, 20),
    (ReporterRole.PP, 8),
    (ReporterRole.KUPPBJ, 2),
)
SIRUP_ROLES = ((ReporterRole.PA_KPA, 3), (ReporterRole.ADMIN_PPE, 2))
# Application weights for SPSE-source reporters (SiRUP reporters file SiRUP/Monev).
APP_WEIGHTS = {
    "SPSE": 62,
    "SIKAP": 4,
    "EPURCH": 9,
    "KATALOG": 8,
    "TOKODARING": 2,
    "SIRUP": 8,
    "MONEV": 1,
    "EPROC": 2,
    "INAPROC": 4,
}
TYPE_WEIGHTS = {"permasalahan": 85, "permintaan-layanan": 9, "usulan": 6}
PRIORITY_UP = {
    Priority.MINOR: Priority.MEDIUM,
    Priority.MEDIUM: Priority.MAJOR,
    Priority.MAJOR: Priority.MAJOR,
    Priority.EMERGENCY: Priority.EMERGENCY,
}
OPEN_MIX = (
    (Status.NEW, 20),
    (Status.IN_PROGRESS, 45),
    (Status.AWAITING_FEEDBACK, 17),
    (Status.AWAITING_CONFIRMATION, 18),
)
CLOSED_MIX = (("confirmed", 58), ("auto_closed", 22), ("force_closed", 16), ("merged", 4))


def _cum(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def open_probability(age_days: float) -> float:
    """Chance that a ticket filed `age_days` ago is still open."""
    if age_days < 2:
        return 0.7
    if age_days < 7:
        return 0.35
    if age_days < 30:
        return 0.1
    if age_days < 90:
        return 0.02
    return 0.003


# --- Reference data seen by the generator -------------------------------------------


@dataclass
class LeafInfo:
    id: int
    name: str
    priority: str
    code_kind: str
    is_question: bool
    is_error: bool


@dataclass
class AppInfo:
    id: int
    code: str
    name: str
    group_code: str
    versions: list[int]
    leaves: list[LeafInfo]
    leaf_cum: list[float] = field(default_factory=list)


@dataclass
class Context:
    """Ids and names of the reference data and staff, read once."""

    apps: dict[str, AppInfo]
    lpses: list[tuple[int, int, str, str]]  # (id, kd_lpse, name, timezone)
    ticket_types: list[tuple[int, str, bool]]  # (id, code, is_suggestion)
    rating_categories: list[tuple[int, list[int]]]  # (id, stars)
    agents: dict[int, list[int]]  # lpse id -> staff ids
    lkpp: dict[str, list[int]]  # group code -> staff ids
    technical: dict[str, list[int]]
    priority_labels: dict[str, str]

    @classmethod
    def load(cls) -> "Context":
        groups = {
            app_id: code
            for code, app_id in ApplicationGroup.objects.values_list("code", "applications")
            if app_id is not None
        }
        apps: dict[str, AppInfo] = {}
        for application in Application.objects.order_by("order", "id"):
            leaves = [
                LeafInfo(
                    id=c.id,
                    name=c.name,
                    priority=c.base_priority,
                    code_kind=c.code_kind,
                    is_question=c.is_question,
                    is_error=c.name.startswith("Halaman error"),
                )
                for c in Category.objects.filter(
                    application=application, is_leaf=True, is_active=True
                ).order_by("parent__order", "order", "id")
            ]
            if not leaves:
                continue
            info = AppInfo(
                id=application.id,
                code=application.code,
                name=application.name,
                group_code=groups.get(application.id, ""),
                versions=list(application.versions.order_by("order").values_list("id", flat=True)),
                leaves=leaves,
            )
            # Generic leaves last; a few specific problems make up most tickets.
            info.leaf_cum = _cum(zipf_weights(len(leaves), 0.8))
            apps[application.code] = info
        lpses = list(
            Lpse.objects.filter(is_active=True)
            .order_by("kd_lpse")
            .values_list("id", "kd_lpse", "name", "timezone")
        )
        return cls(
            apps=apps,
            lpses=lpses,
            ticket_types=list(
                TicketType.objects.order_by("order").values_list("id", "code", "is_suggestion")
            ),
            rating_categories=list(RatingCategory.objects.values_list("id", "stars")),
            agents={},
            lkpp={},
            technical={},
            priority_labels={p.value: str(p.label) for p in Priority},
        )


def staff_ensure(context: Context) -> None:
    """Two tier-1 agents per LPSE, one tier-2 and one tier-3 member per group."""
    for lpse_id, kd, _name, _tz in context.lpses:
        context.agents[lpse_id] = [
            staff_member_upsert(
                username=f"synthetic-agent-{kd}-{n}",
                full_name=f"Agen Sintetis {kd}-{n}",
                email=f"synthetic-agent-{kd}-{n}@lpse.example",
                assignments=[("agent", kd, None, "helpdesk")],
            ).pk
            for n in (1, 2)
        ]
    for group in ApplicationGroup.objects.order_by("code"):
        for role, target in (("lkpp", context.lkpp), ("technical", context.technical)):
            target[group.code] = [
                staff_member_upsert(
                    username=f"synthetic-{role}-{group.code}",
                    full_name=f"Petugas Sintetis {role} {group.code}",
                    email=f"synthetic-{role}-{group.code}@lkpp.example",
                    assignments=[(role, None, group.code, "")],
                ).pk
            ]


# --- Plans --------------------------------------------------------------------------


@dataclass
class ReporterPlan:
    user_id: str
    source: str
    kd_lpse: int
    lpse_id: int | None
    role: str
    name: str
    email: str
    instansi: str
    tickets: int


def reporters_plan(seed: int, total: int, context: Context) -> tuple[list[ReporterPlan], list[int]]:
    """The reporters and, for each ticket in filing order, the index of its reporter."""
    rng = random.Random(f"reporters:{seed}")
    counts = reporter_ticket_counts(rng, total, cap=REPORTER_CAP)
    lpse_order = list(context.lpses)
    rng.shuffle(lpse_order)
    lpse_cum = _cum(zipf_weights(len(lpse_order), 0.7))
    spse_cum = _cum(w for _, w in SPSE_ROLES)
    sirup_share = sum(w for _, w in SIRUP_ROLES) / (
        sum(w for _, w in SIRUP_ROLES) + sum(w for _, w in SPSE_ROLES)
    )
    reporters: list[ReporterPlan] = []
    for n, count in enumerate(counts):
        name = person_name(rng)
        if rng.random() < sirup_share:
            source, kd, lpse_id = SignInSource.SIRUP, 0, None
            role = SIRUP_ROLES[0][0] if rng.random() < 0.6 else SIRUP_ROLES[1][0]
            instansi = unit_name(rng, "Kabupaten")
        else:
            lpse_id, kd, lpse_name, _tz = lpse_order[weighted_index(rng, lpse_cum)]
            source = SignInSource.SPSE
            role = SPSE_ROLES[weighted_index(rng, spse_cum)][0]
            place = lpse_name.removeprefix("LPSE ")
            instansi = company_name(rng) if role == "pelaku_usaha" else unit_name(rng, place)
        user_id = f"syn{seed}-{n:07d}"
        reporters.append(
            ReporterPlan(
                user_id=user_id,
                source=source,
                kd_lpse=kd,
                lpse_id=lpse_id,
                role=role,
                name=name,
                email=f"{name.lower().replace(' ', '.')}.{n}@example.co.id",
                instansi=instansi,
                tickets=count,
            )
        )
    owners = [n for n, count in enumerate(counts) for _ in range(count)]
    rng.shuffle(owners)
    return reporters, owners


@dataclass
class Head:
    """What decides a ticket's number: drawn first, before its story."""

    index: int
    rng: random.Random
    created: float
    reporter: int
    lpse: tuple[int, int, str, str]
    app: AppInfo
    day: datetime.date
    number: str = ""


@dataclass
class TicketRows:
    ticket: dict[str, Any]
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    rating: dict[str, Any] | None
    rating_categories: list[int]


class Generator:
    """Turns (seed, ticket index) into the rows of one ticket; pure given the context."""

    def __init__(
        self,
        *,
        seed: int,
        total: int,
        context: Context,
        end: datetime.datetime,
        days: int,
        book: CalendarBook,
    ) -> None:
        self.seed, self.total, self.context, self.book = seed, total, context, book
        self.end = end.timestamp()
        self.start = self.end - days * 86400
        self.words = WordModel()
        self.reporters, self.owners = reporters_plan(seed, total, context)
        self.times = ticket_times(
            random.Random(f"times:{seed}"), total, start=self.start, end=self.end
        )
        self.lpse_by_id = {lpse[0]: lpse for lpse in context.lpses}
        self.lpse_cum = _cum(zipf_weights(len(context.lpses), 0.7))
        codes = [c for c in APP_WEIGHTS if c in context.apps]
        self.app_codes = codes
        self.app_cum = _cum(APP_WEIGHTS[c] for c in codes)
        self.type_cum = _cum(TYPE_WEIGHTS.get(code, 1) for _, code, _ in context.ticket_types)
        self.open_cum = _cum(w for _, w in OPEN_MIX)
        self.closed_cum = _cum(w for _, w in CLOSED_MIX)
        self.zones = {tz: ZoneInfo(tz) for _, _, _, tz in context.lpses}
        # The last ticket of each reporter (its id), for merges.
        self.last_ticket: dict[int, tuple[int, str]] = {}
        # The database ids of the reporters (set when they are written).
        self.reporter_ids: list[int] = []

    def head(self, index: int) -> Head:
        rng = random.Random(self.seed * 1_000_003 + index)
        reporter = self.reporters[self.owners[index]]
        if reporter.lpse_id is not None and rng.random() < 0.85:
            lpse = self.lpse_by_id[reporter.lpse_id]
        else:
            lpse = self.context.lpses[weighted_index(rng, self.lpse_cum)]
        if reporter.source == SignInSource.SIRUP:
            code = "SIRUP" if rng.random() < 0.85 else "MONEV"
        else:
            code = self.app_codes[weighted_index(rng, self.app_cum)]
        app = self.context.apps.get(code) or self.context.apps[self.app_codes[0]]
        created = self.times[index]
        day = datetime.datetime.fromtimestamp(created, self.zones[lpse[3]]).date()
        return Head(index, rng, created, self.owners[index], lpse, app, day)

    # The story of one ticket -------------------------------------------------------

    def _path(self, rng: random.Random, head: Head) -> tuple[str, list[str]]:
        """The final status and the actions that led there (after `created`)."""
        age = (self.end - head.created) / 86400
        final: str
        if rng.random() < open_probability(age):
            final = OPEN_MIX[weighted_index(rng, self.open_cum)][0]
            if age > 7 and final in (Status.NEW, Status.AWAITING_CONFIRMATION):
                final = Status.IN_PROGRESS
        else:
            final = CLOSED_MIX[weighted_index(rng, self.closed_cum)][0]
            if final == "merged" and head.reporter not in self.last_ticket:
                final = "confirmed"
        if final == Status.NEW:
            return final, []
        if final == "merged":
            return Status.CLOSED, (["take"] if rng.random() < 0.5 else []) + ["merge"]
        actions = ["take" if rng.random() < 0.8 else "assign"]
        # Replies and notes in any order; each feedback request is answered at once; an
        # escalation is followed by the next tier taking the ticket.
        steps: list[list[str]] = [["reply"] for _ in range(_small(rng, 2.2))]
        steps += [["note"] for _ in range(_small(rng, 0.4))]
        steps += [["request_feedback", "give_feedback"] for _ in range(_small(rng, 0.9))]
        if rng.random() < 0.08:
            steps.append(["escalate", "take"])
        rng.shuffle(steps)
        for step in steps:
            actions += step
        if final == Status.IN_PROGRESS:
            cut = actions[: 1 + rng.randint(0, len(actions) - 1)]
            if cut[-1] == "request_feedback":
                cut.append("give_feedback")
            return final, cut
        if final == Status.AWAITING_FEEDBACK:
            return final, [*actions[: 1 + _count_prefix_until_pause(actions)], "request_feedback"]
        actions.append("resolve")
        if rng.random() < 0.08:
            actions += ["reopen", "reply", "resolve"]
        if final == Status.AWAITING_CONFIRMATION:
            return final, actions
        if final == "confirmed":
            return Status.CLOSED, [*actions, "confirm"]
        if final == "auto_closed":
            return Status.CLOSED, [*actions, "auto_close"]
        # Force-closed at any point of the story.
        return Status.FORCE_CLOSED, [*actions[: rng.randint(0, len(actions))], "force_close"]

    def rows(self, head: Head, ticket_id: int) -> TicketRows:
        rng = head.rng
        context = self.context
        reporter = self.reporters[head.reporter]
        lpse_id, kd, _lpse_name, tz = head.lpse
        app = head.app
        leaf = app.leaves[weighted_index(rng, app.leaf_cum)]
        type_id, _type_code, is_suggestion = context.ticket_types[
            weighted_index(rng, self.type_cum)
        ]
        stage = rng.choice(TENDER_STAGES)
        code = _code(rng, leaf.code_kind, kd)
        fill = {
            "leaf": leaf.name,
            "leaf_lower": leaf.name[0].lower() + leaf.name[1:],
            "stage": stage,
            "app": app.code,
            "code": code or app.code,
            "unit": reporter.instansi,
            "words": " ".join(self.words.words(rng, 3)),
        }
        title = rng.choice(TITLE_TEMPLATES).format(**fill)[:200]
        parts = [rng.choice(LEADS).format(**fill)]
        parts += [self.words.sentence(rng, 8, 16) for _ in range(rng.randint(1, 3))]
        parts.append(rng.choice(CLOSINGS))
        description = " ".join(part for part in parts if part)

        priority: str
        if is_suggestion or leaf.is_question:
            priority = Priority.MINOR
        else:
            priority = str(leaf.priority)
            if code and leaf.code_kind == CodeKind.TENDER and rng.random() < 0.1:
                priority = PRIORITY_UP[Priority(priority)]
        label = context.priority_labels[priority]
        priority_reason = f"{label}: prioritas dasar kategori «{leaf.name}»"

        final, actions = self._path(rng, head)
        # Times of the steps: gaps in hours, squeezed to end before `end` if needed.
        gaps = [_gap(rng, action) for action in actions]
        created = head.created
        limit = self.end - 60
        total = sum(gaps) * 3600
        scale = 1.0
        if total and created + total > limit:
            scale = max(0.0, (limit - created) * 0.95) / total
        reporter_pk = self.reporter_ids[head.reporter]
        agents = context.agents[lpse_id]  # staff_ensure gives every LPSE its agents
        group = app.group_code

        messages: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        attachments: list[dict[str, Any]] = []
        status: str = Status.NEW
        tier = max_tier = 1
        holder: int | None = None
        resolved_by: int | None = None
        resolved_at: float | None = None
        first_response: float | None = None
        reopen_count = 0
        pauses: list[list[float | None]] = []
        close_reason = ""
        closed_at: float | None = None
        merged_into: int | None = None
        number = head.number

        def attach(at: float, message: int | None, uploader: int) -> None:
            original, content_type = rng.choice(ATTACHMENT_NAMES)
            sequence = len(attachments) + 1
            stem, ext = split_extension(original)
            moment = datetime.datetime.fromtimestamp(at, UTC)
            attachments.append(
                {
                    "message": message,
                    "sequence": sequence,
                    "original_name": original,
                    "file": f"lampiran/{moment:%Y}/{moment:%m}/"
                    f"{number}_{sequence:02d}_{slugify_stem(stem)}.{ext}",
                    "size": int(rng.lognormvariate(12, 1.3)) + 100,
                    "content_type": content_type,
                    "uploaded_by_id": uploader,
                    "created_at": moment,
                }
            )

        def event(
            at: float,
            kind: str,
            actor: int | None,
            to: str | None = None,
            *,
            reason: str = "",
            internal: bool = False,
            data: dict[str, Any] | None = None,
            message: int | None = None,
        ) -> None:
            nonlocal status
            # The first event (created) records the ticket's first status.
            changed = to is not None and (to != status or not events)
            payload = dict(data or {})
            payload["revision"] = len(events)
            if message is not None:
                payload["message"] = message  # local index, replaced by the id
            events.append(
                {
                    "actor_id": actor,
                    "kind": kind,
                    "from_status": status if changed and events else "",
                    "to_status": to if changed else "",
                    "reason": reason,
                    "is_internal": internal,
                    "data": payload,
                    "created_at": datetime.datetime.fromtimestamp(at, UTC),
                }
            )
            if to is not None:
                status = to

        def message(at: float, kind: str, author: int, body: str, internal: bool = False) -> int:
            messages.append(
                {
                    "author_id": author,
                    "kind": kind,
                    "body": body,
                    "is_internal": internal,
                    "created_at": datetime.datetime.fromtimestamp(at, UTC),
                }
            )
            return len(messages) - 1

        def pause(at: float) -> None:
            pauses.append([at, None])

        def unpause(at: float) -> None:
            if pauses and pauses[-1][1] is None:
                pauses[-1][1] = at

        ticket_files = rng.random() < 0.4
        if ticket_files:
            for _ in range(1 if rng.random() < 0.75 else 2):
                attach(created, None, reporter_pk)
        event(
            created,
            EventKind.CREATED,
            reporter_pk,
            Status.NEW,
            data={
                "priority": priority,
                "attachments": len(attachments),
                "code_validated": bool(code),
            },
        )
        staff_pool: list[int] = agents
        at = created
        for action, gap in zip(actions, gaps, strict=True):
            at += gap * 3600 * scale
            staff = holder if holder is not None else rng.choice(staff_pool)
            if action in ("take", "assign"):
                holder = staff
                kind = EventKind.TAKEN if action == "take" else EventKind.ASSIGNED
                event(at, kind, staff, Status.IN_PROGRESS)
            elif action == "reply":
                body = f"{rng.choice(STAFF_REPLIES)} {self.words.sentence(rng, 4, 10)}"
                m = message(at, MessageKind.REPLY, staff, body)
                first_response = first_response or at
                event(at, EventKind.REPLIED, staff, message=m)
            elif action == "note":
                m = message(at, MessageKind.NOTE, staff, rng.choice(NOTES), internal=True)
                event(at, EventKind.NOTED, staff, internal=True, message=m)
            elif action == "request_feedback":
                m = message(at, MessageKind.FEEDBACK_REQUEST, staff, rng.choice(FEEDBACK_REQUESTS))
                first_response = first_response or at
                pause(at)
                event(at, EventKind.FEEDBACK_REQUESTED, staff, Status.AWAITING_FEEDBACK, message=m)
            elif action == "give_feedback":
                body = f"{rng.choice(FEEDBACKS)} {self.words.sentence(rng, 4, 12)}"
                m = message(at, MessageKind.FEEDBACK, reporter_pk, body)
                if rng.random() < 0.3:
                    attach(at, m, reporter_pk)
                unpause(at)
                event(at, EventKind.FEEDBACK_GIVEN, reporter_pk, Status.IN_PROGRESS, message=m)
            elif action == "escalate":
                event(
                    at,
                    EventKind.ESCALATED,
                    staff,
                    Status.IN_PROGRESS,
                    reason="Perlu penanganan Helpdesk Eproc LKPP.",
                    data={"from_tier": tier, "to_tier": tier + 1},
                )
                tier = max_tier = tier + 1
                holder = None
                staff_pool = context.lkpp.get(group) or agents
            elif action == "resolve":
                m = message(at, MessageKind.RESOLUTION, staff, rng.choice(RESOLUTIONS))
                if rng.random() < 0.1:
                    attach(at, m, staff)
                first_response = first_response or at
                resolved_by, resolved_at = staff, at
                pause(at)
                event(at, EventKind.RESOLVED, staff, Status.AWAITING_CONFIRMATION, message=m)
            elif action == "reopen":
                m = message(at, MessageKind.REOPEN, reporter_pk, rng.choice(REOPENS))
                unpause(at)
                reopen_count += 1
                event(at, EventKind.REOPENED, reporter_pk, Status.IN_PROGRESS, message=m)
            elif action == "confirm":
                unpause(at)
                close_reason, closed_at = CloseReason.CONFIRMED, at
                event(at, EventKind.CONFIRMED, reporter_pk, Status.CLOSED)
            elif action == "auto_close":
                unpause(at)
                close_reason, closed_at = CloseReason.AUTO_CLOSED, at
                event(at, EventKind.AUTO_CLOSED, None, Status.CLOSED)
            elif action == "force_close":
                unpause(at)
                close_reason, closed_at = CloseReason.FORCE_CLOSED, at
                event(
                    at,
                    EventKind.FORCE_CLOSED,
                    reporter_pk,
                    Status.FORCE_CLOSED,
                    reason=rng.choice(FORCE_REASONS),
                )
            elif action == "merge":
                target_id, target_number = self.last_ticket[head.reporter]
                merged_into = target_id
                close_reason, closed_at = CloseReason.MERGED, at
                event(
                    at,
                    EventKind.MERGED,
                    staff,
                    Status.CLOSED,
                    reason="Duplikat laporan.",
                    data={"into": target_number},
                )
        assert status == final, (status, final, actions)

        rating: dict[str, Any] | None = None
        rating_categories: list[int] = []
        rate_chance = {"confirmed": 0.6, "auto_closed": 0.25, "force_closed": 0.45}
        if closed_at is not None and rng.random() < rate_chance.get(close_reason, 0.0):
            at = min(closed_at + rng.random() * 86400, self.end - 1)
            stars = (5, 5, 5, 5, 4, 4, 4, 3, 2, 1, 1)[rng.randrange(11)]
            options = [cid for cid, values in context.rating_categories if stars in values]
            if options and rng.random() < 0.7:
                rating_categories = rng.sample(options, min(len(options), rng.randint(1, 2)))
            rating = {
                "stars": stars,
                "comment": rng.choice(RATING_COMMENTS) if rng.random() < 0.3 else "",
                "created_at": datetime.datetime.fromtimestamp(at, UTC),
            }
            event(at, EventKind.RATED, reporter_pk, data={"stars": stars})

        def moment(value: float | None) -> datetime.datetime | None:
            return None if value is None else datetime.datetime.fromtimestamp(value, UTC)

        pause_moments: list[Pause] = [
            (
                datetime.datetime.fromtimestamp(b, UTC),  # type: ignore[arg-type]
                moment(e),
            )
            for b, e in pauses
        ]
        ticket = {
            "id": ticket_id,
            "number": number,
            "reporter_id": reporter_pk,
            "reporter_role": reporter.role,
            "notification_email": reporter.email,
            "title": title,
            "lpse_id": lpse_id,
            "application_id": app.id,
            "version_id": app.versions[
                0 if rng.random() < 0.7 else rng.randrange(len(app.versions))
            ],
            "ticket_type_id": type_id,
            "category_id": leaf.id,
            "code_kind": leaf.code_kind if code else CodeKind.NONE,
            "code": code,
            "code_validated": bool(code) and rng.random() < 0.85,
            "code_checked_at": moment(created) if code else None,
            "error_code": f"E{rng.randrange(16**6):06X}" if leaf.is_error else "",
            "description": description,
            "priority": priority,
            "priority_reason": priority_reason,
            "status": final,
            "tier": tier,
            "holder_id": holder,
            "reopen_count": reopen_count,
            "max_tier": max_tier,
            "resolved_by_id": resolved_by,
            "resolved_at": moment(resolved_at),
            "close_reason": close_reason,
            "merged_into_id": merged_into,
            "revision": len(events) - 1,
            "created_at": moment(created),
            "updated_at": events[-1]["created_at"],
            # Internal notes do not move what the reporter sees (tickets/live.py).
            "public_updated_at": next(e for e in reversed(events) if not e["is_internal"])[
                "created_at"
            ],
            "closed_at": moment(closed_at),
            "first_response_at": moment(first_response),
            "sla_pauses": pauses_to_json(pause_moments),
        }
        if final in (Status.NEW, Status.IN_PROGRESS):
            clock = ClockInput(
                created_at=ticket["created_at"],
                lpse_id=lpse_id,
                tz_name=tz,
                priority=priority,
                status=final,
                close_reason="",
                first_response_at=ticket["first_response_at"],
                closed_at=None,
                pauses=tuple(pause_moments),
            )
            dues = ticket_dues(clock, self.book).as_fields()
            ticket.update(dues)
            # The sweep has already warned about / recorded what fell due before the end.
            end = datetime.datetime.fromtimestamp(self.end, UTC)
            for name in ("response", "resolution"):
                warn, due = dues[f"{name}_warn_at"], dues[f"{name}_due_at"]
                if warn is not None and warn <= end:
                    ticket[f"{name}_warned_at"] = warn
                if due is not None and due <= end:
                    ticket[f"{name}_breached_at"] = due
        if merged_into is not None:
            # The other side of the merge, in the target ticket's history.
            events.append(
                {
                    "ticket_id": merged_into,
                    "actor_id": events[-1]["actor_id"],
                    "kind": EventKind.MERGE_TARGET,
                    "from_status": "",
                    "to_status": "",
                    "reason": "",
                    "is_internal": False,
                    "data": {"from": number},
                    "created_at": moment(closed_at),
                }
            )
        self.last_ticket[head.reporter] = (ticket_id, number)
        return TicketRows(ticket, messages, events, attachments, rating, rating_categories)


def _small(rng: random.Random, mean: float) -> int:
    """A small count with the given mean (geometric)."""
    p = 1 / (1 + mean)
    count = 0
    while rng.random() > p and count < 8:
        count += 1
    return count


def _count_prefix_until_pause(actions: list[str]) -> int:
    """How many leading actions after the first keep the ticket in progress."""
    count = 0
    for action in actions[1:]:
        if action in ("request_feedback", "give_feedback"):
            break
        count += 1
    return count


GAP_HOURS = {
    "take": (0.05, 6),
    "assign": (0.05, 6),
    "reply": (0.2, 20),
    "note": (0.1, 8),
    "request_feedback": (0.2, 12),
    "give_feedback": (0.5, 48),
    "escalate": (0.5, 24),
    "resolve": (0.5, 48),
    "reopen": (1, 48),
    "confirm": (0.5, 48),
    "auto_close": (72, 120),
    "force_close": (1, 96),
    "merge": (0.1, 12),
}


def _gap(rng: random.Random, action: str) -> float:
    low, high = GAP_HOURS[action]
    return low * (high / low) ** rng.random()  # log-uniform


def _code(rng: random.Random, kind: str, kd: int) -> str:
    if kind == CodeKind.NONE or rng.random() < 0.1:
        return ""
    if kind in (CodeKind.TENDER, CodeKind.NON_TENDER):
        return f"{rng.randint(1000, 99999)}{kd:03d}"
    if kind == CodeKind.RUP:
        return str(rng.randint(10_000_000, 59_999_999))
    return str(rng.randint(100_000_000, 999_999_999))


# --- Writing ------------------------------------------------------------------------


class BulkWriter:
    """Rows into tables without the ORM's per-object work: COPY on PostgreSQL."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.next_id: dict[type[models.Model], int] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def reserve(self, model: type[models.Model], count: int) -> int:
        """The first of `count` fresh ids of the model's table."""
        if count == 0:
            return 0
        table = model._meta.db_table
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                    " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                    [table, table, count],
                )
                last = cursor.fetchone()[0]
            return int(last) - count + 1
        if model not in self.next_id:
            top = model._default_manager.aggregate(m=models.Max("id"))["m"] or 0
            self.next_id[model] = top + 1
        first = self.next_id[model]
        self.next_id[model] += count
        return first

    def write(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_attname[name] for name in rows[0]]
        given = {f.attname for f in fields}
        # Fields not given take their default; an auto primary key is left to the table.
        rest = [
            f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key
        ]
        columns = [f.column for f in fields] + [f.column for f in rest]
        tail = [f.get_default() for f in rest]
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        self.counts[model._meta.label] += len(rows)
        if self.postgres:
            tail = [
                json.dumps(v) if isinstance(f, models.JSONField) else v
                for f, v in zip(rest, tail, strict=True)
            ]
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
            ):
                for row in rows:
                    values = list(row.values())
                    for i in json_at:
                        values[i] = json.dumps(values[i], ensure_ascii=False)
                    copy.write_row(values + tail)
            return
        all_fields = fields + rest
        params = [
            [
                f.get_db_prep_save(v, connection)
                for f, v in zip(all_fields, [*row.values(), *tail], strict=True)
            ]
            for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            # Table and column names come from the models, values are parameters.
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, params)


def numbers_assign(heads: list[Head]) -> None:
    """Take the numbers of a batch from the daily sequences (rows locked till commit)."""
    keys = {(h.app.code, h.day) for h in heads}
    TicketSequence.objects.bulk_create(
        [TicketSequence(application_code=a, day=d) for a, d in keys], ignore_conflicts=True
    )
    days = {d for _, d in keys}
    sequences = {
        (s.application_code, s.day): s
        for s in TicketSequence.objects.select_for_update().filter(
            application_code__in={a for a, _ in keys}, day__in=days
        )
    }
    for h in heads:
        sequence = sequences[(h.app.code, h.day)]
        sequence.last_value += 1
        h.number = f"{h.app.code}-{h.day:%Y%m%d}-{sequence.last_value:05d}"
    TicketSequence.objects.bulk_update(
        [sequences[k] for k in keys], ["last_value"], batch_size=1000
    )


def reporters_write(generator: Generator, writer: BulkWriter, when: datetime.datetime) -> None:
    """Create the reporters that do not exist yet; remember every reporter's id."""
    plans = generator.reporters
    prefix = f"syn{generator.seed}-"
    existing = dict(
        User.objects.filter(source_user_id__startswith=prefix).values_list("source_user_id", "id")
    )
    missing = [p for p in plans if p.user_id not in existing]
    for start in range(0, len(missing), 20_000):
        chunk = missing[start : start + 20_000]
        first = writer.reserve(User, len(chunk))
        rows = []
        for offset, plan in enumerate(chunk):
            pk = first + offset
            existing[plan.user_id] = pk
            assert plan.role in ROLES_BY_SOURCE[plan.source]
            rows.append(
                {
                    "id": pk,
                    "password": "!synthetic",
                    "username": f"{plan.source}-{plan.kd_lpse}-{plan.user_id}",
                    "email": plan.email,
                    "date_joined": when,
                    "full_name": plan.name,
                    "instansi": plan.instansi,
                    "role": plan.role,
                    "source": plan.source,
                    "source_lpse": plan.kd_lpse,
                    "source_user_id": plan.user_id,
                    "lpse_id": plan.lpse_id,
                }
            )
        with transaction.atomic():
            writer.write(User, rows)
    generator.reporter_ids = [existing[p.user_id] for p in plans]


def batch_write(generator: Generator, writer: BulkWriter, start: int, stop: int) -> None:
    heads = [generator.head(i) for i in range(start, stop)]
    with transaction.atomic():
        numbers_assign(heads)
        first_ticket = writer.reserve(Ticket, len(heads))
        made = [generator.rows(h, first_ticket + n) for n, h in enumerate(heads)]
        tickets = [m.ticket for m in made]
        message_rows, event_rows, attachment_rows = [], [], []
        rating_rows: list[dict[str, Any]] = []
        rating_links: list[tuple[int, list[int]]] = []
        first_message = writer.reserve(Message, sum(len(m.messages) for m in made))
        first_rating = writer.reserve(Rating, sum(m.rating is not None for m in made))
        message_id, rating_id = first_message, first_rating
        for m in made:
            ticket_id = m.ticket["id"]
            ids = list(range(message_id, message_id + len(m.messages)))
            message_id += len(m.messages)
            for pk, row in zip(ids, m.messages, strict=True):
                message_rows.append({"id": pk, "ticket_id": ticket_id, **row})
            for row in m.events:
                data = row["data"]
                if "message" in data:
                    data["message"] = ids[data["message"]]
                event_rows.append({"ticket_id": row.pop("ticket_id", ticket_id), **row})
            for row in m.attachments:
                local = row.pop("message")
                attachment_rows.append(
                    {
                        "ticket_id": ticket_id,
                        "message_id": None if local is None else ids[local],
                        **row,
                    }
                )
            if m.rating is not None:
                rating_rows.append({"id": rating_id, "ticket_id": ticket_id, **m.rating})
                rating_links.append((rating_id, m.rating_categories))
                rating_id += 1
        # What the tickets are found by (tickets/search.py), written with them.
        entries = [
            SearchEntry(
                ticket_id=t["id"],
                title=t["title"],
                codes=ticket_codes(t["number"], t["code"], t["error_code"]),
                description=t["description"],
                messages=tuple(row["body"] for row in m.messages),
            )
            for t, m in zip(tickets, made, strict=True)
        ]
        tickets = _uniform(tickets)
        if writer.postgres:
            for t, entry in zip(tickets, entries, strict=True):
                t["search_vector"] = entry.tsvector()
        writer.write(Ticket, tickets)
        if not writer.postgres:
            search_entries_write(entries)
        writer.write(Message, message_rows)
        writer.write(TicketEvent, event_rows)
        writer.write(Attachment, attachment_rows)
        writer.write(Rating, rating_rows)
        through = Rating.categories.through
        writer.write(
            through,
            [
                {"rating_id": rid, "ratingcategory_id": cid}
                for rid, cids in rating_links
                for cid in cids
            ],
        )


_TICKET_OPTIONAL = (
    "response_warn_at",
    "response_due_at",
    "resolution_warn_at",
    "resolution_due_at",
    "next_due_at",
    "response_warned_at",
    "response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
)


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Same keys in the same order in every row (the writer reads the first row's)."""
    for row in rows:
        for name in _TICKET_OPTIONAL:
            row.setdefault(name, None)
    return rows


class Command(BaseCommand):
    help = "Generate a realistic synthetic data set of N tickets (deterministic per seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--days", type=int, default=730, help="period length (days)")
        parser.add_argument(
            "--end", default="", help="end of the period, YYYY-MM-DD (default: now)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        total, seed, size = options["tickets"], options["seed"], max(1, options["batch"])
        if options["end"]:
            day = datetime.date.fromisoformat(options["end"])
            end = datetime.datetime.combine(day, datetime.time(), tzinfo=UTC)
        else:
            end = timezone.now().replace(microsecond=0)
        if not Application.objects.exists():
            reference_seed()
        if not SlaPolicy.objects.exists():
            sla_seed()
        if Ticket.objects.filter(reporter__source_user_id__startswith=f"syn{seed}-").exists():
            raise CommandError(
                f"tickets of seed {seed} exist already; choose another --seed to add more"
            )
        context = Context.load()
        if not context.apps or not context.lpses:
            raise CommandError("no applications or LPSE instances to spread tickets over")
        staff_ensure(context)
        generator = Generator(
            seed=seed,
            total=total,
            context=context,
            end=end,
            days=options["days"],
            book=CalendarBook.load(),
        )
        writer = BulkWriter()
        reporters_write(generator, writer, end - datetime.timedelta(days=options["days"]))
        self.stdout.write(
            f"{len(generator.reporters)} reporters ready "
            f"({time.perf_counter() - started:.1f} s); writing {total} tickets"
        )
        for start in range(0, total, size):
            stop = min(total, start + size)
            batch_write(generator, writer, start, stop)
            if options["verbosity"] >= 1:
                elapsed = time.perf_counter() - started
                self.stdout.write(f"  {stop}/{total} tickets, {elapsed:.1f} s")
        if writer.postgres:
            with connection.cursor() as cursor:
                for model in (Ticket, Message, TicketEvent, Attachment, Rating, User):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"done in {elapsed:.1f} s ({connection.vendor}):")
        for label, count in sorted(writer.counts.items()):
            self.stdout.write(f"  {label:<32} {count:>10}")
