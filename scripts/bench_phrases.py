"""What reporters type on Buat Tiket, for the load benchmark's suggestion scenario.

`typed_so_far(rng, application)` gives the title and description a reporter has typed
at one of the page's debounced calls: a problem of that application in a reporter's
words (from the list below, formal or chat style), now and then in informal spelling
(*gak*, *udah*, *tdk*) and with typos (two letters swapped, one dropped or doubled),
cut after 3 to 20 words: the first few words are the title, the rest the start of the
description. Standard library only (scripts/bench_locust.py imports it).
"""

import random

# A few problems per application code, as reporters write them (no real data).
PHRASES: dict[str, tuple[str, ...]] = {
    "SPSE": (
        "Gagal upload dokumen penawaran tender konstruksi, muncul pesan error file tidak "
        "valid padahal sudah dienkripsi dengan SPAMKODOK versi terbaru",
        "tidak bisa kirim penawaran file rhs selalu gagal di tahap upload padahal batas "
        "waktu tinggal dua jam lagi mohon segera dibantu",
        "Lupa password akun penyedia dan user ID terblokir setelah salah memasukkan kata "
        "sandi tiga kali, email reset tidak masuk",
        "akun penyedia belum diverifikasi padahal sudah datang ke LPSE membawa dokumen asli "
        "minggu lalu, status masih menunggu verifikasi",
        "Kode RUP tidak muncul saat membuat paket baru di SPSE padahal sudah diumumkan di "
        "SiRUP sejak kemarin pagi",
        "jadwal tender tidak bisa diubah oleh pokja, tombol simpan tidak berfungsi dan "
        "tahap pembukaan penawaran sudah lewat",
        "Apendo gagal enkripsi dokumen penawaran, aplikasi tertutup sendiri setiap kali "
        "memilih file kunci publik",
        "pemenang tender tidak tampil di halaman pengumuman padahal penetapan sudah "
        "dilakukan oleh pokja kemarin sore",
        "tidak bisa kirim sanggah karena menu sanggah tidak muncul padahal masa sanggah "
        "masih berjalan sampai besok",
        "Nilai evaluasi teknis tidak tersimpan, setelah klik simpan halaman kembali kosong "
        "dan nilai harus diisi ulang",
        "tanda tangan elektronik kontrak gagal, muncul pesan sertifikat tidak valid saat "
        "PPK menandatangani SPMK",
        "halaman error 500 muncul setiap buka daftar paket, sudah clear cache dan ganti "
        "browser tetap sama",
        "undangan pembuktian kualifikasi tidak terkirim ke penyedia, padahal jadwal "
        "pembuktian besok pagi",
        "roaming akun penyedia ke LPSE kabupaten lain tidak berhasil, login ditolak dengan "
        "pesan user tidak terdaftar",
    ),
    "SIRUP": (
        "RUP tidak tersinkron ke SPSE padahal paket sudah diumumkan tiga hari yang lalu "
        "dan PPK perlu segera membuat paket",
        "gagal mengumumkan RUP penyedia, tombol umumkan tidak aktif setelah data paket "
        "lengkap diisi",
        "Revisi RUP swakelola tidak tersimpan, pagu anggaran kembali ke nilai lama setelah "
        "disimpan",
        "tidak bisa input RUP penyedia karena satuan kerja tidak muncul di pilihan untuk "
        "tahun anggaran ini",
        "akun PPK di SiRUP tidak bisa login setelah pergantian pejabat, muncul pesan akun "
        "tidak aktif",
    ),
    "EPURCH": (
        "Negosiasi tidak bisa dilanjutkan, penyedia sudah mengirim harga tapi status paket "
        "masih menunggu tanggapan",
        "paket e-purchasing tidak bisa diproses ke tahap kontrak, tombol lanjut hilang "
        "setelah negosiasi selesai",
        "status paket tidak berubah padahal barang sudah dikirim dan diterima lengkap oleh "
        "satuan kerja",
        "pengiriman barang tidak bisa dikonfirmasi, tanggal penerimaan salah tercatat di aplikasi",
    ),
    "KATALOG": (
        "Produk belum tayang di katalog padahal sudah disetujui lebih dari seminggu yang "
        "lalu oleh pengelola",
        "perubahan harga produk tidak tersimpan, harga lama masih tampil di etalase "
        "katalog elektronik",
        "status paket katalog tidak sesuai, tertulis dibatalkan padahal pesanan sudah "
        "diproses penyedia",
    ),
    "TOKODARING": (
        "transaksi toko daring gagal dibayar, saldo terpotong tapi status pesanan masih "
        "menunggu pembayaran",
        "tidak bisa menyelesaikan transaksi di toko daring, invoice tidak muncul setelah "
        "barang diterima",
    ),
    "SIKAP": (
        "data kualifikasi penyedia di SIKAP tidak tersimpan, data tenaga ahli hilang setelah "
        "disimpan",
        "sinkronisasi SIKAP dengan SPSE gagal, data izin usaha terbaru tidak muncul saat "
        "kirim kualifikasi",
        "penilaian kinerja penyedia tidak bisa diisi oleh PPK, menu penilaian kosong",
    ),
    "MONEV": (
        "data realisasi di monev tidak sesuai dengan kontrak, nilai realisasi tercatat dua kali",
        "laporan realisasi paket tidak muncul di aplikasi monev padahal kontrak sudah selesai",
    ),
    "EPROC": (
        "tidak bisa menemukan paket tender di portal eproc, pencarian dengan kode tender "
        "tidak memberikan hasil",
    ),
    "INAPROC": (
        "akun terpusat inaproc tidak bisa masuk, muncul pesan kode OTP salah padahal sudah "
        "dimasukkan dengan benar",
        "tidak bisa akses aplikasi SPSE dari akun terpusat, halaman kembali ke login terus",
    ),
}
# Problems any application has.
COMMON: tuple[str, ...] = (
    "mohon bantuan halaman tidak bisa dibuka sejak pagi, selalu loading lama lalu muncul "
    "pesan timeout",
    "apakah ada panduan untuk pengguna baru, saya baru ditugaskan sebagai admin dan belum "
    "paham alurnya",
    "Pertanyaan: bagaimana cara mengganti email akun karena email lama sudah tidak aktif",
)

# Informal spellings reporters use (chat style): word -> choices.
INFORMAL: dict[str, tuple[str, ...]] = {
    "tidak": ("gak", "ga", "tdk", "nggak", "gk"),
    "sudah": ("udah", "sdh", "udh"),
    "bisa": ("bs", "bisa"),
    "saya": ("sy", "aku"),
    "dengan": ("dgn",),
    "untuk": ("utk",),
    "padahal": ("pdhl", "padahal"),
    "mohon": ("tolong", "mhn"),
    "selalu": ("mulu", "terus"),
    "yang": ("yg",),
    "karena": ("krn", "karna"),
    "setelah": ("stlh", "abis"),
    "bantuan": ("bantuannya", "bantuanya"),
    "password": ("pasword", "pass"),
    "upload": ("uplod", "unggah"),
}
INFORMAL_SHARE = 0.5  # texts written in chat style
TYPO_RATE = 0.06  # per word, in any text
MIN_WORDS, MAX_WORDS = 3, 20


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # two neighbouring letters swapped
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # one dropped
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # one doubled


def typed_so_far(rng: random.Random, application: str) -> tuple[str, str]:
    """(title, description) as typed so far about a problem of `application` (a code)."""
    phrases = PHRASES.get(application, ()) + COMMON
    words = rng.choice(phrases).split()
    informal = rng.random() < INFORMAL_SHARE
    typed = []
    for word in words[: rng.randint(MIN_WORDS, MAX_WORDS)]:
        if informal and word.lower() in INFORMAL:
            word = rng.choice(INFORMAL[word.lower()])
        if rng.random() < TYPO_RATE:
            word = _typo(rng, word)
        typed.append(word)
    if informal and rng.random() < 0.5:
        typed = [word.lower() for word in typed]
    split = rng.randint(3, 8)
    return " ".join(typed[:split]), " ".join(typed[split:])
