"""Wires the stages together: which derived indexes an ingest keeps up to date.

The core stages do not know each other; this module is the one place that composes them, so
the CLI and the web app share one definition of "ingest" and "open the database".

An ingest stores records first (workers convert, the main process writes; only the alerts'
change events are written in the record's transaction), then runs the index steps
(`derived`): search, after which every stored trial is searchable, then parsed criteria.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from trialscout.ingest import derived
from trialscout.ingest.load import (  # noqa: F401 - re-exported for benches
    ENCODED,
    IndexHook,
    IngestReport,
    ingest_records,
    preparers,
)
from trialscout.ingest.records import KnownVersions, encode  # noqa: F401 - re-exported
from trialscout.ingest.steps import IndexStep, Progress, StepReport, run_step
from trialscout.registry.parallel import convert_parallel  # noqa: F401 - re-exported
from trialscout.registry.sources import SourceRecord, find_records
from trialscout.store.db import Database

# Derived-index writers, each `fn(conn, trial)`: run in the record's transaction on new or
# changed versions. Listed as "module:function" so stages stay decoupled.
HOOKS = (
    "trialscout.search.index:index_trial",
    "trialscout.ingest.criteria_store:store_criteria",
    "trialscout.alerts.changes:record_changes",
)


# Written in the record's own transaction by a store-first ingest: change events compare the
# new version with the one it replaces, so they belong to the write itself.
LOAD_HOOKS = ("trialscout.alerts.changes:record_changes",)

# Run once after the search step indexed anything, `fn(db)`: e.g. merging the full-text index's segments, which
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
    workers: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Store the records, then bring every derived index up to date (`index`)."""
    report = ingest_records(
        db, records, sources=sources, hooks=_load(LOAD_HOOKS), on_record=on_record
    )
    index(db, workers=workers, progress=progress)
    return report


def index_steps() -> list[IndexStep]:
    return [derived.SEARCH, derived.fulltext_step(), derived.criteria_step()]


def index(
    db: Database, *, workers: int | None = None, progress: Progress | None = None
) -> list[StepReport]:
    """Run every index step over what is stored and not yet indexed (restartable)."""
    workers = default_workers() if workers is None else workers
    reports = []
    for step in index_steps():
        if step.name == "criteria":
            with db.transaction() as conn:
                derived.keep_unchanged_criteria(conn, int(step.version))
        report = run_step(db, step, workers=workers, progress=progress)
        if step.name == "search" and report.indexed:
            for after in _load(AFTER_INGEST):
                after(db)
        reports.append(report)
    return reports


def default_workers() -> int:
    return min(os.cpu_count() or 1, 4)


def read_for_ingest(
    paths: Iterable[str | Path], workers: int | None = None, db: Database | None = None
):
    """Records from files, converted on `workers` cores (derived indexes are built after
    storing, by the index steps; `db` is accepted for callers of the older signature)."""
    workers = default_workers() if workers is None else workers
    return convert_parallel(find_records(paths), {ENCODED: encode}, workers=workers)


def ingest_paths(
    db: Database, paths: Iterable[str | Path], *, workers: int | None = None, **kw
) -> IngestReport:
    paths = [str(p) for p in paths]
    records = read_for_ingest(paths, workers, db)
    return ingest(db, records, sources=" ".join(paths), workers=workers, **kw)


def demo_paths() -> list[Path]:
    """The bundled demo data: real registry records plus the five reference trials."""
    root = Path(__file__).parent.parent / "data" / "demo"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith((".json", ".gz")))


def load_demo(db: Database, **kw) -> IngestReport:
    return ingest_paths(db, demo_paths(), **kw)
