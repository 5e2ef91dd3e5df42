"""Distances and the gazetteer: place names -> coordinates, built from the registry's own sites.

No geocoding service and no downloaded gazetteer: every stored site that carries a geo point
adds to a running mean for its (city, state, country), so any place where trials run resolves,
and sites without a geo point (legacy XML) borrow their city's coordinates.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from trialscout.search.errors import InvalidFilter, PlaceNotFound

EARTH_KM = 6371.0088
KM_PER_DEG_LAT = 111.195


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # as resolved, e.g. "Ningbo, Zhejiang, China"
    kind: str  # city | state | country
    lat: float
    lon: float
    sites: int  # how many stored sites support the coordinates


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(
    lat: float, lon: float, radius_km: float
) -> tuple[float, float, float, float] | None:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle, None when it spans a pole
    or the antimeridian (then only latitude can prune)."""
    dlat = radius_km / KM_PER_DEG_LAT
    cos = math.cos(math.radians(lat))
    if abs(lat) + dlat >= 89.0 or cos < 1e-6:
        return None
    dlon = radius_km / (KM_PER_DEG_LAT * cos)
    if lon - dlon < -180 or lon + dlon > 180:
        return None
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def check_point(lat: float | None, lon: float | None) -> None:
    if lat is None or lon is None:
        raise InvalidFilter("give both lat and lon (decimal degrees)")
    if not (-90 <= lat <= 90) or not (-180 <= lon <= 180) or math.isnan(lat + lon):
        raise InvalidFilter(f"lat/lon out of range: {lat}, {lon} (lat -90..90, lon -180..180)")


_NON_WORD = re.compile(r"[^\w,']+")


def key(text: str | None) -> str:
    """Normalized place key: no accents, lower case, single spaces ('São Paulo' -> 'sao paulo')."""
    if not text:
        return ""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NON_WORD.sub(" ", plain.replace("_", " ")).lower().split()).strip(" ,")


@cache
def _aliases() -> tuple[dict[str, str], dict[str, str]]:
    raw = resources.files("trialscout.search").joinpath("places.json").read_text("utf-8")
    data = json.loads(raw)
    countries, states = data.get("country_aliases"), data.get("state_aliases")
    if not isinstance(countries, dict) or not isinstance(states, dict):
        raise ValueError("places.json: needs 'country_aliases' and 'state_aliases' objects")
    return countries, states


def country_key(text: str | None) -> str:
    k = key(text)
    return _aliases()[0].get(k, k)


def state_key(text: str | None) -> str:
    k = key(text)
    return _aliases()[1].get(k, k)


def _lookup(conn: sqlite3.Connection, where: str, params: tuple, kind: str) -> Place | None:
    row = conn.execute(
        "SELECT sum(lat_sum), sum(lon_sum), sum(n), max(city), max(state), max(country) "
        f"FROM search_places WHERE {where}",
        params,
    ).fetchone()
    if row is None or not row[2]:
        return None
    parts = {"city": (row[3], row[4], row[5]), "state": (row[4], row[5]), "country": (row[5],)}
    name = ", ".join(p for p in parts[kind] if p)
    return Place(name, kind, row[0] / row[2], row[1] / row[2], row[2])


def _best_city(
    conn: sqlite3.Connection, city: str, extra: str = "", params: tuple = ()
) -> Place | None:
    """The most-attested (city, state, country) of that name: 'Springfield' picks the busiest."""
    row = conn.execute(
        "SELECT state_key, country_key FROM search_places WHERE city_key = ?"
        f"{extra} ORDER BY n DESC LIMIT 1",
        (city, *params),
    ).fetchone()
    if row is None:
        return None
    return _lookup(
        conn, "city_key = ? AND state_key = ? AND country_key = ?", (city, row[0], row[1]), "city"
    )


def _candidates(conn: sqlite3.Connection, text: str):
    """Readings of a place string, most specific first (lazy: stops at the first hit)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    for cut in range(len(parts) - 1, 0, -1):  # "city[, state], country" / "city, state"
        head, tail = ", ".join(parts[:cut]), ", ".join(parts[cut:])
        c, s, k, h = key(head), state_key(tail), country_key(tail), state_key(head)
        yield lambda c=c, k=k: _best_city(conn, c, " AND country_key = ?", (k,))
        yield lambda c=c, s=s: _best_city(conn, c, " AND state_key = ?", (s,))
        yield lambda h=h, k=k: _lookup(conn, "state_key = ? AND country_key = ?", (h, k), "state")
        if cut >= 2:  # "city, state, country"
            c2, s2 = key(parts[0]), state_key(", ".join(parts[1:cut]))
            yield lambda c2=c2, s2=s2, k=k: _best_city(
                conn, c2, " AND state_key = ? AND country_key = ?", (s2, k)
            )
    whole = ", ".join(parts)
    yield lambda: _best_city(conn, key(whole))
    yield lambda: _lookup(conn, "country_key = ?", (country_key(whole),), "country")
    yield lambda: _lookup(conn, "state_key = ?", (state_key(whole),), "state")


def resolve_place(db_or_conn, name: str) -> Place:
    """'Ningbo', 'Ningbo, China', 'Boston, MA', 'Zhejiang', 'China' -> a `Place`."""
    conn = getattr(db_or_conn, "conn", db_or_conn)
    if not isinstance(name, str) or not key(name):
        raise PlaceNotFound(str(name))
    if len(name) > 200:
        raise InvalidFilter(f"place name is too long ({len(name)} characters, at most 200)")
    for attempt in _candidates(conn, name):
        place = attempt()
        if place is not None:
            return place
    raise PlaceNotFound(name, _suggest(conn, key(name)))


def _suggest(conn: sqlite3.Connection, k: str) -> list[str]:
    stem = k.split(",")[0][:4]
    if len(stem) < 3:
        return []
    rows = conn.execute(
        "SELECT city, country FROM search_places WHERE city_key >= ? AND city_key < ? "
        "GROUP BY city_key, country_key ORDER BY sum(n) DESC LIMIT 5",
        (stem, stem + "\uffff"),
    )
    return [f"{r[0]}, {r[1]}" for r in rows]
