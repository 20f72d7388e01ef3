"""The import contract (`.importlinter`, `scripts/importlayers.py`) refuses what it must.

`make test` runs `lint-imports` on the real code; these tests show that the contract
type, read from the repository's own configuration, would catch each kind of wrong
import (so a passing `lint-imports` means something)."""

import configparser
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from importlayers import AppLayersContract  # noqa: E402


@pytest.fixture(scope="module")
def contract() -> AppLayersContract:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    options = dict(config["importlinter:contract:layers"])
    name = options.pop("name")
    options.pop("type")
    parsed = {key: [line for line in value.splitlines() if line] for key, value in options.items()}
    roots = [r for r in config["importlinter"]["root_packages"].splitlines() if r]
    return AppLayersContract(name, {"root_packages": roots}, parsed)


def refusal(contract: AppLayersContract, importer: str, imported: str) -> str | None:
    here, there = contract.place(importer), contract.place(imported)
    assert here is not None and there is not None
    return contract.refusal(importer, here, there)


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("notifications.services", "tickets.models"),  # a lower app asks a higher one
        ("sla.clocks", "tickets.access"),
        ("tickets.services", "knowledge.models"),  # tickets is below the knowledge base
        ("knowledge.services", "reports.queries"),  # which is below the reports
        ("knowledge.services", "knowledge.views.public"),
        ("lib.sla", "sla.clocks"),
        ("accounts.models", "reference.admin"),  # the domain asks an interface
        ("tickets.services", "tickets.views.portal"),
        ("api.tickets", "tickets.views.portal"),  # the API asks an HTML view
        ("tickets.views.portal", "api.schemas"),
        ("tickets.views.console", "lpse_support.middleware"),  # an app asks the project
        ("simulator.views.api", "accounts.models"),  # the simulator asks the project
        ("tickets.tests.test_ticket_create", "simulator.people"),  # tests import it
        ("testsupport.simulator", "simulator.people"),
        ("tickets.services", "testsupport.smtp"),  # only tests import test support
        ("api.tickets", "tickets.tests.factories"),
    ],
)
def test_wrong_imports_are_refused(contract: AppLayersContract, importer: str, imported: str):
    assert refusal(contract, importer, imported) is not None


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("tickets.services", "notifications.services"),
        ("tickets.ticket_sla", "sla.clocks"),
        ("knowledge.services", "tickets.access"),
        ("reports.queries", "knowledge.models"),
        ("knowledge.views.console", "knowledge.services"),
        ("sla.clocks", "lib.sla"),
        ("notifications.views", "tickets.access"),  # an interface asks any app
        ("reference.admin", "accounts.audit"),
        ("lpse_support.urls", "api.api"),
        ("tickets.urls_console", "tickets.views.console"),
        ("simulator.views.api", "lib.demo_lpses"),
        ("simulator.tests.test_api", "simulator.views.api"),
        ("tickets.tests.test_ticket_create", "testsupport.simulator"),
        ("accounts.migrations.0001_initial", "lib.devkeys"),
    ],
)
def test_right_imports_pass(contract: AppLayersContract, importer: str, imported: str):
    assert refusal(contract, importer, imported) is None


def test_every_module_has_a_place(contract: AppLayersContract):
    assert contract.place("knowledge_base.services") is None  # a new app must be added first
    knowledge = contract.place("knowledge.services")
    assert knowledge is not None and knowledge.kind == "domain"
    assert contract.place("reports.queries") is not None
    assert contract.place("tickets.synthetic") is not None
