"""Signing, CSRF tokens and password hashing for the web app.

Stdlib only (hmac, hashlib.scrypt, secrets) so the security core has no extra dependency and is
easy to audit. A visitor is a random id in a signed cookie: no account, but notes, requests and
subscriptions are keyed by it and never readable by another visitor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

VISITOR_COOKIE = "ts_visitor"
COORDINATOR_COOKIE = "ts_coord"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

# scrypt cost: ~30 ms on this class of machine; slow enough to hurt offline guessing.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def sign(secret: str, value: str) -> str:
    mac = hmac.new(secret.encode(), value.encode(), hashlib.sha256).digest()
    return f"{value}.{_b64(mac)[:32]}"


def unsign(secret: str, signed: str | None) -> str | None:
    """The value if the signature holds, else None (tampered or foreign cookie)."""
    if not signed or "." not in signed:
        return None
    value = signed.rsplit(".", 1)[0]
    return value if hmac.compare_digest(sign(secret, value), signed) else None


def new_visitor_id() -> str:
    return secrets.token_urlsafe(18)


def csrf_token(secret: str, visitor_id: str) -> str:
    """Bound to the visitor cookie: a page from another site cannot know it."""
    return _b64(hmac.new(secret.encode(), f"csrf:{visitor_id}".encode(), hashlib.sha256).digest())


def csrf_ok(secret: str, visitor_id: str | None, token: str | None) -> bool:
    if not visitor_id or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, visitor_id), token)


def hash_secret(plain: str) -> str:
    """scrypt$salt$hash for passcodes and coordinator passwords."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(plain.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_b64(salt)}${_b64(digest)}"


def verify_secret(plain: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt = base64.urlsafe_b64decode(salt_b64 + "=" * (-len(salt_b64) % 4))
    digest = hashlib.scrypt(plain.encode(), salt=salt, **_SCRYPT)
    return hmac.compare_digest(_b64(digest), digest_b64)


def token_hash(token: str) -> str:
    """Share-link tokens are stored hashed: a copied database does not reveal live links."""
    return hashlib.sha256(token.encode()).hexdigest()


def coordinator_cookie(secret: str, username: str, ttl_s: int = 8 * 3600) -> str:
    """Signed `user|expires|issued`: the issue time lets logout revoke it on the server."""
    now = time.time()
    return sign(secret, f"{username}|{int(now) + ttl_s}|{now!r}")


def coordinator_session(secret: str, cookie: str | None) -> tuple[str, float] | None:
    """(username, issued at) of a valid, unexpired cookie."""
    value = unsign(secret, cookie)
    if not value or value.count("|") < 2:
        return None
    username, expires, issued = value.rsplit("|", 2)
    if not expires.isdigit() or int(expires) < time.time():
        return None
    try:
        return username, float(issued)
    except ValueError:
        return None


def coordinator_from_cookie(secret: str, cookie: str | None) -> str | None:
    session = coordinator_session(secret, cookie)
    return session[0] if session else None


def cookie_secure(configured: bool, scheme: str) -> bool:
    """Secure by default over HTTPS (directly, or as reported by a trusted proxy)."""
    return configured or scheme == "https"


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
