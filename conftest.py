"""Project-wide test fixtures: reference data and named personas.

Personas: alice (PPK at LPSE 119), bob (Pokja at LPSE 119), carol (the *other* ppk1:
same SPSE user id as alice but at LPSE 10, so a different person), dave (PA/KPA from
SiRUP) and admin (local staff account).
"""

import pytest
from pytest_django.fixtures import Settings

from accounts.models import User
from accounts.services import reporter_upsert
from reference.models import Application, Category, Lpse, TicketType
from reference.services import reference_seed

pytest_plugins = ["testsupport.simulator", "testsupport.browser"]


@pytest.fixture
def reference(db: None) -> None:
    """The default reference data (seeded once; transactional tests may have wiped it)."""
    if not Application.objects.filter(code="SPSE").exists():
        reference_seed()


def _reporter(source: str, kd_lpse: int, user_id: str, name: str, role: str) -> User:
    return reporter_upsert(
        source=source,
        kd_lpse=kd_lpse,
        user_id=user_id,
        name=name,
        email=f"{user_id}@example.go.id",
        role=role,
        instansi="Instansi Uji",
    )


@pytest.fixture
def alice(reference: None) -> User:
    return _reporter("spse", 119, "ppk1", "Alice Pratiwi", "ppk")


@pytest.fixture
def bob(reference: None) -> User:
    return _reporter("spse", 119, "pokja1", "Bob Santoso", "pokja")


@pytest.fixture
def carol(reference: None) -> User:
    return _reporter("spse", 10, "ppk1", "Carol Wulandari", "ppk")


@pytest.fixture
def dave(reference: None) -> User:
    return _reporter("sirup", 0, "pakpa1", "Dave Hartono", "pa_kpa")


@pytest.fixture
def admin_user(reference: None) -> User:
    return User.objects.create_superuser("admin", "admin@example.go.id", "demo1234")


@pytest.fixture
def spse() -> Application:
    return Application.objects.get(code="SPSE")


@pytest.fixture
def lpse_119(reference: None) -> Lpse:
    return Lpse.objects.get(kd_lpse=119)


@pytest.fixture
def upload_category(reference: None) -> Category:
    return Category.objects.get(application__code="SPSE", name="Gagal upload dokumen penawaran")


@pytest.fixture
def problem_type(reference: None) -> TicketType:
    return TicketType.objects.get(code="permasalahan")


@pytest.fixture(autouse=True)
def media_storage(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Every test writes attachments to its own folder, never to the developer's media."""
    location = str(tmp_path_factory.mktemp("media"))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location
