"""Canned responses that link Pusat Bantuan articles (issue 18).

A canned response (`reference.CannedResponse`, *Jawaban siap pakai*) may name articles
(`CannedResponseArticle`, edited in the admin with the canned response, or by an editor
on the article's page). When an agent
chooses it for a reply, the text that goes into the reply box is the canned body and,
after it, each linked article that is published now, as the *Jawaban yang mungkin* panel
inserts one: its title and its absolute address (`SITE_URL`, as the mails use). A draft
or archived article is never inserted.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from knowledge.models import Article, ArticleStatus, CannedResponseArticle
from lib.errors import NotFound
from reference.models import CannedResponse
from tickets.access import may_edit_articles


def article_site_url(article: Article) -> str:
    """The article's address for a reply or a mail: `SITE_URL` and its path."""
    return settings.SITE_URL.rstrip("/") + article.get_absolute_url()


def article_link_text(article: Article) -> str:
    """An article as a reply names it: "<title>: <address>"."""
    return f"{article.title}: {article_site_url(article)}"


@dataclass(frozen=True)
class CannedReply:
    """A canned response as the reply form offers it, with its published articles."""

    canned: CannedResponse
    articles: list[Article] = field(default_factory=list)

    @property
    def text(self) -> str:
        """What choosing it puts into the reply box."""
        if not self.articles:
            return self.canned.body
        links = "\n".join(f"- {article_link_text(article)}" for article in self.articles)
        return "{}\n\n{}\n{}".format(
            self.canned.body.rstrip(), _("Baca juga di Pusat Bantuan:"), links
        )


def canned_replies(canned: Iterable[CannedResponse]) -> list[CannedReply]:
    """The canned responses with their linked published articles, in the links' order
    (one query for all the links, whatever the number of responses)."""
    responses = list(canned)
    linked: dict[int, list[Article]] = defaultdict(list)
    if responses:
        links = (
            CannedResponseArticle.objects.filter(
                canned_response_id__in=[response.pk for response in responses],
                article__status=ArticleStatus.PUBLISHED,
            )
            .select_related("article")
            .only("canned_response_id", "article__title", "article__slug")
            .order_by("canned_response_id", "order", "id")
        )
        for link in links:
            linked[link.canned_response_id].append(link.article)
    return [CannedReply(response, linked[response.pk]) for response in responses]


def canned_linked_to(article: Article) -> set[int]:
    """The ids of the canned responses that bring this article along (one query)."""
    return set(
        CannedResponseArticle.objects.filter(article=article).values_list(
            "canned_response_id", flat=True
        )
    )


@transaction.atomic
def article_canned_links_set(
    *, editor: User, article: Article, canned: Iterable[CannedResponse]
) -> None:
    """From the article's editor page: exactly these active canned responses bring the
    article along (links of inactive ones, not offered there, stay). A new link comes
    after the canned response's other articles. NotFound for anybody but editors."""
    if not may_edit_articles(editor):
        raise NotFound
    if not Article.objects.select_for_update().filter(pk=article.pk).exists():
        raise NotFound
    wanted = {response.pk for response in canned}
    CannedResponseArticle.objects.filter(article=article, canned_response__is_active=True).exclude(
        canned_response_id__in=wanted
    ).delete()
    present = canned_linked_to(article)
    last = dict(
        CannedResponseArticle.objects.filter(canned_response_id__in=wanted - present)
        .values("canned_response_id")
        .annotate(last=Max("order"))
        .values_list("canned_response_id", "last")
    )
    CannedResponseArticle.objects.bulk_create(
        CannedResponseArticle(
            canned_response_id=canned_id, article=article, order=(last.get(canned_id) or 0) + 1
        )
        for canned_id in sorted(wanted - present)
    )
