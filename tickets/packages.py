"""Which packages to offer a reporter under "Pilih dari paket saya" on Buat Tiket.

A reporter's identity from the hand-off (source, LPSE at the source, user id, role)
decides which source can list their packages: the Data Warehouse for the SPSE roles that
take part in tenders and non-tenders (PPK, Pokja, PP, Pelaku Usaha as a bidder), SiRUP
for a PA/KPA's RUP packages. Each source's query is off unless configured; a source that
is off, down, slow or confused just offers nothing.
"""

import logging
from collections.abc import Collection

from accounts.models import ReporterRole, SignInSource, User
from integrations.clients import own_packages, own_packages_path
from integrations.http import SourceError
from integrations.types import OwnPackage

logger = logging.getLogger(__name__)

# sign-in source -> (the data source that lists packages, the roles it lists them for)
_SOURCE_OF: dict[str, tuple[str, frozenset[str]]] = {
    SignInSource.SPSE: (
        "dw",
        frozenset(
            {ReporterRole.PPK, ReporterRole.POKJA, ReporterRole.PP, ReporterRole.PELAKU_USAHA}
        ),
    ),
    SignInSource.SIRUP: ("sirup", frozenset({ReporterRole.PA_KPA})),
}
# At most this many are offered; the source lists the newest first.
OFFERED_MAX = 20


def _package_source(reporter: User) -> str | None:
    entry = _SOURCE_OF.get(reporter.source)
    if entry is None or reporter.role not in entry[1] or not reporter.source_user_id:
        return None
    return entry[0]


def own_packages_offered(reporter: User) -> bool:
    """Whether Buat Tiket offers `reporter` a list of their packages (role and setting)."""
    source = _package_source(reporter)
    return source is not None and bool(own_packages_path(source))


def reporter_packages(reporter: User, *, kinds: Collection[str]) -> list[OwnPackage]:
    """The packages of `reporter` of the code `kinds` asked for; [] whenever the source
    is off, cannot say, or lists none."""
    source = _package_source(reporter)
    if source is None or not kinds:
        return []
    try:
        packages = own_packages(
            source,
            kd_lpse=reporter.source_lpse,
            user_id=reporter.source_user_id,
            role=reporter.role,
        )
    except SourceError as error:
        # The list is a convenience: the reporter can still type the code.
        logger.warning("own packages unavailable: source=%s error=%s", source, error)
        return []
    return [package for package in packages if package.kind in kinds][:OFFERED_MAX]
