"""The labels of fields with choices (`reference.choices.ChoiceLabels`): Django's own
text, translated one label at a time."""

import pytest
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from accounts.models import User
from knowledge.models import Article
from reference.choices import ChoiceLabels
from tickets.models import Message, Ticket, TicketEvent

MODELS = [Ticket, Message, TicketEvent, User, Article]


def django_display(instance, field):
    """What Django's own `_get_FIELD_display` answers (it hashes every choice)."""
    choices = dict(make_hashable(field.flatchoices))
    value = getattr(instance, field.attname)
    return force_str(choices.get(make_hashable(value), value), strings_only=True)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_label_is_the_one_django_gives(model):
    assert issubclass(model, ChoiceLabels)
    fields = [f for f in model._meta.get_fields() if getattr(f, "choices", None)]
    assert fields
    for field in fields:
        for value, _label in field.flatchoices:
            instance = model(**{field.attname: value})
            shown = getattr(instance, f"get_{field.name}_display")()
            assert shown == django_display(instance, field)
            assert isinstance(shown, str) and shown
        # A value that is not a choice is shown as it is, as Django does
        stray = model(**{field.attname: "bukan-pilihan"})
        assert getattr(stray, f"get_{field.name}_display")() == "bukan-pilihan"
