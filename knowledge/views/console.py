"""Pusat Bantuan for editors (console): all articles, write with *Pratinjau* before
*Terbitkan*, archive, version history.

Only editors (`tickets.access.may_edit_articles`) reach these pages; anybody else signed
in gets the 404 of an unknown address, and nobody signed in goes to the staff sign-in.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from knowledge import services
from knowledge.canned import article_canned_links_set, canned_linked_to
from knowledge.forms import ArticleCannedForm, ArticleForm, ArticleImageForm, TicketArticleForm
from knowledge.images import (
    ImageError,
    article_image_add,
    article_image_delete,
    article_image_urls,
    article_images,
)
from knowledge.markdown import render_markdown
from knowledge.models import Article, ArticleStatus
from tickets.access import get_ticket_for_user, may_draft_article_from, may_edit_articles
from tickets.lifecycle import StorageUnavailable
from tickets.models import Message, MessageKind

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50
# The buttons of the article form.
PREVIEW, SAVE, PUBLISH = "pratinjau", "simpan", "terbitkan"
# What the status button may set; publishing goes through Pratinjau.
STATUS_CHANGES = {"arsipkan": ArticleStatus.ARCHIVED, "draf": ArticleStatus.DRAFT}


def editor_required(view: View) -> View:
    @login_required(login_url="accounts:staff_login")
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_edit_articles(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _editor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _article(article_id: int) -> Article:
    found = Article.objects.filter(pk=article_id).first()
    if found is None:
        raise Http404
    return found


@require_GET
@editor_required
def article_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    articles = Article.objects.order_by("title", "id")
    if status and status not in ArticleStatus.values:
        messages.warning(request, _("Status tidak dikenal; semua artikel ditampilkan."))
        status = ""
    if status:
        articles = articles.filter(status=status)
    articles = articles.select_related("author").annotate(
        helpful_votes=Count("votes", filter=Q(votes__helpful=True)),
        unhelpful_votes=Count("votes", filter=Q(votes__helpful=False)),
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/console/list.html",
        {
            "nav": "knowledge",
            "page": page,
            "status": status,
            "statuses": ArticleStatus.choices,
            "filter_query": f"status={status}" if status else "",
        },
    )


def _edit_context(
    article: Article | None,
    image_form: ArticleImageForm | None = None,
    canned_form: ArticleCannedForm | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"nav": "knowledge", "article": article}
    if article is not None:
        context["images"] = article_images(article)
        context["image_form"] = image_form or ArticleImageForm()
        context["canned_form"] = canned_form or ArticleCannedForm(
            initial={"canned": sorted(canned_linked_to(article))}
        )
    return context


def _unbound_article_form(article: Article | None) -> ArticleForm:
    initial: dict[str, Any] = {}
    if article is not None:
        initial = {
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": article.body,
            "applications": list(article.applications.all()),
            "categories": list(article.categories.all()),
            "last_reviewed_on": article.last_reviewed_on,
        }
    return ArticleForm(initial=initial, article=article)


def _edit(request: HttpRequest, article: Article | None) -> HttpResponse:
    editor = _editor(request)
    context = _edit_context(article)
    if request.method != "POST":
        context["form"] = _unbound_article_form(article)
        return render(request, "knowledge/console/edit.html", context)
    form = ArticleForm(request.POST, article=article)
    context["form"] = form
    action = request.POST.get("aksi", PREVIEW)
    if not form.is_valid():
        return render(request, "knowledge/console/edit.html", context, status=400)
    data = form.cleaned_data
    live = article is not None and article.status == ArticleStatus.PUBLISHED
    # A published article changes only after the editor saw the change in Pratinjau.
    needs_preview = action == PUBLISH or (action == SAVE and live)
    if action not in (SAVE, PUBLISH) or (needs_preview and data["previewed"] != form.digest()):
        if action in (SAVE, PUBLISH):
            messages.info(request, _("Periksa pratinjau di bawah, lalu tekan «Terbitkan»."))
        context["previewed"] = form.digest()
        context["preview_html"] = render_markdown(
            data["body"], image_urls=article_image_urls(article)
        )
        return render(request, "knowledge/console/edit.html", context)
    try:
        saved = services.article_save(
            editor=editor,
            article=article,
            title=data["title"],
            slug=data["slug"],
            summary=data["summary"],
            body=data["body"],
            applications=data["applications"],
            categories=data["categories"],
            last_reviewed_on=data["last_reviewed_on"],
            publish=action == PUBLISH,
        )
    except IntegrityError:
        # Another editor took the slug between the check and the save.
        form.add_error("slug", _("Slug ini sudah dipakai artikel lain."))
        return render(request, "knowledge/console/edit.html", context, status=400)
    if action == PUBLISH:
        messages.success(request, _("Artikel diterbitkan."))
    else:
        messages.success(request, _("Artikel disimpan."))
    return redirect("knowledge_console:edit", article_id=saved.pk)


@require_http_methods(["GET", "POST"])
@editor_required
def article_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@editor_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    return _edit(request, _article(article_id))


@require_POST
@editor_required
def article_status(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(article_id)
    status = STATUS_CHANGES.get(request.POST.get("status", ""))
    if status is None:
        messages.error(request, _("Perubahan status tidak dikenal; artikel tidak diubah."))
    else:
        services.article_set_status(editor=_editor(request), article=article, status=status)
        label = _("diarsipkan") if status == ArticleStatus.ARCHIVED else _("dikembalikan ke draf")
        messages.success(request, _("Artikel %(what)s.") % {"what": label})
    return redirect("knowledge_console:edit", article_id=article.pk)


@require_POST
@editor_required
def image_upload(request: HttpRequest, article_id: int) -> HttpResponse:
    """*Unggah gambar*: the image is stored and listed with the Markdown to paste into
    the body. A bad file shows the edit page with the reason (400, 503 when the storage
    cannot be reached); nothing is kept."""
    article = _article(article_id)
    form = ArticleImageForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            image = article_image_add(
                editor=_editor(request),
                article=article,
                upload=form.cleaned_data["image"],
                alt=form.cleaned_data["alt"],
            )
        except StorageUnavailable as error:
            form.add_error("image", error.message)
            status = 503
        except ImageError as error:
            form.add_error("image", str(error))
        else:
            messages.success(
                request,
                _("Gambar diunggah. Tempelkan %(snippet)s ke isi artikel.")
                % {"snippet": image.markdown},
            )
            return redirect(reverse("knowledge_console:edit", args=[article.pk]) + "#gambar")
    context = _edit_context(article, form)
    context["form"] = _unbound_article_form(article)
    return render(request, "knowledge/console/edit.html", context, status=status)


@require_POST
@editor_required
def image_delete(request: HttpRequest, article_id: int, image_id: int) -> HttpResponse:
    article = _article(article_id)
    image = article_image_delete(editor=_editor(request), article=article, image_id=image_id)
    if image.get_absolute_url() in article.body:
        messages.warning(
            request,
            _("Gambar dihapus. Isi artikel masih memuat %(snippet)s: hapus juga dari isi.")
            % {"snippet": image.markdown},
        )
    else:
        messages.success(request, _("Gambar dihapus."))
    return redirect(reverse("knowledge_console:edit", args=[article.pk]) + "#gambar")


@require_POST
@editor_required
def article_canned(request: HttpRequest, article_id: int) -> HttpResponse:
    """*Jawaban siap pakai*: which canned responses bring this article into a reply."""
    article = _article(article_id)
    form = ArticleCannedForm(request.POST)
    if not form.is_valid():
        context = _edit_context(article, canned_form=form)
        context["form"] = _unbound_article_form(article)
        return render(request, "knowledge/console/edit.html", context, status=400)
    article_canned_links_set(
        editor=_editor(request), article=article, canned=form.cleaned_data["canned"]
    )
    messages.success(request, _("Jawaban siap pakai untuk artikel ini disimpan."))
    return redirect(reverse("knowledge_console:edit", args=[article.pk]) + "#jawaban")


@require_GET
@editor_required
def article_history(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article(article_id)
    versions = list(article.versions.select_related("editor").defer("body"))
    shown = None
    wanted = request.GET.get("versi")
    if wanted:
        shown = next((v for v in versions if str(v.number) == wanted), None)
        if shown is None:
            messages.warning(request, _("Versi itu tidak ada; daftar versi ditampilkan."))
        else:
            shown = article.versions.get(pk=shown.pk)
    return render(
        request,
        "knowledge/console/history.html",
        {
            "nav": "knowledge",
            "article": article,
            "versions": versions,
            "shown": shown,
            "shown_html": (
                render_markdown(shown.body, image_urls=article_image_urls(article)) if shown else ""
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required(login_url="accounts:staff_login")
def article_from_ticket(request: HttpRequest, number: str) -> HttpResponse:
    """*Jadikan draf artikel*: staff who see a resolved ticket rewrite it as a draft
    (personal data removed first); editors review and publish it. Anybody else, and a
    ticket not resolved yet, get the 404 of an unknown address."""
    user = request.user
    assert isinstance(user, User)
    ticket = get_ticket_for_user(user, number)
    if not may_draft_article_from(user, ticket):
        raise Http404
    if request.method == "POST":
        form = TicketArticleForm(request.POST)
        if form.is_valid():
            article = services.article_draft_from_ticket(
                actor=user, ticket=ticket, **form.cleaned_data
            )
            messages.success(
                request,
                _(
                    "Draf artikel «%(title)s» dibuat. Editor Pusat Bantuan meninjau dan "
                    "menerbitkannya."
                )
                % {"title": article.title},
            )
            if may_edit_articles(user):
                return redirect("knowledge_console:edit", article.pk)
            return redirect("console:ticket_detail", ticket.number)
        status = 400
    else:
        resolution = (
            Message.objects.filter(ticket=ticket, kind=MessageKind.RESOLUTION, is_internal=False)
            .order_by("-created_at", "-id")
            .values_list("body", flat=True)
            .first()
        )
        form = TicketArticleForm(
            initial={
                "title": ticket.title,
                "problem": ticket.description,
                "resolution": resolution or "",
            }
        )
        status = 200
    return render(
        request,
        "knowledge/console/from_ticket.html",
        {"nav": "console", "ticket": ticket, "form": form},
        status=status,
    )
