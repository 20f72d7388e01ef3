"""Personas and articles of the knowledge-base tests."""

import pytest

from accounts.models import User
from accounts.services import staff_member_upsert
from knowledge import services
from knowledge.models import Article
from knowledge.tests.factories import write_article
from reference.models import Application, Category


def _staff(username: str, *assignments: tuple[str, int | None, str | None]) -> User:
    return staff_member_upsert(
        username=username,
        full_name=username.replace("_", " ").title(),
        email=f"{username}@lkpp.example",
        assignments=[(role, kd, group, "") for role, kd, group in assignments],
        password="demo1234",
    )


@pytest.fixture
def editor(reference: None) -> User:
    """Writes the knowledge base (a national editor assignment) and nothing else."""
    return _staff("editor_kb", ("editor", None, None))


@pytest.fixture
def editor_deactivated(reference: None) -> User:
    user = _staff("editor_kb_off", ("editor", None, None))
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@pytest.fixture
def published(editor: User, spse: Application, upload_category: Category) -> Article:
    return write_article(
        editor,
        "Gagal upload dokumen penawaran",
        summary="Periksa jenis dan ukuran file sebelum mengunggah.",
        body="## Langkah\n\n1. Periksa ukuran file.\n2. Unggah ulang.",
        applications=(spse,),
        categories=(upload_category,),
    )


@pytest.fixture
def draft(editor: User, spse: Application) -> Article:
    return write_article(editor, "Draf rahasia", applications=(spse,), publish=False)


@pytest.fixture
def archived(editor: User, spse: Application) -> Article:
    article = write_article(editor, "Artikel lama", applications=(spse,))
    return services.article_set_status(editor=editor, article=article, status="archived")
