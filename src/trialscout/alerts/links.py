"""Public URLs put in messages and feeds (the web app serves these paths)."""

from __future__ import annotations

import os
from urllib.parse import quote, urlencode

BASE_URL_ENV = "TRIALSCOUT_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url(override: str | None = None) -> str:
    return (override or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def confirm_url(token: str, base: str | None = None) -> str:
    return f"{base_url(base)}/alerts/confirm?{urlencode({'token': token})}"


def unsubscribe_url(token: str, base: str | None = None) -> str:
    return f"{base_url(base)}/alerts/unsubscribe?{urlencode({'token': token})}"


def trial_url(trial_id: str, base: str | None = None) -> str:
    return f"{base_url(base)}/trials/{quote(trial_id)}"


def trial_feed_url(trial_id: str, base: str | None = None) -> str:
    return f"{base_url(base)}/alerts/feeds/trial/{quote(trial_id)}.atom"


def search_feed_url(query: str, base: str | None = None) -> str:
    return f"{base_url(base)}/alerts/feeds/search.atom?{urlencode({'q': query})}"
