"""Facet counts over the whole filtered result set (not just the page).

Two ways to the same counts: `sql_facets` lets SQLite count over the narrow `search_facets`
table, grouped by the facet columns, so Python only sums a few hundred groups however many
trials match; `facets` counts a list of in-memory candidates (the bounded geo and semantic
paths, where distances live in Python).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from typing import Any

# The registry's own age groups (stdAges): a trial counts in every group its age range admits.
AGE_GROUPS = (("CHILD", 0.0, 17.999), ("ADULT", 18.0, 64.999), ("OLDER_ADULT", 65.0, 200.0))
DISTANCE_BANDS_KM = (10, 50, 100, 500)
COUNTRY_FACET_SIZE = 20


def age_bits_sql(alias: str = "t") -> str:
    """One integer per row: bit i set when the row's age range admits AGE_GROUPS[i]."""
    low = f"coalesce({alias}.min_age_years, 0.0)"
    high = f"coalesce({alias}.max_age_years, 200.0)"
    parts = [
        f"(({low} <= {g_high}) AND ({high} >= {g_low})) * {1 << i}"
        for i, (_, g_low, g_high) in enumerate(AGE_GROUPS)
    ]
    return "(" + " + ".join(parts) + ")"


def _phase_list(phases: str | None) -> list[str]:
    return (phases or "").replace("N,A", "NA").split(",") if phases else ["NONE"]


class Counts:
    """Running counters for every facet but distance."""

    def __init__(self) -> None:
        self.status, self.phase, self.stype = Counter(), Counter(), Counter()
        self.results, self.sex, self.ages = Counter(), Counter(), Counter()

    def add(self, status, phases, stype, has_results, sex, age_bits: int, n: int = 1) -> None:
        self.status[status or "UNKNOWN"] += n
        for p in _phase_list(phases):
            self.phase[p] += n
        self.stype[stype or "UNKNOWN"] += n
        self.results["yes" if has_results else "no"] += n
        self.sex[sex or "UNKNOWN"] += n
        for i, (group, _, _) in enumerate(AGE_GROUPS):
            if age_bits & (1 << i):
                self.ages[group] += n

    def as_dict(self, country: dict[str, int]) -> dict[str, dict[str, int]]:
        return {
            "status": dict(self.status.most_common()),
            "phase": dict(sorted(self.phase.items())),
            "study_type": dict(self.stype.most_common()),
            "has_results": dict(self.results.most_common()),
            "country": country,
            "sex": dict(self.sex.most_common()),
            "age_group": {g: self.ages[g] for g, _, _ in AGE_GROUPS if self.ages[g]},
        }


def _age_bits(low: float | None, high: float | None) -> int:
    low, high = low or 0.0, 200.0 if high is None else high
    return sum(
        1 << i for i, (_, g_lo, g_hi) in enumerate(AGE_GROUPS) if low <= g_hi and high >= g_lo
    )


def facets(cands: Iterable[Any]) -> dict[str, dict[str, int]]:
    """Counts over in-memory candidates (objects with the engine's Candidate fields)."""
    counts, country, distance = Counts(), Counter(), Counter()
    for c in cands:
        bits = _age_bits(c.min_age, c.max_age)
        counts.add(c.status, c.phases, c.study_type, c.has_results, c.sex, bits)
        for k in c.countries.strip("|").split("|"):
            if k:
                country[k] += 1
        if c.distance_km is not None:
            for band in DISTANCE_BANDS_KM:
                if c.distance_km <= band:
                    distance[f"within {band} km"] += 1
    out = counts.as_dict(dict(country.most_common(COUNTRY_FACET_SIZE)))
    if distance:
        out["distance"] = {f"within {b} km": distance[f"within {b} km"] for b in DISTANCE_BANDS_KM}
    return out


def sql_facets(
    conn, source: str, where: str, params: list
) -> tuple[int, dict[str, dict[str, int]]]:
    """(total, facets) of the rows of `source` (a FROM clause in which `t` is `search_facets`)
    passing `where`: SQLite groups by the facet columns, Python sums the groups."""
    counts, total = Counts(), 0
    sql = (
        "SELECT t.overall_status, t.phases, t.study_type, t.has_results, t.sex, "
        f"{age_bits_sql()}, count(*) {source} {where} GROUP BY 1, 2, 3, 4, 5, 6"
    )
    for status, phases, stype, results, sex, bits, n in conn.execute(sql, params):
        counts.add(status, phases, stype, results, sex, bits, n)
        total += n
    country: dict[str, int] = {}
    if total:
        rows = conn.execute(
            f"SELECT c.country_key, count(*) AS n {source} "
            f"CROSS JOIN search_countries c ON c.doc_id = t.doc_id {where} "
            f"GROUP BY 1 ORDER BY n DESC, 1 LIMIT {COUNTRY_FACET_SIZE}",
            params,
        )
        country = {k: n for k, n in rows}
    return total, counts.as_dict(country)


class FacetCache:
    """Facets that are the same for every visitor (no query words: the browse view and its
    filters), kept per database state. The key includes SQLite's `data_version` and the
    connection's `total_changes`, so any write, by this process or another, invalidates it."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._items: OrderedDict[tuple, tuple[int, dict]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def state(conn) -> tuple:
        return (id(conn), conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)

    def get(self, key: tuple) -> tuple[int, dict] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple, value: tuple[int, dict]) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


BROWSE_FACETS = FacetCache()


def cached_sql_facets(conn, source: str, where: str, params: list) -> tuple[int, dict]:
    """`sql_facets` through the browse cache (for queries without words)."""
    key = (BROWSE_FACETS.state(conn), source, where, tuple(params))
    hit = BROWSE_FACETS.get(key)
    if hit is None:
        hit = sql_facets(conn, source, where, params)
        BROWSE_FACETS.put(key, hit)
    total, out = hit
    return total, {k: dict(v) for k, v in out.items()}
