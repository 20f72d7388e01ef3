"""Who may read the reports, and which tickets they count (issue 17, DESIGN §1).

Reports are for supervisors, each within the supervisor part of their scope: national,
one LPSE, or the applications of one group. Tier agents read tickets but not reports;
admins only through a supervisor assignment they also hold. A supervisor assignment
that is not in force (deactivated LPSE, empty group, deactivated account) grants none.
"""

import pytest

from accounts.models import StaffAssignment, StaffRole
from accounts.services import staff_member_upsert
from reference.models import Application, Lpse
from tickets.access import (
    may_read_reports,
    may_read_staff_report,
    report_applications,
    report_lpses,
    report_scope_q,
)
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

NOT_READERS = [
    "alice",
    "agent",
    "agent_other",
    "lkpp_spse",
    "teknis_spse",
    "admin_user",
    "agent_deactivated",
    "agent_removed",
    "supervisor_empty_group",
    "supervisor_deactivated_lpse",
    "supervisor_deactivated_account",
]


def _supervisor(username, kd_lpse):
    return staff_member_upsert(
        username=username,
        full_name=username.title(),
        email=f"{username}@lkpp.example",
        assignments=[("supervisor", kd_lpse, None, "")],
    )


@pytest.fixture
def supervisor_deactivated_lpse(reference):
    user = _supervisor("supervisor_12", 12)
    Lpse.objects.filter(kd_lpse=12).update(is_active=False)
    return user


@pytest.fixture
def supervisor_deactivated_account(reference):
    user = _supervisor("supervisor_off", None)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@pytest.fixture
def tickets(alice, carol):
    """SPSE at LPSE 119, e-Katalog at LPSE 119, SPSE at LPSE 10."""
    katalog = Application.objects.get(code="KATALOG")
    return {
        "spse_119": make_ticket(alice),
        "katalog_119": make_ticket(
            alice,
            application=katalog,
            version=katalog.versions.first(),
            category=katalog.categories.filter(is_leaf=True).first(),
            code="",
        ),
        "spse_10": make_ticket(carol),
    }


def _keys(user, tickets):
    ids = set(Ticket.objects.filter(report_scope_q(user)).values_list("pk", flat=True))
    return {key for key, ticket in tickets.items() if ticket.pk in ids}


@pytest.mark.parametrize("persona", NOT_READERS)
def test_only_supervisors_with_a_scope_in_force_read_reports(request, tickets, persona):
    # Given someone who is not a supervisor in force
    user = request.getfixturevalue(persona)
    # Then no report opens for them, and a report would count nothing
    assert not may_read_reports(user)
    assert not may_read_staff_report(user)
    assert _keys(user, tickets) == set()
    assert not report_lpses(user).exists()
    assert not report_applications(user).exists()


def test_a_national_supervisor_counts_every_ticket(supervisor, tickets):
    assert may_read_reports(supervisor) and may_read_staff_report(supervisor)
    assert _keys(supervisor, tickets) == set(tickets)
    assert report_lpses(supervisor).count() == Lpse.objects.count()
    assert report_applications(supervisor).count() == Application.objects.count()


def test_an_lpse_supervisor_counts_their_lpse_and_filters_only_by_it(supervisor_119, tickets):
    assert may_read_reports(supervisor_119)
    assert _keys(supervisor_119, tickets) == {"spse_119", "katalog_119"}
    assert list(report_lpses(supervisor_119).values_list("kd_lpse", flat=True)) == [119]
    # any application may be filed at their LPSE
    assert report_applications(supervisor_119).count() == Application.objects.count()


def test_a_group_supervisor_counts_their_applications_at_every_lpse(supervisor_spse_group, tickets):
    assert _keys(supervisor_spse_group, tickets) == {"spse_119", "spse_10"}
    codes = set(report_applications(supervisor_spse_group).values_list("code", flat=True))
    assert codes == {"SPSE", "SIKAP", "EPROC", "INAPROC"}
    assert report_lpses(supervisor_spse_group).count() == Lpse.objects.count()


def test_an_admin_reads_reports_only_through_a_supervisor_assignment(admin_user, tickets):
    # Given an admin, who sees no ticket by being an admin
    assert not may_read_reports(admin_user)
    # When they also hold a supervisor assignment for LPSE 10
    StaffAssignment.objects.create(
        user=admin_user, role=StaffRole.SUPERVISOR, lpse=Lpse.objects.get(kd_lpse=10)
    )
    if hasattr(admin_user, "_staff_scope"):
        del admin_user._staff_scope
    # Then they read that scope's reports, and only that scope
    assert may_read_reports(admin_user)
    assert _keys(admin_user, tickets) == {"spse_10"}


def test_an_agent_who_also_supervises_counts_only_the_supervised_part(agent, tickets):
    # Given a tier-1 agent of LPSE 119 who also supervises SPSE's group
    StaffAssignment.objects.create(
        user=agent,
        role=StaffRole.SUPERVISOR,
        application_group=Application.objects.get(code="SPSE").groups.get(),
    )
    if hasattr(agent, "_staff_scope"):
        del agent._staff_scope
    # Then the reports count SPSE everywhere, not their agent LPSE's e-Katalog ticket
    assert _keys(agent, tickets) == {"spse_119", "spse_10"}


def test_the_scope_reaches_ticket_columns_through_a_prefix(supervisor_119, tickets):
    # A query over another model that reaches the ticket through `ticket__`
    q = report_scope_q(supervisor_119, prefix="ticket__")
    assert "ticket__lpse_id__in" in str(q)
    nobody = report_scope_q(Ticket.objects.get(pk=tickets["spse_10"].pk).reporter, "ticket__")
    assert "ticket__pk__in" in str(nobody)
