"""Guessing limits for coordinator passwords and share-link passcodes.

They slow an attacker without locking the owner out (issue 12). Two counters, both in the
`rate_limits` table so every worker process sees them:

- per client (account + IP address): a few free wrong guesses, then each further one must wait
  twice as long as the last (2 s, 4 s ... at most 15 minutes); a success clears it. Someone else
  guessing from another address never makes the owner wait.
- per account, all clients together: at most `GLOBAL_FAILURES` wrong guesses an hour, against
  many addresses. It can make the owner wait, so it is high, never permanent, and the owner can
  clear it (`trialscout coordinator-add` again; the owner of a share link opening it).

An attempt is counted *before* the (slow) passcode check, in the same IMMEDIATE transaction that
checks the limits: concurrent guesses, even in two worker processes, cannot all slip through.
Unknown user names are counted like real ones, so a 429 does not reveal which names exist.
"""

from __future__ import annotations

import math
import time

from trialscout.store.db import Database

FREE_GUESSES = 3
MAX_WAIT_S = 900
FORGET_AFTER_S = 24 * 3600
GLOBAL_FAILURES = 100
GLOBAL_WINDOW_S = 3600


class TooManyGuesses(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many wrong guesses; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def wait_after(failures: int) -> int:
    """Seconds a client waits after its `failures`-th wrong guess."""
    if failures < FREE_GUESSES:
        return 0
    return min(MAX_WAIT_S, 2 ** (failures - FREE_GUESSES + 1))


def _keys(account: str, client: str) -> tuple[str, str]:
    account = account.strip().lower()[:100]
    return f"guess:{account}:client:{client[:64]}", f"guess:{account}:all"


def reserve(db: Database, account: str, client: str, now: float | None = None) -> None:
    """Count one guess on `account` from `client`, or raise `TooManyGuesses` (nothing counted)."""
    mine, every = _keys(account, client)
    with db.transaction() as conn:
        # the clock is read once the write lock is held: a guess that waited for the lock must
        # not be judged by a time older than the guess committed before it
        now = time.time() if now is None else now
        row = conn.execute(
            "SELECT window_start, count FROM rate_limits WHERE key = ?", (mine,)
        ).fetchone()
        last, failures = (row[0], row[1]) if row and now - row[0] < FORGET_AFTER_S else (now, 0)
        if failures and now < last + wait_after(failures):
            raise TooManyGuesses(max(1, math.ceil(last + wait_after(failures) - now)))
        row = conn.execute(
            "SELECT window_start, count FROM rate_limits WHERE key = ?", (every,)
        ).fetchone()
        start, total = (row[0], row[1]) if row and now - row[0] < GLOBAL_WINDOW_S else (now, 0)
        if total >= GLOBAL_FAILURES:
            raise TooManyGuesses(max(1, math.ceil(start + GLOBAL_WINDOW_S - now)))
        conn.execute(
            "INSERT OR REPLACE INTO rate_limits VALUES (?, ?, ?)", (mine, now, failures + 1)
        )
        conn.execute(
            "INSERT OR REPLACE INTO rate_limits VALUES (?, ?, ?)", (every, start, total + 1)
        )


def succeeded(db: Database, account: str, client: str) -> None:
    """The guess was right: this client starts afresh, and it does not count towards the cap."""
    mine, every = _keys(account, client)
    with db.transaction() as conn:
        conn.execute("DELETE FROM rate_limits WHERE key = ?", (mine,))
        conn.execute("UPDATE rate_limits SET count = max(0, count - 1) WHERE key = ?", (every,))


def clear(db: Database, account: str) -> None:
    """The owner's unlock: forget every counter on `account`."""
    prefix = _keys(account, "")[1].rsplit(":", 1)[0] + ":"
    with db.transaction() as conn:
        conn.execute("DELETE FROM rate_limits WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))
