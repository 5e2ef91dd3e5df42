"""One `alerts run` at a time: two overlapping cron runs must not both send the same message.

The lock is a row in alert_settings naming its holder (host, pid) and an expiry; a holder that
died (same host, pid gone) or expired is replaced, so a crash never blocks later runs.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from trialscout.alerts.errors import RunInProgress
from trialscout.alerts.outbox import iso, parse_iso
from trialscout.store.db import Database

LEASE = timedelta(hours=1)
KEY = "run_lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(value: str, now: datetime) -> bool:
    host, pid, expires = value.rsplit("|", 2)
    if now >= parse_iso(expires):
        return True
    return host == socket.gethostname() and not _alive(int(pid))


@contextmanager
def run_lock(db: Database, now: datetime) -> Iterator[None]:
    me = f"{socket.gethostname()}|{os.getpid()}|{iso(now + LEASE)}"
    with db.transaction() as conn:
        row = conn.execute("SELECT value FROM alert_settings WHERE key = ?", (KEY,)).fetchone()
        if row is not None and not _stale(row[0], now):
            raise RunInProgress("another `alerts run` is in progress; try again later")
        conn.execute(
            "INSERT INTO alert_settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (KEY, me),
        )
    try:
        yield
    finally:
        with db.transaction() as conn:
            conn.execute("DELETE FROM alert_settings WHERE key = ? AND value = ?", (KEY, me))
