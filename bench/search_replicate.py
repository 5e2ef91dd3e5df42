"""A K-times larger search database made from a built one (a stand-in when the 500k corpus
cannot be ingested in time on the shared machine): every trial is copied K-1 times with a new
id (`NCT...-r<k>`) and doc_id, in SQLite (trials, versions, search tables, index marks) and in
the tantivy index (the same documents under the new doc_ids). Each text appears K times, so
posting lists are K times longer (what search latency grows with); term statistics keep their
ratios. It is not the corpus builder's 500k corpus and the bench output says so.

    nice .venv/bin/python bench/search_replicate.py --src /tmp/trialscout_bench_search_100000.db \
        --dst /tmp/trialscout_bench_search_500000x.db --times 5
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from pathlib import Path

from trialscout.registry.model import Trial
from trialscout.search import fulltext
from trialscout.store.db import Database
from trialscout.store.trials import decode

TABLES = {  # table -> (id column, how it is renamed)
    "trials": "trial_id",
    "trial_versions": "trial_id",
    "search_docs": "doc_id",
    "search_facets": "doc_id",
    "search_countries": "doc_id",
    "search_sites": "doc_id",
}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _copy_rows(conn: sqlite3.Connection, k: int, offset: int) -> None:
    suffix = f"-r{k}"
    for table in TABLES:
        cols = _columns(conn, table)
        out = []
        for c in cols:
            if c in ("trial_id", "nct_id"):
                out.append(f"{c} || '{suffix}'")
            elif c == "doc_id":
                out.append(f"doc_id + {k * offset}")
            else:
                out.append(c)
        rowid = f"rowid + {k * offset}, " if table == "trials" else ""
        names = ("rowid, " if table == "trials" else "") + ", ".join(cols)
        where = f"WHERE rowid <= {offset}" if table == "trials" else (
            f"WHERE doc_id <= {offset}" if "doc_id" in cols else "WHERE trial_id NOT LIKE '%-r%'")  # fmt: skip
        conn.execute(
            f"INSERT INTO {table} ({names}) SELECT {rowid}{', '.join(out)} FROM {table} {where}"
        )
    conn.execute(
        "INSERT INTO index_done SELECT step, trial_id || ?, version, step_version, error "
        "FROM index_done WHERE step IN ('search', 'fulltext') AND trial_id NOT LIKE '%-r%'",
        (suffix,),
    )


def replicate(src: Path, dst: Path, times: int) -> dict:
    t0 = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.rmtree(fulltext.index_dir(str(dst)), ignore_errors=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    shutil.copytree(fulltext.index_dir(str(src)), fulltext.index_dir(str(dst)))
    db = Database(dst)
    conn = db.conn
    offset = conn.execute("SELECT max(rowid) FROM trials").fetchone()[0]
    with db.transaction():
        conn.execute("DROP TABLE IF EXISTS bench_ref_fts")  # the 100k reference is not 500k's
        for k in range(1, times):
            _copy_rows(conn, k, offset)
    sql_s = time.perf_counter() - t0
    h = fulltext.handle(conn)
    writer = h.index.writer(heap_size=fulltext.WRITER_HEAP, num_threads=1)
    rows = conn.execute(
        "SELECT t.rowid, v.data FROM trials t JOIN trial_versions v ON v.trial_id = t.trial_id "
        "AND v.version = t.version WHERE t.rowid <= ?",
        (offset,),
    )
    for doc_id, blob in rows:
        payload = fulltext.prepare(Trial.from_dict(decode(blob)))
        for k in range(1, times):
            writer.add_document(fulltext.to_document(doc_id + k * offset, payload))
    writer.commit()
    writer.wait_merging_threads()
    h.index.reload()
    trials = conn.execute("SELECT count(*) FROM trials").fetchone()[0]
    info = {
        "replicated_from": str(src),
        "times": times,
        "trials": trials,
        "tantivy_docs": h.searcher().num_docs,
        "sql_copy_s": round(sql_s, 1),
        "total_s": round(time.perf_counter() - t0, 1),
        "tantivy_mb": round(fulltext.size_bytes(h) / 1e6, 1),
    }
    db.close()
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, required=True)
    ap.add_argument("--dst", type=Path, required=True)
    ap.add_argument("--times", type=int, default=5)
    args = ap.parse_args()
    print(replicate(args.src, args.dst, args.times), flush=True)


if __name__ == "__main__":
    main()
