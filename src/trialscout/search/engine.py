"""`search()`: lexical retrieval (tantivy, BM25 over weighted fields) + filters, distance,
facets, sorting and paging; SQLite is the store.

Without a place, tantivy ranks, pages and counts (`_ranked`, see `tsearch`); queries without
words browse SQL's `search_facets` (`topk`). With a place (and for semantic/hybrid), every
match passing the filters becomes a `Candidate` row (`_match_rows` / `_browse_rows`) so
distance, facets, sorting and paging work on plain rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass

from trialscout.search import fulltext, geo, topk, tsearch
from trialscout.search.errors import InvalidFilter, NoEmbeddings, SearchError
from trialscout.search.facets import (  # noqa: F401 - AGE_GROUPS re-exported
    AGE_GROUPS,
    DISTANCE_BANDS_KM,
    facets,
)
from trialscout.search.filters import SearchFilters, normalize, where_clause
from trialscout.search.notes import explain, indexing_notes
from trialscout.search.query import ParsedQuery, parse_query
from trialscout.search.ranking import DEFAULT, Ranking, admits
from trialscout.search.results import SearchHit, SearchPage
from trialscout.search.snippets import snippets
from trialscout.store.db import Database

SORTS = ("relevance", "last_update", "distance")
MODES = ("lexical", "semantic", "hybrid")
SEMANTIC_K = 100  # semantic candidates fused with the lexical list (more when paging deeper)
MAX_LIMIT = 1000
SNIPPET_HITS = 50  # snippets cost a scan of each hit's text: only for the first hits of a page
SNIPPET_CONCEPTS = 8  # and only highlight the first concepts of a long (patient) query


@dataclass(slots=True)
class Candidate:
    doc_id: int
    score: float
    status: str | None
    phases: str | None
    study_type: str | None
    has_results: int
    last_update: str | None
    countries: str
    sex: str | None = None
    min_age: float | None = None
    max_age: float | None = None
    distance_km: float | None = None
    nearest_site: str | None = None


_ROW_COLUMNS = (
    "t.overall_status, t.phases, t.study_type, t.has_results, t.last_update_posted, d.countries, "
    "t.sex, t.min_age_years, t.max_age_years"
)


def _match_rows(
    conn: sqlite3.Connection, plan: tsearch.Plan, mode: str, where: str, params: list
) -> list[tuple]:
    """Every match of the query and filters (tantivy), with its row; `where` (SQL over
    `trials t`) only adds what the index cannot decide, e.g. a site inside the radius's box."""
    scores = dict(plan.every(mode))
    if not scores:
        return []
    sql = (
        f"SELECT t.rowid, 0.0, {_ROW_COLUMNS} FROM trials t JOIN search_docs d "
        "ON d.doc_id = t.rowid WHERE t.rowid IN (SELECT value FROM json_each(?))"
        + (f" AND {where}" if where else "")
    )
    rows = conn.execute(sql, [json.dumps(list(scores)), *params]).fetchall()
    return [(r[0], scores[r[0]], *r[2:]) for r in rows]


def _browse_rows(conn: sqlite3.Connection, where: str, params: list) -> list[tuple]:
    sql = (
        f"SELECT t.rowid, 0.0, {_ROW_COLUMNS} FROM trials t JOIN search_docs d "
        "ON d.doc_id = t.rowid" + (f" WHERE {where}" if where else "")
    )
    return conn.execute(sql, params).fetchall()


# A site in the radius's bounding box: per match, an index lookup of its own sites (measured
# 25x faster than materializing every site of a wide box once); without query words, the box.
_IN_BOX = {
    True: "EXISTS (SELECT 1 FROM search_sites s WHERE s.doc_id = t.rowid "
    "AND s.lat BETWEEN ? AND ? AND s.lon BETWEEN ? AND ?)",
    False: "t.rowid IN (SELECT doc_id FROM search_sites WHERE lat BETWEEN ? AND ? "
    "AND lon BETWEEN ? AND ?)",
}


def _candidates(
    conn: sqlite3.Connection, parsed: ParsedQuery, f: SearchFilters, ranking: Ranking,
    box: tuple[float, float, float, float] | None = None,
) -> tuple[list[Candidate], str | None]:  # fmt: skip
    """Rows passing the filters (and with a site in `box`, which bounds a radius search),
    scored; and the match mode used ('all', 'any' or None)."""
    if not parsed.concepts:
        where, params = where_clause(f)
        if box:
            in_box = _IN_BOX[False]
            where, params = (f"{where} AND {in_box}" if where else in_box), [*params, *box]
        rows, mode = _browse_rows(conn, where, params), None
    else:
        plan = tsearch.Plan(fulltext.reader(conn), parsed, f, ranking, box)
        where, params = (_IN_BOX[True], list(box)) if box else ("", [])
        mode = "all" if len(parsed.concepts) <= ranking.and_max_concepts else "any"
        rows = _match_rows(conn, plan, mode, where, params)
        if not rows and mode == "all" and len(parsed.concepts) > 1:
            mode = "any"
            rows = _match_rows(conn, plan, mode, where, params)
    out = []
    for r in rows:
        score = r[1]
        if parsed.concepts and not admits(parsed.patient_age, parsed.patient_sex, *r[8:11]):
            score *= ranking.mismatch
        out.append(Candidate(r[0], score, *r[2:11]))
    return out, mode


def _rows_for(conn: sqlite3.Connection, doc_ids: list[int]) -> dict[int, tuple]:
    sql = (
        f"SELECT t.rowid, 0.0, {_ROW_COLUMNS} FROM trials t JOIN search_docs d "
        "ON d.doc_id = t.rowid WHERE t.rowid IN (SELECT value FROM json_each(?))"
    )
    return {r[0]: r for r in conn.execute(sql, (json.dumps(doc_ids),))}


def _with_semantic(
    conn: sqlite3.Connection, query: str, f: SearchFilters, lexical: list[Candidate],
    mode: str, k: int,
) -> list[Candidate]:  # fmt: skip
    """Semantic top-k under the same filters; 'semantic' ranks by cosine alone, 'hybrid' fuses
    it with the lexical list by reciprocal rank."""
    from trialscout.search import semantic  # the optional extra's imports stay lazy

    where, params = where_clause(f)
    top = semantic.top_k(conn, query, where, params, k)
    if mode == "semantic":
        scores = dict(top)
    else:
        lex = [c.doc_id for c in sorted(lexical, key=lambda c: (-c.score, c.doc_id))]
        scores = dict(semantic.rrf_fuse([lex, [d for d, _ in top]]))
    have = {c.doc_id: c for c in lexical}
    rows = _rows_for(conn, [d for d in scores if d not in have])
    out = []
    for doc_id, score in scores.items():
        c = have.get(doc_id) or Candidate(doc_id, 0.0, *rows[doc_id][2:11])
        c.score = score
        out.append(c)
    return out


def _search_mode(conn, mode: str, parsed: ParsedQuery) -> tuple[str, list[str]]:
    """The mode actually used, and a note when it differs from the one asked for."""
    if mode not in MODES:
        raise InvalidFilter(f"unknown mode {mode!r}; valid: {', '.join(MODES)}")
    if mode == "lexical" or not parsed.concepts:
        return "lexical", []
    from trialscout.search import semantic

    if not semantic.has_embeddings(conn):
        if mode == "semantic":
            raise NoEmbeddings(
                "semantic search needs stored embeddings: run `trialscout embed` first"
            )
        return "lexical", ["no stored embeddings (run `trialscout embed`): lexical search only"]
    semantic.require_embed_extra()
    return mode, []


def _point(conn, f: SearchFilters) -> tuple[float, float, str] | None:
    if f.near:
        place = geo.resolve_place(conn, f.near)
        return place.lat, place.lon, place.name
    if f.lat is not None and f.lon is not None:
        return f.lat, f.lon, f"{f.lat:.4f}, {f.lon:.4f}"
    return None


def _site_rows(conn, lat: float, lon: float, radius: float | None, doc_ids: list[int]):
    """The candidates' sites with a point (with a radius, only those in its bounding box): one
    index lookup per candidate, never a walk over every site in a wide box."""
    sql = (
        "SELECT doc_id, lat, lon, facility, city, country FROM search_sites "
        "WHERE doc_id IN (SELECT value FROM json_each(?)) AND lat IS NOT NULL"
    )
    box = geo.bounding_box(lat, lon, radius) if radius else None
    if box:
        return conn.execute(
            sql + " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?", (json.dumps(doc_ids), *box)
        )
    return conn.execute(sql, (json.dumps(doc_ids),))


def _apply_distance(conn, cands: list[Candidate], point, radius: float | None) -> list[Candidate]:
    """Nearest site per candidate; with a radius, drop candidates with no site inside it."""
    lat, lon, _ = point
    wanted = {c.doc_id: c for c in cands}
    for doc_id, slat, slon, facility, city, country in _site_rows(
        conn, lat, lon, radius, list(wanted)
    ):
        c = wanted.get(doc_id)
        if c is None:
            continue
        km = geo.haversine_km(lat, lon, slat, slon)
        if c.distance_km is None or km < c.distance_km:
            c.distance_km = km
            c.nearest_site = ", ".join(p for p in (facility, city, country) if p)
    if radius is None:
        return cands
    return [c for c in cands if c.distance_km is not None and c.distance_km <= radius]


def _order(cands: list[Candidate], sort: str) -> list[Candidate]:
    if sort == "distance":
        return sorted(cands, key=lambda c: (c.distance_km is None, c.distance_km or 0, -c.score))
    if sort == "last_update":
        cands = sorted(cands, key=lambda c: -c.score)
        return sorted(cands, key=lambda c: c.last_update or "", reverse=True)
    return sorted(cands, key=lambda c: (-c.score, c.doc_id))


def _hits(conn, page: list[Candidate], parsed: ParsedQuery, mode: str | None) -> list[SearchHit]:
    if not page:
        return []
    ids = json.dumps([c.doc_id for c in page])
    info = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT t.rowid, t.trial_id, t.title, t.phases, d.conditions FROM trials t "
            "JOIN search_docs d ON d.doc_id = t.rowid WHERE t.rowid IN (SELECT value FROM json_each(?))",
            (ids,),
        )
    }
    found = {}
    if mode:
        found = snippets(conn, fulltext.reader(conn), parsed,
                         [c.doc_id for c in page[:SNIPPET_HITS]], SNIPPET_CONCEPTS)  # fmt: skip
    hits = []
    for c in page:
        trial_id, title, phases, conditions = info[c.doc_id]
        hits.append(SearchHit(
            trial_id=trial_id, title=title or trial_id, score=round(c.score, 4),
            overall_status=c.status,
            phases=[p for p in (phases or "").replace("N,A", "NA").split(",") if p],
            conditions=json.loads(conditions), last_update_posted=c.last_update,
            distance_km=None if c.distance_km is None else round(c.distance_km, 1),
            nearest_site=c.nearest_site, snippet=found.get(c.doc_id),
        ))  # fmt: skip
    return hits


def _check_places_known(conn, f: SearchFilters) -> None:
    """An unknown country/city is a typo far more often than a true zero: say so."""
    for what, value, col, k in (
        ("country", f.country, "country_key", geo.country_key(f.country)),
        ("city", f.city, "city_key", geo.key(f.city)),
    ):
        if not value:
            continue
        known = conn.execute(f"SELECT 1 FROM search_places WHERE {col} = ? LIMIT 1", (k,))
        if (
            known.fetchone() is None
            and conn.execute(f"SELECT 1 FROM search_sites WHERE {col} = ? LIMIT 1", (k,)).fetchone()
            is None
        ):
            raise InvalidFilter(f"unknown {what} {value!r}: no stored trial has a site there")


def _has_filters(f: SearchFilters) -> bool:
    return any((f.status, f.phase, f.study_type, f.sex, f.country, f.city, f.has_point())) or any(
        v is not None for v in (f.age, f.healthy_volunteers, f.has_results)
    )


def _check_paging(limit: int, offset: int, sort: str) -> None:
    if sort not in SORTS:
        raise InvalidFilter(f"unknown sort {sort!r}; valid: {', '.join(SORTS)}")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidFilter(f"limit must be between 1 and {MAX_LIMIT}, not {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise InvalidFilter(f"offset must be 0 or more, not {offset!r}")


def search(
    db: Database,
    query: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    ranking: Ranking = DEFAULT,
    mode: str = "lexical",
) -> SearchPage:
    """Find trials for a query and filters. Raises `SearchError` (a `ValueError`) on bad input.

    `mode`: "lexical" (BM25), "semantic" (embedding cosine, needs the `embed` extra and
    `trialscout embed`) or "hybrid" (reciprocal-rank fusion of both; lexical when no trial has
    an embedding yet, with a note saying so)."""
    _check_paging(limit, offset, sort)
    f = normalize(filters)
    parsed = parse_query(query or "", allow_empty=_has_filters(f))
    conn = db.conn
    try:
        point = _point(conn, f)
        if sort == "distance" and point is None:
            raise InvalidFilter("sorting by distance needs a place (near) or lat/lon")
        _check_places_known(conn, f)
        used, notes = _search_mode(conn, mode, parsed)
        notes += indexing_notes(conn)
        if used == "lexical" and point is None:
            return _bounded(conn, parsed, f, ranking, sort, limit, offset, notes)
        if used == "semantic":
            cands, match = [], "semantic"
        else:
            box = None
            if point is not None and f.radius_km:
                box = geo.bounding_box(point[0], point[1], f.radius_km)
            cands, match = _candidates(conn, parsed, f, ranking, box)
        if used != "lexical":
            k = max(SEMANTIC_K, offset + limit)
            cands = _with_semantic(conn, parsed.text, f, cands, used, k)
        if point is not None:
            cands = _apply_distance(conn, cands, point, f.radius_km)
        if sort == "relevance" and match is None:
            sort = "distance" if point is not None else "last_update"
        ordered = _order(cands, sort)
        hits = _hits(conn, ordered[offset : offset + limit], parsed, match)
    except sqlite3.Error as exc:  # a bug, not user input: still never a raw sqlite error
        raise SearchError(f"search failed: {exc}") from exc
    return SearchPage(
        hits=hits,
        total=len(cands),
        facets=facets(cands),
        query=parsed.text,
        expanded_query=explain(parsed, match) + notes,
        place=point[2] if point else None,
        mode_used=used,
    )


def _bounded(
    conn, parsed: ParsedQuery, f: SearchFilters, ranking: Ranking, sort: str,
    limit: int, offset: int, notes: list[str],
) -> SearchPage:  # fmt: skip
    """Lexical search without a place: SQLite ranks, pages and counts (see `topk`), so the
    cost does not grow with Python objects per match."""
    if not parsed.concepts:
        total, counts = topk.browse_facets(conn, f)
        rows, match = topk.browse_page(conn, f, limit, offset), None
    else:
        rows, total, counts, match = _ranked(conn, parsed, f, ranking, sort, limit, offset)
    info = _rows_for(conn, [r[0] for r in rows])
    # a document whose trial is gone (a rolled-back record) is not a hit
    page = [Candidate(d, score, *info[d][2:11]) for d, score in rows if d in info]
    return SearchPage(
        hits=_hits(conn, page, parsed, match),
        total=total,
        facets=counts,
        query=parsed.text,
        expanded_query=explain(parsed, match) + notes,
        place=None,
        mode_used="lexical",
    )


def _ranked(
    conn, parsed: ParsedQuery, f: SearchFilters, ranking: Ranking, sort: str,
    limit: int, offset: int,
) -> tuple[list[tuple[int, float]], int, dict, str]:  # fmt: skip
    """(page, total, facets, match mode) from tantivy: all concepts required, any of them
    when nothing has them all."""
    plan = tsearch.Plan(fulltext.reader(conn), parsed, f, ranking)
    match = "all" if len(parsed.concepts) <= ranking.and_max_concepts else "any"
    modes = [match] + (["any"] if match == "all" and len(parsed.concepts) > 1 else [])
    for match in modes:
        if sort == "last_update":
            rows, total = plan.newest(match, limit, offset)
        else:
            rows, total = plan.best(match, offset + limit)
            rows = rows[offset:]
        if total:
            break
    counts = plan.facets(match) if total else tsearch.as_facets(_NO_BUCKETS)
    return rows, total, counts, match


_NO_BUCKETS = defaultdict(Counter)
