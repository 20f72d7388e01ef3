from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ReporterRole
from reference.choices import ChoiceLabels
from reference.models import CodeKind, Priority
from tickets.attachments import attachment_download_name


class Status(models.TextChoices):
    NEW = "new", _("Belum dikerjakan")
    IN_PROGRESS = "in_progress", _("Sedang dikerjakan")
    AWAITING_FEEDBACK = "awaiting_feedback", _("Butuh feedback")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Menunggu konfirmasi")
    CLOSED = "closed", _("Selesai")
    FORCE_CLOSED = "force_closed", _("Ditutup paksa (force closed)")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.IN_PROGRESS, Status.AWAITING_FEEDBACK, Status.AWAITING_CONFIRMATION}
)
REPORTER_ACTION_STATUSES = frozenset({Status.AWAITING_FEEDBACK, Status.AWAITING_CONFIRMATION})


class CloseReason(models.TextChoices):
    CONFIRMED = "confirmed", _("Dikonfirmasi selesai oleh pelapor")
    FORCE_CLOSED = "force_closed", _("Ditutup paksa (force closed)")
    AUTO_CLOSED = "auto_closed", _("Ditutup otomatis (tidak ada konfirmasi)")
    MERGED = "merged", _("Digabung ke tiket lain")


class Tier(models.IntegerChoices):
    LPSE = 1, _("Tier 1 — Helpdesk LPSE")
    LKPP = 2, _("Tier 2 — Helpdesk Eproc LKPP")
    TECHNICAL = 3, _("Tier 3 — Tim Teknis")


class Ticket(ChoiceLabels, models.Model):
    number = models.CharField(_("nomor tiket"), max_length=40, unique=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelapor"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    reporter_role = models.CharField(
        _("peran pelapor"), max_length=20, choices=ReporterRole.choices
    )
    notification_email = models.EmailField(_("email notifikasi"))
    title = models.CharField(_("judul"), max_length=200)
    lpse = models.ForeignKey("reference.Lpse", verbose_name=_("LPSE"), on_delete=models.PROTECT)
    application = models.ForeignKey(
        "reference.Application", verbose_name=_("aplikasi"), on_delete=models.PROTECT
    )
    version = models.ForeignKey(
        "reference.ApplicationVersion", verbose_name=_("versi"), on_delete=models.PROTECT
    )
    ticket_type = models.ForeignKey(
        "reference.TicketType", verbose_name=_("tipe tiket"), on_delete=models.PROTECT
    )
    category = models.ForeignKey(
        "reference.Category", verbose_name=_("kategori"), on_delete=models.PROTECT
    )
    code_kind = models.CharField(
        _("jenis kode"), max_length=12, choices=CodeKind.choices, default=CodeKind.NONE
    )
    code = models.CharField(_("kode"), max_length=40, blank=True)
    code_validated = models.BooleanField(_("kode tervalidasi"), default=False)
    code_validation_note = models.CharField(_("catatan validasi kode"), max_length=300, blank=True)
    # What the source returned when the code was last checked (shown to staff, kept as
    # evidence); what the reporter typed by hand when the source did not know the code.
    code_snapshot = models.JSONField(_("data dari sumber"), default=dict, blank=True)
    code_manual = models.JSONField(_("data diisi pelapor"), default=dict, blank=True)
    code_checked_at = models.DateTimeField(_("kode diperiksa"), null=True, blank=True)
    # Set when the source did not answer about the code (down, too slow, broken): the
    # code is asked again in the background until then (tickets/tasks.py); cleared once
    # the source has answered. A past value: it never answered in time.
    code_recheck_until = models.DateTimeField(
        _("kode diperiksa ulang sampai"), null=True, blank=True
    )
    error_code = models.CharField(_("kode error"), max_length=100, blank=True)
    description = models.TextField(_("deskripsi"))
    priority = models.CharField(_("prioritas"), max_length=10, choices=Priority.choices)
    priority_reason = models.CharField(_("alasan prioritas"), max_length=300, blank=True)
    # Set when staff chose the priority by hand; re-validation then keeps their choice.
    priority_overridden = models.BooleanField(_("prioritas diubah petugas"), default=False)
    status = models.CharField(
        _("status"), max_length=25, choices=Status.choices, default=Status.NEW
    )
    tier = models.PositiveSmallIntegerField(_("posisi tiket"), choices=Tier.choices, default=1)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("penanggung jawab"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="held_tickets",
    )
    reopen_count = models.PositiveIntegerField(_("jumlah dibuka kembali"), default=0)
    # The highest tier the ticket has reached: tiers 2 and 3 keep read access after it.
    max_tier = models.PositiveSmallIntegerField(default=1)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(
        _("cara ditutup"), max_length=20, choices=CloseReason.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_tickets"
    )
    # Tautkan ke insiden (issue 18): tickets of different reporters with one cause point
    # at a parent incident ticket; resolving the incident resolves them with its text.
    # `is_incident` marks a ticket once another is linked to it (never a linked one).
    incident = models.ForeignKey(
        "self",
        verbose_name=_("insiden"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_tickets",
    )
    is_incident = models.BooleanField(_("insiden"), default=False)
    # Counts every change; a page carries the revision it showed, so an action taken from
    # a stale page is refused instead of overwriting what somebody else did.
    revision = models.PositiveIntegerField(default=0)
    # The form's one-time key: a double-clicked or retried submission finds the first ticket.
    submission_key = models.CharField(max_length=64, blank=True)
    # SHA-256 of the API request that filed the ticket under `submission_key` (its
    # fields and its files' SHA-256): a retry must repeat it, a different request under
    # the same key is refused. Blank for the web and for tickets filed before it.
    submission_fingerprint = models.CharField(max_length=64, blank=True, default="")
    # Written by the services, which may be given the time (`now=`); hence a default
    # rather than auto_now_add, which would overwrite it. The same for the rows below.
    created_at = models.DateTimeField(
        _("dibuat"), default=timezone.now, editable=False, db_index=True
    )
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    # The last change the reporter can see: every action but an internal note, which
    # moves only `updated_at` (staff pages). The reporter's live pages and the API's
    # `updated_at` for reporters read this one, so a note leaves no trace for them.
    public_updated_at = models.DateTimeField(_("diperbarui (pelapor)"), default=timezone.now)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    # SLA (DESIGN §5, sla/clocks.py). The first public staff message ends the response
    # clock; the pauses ([begin, end|null] while the reporter is asked to act) stop both.
    first_response_at = models.DateTimeField(_("respons pertama"), null=True, blank=True)
    sla_pauses = models.JSONField(default=list, blank=True)
    # Due and warning moments of the clocks that run now (null while paused or done),
    # recomputed by every action and by the SLA sweep; `next_due_at` sorts the queues.
    response_warn_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(_("batas respons"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("batas penyelesaian"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("batas SLA berikutnya"), null=True, blank=True)
    # Set once by the sweep: nothing is warned or recorded as breached twice.
    response_warned_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    # The verdict of each clock once it has ended (sla.clocks.ClockState: "met", "missed",
    # "ended"; blank while it runs or stands paused), written by every action
    # (`ticket_sla_changes`): what reports count as met/missed and the SLA filter selects.
    response_outcome = models.CharField(max_length=10, blank=True, default="")
    resolution_outcome = models.CharField(max_length=10, blank=True, default="")
    # Full-text search (tickets/search.py), kept by the services: the GIN index over it is
    # made by migration 0008 on PostgreSQL; SQLite leaves it empty and uses FTS5 instead.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tiket")
        verbose_name_plural = _("tiket")
        indexes = [
            models.Index(fields=["reporter", "-created_at", "-id"], name="ticket_reporter_recent"),
            models.Index(fields=["reporter", "status"], name="ticket_reporter_status"),
            models.Index(fields=["lpse", "-created_at"], name="ticket_lpse_recent"),
            models.Index(fields=["holder", "status"], name="ticket_holder_status"),
            models.Index(fields=["tier", "status"], name="ticket_tier_status"),
            models.Index(fields=["application", "max_tier"], name="ticket_app_max_tier"),
            models.Index(fields=["status", "resolved_at"], name="ticket_status_resolved"),
            # The newest change of a reporter's or a scope's tickets: live pages' stamps.
            models.Index(
                fields=["reporter", "-public_updated_at"], name="ticket_reporter_public_upd"
            ),
            models.Index(fields=["-updated_at"], name="ticket_recently_updated"),
            models.Index(fields=["priority", "-created_at"], name="ticket_priority_recent"),
            models.Index(
                fields=["next_due_at"],
                condition=models.Q(next_due_at__isnull=False),
                name="ticket_next_due",
            ),
            # The few tickets whose code is still asked in the background (the sweep).
            models.Index(
                fields=["code_recheck_until"],
                condition=models.Q(code_recheck_until__isnull=False),
                name="ticket_code_recheck",
            ),
            # The console's links from reports: missed SLA clocks, one code's tickets.
            models.Index(
                fields=["-created_at"],
                condition=models.Q(response_outcome="missed")
                | models.Q(resolution_outcome="missed"),
                name="ticket_sla_missed",
            ),
            # (Not partial: SQLite cannot tell that `code = 'x'` implies `code <> ''`.)
            models.Index(fields=["code", "-created_at"], name="ticket_code_recent"),
            models.Index(fields=["reporter_role", "-created_at"], name="ticket_role_recent"),
            models.Index(fields=["close_reason", "-created_at"], name="ticket_close_reason_recent"),
            # The open incidents a new ticket is compared with: a handful at any time.
            models.Index(
                fields=["application", "-created_at"],
                condition=models.Q(is_incident=True),
                name="ticket_incidents",
            ),
            # The open tickets of a tier-1 scope (Tiket saya, Belum diambil, Menunggu
            # pelapor): a few thousand index entries per LPSE at a million tickets,
            # instead of a bitmap of all the LPSE's tickets.
            models.Index(
                fields=["lpse", "tier", "holder", "status"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_scope",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="ticket_unique_submission",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("portal:ticket_detail", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketSequence(models.Model):
    """The last number given per application and day; only ever counts up."""

    application_code = models.CharField(max_length=20)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application_code", "day"], name="sequence_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.application_code}-{self.day:%Y%m%d}: {self.last_value}"


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Balasan")
    FEEDBACK_REQUEST = "feedback_request", _("Permintaan feedback")
    FEEDBACK = "feedback", _("Feedback pelapor")
    RESOLUTION = "resolution", _("Penyelesaian")
    REOPEN = "reopen", _("Belum selesai")
    NOTE = "note", _("Catatan internal")


class Message(ChoiceLabels, models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.REPLY)
    body = models.TextField()
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket.number} #{self.pk}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    # Null for the files sent with the ticket itself.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    sequence = models.PositiveSmallIntegerField()
    original_name = models.CharField(max_length=255)
    file = models.FileField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    # Hex SHA-256 of the content, recorded at upload; blank for files uploaded before
    # it was recorded (migration 0010 does not read every stored file back).
    sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "sequence"], name="attachment_unique_seq")
        ]

    def __str__(self) -> str:
        return self.download_name

    @property
    def download_name(self) -> str:
        """`<nomor>_<NN>_<nama>.<ext>`: what a person sees and downloads (not the key)."""
        return attachment_download_name(
            ticket_number=self.ticket.number,
            sequence=self.sequence,
            original_name=self.original_name,
        )


class EventKind(models.TextChoices):
    CREATED = "created", _("Tiket dibuat")
    TAKEN = "taken", _("Tiket diambil")
    ASSIGNED = "assigned", _("Tiket ditugaskan")
    REPLIED = "replied", _("Balasan dikirim")
    FEEDBACK_REQUESTED = "feedback_requested", _("Feedback diminta")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback dikirim")
    RESOLVED = "resolved", _("Tiket diselesaikan")
    CONFIRMED = "confirmed", _("Penyelesaian dikonfirmasi")
    REOPENED = "reopened", _("Tiket dibuka kembali")
    FORCE_CLOSED = "force_closed", _("Tiket ditutup paksa oleh pelapor (force closed)")
    AUTO_CLOSED = "auto_closed", _("Tiket ditutup otomatis")
    ESCALATED = "escalated", _("Tiket dieskalasi")
    RETURNED = "returned", _("Tiket dikembalikan")
    MERGED = "merged", _("Tiket digabung")
    MERGE_TARGET = "merge_target", _("Tiket lain digabung ke tiket ini")
    NOTED = "noted", _("Catatan internal")
    CODE_REVALIDATED = "code_revalidated", _("Kode divalidasi ulang")
    PRIORITY_CHANGED = "priority_changed", _("Prioritas diubah petugas")
    CATEGORY_CHANGED = "category_changed", _("Kategori diubah petugas")
    INCIDENT_LINKED = "incident_linked", _("Ditautkan ke insiden")
    INCIDENT_UNLINKED = "incident_unlinked", _("Dilepas dari insiden")
    INCIDENT_MEMBER = "incident_member", _("Tiket lain ditautkan ke insiden ini")
    RATED = "rated", _("Penilaian diberikan")
    SLA_WARNED = "sla_warned", _("Peringatan SLA")
    SLA_BREACHED = "sla_breached", _("SLA terlampaui")


class TicketEvent(ChoiceLabels, models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    from_status = models.CharField(max_length=25, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=25, choices=Status.choices, blank=True)
    reason = models.TextField(blank=True)
    is_internal = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.kind}"


class Rating(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    stars = models.PositiveSmallIntegerField(_("bintang"))
    categories = models.ManyToManyField(
        "reference.RatingCategory", verbose_name=_("kategori penilaian"), blank=True
    )
    comment = models.TextField(_("saran dan kritik"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number}: {self.stars}"


class PresenceState(models.TextChoices):
    VIEWING = "viewing", _("sedang melihat")
    REPLYING = "replying", _("sedang menulis")


class TicketPresence(models.Model):
    """Staff who have a ticket open right now (refreshed every few seconds by the page)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=PresenceState.choices)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.user_id} {self.state}"


class TicketFact(models.Model):
    """What the reports count about one ticket (issue 17), one row per ticket.

    Written by the services in the transaction of every change, by the SLA sweep when it
    records a warning or breach, and by the synthetic generator; `manage.py
    reports_rebuild` writes them all again from the tickets (tickets/facts.py computes a
    row). Reports read only these narrow rows, never the ticket table, and no row is
    shared between tickets: filing a ticket never waits on a counter another filing holds.

    Days are local dates in the ticket's own LPSE time zone, so a ticket counts on the
    same day for every viewer. Clock states are `sla.clocks.ClockState` values as the
    clock stood when the row was written (an action, or the sweep's warning or breach);
    an ended clock's is the ticket's stored verdict (`Ticket.*_outcome`), the one source.
    """

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    lpse = models.ForeignKey("reference.Lpse", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        "reference.Application", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey("reference.Category", on_delete=models.PROTECT, related_name="+")
    ticket_type = models.ForeignKey(
        "reference.TicketType", on_delete=models.PROTECT, related_name="+"
    )
    reporter_role = models.CharField(max_length=20, choices=ReporterRole.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    status = models.CharField(max_length=25, choices=Status.choices)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    max_tier = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    created_day = models.DateField()
    # First response: the first public staff message (the response clock's end).
    first_response_at = models.DateTimeField(null=True)
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    response_state = models.CharField(max_length=10)
    # Working time the clock counted until it ended (met or missed); null while it runs.
    response_seconds = models.PositiveIntegerField(null=True)
    resolution_state = models.CharField(max_length=10)
    resolution_seconds = models.PositiveIntegerField(null=True)
    # The first resolution (a reopened ticket may be resolved again; the first counts).
    resolved_at = models.DateTimeField(null=True)
    resolved_day = models.DateField(null=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True)
    closed_day = models.DateField(null=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    # The first "Belum" of the reporter: the volume report counts reopened tickets by it.
    reopened_at = models.DateTimeField(null=True)
    reopened_day = models.DateField(null=True)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    reached_tier2_at = models.DateTimeField(null=True)
    reached_tier3_at = models.DateTimeField(null=True)
    # Wall-clock seconds of the finished stays at each tier; the current stay began at
    # `tier_since` (null once the ticket is closed, when every stay is finished).
    tier1_seconds = models.PositiveIntegerField(default=0)
    tier2_seconds = models.PositiveIntegerField(default=0)
    tier3_seconds = models.PositiveIntegerField(default=0)
    tier_since = models.DateTimeField(null=True)
    # The first agent who held the ticket at each tier (took it or was assigned it).
    holder_tier1 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    holder_tier2 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    holder_tier3 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rating_stars = models.PositiveSmallIntegerField(null=True)
    rated_at = models.DateTimeField(null=True)
    code_kind = models.CharField(max_length=12, choices=CodeKind.choices, default=CodeKind.NONE)
    code = models.CharField(max_length=40, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_day"], name="fact_created_day"),
            models.Index(fields=["lpse", "created_day"], name="fact_lpse_created"),
            models.Index(fields=["application", "created_day"], name="fact_app_created"),
            models.Index(
                fields=["resolved_day"],
                condition=models.Q(resolved_day__isnull=False),
                name="fact_resolved_day",
            ),
            models.Index(
                fields=["closed_day"],
                condition=models.Q(closed_day__isnull=False),
                name="fact_closed_day",
            ),
            # The volume report's reopened tickets per day (issue 17, reports/queries.py).
            models.Index(
                fields=["reopened_day"],
                condition=models.Q(reopened_day__isnull=False),
                name="fact_reopened_day",
            ),
            # The backlog: open tickets only, a few thousand rows at a million tickets.
            models.Index(
                fields=["lpse", "created_at"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="fact_open",
            ),
            models.Index(
                fields=["code", "created_day"],
                condition=~models.Q(code=""),
                name="fact_code",
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.ticket_id}"
