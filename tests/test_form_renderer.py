"""The `<select>` and `<input>` drawn in Python are exactly Django's own
(lpse_support/forms.py)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from lpse_support.forms import FormRenderer
from tickets.console_forms import ConsoleFilterForm
from tickets.forms import TicketCreateForm, TicketSearchForm


class Odd(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A & <b>"), ("b", 'Quote "x"')])
    grouped = forms.ChoiceField(
        choices=[("Satu", [("1", "Satu-1"), ("2", "Satu-2")]), ("3", "Tiga")],
        widget=forms.Select(attrs={"data-x": "y", "disabled": True, "hidden": False}),
    )
    many = forms.MultipleChoiceField(choices=[(1, "x"), (2, "y"), (3, "z")])
    optional = forms.TypedChoiceField(
        required=False, coerce=int, choices=[("", "—"), (1, "Satu")], empty_value=None
    )
    text = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"placeholder": 'Kata "kunci" & <x>', "data-on": True}),
    )
    email = forms.EmailField(required=False)
    number = forms.IntegerField(required=False, min_value=0)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"hidden": False}))
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    search = forms.CharField(required=False, widget=forms.SearchInput)
    phone = forms.CharField(required=False, widget=forms.TelInput)
    site = forms.URLField(required=False)


def _fields(form: forms.Form) -> dict[str, str]:
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize(
    "make",
    [
        lambda: Odd(),
        lambda: Odd({"plain": "b", "grouped": "2", "many": ["1", "3"], "optional": "1"}),
        lambda: Odd({"plain": "zzz"}),  # invalid: aria-invalid on the select
        lambda: Odd(
            {
                "text": "<b>\"kutip\"</b> & 'satu'",
                "email": "bukan-email",  # invalid: aria-invalid on the box
                "number": "-3",
                "hidden": "x<y",
                "when": "2026-12-07",
                "secret": "rahasia&",
                "search": "cari",
                "phone": "0812",
                "site": "https://lpse.example/?a=1&b=2",
            }
        ),
        lambda: ConsoleFilterForm({"cari": '"upload" <gagal>', "kode": "1234", "dari": "x"}),
        lambda: ConsoleFilterForm(),
        lambda: ConsoleFilterForm({"status": "terbuka", "prioritas": "major", "tier": "2"}),
        lambda: TicketSearchForm({"status": "belum"}),
    ],
)
@pytest.mark.django_db
def test_selects_are_drawn_exactly_as_django_draws_them(make, reference):
    django_form, ours = make(), make()
    django_form.renderer = DjangoTemplates()
    ours.renderer = FormRenderer()
    for form in (django_form, ours):
        form.is_bound and form.is_valid()
    assert _fields(ours) == _fields(django_form)
    assert any("<select" in html or "<input" in html for html in _fields(ours).values())


@pytest.mark.django_db
def test_the_create_form_renders_the_same(reference, alice):
    django_form = TicketCreateForm(reporter=alice)
    ours = TicketCreateForm(reporter=alice)
    django_form.renderer = DjangoTemplates()
    ours.renderer = FormRenderer()
    theirs, mine = _fields(django_form), _fields(ours)
    del theirs["submission_key"], mine["submission_key"]  # a fresh random key each
    assert mine == theirs
