"""Keeps the search tables in step with the stored trials (the ingest hook) and rebuilds them.

`index_trial` runs inside the ingest transaction for every new or changed version, so a search
never sees a trial whose index row is missing or stale. It must stay cheap: a handful of
statements per trial, no reads of other trials.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable

from trialscout.registry.model import Trial
from trialscout.search.geo import country_key, key, state_key
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

# The prefix class stays on one line ([ \t], not \s): with \s every line start rescanned all the
# blank lines after it, quadratic in the number of lines (issue 12).
_EXCLUSION = re.compile(
    r"^[ \t\-*•\d.)]*(?:key\s+|main\s+|patient\s+|list of\s+)?exclusion(?:\s+criteria)?\b",
    re.IGNORECASE | re.MULTILINE,
)


def split_criteria(text: str | None) -> tuple[str, str]:
    """(inclusion part, exclusion part): exclusions name what the trial does NOT want, so
    ranking weighs them apart."""
    if not text:
        return "", ""
    m = _EXCLUSION.search(text)
    if m is None:
        return text, ""
    return text[: m.start()], text[m.start() :]


def _join(items: Iterable[str | None]) -> str:
    return "\n".join(i for i in items if i)


def document(trial: Trial) -> tuple[str, ...]:
    """The text of each FTS column, in table order."""
    inclusion, exclusion = split_criteria(trial.eligibility.criteria)
    interventions = []
    for iv in trial.interventions:
        interventions += [iv.name, *iv.other_names]
    return (
        _join([trial.brief_title, trial.official_title, trial.acronym]),
        _join([*trial.conditions, *trial.condition_terms]),
        _join(trial.keywords),
        _join([*interventions, *trial.intervention_terms]),
        _join([trial.brief_summary, trial.detailed_description]),
        inclusion,
        exclusion,
    )


def intervention_names(trial: Trial) -> list[str]:
    names: list[str] = []
    for iv in trial.interventions:
        names += [iv.name, *iv.other_names]
    names += trial.intervention_terms
    seen, out = set(), []
    for n in names:
        if n and key(n) not in seen:
            seen.add(key(n))
            out.append(n)
    return out


def _doc_id(conn: sqlite3.Connection, trial_id: str) -> int:
    row = conn.execute("SELECT rowid FROM trials WHERE trial_id = ?", (trial_id,)).fetchone()
    if row is None:
        raise KeyError(f"{trial_id}: index_trial called before the trial was stored")
    return row[0]


def _unindex_sites(conn: sqlite3.Connection, doc_id: int) -> None:
    """Take the old version's geo points back out of the gazetteer's running means."""
    rows = conn.execute(
        "SELECT city_key, state_key, country_key, lat, lon FROM search_sites "
        "WHERE doc_id = ? AND geo_source = 'registry'",
        (doc_id,),
    ).fetchall()
    conn.executemany(
        "UPDATE search_places SET lat_sum = lat_sum - ?, lon_sum = lon_sum - ?, n = n - 1 "
        "WHERE city_key = ? AND state_key = ? AND country_key = ?",
        [(r[3], r[4], r[0], r[1], r[2]) for r in rows],
    )
    if rows:
        conn.execute("DELETE FROM search_places WHERE n <= 0")
    conn.execute("DELETE FROM search_sites WHERE doc_id = ?", (doc_id,))


def _site_keys(trial: Trial) -> list[tuple]:
    """Pure part of a site row (normalized keys): computed in `prepare`, off the main process."""
    return [
        (loc.facility, loc.city, loc.state, loc.country,
         key(loc.city), state_key(loc.state), country_key(loc.country), loc.lat, loc.lon)
        for loc in trial.locations
    ]  # fmt: skip


def _site_rows(conn: sqlite3.Connection, doc_id: int, keyed: list[tuple]) -> list[tuple]:
    rows = []
    for facility, city, state, country, ck, sk, kk, lat, lon in keyed:
        source = None
        if lat is not None and lon is not None:
            source = "registry"
        elif ck:
            lat, lon = _gazetteer_point(conn, ck, sk, kk)
            source = "gazetteer" if lat is not None else None
        rows.append((doc_id, facility, city, state, country, ck, sk, kk, lat, lon, source))
    return rows


_POINTS: dict[tuple[int, str, str, str], tuple[float | None, float | None]] = {}


def _gazetteer_point(conn: sqlite3.Connection, ck: str, sk: str, kk: str):
    """Memoized per connection: bulk legacy loads repeat the same cities thousands of times.
    A city first seen before any geo-located site is filled later by `fill_site_coordinates`."""
    memo = (id(conn), ck, sk, kk)
    if memo not in _POINTS:
        if len(_POINTS) > 100_000:
            _POINTS.clear()
        _POINTS[memo] = _query_point(conn, ck, sk, kk)
    return _POINTS[memo]


def _query_point(conn: sqlite3.Connection, ck: str, sk: str, kk: str):
    row = conn.execute(
        "SELECT lat_sum / n, lon_sum / n FROM search_places WHERE city_key = ? AND country_key = ? "
        "ORDER BY (state_key = ?) DESC, n DESC LIMIT 1",
        (ck, kk, sk),
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def prepare(trial: Trial) -> dict:
    """The CPU-only part of indexing (text, keys): ingest may run it in a worker process."""
    return {
        "sites": _site_keys(trial),
        "conditions": json.dumps(trial.conditions, ensure_ascii=False),
        "interventions": json.dumps(intervention_names(trial), ensure_ascii=False),
    }


def index_trial(conn: sqlite3.Connection, trial: Trial, payload: dict | None = None) -> None:
    """Per-record ingest hook: the search tables (`index_tables`) and the tantivy document."""
    from trialscout.search import fulltext

    index_tables(conn, trial, payload)
    fulltext.write_hooked(conn, trial)


def index_tables(conn: sqlite3.Connection, trial: Trial, payload: dict | None = None) -> None:
    """(Re)write this trial's search metadata, filter/facet rows and sites (the text goes to
    the tantivy index: `fulltext`)."""
    p = payload if payload is not None else prepare(trial)
    doc_id = _doc_id(conn, trial.trial_id)
    _unindex_sites(conn, doc_id)
    sites = _site_rows(conn, doc_id, p["sites"])
    conn.executemany("INSERT INTO search_sites VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sites)
    conn.executemany(
        "INSERT INTO search_places VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) "
        "ON CONFLICT (city_key, state_key, country_key) DO UPDATE SET "
        "lat_sum = lat_sum + excluded.lat_sum, lon_sum = lon_sum + excluded.lon_sum, n = n + 1",
        [(s[5], s[6], s[7], s[2], s[3], s[4], s[8], s[9]) for s in sites
         if s[10] == "registry" and s[5]],
    )  # fmt: skip
    countries = sorted({s[7] for s in sites if s[7]})
    cities = sorted({s[5] for s in sites if s[5]})
    conn.execute(
        "INSERT OR REPLACE INTO search_docs VALUES (?, ?, ?, ?, ?, ?)",
        (doc_id, trial.trial_id, p["conditions"], p["interventions"],
         "|" + "|".join(countries) + "|", "|" + "|".join(cities) + "|"),
    )  # fmt: skip
    _write_facets(conn, doc_id, trial, countries, cities)


def _write_facets(conn, doc_id: int, trial: Trial, countries: list[str], cities: list[str]):
    """The narrow filter/facet row and the per-country rows (see migration 0013)."""
    e = trial.eligibility
    conn.execute(
        "INSERT OR REPLACE INTO search_facets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (doc_id, trial.overall_status, ",".join(trial.phases) or None, trial.study_type,
         e.sex, e.min_age_years, e.max_age_years,
         None if e.healthy_volunteers is None else int(e.healthy_volunteers),
         int(trial.has_results), trial.last_update_posted,
         "|" + "|".join(countries) + "|", "|" + "|".join(cities) + "|"),
    )  # fmt: skip
    conn.execute("DELETE FROM search_countries WHERE doc_id = ?", (doc_id,))
    conn.executemany("INSERT INTO search_countries VALUES (?, ?)", [(doc_id, c) for c in countries])


index_trial.prepare = prepare  # type: ignore[attr-defined]  (see store.ingest.IndexHook)


def fill_site_coordinates(conn: sqlite3.Connection) -> int:
    """Give sites without a geo point their city's gazetteer point (after a bulk load the
    gazetteer knows cities that were unknown when earlier trials were indexed)."""
    cur = conn.execute(
        "UPDATE search_sites SET geo_source = 'gazetteer', "
        "lat = (SELECT lat_sum / n FROM search_places p WHERE p.city_key = search_sites.city_key "
        "AND p.country_key = search_sites.country_key ORDER BY n DESC LIMIT 1), "
        "lon = (SELECT lon_sum / n FROM search_places p WHERE p.city_key = search_sites.city_key "
        "AND p.country_key = search_sites.country_key ORDER BY n DESC LIMIT 1) "
        "WHERE geo_source IS NULL AND city_key != '' AND EXISTS (SELECT 1 FROM search_places p "
        "WHERE p.city_key = search_sites.city_key AND p.country_key = search_sites.country_key)"
    )
    return cur.rowcount


def after_ingest(db: Database) -> None:
    """Run once after an ingest run: coordinates for cities resolved late."""
    with db.transaction() as conn:
        fill_site_coordinates(conn)


SEARCH_TABLES = (
    "search_docs", "search_facets", "search_countries", "search_sites",
    "search_places",
)  # fmt: skip


def rebuild(db: Database) -> int:
    """Drop and rebuild every search table from the stored trials; returns trials indexed."""
    from trialscout.search import fulltext

    _POINTS.clear()
    count = 0
    with db.transaction() as conn:
        for table in SEARCH_TABLES:
            conn.execute(f"DELETE FROM {table}")
        fulltext.clear(conn)
        for trial in TrialStore(db).iter_trials():
            index_trial(conn, trial)
            count += 1
        fill_site_coordinates(conn)
        fulltext.flush(conn)
    return count
