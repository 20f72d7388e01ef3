"""Property-based fuzzing of the whole OpenAPI document (schemathesis).

The document is loaded from the app itself (`/api/v1/openapi.json`, through the WSGI
application in this process), and every operation is called with generated data,
positive and negative, once with a reporter's token (alice) and once with a staff
token (agent), while a few real tickets exist in several states: the path parameter
`number` is a real ticket number in about half of the cases, `sequence` a real
attachment's, so requests reach the endpoints' logic and not only their 404, and every
integer of the document is now and then one past the database's 64-bit range.

Checks: no 5xx, every status code documented, the content type documented, the body
matching its schema. Each example runs in a savepoint that is rolled back, so every
example sees the same tickets whatever the previous one did, and the rate-limit
counters (rows in the database) start afresh with each request.

Budget: `API_FUZZ_EXAMPLES` generated examples per operation (default 15 on PostgreSQL,
production's database, and 8 on SQLite, whose pass runs beside it on the other core of
`make test`'s two) on top of schemathesis' coverage cases. Generation is deterministic
(`API_FUZZ_SEED`, default 0 on PostgreSQL and 1 on SQLite, so that `make test`'s two
passes try different data), so a CI failure reproduces locally on the same database. A
longer run: `make fuzz-api` (500 examples), other data: `API_FUZZ_SEED=2`. A failure
shows the request as curl, and the server's traceback.
"""

import os
import traceback
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.http import HttpRequest
from pytest_django.fixtures import Settings
from schemathesis.specs.openapi.schemas import OpenApiSchema

from accounts.models import User
from accounts.tokens import api_token_create
from tickets import services
from tickets.models import Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket


def fuzz_examples() -> int:
    """Examples per operation: API_FUZZ_EXAMPLES, else 15 on PostgreSQL and 8 on SQLite."""
    default = "15" if connection.vendor == "postgresql" else "8"
    return int(os.environ.get("API_FUZZ_EXAMPLES", default))


def fuzz_seed() -> int:
    """The seed: API_FUZZ_SEED, else one per database (both passes of `make test` run)."""
    return int(os.environ.get("API_FUZZ_SEED", "0" if connection.vendor == "postgresql" else "1"))


# The definition of done: no 5xx, and every response as the document says.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
PERSONAS = ("reporter", "staff")
# Past the 64-bit range first: deterministic generation favours a dictionary's first values.
EXTREME_INTEGERS = [2**63, -(2**63) - 1, 10**30, 2**63 - 1, 2**31, 0, -1]


class ServerErrors:
    """Tracebacks of exceptions Django turned into a 500 (the response has none)."""

    def __init__(self) -> None:
        self.tracebacks: list[str] = []

    def record(self, sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
        self.tracebacks.append(traceback.format_exc())


@pytest.fixture
def in_process_wsgi(settings: Settings) -> Iterator[WSGIHandler]:
    """Django's WSGI application, usable inside the test's transaction.

    As Django's test client does: requests do not close the database connection (that
    would end the test's transaction), and schemathesis' WSGI host is allowed.
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # Outside sources never answer: code lookups fail fast and the same way every run.
    settings.INTEGRATION_DW_URL = "http://127.0.0.1:9"
    settings.INTEGRATION_KATALOG_URL = "http://127.0.0.1:9"
    settings.INTEGRATION_SIRUP_URL = "http://127.0.0.1:9"
    settings.INTEGRATION_RETRIES = 0
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors() -> Iterator[ServerErrors]:
    errors = ServerErrors()
    got_request_exception.connect(errors.record)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(errors.record)


@pytest.fixture
def fuzz_tickets(alice: User, bob: User, carol: User, agent: User) -> list[Ticket]:
    """Tickets in several states: new, in progress, awaiting confirmation, others' own."""
    fresh = make_ticket(alice, files={"bukti.png": samples.PNG, "surat.pdf": samples.PDF})
    taken = services.ticket_take(ticket=make_ticket(alice, title="Sedang ditangani"), actor=agent)
    services.ticket_reply(ticket=taken, actor=agent, body="Sedang kami periksa.")
    services.ticket_add_note(ticket=taken, actor=agent, body="Catatan internal.")
    resolved = services.ticket_take(ticket=make_ticket(alice, title="Sudah selesai"), actor=agent)
    resolved = services.ticket_resolve(ticket=resolved, actor=agent, body="Sudah diperbaiki.")
    # bob's is hidden from alice but in agent's queue; carol's (LPSE 10) hidden from both.
    return [fresh, taken, resolved, make_ticket(bob), make_ticket(carol)]


@pytest.fixture(params=PERSONAS)
def fuzz_persona(request: pytest.FixtureRequest) -> User:
    user: User = request.getfixturevalue("alice" if request.param == "reporter" else "agent")
    return user


@pytest.fixture
def status_counts(fuzz_persona: User) -> Iterator[Counter[int]]:
    """Status codes answered; the run must not be all refusals (a vacuous fuzz)."""
    counts: Counter[int] = Counter()
    yield counts
    seen = dict(sorted(counts.items()))
    print(f"\n{fuzz_persona.username}: {sum(counts.values())} requests answered {seen}")
    assert counts[200] > 0, f"no request succeeded: {dict(counts)}"


@pytest.fixture
def pytest9_nodeid(request: pytest.FixtureRequest) -> None:
    """schemathesis' lazy `parametrize` reads and rewrites `node._nodeid`, which pytest 9.2
    no longer has (nodes keep `_id`): without it every run dies with AttributeError."""
    node = request.node
    if not hasattr(node, "_nodeid"):
        node._nodeid = node.nodeid


def _is_integer(schema: dict[str, Any]) -> bool:
    variants = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    return any(variant.get("type") == "integer" for variant in variants)


def integer_fields(document: dict[str, Any]) -> set[str]:
    """Every integer of the document as a schemathesis binding key: `query.application`,
    `path.sequence`, `body.stars`, `body.categories[*]` (lists of integers)."""
    components = document.get("components", {}).get("schemas", {})

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref", "")
        return resolve(components[ref.rsplit("/", 1)[-1]]) if ref else schema

    found: set[str] = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if _is_integer(resolve(parameter["schema"])):
                    found.add(f"{parameter['in']}.{parameter['name']}")
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for name, field in resolve(media["schema"]).get("properties", {}).items():
                    field = resolve(field)
                    if _is_integer(field):
                        found.add(f"body.{name}")
                    elif field.get("type") == "array" and _is_integer(
                        resolve(field.get("items", {}))
                    ):
                        found.add(f"body.{name}[*]")
    return found


@pytest.fixture
def api_schema(
    pytest9_nodeid: None,
    db: None,
    in_process_wsgi: WSGIHandler,
    fuzz_persona: User,
    fuzz_tickets: list[Ticket],
) -> OpenApiSchema:
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_wsgi).raw_schema
    _token, raw = api_token_create(user=fuzz_persona, name="fuzz")
    numbers = [ticket.number for ticket in fuzz_tickets]
    # Boundary integers now and then in every integer (ids past the database's range),
    # real values where they matter: ticket numbers, attachment sequences, usernames.
    parameters: dict[str, dict[str, Any]] = {
        key: {"dictionary": "extremes", "probability": 0.3} for key in integer_fields(document)
    }
    parameters |= {
        "path.number": {"dictionary": "tickets", "probability": 0.5},
        "path.sequence": {"dictionary": "sequences", "probability": 0.5},
        "body.into": {"dictionary": "tickets", "probability": 0.5},
        "body.assignee": {"dictionary": "assignees", "probability": 0.5},
    }
    config = schemathesis.Config.from_dict(
        {
            "seed": fuzz_seed(),
            "suppress-health-check": ["all"],
            "headers": {"Authorization": f"Bearer {raw}"},
            "generation": {
                "mode": "all",
                "max-examples": fuzz_examples(),
                "deterministic": True,
                "database": "none",
            },
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
            },
            "phases": {"stateful": {"enabled": False}},
            "dictionaries": {
                "tickets": {"values": numbers},
                "sequences": {"values": [1, 2, 3, *EXTREME_INTEGERS]},
                "assignees": {"values": ["agent_119", "agent_119_b", "lkpp_spse"]},
                "extremes": {"values": EXTREME_INTEGERS},
            },
            "parameters": parameters,
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_wsgi, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db
@schema.parametrize()
def test_api_fuzz(
    case: schemathesis.Case,
    server_errors: ServerErrors,
    status_counts: Counter[int],
) -> None:
    server_errors.tracebacks.clear()
    with transaction.atomic():
        try:
            response = case.call_and_validate()
            status_counts[response.status_code] += 1
        except BaseException as error:
            for found in server_errors.tracebacks:
                error.add_note(f"\nServer-side traceback:\n{found}")
            raise
        finally:
            transaction.set_rollback(True)
