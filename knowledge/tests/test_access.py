"""Who reads and who edits the knowledge base (tickets/access.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from pytest_django.fixtures import Settings

from accounts.models import StaffAssignment, StaffRole, User
from knowledge.models import Article, ArticleStatus
from reference.models import Lpse
from tickets.access import (
    ARTICLE_PUBLISHED,
    articles_readable_q,
    is_staff_member,
    may_edit_articles,
    may_read_articles,
    tickets_visible_to,
)

NOT_EDITORS = [
    "alice",
    "agent",
    "lkpp_spse",
    "teknis_spse",
    "supervisor",
    "supervisor_119",
    "admin_user",
    "agent_deactivated",
    "editor_deactivated",
]


def test_the_published_status_is_the_same_in_both_places():
    assert ArticleStatus.PUBLISHED == ARTICLE_PUBLISHED


@pytest.mark.django_db
def test_an_editor_edits_and_reads_every_status(
    editor: User, published: Article, draft: Article, archived: Article
):
    assert may_edit_articles(editor) and may_read_articles(editor)
    readable = set(Article.objects.filter(articles_readable_q(editor)))
    assert readable == {published, draft, archived}


@pytest.mark.django_db
def test_an_editor_assignment_gives_no_ticket_and_no_console(editor: User):
    assert not is_staff_member(editor)
    assert not tickets_visible_to(editor).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_nobody_else_edits_or_sees_drafts(
    request: pytest.FixtureRequest, persona: str, published: Article, draft: Article
):
    user = request.getfixturevalue(persona)
    assert not may_edit_articles(user)
    readable = list(Article.objects.filter(articles_readable_q(user)))
    assert readable == ([published] if user.is_active else [])
    assert may_read_articles(user) == user.is_active


@pytest.mark.django_db
def test_anonymous_reads_only_when_public(settings: Settings, published: Article, draft: Article):
    anonymous = AnonymousUser()
    settings.KNOWLEDGE_PUBLIC = False
    assert not may_read_articles(anonymous)
    assert not Article.objects.filter(articles_readable_q(anonymous)).exists()
    settings.KNOWLEDGE_PUBLIC = True
    assert may_read_articles(anonymous) and not may_edit_articles(anonymous)
    assert list(Article.objects.filter(articles_readable_q(anonymous))) == [published]


@pytest.mark.django_db
def test_an_editor_assignment_is_national(editor: User, lpse_119: Lpse):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffAssignment.objects.create(user=editor, role=StaffRole.EDITOR, lpse=lpse_119)


@pytest.mark.django_db
def test_removing_the_assignment_ends_editing_at_once(editor: User, draft: Article):
    editor.assignments.all().delete()
    fresh = User.objects.get(pk=editor.pk)  # the next request reads the assignments anew
    assert not may_edit_articles(fresh)
    assert not Article.objects.filter(articles_readable_q(fresh), pk=draft.pk).exists()
