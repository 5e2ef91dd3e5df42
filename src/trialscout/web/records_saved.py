"""A visitor's saved trials (migration 0016), kept apart from `records` to keep both small.

Every read and write takes the visitor id and filters on it: one visitor never sees or changes
another's list. The list is bounded, so a script cannot grow one visitor's rows without end.
"""

from __future__ import annotations

from trialscout.store.db import Database, utcnow

MAX_SAVED = 50


class ListFull(ValueError):
    """The visitor's list already holds `MAX_SAVED` trials."""


def save(db: Database, visitor_id: str, trial_id: str) -> bool:
    """Add a trial (True), or False when it was already saved; ListFull when full."""
    with db.transaction() as conn:
        if conn.execute(
            "SELECT 1 FROM saved_trials WHERE visitor_id = ? AND trial_id = ?",
            (visitor_id, trial_id),
        ).fetchone():
            return False
        count = conn.execute(
            "SELECT count(*) FROM saved_trials WHERE visitor_id = ?", (visitor_id,)
        ).fetchone()[0]
        if count >= MAX_SAVED:
            raise ListFull(f"your list holds at most {MAX_SAVED} trials; remove one first")
        conn.execute(
            "INSERT INTO saved_trials (visitor_id, trial_id, created_at) VALUES (?, ?, ?)",
            (visitor_id, trial_id, utcnow()),
        )
        return True


def remove(db: Database, visitor_id: str, trial_id: str) -> bool:
    with db.transaction() as conn:
        cur = conn.execute(
            "DELETE FROM saved_trials WHERE visitor_id = ? AND trial_id = ?",
            (visitor_id, trial_id),
        )
        return cur.rowcount > 0


def saved_ids(db: Database, visitor_id: str) -> list[str]:
    """The visitor's trial ids, oldest first (the order they were saved)."""
    rows = db.conn.execute(
        "SELECT trial_id FROM saved_trials WHERE visitor_id = ? ORDER BY created_at, trial_id",
        (visitor_id,),
    )
    return [r[0] for r in rows]


def only_saved(db: Database, visitor_id: str, trial_ids: list[str]) -> list[str]:
    """The ids among `trial_ids` that this visitor saved, in the order asked: the compare page
    shows nothing else, whatever ids the URL names."""
    mine = set(saved_ids(db, visitor_id))
    out: list[str] = []
    for tid in trial_ids:
        if tid in mine and tid not in out:
            out.append(tid)
    return out
