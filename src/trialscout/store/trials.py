"""Reading stored trials and their versions as `Trial` objects (the read API the stages use).

Writing is `store.records` (model-agnostic); this module is the one part of `store/` that
builds the registry's `Trial` model, for its ~30 readers across the stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.store.records import (  # noqa: F401 - re-exported: the names callers know
    Outcome,
    VersionConflict,
    decode,
)


class TrialNotFound(LookupError):
    def __init__(self, trial_id: str) -> None:
        super().__init__(f"no trial {trial_id!r} in the database")
        self.trial_id = trial_id


@dataclass(slots=True, frozen=True)
class VersionInfo:
    trial_id: str
    version: int
    content_hash: str
    seen_at: str
    source: str | None


@dataclass(slots=True, frozen=True)
class TrialRecord:
    """A stored trial with its bookkeeping."""

    trial: Trial
    version: int
    content_hash: str
    first_seen: str
    last_changed: str


class TrialStore:
    """Read side of the trials tables (writes: `store.records.write_record`, in a transaction)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def resolve_id(self, trial_id: str) -> str:
        """Accept any case and surrounding spaces; NCT IDs and other registry IDs alike."""
        text = trial_id.strip()
        conn = self.db.conn
        row = conn.execute("SELECT trial_id FROM trials WHERE trial_id = ?", (text,)).fetchone()
        if row is None:
            row = conn.execute(
                "SELECT trial_id FROM trials WHERE upper(trial_id) = upper(?) LIMIT 1", (text,)
            ).fetchone()
        if row is None:
            raise TrialNotFound(text)
        return row[0]

    def get(self, trial_id: str) -> TrialRecord:
        tid = self.resolve_id(trial_id)
        row = self.db.conn.execute(
            "SELECT t.version, t.content_hash, t.first_seen, t.last_changed, v.data "
            "FROM trials t JOIN trial_versions v ON v.trial_id = t.trial_id AND v.version = t.version "
            "WHERE t.trial_id = ?",
            (tid,),
        ).fetchone()
        return TrialRecord(Trial.from_dict(decode(row[4])), row[0], row[1], row[2], row[3])

    def get_many(self, trial_ids: list[str]) -> dict[str, Trial]:
        if not trial_ids:
            return {}
        marks = ",".join("?" * len(trial_ids))
        rows = self.db.conn.execute(
            "SELECT t.trial_id, v.data FROM trials t JOIN trial_versions v "
            "ON v.trial_id = t.trial_id AND v.version = t.version "
            f"WHERE t.trial_id IN ({marks})",
            trial_ids,
        )
        return {r[0]: Trial.from_dict(decode(r[1])) for r in rows}

    def versions(self, trial_id: str) -> list[VersionInfo]:
        tid = self.resolve_id(trial_id)
        rows = self.db.conn.execute(
            "SELECT trial_id, version, content_hash, seen_at, source FROM trial_versions "
            "WHERE trial_id = ? ORDER BY version",
            (tid,),
        )
        return [VersionInfo(*r) for r in rows]

    def version_data(self, trial_id: str, version: int) -> dict[str, Any]:
        tid = self.resolve_id(trial_id)
        row = self.db.conn.execute(
            "SELECT data FROM trial_versions WHERE trial_id = ? AND version = ?", (tid, version)
        ).fetchone()
        if row is None:
            raise TrialNotFound(f"{tid} version {version}")
        return decode(row[0])

    def version_changes(self, trial_id: str) -> list[dict[str, Any]]:
        """What changed between each stored version and the next (field-level)."""
        from trialscout.store.diff import diff_trials

        history = self.versions(trial_id)
        out = []
        for older, newer in zip(history, history[1:], strict=False):
            diff = diff_trials(
                self.version_data(older.trial_id, older.version),
                self.version_data(newer.trial_id, newer.version),
            )
            out.append(
                {
                    "from": older.version,
                    "to": newer.version,
                    "seen_at": newer.seen_at,
                    "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in diff],
                }
            )
        return out

    def iter_trials(self, batch: int = 500):
        """Every current trial, streamed (for indexing and benchmarks)."""
        cur = self.db.conn.execute(
            "SELECT v.data FROM trials t JOIN trial_versions v "
            "ON v.trial_id = t.trial_id AND v.version = t.version ORDER BY t.trial_id"
        )
        while rows := cur.fetchmany(batch):
            for r in rows:
                yield Trial.from_dict(decode(r[0]))

    def count(self) -> int:
        return self.db.conn.execute("SELECT count(*) FROM trials").fetchone()[0]

    def stats(self) -> dict[str, Any]:
        conn = self.db.conn
        trials = self.count()
        versions = conn.execute("SELECT count(*) FROM trial_versions").fetchone()[0]

        def by(column: str) -> dict[str, int]:
            rows = conn.execute(
                f"SELECT coalesce({column}, 'UNKNOWN'), count(*) FROM trials "
                f"GROUP BY 1 ORDER BY 2 DESC"
            )
            return {r[0]: r[1] for r in rows}

        last = conn.execute(
            "SELECT run_id, started_at, finished_at, new, changed, unchanged, rejected, status "
            "FROM ingest_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
        return {
            "trials": trials,
            "versions": versions,
            "with_results": conn.execute(
                "SELECT count(*) FROM trials WHERE has_results"
            ).fetchone()[0],
            "by_status": by("overall_status"),
            "by_study_type": by("study_type"),
            "by_phase": by("phases"),
            "database": self.db.path,
            "database_bytes": self.db.size_bytes(),
            "last_ingest": dict(last) if last else None,
        }
