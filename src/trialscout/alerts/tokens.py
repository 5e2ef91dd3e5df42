"""Signed links for confirming and unsubscribing.

A token names its purpose, subscription and expiry, signed with HMAC-SHA256 over a secret kept
in the database (or $TRIALSCOUT_ALERTS_SECRET) plus a per-subscription salt, so nothing secret
is stored in plain form, a forged or edited token fails, and a re-subscription gets new links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from trialscout.alerts.errors import ExpiredToken, InvalidToken

SECRET_ENV = "TRIALSCOUT_ALERTS_SECRET"
PURPOSES = ("confirm", "unsub")
_TOKEN = re.compile(r"^(confirm|unsub)\.(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{20,64})$")


@dataclass(slots=True, frozen=True)
class TokenClaim:
    purpose: str
    sub_id: int
    expires: int  # unix seconds; 0 = never


def secret(conn: sqlite3.Connection) -> bytes:
    env = os.environ.get(SECRET_ENV)
    if env:
        return env.encode()
    row = conn.execute("SELECT value FROM alert_settings WHERE key = 'token_secret'").fetchone()
    if row is None:
        conn.execute(
            "INSERT OR IGNORE INTO alert_settings (key, value) VALUES ('token_secret', ?)",
            (secrets.token_hex(32),),
        )
        row = conn.execute("SELECT value FROM alert_settings WHERE key = 'token_secret'").fetchone()
    return row[0].encode()


def _sign(key: bytes, claim: TokenClaim, salt: str) -> str:
    msg = f"{claim.purpose}.{claim.sub_id}.{claim.expires}.{salt}".encode()
    digest = hmac.new(key, msg, hashlib.sha256).digest()[:24]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(conn: sqlite3.Connection, claim: TokenClaim, salt: str) -> str:
    if claim.purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {claim.purpose!r}; valid: {PURPOSES}")
    return f"{claim.purpose}.{claim.sub_id}.{claim.expires}.{_sign(secret(conn), claim, salt)}"


def parse_token(token: str, purpose: str) -> tuple[TokenClaim, str]:
    """Split a token without trusting it; the caller checks the signature with the salt."""
    match = _TOKEN.match((token or "").strip())
    if not match or match.group(1) != purpose:
        action = "confirmation" if purpose == "confirm" else "unsubscribe"
        raise InvalidToken(f"this {action} link is not valid (it may be incomplete or altered)")
    claim = TokenClaim(match.group(1), int(match.group(2)), int(match.group(3)))
    return claim, match.group(4)


def check_token(
    conn: sqlite3.Connection, claim: TokenClaim, signature: str, salt: str, now: datetime
) -> None:
    expected = _sign(secret(conn), claim, salt)
    if not hmac.compare_digest(expected, signature):
        raise InvalidToken("this link is not valid (it was not issued here, or was altered)")
    if claim.expires and now.timestamp() > claim.expires:
        when = datetime.fromtimestamp(claim.expires, UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise ExpiredToken(f"this confirmation link expired on {when}; please subscribe again")
