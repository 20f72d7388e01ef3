"""Articles for the tests, written through the service as an editor would."""

from django.utils.text import slugify

from accounts.models import User
from knowledge import services
from knowledge.models import Article
from reference.models import Application, Category


def write_article(
    editor: User,
    title: str,
    *,
    slug: str = "",
    body: str = "Isi artikel.",
    summary: str = "",
    applications: tuple[Application, ...] = (),
    categories: tuple[Category, ...] = (),
    publish: bool = True,
) -> Article:
    return services.article_save(
        editor=editor,
        article=None,
        title=title,
        slug=slug or slugify(title),
        summary=summary,
        body=body,
        applications=applications,
        categories=categories,
        last_reviewed_on=None,
        publish=publish,
    )
