"""Published demo articles for the common problems (`manage.py seed_demo`).

Each names its application and the leaf categories (by name) it answers; running the
seed again changes nothing (an existing slug is left alone).
"""

from dataclasses import dataclass

from accounts.models import User
from knowledge import services
from knowledge.models import Article, CannedResponseArticle
from reference.models import Application, CannedResponse, Category


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    summary: str
    body: str
    application: str
    categories: tuple[str, ...]


DEMO_ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        "lupa-password-spse",
        "Lupa password atau user ID terblokir di SPSE",
        "Atur ulang password sendiri lewat menu Lupa Password; blokir terbuka setelah 30 menit.",
        "## Langkah\n\n"
        "1. Buka halaman **Login** SPSE LPSE Anda dan pilih **Lupa Password**.\n"
        "2. Masukkan user ID dan e-mail yang terdaftar.\n"
        "3. Buka tautan di e-mail (berlaku 24 jam) dan buat password baru.\n\n"
        "User ID terblokir setelah 5 kali salah password dan terbuka lagi setelah "
        "**30 menit**. Bila e-mail terdaftar sudah tidak aktif, buat tiket dengan kategori "
        "*Akun & Pendaftaran › Lupa password / user ID terblokir*.",
        "SPSE",
        ("Lupa password / user ID terblokir",),
    ),
    DemoArticle(
        "akun-penyedia-belum-diverifikasi",
        "Pendaftaran penyedia belum diverifikasi",
        "Verifikasi dilakukan di LPSE tempat mendaftar dengan membawa dokumen asli.",
        "Setelah mendaftar secara daring, akun penyedia **belum aktif** sampai "
        "diverifikasi oleh verifikator LPSE.\n\n"
        "## Dokumen yang dibawa\n\n"
        "| Dokumen | Keterangan |\n|---|---|\n"
        "| KTP penanggung jawab | asli |\n| NPWP perusahaan | asli |\n"
        "| Akta pendirian dan perubahan | asli atau salinan dilegalisasi |\n"
        "| NIB | cetak dari OSS |\n\n"
        "Verifikasi dapat dilakukan di LPSE mana pun yang melayani; setelah itu akun "
        "dapat dipakai di semua LPSE (*roaming*).",
        "SPSE",
        ("Pendaftaran penyedia belum diverifikasi",),
    ),
    DemoArticle(
        "gagal-upload-dokumen-penawaran",
        "Gagal upload dokumen penawaran",
        "Periksa ukuran dan jenis file, koneksi, dan jadwal tahap upload sebelum mengulang.",
        "## Periksa dulu\n\n"
        "- Tahap **Upload Dokumen Penawaran** masih berjalan (lihat jadwal tender).\n"
        "- File penawaran berformat `.rhs` hasil enkripsi Apendo/SPAMKODOK, bukan file "
        "lain yang diganti namanya.\n"
        "- Ukuran file tidak melebihi batas dan koneksi stabil (hindari Wi-Fi publik).\n\n"
        "## Bila masih gagal\n\n"
        "Catat **kode error** yang tampil, ambil tangkapan layar, lalu buat tiket dengan "
        "kode tender. Tiket pada tahap upload yang segera berakhir mendapat prioritas "
        "tertinggi.",
        "SPSE",
        ("Gagal upload dokumen penawaran", "Gagal kirim penawaran / file .rhs"),
    ),
    DemoArticle(
        "jadwal-tender-tidak-bisa-diubah",
        "Jadwal tender tidak bisa diubah",
        "Perubahan jadwal hanya oleh Pokja, sebelum tahap yang diubah dimulai, dengan alasan.",
        "Jadwal hanya dapat diubah oleh **Pokja Pemilihan** melalui menu *Ubah Jadwal*, "
        "untuk tahap yang **belum dimulai**, dan setiap perubahan wajib disertai alasan.\n\n"
        "Tahap yang sudah berjalan tidak dapat dimundurkan. Bila perlu, Pokja dapat "
        "memperpanjang tahap yang sedang berjalan sebelum tahap itu berakhir.",
        "SPSE",
        ("Jadwal tidak bisa diubah",),
    ),
    DemoArticle(
        "kode-rup-tidak-muncul",
        "Kode RUP tidak muncul saat membuat paket",
        "Paket RUP harus sudah diumumkan di SiRUP dan tersinkron ke SPSE (hingga 1×24 jam).",
        "## Penyebab yang sering terjadi\n\n"
        "1. Paket belum **diumumkan** di SiRUP oleh PA/KPA.\n"
        "2. Sinkronisasi SiRUP ke SPSE belum berjalan (hingga 1×24 jam).\n"
        "3. Satuan kerja atau tahun anggaran paket berbeda dengan akun PPK.\n\n"
        "Bila sudah lebih dari sehari sejak diumumkan, buat tiket dengan kode RUP.",
        "SPSE",
        ("Kode RUP tidak muncul saat membuat paket",),
    ),
    DemoArticle(
        "rup-tidak-tersinkron-ke-spse",
        "RUP tidak tersinkron ke SPSE",
        "Pastikan paket sudah diumumkan dan datanya lengkap; sinkronisasi berjalan berkala.",
        "Data RUP dikirim ke SPSE secara berkala setelah paket **diumumkan**. Paket yang "
        "direvisi setelah diumumkan akan dikirim ulang pada sinkronisasi berikutnya.\n\n"
        "Periksa kelengkapan lokasi, sumber dana dan jadwal pemilihan pada paket.",
        "SIRUP",
        ("RUP tidak tersinkron ke SPSE",),
    ),
)


# Canned responses (reference/seed_data.py, by title) that bring a demo article along.
DEMO_CANNED_LINKS: tuple[tuple[str, str], ...] = (
    ("Gunakan SPAMKODOK terbaru", "gagal-upload-dokumen-penawaran"),
    ("Sinkronisasi RUP", "rup-tidak-tersinkron-ke-spse"),
)


def demo_canned_links_seed() -> None:
    """Link the demo canned responses to their articles (again: nothing changes)."""
    for title, slug in DEMO_CANNED_LINKS:
        canned = CannedResponse.objects.filter(title=title).first()
        article = Article.objects.filter(slug=slug).first()
        if canned is not None and article is not None:
            CannedResponseArticle.objects.get_or_create(canned_response=canned, article=article)


def demo_articles_seed(editor: User) -> int:
    """Publish the demo articles that do not exist yet; the number written."""
    written = 0
    for demo in DEMO_ARTICLES:
        if Article.objects.filter(slug=demo.slug).exists():
            continue
        application = Application.objects.get(code=demo.application)
        categories = Category.objects.filter(application=application, name__in=demo.categories)
        services.article_save(
            editor=editor,
            article=None,
            title=demo.title,
            slug=demo.slug,
            summary=demo.summary,
            body=demo.body,
            applications=[application],
            categories=list(categories),
            last_reviewed_on=None,
            publish=True,
        )
        written += 1
    demo_canned_links_seed()
    return written
