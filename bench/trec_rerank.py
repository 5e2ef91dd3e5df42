"""Search quality on TREC Clinical Trials 2021 / 2022 and SIGIR 2016 relevance judgments.

Re-ranking task (issue 3): for every topic, rank that topic's judged trials that have a document
in ../shared/data, with the patient description as the query. Methods: random order, plain
BM25 over the whole document text (bm25s, the classic baseline), our lexical search, semantic
alone and our hybrid (RRF of both; only when the `embed` extra is installed). Prints NDCG@10 (graded 0/1/2), P@10 and MRR with
only level 2 ("eligible" / "highly likely to refer") relevant; writes bench/results/trec_rerank.json.

Develop on trec_2021 and sigir; trec_2022 is reported, never tuned on.
Run: .venv/bin/python bench/trec_rerank.py [--data ../shared/data] [--db /tmp/trec_bench.db]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

from trialscout.ingest.load import ingest_records
from trialscout.registry.model import Trial
from trialscout.registry.sources import read_paths
from trialscout.search import search
from trialscout.search.index import after_ingest, index_trial
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS = ("trec_2021", "sigir", "trec_2022")
SOURCES = (
    "ctgov/legacy_xml/allpublicxml_subset_2023.jsonl.gz",
    "ctgov/api_v2/all_v2_studies.jsonl.gz",
    "ctgov/legacy_xml/aact_fixtures",
)


def build_corpus(data: Path, db_path: Path) -> Database:
    """Ingest every registry document we have (judged or not) into a bench database, once."""
    db = Database(db_path)
    if TrialStore(db).count() == 0:
        t0 = time.perf_counter()
        report = ingest_records(
            db, read_paths([str(data / s) for s in SOURCES]), hooks=[index_trial]
        )
        after_ingest(db)
        print(f"corpus: {report.new} trials ingested+indexed in {time.perf_counter() - t0:.1f}s "
              f"({report.rejected} rejected)")  # fmt: skip
    return db


def load_topics(data: Path, collection: str, present: set[str]):
    """(topic -> patient text, topic -> {nct: grade}) for judged trials present in the corpus."""
    base = data / "trec_ct" / "trialgpt" / collection
    texts = {}
    with open(base / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            texts[q["_id"]] = q["text"]
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    with open(data / "trec_ct" / "judged_trials_with_staged_docs.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["collection"] == collection and row["nct_id"] in present:
                judged[row["query_id"]][row["nct_id"]] = int(row["relevance"])
    # topics where something is relevant (level 2): other topics have no defined P@10/MRR
    return texts, {q: j for q, j in judged.items() if q in texts and 2 in j.values()}


def metrics(ranked: list[str], grades: dict[str, int]) -> dict[str, float]:
    def dcg(gains):
        return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:10]))

    gains = [grades.get(d, 0) for d in ranked]
    ideal = dcg(sorted(grades.values(), reverse=True))
    first = next((i for i, g in enumerate(gains) if g == 2), None)
    return {
        "ndcg@10": dcg(gains) / ideal if ideal else 0.0,
        "p@10": sum(g == 2 for g in gains[:10]) / 10,
        "mrr": 0.0 if first is None else 1 / (first + 1),
    }


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.fmean(r[k] for r in rows), 4) for k in rows[0]}


def full_text(t: Trial) -> str:
    parts = [t.brief_title, t.official_title, t.brief_summary, t.detailed_description,
             t.eligibility.criteria, " ".join(t.conditions), " ".join(t.keywords),
             " ".join(i.name for i in t.interventions)]  # fmt: skip
    return "\n".join(p for p in parts if p)


class PlainBM25:
    """Okapi BM25 (bm25s defaults k1=1.5, b=0.75) over each trial's whole text."""

    def __init__(self, db: Database) -> None:
        import bm25s

        self.ids, texts = [], []
        for t in TrialStore(db).iter_trials():
            self.ids.append(t.trial_id)
            texts.append(full_text(t))
        self.pos = {d: i for i, d in enumerate(self.ids)}
        self.bm25s = bm25s
        self.model = bm25s.BM25()
        self.model.index(
            bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False
        )

    def rank(self, query: str, candidates: list[str]) -> list[str]:
        tokens = self.bm25s.tokenize(
            [query], stopwords="en", return_ids=False, show_progress=False
        )[0]
        scores = self.model.get_scores(tokens)
        return sorted(candidates, key=lambda d: (-scores[self.pos[d]], d))


def rank_lexical(db: Database, query: str, candidates: list[str], **kw) -> list[str]:
    page = search(db, query, limit=1000, **kw)
    want = set(candidates)
    ranked = [h.trial_id for h in page.hits if h.trial_id in want]
    return ranked + sorted(want - set(ranked))  # unmatched judged trials go last


def rank_random(candidates: list[str], seed: int) -> list[str]:
    out = sorted(candidates)
    random.Random(seed).shuffle(out)
    return out


class Hybrid:
    """Semantic order (cosine of the patient text to each candidate's stored embedding) and our
    lexical order, fused by reciprocal rank (`search.semantic.rrf_fuse`, k=60, not tuned) - the
    same fusion `search(mode="hybrid")` uses. Only the judged trials are embedded (the re-rank
    candidates; embedding all 7,435 would take ~7 min on two cores); cached in the bench DB."""

    def __init__(self, db: Database, trial_ids: list[str]) -> None:
        from trialscout.search import semantic

        self.db, self.semantic = db, semantic
        t0 = time.perf_counter()
        n = semantic.embed_trials(db, trial_ids=trial_ids)
        print(f"embedded {n} judged trials ({len(trial_ids)} wanted, rest cached) "
              f"in {time.perf_counter() - t0:.1f}s")  # fmt: skip

    def orders(self, query: str, candidates: list[str], lexical: list[str]):
        """(semantic order, hybrid order) of the candidates."""
        sims = self.semantic.similarities(self.db, query, candidates)
        sem = sorted(candidates, key=lambda d: (-sims.get(d, -1.0), d))
        fused = [d for d, _ in self.semantic.rrf_fuse([lexical, sem])]
        return sem, fused


def hybrid_ranker(db: Database, trial_ids: list[str]) -> Hybrid | None:
    try:
        from trialscout.search.semantic import require_embed_extra  # optional `embed` extra

        require_embed_extra()
    except (ImportError, ValueError) as exc:
        print(f"hybrid not run: {exc}")
        return None
    return Hybrid(db, trial_ids)


def lexical_matches(db: Database, query: str, candidates: list[str], **kw) -> list[str]:
    """Candidates the lexical search finds, in its order (fusion gives the rest no lexical vote)."""
    want = set(candidates)
    return [h.trial_id for h in search(db, query, limit=1000, **kw).hits if h.trial_id in want]


def evaluate(db: Database, data: Path, bm25: PlainBM25) -> dict:
    present = set(TrialStore(db).get_many(list(_all_judged(data))).keys())
    results, hybrid = {}, hybrid_ranker(db, sorted(present))
    for collection in COLLECTIONS:
        texts, judged = load_topics(data, collection, present)
        rows: dict[str, list] = defaultdict(list)
        for qid, grades in sorted(judged.items()):
            cands, query = list(grades), texts[qid]
            rows["random"].append(mean([metrics(rank_random(cands, s), grades) for s in range(20)]))
            rows["bm25_plain"].append(metrics(bm25.rank(query, cands), grades))
            lexical = lexical_matches(db, query, cands)
            rows["lexical"].append(metrics(lexical + sorted(set(cands) - set(lexical)), grades))
            if hybrid:
                sem, fused = hybrid.orders(query, cands, lexical)
                rows["semantic"].append(metrics(sem, grades))
                rows["hybrid"].append(metrics(fused, grades))
        results[collection] = {m: mean(r) for m, r in rows.items()}
        if not hybrid:
            results[collection]["hybrid"] = None
        results[collection]["topics"] = len(judged)
        results[collection]["judged_pairs"] = sum(len(g) for g in judged.values())
    return results


def _all_judged(data: Path) -> set[str]:
    with open(data / "trec_ct" / "judged_trials_with_staged_docs.tsv", encoding="utf-8") as f:
        return {row["nct_id"] for row in csv.DictReader(f, delimiter="\t")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--db", type=Path, default=Path("/tmp/trialscout_bench_trec.db"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "trec_rerank.json")
    args = ap.parse_args()
    db = build_corpus(args.data, args.db)
    t0 = time.perf_counter()
    bm25 = PlainBM25(db)
    print(f"plain BM25 index over {len(bm25.ids)} trials: {time.perf_counter() - t0:.1f}s")
    results = evaluate(db, args.data, bm25)
    print(f"{'collection':10} {'method':11} {'ndcg@10':>8} {'p@10':>7} {'mrr':>7}")
    for collection, by_method in results.items():
        for method, m in by_method.items():
            if isinstance(m, dict):
                print(
                    f"{collection:10} {method:11} {m['ndcg@10']:8.4f} {m['p@10']:7.4f} {m['mrr']:7.4f}"
                )
            elif method == "hybrid":
                print(f"{collection:10} {method:11}   (not run: needs the embed extra)")
        print(
            f"{collection:10} topics={by_method['topics']} judged pairs={by_method['judged_pairs']}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
