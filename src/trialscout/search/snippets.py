"""Hit snippets: the best-matching field of each hit, a window around the query's words with
every match in [brackets] (tantivy's snippet generator over the hit's text).

The index does not store text (that copy was most of the FTS5 table), so the page's texts are
rebuilt from the stored records: a page is at most `SNIPPET_HITS` records.
"""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace
from typing import Any

import tantivy

from trialscout.search.fulltext import Handle
from trialscout.search.index import document
from trialscout.search.query import ParsedQuery
from trialscout.search.ranking import COLUMNS, DEFAULT
from trialscout.search.tsearch import text_query
from trialscout.store.trials import decode

MAX_CHARS = 110  # about the 16 tokens FTS5's snippet() showed


def _view(d: dict) -> SimpleNamespace:
    """The attributes `index.document` reads, straight from a stored record's dict (building
    the whole `Trial` cost ~2.5 ms per hit)."""
    e = d.get("eligibility") or {}
    ivs = [SimpleNamespace(name=i.get("name"), other_names=i.get("other_names") or [])
           for i in d.get("interventions") or []]  # fmt: skip
    lists = ("conditions", "condition_terms", "keywords", "intervention_terms")
    plain = ("brief_title", "official_title", "acronym", "brief_summary", "detailed_description")
    return SimpleNamespace(
        **{k: d.get(k) or [] for k in lists}, **{k: d.get(k) for k in plain},
        interventions=ivs, eligibility=SimpleNamespace(criteria=e.get("criteria")),
    )  # fmt: skip


def _texts(conn: sqlite3.Connection, doc_ids: list[int]) -> dict[int, tuple[str, ...]]:
    rows = conn.execute(
        "SELECT t.rowid, v.data FROM trials t JOIN trial_versions v ON v.trial_id = t.trial_id "
        "AND v.version = t.version WHERE t.rowid IN (SELECT value FROM json_each(?))",
        (json.dumps(doc_ids),),
    )
    return {doc_id: document(_view(decode(blob))) for doc_id, blob in rows}  # type: ignore[arg-type]


def _render(fragment: str, ranges: list[tuple[int, int]], start: int, end: int, size: int) -> str:
    """Brackets around highlighted byte ranges (adjacent words share one pair), '…' at cuts."""
    raw = fragment.encode()
    out, pos, merged = [], 0, []
    for a, b in sorted(ranges):
        if merged and not raw[merged[-1][1] : a].strip():
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    for a, b in merged:
        out += [raw[pos:a], b"[", raw[a:b], b"]"]
        pos = b
    out.append(raw[pos:])
    # the field's items (conditions, keywords ...) are lines: keep them apart in one line
    text = " ".join(b"".join(out).decode(errors="replace").replace("\n", " · ").split())
    return ("…" if start > 0 else "") + text + ("…" if end < size else "")


def snippets(
    conn: sqlite3.Connection, h: Handle, parsed: ParsedQuery, doc_ids: list[int], concepts: int
) -> dict[int, str]:
    """doc_id -> snippet of the field with the most highlighted words (none when no field
    has a match, e.g. a hit found only by a synonym's other field)."""
    if not doc_ids or not parsed.concepts:
        return {}
    short = ParsedQuery(parsed.text, parsed.concepts[:concepts])
    query = text_query(h, short, "any", DEFAULT)
    searcher, schema = h.searcher(), h.index.schema
    gens: dict[str, Any] = {}
    for name in COLUMNS:
        gens[name] = tantivy.SnippetGenerator.create(searcher, query, schema, name)
        gens[name].set_max_num_chars(MAX_CHARS)
    out = {}
    for doc_id, texts in _texts(conn, doc_ids).items():
        best = (0, None)
        for name, text in zip(COLUMNS, texts, strict=True):
            if not text:
                continue
            doc = tantivy.Document()
            doc.add_text(name, text)
            snip = gens[name].snippet_from_doc(doc)
            marks = [(r.start, r.end) for r in snip.highlighted()]
            if len(marks) > best[0]:
                where = snip.fragment_range()
                size = len(" ".join([text]).strip().encode())
                best = (len(marks), _render(snip.fragment(), marks, where.start, where.end, size))
        if best[1]:
            out[doc_id] = best[1]
    return out
