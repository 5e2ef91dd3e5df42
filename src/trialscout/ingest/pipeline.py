"""Wires the stages together: which derived indexes an ingest keeps up to date.

The core stages do not know each other; this module is the one place that composes them, so
the CLI and the web app share one definition of "ingest" and "open the database".
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from trialscout.ingest.load import (  # noqa: F401 - re-exported for benches
    IndexHook,
    IngestReport,
    ingest_records,
    preparers,
)
from trialscout.registry.parallel import convert_parallel  # noqa: F401 - re-exported
from trialscout.registry.sources import SourceRecord, find_records
from trialscout.store.db import Database
from trialscout.store.trials import KnownVersions

# Derived-index writers, each `fn(conn, trial)`: run in the record's transaction on new or
# changed versions. Listed as "module:function" so stages stay decoupled.
HOOKS = (
    "trialscout.search.index:index_trial",
    "trialscout.criteria.storage:store_criteria",
    "trialscout.alerts.changes:record_changes",
)


# Run once after every ingest run, `fn(db)`: e.g. merging the full-text index's segments, which
# per-record writes leave fragmented (queries on an unmerged index are several times slower).
AFTER_INGEST = ("trialscout.search.index:after_ingest",)


def _load(specs: Iterable[str]) -> list[Callable]:
    return [getattr(importlib.import_module(m), f) for m, f in (s.split(":") for s in specs)]


def default_hooks() -> list[IndexHook]:
    return _load(HOOKS)


def open_db(path: str | Path | None = None) -> Database:
    return Database(path)


def ingest(
    db: Database,
    records: Iterable[SourceRecord],
    *,
    sources: str = "",
    on_record: Callable[[SourceRecord], None] | None = None,
) -> IngestReport:
    report = ingest_records(
        db, records, sources=sources, hooks=default_hooks(), on_record=on_record
    )
    for step in _load(AFTER_INGEST):
        step(db)
    return report


def default_workers() -> int:
    return min(os.cpu_count() or 1, 4)


def read_for_ingest(
    paths: Iterable[str | Path], workers: int | None = None, db: Database | None = None
):
    """Records from files, converted (and their index payloads prepared) on `workers` cores.
    With `db`, payloads are not prepared for records whose content is already stored."""
    workers = default_workers() if workers is None else workers
    known = KnownVersions(db.path) if db is not None and db.path != ":memory:" else None
    return convert_parallel(
        find_records(paths), preparers(default_hooks()), workers=workers, known=known
    )


def ingest_paths(
    db: Database, paths: Iterable[str | Path], *, workers: int | None = None, **kw
) -> IngestReport:
    paths = [str(p) for p in paths]
    return ingest(db, read_for_ingest(paths, workers, db), sources=" ".join(paths), **kw)


def demo_paths() -> list[Path]:
    """The bundled demo data: real registry records plus the five reference trials."""
    root = Path(__file__).parent.parent / "data" / "demo"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith((".json", ".gz")))


def load_demo(db: Database, **kw) -> IngestReport:
    return ingest_paths(db, demo_paths(), **kw)
