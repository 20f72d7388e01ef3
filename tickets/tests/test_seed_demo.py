import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from reference.models import Application, Category, Lpse
from tickets.models import (
    Attachment,
    CloseReason,
    Message,
    Rating,
    Status,
    Ticket,
    TicketEvent,
)


def test_seed_demo_refuses_without_debug_or_demo_flag(db, settings):
    # Given a production-like start: DEBUG off, no --demo
    settings.DEBUG = False
    # When seed_demo runs, then it refuses and says how to run it on purpose
    with pytest.raises(CommandError, match="DEBUG=1 or with --demo"):
        call_command("seed_demo")
    # And it created nothing: no demo accounts with the published password
    assert not User.objects.exists()
    assert not Ticket.objects.exists()


def test_seed_demo_runs_with_debug_on_without_the_flag(db, settings):
    # Given a development start (DEBUG on)
    settings.DEBUG = True
    # When seed_demo runs without --demo, then it loads the demo
    call_command("seed_demo")
    assert User.objects.filter(username="admin", is_superuser=True).exists()


@pytest.mark.production_password_hashers
def test_seed_demo_is_idempotent(db):
    # When the demo seed runs twice
    call_command("seed_demo", "--demo")

    def counts() -> tuple[int, ...]:
        return tuple(
            model.objects.count()
            for model in (User, Ticket, Category, TicketEvent, Message, Attachment, Rating)
        )

    first = counts()
    call_command("seed_demo", "--demo")
    # Then the second run adds nothing
    assert counts() == first
    # And every reporter role has a demo account, plus the two different ppk1
    roles = set(User.objects.exclude(source="").values_list("role", flat=True))
    assert roles == {"ppk", "pokja", "pp", "pelaku_usaha", "kuppbj", "pa_kpa", "admin_ppe"}
    assert User.objects.filter(source_user_id="ppk1").count() == 2
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.password.startswith("argon2")


def test_the_demo_has_tickets_in_every_status_and_position(db):
    # When the demo seed runs
    call_command("seed_demo", "--demo")
    tickets = Ticket.objects.select_related("holder", "lpse", "application")
    # Then every status has at least one ticket
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    # And tickets wait at tier 1 in every time zone, for the agents of those LPSEs
    new = tickets.filter(status=Status.NEW)
    assert {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"} <= {t.lpse.timezone for t in new}
    assert {71, 93} <= {t.lpse.kd_lpse for t in new}
    # And at tier 2 (untaken: SPSE for lkpp1, Katalog for lkpp2) and at tier 3 (teknis1)
    tier2 = tickets.filter(tier=2, holder__isnull=True, status=Status.IN_PROGRESS)
    assert {t.application.code for t in tier2} >= {"SPSE", "KATALOG"}
    assert tickets.filter(tier=3, holder__username="teknis1").exists()
    # And the reporters have something to act on at once
    assert tickets.filter(
        status=Status.AWAITING_FEEDBACK,
        reporter__source_user_id="penyedia1",
        holder__username="agen1",
    ).exists()
    assert tickets.filter(
        status=Status.AWAITING_CONFIRMATION,
        reporter__source_user_id="ppk1",
        reporter__source_lpse=119,
        resolved_by__username="agen1",
    ).exists()
    assert tickets.filter(status=Status.IN_PROGRESS, tier=1, holder__username="agen1").exists()
    # And every way of closing is there: rated, force-closed, merged, auto-closed
    assert Rating.objects.filter(ticket__close_reason=CloseReason.CONFIRMED).exists()
    for reason in CloseReason.values:
        assert tickets.filter(close_reason=reason).exists(), reason
    merged = tickets.get(close_reason=CloseReason.MERGED)
    assert merged.merged_into is not None and merged.merged_into.reporter == merged.reporter
    auto = tickets.get(close_reason=CloseReason.AUTO_CLOSED)
    assert auto.events.get(kind="auto_closed").actor is None
    assert not Rating.objects.filter(ticket__in=[merged, auto]).exists()
    assert tickets.filter(reopen_count=1, status=Status.IN_PROGRESS).exists()
    # And the history happened in the past, in order, with attachments
    for ticket in tickets:
        times = list(ticket.events.values_list("created_at", flat=True))
        assert times == sorted(times)
    assert Attachment.objects.filter(content_type="image/png").exists()
    assert Attachment.objects.filter(message__isnull=False).exists()


def test_reference_data_covers_the_three_time_zones_and_every_application(db):
    call_command("seed_demo", "--demo")
    assert set(Lpse.objects.values_list("timezone", flat=True)) == {
        "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura",
    }  # fmt: skip
    for application in Application.objects.all():
        leaves = application.categories.filter(is_leaf=True)
        assert leaves.filter(name="Pertanyaan / Konsultasi").exists(), application.code
        assert application.versions.exists(), application.code
