"""The lifecycle services: every path of DESIGN §4, and the refusals."""

import pytest

from lib.errors import NotFound
from reference.models import RatingCategory
from tickets import services
from tickets.lifecycle import ActionConflict, ActionForbidden, ActionInvalid
from tickets.models import CloseReason, Rating, Status
from tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(alice):
    return make_ticket(alice)


def test_the_whole_happy_path_through_three_tiers(ticket, alice, agent, lkpp_spse, teknis_spse):
    t = services.ticket_take(ticket=ticket, actor=agent)
    assert (t.status, t.holder, t.tier) == (Status.IN_PROGRESS, agent, 1)
    t = services.ticket_request_feedback(ticket=t, actor=agent, body="Mohon tangkapan layar.")
    assert t.status == Status.AWAITING_FEEDBACK
    t = services.ticket_give_feedback(ticket=t, actor=alice, body="Terlampir.")
    assert (t.status, t.holder) == (Status.IN_PROGRESS, agent)
    t = services.ticket_escalate(ticket=t, actor=agent, note="Perlu LKPP.")
    assert (t.tier, t.holder, t.max_tier) == (2, None, 2)
    t = services.ticket_take(ticket=t, actor=lkpp_spse)
    t = services.ticket_escalate(ticket=t, actor=lkpp_spse, note="Bug aplikasi.")
    t = services.ticket_take(ticket=t, actor=teknis_spse)
    t = services.ticket_resolve(ticket=t, actor=teknis_spse, body="Sudah diperbaiki.")
    assert (t.status, t.resolved_by) == (Status.AWAITING_CONFIRMATION, teknis_spse)
    t = services.ticket_reopen(ticket=t, actor=alice, body="Masih gagal.")
    assert (t.status, t.holder, t.reopen_count, t.tier) == (
        Status.IN_PROGRESS, teknis_spse, 1, 3,
    )  # fmt: skip
    t = services.ticket_resolve(ticket=t, actor=teknis_spse, body="Sudah diperbaiki lagi.")
    t = services.ticket_confirm(ticket=t, actor=alice)
    assert (t.status, t.close_reason) == (Status.CLOSED, CloseReason.CONFIRMED)
    low = RatingCategory.objects.get(name="Respon lambat")
    services.ticket_rate(ticket=t, actor=alice, stars=2, categories=[low], comment="Lama.")
    assert Rating.objects.get(ticket=t).stars == 2
    # Tier 1 keeps read access; tier 2 and 3 too, since the ticket reached them.
    for person in (agent, lkpp_spse, teknis_spse):
        assert services.tickets_visible_to(person).filter(pk=t.pk).exists()


def test_stale_pages_are_refused_and_double_clicks_apply_once(ticket, agent, agent_119_b):
    # Given two agents looking at the same new ticket (revision 0)
    seen = ticket.revision
    services.ticket_take(ticket=ticket, actor=agent, revision=seen)
    # When the second agent takes it from the stale page
    with pytest.raises(ActionConflict, match="diperbarui oleh"):
        services.ticket_take(ticket=ticket, actor=agent_119_b, revision=seen)
    # And the first agent's second click is harmless
    again = services.ticket_take(ticket=ticket, actor=agent, revision=seen)
    assert again.holder == agent
    assert again.events.filter(kind="taken").count() == 1


def test_refusals(ticket, alice, bob, agent, agent_other, lkpp_spse, supervisor):
    with pytest.raises(NotFound):
        services.ticket_take(ticket=ticket, actor=agent_other)
    with pytest.raises(NotFound):
        services.ticket_force_close(ticket=ticket, actor=bob, reason="x")
    with pytest.raises(NotFound):
        services.ticket_take(ticket=ticket, actor=lkpp_spse)  # has not reached tier 2
    with pytest.raises(ActionForbidden):
        services.ticket_take(ticket=ticket, actor=supervisor)
    with pytest.raises(ActionForbidden):
        services.ticket_take(ticket=ticket, actor=alice)
    with pytest.raises(ActionConflict):
        services.ticket_confirm(ticket=ticket, actor=alice)
    with pytest.raises(ActionConflict):
        services.ticket_resolve(ticket=ticket, actor=agent, body="x")  # not taken yet
    with pytest.raises(ActionInvalid):
        services.ticket_force_close(ticket=ticket, actor=alice, reason="  ")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.revision, ticket.events.count()) == (Status.NEW, 0, 1)


def test_force_close_then_rate_once(ticket, alice):
    t = services.ticket_force_close(ticket=ticket, actor=alice, reason="Sudah bisa sendiri.")
    assert (t.status, t.close_reason) == (Status.FORCE_CLOSED, CloseReason.FORCE_CLOSED)
    high = RatingCategory.objects.get(name="Respon cepat")
    low = RatingCategory.objects.get(name="Respon lambat")
    with pytest.raises(ActionInvalid):
        services.ticket_rate(ticket=t, actor=alice, stars=5, categories=[low])
    services.ticket_rate(ticket=t, actor=alice, stars=5, categories=[high])
    with pytest.raises(ActionConflict):
        services.ticket_rate(ticket=t, actor=alice, stars=4)


def test_merge_closes_the_duplicate_with_a_link(alice, agent):
    first = make_ticket(alice)
    duplicate = make_ticket(alice)
    services.ticket_take(ticket=duplicate, actor=agent)
    merged = services.ticket_merge(ticket=duplicate, actor=agent, into=first)
    assert (merged.status, merged.close_reason, merged.merged_into) == (
        Status.CLOSED, CloseReason.MERGED, first,
    )  # fmt: skip
    assert first.events.filter(kind="merge_target").exists()
    with pytest.raises(ActionConflict):
        services.ticket_rate(ticket=merged, actor=alice, stars=5)


def test_notes_are_internal(ticket, agent):
    services.ticket_add_note(ticket=ticket, actor=agent, body="Rahasia internal")
    note = ticket.messages.get()
    assert note.is_internal
    assert ticket.events.get(kind="noted").is_internal


def test_a_double_clicked_note_is_saved_once(ticket, agent):
    services.ticket_add_note(ticket=ticket, actor=agent, body="Cek log server")
    services.ticket_add_note(ticket=ticket, actor=agent, body="Cek log server")
    assert ticket.messages.count() == 1
    services.ticket_add_note(ticket=ticket, actor=agent, body="Catatan lain")
    assert ticket.messages.count() == 2


def test_merging_into_a_ticket_closed_meanwhile_is_refused(alice, agent):
    target = make_ticket(alice)
    duplicate = make_ticket(alice)
    services.ticket_take(ticket=duplicate, actor=agent)
    # The target closes after the merge page was shown (the stale object still says "new").
    services.ticket_force_close(ticket=target, actor=alice, reason="Sudah beres.")
    stale_target = type(target).objects.get(pk=target.pk)
    stale_target.status = Status.NEW
    with pytest.raises(ActionConflict, match="sudah ditutup"):
        services.ticket_merge(ticket=duplicate, actor=agent, into=stale_target)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.IN_PROGRESS


def test_a_reopen_does_not_go_back_to_a_resolver_who_left(ticket, alice, agent):
    t = services.ticket_take(ticket=ticket, actor=agent)
    t = services.ticket_resolve(ticket=t, actor=agent, body="Selesai.")
    agent.assignments.all().delete()
    t = services.ticket_reopen(ticket=t, actor=alice, body="Masih gagal.")
    assert (t.status, t.holder) == (Status.IN_PROGRESS, None)
