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

import orjson

from trialscout.store.db import Database, utcnow
from trialscout.web import lockout
from trialscout.web.security import hash_secret, token_hash, verify_secret


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
    missing: bool = False
    gone: str | None = None  # why a link that existed no longer opens (revoked, expired)


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


def add_prescreen(db: Database, request_id: int, answers: list[dict], consent_text: str) -> None:
    """The questionnaire answers a person chose to send with request `request_id`."""
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO contact_prescreen (request_id, answers, consent_text, created_at) "
            "VALUES (?, ?, ?, ?)",
            (request_id, orjson.dumps(answers).decode(), consent_text, utcnow()),
        )


def prescreens(db: Database, request_ids: list[int]) -> dict[int, list[dict]]:
    """Answers by request id, for the coordinators' page (the route checks the login)."""
    out: dict[int, list[dict]] = {}
    for start in range(0, len(request_ids), 500):
        chunk = request_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.conn.execute(
            f"SELECT request_id, answers FROM contact_prescreen WHERE request_id IN ({marks})",
            chunk,
        )
        out.update({r[0]: orjson.loads(r[1]) for r in rows})
    return out


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


def create_share(
    db: Database,
    visitor_id: str,
    trial_id: str,
    passcode: str,
    expires_in_s: int | None = None,
    now: float | None = None,
) -> str:
    """A new link token (returned once, stored hashed) guarding the owner's notes on a trial.
    Only its first characters are kept in clear, so the owner's list can tell links apart."""
    token = secrets.token_urlsafe(24)
    now = time.time() if now is None else now
    expires = now + expires_in_s if expires_in_s else None
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO note_shares (token_hash, visitor_id, trial_id, passcode_hash, created_at, "
            "token_prefix, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                token_hash(token),
                visitor_id,
                trial_id,
                hash_secret(passcode),
                utcnow(),
                token[:SHARE_PREFIX],
                expires,
            ),
        )
    return token


SHARE_PREFIX = 6
GONE_REVOKED = "This share link was revoked by the person who made it."
GONE_EXPIRED = "This share link has expired. Ask the person who sent it for a new one."


def share_state(db: Database, token: str, now: float | None = None) -> str | None:
    """None for a live link, 'missing', or the plain reason a link is gone (revoked, expired)."""
    row = db.conn.execute(
        "SELECT revoked_at, expires_at FROM note_shares WHERE token_hash = ?", (token_hash(token),)
    ).fetchone()
    if row is None:
        return "missing"
    if row[0]:
        return GONE_REVOKED
    if row[1] is not None and (time.time() if now is None else now) >= row[1]:
        return GONE_EXPIRED
    return None


def check_share(
    db: Database,
    token: str,
    passcode: str,
    now: float | None = None,
    *,
    client: str = "unknown",
    visitor: str | None = None,
) -> ShareCheck:
    """Verify a passcode under the guessing limits of `web.lockout` (per client, plus a global
    cap; never locked for good). The owner's own visitor opening the link clears the limits."""
    state = share_state(db, token, now)
    if state == "missing":
        return ShareCheck(ok=False, missing=True)
    if state is not None:
        return ShareCheck(ok=False, gone=state)
    row = db.conn.execute(
        "SELECT share_id, visitor_id, trial_id, passcode_hash FROM note_shares "
        "WHERE token_hash = ?",
        (token_hash(token),),
    ).fetchone()
    share_id, owner, trial_id, stored = row
    account = f"share:{share_id}"
    if visitor is not None and visitor == owner:
        lockout.clear(db, account)
    try:
        lockout.reserve(db, account, client, now)
    except lockout.TooManyGuesses as exc:
        return ShareCheck(ok=False, retry_after_s=exc.retry_after_s)
    if verify_secret(passcode, stored):
        lockout.succeeded(db, account, client)
        with db.transaction() as conn:
            conn.execute(
                "UPDATE note_shares SET last_used_at = ? WHERE share_id = ?", (utcnow(), share_id)
            )
        return ShareCheck(ok=True, trial_id=trial_id, owner=owner)
    return ShareCheck(ok=False)


# -- coordinators -----------------------------------------------------------------------------


def set_coordinator(db: Database, username: str, password: str) -> None:
    """Create or re-key an account; also the owner's unlock (guess counters cleared) and a
    revocation of every session signed in before."""
    if not username.strip() or len(password) < 8:
        raise ValueError("coordinator: username required and password of at least 8 characters")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO coordinators (username, password_hash, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, "
            "failed_attempts = 0, locked_until = NULL",
            (username.strip(), hash_secret(password), utcnow()),
        )
    lockout.clear(db, f"coord:{username.strip()}")
    revoke_sessions(db, username.strip())


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    """One fixed hash to check unknown names against: the same single scrypt as a real name."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_secret(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def check_coordinator(
    db: Database, username: str, password: str, now: float | None = None, client: str = "unknown"
) -> bool:
    """True/False, or RateLimited under the guessing limits. Known and unknown names take the
    same path (counted, one scrypt), so neither the answer nor its timing tells them apart."""
    account = f"coord:{username.strip()}"
    try:
        lockout.reserve(db, account, client, now)
    except lockout.TooManyGuesses as exc:
        raise RateLimited(exc.retry_after_s) from None
    row = db.conn.execute(
        "SELECT password_hash FROM coordinators WHERE username = ?", (username.strip(),)
    ).fetchone()
    ok = verify_secret(password, row[0] if row else _dummy_hash()) and row is not None
    if ok:
        lockout.succeeded(db, account, client)
    return ok


def revoke_sessions(db: Database, username: str, now: float | None = None) -> None:
    """Server-side logout: sessions of `username` issued before now stop being valid."""
    now = time.time() if now is None else now
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO web_secrets VALUES (?, ?, ?)",
            (f"sessions-valid-from:{username}", repr(now), utcnow()),
        )


def session_valid(db: Database, username: str, issued_at: float) -> bool:
    row = db.conn.execute(
        "SELECT value FROM web_secrets WHERE name = ?", (f"sessions-valid-from:{username}",)
    ).fetchone()
    return row is None or issued_at > float(row[0])


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
