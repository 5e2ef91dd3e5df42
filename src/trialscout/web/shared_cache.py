"""Caches for what is the same for every visitor (issue 13): search results for a query and
filters, place lookups, the number of stored trials and the map of a page of results. Per-visitor state (cookies, CSRF tokens, notes) is never cached:
only the stage's answer is, and the page is rendered per request.

Entries are keyed by the database's `data_version`, which changes whenever another connection
(an ingest, an index step, `trialscout embed`) commits, and by the last ingest run: a new ingest
is seen at once. The app's own writes (contact requests, notes, subscriptions, rate limits) do
not change search results, so they do not empty the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def _state(conn) -> tuple:
    """`data_version` changes on other connections' commits; the last ingest run also covers
    an ingest made through this very connection (e.g. the demo loaded at start-up)."""
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    return version, conn.execute("SELECT max(run_id) FROM ingest_runs").fetchone()[0]


class SharedCache:
    """A small thread-safe LRU; values must be treated as read-only by callers."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, conn, key: Hashable, compute: Callable[[], T]) -> T:
        """Errors are not cached: a refused input is refused again, at its own cost."""
        full = (id(conn), _state(conn), key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]
        value = compute()
        with self._lock:
            self.misses += 1
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


SEARCH_RESULTS = SharedCache(512)
PLACES = SharedCache(1024)
COUNTS = SharedCache(8)
RESULT_MAPS = SharedCache(256)  # the search page's map: the same for every visitor
