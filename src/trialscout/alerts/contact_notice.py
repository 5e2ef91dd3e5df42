"""A coordinator's notice that a contact request arrived, queued in the alerts outbox.

The web app calls `queue_contact_notice` inside the transaction that stores the request, so a
request and its notice are committed together (or not at all), and `trialscout alerts run`
delivers the notice like every other message: once, with retries. The mail holds no patient
data (no name, address or answers): only the trial's title and a link to sign in.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from urllib.parse import urlencode

from trialscout.alerts.errors import InvalidEmail
from trialscout.alerts.outbox import enqueue
from trialscout.alerts.subscriptions import normalize_email
from trialscout.registry.sanitize import clean_line

KIND = "contact"
COORDINATOR_EMAIL_ENV = "TRIALSCOUT_COORDINATOR_EMAIL"


def notice_text(trial_id: str, title: str, base_url: str) -> tuple[str, str]:
    """(subject, body): the trial and where to sign in; nothing the person wrote."""
    name = clean_line(title or trial_id)[:150]
    link = f"{base_url.rstrip('/')}/coordinator?{urlencode({'trial': trial_id})}"
    subject = f"New contact request for {name}"
    body = (
        f"A new contact request for {name} ({trial_id}) has arrived.\n\n"
        f"Sign in to see it:\n  {link}\n\n"
        "This message holds no details of the person; they are only on the coordinators' page.\n"
    )
    return subject, body


def queue_contact_notice(
    conn: sqlite3.Connection,
    *,
    recipient: str,
    trial_id: str,
    title: str,
    base_url: str,
    now: datetime | None = None,
) -> int:
    """Queue the notice on `conn` (the caller's open transaction); returns the message id."""
    try:
        recipient = normalize_email(recipient)
    except InvalidEmail:
        raise ValueError(f"{COORDINATOR_EMAIL_ENV} is not a single e-mail address") from None
    subject, body = notice_text(trial_id, title, base_url)
    return enqueue(
        conn,
        kind=KIND,
        recipient=recipient,
        subject=subject,
        body=body,
        now=now or datetime.now(UTC),
    )
