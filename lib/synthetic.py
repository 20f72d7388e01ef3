"""Building blocks of the synthetic data set (no Django): words, names, distributions.

Everything draws from a `random.Random` the caller seeds, so the same seed gives the same
data. The word model follows Zipf's law over a vocabulary of real Indonesian
e-procurement words, most common first (a handful, such as "tender", "penawaran",
"dokumen" and "paket", land in nearly every ticket), followed by a long tail of rare
generated tokens (names of satker, product types, typos) that few tickets share.
"""

import bisect
import itertools
import math
import random
from collections.abc import Iterable, Sequence

# Real words, roughly in the order a helpdesk sees them (rank 1 first).
COMMON_WORDS = """
tender penawaran dokumen paket yang tidak dan di untuk sudah saat mohon bisa upload
spse gagal kami pada sistem dengan ini data akun sudah penyedia muncul file jadwal
error ppk pokja kode rup tahap sesuai bantuan dapat proses masih halaman pengadaan
ke login aplikasi hps kontrak evaluasi pengumuman pemenang tersebut kirim sanggah
apakah berhasil dari belum lpse password user email verifikasi informasi status akan
tanggal terima kasih lagi harga kualifikasi pembuktian sudah pemilihan penjelasan
adendum dibuka enkripsi spamkodok apendo rhs teknis administrasi katalog produk
negosiasi purchasing sirup swakelola revisi sinkron tayang pengiriman penerimaan
barang jasa konsultansi konstruksi pekerjaan langsung seleksi cepat penunjukan batas
waktu berakhir jam tolong segera dinas kabupaten kota provinsi kementerian badan
satker instansi anggaran pagu tahun nomor npwp sikap kinerja pembukaan undangan
tanda tangan elektronik sppbj spmk bast pencatatan non perubahan tampil tersimpan
terkirim terbaca diubah dibuat diproses berubah terblokir lupa pendaftaran roaming
peramban browser chrome firefox cache cookie koneksi internet lambat server timeout
ukuran format pdf zip rar excel word gambar tangkapan layar pesan notifikasi
menu tombol klik simpan unggah unduh cetak cari filter laporan realisasi monev
inaproc eproc toko daring transaksi pembayaran invoice ongkos kirim alamat etalase
penyedia pelaku usaha perusahaan direktur pengurus akta izin nib siup sbu ska
dokumen persyaratan jaminan penawaran sanggahan banding klarifikasi pembatalan gagal
ulang tender ulang koreksi aritmatik kewajaran harga satuan rincian volume spesifikasi
kak rancangan kontrak syarat umum khusus masa pelaksanaan pemeliharaan denda
addendum perpanjangan serah terima pekerjaan termin uang muka retensi sertifikat
agency admin ppe pa kpa kuppbj ukpbj pp pejabat pembuat komitmen kelompok kerja
verifikator helpdesk agen tiket nomor pelapor petugas respon solusi selesai
kendala masalah keluhan pertanyaan konsultasi usulan fitur perbaikan pembaruan
versi terbaru lama update patch maintenance gangguan down akses ditolak forbidden
sesi kedaluwarsa token otp sms kode verifikasi captcha salah benar valid invalid
duplikat ganda hilang kosong nol minus selisih berbeda sama cocok tidak sesuai
mengapa bagaimana kapan dimana siapa berapa tolong dibantu cek periksa tindak lanjut
""".split()  # noqa: SIM905 (readable word lists)

# Letters of the generated rare tokens: Indonesian-sounding syllables.
_ONSETS = ("b", "c", "d", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w", "ng")
_VOWELS = ("a", "i", "u", "e", "o")
_CODAS = ("", "", "", "n", "ng", "k", "r", "t", "s", "h")


def _rare_tokens(count: int) -> list[str]:
    """Pseudo-words (local names, typos, product brands): fixed, independent of any seed."""
    rng = random.Random(20240801)
    seen = set(COMMON_WORDS)
    tokens: list[str] = []
    while len(tokens) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        token = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if token not in seen:
            seen.add(token)
            tokens.append(token)
    return tokens


def _unique(words: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(words))


VOCABULARY: list[str] = _unique(COMMON_WORDS) + _rare_tokens(4000)


class WordModel:
    """Words drawn with Zipf frequencies: P(rank r) ∝ 1 / r**exponent."""

    def __init__(self, vocabulary: Sequence[str] = VOCABULARY, exponent: float = 1.05) -> None:
        self.vocabulary = list(vocabulary)
        weights = [1 / (rank**exponent) for rank in range(1, len(self.vocabulary) + 1)]
        self.cum_weights = list(itertools.accumulate(weights))

    def probability(self, rank: int) -> float:
        """Chance that one drawn word is the word of this rank (1-based)."""
        previous = self.cum_weights[rank - 2] if rank > 1 else 0.0
        return (self.cum_weights[rank - 1] - previous) / self.cum_weights[-1]

    def words(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=count)

    def sentence(self, rng: random.Random, low: int = 6, high: int = 14) -> str:
        words = self.words(rng, rng.randint(low, high))
        return " ".join(words).capitalize() + "."


# --- Names --------------------------------------------------------------------------

FIRST_NAMES = """
Agus Budi Siti Dewi Rina Andi Ahmad Muhammad Nur Sri Eko Dwi Tri Hendra Yusuf Rudi
Wahyu Indah Fitri Rahmat Fajar Bayu Putri Ayu Dian Lestari Yanti Bambang Joko Slamet
Teguh Hadi Ratna Wulan Intan Rizky Dimas Arif Ilham Farhan Nabila Aulia Citra Maya
Made Ketut Nyoman Wayan Putu Komang Gede Ni Yohanes Maria Stefanus Agnes Fransiska
Hasan Husein Zainal Syamsul Taufik Irfan Reza Yogi Anton Benny Frans Yosef Markus
""".split()  # noqa: SIM905 (readable word lists)
LAST_NAMES = """
Pratama Saputra Wijaya Santoso Hidayat Kurniawan Setiawan Nugroho Wibowo Susanto
Siregar Nasution Harahap Lubis Simanjuntak Sitorus Pane Tanjung Rangkuti Daulay
Sinaga Manurung Situmorang Hutapea Silalahi Purba Ginting Tarigan Sembiring Karo
Lestari Wulandari Rahmawati Kusuma Permana Gunawan Hartono Sutrisno Suryadi Halim
Tambunan Pardede Mandagi Lumban Rumbiak Wenda Kogoya Tabuni Mahuze Latuconsina
Pattiasina Tuhuteru Sahetapy Manuputty Rumagesan Bakri Makmur Syahputra Ramadhan
""".split()  # noqa: SIM905 (readable word lists)
UNITS = """
Dinas Pekerjaan Umum dan Penataan Ruang|Dinas Kesehatan|Dinas Pendidikan|
Badan Perencanaan Pembangunan Daerah|Dinas Perhubungan|Sekretariat Daerah|
Rumah Sakit Umum Daerah|Dinas Pertanian|Badan Penanggulangan Bencana Daerah|
Dinas Lingkungan Hidup|Dinas Perumahan dan Kawasan Permukiman|Satpol PP|
Bagian Pengadaan Barang dan Jasa|Biro Umum|Dinas Komunikasi dan Informatika
""".replace("\n", "").split("|")
COMPANY_FORMS = ("PT", "PT", "CV", "CV", "CV", "UD", "Koperasi")
COMPANY_WORDS = """
Karya Mandiri Jaya Abadi Sejahtera Utama Prima Sentosa Bangun Cipta Persada
Nusantara Mitra Sinar Cahaya Putra Perkasa Makmur Lestari Bersama Indah Global
Teknik Konsultan Konstruksi Niaga Solusi Digital Medika Agung Berkah Amanah
""".split()  # noqa: SIM905 (readable word lists)


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(FIRST_NAMES)
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def company_name(rng: random.Random) -> str:
    first, second = rng.sample(COMPANY_WORDS, 2)
    return f"{rng.choice(COMPANY_FORMS)} {first} {second}"


def unit_name(rng: random.Random, place: str) -> str:
    return f"{rng.choice(UNITS)} {place}"


# --- Helpdesk texts -----------------------------------------------------------------

TENDER_STAGES = (
    "Pengumuman Pascakualifikasi",
    "Download Dokumen Pemilihan",
    "Pemberian Penjelasan",
    "Upload Dokumen Penawaran",
    "Pembukaan Dokumen Penawaran",
    "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga",
    "Pembuktian Kualifikasi",
    "Penetapan Pemenang",
    "Pengumuman Pemenang",
    "Masa Sanggah",
    "Surat Penunjukan Penyedia Barang/Jasa",
    "Penandatanganan Kontrak",
)
TITLE_TEMPLATES = (
    "{leaf}",
    "{leaf}",
    "{leaf} pada tahap {stage}",
    "Mohon bantuan: {leaf_lower}",
    "{leaf} ({app})",
    "{leaf} kode {code}",
    "Kendala {leaf_lower}",
    "{leaf} - {words}",
)
LEADS = (
    "Selamat pagi, kami dari {unit} mengalami kendala {leaf_lower}.",
    "Selamat siang, {leaf_lower} sejak kemarin pada aplikasi {app}.",
    "Mohon bantuan, {leaf_lower} pada tahap {stage}.",
    "Kami mengalami masalah: {leaf_lower}. Kode paket {code}.",
    "Yth. Helpdesk LPSE, {leaf_lower} padahal sudah dicoba berulang kali.",
    "Saat proses {stage} muncul kendala {leaf_lower}.",
)
CLOSINGS = (
    "Mohon bantuannya, terima kasih.",
    "Terima kasih atas bantuannya.",
    "Mohon segera ditindaklanjuti karena batas waktu hampir berakhir.",
    "Tangkapan layar terlampir.",
    "",
)
STAFF_REPLIES = (
    "Terima kasih atas laporannya. Mohon bersihkan cache peramban lalu coba kembali.",
    "Laporan sedang kami periksa bersama tim teknis.",
    "Mohon kirimkan tangkapan layar pesan error beserta waktu kejadiannya.",
    "Silakan gunakan SPAMKODOK versi terbaru lalu unggah ulang file .rhs.",
    "Data RUP disinkronkan berkala, mohon tunggu 1x24 jam.",
    "Jadwal sudah kami sesuaikan, silakan dicek kembali.",
)
FEEDBACK_REQUESTS = (
    "Mohon informasi kode tender dan tangkapan layar error yang muncul.",
    "Apakah kendala masih terjadi setelah cache peramban dibersihkan?",
    "Mohon lampirkan dokumen yang gagal diunggah.",
    "Mohon sebutkan langkah yang dilakukan sebelum error muncul.",
)
FEEDBACKS = (
    "Berikut kami lampirkan tangkapan layarnya.",
    "Masih terjadi, sudah dicoba dengan peramban lain.",
    "Kode tender sudah kami cantumkan, mohon dicek.",
    "Sudah kami coba ulang namun tetap gagal.",
)
RESOLUTIONS = (
    "Permasalahan sudah kami perbaiki, silakan dicoba kembali.",
    "Data sudah disinkronkan ulang dan sekarang tampil normal.",
    "Akun sudah kami buka blokirnya, silakan login kembali.",
    "Dokumen sudah dapat diunggah setelah perbaikan server.",
)
REOPENS = (
    "Belum, masih muncul error yang sama.",
    "Belum selesai, data masih belum tampil.",
    "Sudah dicoba tapi masih gagal.",
)
NOTES = (
    "Sudah dikoordinasikan dengan tim teknis.",
    "Kemungkinan terkait gangguan server kemarin.",
    "Duplikat laporan serupa dari LPSE lain.",
    "Perlu dicek log aplikasi.",
)
FORCE_REASONS = (
    "Masalah sudah teratasi sendiri.",
    "Tidak ada tanggapan, kami ajukan tiket baru.",
    "Salah memilih kategori.",
    "Tender sudah dibatalkan.",
)
# The internal note of an escalation, by the tier it goes to.
ESCALATION_NOTES = {
    2: "Perlu penanganan Helpdesk Eproc LKPP.",
    3: "Perlu penanganan Tim Teknis.",
}
RETURN_NOTES = (
    "Dikembalikan: bukan kendala aplikasi, mohon dibantu arahkan pengguna.",
    "Dikembalikan: data pendukung belum lengkap, mohon dilengkapi dulu.",
    "Dikembalikan: sudah ada panduannya, silakan dijelaskan ke pelapor.",
)
# Ratings' texts: praise for 4-5 stars, criticism and suggestions (saran) below.
RATING_PRAISE = (
    "Terima kasih, sangat membantu.",
    "Solusi tepat.",
    "Penjelasan jelas dan cepat ditanggapi.",
    "Masalah selesai sebelum batas waktu unggah, terima kasih.",
    "Petugas ramah dan sabar menjelaskan.",
)
RATING_CRITICISM = (
    "Respon agak lambat.",
    "Mohon ditingkatkan kecepatan responnya.",
    "Saran: sediakan panduan langkah demi langkah di portal.",
    "Harus menunggu lama padahal jadwal tender sudah mepet.",
    "Jawaban pertama belum menjawab masalah, perlu dijelaskan ulang.",
    "Saran: informasikan gangguan server lebih awal.",
)
ATTACHMENT_NAMES = (
    ("tangkapan layar error.png", "image/png"),
    ("screenshot.jpg", "image/jpeg"),
    ("Dokumen Penawaran.rhs", "application/octet-stream"),
    ("surat permohonan.pdf", "application/pdf"),
    ("HPS revisi.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "BA klarifikasi.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("log.txt", "text/plain"),
    ("dokumen pendukung.zip", "application/zip"),
)


def ticket_text(
    rng: random.Random,
    word_model: WordModel,
    *,
    leaf: str,
    stage: str,
    app: str,
    code: str,
    unit: str,
) -> tuple[str, str]:
    """The title and description of a generated ticket about the category `leaf`.

    Used by the synthetic data set (tickets/synthetic) and, without a database, by
    scripts/evaluate_category_model.py to train on exactly the generator's texts.
    """
    fill = {
        "leaf": leaf,
        "leaf_lower": leaf[0].lower() + leaf[1:],
        "stage": stage,
        "app": app,
        "code": code or app,
        "unit": unit,
        "words": " ".join(word_model.words(rng, 3)),
    }
    title = rng.choice(TITLE_TEMPLATES).format(**fill)[:200]
    parts = [rng.choice(LEADS).format(**fill)]
    parts += [word_model.sentence(rng, 8, 16) for _ in range(rng.randint(1, 3))]
    parts.append(rng.choice(CLOSINGS))
    return title, " ".join(part for part in parts if part)


# --- Distributions ------------------------------------------------------------------


def reporter_ticket_counts(
    rng: random.Random, total: int, *, cap: int = 2000, alpha: float = 1.25
) -> list[int]:
    """How many tickets each reporter files: a truncated power law summing to `total`.

    Most reporters file one to five tickets; a few (busy pokja, helpdesk-heavy vendors)
    file hundreds, and none more than `cap`.
    """
    counts: list[int] = []
    remaining = total
    while remaining > 0:
        count = min(cap, int(rng.paretovariate(alpha)), remaining)
        counts.append(max(1, count))
        remaining -= counts[-1]
    return counts


# Weight of each hour of the day (local time) for a ticket being filed.
HOUR_WEIGHTS = (1, 0, 0, 0, 0, 1, 2, 5, 10, 14, 14, 12, 8, 12, 13, 11, 8, 5, 4, 4, 3, 3, 2, 1)
_HOUR_CUM = list(itertools.accumulate(HOUR_WEIGHTS))


def ticket_times(rng: random.Random, count: int, *, start: float, end: float) -> list[float]:
    """`count` filing moments (epoch seconds, sorted) between `start` and `end`.

    Volume grows over the period (the later year has about twice the tickets of the
    first), weekends are quiet, and most tickets come in office hours (UTC+7 assumed for
    the shape: the exact zone does not matter to the distribution).
    """
    days = max(1, int((end - start) // 86400))
    growth = 1.0  # density ∝ 1 + growth * x over x in [0, 1)
    times: list[float] = []
    hours = range(24)
    while len(times) < count:
        u = rng.random()
        # Inverse CDF of the linear density (1 + g x) / (1 + g / 2).
        x = (-1 + math.sqrt(1 + growth * (2 + growth) * u)) / growth
        day = min(days - 1, int(x * days))
        moment = start + day * 86400
        weekday = int((moment // 86400 + 3) % 7)  # 1970-01-01 was a Thursday (3)
        if weekday >= 5 and rng.random() < 0.8:
            continue
        hour = rng.choices(hours, cum_weights=_HOUR_CUM)[0]
        # Local hour → UTC (−7 h), clamped into the period.
        at = moment + (hour - 7) * 3600 + rng.random() * 3600
        if start <= at < end:
            times.append(at)
    times.sort()
    return times


def weighted_index(rng: random.Random, cum_weights: Sequence[float]) -> int:
    return bisect.bisect_right(cum_weights, rng.random() * cum_weights[-1])


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def cumulative(weights: Iterable[float]) -> list[float]:
    """Cumulative weights, for `weighted_index` and `random.choices`."""
    return list(itertools.accumulate(weights))


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """A value between `low` and `high` whose logarithm is uniform (waiting times)."""
    return low * (high / low) ** rng.random()


def open_probability(age_days: float) -> float:
    """Chance that a ticket filed `age_days` ago is still open."""
    if age_days < 2:
        return 0.7
    if age_days < 7:
        return 0.35
    if age_days < 30:
        return 0.1
    if age_days < 90:
        return 0.02
    return 0.003
