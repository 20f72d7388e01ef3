"""Project-wide test fixtures: reference data and named personas.

Reporters: alice (PPK at LPSE 119), bob (Pokja at LPSE 119), carol (the *other* ppk1:
same SPSE user id as alice but at LPSE 10, so a different person), dave (PA/KPA from
SiRUP). Staff: agent and agent_119_b (tier 1, LPSE 119), agent_other (tier 1, LPSE 10),
lkpp_spse / lkpp_katalog (tier 2), teknis_spse / teknis_katalog (tier 3), supervisor
(national), supervisor_119 (LPSE 119), supervisor_spse_group (the SPSE group) and
admin_user (Django admin, no assignment). Scopes an admin creates by
accident: supervisor_empty_group, lkpp_empty_group and teknis_empty_group hold an
assignment to an application group that has no applications yet; agent_removed lost
their assignment and agent_deactivated their account.
"""

from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import Settings
from pytest_django.plugin import DjangoDbBlocker, blocking_manager_key

from accounts.models import User
from accounts.services import reporter_upsert, staff_member_upsert
from reference.models import Application, ApplicationGroup, Category, Lpse, TicketType
from testsupport.refdata import default_reference_data

# CI runs on a busy 2-core machine: no property test may fail for taking long.
hypothesis_settings.register_profile("lpse", deadline=None)
hypothesis_settings.load_profile("lpse")

pytest_plugins = [
    "testsupport.simulator",
    "testsupport.browser",
    "testsupport.live_server",
    "testsupport.smtp",
    "testsupport.redis",
    "testsupport.s3",
    "testsupport.replica",
    # Sessions left on the test database at the end of a PostgreSQL run, named.
    "testsupport.dbsessions",
    # --shard 1|2: the PostgreSQL pass in two parts, each on a cluster of its own.
    "testsupport.shards",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The test database, with the default reference data committed in it once: a test's
    own transaction then finds it there (copying it into each test cost ~130 ms a test)."""
    with django_db_blocker.unblock():
        default_reference_data()


# Fixtures of tests that run without a transaction of their own; the database is
# emptied after each (Django's TransactionTestCase flush).
FLUSHING_FIXTURES = frozenset(
    {
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool(FLUSHING_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After a test that emptied the database, the reference data is committed again
    (not after the last test: the test database is gone by then)."""
    yield
    if nextitem is not None and _flushes_the_database(item):
        with item.config.stash[blocking_manager_key].unblock():
            default_reference_data()


@pytest.fixture
def reference(db: None) -> None:
    """The default reference data (committed once for the run, and again after a test
    that empties the database; seeded here only if a test's own rows replaced it)."""
    if not Application.objects.filter(code="SPSE").exists():
        default_reference_data()  # reference_seed() and sla_seed(), copied after the first


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


def _staff(username: str, *assignments: tuple[str, int | None, str | None]) -> User:
    return staff_member_upsert(
        username=username,
        full_name=username.replace("_", " ").title(),
        email=f"{username}@lkpp.example",
        assignments=[(role, kd, group, "") for role, kd, group in assignments],
        password="demo1234",
    )


@pytest.fixture
def agent(reference: None) -> User:
    """Tier 1 at LPSE 119 (alice's and bob's LPSE)."""
    return _staff("agent_119", ("agent", 119, None))


@pytest.fixture
def agent_119_b(reference: None) -> User:
    """A colleague of `agent` at LPSE 119."""
    return _staff("agent_119_b", ("agent", 119, None))


@pytest.fixture
def agent_other(reference: None) -> User:
    """Tier 1 at LPSE 10 (carol's LPSE), not 119."""
    return _staff("agent_10", ("agent", 10, None))


@pytest.fixture
def lkpp_spse(reference: None) -> User:
    return _staff("lkpp_spse", ("lkpp", None, "spse"))


@pytest.fixture
def lkpp_katalog(reference: None) -> User:
    return _staff("lkpp_katalog", ("lkpp", None, "katalog"))


@pytest.fixture
def teknis_spse(reference: None) -> User:
    return _staff("teknis_spse", ("technical", None, "spse"))


@pytest.fixture
def teknis_katalog(reference: None) -> User:
    return _staff("teknis_katalog", ("technical", None, "katalog"))


@pytest.fixture
def supervisor(reference: None) -> User:
    return _staff("supervisor_national", ("supervisor", None, None))


@pytest.fixture
def supervisor_119(reference: None) -> User:
    """Supervisor of LPSE 119 only."""
    return _staff("supervisor_119", ("supervisor", 119, None))


@pytest.fixture
def supervisor_spse_group(reference: None) -> User:
    """Supervisor of the SPSE application group (SPSE, SIKaP, Portal eProc, Inaproc)."""
    return _staff("supervisor_spse", ("supervisor", None, "spse"))


@pytest.fixture
def empty_group(reference: None) -> ApplicationGroup:
    """An application group an admin created and has not filled with applications yet."""
    group, _ = ApplicationGroup.objects.get_or_create(
        code="grup-baru", defaults={"name": "Grup Baru"}
    )
    return group


@pytest.fixture
def supervisor_empty_group(empty_group: ApplicationGroup) -> User:
    return _staff("supervisor_grup_baru", ("supervisor", None, empty_group.code))


@pytest.fixture
def lkpp_empty_group(empty_group: ApplicationGroup) -> User:
    return _staff("lkpp_grup_baru", ("lkpp", None, empty_group.code))


@pytest.fixture
def teknis_empty_group(empty_group: ApplicationGroup) -> User:
    return _staff("teknis_grup_baru", ("technical", None, empty_group.code))


@pytest.fixture
def agent_removed(reference: None) -> User:
    """Was tier 1 at LPSE 119 until an admin removed the assignment (sessions and
    tokens opened before live on)."""
    user = _staff("agent_119_removed", ("agent", 119, None))
    user.assignments.all().delete()
    return user


@pytest.fixture
def agent_deactivated(reference: None) -> User:
    """Tier 1 at LPSE 119 whose account an admin deactivated (tokens made before live on)."""
    user = _staff("agent_119_off", ("agent", 119, None))
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


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


@pytest.fixture(autouse=True)
def kept(settings: Settings):
    """What each process keeps from the database (the reference book, the SLA calendar
    book, the category model and article index of the suggestions) kept as in production,
    and nothing a former test kept: every test starts with none of them.

    Within a test they are read afresh as in production: after a save of one of their
    rows (signals), at once in this process. Reading them on every request instead (the
    settings at 0, as tests once did) cost 20–70 ms a request: half the time of a test
    that makes thousands. A test of reading every time sets the setting to 0 itself."""
    from knowledge.categories import model_freshness
    from knowledge.suggest import articles_freshness
    from reference import book
    from sla import calendars

    def forget() -> None:
        book._current = None
        calendars._current = None
        model_freshness.forget()
        articles_freshness.forget()

    settings.REFERENCE_CACHE_SECONDS = 60
    settings.SLA_CALENDAR_CACHE_SECONDS = 60
    settings.SUGGESTIONS_CACHE_SECONDS = 60
    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def live_slot_held(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The live stamps' five-minute slot (tickets/live.py) is held still in every test:
    a test that compares two pages' stamps, or counts kept under a stamp, must not see
    them differ because the clock crossed a multiple of five minutes between two requests
    (a CI run at 22:59:59 did). Tests of the slot itself carry the marker `moving_live_slot`.
    """
    if request.node.get_closest_marker("moving_live_slot") is None:
        from tickets import live

        monkeypatch.setattr(live, "_time_slot", lambda: 0)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Every test starts with an empty cache: nothing a former test built (a report page
    kept for minutes, a rate-limit count, a calendar) answers for this one's data."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings: Settings) -> None:
    """New passwords are hashed with MD5 in tests: argon2 costs about half a second per
    hash on the CI machine, and most personas get a password. Hashes made elsewhere
    (argon2, PBKDF2) still verify. Tests of the deployed hashing carry the marker
    `production_password_hashers`.
    """
    if request.node.get_closest_marker("production_password_hashers") is None:
        settings.PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.MD5PasswordHasher",
            *settings.PASSWORD_HASHERS,
        ]


@pytest.fixture(autouse=True)
def integrations_offline(settings: Settings) -> None:
    """Outside sources are unreachable unless a test points them at the simulator.

    A closed loopback port refuses at once, so tickets are filed as "source down"
    without waiting; tests of validation use `sources_online`.
    """
    from integrations.http import reset_state

    for source in ("DW", "KATALOG", "SIRUP"):
        setattr(settings, f"INTEGRATION_{source}_URL", "http://127.0.0.1:9")
    settings.INTEGRATION_RETRIES = 0
    reset_state()


@pytest.fixture
def sources_online(settings: Settings, standalone_simulator: str) -> str:
    """Point the Data Warehouse, Katalog and SiRUP clients at the local simulator."""
    from integrations.http import reset_state

    for source in ("DW", "KATALOG", "SIRUP"):
        setattr(settings, f"INTEGRATION_{source}_URL", standalone_simulator)
    settings.INTEGRATION_READ_TIMEOUT = 1
    reset_state()
    return standalone_simulator
