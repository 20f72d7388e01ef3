"""Staff see the category model's suggestion when the reporter's category looks wrong
(issue 18), with a way into *Ubah kategori* with the suggested category chosen."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge.categories import category_hint, category_model_store, model_text
from knowledge.tests.suggestsupport import TEXTS, UPLOAD, category, path
from lib.category_model import Example, train
from reference.models import Category
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

# Two more SPSE leaves, so that a choice can rank below the model's first two.
SCHEDULE = ("SPSE", "Jadwal", "Tahap tidak berjalan sesuai jadwal")
SIGNATURE = ("SPSE", "Akun & Pendaftaran", "Pendaftaran penyedia belum diverifikasi")
MORE = {
    SCHEDULE: [
        "Jadwal tahapan tender tidak sesuai, tanggal pembukaan berubah sendiri",
        "Tahapan lelang maju mundur, jadwal tidak sesuai yang diumumkan",
        "Jadwal evaluasi berbeda dengan jadwal yang diinput pokja",
        "Perubahan jadwal tahapan tidak tersimpan",
    ],
    SIGNATURE: [
        "Akun belum diverifikasi admin agency padahal sudah lengkap",
        "Aktivasi akun penyedia tidak bisa, link aktivasi kadaluarsa",
        "Verifikasi akun baru tertunda berhari hari",
        "Minta aktivasi akun yang belum terverifikasi",
    ],
}
UPLOAD_WORDS = "Dokumen penawaran gagal diunggah, upload file penawaran selalu gagal"


def _train() -> None:
    """A model of four SPSE leaves (the shared texts' two, and MORE)."""
    texts = {**{k: v for k, v in TEXTS.items() if k[0] == "SPSE"}, **MORE}
    examples = [Example(label[0], path(label), text) for label in texts for text in texts[label]]
    category_model_store(train(examples))


@pytest.fixture
def model(reference) -> None:
    _train()


def _filed_under(reporter, label, text=UPLOAD_WORDS) -> Ticket:
    return make_ticket(reporter, category=category(label), title=text, description=text, code="")


def _panel(client, ticket: Ticket) -> str:
    url = reverse("console:ticket_duplicates", args=[ticket.number])
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_a_choice_the_model_ranks_low_is_hinted_with_the_models_choice(model, alice, agent, client):
    # Given an upload failure filed under "Tahap tidak berjalan sesuai jadwal"
    ticket = _filed_under(alice, SCHEDULE)
    hint = category_hint(ticket.application, ticket.category_id, model_text(ticket.title, ""))
    assert hint and hint[0] == category(UPLOAD)
    # When its holder opens the ticket, the triage panel says so, with Ubah kategori
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    client.force_login(agent)
    panel = _panel(client, ticket)
    assert "Kategori mungkin kurang tepat" in panel
    assert "Penawaran › Gagal upload dokumen penawaran" in panel
    link = f"?kategori={category(UPLOAD).pk}#ubah-kategori"
    assert link in panel
    # And the link opens Ubah kategori with the suggested category chosen
    page = client.get(reverse("console:ticket_detail", args=[ticket.number]) + link[:-13])
    body = page.content.decode()
    assert 'id="ubah-kategori" open' in body
    assert f'<option value="{category(UPLOAD).pk}" selected>' in body


def test_no_hint_when_the_model_agrees_or_there_is_no_model(reference, alice, agent, client):
    client.force_login(agent)
    # Without a model: nothing
    ticket = _filed_under(alice, SCHEDULE)
    assert "Kategori mungkin kurang tepat" not in _panel(client, ticket)
    # With one that ranks the choice first or second: nothing either
    _train()
    right = _filed_under(alice, UPLOAD)
    assert "Kategori mungkin kurang tepat" not in _panel(client, right)
    assert category_hint(right.application, right.category_id, UPLOAD_WORDS) == []


def test_who_may_not_change_the_category_reads_the_hint_without_the_button(
    model, alice, agent, supervisor, client
):
    ticket = services.ticket_take(ticket=_filed_under(alice, SCHEDULE), actor=agent)
    client.force_login(supervisor)
    panel = _panel(client, ticket)
    assert "Kategori mungkin kurang tepat" in panel
    assert "#ubah-kategori" not in panel


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "1.5", "9" * 30, "other-app", "%00"])
def test_a_garbage_or_foreign_suggested_category_selects_nothing(
    model, alice, agent, client, value
):
    ticket = services.ticket_take(ticket=_filed_under(alice, SCHEDULE), actor=agent)
    if value == "other-app":
        value = str(Category.objects.filter(application__code="KATALOG", is_leaf=True)[0].pk)
    client.force_login(agent)
    before = Ticket.objects.get(pk=ticket.pk).revision
    response = client.get(
        reverse("console:ticket_detail", args=[ticket.number]), {"kategori": value}
    )
    assert response.status_code == 200
    panel = response.content.decode()
    panel = panel[panel.index('id="ubah-kategori"') :]
    panel = panel[: panel.index("</details>")]
    assert " selected>" not in panel.replace('<option value="" selected>', "")
    assert Ticket.objects.get(pk=ticket.pk).revision == before


def test_the_suggested_category_costs_the_detail_page_no_query(model, alice, agent, client):
    ticket = services.ticket_take(ticket=_filed_under(alice, SCHEDULE), actor=agent)
    client.force_login(agent)
    url = reverse("console:ticket_detail", args=[ticket.number])
    client.get(url)

    def queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    assert queries({"kategori": str(category(UPLOAD).pk)}) == queries({})
