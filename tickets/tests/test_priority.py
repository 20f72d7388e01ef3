"""Priority rules (DESIGN §5): first matching active rule wins; only source data raises."""

import datetime
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from integrations.types import ACTIVE_TENDER_STATUS, Stage, Tender
from reference.models import (
    Category,
    Priority,
    PriorityRule,
    PriorityRuleKind,
    TicketType,
)
from reference.services import reference_seed
from tickets.priority import (
    PriorityDecision,
    priority_compute,
    priority_for_draft,
    priority_raise,
    priority_rules_active,
    remaining_text,
)

WIB = datetime.timezone(datetime.timedelta(hours=7))
WITA = datetime.timezone(datetime.timedelta(hours=8))
WIT = datetime.timezone(datetime.timedelta(hours=9))
NOW = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=WIB)
H = datetime.timedelta(hours=1)
M = datetime.timedelta(minutes=1)

UPLOAD = "Upload Dokumen Penawaran"
OPENING = "Pembukaan Dokumen Penawaran"
OBJECTION = "Masa Sanggah"
CLARIFICATION = "Pemberian Penjelasan"  # not deadline-bound

E, J, MD, N = Priority.EMERGENCY, Priority.MAJOR, Priority.MEDIUM, Priority.MINOR


def make_tender(
    stage: str = UPLOAD,
    ends_in: datetime.timedelta = 5 * H,
    *,
    status: str = ACTIVE_TENDER_STATUS,
    now: datetime.datetime = NOW,
    extra: tuple[Stage, ...] = (),
) -> Tender:
    running = Stage(
        kd_tahapan="10",
        nama_tahapan=stage,
        starts_at=now - 72 * H,
        ends_at=now + ends_in,
    )
    return Tender(
        kd_tender=10012345,
        nama_paket="Pembangunan Gedung Kantor",
        pagu=5_000_000_000,
        hps=4_900_000_000,
        kd_rup=41234567,
        kd_klpd="K1",
        nama_klpd="Kementerian Uji",
        kd_satker="S1",
        nama_satker="Satker Uji",
        kd_lpse=119,
        nama_lpse="LPSE LKPP",
        jenis_pengadaan="Pekerjaan Konstruksi",
        mtd_pemilihan="Tender",
        status_tender=status,
        tahun_anggaran=2026,
        jadwal=(running, *extra),
    )


def make_category(
    base: str = MD, *, blocking: bool = False, question: bool = False, name: str = "Kategori"
) -> Category:
    return Category(name=name, base_priority=base, is_blocking=blocking, is_question=question)


PROBLEM = TicketType(code="permasalahan", name="Permasalahan", is_suggestion=False)
SUGGESTION = TicketType(code="usulan", name="Usulan", is_suggestion=True)


@pytest.fixture
def rules(reference: None) -> list[PriorityRule]:
    return priority_rules_active()


def compute(
    rules: list[PriorityRule],
    category: Category,
    tender: Tender | None,
    *,
    ticket_type: TicketType = PROBLEM,
    tz: str = "Asia/Jakarta",
    now: datetime.datetime = NOW,
) -> PriorityDecision:
    return priority_compute(
        category=category,
        ticket_type=ticket_type,
        tender=tender,
        lpse_timezone=tz,
        now=now,
        rules=rules,
    )


# (id, category, ticket type, tender, expected priority, expected rule kind or None)
K = PriorityRuleKind
CASES = [
    # 1. suggestion / question → Minor, before everything else
    ("usulan", make_category(J), SUGGESTION, None, N, K.SUGGESTION_OR_QUESTION),
    (
        "usulan-blocking-deadline",
        make_category(J, blocking=True),
        SUGGESTION,
        make_tender(),
        N,
        K.SUGGESTION_OR_QUESTION,
    ),
    (
        "question-active-tender",
        make_category(MD, question=True),
        PROBLEM,
        make_tender(),
        N,
        K.SUGGESTION_OR_QUESTION,
    ),
    (
        "question-no-tender",
        make_category(N, question=True),
        PROBLEM,
        None,
        N,
        K.SUGGESTION_OR_QUESTION,
    ),
    # 2. blocking + deadline-bound stage ending within 24 h → Emergency
    (
        "blocking-upload-5h",
        make_category(MD, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, 5 * H),
        E,
        K.BLOCKING_DEADLINE,
    ),
    (
        "blocking-opening-45m",
        make_category(J, blocking=True),
        PROBLEM,
        make_tender(OPENING, 45 * M),
        E,
        K.BLOCKING_DEADLINE,
    ),
    (
        "blocking-sanggah-2h",
        make_category(N, blocking=True),
        PROBLEM,
        make_tender(OBJECTION, 2 * H),
        E,
        K.BLOCKING_DEADLINE,
    ),
    (
        "deadline-23h59",
        make_category(J, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, 23 * H + 59 * M),
        E,
        K.BLOCKING_DEADLINE,
    ),
    (
        "deadline-24h00-exactly",
        make_category(J, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, 24 * H),
        E,
        K.BLOCKING_DEADLINE,
    ),
    (
        "deadline-24h01-active-raises",
        make_category(MD, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, 24 * H + M),
        J,
        K.ACTIVE_TENDER_RAISE,
    ),
    (
        "deadline-24h01-major-stays",
        make_category(J, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, 24 * H + M),
        J,
        K.BASE,
    ),
    (
        "deadline-ended-1m-ago",
        make_category(MD, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, -M),
        J,
        K.ACTIVE_TENDER_RAISE,
    ),
    (
        "deadline-ends-now",
        make_category(MD, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, datetime.timedelta(0)),
        J,
        K.ACTIVE_TENDER_RAISE,
    ),
    (
        "non-deadline-stage-2h",
        make_category(MD, blocking=True),
        PROBLEM,
        make_tender(CLARIFICATION, 2 * H),
        J,
        K.ACTIVE_TENDER_RAISE,
    ),
    (
        "not-blocking-upload-5h",
        make_category(MD),
        PROBLEM,
        make_tender(UPLOAD, 5 * H),
        J,
        K.ACTIVE_TENDER_RAISE,
    ),
    (
        "blocking-finished-tender",
        make_category(MD, blocking=True),
        PROBLEM,
        make_tender(UPLOAD, 5 * H, status="Tender Sudah Selesai"),
        MD,
        K.BASE,
    ),
    # 3. active tender raises one level, at most to Major
    (
        "minor-active",
        make_category(N),
        PROBLEM,
        make_tender(CLARIFICATION),
        MD,
        K.ACTIVE_TENDER_RAISE,
    ),
    (
        "medium-active",
        make_category(MD),
        PROBLEM,
        make_tender(CLARIFICATION),
        J,
        K.ACTIVE_TENDER_RAISE,
    ),
    ("major-active-max", make_category(J), PROBLEM, make_tender(CLARIFICATION), J, K.BASE),
    ("emergency-active-stays", make_category(E), PROBLEM, make_tender(CLARIFICATION), E, K.BASE),
    # 4. otherwise the base; finished / cancelled tenders never raise
    (
        "finished",
        make_category(MD),
        PROBLEM,
        make_tender(status="Tender Sudah Selesai"),
        MD,
        K.BASE,
    ),
    ("cancelled", make_category(N), PROBLEM, make_tender(status="Tender Batal"), N, K.BASE),
    ("hand-typed-medium", make_category(MD), PROBLEM, None, MD, K.BASE),
    ("hand-typed-blocking", make_category(J, blocking=True), PROBLEM, None, J, K.BASE),
]


@pytest.mark.parametrize(
    ("category", "ticket_type", "tender", "expected", "kind"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_default_rules(
    rules: list[PriorityRule],
    category: Category,
    ticket_type: TicketType,
    tender: Tender | None,
    expected: Priority,
    kind: str,
) -> None:
    decision = compute(rules, category, tender, ticket_type=ticket_type)
    assert decision.priority == expected
    assert decision.rule is not None
    assert decision.rule.kind == kind
    assert decision.explanation.startswith(f"{expected.label}:")


def test_seeded_rules_in_order(rules: list[PriorityRule]) -> None:
    assert [(rule.order, rule.kind) for rule in rules] == [
        (10, K.SUGGESTION_OR_QUESTION),
        (20, K.BLOCKING_DEADLINE),
        (30, K.ACTIVE_TENDER_RAISE),
        (40, K.BASE),
    ]
    assert rules[0].result_priority == N
    assert rules[1].result_priority == E
    assert rules[1].window_hours == 24
    assert (rules[2].raise_levels, rules[2].max_priority) == (1, J)


def test_seed_is_idempotent_and_keeps_admin_edits(reference: None) -> None:
    rule = PriorityRule.objects.get(kind=K.BLOCKING_DEADLINE)
    rule.window_hours = 48
    rule.order = 25
    rule.save()
    reference_seed()
    reference_seed()
    assert PriorityRule.objects.count() == 4
    rule.refresh_from_db()
    assert (rule.order, rule.window_hours) == (25, 48)


def test_blocking_deadline_explanation_mentions_stage_remaining_and_time(
    rules: list[PriorityRule],
) -> None:
    decision = compute(rules, make_category(MD, blocking=True), make_tender(UPLOAD, 5 * H))
    assert decision.priority == E
    assert decision.explanation.startswith(
        "Emergency: kategori menghambat kegiatan berbatas waktu dan tahap "
        "Upload Dokumen Penawaran berakhir dalam 5 jam"
    )
    # NOW is 09:00 WIB, the stage ends 5 h later.
    assert "10 Desember 2026 pukul 14:00 WIB" in decision.explanation


@pytest.mark.parametrize(
    ("tz_name", "offset", "expected_time"),
    [
        ("Asia/Jakarta", WIB, "pukul 14:00 WIB"),
        ("Asia/Makassar", WITA, "pukul 15:00 WITA"),
        ("Asia/Jayapura", WIT, "pukul 16:00 WIT"),
    ],
)
def test_explanation_uses_the_lpse_zone(
    rules: list[PriorityRule], tz_name: str, offset: datetime.timezone, expected_time: str
) -> None:
    # The same instant, as the source would send it from an LPSE in each zone.
    now = NOW.astimezone(offset)
    tender = make_tender(OBJECTION, 5 * H, now=now)
    decision = compute(rules, make_category(J, blocking=True), tender, tz=tz_name, now=now)
    assert decision.priority == E
    assert "tahap Masa Sanggah berakhir dalam 5 jam" in decision.explanation
    assert expected_time in decision.explanation


@pytest.mark.parametrize(
    ("ends_in", "text"),
    [
        (5 * H, "5 jam"),
        (45 * M, "45 menit"),
        (23 * H + 59 * M, "23 jam 59 menit"),
        (24 * H, "24 jam"),
        (1 * H + 1 * M, "1 jam 1 menit"),
        (datetime.timedelta(seconds=30), "kurang dari 1 menit"),
    ],
)
def test_remaining_in_plain_indonesian(
    rules: list[PriorityRule], ends_in: datetime.timedelta, text: str
) -> None:
    assert remaining_text(ends_in) == text
    decision = compute(rules, make_category(MD, blocking=True), make_tender(UPLOAD, ends_in))
    assert f"berakhir dalam {text} (" in decision.explanation


def test_inactive_rule_is_skipped(reference: None) -> None:
    PriorityRule.objects.filter(kind=K.SUGGESTION_OR_QUESTION).update(is_active=False)
    rules = priority_rules_active()
    assert K.SUGGESTION_OR_QUESTION not in {rule.kind for rule in rules}
    decision = compute(rules, make_category(MD, question=True), make_tender(CLARIFICATION))
    assert (decision.priority, decision.rule and decision.rule.kind) == (
        J,
        K.ACTIVE_TENDER_RAISE,
    )
    # An inactive rule passed in anyway is skipped as well.
    all_rules = list(PriorityRule.objects.all())
    assert compute(all_rules, make_category(MD, question=True), None).priority == MD


def test_admin_edited_window_changes_the_result(reference: None) -> None:
    category = make_category(MD, blocking=True)
    tender = make_tender(UPLOAD, 30 * H)
    assert compute(priority_rules_active(), category, tender).priority == J
    # Saved as the admin saves it (the signal tells every process's reference book)
    for rule in PriorityRule.objects.filter(kind=K.BLOCKING_DEADLINE):
        rule.window_hours = 48
        rule.save()
    decision = compute(priority_rules_active(), category, tender)
    assert decision.priority == E
    assert "berakhir dalam 30 jam" in decision.explanation


def test_admin_edited_order_changes_the_result(reference: None) -> None:
    # Put the deadline rule before the question rule: a blocking question now wins.
    PriorityRule.objects.filter(kind=K.BLOCKING_DEADLINE).update(order=5)
    category = make_category(MD, blocking=True, question=True)
    decision = compute(priority_rules_active(), category, make_tender(UPLOAD, 5 * H))
    assert decision.priority == E
    assert decision.rule is not None
    assert decision.rule.order == 5


def test_admin_edited_raise_parameters(reference: None) -> None:
    PriorityRule.objects.filter(kind=K.ACTIVE_TENDER_RAISE).update(raise_levels=2, max_priority=E)
    decision = compute(priority_rules_active(), make_category(N), make_tender(CLARIFICATION))
    assert decision.priority == J
    decision = compute(priority_rules_active(), make_category(MD), make_tender(CLARIFICATION))
    assert decision.priority == E


def test_no_matching_rule_falls_back_to_base() -> None:
    decision = compute([], make_category(J, name="Gagal kirim sanggah"), make_tender())
    assert decision == PriorityDecision(
        priority=J, rule=None, explanation="Major: prioritas dasar kategori «Gagal kirim sanggah»"
    )


def test_broken_template_falls_back_to_rule_name() -> None:
    rule = PriorityRule(
        order=1, name="Dasar", kind=K.BASE, explanation="{priority}: {stage.__class__} {"
    )
    decision = compute([rule], make_category(MD), None)
    assert decision.explanation == "Medium: Dasar"
    rule.explanation = "{priority} karena {unknown}"
    assert compute([rule], make_category(MD), None).explanation == "Medium karena {unknown}"


def test_model_validates_placeholders() -> None:
    rule = PriorityRule(order=1, name="x", kind=K.BASE, explanation="{priority}: {oops}")
    with pytest.raises(ValidationError):
        rule.clean()
    rule.explanation = "{priority}: {stage} dalam {remaining} ({ends_at} {zone})"
    rule.clean()


def test_earliest_ending_deadline_stage_is_named(rules: list[PriorityRule]) -> None:
    # Overlapping deadline-bound stages: the one ending first is the urgent one.
    opening = Stage("11", OPENING, NOW - H, NOW + 20 * H)
    tender = make_tender(UPLOAD, 3 * H, extra=(opening,))
    decision = compute(rules, make_category(MD, blocking=True), tender)
    assert "tahap Upload Dokumen Penawaran berakhir dalam 3 jam" in decision.explanation


def test_seeded_categories(rules: list[PriorityRule], reference: None) -> None:
    upload = Category.objects.select_related("parent").get(
        application__code="SPSE", name="Gagal upload dokumen penawaran"
    )
    question = Category.objects.select_related("parent").filter(
        application__code="SPSE", is_question=True
    )[0]
    usulan = TicketType.objects.get(code="usulan")
    assert compute(rules, upload, make_tender(UPLOAD, 5 * H)).priority == E
    assert compute(rules, upload, make_tender(CLARIFICATION)).priority == J
    assert compute(rules, upload, None).priority == J
    assert compute(rules, question, make_tender(UPLOAD, 5 * H)).priority == N
    assert compute(rules, upload, make_tender(), ticket_type=usulan).priority == N


def test_priority_for_draft(reference: None) -> None:
    priority, reason = priority_for_draft(
        category=make_category(MD, blocking=True),
        ticket_type=PROBLEM,
        tender=make_tender(UPLOAD, 5 * H),
        lpse_timezone="Asia/Makassar",
        now=NOW,
    )
    assert priority == "emergency"
    assert "pukul 15:00 WITA" in reason
    assert len(reason) <= 300


@pytest.mark.parametrize("base", list(Priority))
@pytest.mark.parametrize("levels", [0, 1, 2, 3])
@pytest.mark.parametrize("maximum", list(Priority))
def test_priority_raise_bounds(base: Priority, levels: int, maximum: Priority) -> None:
    order = [N, MD, J, E]
    raised = priority_raise(base, levels=levels, maximum=maximum)
    assert order.index(raised) >= order.index(base)
    assert order.index(raised) <= max(order.index(base), order.index(maximum))


@pytest.mark.django_db
@given(
    minutes=st.integers(min_value=-600, max_value=3000),
    blocking=st.booleans(),
    active=st.booleans(),
    base=st.sampled_from(list(Priority)),
)
def test_hand_typed_never_raises_and_window_is_exact(
    minutes: int, blocking: bool, active: bool, base: Priority
) -> None:
    if not PriorityRule.objects.exists():
        reference_seed()
    rules = priority_rules_active()
    category = make_category(base, blocking=blocking)
    assert compute(rules, category, None).priority == base
    status = ACTIVE_TENDER_STATUS if active else "Tender Sudah Selesai"
    tender = replace(make_tender(UPLOAD, minutes * M), status_tender=status)
    decision = compute(rules, category, tender)
    urgent = blocking and active and 0 < minutes <= 24 * 60
    assert (decision.priority == E) == (urgent or base == E)
    if not active:
        assert decision.priority == base


def test_admin_lists_and_edits_rules(client, admin_user) -> None:
    client.force_login(admin_user)
    response = client.get("/admin/reference/priorityrule/")
    assert response.status_code == 200
    assert "Prioritas dasar kategori" in response.content.decode()
    rule = PriorityRule.objects.get(kind=K.BASE)
    response = client.get(f"/admin/reference/priorityrule/{rule.pk}/change/")
    assert response.status_code == 200
