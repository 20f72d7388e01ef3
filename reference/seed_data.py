"""Realistic default reference data: directorates, applications, categories, LPSE instances.

Priorities: E = emergency, J = major, M = medium, N = minor.
Code kinds: T = tender, NT = non-tender, R = RUP, K = catalog package, "" = none.
A leaf is (name, base priority, code kind, code required, blocking).
"""

DIRECTORATES = [
    ("dps", "Direktorat Pengembangan Sistem Pengadaan"),
    ("dpmep", "Direktorat Perencanaan, Monitoring dan Evaluasi Pengadaan"),
    ("dpsk", "Direktorat Pengembangan Sistem Katalog"),
]

# (code, name, directorate code, versions newest first)
APPLICATIONS = [
    ("SPSE", "Sistem Pengadaan Secara Elektronik", "dps", ["4.5", "4.4", "4.3"]),
    ("SIKAP", "Sistem Informasi Kinerja Penyedia", "dps", ["2.0"]),
    ("EPURCH", "e-Purchasing", "dpsk", ["6", "5"]),
    ("KATALOG", "e-Katalog", "dpsk", ["6", "5"]),
    ("TOKODARING", "Toko Daring", "dpsk", ["1"]),
    ("SIRUP", "Sistem Informasi Rencana Umum Pengadaan", "dpmep", ["2.3"]),
    ("MONEV", "Aplikasi Monitoring dan Evaluasi", "dpmep", ["1"]),
    ("EPROC", "Portal eProc", "dps", ["1"]),
    ("INAPROC", "Portal Pengadaan Nasional (Inaproc)", "dps", ["1"]),
]

# (code, name, directorate code, application codes): one group per directorate, the
# unit that tier-2 and tier-3 assignments name.
APPLICATION_GROUPS = [
    ("spse", "Grup SPSE", "dps", ["SPSE", "SIKAP", "EPROC", "INAPROC"]),
    ("katalog", "Grup Katalog", "dpsk", ["EPURCH", "KATALOG", "TOKODARING"]),
    ("sirup", "Grup SiRUP & Monev", "dpmep", ["SIRUP", "MONEV"]),
]

Leaf = tuple[str, str, str, bool, bool]

_GENERAL: list[tuple[str, list[Leaf]]] = [
    ("Lainnya", [("Permasalahan lainnya", "M", "", False, False)]),
    ("Pertanyaan / Konsultasi", [("Pertanyaan / Konsultasi", "N", "", False, False)]),
]

CATEGORIES: dict[str, list[tuple[str, list[Leaf]]]] = {
    "SPSE": [
        (
            "Akun & Pendaftaran",
            [
                ("Lupa password / user ID terblokir", "M", "", False, False),
                ("Pendaftaran penyedia belum diverifikasi", "M", "", False, False),
                ("Perubahan data/email penyedia", "N", "", False, False),
                ("Roaming ke LPSE lain", "N", "", False, False),
            ],
        ),
        (
            "Paket (PPK/Pokja)",
            [
                ("Kode RUP tidak muncul saat membuat paket", "J", "R", True, False),
                ("Gagal membuat paket", "J", "R", False, False),
                ("Perubahan HPS", "M", "T", True, False),
            ],
        ),
        (
            "Jadwal",
            [
                ("Jadwal tidak bisa diubah", "J", "T", True, False),
                ("Tahap tidak berjalan sesuai jadwal", "J", "T", True, False),
            ],
        ),
        (
            "Dokumen Pemilihan",
            [
                ("Gagal upload dokumen pemilihan", "J", "T", True, False),
                ("Adendum dokumen pemilihan", "M", "T", True, False),
            ],
        ),
        ("Pemberian Penjelasan", [("Pertanyaan tidak terkirim", "M", "T", True, False)]),
        (
            "Penawaran",
            [
                ("Gagal upload dokumen penawaran", "J", "T", True, True),
                ("Gagal kirim penawaran / file .rhs", "J", "T", True, True),
                ("Apendo / SPAMKODOK gagal enkripsi", "J", "T", False, True),
                ("Penawaran tidak terbaca saat pembukaan", "J", "T", True, False),
            ],
        ),
        (
            "Evaluasi & Pembuktian",
            [
                ("Nilai evaluasi tidak tersimpan", "M", "T", True, False),
                ("Undangan pembuktian tidak terkirim", "M", "T", True, False),
            ],
        ),
        (
            "Penetapan & Pengumuman Pemenang",
            [("Pemenang tidak tampil", "M", "T", True, False)],
        ),
        ("Sanggah", [("Gagal kirim sanggah", "J", "T", True, True)]),
        (
            "E-Kontrak",
            [
                ("SPPBJ, kontrak, SPMK atau BAST gagal dibuat", "M", "T", False, False),
                ("Tanda tangan elektronik gagal", "M", "T", False, False),
            ],
        ),
        (
            "Non Tender & Pencatatan",
            [
                ("Pengadaan langsung bermasalah", "M", "NT", False, False),
                ("Pencatatan non tender / swakelola", "N", "NT", False, False),
            ],
        ),
        ("Error Aplikasi", [("Halaman error dengan kode error", "M", "", False, False)]),
    ],
    "SIRUP": [
        (
            "RUP",
            [
                ("Input RUP penyedia", "M", "R", False, False),
                ("Input RUP swakelola", "M", "R", False, False),
                ("Pengumuman RUP gagal", "J", "R", True, False),
                ("Revisi RUP", "M", "R", True, False),
                ("RUP tidak tersinkron ke SPSE", "J", "R", True, False),
            ],
        ),
        (
            "Akun & Pengguna",
            [
                ("Akun PA/KPA/PPK", "M", "", False, False),
                ("Manajemen user oleh Admin PPE", "N", "", False, False),
            ],
        ),
    ],
    "KATALOG": [
        (
            "Produk",
            [
                ("Produk belum tayang", "M", "", False, False),
                ("Perubahan harga produk", "M", "", False, False),
            ],
        ),
        ("Paket", [("Status paket katalog tidak sesuai", "M", "K", True, False)]),
    ],
    "EPURCH": [
        (
            "Paket e-Purchasing",
            [
                ("Negosiasi tidak bisa dilanjutkan", "J", "K", True, False),
                ("Paket e-purchasing tidak bisa diproses", "J", "K", True, False),
                ("Status paket tidak berubah", "M", "K", True, False),
            ],
        ),
        ("Pengiriman", [("Pengiriman & penerimaan barang", "M", "K", False, False)]),
    ],
    "TOKODARING": [
        ("Transaksi", [("Transaksi Toko Daring gagal", "M", "K", False, False)]),
    ],
    "SIKAP": [
        (
            "Data Penyedia",
            [
                ("Data kualifikasi penyedia", "M", "", False, False),
                ("Penilaian kinerja penyedia", "M", "T", False, False),
                ("Sinkronisasi dengan SPSE", "J", "", False, False),
            ],
        ),
    ],
    "MONEV": [
        ("Pelaporan", [("Data realisasi tidak sesuai", "M", "R", False, False)]),
    ],
    "EPROC": [
        ("Informasi", [("Informasi / pencarian paket", "N", "", False, False)]),
    ],
    "INAPROC": [
        (
            "Akun Terpusat",
            [
                ("Akun terpusat tidak bisa masuk", "J", "", False, False),
                ("Akses aplikasi", "M", "", False, False),
            ],
        ),
        ("Informasi", [("Informasi / pencarian paket", "N", "", False, False)]),
    ],
}
for _trees in CATEGORIES.values():
    _trees.extend(_GENERAL)

TICKET_TYPES = [
    ("permasalahan", "Permasalahan", False),
    ("usulan", "Usulan", True),
    ("permintaan-layanan", "Permintaan Layanan", False),
]

# (kd_lpse, name, province, time zone)
LPSES = [
    (119, "LPSE Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah", "DKI Jakarta", "Asia/Jakarta"),
    (10, "LPSE Kota Surabaya", "Jawa Timur", "Asia/Jakarta"),
    (11, "LPSE Kementerian Keuangan", "DKI Jakarta", "Asia/Jakarta"),
    (12, "LPSE Provinsi Kalimantan Tengah", "Kalimantan Tengah", "Asia/Jakarta"),
    (21, "LPSE Provinsi DKI Jakarta", "DKI Jakarta", "Asia/Jakarta"),
    (24, "LPSE Provinsi Jawa Barat", "Jawa Barat", "Asia/Jakarta"),
    (27, "LPSE Provinsi Jawa Timur", "Jawa Timur", "Asia/Jakarta"),
    (31, "LPSE Kota Medan", "Sumatera Utara", "Asia/Jakarta"),
    (45, "LPSE Kementerian Pekerjaan Umum", "DKI Jakarta", "Asia/Jakarta"),
    (52, "LPSE Kabupaten Sleman", "DI Yogyakarta", "Asia/Jakarta"),
    (63, "LPSE Provinsi Bali", "Bali", "Asia/Makassar"),
    (71, "LPSE Kota Makassar", "Sulawesi Selatan", "Asia/Makassar"),
    (74, "LPSE Provinsi Kalimantan Timur", "Kalimantan Timur", "Asia/Makassar"),
    (78, "LPSE Kabupaten Lombok Barat", "Nusa Tenggara Barat", "Asia/Makassar"),
    (82, "LPSE Kota Manado", "Sulawesi Utara", "Asia/Makassar"),
    (91, "LPSE Provinsi Papua", "Papua", "Asia/Jayapura"),
    (93, "LPSE Kota Jayapura", "Papua", "Asia/Jayapura"),
    (97, "LPSE Provinsi Maluku", "Maluku", "Asia/Jayapura"),
]

# (name, star values)
RATING_CATEGORIES = [
    ("Respon lambat", [1, 2, 3]),
    ("Solusi tidak menyelesaikan masalah", [1, 2, 3]),
    ("Penjelasan sulit dipahami", [1, 2, 3]),
    ("Petugas kurang ramah", [1, 2]),
    ("Respon cepat", [4, 5]),
    ("Solusi tepat", [4, 5]),
    ("Penjelasan jelas", [4, 5]),
    ("Petugas ramah dan membantu", [4, 5]),
]

CANNED_RESPONSES = [
    (
        "SPSE",
        "Bersihkan cache peramban",
        "Mohon bersihkan cache dan cookie peramban Anda, tutup peramban, lalu coba kembali. "
        "Jika masih gagal, kirimkan tangkapan layar pesan error beserta waktu kejadiannya.",
    ),
    (
        "SPSE",
        "Gunakan SPAMKODOK terbaru",
        "Pastikan dokumen penawaran dienkripsi dengan SPAMKODOK versi terbaru yang diunduh "
        "dari halaman SPSE LPSE Anda, lalu unggah ulang file .rhs.",
    ),
    (
        "SIRUP",
        "Sinkronisasi RUP",
        "Data RUP disinkronkan ke SPSE secara berkala. Mohon tunggu hingga 1x24 jam setelah "
        "pengumuman RUP, lalu coba kembali membuat paket.",
    ),
    (
        "",
        "Mohon informasi tambahan",
        "Terima kasih atas laporannya. Mohon lengkapi informasi berikut: langkah yang "
        "dilakukan, pesan error yang tampil, dan tangkapan layar.",
    ),
]

# Default priority rules (DESIGN §5), first match wins. Orders leave gaps so that an
# admin can insert or swap rules without clashing with the unique `order`.
# (order, kind, name, result priority or "" (none), explanation template)
PRIORITY_RULES = [
    (
        10,
        "suggestion_or_question",
        "Usulan dan pertanyaan/konsultasi selalu Minor",
        "minor",
        "{priority}: {reason} tidak menghambat proses pengadaan",
    ),
    (
        20,
        "blocking_deadline",
        "Kategori menghambat pada tahap berbatas waktu yang segera berakhir",
        "emergency",
        "{priority}: kategori menghambat kegiatan berbatas waktu dan tahap {stage} "
        "berakhir dalam {remaining} ({ends_at})",
    ),
    (
        30,
        "active_tender_raise",
        "Tender sedang berlangsung menaikkan satu tingkat (maksimal Major)",
        "",
        "{priority}: prioritas dasar kategori {base} dinaikkan karena tender {tender} "
        "sedang berlangsung",
    ),
    (
        40,
        "base",
        "Prioritas dasar kategori",
        "",
        "{priority}: prioritas dasar kategori «{category}»",
    ),
]
