"""Reference engines for the search speed bench, over the same texts our tantivy index holds
(the seven fields of `search.index.document` of every indexed trial): raw FTS5 (the MATCH
expression and field weights search used before issue 13, top-20 only, no facets, in a table
this bench builds once in the bench database), bm25s (plain BM25 over the concatenated text,
top-20), and tantivy alone (our own index and `search.tsearch` plan: top-20 + total + every
facet aggregation, without reading rows from SQLite or building snippets).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

from trialscout.registry.model import Trial
from trialscout.search import fulltext, tsearch
from trialscout.search.filters import SearchFilters
from trialscout.search.index import document
from trialscout.search.query import parse_query
from trialscout.search.ranking import COLUMNS, DEFAULT
from trialscout.store.db import Database
from trialscout.store.trials import decode

BATCH = 2000
REF_TABLE = "bench_ref_fts"


def _texts(db: Database) -> Iterator[tuple]:
    """(doc_id, 7 column texts) of every indexed trial in doc order, streamed."""
    last = 0
    while True:
        rows = db.conn.execute(
            "SELECT t.rowid, v.data FROM trials t JOIN search_docs d ON d.doc_id = t.rowid "
            "JOIN trial_versions v ON v.trial_id = t.trial_id AND v.version = t.version "
            "WHERE t.rowid > ? ORDER BY t.rowid LIMIT ?",
            (last, BATCH),
        ).fetchall()
        if not rows:
            return
        for doc_id, blob in rows:
            yield (doc_id, *document(Trial.from_dict(decode(blob))))
        last = rows[-1][0]


def build_ref_fts(db: Database) -> float:
    """The FTS5 table search used before (same columns and tokenizer), once; seconds taken."""
    exists = db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (REF_TABLE,)).fetchone()
    if exists:
        return 0.0
    t0 = time.perf_counter()
    with db.transaction() as conn:
        conn.execute(
            f"CREATE VIRTUAL TABLE {REF_TABLE} USING fts5({', '.join(COLUMNS)}, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        sql = f"INSERT INTO {REF_TABLE} (rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * 7})"
        batch = []
        for row in _texts(db):
            batch.append(row)
            if len(batch) >= BATCH:
                conn.executemany(sql, batch)
                batch = []
        conn.executemany(sql, batch)
        conn.execute(f"INSERT INTO {REF_TABLE} ({REF_TABLE}) VALUES ('optimize')")
    return time.perf_counter() - t0


def timed(fn: Callable[[str], object], queries: list[str]) -> dict:
    """Wall and CPU percentiles (see search_speed.latency)."""
    times, cpu = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[int(0.95 * len(cpu)) - 1], 1),
    }


def _fts_expr(query: str) -> str:
    parsed = parse_query(query)
    mode = "all" if len(parsed.concepts) <= DEFAULT.and_max_concepts else "any"
    return parsed.fts(mode)


def raw_fts5(db: Database) -> Callable[[str], object]:
    weights = ", ".join(str(w) for w in DEFAULT.weights())
    sql = (
        f"SELECT rowid, bm25({REF_TABLE}, {weights}) AS s FROM {REF_TABLE} "
        f"WHERE {REF_TABLE} MATCH ? ORDER BY s LIMIT 20"
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


def tantivy_alone(db: Database) -> Callable[[str], object]:
    """Our tantivy plan without SQLite: top-20 (all words, else any), total, facets."""
    h = fulltext.reader(db.conn)

    def run(q: str):
        parsed = parse_query(q)
        plan = tsearch.Plan(h, parsed, SearchFilters(), DEFAULT)
        mode = "all" if len(parsed.concepts) <= DEFAULT.and_max_concepts else "any"
        rows, total = plan.best(mode, 20)
        if not total and mode == "all":
            mode = "any"
            rows, total = plan.best(mode, 20)
        return rows, total, plan.facets(mode)

    return run
