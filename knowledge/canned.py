"""Canned responses that link Pusat Bantuan articles (issue 18).

A canned response (`reference.CannedResponse`, *Jawaban siap pakai*) may name articles
(`CannedResponseArticle`, edited in the admin with the canned response). When an agent
chooses it for a reply, the text that goes into the reply box is the canned body and,
after it, each linked article that is published now, as the *Jawaban yang mungkin* panel
inserts one: its title and its absolute address (`SITE_URL`, as the mails use). A draft
or archived article is never inserted.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from knowledge.models import Article, ArticleStatus, CannedResponseArticle
from reference.models import CannedResponse


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
