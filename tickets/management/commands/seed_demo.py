"""Load reference data and the demo's people and tickets. Demo only; safe to run again.

The demo tickets stand in every status and position of the lifecycle, so that a
newcomer can try each action at once: new tickets at LPSEs in WIB, WITA and WIT, one in
progress with agen1, one waiting for penyedia1's **Beri Feedback**, one waiting for
ppk1's **Konfirmasi**, tickets at tier 2 (SPSE for lkpp1, Katalog for lkpp2) and at
tier 3 (held by teknis1), and closed ones: rated, force-closed, reopened, merged and
auto-closed. Every one is made through the services, as the people named would have.

Their history happened over the past days: each service is given the time of its step
(`now=`), from when the ticket was filed onwards. A demo ticket is known by its title
for its reporter: a second run skips it.
"""

import datetime
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from accounts.services import reporter_upsert, staff_member_upsert
from knowledge.demo import demo_articles_seed
from lib.demo_accounts import DEMO_PASSWORD, DEMO_REPORTERS, DEMO_STAFF
from reference.models import Application, Category, Lpse, RatingCategory, TicketType
from reference.services import reference_seed
from sla.seed import sla_seed
from tickets import services
from tickets.attachments import CheckedFile, attachment_check
from tickets.models import Ticket


def _png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A small, valid, single-colour PNG (a stand-in for a screenshot)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class DemoFile:
    name: str
    content: bytes

    def checked(self) -> CheckedFile:
        content_type = "image/png" if self.name.endswith(".png") else "text/plain"
        return attachment_check(SimpleUploadedFile(self.name, self.content, content_type))


def _text_file(name: str, text: str) -> DemoFile:
    return DemoFile(name, text.encode())


SCREENSHOT = DemoFile("tangkapan layar error.png", _png((200, 40, 40)))
FIXED = DemoFile("bukti perbaikan.png", _png((40, 160, 70)))


@dataclass(frozen=True)
class Step:
    """One action on a demo ticket. `actor` is a staff username, or "" for the reporter."""

    action: str
    actor: str = ""
    text: str = ""
    files: tuple[DemoFile, ...] = ()
    stars: int = 0
    categories: tuple[str, ...] = ()
    into: str = ""  # merge: the title of the reporter's ticket to merge into


@dataclass(frozen=True)
class DemoTicket:
    reporter: tuple[str, int]  # (user id, kd_lpse) of a demo reporter
    lpse: int  # the LPSE chosen on the form
    application: str
    category: str
    ticket_type: str
    title: str
    code: str
    error_code: str
    description: str
    steps: tuple[Step, ...] = ()
    files: tuple[DemoFile, ...] = ()
    # When it was filed, and how long each step took after the previous one.
    ago: datetime.timedelta = datetime.timedelta(hours=1)
    gap: datetime.timedelta = datetime.timedelta(hours=1)


def _ago(days: int = 0, *, hours: int = 0, minutes: int = 0) -> datetime.timedelta:
    return datetime.timedelta(days=days, hours=hours, minutes=minutes)


def _chronology(text: str) -> tuple[DemoFile, ...]:
    return (_text_file("catatan kronologi.txt", f"Kronologi: {text}\n"),)


# The reporter files; the steps follow. Titles are unique per reporter (the idempotence key).
DEMO_TICKETS: tuple[DemoTicket, ...] = (
    # --- New, waiting at tier 1 ------------------------------------------------------
    DemoTicket(
        ("penyedia1", 119), 119, "SPSE", "Gagal upload dokumen penawaran", "permasalahan",
        "Gagal upload dokumen penawaran tender pembangunan gedung",
        "9537119", "",
        "Saat mengunggah dokumen penawaran muncul pesan gagal upload. File .rhs sudah "
        "dienkripsi dengan SPAMKODOK versi terbaru. Batas upload penawaran besok pukul 10.00.",
        ago=_ago(hours=3),
    ),
    DemoTicket(
        ("ppk1", 119), 119, "SPSE", "Jadwal tidak bisa diubah", "permasalahan",
        "Jadwal tahap evaluasi tidak bisa diubah", "10045119", "SPSE-ERR-5021",
        "Saat menyimpan perubahan jadwal evaluasi muncul halaman error. Maaf, terjadi error "
        "pada aplikasi SPSE. Kode Error: SPSE-ERR-5021.",
        ago=_ago(hours=5, minutes=20),
    ),
    DemoTicket(
        ("pokja1", 119), 119, "SPSE", "Pertanyaan tidak terkirim", "permasalahan",
        "Jawaban pemberian penjelasan tidak terkirim", "10123119", "",
        "Jawaban Pokja pada tahap pemberian penjelasan tidak tampil di sisi peserta.",
        ago=_ago(hours=4, minutes=10),
    ),
    DemoTicket(
        ("pakpa1", 0), 119, "SIRUP", "RUP tidak tersinkron ke SPSE", "permasalahan",
        "RUP sudah diumumkan tetapi tidak muncul di SPSE", "44604827", "",
        "Paket RUP sudah diumumkan sejak tiga hari lalu tetapi PPK belum bisa memilihnya "
        "saat membuat paket di SPSE.",
        ago=_ago(hours=6, minutes=45),
    ),
    DemoTicket(
        ("adminppe1", 0), 119, "SIRUP", "Manajemen user oleh Admin PPE", "usulan",
        "Usulan fitur nonaktifkan banyak pengguna sekaligus", "", "",
        "Mohon ditambahkan fitur untuk menonaktifkan beberapa akun PPK sekaligus.",
        ago=_ago(1, hours=3),
    ),
    # A tender at LPSE Kota Makassar (WITA): agen2's queue.
    DemoTicket(
        ("penyedia1", 119), 71, "SPSE", "Roaming ke LPSE lain", "permasalahan",
        "Tidak bisa login roaming ke LPSE Kota Makassar",
        "", "",
        "Akun penyedia kami terdaftar di LPSE LKPP. Saat login roaming di LPSE Kota Makassar "
        "muncul pesan user ID tidak ditemukan, padahal tender ditutup lusa.",
        files=(SCREENSHOT,),
        ago=_ago(hours=2, minutes=15),
    ),
    # A tender at LPSE Kota Jayapura (WIT): agen3's queue.
    DemoTicket(
        ("penyedia1", 119), 93, "SPSE", "Gagal kirim penawaran / file .rhs", "permasalahan",
        "File penawaran .rhs tidak terkirim pada tender jalan Kota Jayapura",
        "8814093", "",
        "Proses kirim penawaran berhenti di 99% lalu muncul pesan koneksi terputus. Sudah "
        "dicoba tiga kali dari jaringan kantor dan jaringan seluler.",
        ago=_ago(minutes=50),
    ),
    # --- In progress with agen1 ------------------------------------------------------
    DemoTicket(
        ("ppk1", 119), 119, "SPSE", "Perubahan HPS", "permasalahan",
        "Nilai HPS tidak tersimpan setelah perubahan", "10078119", "",
        "Setelah nilai HPS diubah dan disimpan, halaman kembali menampilkan nilai lama.",
        steps=(
            Step("take", "agen1"),
            Step("reply", "agen1", "Terima kasih, Bapak. Kami sedang memeriksa log "
                 "penyimpanan HPS paket tersebut dan akan mengabari hari ini."),
        ),
        ago=_ago(hours=7, minutes=30),
    ),
    # --- Waiting for penyedia1's feedback ----------------------------------------------
    DemoTicket(
        ("penyedia1", 119), 119, "SPSE", "Pendaftaran penyedia belum diverifikasi",
        "permasalahan",
        "Akun penyedia belum diverifikasi setelah berkas dikirim", "", "",
        "Berkas pendaftaran sudah kami kirim lewat SPSE seminggu lalu tetapi status akun "
        "masih menunggu verifikasi.",
        steps=(
            Step("take", "agen1"),
            Step("request_feedback", "agen1", "Mohon kirimkan tangkapan layar halaman "
                 "status pendaftaran dan nama file berkas yang diunggah."),
        ),
        ago=_ago(1, hours=1),
        gap=datetime.timedelta(hours=2),
    ),
    # --- Waiting for ppk1's confirmation (resolved recently: not due to close yet) -----
    DemoTicket(
        ("ppk1", 119), 119, "SPSE", "Gagal membuat paket", "permasalahan",
        "Tombol simpan paket tidak merespons", "", "",
        "Saat membuat paket baru, tombol Simpan tidak merespons dan paket tidak tersimpan.",
        steps=(
            Step("take", "agen1"),
            Step("reply", "agen1", "Mohon dicoba kembali setelah membersihkan cache "
                 "peramban."),
            Step("resolve", "agen1", "Perbaikan pada form paket sudah dipasang. Silakan "
                 "dicoba kembali; paket seharusnya tersimpan.", files=(FIXED,)),
        ),
        files=(SCREENSHOT,),
        ago=_ago(hours=4),
        gap=datetime.timedelta(minutes=40),
    ),
    # --- Escalated to tier 2, waiting in lkpp1's "Belum diambil" -----------------------
    DemoTicket(
        ("pokja1", 119), 119, "SPSE", "Penawaran tidak terbaca saat pembukaan",
        "permasalahan",
        "Dokumen penawaran peserta tidak terbaca saat pembukaan", "10210119", "",
        "Pada pembukaan penawaran, dua dokumen peserta gagal didekripsi dengan pesan file "
        "rusak.",
        steps=(
            Step("take", "agen1"),
            Step("note", "agen1", "Sudah dicek di server LPSE: file utuh, hash cocok."),
            Step("escalate", "agen1", "Kemungkinan masalah dekripsi di aplikasi; mohon "
                 "dicek Helpdesk Eproc LKPP."),
        ),
        ago=_ago(2, hours=4),
    ),
    # --- Escalated to tier 3, held by teknis1 ------------------------------------------
    DemoTicket(
        ("pp1", 119), 119, "SPSE", "Tanda tangan elektronik gagal", "permasalahan",
        "Tanda tangan elektronik SPMK gagal", "", "",
        "Saat menandatangani SPMK secara elektronik muncul pesan sertifikat tidak valid.",
        steps=(
            Step("take", "agen1"),
            Step("escalate", "agen1", "Sertifikat pengguna valid; perlu LKPP."),
            Step("take", "lkpp1"),
            Step("escalate", "lkpp1", "Error pada layanan tanda tangan; mohon Tim Teknis."),
            Step("take", "teknis1"),
            Step("reply", "teknis1", "Kami sedang menelusuri kendala layanan tanda tangan "
                 "elektronik. Mohon tidak mengulang proses sampai ada kabar dari kami."),
        ),
        ago=_ago(3, hours=5),
        gap=datetime.timedelta(hours=3),
    ),
    # --- Katalog at tier 2, waiting for lkpp2 ------------------------------------------
    DemoTicket(
        ("penyedia1", 119), 119, "KATALOG", "Produk belum tayang", "permasalahan",
        "Produk sudah disetujui tetapi belum tayang di e-Katalog", "", "",
        "Produk kami disetujui lima hari lalu tetapi belum muncul pada pencarian e-Katalog.",
        steps=(
            Step("take", "agen1"),
            Step("escalate", "agen1", "Penayangan produk katalog dikelola LKPP."),
        ),
        files=(SCREENSHOT,),
        ago=_ago(2, hours=2),
    ),
    # --- Closed and rated --------------------------------------------------------------
    DemoTicket(
        ("kuppbj1", 119), 119, "SPSE", "Lupa password / user ID terblokir", "permasalahan",
        "User ID terblokir setelah salah memasukkan password", "", "",
        "User ID kami terblokir setelah tiga kali salah memasukkan password.",
        steps=(
            Step("take", "agen1"),
            Step("resolve", "agen1", "Blokir sudah dibuka dan password direset; silakan "
                 "cek email untuk password sementara."),
            Step("confirm"),
            Step("rate", stars=5, categories=("Respon cepat", "Solusi tepat"),
                 text="Cepat sekali, terima kasih."),
        ),
        ago=_ago(6, hours=1),
    ),
    # --- Force-closed by the reporter (not rated yet: try Beri penilaian) --------------
    DemoTicket(
        ("ppk1", 10), 10, "SPSE", "Halaman error dengan kode error", "permasalahan",
        "Halaman daftar paket menampilkan error 500", "", "SPSE-ERR-500",
        "Halaman daftar paket menampilkan error 500 sejak pagi.",
        steps=(
            Step("take", "agen4"),
            Step("force_close", text="Sudah normal kembali setelah server LPSE dimulai "
                 "ulang."),
        ),
        ago=_ago(4, hours=2),
    ),
    # --- Reopened once, back with agen1 ------------------------------------------------
    DemoTicket(
        ("pokja1", 119), 119, "SPSE", "Undangan pembuktian tidak terkirim", "permasalahan",
        "Undangan pembuktian kualifikasi tidak terkirim ke peserta", "10311119", "",
        "Undangan pembuktian sudah dikirim tetapi peserta tidak menerimanya.",
        steps=(
            Step("take", "agen1"),
            Step("resolve", "agen1", "Antrian email sudah dijalankan ulang; undangan "
                 "terkirim."),
            Step("reopen", text="Peserta kedua masih belum menerima undangan.",
                 files=(_text_file("daftar peserta.txt", "PT Sinar Jaya: belum menerima\n"),)),
        ),
        ago=_ago(3),
        gap=datetime.timedelta(hours=4),
    ),
    # --- A duplicate merged into the reporter's other ticket ---------------------------
    DemoTicket(
        ("ppk1", 119), 119, "SPSE", "Kode RUP tidak muncul saat membuat paket",
        "permasalahan",
        "Kode RUP tidak muncul saat membuat paket", "44712345", "",
        "Kode RUP yang sudah diumumkan tidak muncul di daftar pilihan saat membuat paket.",
        steps=(Step("take", "agen1"),),
        ago=_ago(2),
    ),
    DemoTicket(
        ("ppk1", 119), 119, "SPSE", "Kode RUP tidak muncul saat membuat paket",
        "permasalahan",
        "Kode RUP tidak muncul (kirim ulang)", "44712345", "",
        "Mengirim ulang laporan karena belum ada tanggapan: kode RUP tidak muncul.",
        steps=(Step("merge", "agen1", into="Kode RUP tidak muncul saat membuat paket"),),
        ago=_ago(1, hours=21),
    ),
    # --- Closed automatically: resolved, never confirmed --------------------------------
    DemoTicket(
        ("adminppe1", 0), 119, "SIRUP", "Akun PA/KPA/PPK", "permintaan-layanan",
        "Permintaan reset akun PPK yang pindah tugas", "", "",
        "Mohon akun PPK atas nama Sdr. Wahyu dipindahkan ke satuan kerja baru.",
        steps=(
            Step("take", "agen1"),
            Step("resolve", "agen1", "Akun sudah dipindahkan ke satuan kerja baru."),
            Step("auto_close"),
        ),
        ago=_ago(12),
    ),
)  # fmt: skip


@dataclass
class _Player:
    """Plays a demo ticket's steps through the services, each at its time in the past."""

    reporters: dict[tuple[str, int], User]
    staff: dict[str, User] = field(default_factory=dict)

    def person(self, username: str, reporter: User) -> User:
        if not username:
            return reporter
        if username not in self.staff:
            self.staff[username] = User.objects.get(username=username)
        return self.staff[username]

    def play(self, demo: DemoTicket) -> Ticket:
        reporter = self.reporters[demo.reporter]
        start = timezone.now() - demo.ago
        ticket = services.ticket_create(
            reporter=reporter,
            draft=self.draft(demo, reporter),
            files=[f.checked() for f in (demo.files or _chronology(demo.description))],
            now=start,
        )
        for number, step in enumerate(demo.steps, start=1):
            ticket = self.step(ticket, step, reporter, now=start + demo.gap * number)
        return ticket

    def draft(self, demo: DemoTicket, reporter: User) -> services.TicketDraft:
        application = Application.objects.get(code=demo.application)
        return services.TicketDraft(
            notification_email=reporter.email,
            title=demo.title,
            lpse=Lpse.objects.get(kd_lpse=demo.lpse),
            application=application,
            version=application.versions.first(),  # type: ignore[arg-type]
            ticket_type=TicketType.objects.get(code=demo.ticket_type),
            category=Category.objects.get(
                application=application, name=demo.category, is_leaf=True
            ),
            code=demo.code,
            error_code=demo.error_code,
            description=demo.description,
        )

    def step(self, ticket: Ticket, step: Step, reporter: User, *, now: datetime.datetime) -> Ticket:
        actor = self.person(step.actor, reporter)
        files = [f.checked() for f in step.files]
        common: dict[str, Any] = {"ticket": ticket, "actor": actor, "now": now}
        match step.action:
            case "take":
                return services.ticket_take(**common)
            case "reply":
                return services.ticket_reply(**common, body=step.text, files=files)
            case "note":
                return services.ticket_add_note(**common, body=step.text)
            case "request_feedback":
                return services.ticket_request_feedback(**common, body=step.text, files=files)
            case "resolve":
                return services.ticket_resolve(**common, body=step.text, files=files)
            case "escalate":
                return services.ticket_escalate(**common, note=step.text)
            case "confirm":
                return services.ticket_confirm(**common)
            case "reopen":
                return services.ticket_reopen(**common, body=step.text, files=files)
            case "force_close":
                return services.ticket_force_close(**common, reason=step.text)
            case "rate":
                return services.ticket_rate(
                    **common,
                    stars=step.stars,
                    categories=list(RatingCategory.objects.filter(name__in=step.categories)),
                    comment=step.text,
                )
            case "merge":
                into = reporter.tickets.get(title=step.into)
                return services.ticket_merge(**common, into=into)
            case "auto_close":
                # The periodic job, run when the confirmation became overdue (it closes
                # whatever else was overdue then too, as the real job would have).
                due = services.auto_close_due_at(ticket)
                assert due is not None
                services.tickets_auto_close(now=due)
                ticket.refresh_from_db()
                return ticket
        raise ValueError(f"unknown demo step {step.action!r}")


class Command(BaseCommand):
    help = "Load reference data, demo accounts and demo tickets (idempotent, demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Run even with DEBUG off: this database is a demo (scripts/run_demo.py).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo accounts share one published password, and `admin` is a superuser: run
        # by mistake against a production database they would be open doors.
        if not settings.DEBUG and not options["demo"]:
            raise CommandError(
                "seed_demo creates accounts with a published password (and a superuser); "
                "it runs only with DEBUG=1 or with --demo for a demo database."
            )
        reference_seed()
        sla_seed()
        self._staff()
        reporters = {
            (r.user_id, r.kd_lpse): reporter_upsert(
                source=r.source,
                kd_lpse=r.kd_lpse,
                user_id=r.user_id,
                name=r.name,
                email=r.email,
                role=r.role,
                instansi=r.instansi,
                phone=r.phone,
            )
            for r in DEMO_REPORTERS
        }
        player = _Player(reporters)
        created = 0
        # In the order they were filed, so that numbers follow the creation times (and a
        # duplicate comes after the ticket it is merged into).
        for demo in sorted(DEMO_TICKETS, key=lambda demo: demo.ago, reverse=True):
            if reporters[demo.reporter].tickets.filter(title=demo.title).exists():
                continue
            player.play(demo)
            created += 1
        articles = demo_articles_seed(User.objects.get(username="editor1"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(reporters)} reporters, {created} new demo tickets, "
                f"{articles} new Pusat Bantuan articles."
            )
        )

    def _staff(self) -> None:
        for person in DEMO_STAFF:
            staff_member_upsert(
                username=person.username,
                full_name=person.name,
                email=person.email,
                assignments=list(person.assignments),
                password=DEMO_PASSWORD,
            )
        admin, made = User.objects.get_or_create(
            username="admin",
            defaults={"full_name": "Administrator LPSE Support", "email": "admin@lpse.local"},
        )
        if made or not admin.has_usable_password():
            admin.set_password(DEMO_PASSWORD)
        admin.is_staff = admin.is_superuser = True
        admin.save()
