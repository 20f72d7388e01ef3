"""Codes checked at their source when a ticket is filed, and again by staff (issue 4)."""

import pytest

from integrations.clients import tender_lookup
from reference.models import Category, Lpse, TicketType
from tickets import services
from tickets.lifecycle import ActionConflict
from tickets.models import Priority
from tickets.tests.factories import make_draft, make_ticket


def test_a_found_tender_is_validated_and_sets_the_priority(alice, sources_online):
    # Given a blocking category and tender 9537119, in Upload Dokumen Penawaran for ~5 h
    ticket = make_ticket(alice, code="9537119")
    # Then the ticket keeps the source's data and is an Emergency, with the reason
    assert ticket.code_validated
    assert ticket.code_snapshot["kd_tender"] == 9537119
    assert ticket.code_snapshot["nama_paket"] == tender_lookup("9537119").nama_paket
    assert ticket.priority == Priority.EMERGENCY
    assert "Upload Dokumen Penawaran" in ticket.priority_reason
    assert "WIB" in ticket.priority_reason
    assert ticket.code_manual == {}


def test_the_tenders_lpse_handles_the_ticket(alice, sources_online):
    # Given alice (LPSE 119) reporting about a tender run by LPSE 71 (WITA)
    ticket = make_ticket(alice, code="8801071")
    assert ticket.lpse == Lpse.objects.get(kd_lpse=71)
    assert "WITA" in ticket.priority_reason


def test_an_active_tender_raises_a_non_blocking_category_one_level(alice, sources_online, spse):
    category = Category.objects.get(application=spse, name="Nilai evaluasi tidak tersimpan")
    ticket = make_ticket(alice, category=category, code="9538119")
    assert (category.base_priority, ticket.priority) == (Priority.MEDIUM, Priority.MAJOR)


@pytest.mark.parametrize("code", ["9539119", "9540119"])  # finished, cancelled
def test_a_finished_or_cancelled_tender_never_raises(alice, sources_online, code):
    ticket = make_ticket(alice, code=code)
    assert ticket.code_validated
    assert ticket.priority == Priority.MAJOR  # the category's base


@pytest.mark.parametrize(
    ("code", "note"),
    [
        ("1234567119", "tidak ditemukan"),
        ("9995119", "gangguan"),
        ("9997119", "tidak dapat dibaca"),
        ("9991119", "tidak dapat dihubungi"),  # slower than the read timeout
    ],
)
def test_unknown_or_failing_sources_still_file_the_ticket_with_the_typed_data(
    alice, sources_online, code, note
):
    manual = {"nama_paket": "Pembangunan Gedung Kantor", "instansi": "Dinas PU", "tahap": "Upload"}
    ticket = make_ticket(alice, code=code, manual_data=manual)
    assert not ticket.code_validated
    assert note in ticket.code_validation_note
    assert ticket.code_manual == manual
    # Data typed by hand never raises priority.
    assert ticket.priority == Priority.MAJOR


def test_a_source_that_is_down_costs_nothing_and_loses_nothing(alice):
    # The default test set-up points every source at a closed port.
    ticket = make_ticket(alice, code="9537119", manual_data={"nama_paket": "Paket X"})
    assert not ticket.code_validated
    assert "tidak dapat dihubungi" in ticket.code_validation_note
    assert ticket.code_manual == {"nama_paket": "Paket X"}


def test_suggestions_are_minor_whatever_the_tender(alice, sources_online):
    usulan = TicketType.objects.get(code="usulan")
    ticket = make_ticket(alice, code="9537119", ticket_type=usulan)
    assert ticket.priority == Priority.MINOR


def test_staff_revalidate_after_the_source_comes_back(alice, agent, settings, standalone_simulator):
    # Given a ticket filed while the Data Warehouse was down
    ticket = make_ticket(alice, code="9537119")
    assert (ticket.code_validated, ticket.priority) == (False, Priority.MAJOR)
    services.ticket_take(ticket=ticket, actor=agent)
    # When the source is back and staff re-validate
    from integrations.http import reset_state

    settings.INTEGRATION_DW_URL = standalone_simulator
    reset_state()
    ticket = services.ticket_revalidate_code(ticket=ticket, actor=agent)
    # Then the snapshot and priority are updated and the change is in the history
    assert ticket.code_validated and ticket.priority == Priority.EMERGENCY
    event = ticket.events.get(kind="code_revalidated")
    assert event.data["priority_from"] == Priority.MAJOR
    assert event.data["priority_to"] == Priority.EMERGENCY


def test_revalidation_while_the_source_is_down_keeps_what_it_said(
    alice, agent, sources_online, settings
):
    ticket = make_ticket(alice, code="9537119")
    services.ticket_take(ticket=ticket, actor=agent)
    settings.INTEGRATION_DW_URL = "http://127.0.0.1:9"
    from integrations.http import reset_state

    reset_state()
    with pytest.raises(ActionConflict, match="tidak dapat dihubungi"):
        services.ticket_revalidate_code(ticket=ticket, actor=agent)
    ticket.refresh_from_db()
    assert ticket.code_validated and ticket.code_snapshot


def test_staff_revalidation_waits_on_a_slow_source_no_longer_than_the_lookup_budget(
    alice, agent, sources_online, settings
):
    # Given a ticket about 9991119, whose source answers only after ~5 s, and timeouts far
    # longer than that
    ticket = make_ticket(alice, code="9991119")
    assert not ticket.code_validated
    settings.INTEGRATION_READ_TIMEOUT = 30
    settings.INTEGRATION_LOOKUP_WAIT_SECONDS = 0.3
    # When an agent re-validates (triage), the source is asked only within the budget
    ticket = services.ticket_revalidate_code(ticket=ticket, actor=agent)
    # Then it stays unvalidated for now, and the page says why, instead of waiting on
    assert not ticket.code_validated
    assert "tidak dapat dihubungi" in ticket.code_validation_note
    assert ticket.events.get(kind="code_revalidated").data["validated"] is False


def test_staff_override_the_priority_with_a_reason(alice, agent, sources_online):
    ticket = make_ticket(alice, code="9537119")
    services.ticket_take(ticket=ticket, actor=agent)
    ticket = services.ticket_override_priority(
        ticket=ticket, actor=agent, priority=Priority.MEDIUM, reason="Tender sudah diperpanjang."
    )
    assert ticket.priority == Priority.MEDIUM and ticket.priority_overridden
    assert "Tender sudah diperpanjang." in ticket.priority_reason
    assert ticket.events.get(kind="priority_changed").reason == "Tender sudah diperpanjang."
    # A later re-validation keeps the staff's choice.
    ticket = services.ticket_revalidate_code(ticket=ticket, actor=agent)
    assert ticket.priority == Priority.MEDIUM


def test_the_draft_factory_knows_manual_data(alice):
    assert make_draft(alice, manual_data={"tahap": "x"}).manual_data == {"tahap": "x"}
