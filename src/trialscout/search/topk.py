"""Bounded lexical retrieval (issue 13): SQLite scores, orders and cuts to the page in C, and
counts facets in SQL; Python only sees the page's rows and a few hundred facet groups.

Scores are the same as the full path's: BM25 over the weighted FTS5 columns, times
`ranking.mismatch` when the trial's age range or sex excludes the patient the query describes,
ties broken by doc_id. Filters are evaluated on the narrow `search_facets` table (alias `t`).
"""

from __future__ import annotations

import sqlite3

from trialscout.search.facets import COUNTRY_FACET_SIZE, Counts, age_bits_sql, cached_sql_facets
from trialscout.search.filters import SearchFilters, where_clause
from trialscout.search.query import ParsedQuery
from trialscout.search.ranking import Ranking


def _admits_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """SQL twin of `ranking.admits` for the patient the query describes ('' when none)."""
    conds: list[str] = []
    params: list = []
    if parsed.patient_sex:
        conds.append("(t.sex IS NULL OR t.sex IN ('ALL', ?))")
        params.append(parsed.patient_sex)
    if parsed.patient_age is not None:
        conds.append("(t.min_age_years IS NULL OR t.min_age_years <= ?)")
        conds.append("(t.max_age_years IS NULL OR t.max_age_years >= ?)")
        params += [parsed.patient_age, parsed.patient_age]
    return " AND ".join(conds), params


def _hits_cte(parsed: ParsedQuery, f: SearchFilters, ranking: Ranking) -> tuple[str, list]:
    """`m`: every match, scored once (the MATCH is evaluated once per statement); `h`: those
    passing the filters, with their final score and facet columns."""
    weights = ", ".join(str(w) for w in ranking.weights())
    where, params = where_clause(f, places="t")
    admits, admit_params = _admits_sql(parsed)
    score = "m.s"
    if admits:
        score = f"m.s * (CASE WHEN {admits} THEN 1.0 ELSE {float(ranking.mismatch)} END)"
    sql = (
        "WITH m AS MATERIALIZED (SELECT rowid AS doc_id, -bm25(search_fts, "
        f"{weights}) AS s FROM search_fts WHERE search_fts MATCH ?), "
        f"h AS (SELECT m.doc_id, {score} AS score, t.* FROM m "
        "CROSS JOIN search_facets t ON t.doc_id = m.doc_id"
        + (f" WHERE {where}" if where else "")
        + ") "
    )
    return sql, [*admit_params, *params]


def ranked(
    conn: sqlite3.Connection, parsed: ParsedQuery, fts: str, f: SearchFilters,
    ranking: Ranking, sort: str, limit: int, offset: int,
) -> tuple[list[tuple[int, float]], int, dict]:  # fmt: skip
    """(page of (doc_id, score) best or newest first, total, facets) in one statement: the
    page, the facet groups and the country counts come back as tagged rows."""
    cte, params = _hits_cte(parsed, f, ranking)
    order = "score DESC, doc_id" if sort != "last_update" else (
        "last_update_posted DESC, score DESC, doc_id")  # fmt: skip
    sql = (
        f"{cte}SELECT 0, doc_id, score, NULL, NULL, NULL, NULL FROM "
        f"(SELECT doc_id, score FROM h ORDER BY {order} LIMIT ? OFFSET ?) "
        "UNION ALL SELECT 1, overall_status, phases, study_type, has_results, sex, "
        f"{age_bits_sql('h')} * 1000000000 + count(*) FROM h GROUP BY 2, 3, 4, 5, 6, "
        f"{age_bits_sql('h')} "
        "UNION ALL SELECT 2, c.country_key, count(*), NULL, NULL, NULL, NULL FROM h "
        "CROSS JOIN search_countries c ON c.doc_id = h.doc_id GROUP BY 2"
    )
    # the CTE's parameters come first: `m` (fts), then `h` (admits, filters) as written
    args = [fts, *params, limit, offset]
    page, counts, countries, total = [], Counts(), [], 0
    for tag, a, b, c, d, e, packed in conn.execute(sql, args):
        if tag == 0:
            page.append((a, b))
        elif tag == 1:
            bits, n = divmod(packed, 1_000_000_000)
            counts.add(a, b, c, d, e, bits, n)
            total += n
        else:
            countries.append((a, b))
    countries.sort(key=lambda kn: (-kn[1], kn[0]))
    return page, total, counts.as_dict(dict(countries[:COUNTRY_FACET_SIZE]))


def browse_page(
    conn: sqlite3.Connection, f: SearchFilters, limit: int, offset: int
) -> list[tuple[int, float]]:
    """No query words: newest first (the update index serves the order)."""
    where, params = where_clause(f, places="t")
    sql = (
        "SELECT t.doc_id, 0.0 FROM search_facets t"
        + (f" WHERE {where}" if where else "")
        + " ORDER BY t.last_update_posted DESC, t.doc_id DESC LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*params, limit, offset]).fetchall()


def browse_facets(conn: sqlite3.Connection, f: SearchFilters) -> tuple[int, dict]:
    """(total, facets) of every trial passing the filters: the same for every visitor, cached."""
    where, params = where_clause(f, places="t")
    return cached_sql_facets(
        conn, "FROM search_facets t", f"WHERE {where}" if where else "", params
    )
