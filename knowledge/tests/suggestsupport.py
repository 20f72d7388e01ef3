"""Resolved tickets and a tiny trained model for the category-suggestion tests."""

from django.test import Client

from accounts.models import User
from knowledge.categories import category_model_store
from knowledge.models import CategoryModel
from lib.category_model import Example, train
from reference.models import Category
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

# What a reporter types on Buat Tiket about a failed upload.
UPLOAD_TEXT = {"title": "Dokumen penawaran gagal upload", "description": "Sudah dicoba terus."}

# (application, feature, leaf): three leaves of two applications.
PASSWORD = ("SPSE", "Akun & Pendaftaran", "Lupa password / user ID terblokir")
UPLOAD = ("SPSE", "Penawaran", "Gagal upload dokumen penawaran")
SIKAP_DATA = ("SIKAP", "Data Penyedia", "Data kualifikasi penyedia")

TEXTS = {
    PASSWORD: [
        "Lupa password akun SPSE, user ID terblokir setelah salah login",
        "Tidak bisa login karena lupa kata sandi, minta reset password",
        "User ID terkunci, password salah tiga kali",
        "Reset password tidak masuk ke email, akun terblokir",
    ],
    UPLOAD: [
        "Gagal upload dokumen penawaran, file tidak terunggah",
        "Dokumen penawaran gagal diunggah, muncul error saat upload",
        "Upload file penawaran selalu gagal padahal ukuran kecil",
        "Tidak bisa mengunggah dokumen penawaran tender",
    ],
    SIKAP_DATA: [
        "Data kualifikasi penyedia di SIKaP tidak tersimpan",
        "Isian kualifikasi penyedia hilang setelah disimpan",
        "Tidak bisa mengubah data kualifikasi perusahaan",
        "Data kualifikasi penyedia kosong saat dibuka",
    ],
}


def signed_in(user: User | None) -> Client:
    """A browser of `user` (None: nobody signed in)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def category(label: tuple[str, str, str]) -> Category:
    app, feature, leaf = label
    return Category.objects.get(application__code=app, parent__name=feature, name=leaf)


def path(label: tuple[str, str, str]) -> str:
    return f"{label[1]} › {label[2]}"


def resolved_ticket(
    reporter: User, agent: User, label: tuple[str, str, str], title: str, description: str = ""
) -> Ticket:
    """A ticket of `label`'s category, taken and resolved by `agent` through the services."""
    leaf = category(label)
    application = leaf.application
    ticket = make_ticket(
        reporter,
        application=application,
        version=application.versions.order_by("order", "pk").first(),
        category=leaf,
        title=title,
        description=description or title,
    )
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    return services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")


def tiny_model(labels: tuple[tuple[str, str, str], ...] = tuple(TEXTS)) -> CategoryModel:
    """A model trained on TEXTS of `labels` (no tickets needed), stored as the next version."""
    examples = [Example(label[0], path(label), text) for label in labels for text in TEXTS[label]]
    return category_model_store(train(examples))
