"""*Ubah kategori* (issue 18): staff correct a ticket's category with a reason. The
priority follows the new category by the rules of filing (unless staff set it by hand),
the SLA targets follow the priority, the history and the report row follow the ticket."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.http import reset_state
from notifications.models import Notification
from reference.models import Application, Category, Priority
from tickets import services
from tickets.lifecycle import ActionConflict, ActionForbidden, ActionInvalid
from tickets.models import EventKind, Ticket, TicketFact
from tickets.tests.factories import make_ticket

WIB = ZoneInfo("Asia/Jakarta")
# A Monday in working hours, far from holidays.
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=WIB)


def at(hours: float) -> datetime.datetime:
    return MONDAY + datetime.timedelta(hours=hours)


def spse_leaf(name: str) -> Category:
    return Category.objects.select_related("parent").get(application__code="SPSE", name=name)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def held(alice, agent):
    """alice's upload problem (Major, blocking, a tender code), held by `agent`."""
    return services.ticket_take(ticket=make_ticket(alice, now=at(0)), actor=agent, now=at(0.5))


def state(ticket: Ticket) -> tuple[object, ...]:
    """Everything a refused change must leave as it was."""
    ticket.refresh_from_db()
    return (
        ticket.category_id,
        ticket.priority,
        ticket.priority_reason,
        ticket.revision,
        ticket.response_due_at,
        ticket.resolution_due_at,
        ticket.updated_at,
        ticket.events.count(),
        TicketFact.objects.get(pk=ticket.pk).category_id,
    )


# --- The service --------------------------------------------------------------------------


def test_staff_change_the_category_with_a_reason_and_the_priority_follows(held, agent):
    # Given a Major upload problem, which is really a forgotten password (Medium)
    password = spse_leaf("Lupa password / user ID terblokir")
    old, revision = held.category, held.revision
    # When the holder changes the category with a reason
    ticket = services.ticket_change_category(
        ticket=held, actor=agent, category=password, reason="Pelapor lupa password.", now=at(1)
    )
    # Then the ticket has the new category and the priority of that category
    assert ticket.category == password
    assert (ticket.priority, ticket.priority_overridden) == (Priority.MEDIUM, False)
    assert password.path_label in ticket.priority_reason
    assert ticket.revision == revision + 1
    # And the public history records what changed, and why
    event = ticket.events.get(kind=EventKind.CATEGORY_CHANGED)
    assert (event.actor, event.reason, event.is_internal) == (
        agent,
        "Pelapor lupa password.",
        False,
    )
    assert event.data == {
        "category_from": old.pk,
        "category_from_name": old.path_label,
        "category_to": password.pk,
        "category_to_name": password.path_label,
        "priority_from": Priority.MAJOR,
        "priority_to": Priority.MEDIUM,
        "revision": ticket.revision,
    }
    # And the report row counts it under the new category
    assert TicketFact.objects.get(pk=ticket.pk).category_id == password.pk


def test_the_sla_targets_follow_the_new_priority_as_for_ubah_prioritas(alice, agent, held):
    # Given a twin of the held ticket, filed and taken at the same moments
    twin = services.ticket_take(ticket=make_ticket(alice, now=at(0)), actor=agent, now=at(0.5))
    assert (twin.response_due_at, twin.resolution_due_at) == (
        held.response_due_at,
        held.resolution_due_at,
    )
    filed_due = held.resolution_due_at
    # When one gets a Medium category and the other the Medium priority by hand, at once
    changed = services.ticket_change_category(
        ticket=held,
        actor=agent,
        category=spse_leaf("Lupa password / user ID terblokir"),
        reason="Salah pilih kategori.",
        now=at(1),
    )
    overridden = services.ticket_override_priority(
        ticket=twin, actor=agent, priority=Priority.MEDIUM, reason="Uji.", now=at(1)
    )
    # Then both are due at the Medium targets, counted from the same start
    assert changed.priority == overridden.priority == Priority.MEDIUM
    assert (changed.response_due_at, changed.resolution_due_at, changed.next_due_at) == (
        overridden.response_due_at,
        overridden.resolution_due_at,
        overridden.next_due_at,
    )
    assert changed.resolution_due_at != filed_due


def test_a_priority_set_by_hand_is_kept(held, agent):
    # Given a ticket whose priority staff set by hand
    ticket = services.ticket_override_priority(
        ticket=held, actor=agent, priority=Priority.MINOR, reason="Tidak mendesak.", now=at(1)
    )
    before = (ticket.priority, ticket.priority_reason, ticket.resolution_due_at)
    # When its category is changed to one whose base priority is Medium
    ticket = services.ticket_change_category(
        ticket=ticket,
        actor=agent,
        category=spse_leaf("Nilai evaluasi tidak tersimpan"),
        reason="Masalah evaluasi.",
        now=at(2),
    )
    # Then the staff's priority, its reason and the SLA targets stay
    assert (ticket.priority, ticket.priority_reason, ticket.resolution_due_at) == before
    assert ticket.priority_overridden
    event = ticket.events.get(kind=EventKind.CATEGORY_CHANGED)
    assert event.data["priority_from"] == event.data["priority_to"] == Priority.MINOR


def test_the_priority_reads_the_tender_the_ticket_kept_without_asking_again(
    alice, agent, sources_online, settings
):
    # Given a validated ticket about tender 9537119, in Upload Dokumen Penawaran (Emergency)
    ticket = make_ticket(alice, code="9537119")
    assert ticket.code_validated and ticket.priority == Priority.EMERGENCY
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    # And the Data Warehouse is down from now on
    settings.INTEGRATION_DW_URL = "http://127.0.0.1:9"
    reset_state()
    # When the category becomes another blocking one
    ticket = services.ticket_change_category(
        ticket=ticket,
        actor=agent,
        category=spse_leaf("Gagal kirim penawaran / file .rhs"),
        reason="Yang gagal pengiriman, bukan upload.",
    )
    # Then it is still an Emergency, explained by the stage of the kept tender
    assert ticket.priority == Priority.EMERGENCY
    assert "Upload Dokumen Penawaran" in ticket.priority_reason
    # When it becomes a Medium one that takes a tender code: the running tender raises it
    ticket = services.ticket_change_category(
        ticket=ticket,
        actor=agent,
        category=spse_leaf("Nilai evaluasi tidak tersimpan"),
        reason="Masalah evaluasi.",
    )
    assert ticket.priority == Priority.MAJOR
    # When it becomes one that takes no code, the tender counts for nothing (as at filing)
    ticket = services.ticket_change_category(
        ticket=ticket,
        actor=agent,
        category=spse_leaf("Lupa password / user ID terblokir"),
        reason="Ternyata lupa password.",
    )
    assert ticket.priority == Priority.MEDIUM
    # And the ticket keeps its code and what the source said about it
    assert ticket.code == "9537119" and ticket.code_validated


def test_nobody_is_notified_as_for_a_priority_change(held, agent):
    before = Notification.objects.count()
    services.ticket_change_category(
        ticket=held,
        actor=agent,
        category=spse_leaf("Lupa password / user ID terblokir"),
        reason="Salah pilih.",
    )
    assert Notification.objects.count() == before


def _katalog_leaf() -> Category:
    return Category.objects.get(application__code="KATALOG", name="Produk belum tayang")


def _inactive_leaf() -> Category:
    leaf = spse_leaf("Roaming ke LPSE lain")
    leaf.is_active = False
    leaf.save()
    return leaf


def _parent() -> Category:
    return Category.objects.get(application__code="SPSE", name="Akun & Pendaftaran")


@pytest.mark.parametrize(
    ("choose", "reason", "refusal", "says"),
    [
        (_katalog_leaf, "Alasan.", ActionInvalid, "aplikasi Sistem Pengadaan"),
        (_inactive_leaf, "Alasan.", ActionInvalid, "kategori aktif"),
        (_parent, "Alasan.", ActionInvalid, "kategori aktif"),
        (lambda: spse_leaf("Gagal upload dokumen penawaran"), "Alasan.", ActionInvalid, "sudah"),
        (lambda: spse_leaf("Lupa password / user ID terblokir"), "  ", ActionInvalid, "wajib"),
    ],
    ids=["other-application", "inactive", "not-a-leaf", "same-category", "empty-reason"],
)
def test_a_refused_change_leaves_the_ticket_as_it_was(held, agent, choose, reason, refusal, says):
    before = state(held)
    with pytest.raises(refusal, match=says):
        services.ticket_change_category(
            ticket=held, actor=agent, category=choose(), reason=reason, now=at(1)
        )
    assert state(held) == before


def test_a_closed_ticket_keeps_its_category_409(held, alice, agent):
    ticket = services.ticket_force_close(ticket=held, actor=alice, reason="Sudah bisa.")
    before = state(ticket)
    with pytest.raises(ActionConflict) as refused:
        services.ticket_change_category(
            ticket=ticket,
            actor=agent,
            category=spse_leaf("Lupa password / user ID terblokir"),
            reason="Terlambat.",
        )
    assert refused.value.status_code == 409
    assert state(ticket) == before


def test_who_may_not_act_hears_that_whatever_category_they_name(held, agent_119_b, alice):
    # A colleague of the holder, naming a category of another application: 403, not 400
    before = state(held)
    with pytest.raises(ActionForbidden):
        services.ticket_change_category(
            ticket=held, actor=agent_119_b, category=_katalog_leaf(), reason="x"
        )
    with pytest.raises(ActionForbidden):
        services.ticket_change_category(
            ticket=held, actor=alice, category=spse_leaf("Roaming ke LPSE lain"), reason="x"
        )
    assert state(held) == before


def test_a_stale_page_is_409_and_its_double_click_is_applied_once(held, agent):
    password = spse_leaf("Lupa password / user ID terblokir")
    # From a page older than the last change: refused, nothing changed
    before = state(held)
    with pytest.raises(ActionConflict, match="Muat ulang"):
        services.ticket_change_category(
            ticket=held, actor=agent, category=password, reason="x", revision=held.revision - 1
        )
    assert state(held) == before
    # From the current page, twice (a double click): one change, one event
    page_revision = held.revision
    for _click in range(2):
        services.ticket_change_category(
            ticket=held, actor=agent, category=password, reason="Salah.", revision=page_revision
        )
    held.refresh_from_db()
    assert held.category == password
    assert held.events.filter(kind=EventKind.CATEGORY_CHANGED).count() == 1


# --- The console --------------------------------------------------------------------------


def detail_url(ticket: Ticket) -> str:
    return reverse("console:ticket_detail", args=[ticket.number])


def action_url(ticket: Ticket) -> str:
    return reverse("console:ticket_action", args=[ticket.number, "change_category"])


def test_the_panel_offers_the_other_active_leaves_of_the_application_by_path(client, held, agent):
    _inactive_leaf()
    client.force_login(agent)
    response = client.get(detail_url(held))
    form = response.context["forms"]["change_category"]
    offered = list(form.fields["category"].queryset)
    spse = Application.objects.get(code="SPSE")
    assert offered == [
        c
        for c in Category.objects.filter(application=spse, is_leaf=True, is_active=True)
        .select_related("parent")
        .order_by("parent__order", "parent__name", "order", "name")
        if c.pk != held.category_id
    ]
    page = response.content.decode()
    panel = page[page.index("<summary>Ubah kategori</summary>") :]
    panel = panel[: panel.index("</details>")]
    assert action_url(held) in panel
    assert "Akun &amp; Pendaftaran › Lupa password / user ID terblokir</option>" in panel
    assert "Roaming ke LPSE lain" not in panel  # inactive
    assert "Kategori sekarang: Penawaran › Gagal upload dokumen penawaran." in panel
    assert "Alasan ini ditampilkan kepada pelapor" in panel


@pytest.mark.parametrize("who", ["agent_119_b", "supervisor", "supervisor_119"])
def test_the_panel_is_shown_only_to_who_may_change_the_category(client, request, held, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(detail_url(held))
    assert response.status_code == 200
    assert "change_category" not in response.context["forms"]
    assert action_url(held) not in response.content.decode()


def test_a_change_from_the_console_shows_in_both_histories(client, held, agent, alice):
    password = spse_leaf("Lupa password / user ID terblokir")
    client.force_login(agent)
    response = client.post(
        action_url(held),
        {"revision": held.revision, "category": password.pk, "reason": "Pelapor lupa password."},
    )
    assert response.status_code == 302
    page = client.get(detail_url(held)).content.decode()
    assert "Kategori diubah menjadi Akun &amp; Pendaftaran › Lupa password" in page
    history = page[page.index("Riwayat lengkap") :]
    assert "Penawaran › Gagal upload dokumen penawaran → Akun &amp; Pendaftaran › Lupa" in history
    assert "Pelapor lupa password." in history
    # The reporter sees the new category, the change and its reason on their page
    client.force_login(alice)
    mine = client.get(reverse("portal:ticket_detail", args=[held.number])).content.decode()
    assert "Kategori diubah petugas: Penawaran › Gagal upload dokumen penawaran → " in mine
    assert "Pelapor lupa password." in mine
    facts = mine[: mine.index("Kategori diubah petugas")]
    assert "Akun &amp; Pendaftaran › Lupa password / user ID terblokir" in facts


@pytest.mark.parametrize(
    "category",
    ["", "abc", "-1", "0", "1.5", "9" * 30, "999999999", "katalog", "same", "inactive"],
)
def test_bad_input_from_the_console_is_a_clear_400_and_changes_nothing(
    client, held, agent, category
):
    value: object = category
    if category == "katalog":
        value = _katalog_leaf().pk
    elif category == "same":
        value = held.category_id
    elif category == "inactive":
        value = _inactive_leaf().pk
    client.force_login(agent)
    before = state(held)
    response = client.post(
        action_url(held), {"revision": held.revision, "category": value, "reason": "x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert ("Pilih kategori baru." if category == "" else "Pilih kategori aktif lain") in page
    assert state(held) == before


def test_an_empty_reason_or_a_garbage_revision_is_a_400(client, held, agent):
    password = spse_leaf("Lupa password / user ID terblokir")
    client.force_login(agent)
    before = state(held)
    for data in (
        {"revision": held.revision, "category": password.pk, "reason": "   "},
        {"revision": "x", "category": password.pk, "reason": "Alasan."},
        {"category": password.pk, "reason": "Alasan."},
    ):
        assert client.post(action_url(held), data).status_code == 400
    assert state(held) == before


def test_the_detail_page_costs_the_same_queries_however_many_categories(client, held, agent):
    client.force_login(agent)
    client.get(detail_url(held))  # the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(detail_url(held))
        assert "change_category" in response.context["forms"]
        return len(captured)

    few = queries()
    spse = Application.objects.get(code="SPSE")
    parent = _parent()
    Category.objects.bulk_create(
        Category(application=spse, parent=parent, name=f"Kategori uji {n}") for n in range(30)
    )
    assert queries() == few
