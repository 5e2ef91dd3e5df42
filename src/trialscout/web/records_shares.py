"""The visitor's own share links: list and revoke (migration 0016 columns on `note_shares`).

Tokens are stored hashed, so a list can never show a whole link again: it shows the first
characters (`token_prefix`) to tell links apart, and the owner makes a new link to copy one.
Reads and writes filter on the owner's visitor id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from trialscout.store.db import Database, utcnow

MAX_LISTED = 50


@dataclass(slots=True, frozen=True)
class ShareLink:
    share_id: int
    trial_id: str
    prefix: str
    created_at: str
    expires_at: float | None
    last_used_at: str | None
    revoked_at: str | None

    @property
    def expires_text(self) -> str:
        """'2026-12-14 03:00 UTC', or '' for a link that does not expire."""
        if self.expires_at is None:
            return ""
        return datetime.fromtimestamp(self.expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")

    def state(self, now: float | None = None) -> str:
        """'active', 'expired' or 'revoked'."""
        if self.revoked_at:
            return "revoked"
        now = time.time() if now is None else now
        return "expired" if self.expires_at is not None and now >= self.expires_at else "active"


def list_shares(db: Database, visitor_id: str, trial_id: str | None = None) -> list[ShareLink]:
    """This visitor's links (newest first), optionally for one trial."""
    sql = (
        "SELECT share_id, trial_id, coalesce(token_prefix, ''), created_at, expires_at, "
        "last_used_at, revoked_at FROM note_shares WHERE visitor_id = ?"
    )
    params: tuple = (visitor_id,)
    if trial_id is not None:
        sql += " AND trial_id = ?"
        params += (trial_id,)
    rows = db.conn.execute(sql + f" ORDER BY share_id DESC LIMIT {MAX_LISTED}", params)
    return [ShareLink(*r) for r in rows]


def revoke_share(db: Database, visitor_id: str, share_id: int) -> str | None:
    """Revoke one of the visitor's own links; returns its trial id, None if not theirs."""
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT trial_id FROM note_shares WHERE share_id = ? AND visitor_id = ?",
            (share_id, visitor_id),
        ).fetchone()
        if row is None:
            return None
        conn.execute(
            "UPDATE note_shares SET revoked_at = coalesce(revoked_at, ?) "
            "WHERE share_id = ? AND visitor_id = ?",
            (utcnow(), share_id, visitor_id),
        )
        return row[0]
