"""Synthetic help articles for the load benchmark's knowledge base (no Django).

`synthetic_articles(rng, topics, count)` writes `count` Pusat Bantuan articles in
Indonesian about the given topics (one topic per leaf category of an application: its
path, and a few problems reporters describe in it). Each article is a page of help as
an editor would write it: a title, a one-line summary, and a Markdown body with the
symptoms, the usual causes, the steps, and what to do when they do not help. The
phrases are mixed per article, so the 5,000 articles of the benchmark share the
vocabulary real ones share (*gagal*, *upload*, *penawaran*, *akun*) without being
copies of each other.

Everything draws from the `random.Random` the caller seeds: the same seed and topics
give the same articles.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

# The share of articles about no application in particular (general guides).
GENERAL_SHARE = 0.05
# The share of articles that also answer a sibling category of the same application.
SECOND_CATEGORY_SHARE = 0.15


@dataclass(frozen=True)
class Topic:
    """One leaf category an article can be about."""

    application: str  # code, e.g. "SPSE"
    application_name: str
    parent: str  # the parent category's name ("" for a top-level leaf)
    leaf: str
    # Short problem texts in reporters' words (titles of tickets of this category).
    symptoms: tuple[str, ...] = ()
    weight: float = 1.0

    @property
    def path(self) -> str:
        return f"{self.parent} › {self.leaf}" if self.parent else self.leaf


@dataclass(frozen=True)
class SyntheticArticle:
    title: str
    summary: str
    body: str
    application: str | None  # an application code, or None for a general guide
    categories: tuple[str, ...]  # category paths of `application`


ROLES = (
    "PPK",
    "Pokja Pemilihan",
    "Pejabat Pengadaan",
    "pelaku usaha",
    "penyedia",
    "PA/KPA",
    "Admin PPE",
    "UKPBJ",
    "verifikator",
    "auditor",
)
BROWSERS = ("Chrome", "Firefox", "Edge", "Safari", "Opera")
CONTEXTS = (
    "setelah pembaruan versi",
    "di awal tahun anggaran",
    "menjelang batas waktu",
    "saat akses dari jaringan kantor",
    "setelah ganti perangkat",
    "saat server sibuk",
    "setelah migrasi data",
    "pada akun baru",
    "di perangkat seluler",
    "setelah reset password",
)

TITLE_TEMPLATES = (
    "{leaf}",
    "Cara mengatasi: {leaf_l}",
    "{leaf}: penyebab dan solusi",
    "Panduan {parent}: {leaf_l}",
    "Mengapa {leaf_l}?",
    "{leaf} di {app}",
    "{leaf} {context}",
    "{leaf} pada peramban {browser}",
    "Tanya jawab {app}: {leaf_l}",
    "{leaf} untuk {role}",
    "Langkah bila {leaf_l} ({app})",
    "{leaf}: yang perlu diperiksa {role}",
    "Solusi cepat {leaf_l} {context}",
    "FAQ {parent}: {leaf_l}",
)
GENERAL_TITLES = (
    "Membersihkan cache dan cookie peramban",
    "Peramban yang didukung aplikasi pengadaan",
    "Cara membuat tiket yang cepat ditangani",
    "Mengambil tangkapan layar dan mencatat kode error",
    "Jam layanan helpdesk dan batas waktu respon",
    "Mengatur ulang koneksi dan proxy kantor",
    "Mengenali e-mail palsu yang mengatasnamakan LPSE",
    "Sinkronisasi jam komputer dengan waktu server",
    "Menyimpan dan mengunggah file berukuran besar",
    "Istilah yang sering dipakai dalam pengadaan elektronik",
)

SUMMARIES = (
    "Periksa {first} sebelum mengulang; sebagian besar kasus selesai tanpa tiket.",
    "Penyebab paling umum dan langkah yang dapat dilakukan {role} sendiri.",
    "Ikuti langkah berikut; bila masih gagal, buat tiket dengan kode dan tangkapan layar.",
    "Biasanya disebabkan oleh {first}; langkah perbaikan ada di bawah.",
    "Ringkasan untuk {role}: apa yang diperiksa, apa yang dilakukan, kapan membuat tiket.",
    "Masalah ini sering muncul {context}; berikut cara menanganinya.",
)

INTROS = (
    "Artikel ini menjelaskan apa yang dapat dilakukan bila {leaf_l} di {app_name}.",
    "Banyak {role} melaporkan kendala *{leaf_l}*, terutama {context}.",
    "Kendala *{leaf}* termasuk kategori {parent} di {app}. Sebagian besar dapat "
    "diselesaikan sendiri tanpa menunggu petugas helpdesk.",
    "Bila {leaf_l}, jangan langsung mengulang proses berkali-kali: periksa dulu "
    "hal-hal di bawah ini secara berurutan.",
    "Panduan ini ditujukan untuk {role} yang mengalami kendala {leaf_l} saat menggunakan {app}.",
)

CAUSES = (
    "sesi login sudah kedaluwarsa karena halaman dibiarkan terbuka terlalu lama",
    "cache peramban masih menyimpan halaman versi lama",
    "koneksi internet terputus saat proses berlangsung",
    "ukuran file melebihi batas yang diizinkan",
    "format file tidak didukung atau file rusak",
    "jadwal tahap sudah berakhir atau belum dimulai",
    "data belum tersinkron dari aplikasi sumber (hingga 1×24 jam)",
    "akun belum diverifikasi oleh verifikator LPSE",
    "peran pengguna tidak sesuai dengan menu yang dibuka",
    "server sedang dalam pemeliharaan terjadwal",
    "isian wajib belum lengkap atau tidak valid",
    "e-mail yang terdaftar sudah tidak aktif",
    "aplikasi enkripsi Apendo/SPAMKODOK bukan versi terbaru",
    "tanggal dan jam komputer tidak sesuai dengan waktu server",
    "peramban yang dipakai tidak didukung atau terlalu lama",
    "ekstensi peramban (pemblokir iklan) menghalangi tombol atau pop-up",
    "data satuan kerja atau tahun anggaran tidak sesuai",
    "paket masih dalam status draf dan belum diumumkan",
    "proxy atau firewall kantor memblokir alamat aplikasi",
    "token atau kode OTP sudah tidak berlaku",
    "data ganda (duplikat) pada akun yang sama",
    "perubahan data belum disetujui oleh admin",
)

STEPS = (
    "Keluar dari aplikasi, tutup semua tab, lalu **login ulang**.",
    "Bersihkan *cache* dan *cookie* peramban (Ctrl+Shift+Delete), lalu muat ulang halaman.",
    "Coba dengan peramban lain atau jendela penyamaran (*incognito*).",
    "Pastikan koneksi internet stabil; hindari Wi-Fi publik saat mengunggah.",
    "Periksa ukuran dan format file sesuai ketentuan pada halaman unggah.",
    "Periksa jadwal tahap pada halaman paket: menu hanya aktif saat tahapnya berjalan.",
    "Tunggu sinkronisasi berikutnya (paling lama 1×24 jam) lalu periksa kembali.",
    "Pastikan peran yang dipilih saat login sesuai dengan pekerjaan yang dilakukan.",
    "Unduh ulang aplikasi enkripsi versi terbaru dari halaman LPSE.",
    "Sesuaikan tanggal dan jam komputer dengan waktu server (WIB/WITA/WIT).",
    "Nonaktifkan sementara ekstensi peramban, terutama pemblokir iklan.",
    "Lengkapi semua isian bertanda bintang lalu simpan sekali saja.",
    "Catat **kode error** dan jam kejadian, lalu ambil tangkapan layar.",
    "Hubungi Admin PPE atau verifikator di LPSE tempat akun terdaftar.",
    "Periksa kotak masuk dan folder spam e-mail yang terdaftar.",
    "Minta PPK atau Pokja memeriksa status paket dari sisi mereka.",
    "Ulangi proses di luar jam sibuk (pagi hari sebelum pukul 09.00).",
    "Pastikan data satuan kerja dan tahun anggaran sudah benar di SiRUP.",
    "Gunakan menu **Riwayat** untuk memastikan proses sebelumnya tidak tersimpan ganda.",
    "Simpan file dengan nama pendek tanpa karakter khusus, lalu unggah kembali.",
    "Periksa pengumuman pemeliharaan di beranda aplikasi sebelum mengulang.",
    "Pastikan akun tidak sedang login di perangkat lain.",
)

ESCALATIONS = (
    "Bila langkah di atas tidak membantu, buat tiket dengan kategori *{path}* dan "
    "sertakan kode paket, kode error, serta tangkapan layar.",
    "Masih bermasalah? Buat tiket di Pusat Bantuan; tiket pada tahap yang segera "
    "berakhir mendapat prioritas tertinggi.",
    "Bila kendala terjadi pada banyak pengguna sekaligus, petugas akan menautkan "
    "tiket Anda ke insiden yang sedang ditangani.",
    "Sertakan nama LPSE, peran, dan waktu kejadian saat membuat tiket agar petugas "
    "dapat menelusuri log dengan cepat.",
)

NOTES = (
    "> **Catatan:** jangan membuat akun baru untuk menghindari kendala ini; data "
    "kualifikasi dan riwayat tidak ikut pindah.",
    "> **Penting:** perpanjangan jadwal hanya dapat dilakukan oleh Pokja sebelum tahap berakhir.",
    "> **Tips:** simpan bukti (tangkapan layar dengan jam) setiap kali proses gagal.",
    "> **Catatan:** petugas helpdesk tidak akan pernah meminta password Anda.",
)


def _sentence(text: str) -> str:
    """The text with its first letter in upper case (the rest as it is: LPSE, OTP)."""
    return text[:1].upper() + text[1:]


def _fill(template: str, topic: Topic, rng: random.Random, first: str) -> str:
    leaf = topic.leaf
    return template.format(
        leaf=leaf,
        leaf_l=leaf[:1].lower() + leaf[1:],
        parent=topic.parent or topic.leaf,
        app=topic.application,
        app_name=topic.application_name,
        path=topic.path,
        role=rng.choice(ROLES),
        browser=rng.choice(BROWSERS),
        context=rng.choice(CONTEXTS),
        first=first,
    )


def _body(topic: Topic, rng: random.Random, causes: list[str]) -> str:
    parts = [_fill(rng.choice(INTROS), topic, rng, causes[0])]
    if topic.symptoms:
        shown = rng.sample(topic.symptoms, min(len(topic.symptoms), rng.randint(1, 3)))
        parts.append(
            "## Gejala yang sering dilaporkan\n\n" + "\n".join(f"- “{text}”" for text in shown)
        )
    parts.append("## Penyebab umum\n\n" + "\n".join(f"- {_sentence(cause)}." for cause in causes))
    steps = rng.sample(STEPS, rng.randint(3, 6))
    parts.append(
        "## Langkah penyelesaian\n\n"
        + "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1))
    )
    if rng.random() < 0.3:
        parts.append(rng.choice(NOTES))
    parts.append(
        "## Bila masih bermasalah\n\n" + _fill(rng.choice(ESCALATIONS), topic, rng, causes[0])
    )
    return "\n\n".join(parts)


def _general(rng: random.Random, number: int) -> SyntheticArticle:
    title = GENERAL_TITLES[number % len(GENERAL_TITLES)]
    if number >= len(GENERAL_TITLES):
        title = f"{title} ({rng.choice(ROLES)})"
    causes = rng.sample(CAUSES, 2)
    steps = rng.sample(STEPS, rng.randint(3, 5))
    body = (
        "Panduan umum yang berlaku untuk semua aplikasi pengadaan elektronik.\n\n"
        + "## Langkah\n\n"
        + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))
        + "\n\n## Yang sering menjadi penyebab\n\n"
        + "\n".join(f"- {_sentence(cause)}." for cause in causes)
    )
    summary = f"Berlaku untuk semua aplikasi; biasanya karena {causes[0]}."
    return SyntheticArticle(title, summary, body, None, ())


def synthetic_articles(
    rng: random.Random, topics: Sequence[Topic], count: int
) -> list[SyntheticArticle]:
    """`count` articles about `topics` (drawn by their weight) and a few general guides."""
    if not topics:
        raise ValueError("no topic to write articles about")
    cum: list[float] = []
    total = 0.0
    for topic in topics:
        total += topic.weight
        cum.append(total)
    siblings: dict[tuple[str, str], list[Topic]] = {}
    for topic in topics:
        siblings.setdefault((topic.application, topic.parent), []).append(topic)
    articles: list[SyntheticArticle] = []
    generals = 0
    for _ in range(count):
        if rng.random() < GENERAL_SHARE:
            articles.append(_general(rng, generals))
            generals += 1
            continue
        topic = rng.choices(topics, cum_weights=cum)[0]
        causes = rng.sample(CAUSES, rng.randint(2, 4))
        title = _fill(rng.choice(TITLE_TEMPLATES), topic, rng, causes[0])
        summary = _fill(rng.choice(SUMMARIES), topic, rng, causes[0])
        paths = [topic.path]
        others = [t for t in siblings[(topic.application, topic.parent)] if t is not topic]
        if others and rng.random() < SECOND_CATEGORY_SHARE:
            paths.append(rng.choice(others).path)
        articles.append(
            SyntheticArticle(
                title=title[:200],
                summary=summary[:500],
                body=_body(topic, rng, causes),
                application=topic.application,
                categories=tuple(paths),
            )
        )
    return articles
