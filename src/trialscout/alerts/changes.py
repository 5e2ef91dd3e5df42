"""Change detection: an ingest hook that stores what changed in a trial as change events.

Runs inside the record's savepoint after the new version is written, so events commit or roll
back with the record. The comparison is with the previous *current* version: versions the store
kept as "older" history never became current and are skipped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import orjson

from trialscout.alerts.criteria_items import diff_items
from trialscout.alerts.rules import category_of
from trialscout.registry.model import Trial
from trialscout.store.db import Database, utcnow
from trialscout.store.diff import diff_trials
from trialscout.store.trials import decode


@dataclass(slots=True, frozen=True)
class DetectedChange:
    category: str
    field: str
    old: Any
    new: Any


@dataclass(slots=True, frozen=True)
class ChangeEvent:
    event_id: int
    trial_id: str
    version: int
    prev_version: int | None
    category: str
    field: str
    old: Any
    new: Any
    detected_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "trial_id": self.trial_id,
            "version": self.version,
            "prev_version": self.prev_version,
            "category": self.category,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "detected_at": self.detected_at,
        }


def detect_changes(old: dict[str, Any], new: dict[str, Any]) -> list[DetectedChange]:
    """Reportable changes between two `Trial.to_dict()` versions (pure; no database)."""
    found: list[DetectedChange] = []
    for change in diff_trials(old, new):
        category = category_of(change.field)
        if category is None or _only_rewrapped(change.field, change.old, change.new):
            continue
        found.append(DetectedChange(category, change.field, change.old, change.new))
        if change.field == "eligibility.criteria":
            for removed, added in diff_items(change.old, change.new):
                item = removed or added
                found.append(
                    DetectedChange(
                        "criteria",
                        f"criteria.{item.kind}",
                        removed.as_value() if removed else None,
                        added.as_value() if added else None,
                    )
                )
    return found


def _only_rewrapped(path: str, old: Any, new: Any) -> bool:
    """Registry exports re-wrap long criteria lines; whitespace alone is not a change."""
    if path != "eligibility.criteria" or not isinstance(old, str) or not isinstance(new, str):
        return False
    return old.split() == new.split()


def record_changes(conn: sqlite3.Connection, trial: Trial) -> None:
    """Ingest hook: store change events for `trial`'s newly current version."""
    row = conn.execute(
        "SELECT version FROM trials WHERE trial_id = ?", (trial.trial_id,)
    ).fetchone()
    if row is None:
        return
    version = row[0]
    prev = _previous_current(conn, trial.trial_id, version)
    now = utcnow()
    if prev is None:
        events = [DetectedChange("new", "trial", None, trial.title)]
    else:
        blob = conn.execute(
            "SELECT data FROM trial_versions WHERE trial_id = ? AND version = ?",
            (trial.trial_id, prev),
        ).fetchone()[0]
        events = detect_changes(decode(blob), trial.to_dict())
    conn.executemany(
        "INSERT INTO alert_changes (trial_id, version, prev_version, category, field, old, new, "
        "detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (trial.trial_id, version, prev, e.category, e.field, _dump(e.old), _dump(e.new), now)
            for e in events
        ],
    )
    conn.execute(
        "INSERT INTO alert_trial_state (trial_id, version) VALUES (?, ?) "
        "ON CONFLICT (trial_id) DO UPDATE SET version = excluded.version",
        (trial.trial_id, version),
    )


def _previous_current(conn: sqlite3.Connection, trial_id: str, version: int) -> int | None:
    """The version that was current before `version`, or None for a trial new to the store."""
    row = conn.execute(
        "SELECT version FROM alert_trial_state WHERE trial_id = ?", (trial_id,)
    ).fetchone()
    if row is not None and row[0] < version:
        return row[0]
    # No state (hook installed after earlier ingests): the previous current version is the one
    # with the latest update date, since the store never makes an earlier-dated version current.
    best: tuple[str, int] | None = None
    for prev, blob in conn.execute(
        "SELECT version, data FROM trial_versions WHERE trial_id = ? AND version < ?",
        (trial_id, version),
    ):
        key = (decode(blob).get("last_update_posted") or "", prev)
        if best is None or key > best:
            best = key
    return None if best is None else best[1]


def _dump(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _load(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


_EVENT_COLUMNS = "event_id, trial_id, version, prev_version, category, field, old, new, detected_at"


def _event(row: sqlite3.Row | tuple) -> ChangeEvent:
    r = tuple(row)
    return ChangeEvent(r[0], r[1], r[2], r[3], r[4], r[5], _load(r[6]), _load(r[7]), r[8])


def list_changes(
    db: Database,
    *,
    trial_id: str | None = None,
    after_event: int = 0,
    up_to_event: int | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[ChangeEvent]:
    """Stored change events, optionally for one trial and within an event-id window."""
    where, params = ["event_id > ?"], [after_event]
    if trial_id is not None:
        where.append("trial_id = ?")
        params.append(trial_id)
    if up_to_event is not None:
        where.append("event_id <= ?")
        params.append(up_to_event)
    sql = (
        f"SELECT {_EVENT_COLUMNS} FROM alert_changes WHERE {' AND '.join(where)} ORDER BY event_id"
    )
    if newest_first:
        sql += " DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_event(r) for r in db.conn.execute(sql, params)]


def events_for_trials(
    db: Database, trial_ids: list[str], after_event: int, up_to_event: int
) -> list[ChangeEvent]:
    out: list[ChangeEvent] = []
    for i in range(0, len(trial_ids), 500):
        chunk = trial_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.extend(
            _event(r)
            for r in db.conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM alert_changes WHERE trial_id IN ({marks}) "
                "AND event_id > ? AND event_id <= ?",
                [*chunk, after_event, up_to_event],
            )
        )
    return sorted(out, key=lambda e: e.event_id)


def changed_trial_ids(db: Database, after_event: int, up_to_event: int) -> list[str]:
    return [
        r[0]
        for r in db.conn.execute(
            "SELECT DISTINCT trial_id FROM alert_changes WHERE event_id > ? AND event_id <= ?",
            (after_event, up_to_event),
        )
    ]


def max_event_id(db: Database) -> int:
    return db.conn.execute("SELECT coalesce(max(event_id), 0) FROM alert_changes").fetchone()[0]
