"""Browsing without query words (issue 13): SQLite pages by last update on an index and counts
facets in SQL over the narrow `search_facets` table (alias `t`); Python only sees the page's
rows and a few hundred facet groups. Queries with words go to tantivy (`tsearch`).
"""

from __future__ import annotations

import sqlite3

from trialscout.search.facets import cached_sql_facets
from trialscout.search.filters import SearchFilters, where_clause


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
