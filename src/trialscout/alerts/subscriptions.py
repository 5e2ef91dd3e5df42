"""Subscriptions: watched trials and saved searches, with double opt-in and signed links.

A new subscription is 'pending' and gets a confirmation message in the outbox; the link in it
makes it 'active'. Every message carries an unsubscribe link. Emails are stored once, never
logged, and masked in reprs.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from trialscout.alerts import links, messages
from trialscout.alerts.changes import max_event_id
from trialscout.alerts.errors import AlertsError, InvalidEmail, InvalidToken, SubscriptionError
from trialscout.alerts.outbox import enqueue, iso
from trialscout.alerts.places import resolve_place
from trialscout.alerts.profiles import validate_profile
from trialscout.alerts.saved_search import validate_search
from trialscout.alerts.tokens import TokenClaim, check_token, make_token, parse_token
from trialscout.store.db import Database
from trialscout.store.trials import TrialNotFound, TrialStore

FREQUENCIES = ("immediately", "daily", "weekly")
CONFIRM_TTL = timedelta(days=7)
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?=.{1,253}$)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


@dataclass(slots=True)
class Subscription:
    sub_id: int
    email: str = field(repr=False)
    kind: str  # trial | search | profile
    trial_id: str | None
    search: str | None
    filters: dict[str, Any] | None
    place: str | None
    place_lat: float | None
    place_lon: float | None
    radius_km: float | None
    frequency: str
    status: str  # pending | active | unsubscribed
    created_at: str
    confirmed_at: str | None
    unsubscribed_at: str | None
    last_event_id: int
    last_sent_at: str | None
    last_error: str | None
    confirm_token: str | None = field(default=None, repr=False)  # only right after subscribe
    notice: str | None = None  # e.g. "already unsubscribed", for the page shown to the user

    @property
    def masked_email(self) -> str:
        return mask_email(self.email)

    @property
    def target(self) -> str:
        if self.kind == "trial":
            return f"trial {self.trial_id}"
        if self.kind == "profile":
            return "trials you may be eligible for (saved profile)"
        text = f"search {self.search!r}" if self.search else "search"
        if self.filters:
            text += " " + ", ".join(f"{k}={v}" for k, v in sorted(self.filters.items()))
        if self.place:
            text += f" near {self.place}" + (f" ({self.radius_km:g} km)" if self.radius_km else "")
        return text

    def as_dict(self, *, with_email: bool = False) -> dict[str, Any]:
        data = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("email", "confirm_token")
        }
        data["email"] = self.email if with_email else self.masked_email
        data["target"] = self.target
        return data


_COLUMNS = (
    "sub_id, email, kind, trial_id, search, filters, place, place_lat, place_lon, radius_km, "
    "frequency, status, created_at, confirmed_at, unsubscribed_at, last_event_id, last_sent_at, "
    "last_error"
)


def _from_row(r: Any) -> Subscription:
    r = list(r)
    r[5] = orjson.loads(r[5]) if r[5] else None
    return Subscription(*r)


def normalize_email(email: str) -> str:
    text = (email or "").strip()
    if not _EMAIL.match(text) or ".." in text:
        raise InvalidEmail("that is not a valid email address (expected name@example.org)")
    local, _, domain = text.partition("@")
    return f"{local}@{domain.lower()}"


def get_subscription(db: Database, sub_id: int) -> Subscription:
    row = db.conn.execute(
        f"SELECT {_COLUMNS} FROM alert_subscriptions WHERE sub_id = ?", (sub_id,)
    ).fetchone()
    if row is None:
        raise InvalidToken("this link refers to a subscription that does not exist")
    return _from_row(row)


def _salt(conn: sqlite3.Connection, sub_id: int) -> str:
    return conn.execute(
        "SELECT salt FROM alert_subscriptions WHERE sub_id = ?", (sub_id,)
    ).fetchone()[0]


def unsubscribe_token(db: Database, sub_id: int) -> str:
    return make_token(db.conn, TokenClaim("unsub", sub_id, 0), _salt(db.conn, sub_id))


def _validate(
    db: Database, trial_id, search, filters, place, radius_km, profile, frequency
) -> tuple[str, str | None, tuple[float, float] | None]:
    """(kind, resolved trial id, place coordinates) or a SubscriptionError saying what is wrong."""
    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"unknown frequency {frequency!r}; choose one of {FREQUENCIES}")
    targets = [t for t in (trial_id, search or filters, profile) if t]
    if len(targets) != 1:
        raise SubscriptionError("subscribe to exactly one of: a trial, a search, or a profile")
    if radius_km is not None and (not place or radius_km <= 0):
        raise SubscriptionError("a radius needs a place and must be more than 0 km")
    coords = resolve_place(db, place) if place else None
    if trial_id:
        exact = db.conn.execute(  # indexed; resolve_id's case-insensitive match scans the table
            "SELECT trial_id FROM trials WHERE trial_id = ?", (trial_id.strip(),)
        ).fetchone()
        if exact is not None:
            return "trial", exact[0], coords
        try:
            return "trial", TrialStore(db).resolve_id(trial_id), coords
        except TrialNotFound as exc:
            raise SubscriptionError(str(exc)) from None
    if profile:
        validate_profile(profile)
        return "profile", None, coords
    if filters is not None and not isinstance(filters, dict):
        raise SubscriptionError("search filters must be a mapping of filter name to value")
    checked = dict(filters or {})
    if coords and radius_km:
        checked.update(lat=coords[0], lon=coords[1], radius_km=radius_km)
    validate_search(db, search or "", checked)
    return "search", None, coords


def subscribe(
    db: Database,
    email: str,
    *,
    trial_id: str | None = None,
    search: str | None = None,
    filters: dict[str, Any] | None = None,
    place: str | None = None,
    radius_km: float | None = None,
    profile: dict[str, Any] | None = None,
    frequency: str = "immediately",
    confirmed: bool = False,
    now: datetime | None = None,
    base_url: str | None = None,
) -> Subscription:
    """A pending subscription with a confirmation message queued (active at once if `confirmed`)."""
    now = now or datetime.now(UTC)
    address = normalize_email(email)
    kind, tid, coords = _validate(
        db, trial_id, search, filters, place, radius_km, profile, frequency
    )
    same = _existing(db, address, kind, tid, search, filters, place, radius_km, profile)
    if same is not None and same.status == "active":
        same.notice = "You are already subscribed to this alert."
        return same
    with db.transaction() as conn:
        if same is not None:  # pending: confirm it, or send a fresh link; never a second row
            sub_id = same.sub_id
            if confirmed:
                conn.execute(
                    "UPDATE alert_subscriptions SET status = 'active', confirmed_at = ? "
                    "WHERE sub_id = ?",
                    (iso(now), sub_id),
                )
        else:
            sub_id = _insert(conn, address, kind, tid, search, filters, place, coords, radius_km,
                             frequency, confirmed, now, max_event_id(db), profile)  # fmt: skip
        token = None if confirmed else _queue_confirmation(db, sub_id, now, base_url)
    sub = get_subscription(db, sub_id)
    sub.confirm_token = token
    return sub


def _insert(conn, address, kind, tid, search, filters, place, coords, radius_km, frequency,
            confirmed, now, cursor, profile) -> int:  # fmt: skip
    return conn.execute(
        "INSERT INTO alert_subscriptions (email, kind, trial_id, search, filters, place, "
        "place_lat, place_lon, radius_km, frequency, status, salt, created_at, confirmed_at, "
        "last_event_id, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            address,
            kind,
            tid,
            search or None,
            orjson.dumps(filters).decode() if filters else None,
            place,
            coords[0] if coords else None,
            coords[1] if coords else None,
            radius_km,
            frequency,
            "active" if confirmed else "pending",
            secrets.token_hex(16),
            iso(now),
            iso(now) if confirmed else None,
            cursor,
            orjson.dumps(profile).decode() if profile else None,
        ),
    ).lastrowid


def _queue_confirmation(db: Database, sub_id: int, now: datetime, base_url: str | None) -> str:
    conn = db.conn
    expires = int((now + CONFIRM_TTL).timestamp())
    token = make_token(conn, TokenClaim("confirm", sub_id, expires), _salt(conn, sub_id))
    sub = get_subscription(db, sub_id)
    subject, body = messages.confirmation(
        sub,
        links.confirm_url(token, base_url),
        links.unsubscribe_url(unsubscribe_token(db, sub_id), base_url),
    )
    enqueue(conn, kind="confirm", recipient=sub.email, subject=subject, body=body, now=now)
    return token


def _existing(
    db, address, kind, tid, search, filters, place, radius_km, profile
) -> Subscription | None:
    """A live subscription with the same target, so a double click does not double the mail."""
    filters_json = orjson.dumps(filters).decode() if filters else None
    profile_json = orjson.dumps(profile).decode() if profile else None
    row = db.conn.execute(
        f"SELECT {_COLUMNS} FROM alert_subscriptions WHERE email = ? AND kind = ? "
        "AND trial_id IS ? AND search IS ? AND filters IS ? AND place IS ? AND radius_km IS ? "
        "AND profile IS ? AND status != 'unsubscribed' "
        "ORDER BY status = 'active' DESC, sub_id DESC LIMIT 1",
        (address, kind, tid, search or None, filters_json, place, radius_km, profile_json),
    ).fetchone()
    return None if row is None else _from_row(row)


def _verified(db: Database, token: str, purpose: str, now: datetime) -> Subscription:
    claim, signature = parse_token(token, purpose)
    sub = get_subscription(db, claim.sub_id)
    check_token(db.conn, claim, signature, _salt(db.conn, claim.sub_id), now)
    return sub


def confirm(db: Database, token: str, *, now: datetime | None = None) -> Subscription:
    now = now or datetime.now(UTC)
    sub = _verified(db, token, "confirm", now)
    if sub.status == "active":
        sub.notice = "This subscription was already confirmed."
        return sub
    if sub.status == "unsubscribed":
        raise AlertsError("this subscription was cancelled; please subscribe again")
    with db.transaction() as conn:
        conn.execute(
            "UPDATE alert_subscriptions SET status = 'active', confirmed_at = ? WHERE sub_id = ?",
            (iso(now), sub.sub_id),
        )
    sub = get_subscription(db, sub.sub_id)
    sub.notice = "Subscription confirmed."
    return sub


def unsubscribe(db: Database, token: str, *, now: datetime | None = None) -> Subscription:
    """Idempotent: a second call returns the subscription with a notice instead of failing."""
    now = now or datetime.now(UTC)
    sub = _verified(db, token, "unsub", now)
    if sub.status == "unsubscribed":
        sub.notice = f"You were already unsubscribed (since {sub.unsubscribed_at[:10]})."
        return sub
    with db.transaction() as conn:
        conn.execute(
            "UPDATE alert_subscriptions SET status = 'unsubscribed', unsubscribed_at = ? "
            "WHERE sub_id = ?",
            (iso(now), sub.sub_id),
        )
    sub = get_subscription(db, sub.sub_id)
    sub.notice = "You are unsubscribed; no more messages will be sent for this alert."
    return sub


def saved_profile(db: Database, sub_id: int) -> dict[str, Any] | None:
    """The profile a user saved with a profile subscription (read only when matching)."""
    row = db.conn.execute(
        "SELECT profile FROM alert_subscriptions WHERE sub_id = ?", (sub_id,)
    ).fetchone()
    return orjson.loads(row[0]) if row and row[0] else None


def list_subscriptions(
    db: Database, email: str | None = None, *, status: str | None = None
) -> list[Subscription]:
    where, params = [], []
    if email is not None:
        where.append("email = ?")
        params.append(normalize_email(email))
    if status is not None:
        where.append("status = ?")
        params.append(status)
    sql = f"SELECT {_COLUMNS} FROM alert_subscriptions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_from_row(r) for r in db.conn.execute(sql + " ORDER BY sub_id", params)]
