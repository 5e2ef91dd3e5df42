"""A small in-process LRU with expiry for derived page parts (related trials, summaries).

Keys include the trial's stored version, so an updated trial never shows stale parts; the
expiry bounds how long related-trial lists lag behind other trials' changes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class PageCache:
    def __init__(self, size: int = 4096, ttl_s: float = 600.0) -> None:
        self.size, self.ttl_s = size, ttl_s
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self.hits = self.misses = 0

    def peek(self, key: Hashable) -> Any | None:
        """The cached value if present and fresh, else None (nothing computed)."""
        item = self._items.get(key)
        if item is None or time.monotonic() - item[0] >= self.ttl_s:
            return None
        return item[1]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value, or compute() stored; exceptions are not cached."""
        now = time.monotonic()
        item = self._items.get(key)
        if item is not None and now - item[0] < self.ttl_s:
            self._items.move_to_end(key)
            self.hits += 1
            return item[1]
        self.misses += 1
        value = compute()
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value
