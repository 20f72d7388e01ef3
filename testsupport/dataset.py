"""A data set written once for a module's tests, instead of once per test.

Some tests read a few thousand generated tickets and change nothing of them (reports
against a brute force, the synthetic data's consistency). Writing them cost 5–13 s a
test, and on PostgreSQL as much again at teardown, when Django checks the rows' deferred
foreign keys before the rollback. Written once and committed, they are read by each
test in its own transaction (rolled back as usual: what a test writes is gone after it);
when the module's last test has run, the database is emptied and the default reference
data committed again, as after a transactional test.

    @pytest.fixture(scope="module")
    def generated_once(django_db_setup, django_db_blocker):
        yield from committed_for_module(django_db_blocker, write_the_rows)

Only for modules whose every test may see the rows: a module-scoped fixture lives from
its first user to the module's end.
"""

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.core.management import call_command
from django.test.utils import override_settings
from pytest_django import DjangoDbBlocker

from testsupport.refdata import default_reference_data

# New passwords of generated users: MD5 in tests (see conftest.fast_password_hashing,
# which is per test and not yet in force for a module's fixture).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


T = TypeVar("T")


def committed_for_module(blocker: DjangoDbBlocker, write: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture: `write()` commits its rows and its result is yielded;
    after the module (or if writing failed) the database is emptied and the reference
    data seeded again. The database is open to `write` alone, not to the tests."""
    try:
        with blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            value = write()
        yield value
    finally:
        with blocker.unblock():
            # As Django's TransactionTestCase empties it: the sequences go on (the
            # reference rows come back with their own ids).
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
            default_reference_data()
