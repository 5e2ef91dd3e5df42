"""Reference engines for the search speed bench, over the very texts our FTS5 index holds:
raw FTS5 (our MATCH expression and weights, top-20 only, no facets), bm25s (plain BM25 over the
concatenated text, top-20) and tantivy (the same boolean expression over the same 7 fields with
the same weights, top-20 + total count + status and country aggregations: the work `search()`
does, in Rust). Used by bench/search_speed.py to decide between FTS5 and tantivy.
"""

from __future__ import annotations

import re
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from trialscout.search.query import parse_query
from trialscout.search.ranking import COLUMNS, DEFAULT
from trialscout.store.db import Database

BATCH = 2000


def _texts(db: Database) -> Iterator[tuple]:
    """(doc_id, 7 column texts, status, countries) in doc order, streamed."""
    last = 0
    cols = ", ".join(f"f.{c}" for c in COLUMNS)
    while True:
        rows = db.conn.execute(
            f"SELECT f.rowid, {cols}, t.overall_status, t.countries FROM search_fts f "
            "JOIN search_facets t ON t.doc_id = f.rowid WHERE f.rowid > ? ORDER BY f.rowid LIMIT ?",
            (last, BATCH),
        ).fetchall()
        if not rows:
            return
        yield from (tuple(r) for r in rows)
        last = rows[-1][0]


def timed(fn: Callable[[str], object], queries: list[str]) -> dict:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
    }


def _fts_expr(query: str) -> str:
    parsed = parse_query(query)
    mode = "all" if len(parsed.concepts) <= DEFAULT.and_max_concepts else "any"
    return parsed.fts(mode)


def raw_fts5(db: Database) -> Callable[[str], object]:
    weights = ", ".join(str(w) for w in DEFAULT.weights())
    sql = (
        f"SELECT rowid, bm25(search_fts, {weights}) AS s FROM search_fts "
        "WHERE search_fts MATCH ? ORDER BY s LIMIT 20"
    )
    return lambda q: db.conn.execute(sql, (_fts_expr(q),)).fetchall()


def bm25s_engine(db: Database) -> tuple[Callable[[str], object], float]:
    import bm25s

    t0 = time.perf_counter()
    ids, corpus = [], []
    for row in _texts(db):
        ids.append(row[0])
        corpus.append(" ".join(x for x in row[1:8] if x))
    tokens = bm25s.tokenize(corpus, stopwords="en", show_progress=False)
    del corpus
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    built = time.perf_counter() - t0

    def run(q: str):
        qt = bm25s.tokenize([q], stopwords="en", show_progress=False)
        return retriever.retrieve(qt, k=20, show_progress=False, n_threads=1)

    return run, built


def _tantivy_query(query: str) -> str:
    """Our concepts as a tantivy query: phrases OR'ed within a concept, concepts AND'ed (or
    OR'ed for long queries), exactly like the FTS5 expression."""
    parsed = parse_query(query)
    mode = "AND" if len(parsed.concepts) <= DEFAULT.and_max_concepts else "OR"
    parts = []
    for c in parsed.concepts:
        alts = ['"' + " ".join(re.sub(r"[^\w]", "", w) for w in a) + '"' for a in c.alternatives]
        parts.append("(" + " OR ".join(alts) + ")")
    return f" {mode} ".join(parts)


def tantivy_engine(db: Database, path: Path) -> tuple[Callable[[str], object], float, int]:
    import tantivy

    t0 = time.perf_counter()
    sb = tantivy.SchemaBuilder()
    for c in COLUMNS:
        sb.add_text_field(c, tokenizer_name="en_stem")
    sb.add_integer_field("doc_id", stored=True, fast=True)
    sb.add_text_field("status", fast=True, tokenizer_name="raw")
    sb.add_text_field("country", fast=True, tokenizer_name="raw")
    schema = sb.build()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for row in _texts(db):
        doc = tantivy.Document(doc_id=row[0], status=row[8] or "UNKNOWN")
        for name, text in zip(COLUMNS, row[1:8], strict=True):
            if text:
                doc.add_text(name, text)
        for country in (row[9] or "").strip("|").split("|"):
            if country:
                doc.add_text("country", country)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    built = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    boosts = dict(zip(COLUMNS, DEFAULT.weights(), strict=True))
    aggs = {
        "status": {"terms": {"field": "status", "size": 20}},
        "country": {"terms": {"field": "country", "size": 20}},
    }

    def run(q: str):
        searcher = index.searcher()
        text = _tantivy_query(q)
        query = index.parse_query(text, list(COLUMNS), field_boosts=boosts)
        top = searcher.search(query, 20, count=True)
        if not top.count and " AND " in text:  # as search(): all words, else any
            query = index.parse_query(
                text.replace(" AND ", " OR "), list(COLUMNS), field_boosts=boosts
            )
            top = searcher.search(query, 20, count=True)
        return top.count, searcher.aggregate(query, aggs)

    return run, built, size
