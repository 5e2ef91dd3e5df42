"""Issue 13 layering: ingest/ composes the stages; criteria/ does not know the database and the
store's write side does not know the registry's model."""

from __future__ import annotations

import ast
from pathlib import Path

import trialscout

PKG = Path(trialscout.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _offenders(package: str, forbidden: tuple[str, ...], allowed=()) -> list[str]:
    return sorted(
        f"{p.relative_to(PKG)}: {name}"
        for p in (PKG / package).rglob("*.py")
        if p.name not in allowed
        for name in _imports(p)
        if name.startswith(forbidden)
    )


def test_criteria_does_not_import_store_or_ingest():
    assert _offenders("criteria", ("trialscout.store", "trialscout.ingest")) == []


def test_store_writes_without_the_registry_model():
    # store/trials.py is the read API that returns Trial objects to the stages (documented);
    # everything that writes (records, db, diff, migrations) is model-agnostic.
    assert _offenders("store", ("trialscout.registry",), allowed=("trials.py",)) == []


def test_one_writer_of_parsed_criteria():
    writers = sorted(
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if "INSERT OR REPLACE INTO trial_criteria" in p.read_text()
        or "INSERT INTO trial_criteria" in p.read_text()
    )
    assert writers == ["ingest/criteria_store.py"]
