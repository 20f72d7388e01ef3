"""Pusat Bantuan for readers: the list with search, an article, its vote.

Who reads is decided in `tickets/access.py`: anybody signed in, everybody when
KNOWLEDGE_PUBLIC is on. A draft or archived article is a 404 exactly like an unknown
slug for everybody but editors.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from knowledge import selectors, services
from knowledge.deflection import article_opening_record
from knowledge.forms import ArticleSearchForm
from knowledge.images import article_image_urls, get_image_for_user, image_open
from knowledge.markdown import render_markdown
from knowledge.models import Article
from knowledge.search import article_search
from tickets.access import may_edit_articles, may_read_articles

PAGE_SIZE = 20
VOTE_VALUES = {"ya": True, "tidak": False}


def _reader(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_GET
def article_list(request: HttpRequest) -> HttpResponseBase:
    user = _reader(request)
    if not may_read_articles(user):
        return redirect_to_login(request.get_full_path())
    form = ArticleSearchForm(request.GET)
    form.is_valid()
    for errors in form.errors.values():
        for error in errors:
            messages.warning(request, str(error))
    application = form.value("aplikasi")
    category = form.value("kategori")
    text = (form.value("q") or "").strip()
    readable = selectors.published_articles(user)
    articles = selectors.filter_articles(readable, application=application, category=category)
    articles = article_search(articles, text) if text else articles.order_by("title", "id")
    page = Paginator(selectors.with_labels(articles), PAGE_SIZE).get_page(request.GET.get("page"))
    params = {
        key: value
        for key, value in (
            ("q", text),
            ("aplikasi", application.code if application else ""),
            ("kategori", str(category.pk) if category else ""),
        )
        if value
    }
    return render(
        request,
        "knowledge/list.html",
        {
            "nav": "knowledge",
            "form": form,
            "page": page,
            "searching": bool(text),
            "filtered": bool(params),
            "filter_query": urlencode(params),
            "application": application,
            "category": category,
            "applications": selectors.application_counts(readable),
            "categories": (selectors.category_counts(readable, application) if application else []),
            "may_edit": may_edit_articles(user),
        },
    )


def _article_context(request: HttpRequest, user: User, slug: str) -> dict[str, object]:
    article = selectors.get_article_for_user(user, slug)
    return {
        "nav": "knowledge",
        "article": article,
        "body_html": render_markdown(article.body, image_urls=article_image_urls(article)),
        "vote": selectors.vote_of(user, article),
        "may_edit": may_edit_articles(user),
    }


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponseBase:
    user = _reader(request)
    if not may_read_articles(user):
        return redirect_to_login(request.get_full_path())
    context = _article_context(request, user, slug)
    article = context["article"]
    if "saran" in request.GET and isinstance(article, Article):
        # Opened from Buat Tiket's suggestions (issue 18): counts for that form.
        article_opening_record(user=user, article=article, submission_key=request.GET["saran"])
    return render(request, "knowledge/article.html", context)


@require_POST
def article_vote(request: HttpRequest, slug: str) -> HttpResponseBase:
    """One answer per person; a second answer replaces the first."""
    user = _reader(request)
    if not user.is_authenticated or not user.is_active:
        return redirect_to_login(request.get_full_path())
    article = selectors.get_article_for_user(user, slug)
    helpful = VOTE_VALUES.get(request.POST.get("membantu", ""))
    if helpful is None:
        message, ok = _("Pilih «Ya» atau «Tidak»."), False
    else:
        services.article_vote(user=user, article=article, helpful=helpful)
        message, ok = _("Terima kasih atas penilaian Anda."), True
    if request.htmx:  # type: ignore[attr-defined]
        # The vote block replaces itself, its message inside (htmx swaps 200s only).
        context = _article_context(request, user, slug) | {"vote_message": message, "vote_ok": ok}
        return render(request, "knowledge/_vote.html", context)
    (messages.success if ok else messages.error)(request, message)
    return redirect(article.get_absolute_url() + "#membantu")


@require_GET
def article_image(request: HttpRequest, image_id: int) -> HttpResponseBase:
    """An article's image, for whoever may read the article (editors also a draft's);
    anybody else gets the 404 of an unknown image. Shown inline, never sniffed."""
    user = _reader(request)
    if not may_read_articles(user):
        return redirect_to_login(request.get_full_path())
    image = get_image_for_user(user, image_id)
    response = FileResponse(
        image_open(image),
        content_type=image.content_type,
        as_attachment=False,
        filename=image.file.name.rsplit("/", 1)[-1].split("_", 1)[-1],
    )
    response["Content-Length"] = str(image.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response
