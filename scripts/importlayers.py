"""The import-linter contract type of `.importlinter`: apps in layers, interfaces on top.

import-linter's own `layers` contract cannot say what this project needs: a domain app
(say `notifications`) is one layer, but its views, commands and admin belong to the
interface layer above every app, and a layer may not contain another. This contract
classifies each module once and checks every direct import against the classes:

- `interface`: module patterns top to bottom (shell patterns name by name; a pattern covers the
  module and everything below it). A line may hold several patterns separated by `|`:
  they are independent of each other (the API imports no HTML view, nor a view the API).
  An interface module imports the domain, lower interface lines, and its own pattern.
- `layers`: the domain apps top to bottom. A domain module imports its own app and the
  apps below it, and never an interface module.
- `apart`: packages that import only `apart_may_import` and that nothing outside them
  imports, tests included (the simulator: the tests reach it over HTTP).
- `test_only`: packages only tests import (test support).
- `tests`: test modules; they may import anything. `ignore`: not checked (migrations).

Every module of the root packages must fall into one class, so a new module is checked
the day it is written. Run by `make test` / `make lint` as `lint-imports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import cast

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck, InvalidContractOptions


def _matches(pattern: str, module: str) -> bool:
    """Name by name as shell patterns: `*.views` matches `tickets.views` and
    `tickets.views.portal`, `*.urls*` matches `tickets.urls_console`, `api` `api.x`."""
    want = pattern.split(".")
    parts = module.split(".")
    if len(parts) < len(want):
        return False
    return all(fnmatchcase(p, w) for w, p in zip(want, parts, strict=False))


@dataclass(frozen=True)
class Place:
    kind: str  # interface | domain | apart | test_only | tests | ignore
    rank: int = 0  # lower is higher up (interface line, domain layer)
    member: str = ""  # the pattern or app that placed it


class AppLayersContract(Contract):
    layers = fields.ListField(subfield=fields.StringField())
    interface = fields.ListField(subfield=fields.StringField())
    apart = fields.ListField(subfield=fields.StringField(), required=False)
    apart_may_import = fields.ListField(subfield=fields.StringField(), required=False)
    test_only = fields.ListField(subfield=fields.StringField(), required=False)
    tests = fields.ListField(subfield=fields.StringField(), required=False)
    ignore = fields.ListField(subfield=fields.StringField(), required=False)

    def validate(self) -> None:
        if not self.layers:
            raise InvalidContractOptions({"layers": "At least one layer is needed."})

    def _option(self, name: str) -> list[str]:
        return list(cast("list[str] | None", getattr(self, name)) or [])

    def _lines(self) -> list[list[str]]:
        return [[p.strip() for p in line.split("|")] for line in self._option("interface")]

    def place(self, module: str) -> Place | None:
        for pattern in self._option("ignore"):
            if _matches(pattern, module):
                return Place("ignore", member=pattern)
        for pattern in self._option("tests"):
            if _matches(pattern, module):
                return Place("tests", member=pattern)
        for name in self._option("apart"):
            if _matches(name, module):
                return Place("apart", member=name)
        for name in self._option("test_only"):
            if _matches(name, module):
                return Place("test_only", member=name)
        for rank, line in enumerate(self._lines()):
            for pattern in line:
                if _matches(pattern, module):
                    return Place("interface", rank, pattern)
        for rank, app in enumerate(self._option("layers")):
            if _matches(app, module):
                return Place("domain", rank, app)
        return None

    def refusal(self, source: str, importer: Place, imported: Place) -> str | None:
        """Why `source` (placed at `importer`) may not import a module placed at `imported`,
        or None when it may."""
        if imported.kind == "apart" and _matches(imported.member, source):
            return None
        if imported.kind == "apart" and importer.kind != "ignore":
            # Not even tests: they reach it over HTTP.
            return f"{imported.member} stands apart: nothing imports it"
        if importer.kind in ("tests", "ignore") or imported.kind == "ignore":
            return None
        if imported.kind == "tests":
            return "tests are imported by nothing"
        if imported.kind == "test_only":
            ok = importer.kind == "test_only"
            return None if ok else f"{imported.member} is imported by tests only"
        if importer.kind == "apart":
            allowed = set(self._option("apart_may_import"))
            ok = imported.kind == "domain" and imported.member in allowed
            return None if ok else f"{importer.member} imports only {', '.join(sorted(allowed))}"
        if importer.kind == "test_only":
            return None
        if importer.kind == "domain":
            if imported.kind == "interface":
                return "the domain imports no interface module"
            ok = imported.rank >= importer.rank
            return None if ok else f"{importer.member} is below {imported.member}"
        # An interface module.
        if imported.kind == "domain":
            return None
        if imported.rank > importer.rank or imported.member == importer.member:
            return None
        if imported.rank == importer.rank:
            return f"{importer.member} and {imported.member} are independent"
        return f"{importer.member} is below {imported.member}"

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        roots = set(self.session_options["root_packages"])
        ours = sorted(m for m in graph.modules if m.split(".")[0] in roots)
        unplaced = [m for m in ours if self.place(m) is None]
        broken: list[tuple[str, str, str, list[int]]] = []
        for importer in ours:
            here = self.place(importer)
            if here is None:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                there = self.place(imported)
                if there is None or imported.split(".")[0] not in roots:
                    continue
                why = self.refusal(importer, here, there)
                if why is not None:
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = [d["line_number"] for d in details]
                    broken.append((importer, imported, why, lines))
        return ContractCheck(
            kept=not broken and not unplaced,
            metadata={"broken": broken, "unplaced": unplaced},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module in check.metadata["unplaced"]:
            output.print_error(f"{module} is in no layer of the contract.")
        for importer, imported, why, lines in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} -> {imported} ({where}): {why}.")
        output.new_line()
