from django.core.management import call_command

from accounts.models import User
from reference.models import Application, Category, Lpse
from tickets.models import Ticket


def test_seed_demo_is_idempotent(db):
    # When the demo seed runs twice
    call_command("seed_demo")
    first = (User.objects.count(), Ticket.objects.count(), Category.objects.count())
    call_command("seed_demo")
    # Then the second run adds nothing
    assert (User.objects.count(), Ticket.objects.count(), Category.objects.count()) == first
    # And every reporter role has a demo account, plus the two different ppk1
    roles = set(User.objects.exclude(source="").values_list("role", flat=True))
    assert roles == {"ppk", "pokja", "pp", "pelaku_usaha", "kuppbj", "pa_kpa", "admin_ppe"}
    assert User.objects.filter(source_user_id="ppk1").count() == 2
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.password.startswith("argon2")
    assert Ticket.objects.count() == 5


def test_reference_data_covers_the_three_time_zones_and_every_application(db):
    call_command("seed_demo")
    assert set(Lpse.objects.values_list("timezone", flat=True)) == {
        "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura",
    }  # fmt: skip
    for application in Application.objects.all():
        leaves = application.categories.filter(is_leaf=True)
        assert leaves.filter(name="Pertanyaan / Konsultasi").exists(), application.code
        assert application.versions.exists(), application.code
