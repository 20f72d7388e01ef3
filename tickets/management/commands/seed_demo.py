"""Load reference data and the demo's people and tickets. Demo only; safe to run again."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.services import reporter_upsert, staff_member_upsert
from lib.demo_accounts import DEMO_PASSWORD, DEMO_REPORTERS, DEMO_STAFF
from reference.models import Application, Category, Lpse, TicketType
from reference.services import reference_seed
from tickets.attachments import attachment_check
from tickets.services import TicketDraft, ticket_create

# (reporter user id, kd_lpse, app, category, ticket type, title, code, error code, description)
DEMO_TICKETS = [
    (
        "penyedia1", 119, "SPSE", "Gagal upload dokumen penawaran", "permasalahan",
        "Gagal upload dokumen penawaran tender pembangunan gedung",
        "9537119", "",
        "Saat mengunggah dokumen penawaran muncul pesan gagal upload. File .rhs sudah "
        "dienkripsi dengan SPAMKODOK versi terbaru. Batas upload penawaran besok pukul 10.00.",
    ),
    (
        "ppk1", 119, "SPSE", "Jadwal tidak bisa diubah", "permasalahan",
        "Jadwal tahap evaluasi tidak bisa diubah", "10045119", "SPSE-ERR-5021",
        "Saat menyimpan perubahan jadwal evaluasi muncul halaman error. Maaf, terjadi error "
        "pada aplikasi SPSE. Kode Error: SPSE-ERR-5021.",
    ),
    (
        "pokja1", 119, "SPSE", "Pertanyaan tidak terkirim", "permasalahan",
        "Jawaban pemberian penjelasan tidak terkirim", "10123119", "",
        "Jawaban Pokja pada tahap pemberian penjelasan tidak tampil di sisi peserta.",
    ),
    (
        "pakpa1", 0, "SIRUP", "RUP tidak tersinkron ke SPSE", "permasalahan",
        "RUP sudah diumumkan tetapi tidak muncul di SPSE", "44604827", "",
        "Paket RUP sudah diumumkan sejak tiga hari lalu tetapi PPK belum bisa memilihnya "
        "saat membuat paket di SPSE.",
    ),
    (
        "adminppe1", 0, "SIRUP", "Manajemen user oleh Admin PPE", "usulan",
        "Usulan fitur nonaktifkan banyak pengguna sekaligus", "", "",
        "Mohon ditambahkan fitur untuk menonaktifkan beberapa akun PPK sekaligus.",
    ),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load reference data, demo accounts and demo tickets (idempotent, demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        reference_seed()
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
        created = 0
        for user_id, kd_lpse, app, category, ticket_type, title, code, error, text in DEMO_TICKETS:
            reporter = reporters[(user_id, kd_lpse)]
            if reporter.tickets.filter(title=title).exists():
                continue
            application = Application.objects.get(code=app)
            lpse = reporter.lpse or Lpse.objects.get(kd_lpse=119)
            note = SimpleUploadedFile(
                "catatan kronologi.txt",
                f"Kronologi: {text}\n".encode(),
                content_type="text/plain",
            )
            ticket_create(
                reporter=reporter,
                draft=TicketDraft(
                    notification_email=reporter.email,
                    title=title,
                    lpse=lpse,
                    application=application,
                    version=application.versions.first(),  # type: ignore[arg-type]
                    ticket_type=TicketType.objects.get(code=ticket_type),
                    category=Category.objects.get(
                        application=application, name=category, is_leaf=True
                    ),
                    code=code,
                    error_code=error,
                    description=text,
                ),
                files=[attachment_check(note)],
            )
            created += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(reporters)} reporters, {created} new demo tickets."
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
