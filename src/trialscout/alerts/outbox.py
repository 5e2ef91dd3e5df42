"""The outbox: messages planned in the database before any is sent.

A message row is written in the same transaction that advances its subscriptions' cursors, so a
crash before commit plans nothing and a crash after commit loses nothing; sending only moves a
row from 'pending' to 'sent' (or schedules a retry with exponential backoff).
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 8


@dataclass(slots=True, frozen=True)
class OutboxMessage:
    msg_id: int
    kind: str
    recipient: str
    subject: str
    body: str
    headers: dict[str, str]
    message_id: str
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    created_at: str
    sent_at: str | None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def backoff(attempts: int) -> timedelta:
    """Delay before retry number `attempts` (1-based): 2, 4, 8 ... minutes, capped at 6 hours."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))


def enqueue(
    conn: sqlite3.Connection,
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    now: datetime,
    domain: str = "trialscout.local",
) -> int:
    message_id = f"<{kind}.{secrets.token_hex(12)}@{domain}>"
    return conn.execute(
        "INSERT INTO alert_messages (kind, recipient, subject, body, headers, message_id, "
        "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            recipient,
            subject,
            body,
            orjson.dumps(headers or {}).decode(),
            message_id,
            iso(now),
            iso(now),
        ),
    ).lastrowid


_COLUMNS = (
    "msg_id, kind, recipient, subject, body, headers, message_id, status, attempts, "
    "next_attempt_at, last_error, created_at, sent_at"
)


def _row(r: Any) -> OutboxMessage:
    r = list(r)
    r[5] = orjson.loads(r[5])
    return OutboxMessage(*r)


def due_messages(conn: sqlite3.Connection, now: datetime) -> list[OutboxMessage]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM alert_messages WHERE status = 'pending' AND next_attempt_at <= ? "
        "ORDER BY msg_id",
        (iso(now),),
    )
    return [_row(r) for r in rows]


def list_messages(conn: sqlite3.Connection, status: str | None = None) -> list[OutboxMessage]:
    sql = f"SELECT {_COLUMNS} FROM alert_messages"
    rows = (
        conn.execute(sql + " WHERE status = ? ORDER BY msg_id", (status,))
        if status
        else conn.execute(sql + " ORDER BY msg_id")
    )
    return [_row(r) for r in rows]


def mark_sent(conn: sqlite3.Connection, msg_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE alert_messages SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
        "last_error = NULL WHERE msg_id = ?",
        (iso(now), msg_id),
    )


def mark_failed(
    conn: sqlite3.Connection, msg_id: int, error: str, now: datetime, *, permanent: bool
) -> str:
    """Record a failed attempt; returns the new status ('pending' to retry, or 'failed')."""
    attempts = (
        conn.execute("SELECT attempts FROM alert_messages WHERE msg_id = ?", (msg_id,)).fetchone()[
            0
        ]
        + 1
    )
    status = "failed" if permanent or attempts >= MAX_ATTEMPTS else "pending"
    conn.execute(
        "UPDATE alert_messages SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? "
        "WHERE msg_id = ?",
        (status, attempts, iso(now + backoff(attempts)), error[:500], msg_id),
    )
    return status


def cancel(conn: sqlite3.Connection, msg_id: int, reason: str) -> None:
    conn.execute(
        "UPDATE alert_messages SET status = 'cancelled', last_error = ? WHERE msg_id = ?",
        (reason, msg_id),
    )
