"""The status and priority labels a ticket shows: Django's own, translated one at a time."""

import pytest

from reference.models import Priority
from tickets.models import Status, Ticket


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("status", [*Status.values, "not-a-status"]),
        ("priority", [*Priority.values, "not-a-priority"]),
    ],
)
def test_the_labels_are_the_ones_django_gives(field, values):
    django_field = Ticket._meta.get_field(field)
    for value in values:
        ticket = Ticket(**{field: value})
        ours = ticket.get_status_display() if field == "status" else ticket.get_priority_display()
        # Django's own method, which hashes every choice on each call
        assert ours == ticket._get_FIELD_display(django_field)
        assert isinstance(ours, str)
