"""Retrieval over the tantivy index (`fulltext`): the query's concepts as a boolean query with
the field weights, filters as zero-score clauses, top-k with the patient-mismatch rule, totals
and facet counts as aggregations. Nothing here walks every match in Python.

Scores are tantivy's BM25 summed over the weighted fields (a match in the title counts 4x one
in the summary, as with FTS5), times `ranking.mismatch` for a trial whose age range or sex
excludes the patient the query describes. That rule is exact on the top-k: the trials that
admit the patient and those that do not are ranked by two searches and merged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import tantivy

from trialscout.search.facets import AGE_GROUPS, COUNTRY_FACET_SIZE, Counts
from trialscout.search.filters import SearchFilters
from trialscout.search.fulltext import Handle
from trialscout.search.geo import country_key, key
from trialscout.search.query import ParsedQuery
from trialscout.search.ranking import COLUMNS, Ranking

Occur, Query = tantivy.Occur, tantivy.Query
FLOAT = tantivy.FieldType.Float
_AGG_FIELDS = {
    "status": "status", "phase": "phases", "study_type": "study_type",
    "has_results": "has_results", "sex": "sex", "age_group": "age_group", "country": "country",
}  # fmt: skip


def text_query(h: Handle, parsed: ParsedQuery, mode: str, ranking: Ranking) -> Any:
    """Phrases OR'ed within a concept; concepts AND'ed (`all`) or OR'ed (`any`). Concept words
    are [^\\W_]+ runs, so inside quotes they are never query syntax."""
    joiner = " AND " if mode == "all" else " OR "
    parts = []
    for c in parsed.concepts:
        alts = ['"' + " ".join(a) + '"' for a in c.alternatives]
        parts.append("(" + " OR ".join(alts) + ")")
    boosts = dict(zip(COLUMNS, ranking.weights(), strict=True))
    return h.index.parse_query(joiner.join(parts), list(COLUMNS), field_boosts=boosts)


def _at_most(schema, name: str, value: float) -> Any:
    return Query.range_query(schema, name, FLOAT, None, float(value))


def _at_least(schema, name: str, value: float) -> Any:
    return Query.range_query(schema, name, FLOAT, float(value), None)


def admits_clauses(schema, age: float | None, sex: str | None) -> list[Any]:
    """Twin of `ranking.admits` (unknown limits admit: see `fulltext.prepare`)."""
    out = []
    if sex:
        out.append(Query.term_set_query(schema, "sex", ["UNKNOWN", "ALL", sex]))
    if age is not None:
        out += [_at_most(schema, "min_age", age), _at_least(schema, "max_age", age)]
    return out


def filter_clauses(schema, f: SearchFilters, box=None) -> list[Any]:
    """The non-geo filters of a normalized `SearchFilters` (and a radius's bounding box, which
    only pre-selects: the exact distance is computed on the candidates' sites)."""
    out = []
    for name, values in (("status", f.status), ("phases", f.phase), ("study_type", f.study_type)):
        if values:
            out.append(Query.term_set_query(schema, name, list(values)))
    out += admits_clauses(schema, f.age, f.sex)
    if f.healthy_volunteers is not None:
        out.append(Query.term_query(schema, "healthy", int(bool(f.healthy_volunteers))))
    if f.has_results is not None:
        out.append(Query.term_query(schema, "has_results", "yes" if f.has_results else "no"))
    if f.country:
        out.append(Query.term_query(schema, "country", country_key(f.country)))
    if f.city:
        out.append(Query.term_query(schema, "city", key(f.city)))
    if box:
        out.append(_box(schema, *box))
    return out


def _box(schema, lat_lo: float, lat_hi: float, lon_lo: float, lon_hi: float) -> Any:
    """A registry geo point in the box, or a site without one (its gazetteer point, known
    only to SQLite, decides): a superset of the trials with a site in the box."""
    # the term index, not the fast-field column: measured 2-4x less CPU on many-site columns
    inside = Query.boolean_query([
        (Occur.Must, Query.range_query(schema, "lat", FLOAT, float(lat_lo), float(lat_hi),
                                       use_inverted_index=True)),
        (Occur.Must, Query.range_query(schema, "lon", FLOAT, float(lon_lo), float(lon_hi),
                                       use_inverted_index=True)),
    ])  # fmt: skip
    return Query.boolean_query(
        [(Occur.Should, inside), (Occur.Should, Query.term_query(schema, "unplaced", 1))]
    )


def combine(scored: Any, filters: list[Any], exclude: list[Any] | None = None) -> Any:
    """`scored` AND every filter (scoring nothing) AND NOT all of `exclude`."""
    if not filters and not exclude:
        return scored
    parts = [(Occur.Must, scored)] + [
        (Occur.Must, Query.const_score_query(q, 0.0)) for q in filters
    ]
    if exclude:
        both = exclude[0] if len(exclude) == 1 else Query.boolean_query(
            [(Occur.Must, q) for q in exclude])  # fmt: skip
        parts.append((Occur.MustNot, both))
    return Query.boolean_query(parts)


def _doc_ids(searcher, hits: list) -> list[int]:
    return searcher.fast_field_values("doc_id", [a for _, a in hits]) if hits else []


def _top(searcher, query, n: int) -> tuple[list[tuple[int, float]], int]:
    res = searcher.search(query, max(n, 1), count=True)
    ids = _doc_ids(searcher, res.hits)
    return [(d, s) for d, (s, _) in zip(ids, res.hits, strict=True)], res.count


class Plan:
    """One query's tantivy queries: text (for a mode), filters, the patient rule."""

    def __init__(self, h: Handle, parsed: ParsedQuery, f: SearchFilters, ranking: Ranking,
                 box=None) -> None:  # fmt: skip
        self.h, self.parsed, self.ranking = h, parsed, ranking
        self.schema = h.index.schema
        self.filters = filter_clauses(self.schema, f, box)
        self.admits = admits_clauses(self.schema, parsed.patient_age, parsed.patient_sex)
        self.searcher = h.searcher()

    def query(self, mode: str) -> Any:
        return combine(text_query(self.h, self.parsed, mode, self.ranking), self.filters)

    def best(self, mode: str, n: int) -> tuple[list[tuple[int, float]], int]:
        """The n best (doc_id, final score), and how many match in all."""
        text = text_query(self.h, self.parsed, mode, self.ranking)
        if not self.admits:
            rows, total = _top(self.searcher, combine(text, self.filters), n)
            return sorted(rows, key=lambda r: (-r[1], r[0])), total
        good, n_good = _top(self.searcher, combine(text, self.filters + self.admits), n)
        bad, n_bad = _top(self.searcher, combine(text, self.filters, self.admits), n)
        rows = good + [(d, s * self.ranking.mismatch) for d, s in bad]
        return sorted(rows, key=lambda r: (-r[1], r[0]))[:n], n_good + n_bad

    def newest(self, mode: str, limit: int, offset: int) -> tuple[list[tuple[int, float]], int]:
        """A page by last update (newest first), with each hit's final score."""
        q = self.query(mode)
        res = self.searcher.search(q, limit, count=True, order_by_field="last_update",
                                   offset=offset)  # fmt: skip
        ids = _doc_ids(self.searcher, res.hits)
        scores = dict(self.scores(mode, ids))
        return [(d, scores.get(d, 0.0)) for d in ids], res.count

    def scores(self, mode: str, ids: list[int]) -> list[tuple[int, float]]:
        """Final scores of these documents (the page of a non-relevance sort)."""
        if not ids:
            return []
        only = Query.term_set_query(self.schema, "doc_id", list(ids))
        text = text_query(self.h, self.parsed, mode, self.ranking)
        rows, _ = _top(self.searcher, combine(text, [*self.filters, only]), len(ids))
        if self.admits:
            ok = {d for d, _ in _top(self.searcher, combine(
                text, [*self.filters, only, *self.admits]), len(ids))[0]}  # fmt: skip
            rows = [(d, s if d in ok else s * self.ranking.mismatch) for d, s in rows]
        return rows

    def every(self, mode: str) -> list[tuple[int, float]]:
        """Every match's (doc_id, raw score): for the distance path, bounded by its box."""
        q = self.query(mode)
        count = self.searcher.search(q, 1, count=True).count
        return _top(self.searcher, q, count)[0] if count else []

    def facets(self, mode: str) -> dict[str, dict[str, int]]:
        aggs = {
            name: {"terms": {"field": fld, "size": 100, "segment_size": 1000}}
            for name, fld in _AGG_FIELDS.items()
        }
        out = self.searcher.aggregate(self.query(mode), aggs)
        buckets = {
            name: Counter({b["key"]: b["doc_count"] for b in out.get(name, {}).get("buckets", [])})
            for name in _AGG_FIELDS
        }
        return as_facets(buckets)


def as_facets(b: dict[str, Counter]) -> dict[str, dict[str, int]]:
    """The facet dict `search()` has always returned (see `facets.Counts.as_dict`)."""
    counts = Counts()
    counts.status, counts.phase, counts.stype = b["status"], b["phase"], b["study_type"]
    counts.results, counts.sex = b["has_results"], b["sex"]
    counts.ages = Counter({g: b["age_group"][g] for g, _, _ in AGE_GROUPS})
    country = sorted(b["country"].items(), key=lambda kn: (-kn[1], kn[0]))
    return counts.as_dict(dict(country[:COUNTRY_FACET_SIZE]))
