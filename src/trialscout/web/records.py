"""Storage for the web app's own tables (migration 0004): contact requests, private notes, share
links, rate limits, coordinators, the signing secret.

Kept in one module with parameterized SQL only, so routes never write SQL. Every visitor-owned
read takes the visitor id and filters on it: isolation is enforced here, not in templates.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass

from trialscout.store.db import Database, utcnow
from trialscout.web.security import hash_secret, token_hash, verify_secret

MAX_SHARE_FAILURES = 10  # then the link is locked for good; the owner makes a new one
FREE_SHARE_FAILURES = 3  # wrong passcodes allowed before the waiting starts


@dataclass(slots=True, frozen=True)
class ContactRequest:
    request_id: int
    trial_id: str
    name: str
    email: str
    phone: str | None
    language: str | None
    message: str | None
    status: str
    created_at: str


@dataclass(slots=True, frozen=True)
class Note:
    note_id: int
    trial_id: str
    quote: str | None
    body: str
    created_at: str


@dataclass(slots=True, frozen=True)
class ShareCheck:
    """Outcome of a passcode attempt on a share link."""

    ok: bool
    trial_id: str | None = None
    owner: str | None = None
    retry_after_s: int = 0
    locked_for_good: bool = False
    missing: bool = False


class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many requests; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def app_secret(db: Database) -> str:
    """The signing secret, created once and kept in the database so cookies survive restarts."""
    with db.transaction() as conn:
        row = conn.execute("SELECT value FROM web_secrets WHERE name = 'signing'").fetchone()
        if row:
            return row[0]
        value = secrets.token_urlsafe(32)
        conn.execute("INSERT INTO web_secrets VALUES ('signing', ?, ?)", (value, utcnow()))
        return value


def hit_rate_limit(db: Database, key: str, limit: int, window_s: int, now: float | None = None):
    """Count one event for `key` in a fixed window; raise RateLimited when over `limit`."""
    now = time.time() if now is None else now
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT window_start, count FROM rate_limits WHERE key = ?", (key,)
        ).fetchone()
        if row is None or now - row[0] >= window_s:
            conn.execute("INSERT OR REPLACE INTO rate_limits VALUES (?, ?, 1)", (key, now))
            return
        if row[1] >= limit:
            raise RateLimited(max(1, math.ceil(row[0] + window_s - now)))
        conn.execute("UPDATE rate_limits SET count = count + 1 WHERE key = ?", (key,))


# -- contact requests -------------------------------------------------------------------------


def add_contact_request(db: Database, visitor_id: str, trial_id: str, form: dict) -> int:
    with db.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO contact_requests (trial_id, visitor_id, name, email, phone, language, "
            "message, consent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
            (
                trial_id,
                visitor_id,
                form["name"],
                form["email"],
                form.get("phone"),
                form.get("language"),
                form.get("message"),
                utcnow(),
            ),
        )
        return int(cur.lastrowid)


def count_contact_requests(db: Database, trial_id: str) -> int:
    """'Patients applied': a count only, never who."""
    row = db.conn.execute(
        "SELECT count(*) FROM contact_requests WHERE trial_id = ?", (trial_id,)
    ).fetchone()
    return int(row[0])


def _contact(row) -> ContactRequest:
    return ContactRequest(*row)


_CONTACT_COLS = "request_id, trial_id, name, email, phone, language, message, status, created_at"


def visitor_contact_requests(db: Database, visitor_id: str, trial_id: str) -> list[ContactRequest]:
    rows = db.conn.execute(
        f"SELECT {_CONTACT_COLS} FROM contact_requests WHERE visitor_id = ? AND trial_id = ? "
        "ORDER BY request_id",
        (visitor_id, trial_id),
    )
    return [_contact(r) for r in rows]


def all_contact_requests(db: Database, trial_id: str | None = None) -> list[ContactRequest]:
    """For signed-in coordinators only (the route checks the login)."""
    sql = f"SELECT {_CONTACT_COLS} FROM contact_requests"
    params: tuple = ()
    if trial_id:
        sql += " WHERE trial_id = ?"
        params = (trial_id,)
    rows = db.conn.execute(sql + " ORDER BY request_id DESC LIMIT 500", params)
    return [_contact(r) for r in rows]


def set_contact_status(db: Database, request_id: int, status: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "UPDATE contact_requests SET status = ? WHERE request_id = ?", (status, request_id)
        )


# -- private notes and share links ------------------------------------------------------------


def add_note(db: Database, visitor_id: str, trial_id: str, quote: str | None, body: str) -> int:
    with db.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO private_notes (visitor_id, trial_id, quote, body, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (visitor_id, trial_id, quote, body, utcnow()),
        )
        return int(cur.lastrowid)


def list_notes(db: Database, visitor_id: str, trial_id: str) -> list[Note]:
    rows = db.conn.execute(
        "SELECT note_id, trial_id, quote, body, created_at FROM private_notes "
        "WHERE visitor_id = ? AND trial_id = ? ORDER BY note_id",
        (visitor_id, trial_id),
    )
    return [Note(*r) for r in rows]


def delete_note(db: Database, visitor_id: str, note_id: int) -> bool:
    with db.transaction() as conn:
        cur = conn.execute(
            "DELETE FROM private_notes WHERE note_id = ? AND visitor_id = ?", (note_id, visitor_id)
        )
        return cur.rowcount > 0


def create_share(db: Database, visitor_id: str, trial_id: str, passcode: str) -> str:
    """A new link token (returned once, stored hashed) guarding the owner's notes on a trial."""
    token = secrets.token_urlsafe(24)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO note_shares (token_hash, visitor_id, trial_id, passcode_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), visitor_id, trial_id, hash_secret(passcode), utcnow()),
        )
    return token


def share_exists(db: Database, token: str) -> bool:
    row = db.conn.execute(
        "SELECT 1 FROM note_shares WHERE token_hash = ?", (token_hash(token),)
    ).fetchone()
    return row is not None


def check_share(db: Database, token: str, passcode: str, now: float | None = None) -> ShareCheck:
    """Verify a passcode; after FREE_SHARE_FAILURES wrong ones each retry waits twice as long,
    and after MAX_SHARE_FAILURES the link is locked for good."""
    now = time.time() if now is None else now
    row = db.conn.execute(
        "SELECT share_id, visitor_id, trial_id, passcode_hash, failed_attempts, locked_until "
        "FROM note_shares WHERE token_hash = ?",
        (token_hash(token),),
    ).fetchone()
    if row is None:
        return ShareCheck(ok=False, missing=True)
    share_id, owner, trial_id, stored, failures, locked_until = row
    if failures >= MAX_SHARE_FAILURES:
        return ShareCheck(ok=False, locked_for_good=True)
    if locked_until and locked_until > now:
        return ShareCheck(ok=False, retry_after_s=math.ceil(locked_until - now))
    if verify_secret(passcode, stored):
        with db.transaction() as conn:
            conn.execute(
                "UPDATE note_shares SET failed_attempts = 0, locked_until = NULL "
                "WHERE share_id = ?",
                (share_id,),
            )
        return ShareCheck(ok=True, trial_id=trial_id, owner=owner)
    failures += 1
    wait = 0 if failures < FREE_SHARE_FAILURES else 30 * 2 ** (failures - FREE_SHARE_FAILURES)
    with db.transaction() as conn:
        conn.execute(
            "UPDATE note_shares SET failed_attempts = ?, locked_until = ? WHERE share_id = ?",
            (failures, now + wait if wait else None, share_id),
        )
    return ShareCheck(ok=False, retry_after_s=wait, locked_for_good=failures >= MAX_SHARE_FAILURES)


# -- coordinators -----------------------------------------------------------------------------


def set_coordinator(db: Database, username: str, password: str) -> None:
    if not username.strip() or len(password) < 8:
        raise ValueError("coordinator: username required and password of at least 8 characters")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO coordinators (username, password_hash, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, "
            "failed_attempts = 0, locked_until = NULL",
            (username.strip(), hash_secret(password), utcnow()),
        )


def check_coordinator(db: Database, username: str, password: str, now: float | None = None):
    """True/False, or RateLimited after repeated failures (same back-off as share links)."""
    now = time.time() if now is None else now
    row = db.conn.execute(
        "SELECT password_hash, failed_attempts, locked_until FROM coordinators WHERE username = ?",
        (username,),
    ).fetchone()
    if row is None:
        verify_secret(password, hash_secret("timing-equalizer"))
        return False
    stored, failures, locked_until = row
    if locked_until and locked_until > now:
        raise RateLimited(math.ceil(locked_until - now))
    ok = verify_secret(password, stored)
    failures = 0 if ok else failures + 1
    wait = 0 if failures < 5 else min(3600, 30 * 2 ** (failures - 5))
    with db.transaction() as conn:
        conn.execute(
            "UPDATE coordinators SET failed_attempts = ?, locked_until = ? WHERE username = ?",
            (failures, now + wait if wait else None, username),
        )
    return ok


def coordinator_count(db: Database) -> int:
    return int(db.conn.execute("SELECT count(*) FROM coordinators").fetchone()[0])


# -- the visitor's own subscriptions (delivery and tokens belong to alerts/) -----------------


def remember_subscription(db: Database, visitor_id: str, email: str, kind: str, target: str):
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO visitor_subscriptions VALUES (?, ?, ?, ?, ?)",
            (visitor_id, email, kind, target, utcnow()),
        )


def visitor_subscriptions(db: Database, visitor_id: str) -> list[dict]:
    rows = db.conn.execute(
        "SELECT email, kind, target, created_at FROM visitor_subscriptions WHERE visitor_id = ? "
        "ORDER BY created_at",
        (visitor_id,),
    )
    return [dict(r) for r in rows]
