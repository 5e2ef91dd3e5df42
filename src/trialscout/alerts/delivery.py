"""SMTP delivery of the outbox, with retries and backoff.

Each message is sent in its own SMTP transaction and marked sent right after the server accepts
it. A server error or a dropped connection leaves the message pending with a later retry time;
the rest of the run stops on a connection failure (they would fail too) without counting an
attempt against them. The only window for a duplicate is a crash between the server's "250 OK"
and the next statement; a resend then carries the same Message-ID so mail clients fold it.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from trialscout.alerts.outbox import OutboxMessage, cancel, due_messages, mark_failed, mark_sent
from trialscout.registry.sanitize import clean_line
from trialscout.store.db import Database

TLS_MODES = ("none", "starttls", "ssl")


@dataclass(slots=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    tls: str = "none"  # none | starttls | ssl
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    from_addr: str = "trialscout <alerts@trialscout.local>"
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"unknown SMTP TLS mode {self.tls!r}; valid: {TLS_MODES}")
        if not 0 < int(self.port) < 65536:
            raise ValueError(f"SMTP port out of range: {self.port}")

    @classmethod
    def from_env(cls, **overrides) -> SmtpConfig:
        """TRIALSCOUT_SMTP_HOST/PORT/TLS/USER/PASSWORD/FROM, overridden by non-None arguments."""
        env = os.environ
        values = {
            "host": env.get("TRIALSCOUT_SMTP_HOST"),
            "port": env.get("TRIALSCOUT_SMTP_PORT"),
            "tls": env.get("TRIALSCOUT_SMTP_TLS"),
            "username": env.get("TRIALSCOUT_SMTP_USER"),
            "password": env.get("TRIALSCOUT_SMTP_PASSWORD"),
            "from_addr": env.get("TRIALSCOUT_SMTP_FROM"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values = {k: v for k, v in values.items() if v is not None}
        if "port" in values:
            try:
                values["port"] = int(values["port"])
            except ValueError:
                raise ValueError(f"SMTP port must be a number, not {values['port']!r}") from None
        return cls(**values)


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0  # not tried this run because the server was unreachable
    errors: list[str] = field(default_factory=list)


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        if config.tls == "starttls":
            client.starttls(context=ssl.create_default_context())
    if config.username:
        client.login(config.username, config.password or "")
    return client


class Unbuildable(ValueError):
    """A queued message that cannot become a safe e-mail; it is parked, the queue goes on."""


_ADDRESS = re.compile(r"^[^\s@<>\"(),;:]+@[^\s@<>\"(),;:]+$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,60}$")


def build_email(msg: OutboxMessage, config: SmtpConfig) -> EmailMessage:
    """The e-mail for a queued message. Header values pass through `clean_line` (text from
    trial records, stored before ingest normalised it, may hold CR/LF: header injection)."""
    if not _ADDRESS.match(msg.recipient or ""):
        raise Unbuildable("the recipient is not a single e-mail address")
    headers = dict(msg.headers) if isinstance(msg.headers, dict) else {}
    if bad := [n for n in headers if not _HEADER_NAME.match(str(n))]:
        raise Unbuildable(f"bad header name {str(bad[0])[:40]!r}")
    email = EmailMessage()
    email["From"] = config.from_addr
    email["To"] = msg.recipient
    email["Subject"] = clean_line(msg.subject or "")[:300]
    email["Message-ID"] = clean_line(msg.message_id)
    email["Date"] = format_datetime(datetime.now(UTC))
    for name, value in headers.items():
        email[name] = clean_line(str(value))
    try:
        email.set_content(msg.body)
    except (ValueError, TypeError) as exc:
        raise Unbuildable(f"the body cannot be encoded ({type(exc).__name__})") from None
    return email


def _all_unsubscribed(db: Database, msg: OutboxMessage) -> bool:
    """A digest queued before every one of its subscriptions was cancelled is not sent."""
    if msg.kind != "digest":
        return False
    row = db.conn.execute(
        "SELECT count(*), sum(s.status = 'unsubscribed') FROM alert_message_parts p "
        "JOIN alert_subscriptions s ON s.sub_id = p.sub_id WHERE p.msg_id = ?",
        (msg.msg_id,),
    ).fetchone()
    return bool(row[0]) and row[0] == row[1]


def deliver_pending(
    db: Database, config: SmtpConfig, *, now: datetime | None = None
) -> DeliveryReport:
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    queue = due_messages(db.conn, now)
    client: smtplib.SMTP | None = None
    try:
        for i, msg in enumerate(queue):
            if _all_unsubscribed(db, msg):
                cancel(db.conn, msg.msg_id, "every subscription in it was cancelled")
                report.cancelled += 1
                continue
            try:
                email = build_email(msg, config)
            except (Unbuildable, ValueError, TypeError) as exc:
                _failed(db, msg, f"parked, cannot build the message: {exc}", now, True, report)
                continue
            try:
                if client is None:
                    client = _connect(config)
                client.send_message(email)
            except smtplib.SMTPResponseException as exc:
                permanent = exc.smtp_code >= 500
                _failed(
                    db,
                    msg,
                    f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}",
                    now,
                    permanent,
                    report,
                )
                client = _reset(client)
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                _failed(
                    db,
                    msg,
                    "recipient refused: "
                    + "; ".join(f"{code} {_text(text)}" for code, text in exc.recipients.values()),
                    now,
                    True,
                    report,
                )
                continue
            except (smtplib.SMTPException, OSError) as exc:
                _failed(db, msg, f"{type(exc).__name__}: {exc}", now, False, report)
                report.deferred += len(queue) - i - 1
                client = _reset(client)
                break
            mark_sent(db.conn, msg.msg_id, now)
            report.sent += 1
    finally:
        _reset(client)
    return report


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _failed(db, msg: OutboxMessage, error: str, now, permanent: bool, report: DeliveryReport):
    status = mark_failed(db.conn, msg.msg_id, error, now, permanent=permanent)
    report.errors.append(f"message {msg.msg_id}: {error}")
    if status == "failed":
        report.failed += 1
    else:
        report.retry_later += 1


def _reset(client: smtplib.SMTP | None) -> None:
    if client is not None:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
    return None
