"""Would tantivy keep our search quality? TREC CT re-ranking (as bench/trec_rerank.py) with the
very texts, query concepts (synonyms, all-words with any-words fallback) and field weights of
our FTS5 search, scored by tantivy's BM25 instead; with our patient-mismatch rule applied to
tantivy's scores in Python ("+ rule"), since tantivy has no score multiplier.

    nice .venv/bin/python bench/trec_tantivy.py [--db /tmp/trialscout_bench_trec.db]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import search_refs
import trec_rerank as tr
from trialscout.search.query import parse_query
from trialscout.search.ranking import DEFAULT, admits
from trialscout.store.trials import TrialStore


class TantivyRanker:
    def __init__(self, db, path: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        run, _built, _size = search_refs.tantivy_engine(db, path)
        self.index = tantivy.Index.open(str(path))
        self.index.reload()
        rows = db.conn.execute(
            "SELECT rowid, trial_id, sex, min_age_years, max_age_years FROM trials"
        )
        self.info = {r[0]: tuple(r[1:]) for r in rows}
        self.boosts = dict(zip(search_refs.COLUMNS, DEFAULT.weights(), strict=True))

    def _hits(self, text: str) -> list[tuple[float, int]]:
        searcher = self.index.searcher()
        query = self.index.parse_query(text, list(search_refs.COLUMNS), field_boosts=self.boosts)
        found = searcher.search(query, len(self.info)).hits
        return [(score, searcher.doc(addr)["doc_id"][0]) for score, addr in found]

    def rank(self, query: str, candidates: list[str], rule: bool) -> list[str]:
        text = search_refs._tantivy_query(query)
        hits = self._hits(text)
        if not hits and " AND " in text:
            hits = self._hits(text.replace(" AND ", " OR "))
        parsed = parse_query(query)
        want, scored = set(candidates), []
        for score, doc_id in hits:
            trial_id, sex, low, high = self.info[doc_id]
            if trial_id not in want:
                continue
            if rule and not admits(parsed.patient_age, parsed.patient_sex, sex, low, high):
                score *= DEFAULT.mismatch
            scored.append((-score, trial_id))
        ranked = [t for _, t in sorted(scored)]
        return ranked + sorted(want - set(ranked))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=tr.ROOT.parent / "shared" / "data")
    ap.add_argument("--db", type=Path, default=Path("/tmp/trialscout_bench_trec.db"))
    args = ap.parse_args()
    db = tr.build_corpus(args.data, args.db)
    ranker = TantivyRanker(db, Path("/tmp/trialscout_bench_trec_tantivy"))
    present = set(TrialStore(db).get_many(list(tr._all_judged(args.data))).keys())
    print(f"{'collection':10} {'method':16} {'ndcg@10':>8} {'p@10':>7} {'mrr':>7}")
    for collection in tr.COLLECTIONS:
        texts, judged = tr.load_topics(args.data, collection, present)
        rows: dict[str, list] = defaultdict(list)
        for _qid, grades in sorted(judged.items()):
            cands, query = list(grades), texts[_qid]
            lexical = tr.lexical_matches(db, query, cands)
            rows["ours (FTS5)"].append(
                tr.metrics(lexical + sorted(set(cands) - set(lexical)), grades)
            )
            rows["tantivy"].append(tr.metrics(ranker.rank(query, cands, rule=False), grades))
            rows["tantivy + rule"].append(tr.metrics(ranker.rank(query, cands, rule=True), grades))
        for method, r in rows.items():
            m = tr.mean(r)
            print(
                f"{collection:10} {method:16} {m['ndcg@10']:8.4f} {m['p@10']:7.4f} {m['mrr']:7.4f}"
            )


if __name__ == "__main__":
    main()
