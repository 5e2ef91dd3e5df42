"""Bounded lexical retrieval (issue 13): SQLite scores, orders and cuts to the page in C, and
counts facets in SQL; Python only sees the page's rows and a few hundred facet groups.

Scores are the same as the full path's: BM25 over the weighted FTS5 columns, times
`ranking.mismatch` when the trial's age range or sex excludes the patient the query describes,
ties broken by doc_id. Filters are evaluated on the narrow `search_facets` table (alias `t`).
"""

from __future__ import annotations

import sqlite3

from trialscout.search.facets import cached_sql_facets, sql_facets
from trialscout.search.filters import SearchFilters, where_clause
from trialscout.search.query import ParsedQuery
from trialscout.search.ranking import Ranking

MATCH_IDS = "FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ?) m "
FACETS_JOIN = "CROSS JOIN search_facets t ON t.doc_id = m.rowid"


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


def ranked_page(
    conn: sqlite3.Connection, parsed: ParsedQuery, fts: str, f: SearchFilters,
    ranking: Ranking, sort: str, limit: int, offset: int,
) -> list[tuple[int, float]]:  # fmt: skip
    """(doc_id, score) of one page of matches, best first (or newest first)."""
    weights = ", ".join(str(w) for w in ranking.weights())
    where, params = where_clause(f, places="t")
    admits, admit_params = _admits_sql(parsed)
    if not where and not admits and sort == "relevance":
        sql = (
            f"SELECT rowid, -bm25(search_fts, {weights}) AS score FROM search_fts "
            "WHERE search_fts MATCH ? ORDER BY score DESC, rowid LIMIT ? OFFSET ?"
        )
        return conn.execute(sql, (fts, limit, offset)).fetchall()
    score = "-m.s"
    if admits:
        score = f"-m.s * (CASE WHEN {admits} THEN 1.0 ELSE {float(ranking.mismatch)} END)"
    order = "score DESC, m.rowid"
    if sort == "last_update":
        order = "t.last_update_posted DESC, " + order
    sql = (
        f"SELECT m.rowid, {score} AS score FROM (SELECT rowid, bm25(search_fts, {weights}) AS s "
        f"FROM search_fts WHERE search_fts MATCH ?) m {FACETS_JOIN}"
        + (f" WHERE {where}" if where else "")
        + f" ORDER BY {order} LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*admit_params, fts, *params, limit, offset]).fetchall()


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


def match_facets(conn: sqlite3.Connection, fts: str, f: SearchFilters) -> tuple[int, dict]:
    """(total, facets) of every match passing the filters."""
    where, params = where_clause(f, places="t")
    return sql_facets(
        conn, MATCH_IDS + FACETS_JOIN, f"WHERE {where}" if where else "", [fts, *params]
    )


def browse_facets(conn: sqlite3.Connection, f: SearchFilters) -> tuple[int, dict]:
    """(total, facets) of every trial passing the filters: the same for every visitor, cached."""
    where, params = where_clause(f, places="t")
    return cached_sql_facets(
        conn, "FROM search_facets t", f"WHERE {where}" if where else "", params
    )
