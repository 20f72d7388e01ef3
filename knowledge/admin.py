"""The knowledge base in the admin: the articles a canned response brings into a reply
(an inline of `reference.CannedResponse`'s admin, `reference/admin.py`)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from knowledge.models import CannedResponseArticle


class CannedResponseArticleForm(forms.ModelForm):
    class Meta:
        model = CannedResponseArticle
        fields = ("article", "order")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The inline's own check compares the forms sent together; a link saved meanwhile
        # by someone else would otherwise meet the database's constraint as a 500.
        article = data.get("article")
        canned_id = self.instance.canned_response_id
        if article is not None and canned_id is not None:
            taken = CannedResponseArticle.objects.filter(
                canned_response_id=canned_id, article=article
            ).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("article", _("Artikel ini sudah ditautkan ke jawaban ini."))
        return data


class CannedResponseArticleInline(admin.TabularInline):
    model = CannedResponseArticle
    form = CannedResponseArticleForm
    extra = 1
    ordering = ("order", "id")
    verbose_name = _lazy("artikel Pusat Bantuan")
    verbose_name_plural = _lazy(
        "Artikel Pusat Bantuan yang ikut disisipkan ke balasan (hanya yang terbit)"
    )
