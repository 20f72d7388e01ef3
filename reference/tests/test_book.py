"""The reference book (issue 19): Buat Tiket checks its choices without queries, and a
change of any reference row reaches the next ticket."""

import pytest
from django.core.cache import cache

from reference.book import VERSION_KEY, ReferenceBook
from reference.models import Application, Category, Lpse, PriorityRule
from tickets.forms import TicketCreateForm


def form_data(alice, **change):
    spse = Application.objects.get(code="SPSE")
    category = Category.objects.filter(application=spse, is_leaf=True, code_kind="none")[0]
    data = {
        "notification_email": "alice@example.go.id",
        "title": "Tidak bisa unggah dokumen",
        "lpse": alice.lpse_id,
        "application": spse.pk,
        "version": spse.versions.filter(is_active=True)[0].pk,
        "ticket_type": 1,
        "category": category.pk,
        "description": "Unggah dokumen penawaran gagal terus.",
    }
    return {**data, **change}


def test_a_kept_book_answers_without_queries(alice, kept, django_assert_num_queries):
    # Given the book read once
    first = ReferenceBook.current()
    assert first.active_lpse(alice.lpse_id) is not None
    # Then the next use reads nothing
    with django_assert_num_queries(0):
        again = ReferenceBook.current()
        assert again is first
        assert again.active_lpse(alice.lpse_id) == alice.lpse


def test_a_table_is_read_only_when_needed(reference, django_assert_num_queries):
    book = ReferenceBook()
    with django_assert_num_queries(1):
        assert book.lpses
    # Categories come with their application and parent, in two queries in all
    with django_assert_num_queries(2):
        leaf = next(c for c in book.categories.values() if c.parent_id)
    with django_assert_num_queries(0):
        assert leaf.parent is not None and leaf.parent.pk == leaf.parent_id
        assert leaf.application.pk == leaf.application_id


def test_a_saved_change_reaches_the_next_form_at_once(
    alice, kept, django_capture_on_commit_callbacks
):
    # Given a form that passes with the book kept
    assert TicketCreateForm(form_data(alice), reporter=alice).is_valid()
    before = cache.get(VERSION_KEY)
    # When an admin deactivates the reporter's LPSE (saved through the model)
    lpse = Lpse.objects.get(pk=alice.lpse_id)
    lpse.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        lpse.save()
    # Then the next form refuses it, and every process is told by a new version
    form = TicketCreateForm(form_data(alice), reporter=alice)
    assert not form.is_valid() and "lpse" in form.errors
    assert cache.get(VERSION_KEY) != before


def test_another_process_reads_afresh_once_the_version_changed(alice, kept):
    # Given a book another process keeps, with the version it read
    held = ReferenceBook.current()
    assert held.priority_rules
    # When a rule is changed elsewhere (the version moves; this process was not told)
    PriorityRule.objects.filter(is_active=True).update(is_active=False)
    assert ReferenceBook.current() is held
    cache.set(VERSION_KEY, "another", None)
    # Then its next use reads the rows again
    fresh = ReferenceBook.current()
    assert fresh is not held and fresh.priority_rules == ()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lpse", "0"),
        ("lpse", "12abc"),
        ("lpse", str(10**20)),
        ("application", "-1"),
        ("ticket_type", "999999"),
        ("version", " "),
    ],
)
def test_bad_ids_are_refused_with_the_field_s_message(alice, field, value):
    form = TicketCreateForm(form_data(alice, **{field: value}), reporter=alice)
    assert not form.is_valid()
    assert field in form.errors


def test_choices_of_another_application_or_inactive_are_refused(alice):
    spse = Application.objects.get(code="SPSE")
    other = Category.objects.filter(is_leaf=True).exclude(application=spse)[0]
    inactive = Category.objects.filter(application=spse, is_leaf=True).order_by("-pk")[0]
    inactive.is_active = False
    inactive.save()
    parent = Category.objects.filter(application=spse, is_leaf=False)[0]
    other_version = other.application.versions.all()[0]
    for field, value in [
        ("category", other.pk),
        ("category", inactive.pk),
        ("category", parent.pk),
        ("version", other_version.pk),
    ]:
        form = TicketCreateForm(form_data(alice, **{field: value}), reporter=alice)
        assert not form.is_valid() and field in form.errors, (field, value)
