"""Labels of model fields with choices, translated one at a time.

Django's `get_FOO_display()` builds a dict of every choice on each call, hashing each
lazy label, and a lazy label is hashed by translating it: a list of 25 tickets, or a
history of 40 events among 30 kinds, asked `gettext` thousands of times a page. The models
that pages list take `ChoiceLabels` first among their bases; Django's per-field
`get_FOO_display` methods then call this `_get_FIELD_display`, which keeps each field's
values and (lazy) labels once and translates only the label asked for.
"""

from typing import Any

from django.db.models import Field
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS_ATTRIBUTE = "_choice_labels_by_value"


class ChoiceLabels:
    def _get_FIELD_display(self, field: Field[Any, Any]) -> str:
        labels = field.__dict__.get(_LABELS_ATTRIBUTE)
        if labels is None:
            # The choices of a field do not change while the process runs (two threads
            # may both build the same dict once).
            labels = {make_hashable(value): label for value, label in field.flatchoices}
            field.__dict__[_LABELS_ATTRIBUTE] = labels
        value = getattr(self, field.attname)
        # As Django: a value that is not one of the choices is shown as it is.
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
