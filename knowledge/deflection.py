"""What Buat Tiket's suggestions led to (issue 18): shown, opened, filed anyway.

Each Buat Tiket form carries its submission key (a random hex, `TicketCreateForm`). The
suggested articles link to the article with ``?saran=<key>``; opening one from there
records an `ArticleOpening` of that reporter, article and key. When the reporter files
the form after all, the ticket keeps what the suggestions showed last
(`SuggestionsShown`, from hidden inputs of the suggestions) and the openings of its key
are linked to it. An opening left without a ticket is a deflection: the reporter read
the answer instead of filing.

So that forms never filed count too, the first answer of the suggestions that shows a
form anything records it (`SuggestedForm`, once per reporter and key): one insert at
most per form, and an indexed read on a later answer until the process's cache knows
the row exists. The insert ignores a conflict, so
two answers racing for the same form never fail and never make two rows.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from accounts.models import User
from knowledge.models import (
    Article,
    ArticleOpening,
    ArticleStatus,
    SuggestedForm,
    SuggestionsShown,
)
from reference.book import ReferenceBook
from reference.models import Application, Category
from tickets.models import Ticket

# What a form's submission key looks like (TicketCreateForm makes uuid4 hex keys; the
# API's Idempotency-Key is never used here).
SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")
# How long a process remembers that a form's row exists (a form is typed in minutes).
FORM_RECORDED_SECONDS = 6 * 3600
# More ids than the suggestions ever show are not read.
MAX_IDS = 10


def submission_key_of(raw: str) -> str:
    """The key if `raw` is one a Buat Tiket form made, else ''."""
    return raw if SUBMISSION_KEY.fullmatch(raw) else ""


def _ids(raw: Iterable[str]) -> list[int]:
    found: list[int] = []
    for value in raw:
        if value.isdigit() and len(value) <= 9 and int(value) not in found:
            found.append(int(value))
        if len(found) == MAX_IDS:
            break
    return found


def article_opening_record(
    *, user: User | AnonymousUser, article: Article, submission_key: str
) -> None:
    """A reporter opened a suggested article from the Buat Tiket form `submission_key`
    (once per reporter, form and article; anybody else, or a draft, records nothing)."""
    key = submission_key_of(submission_key)
    if (
        not key
        or not isinstance(user, User)
        or not user.is_reporter
        or article.status != ArticleStatus.PUBLISHED
    ):
        return
    try:
        with transaction.atomic():
            ArticleOpening.objects.get_or_create(user=user, article=article, submission_key=key)
    except IntegrityError:
        pass  # the same opening, recorded by a second tab at the same moment


def suggestions_record(
    *, ticket: Ticket, article_ids: Iterable[str], category_ids: Iterable[str]
) -> SuggestionsShown | None:
    """The filed ticket keeps the suggestions its form showed last (None: it showed
    none), and the articles its reporter opened from that form are marked as followed by
    this ticket. Ids the suggestions could not have shown (drafts, another application's
    categories, garbage) are dropped."""
    articles = list(
        Article.objects.filter(pk__in=_ids(article_ids), status=ArticleStatus.PUBLISHED)
    )
    categories = list(
        Category.objects.filter(
            pk__in=_ids(category_ids), application_id=ticket.application_id, is_leaf=True
        )
    )
    shown: SuggestionsShown | None = None
    with transaction.atomic():
        if articles or categories:
            shown, _created = SuggestionsShown.objects.get_or_create(ticket=ticket)
            shown.articles.set(articles)
            shown.categories.set(categories)
        key = submission_key_of(ticket.submission_key)
        if key:
            ArticleOpening.objects.filter(
                user_id=ticket.reporter_id, submission_key=key, ticket__isnull=True
            ).update(ticket=ticket)
    return shown


def _chosen_category(raw: str, application: Application | None) -> Category | None:
    """The leaf category of `application` that the form names, or None (garbage too)."""
    if application is None or not raw.isdigit() or len(raw) > 9:
        return None
    category = ReferenceBook.current().categories.get(int(raw))
    ok = category is not None and category.is_leaf and category.application_id == application.pk
    return category if ok else None


def suggested_form_record(
    *,
    reporter: User,
    submission_key: str,
    application: Application | None,
    chosen_category: str,
    suggested_categories: Sequence[Category],
    now: datetime.datetime | None = None,
) -> None:
    """The suggestions showed the reporter's Buat Tiket form something: record the form
    once (the first time), with the category chosen or else the top suggested one.
    Anybody but a reporter, or a key no form makes, records nothing."""
    key = submission_key_of(submission_key)
    if not key or not reporter.is_active or not reporter.is_reporter:
        return
    # A form is asked for several times while its reporter types: once its row is known
    # to exist, the cache says so (a row is never taken back while its form is open).
    recorded = f"knowledge:suggested-form:{reporter.pk}:{key}"
    if cache.get(recorded):
        return
    if SuggestedForm.objects.filter(user=reporter, submission_key=key).exists():
        cache.set(recorded, True, FORM_RECORDED_SECONDS)
        return
    category = _chosen_category(chosen_category, application) or next(
        iter(suggested_categories), None
    )
    lpse = ReferenceBook.current().lpses.get(reporter.lpse_id) if reporter.lpse_id else None
    zone = lpse.timezone if lpse is not None else None
    moment = now or timezone.now()
    local = moment.astimezone(ZoneInfo(zone) if zone else timezone.get_default_timezone())
    # A statistic, written while the reporter types: on PostgreSQL its commit does not
    # wait for the disk (a crash of the database may lose the forms of its last moment
    # from the deflection report, never anything a person filed or was sent).
    database = router.db_for_write(SuggestedForm)
    with transaction.atomic(using=database):
        if connections[database].vendor == "postgresql":
            with connections[database].cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        SuggestedForm.objects.using(database).bulk_create(
            [
                SuggestedForm(
                    user=reporter,
                    submission_key=key,
                    lpse_id=reporter.lpse_id,
                    reporter_role=reporter.role,
                    application=application,
                    category=category,
                    first_shown_at=moment,
                    shown_on=local.date(),
                )
            ],
            ignore_conflicts=True,
        )
    # Only after the insert: cached inside a transaction that rolls back, the mark would
    # outlive the row (the view runs in autocommit; a test's transaction may not).
    transaction.on_commit(lambda: cache.set(recorded, True, FORM_RECORDED_SECONDS))
