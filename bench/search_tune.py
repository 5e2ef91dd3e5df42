"""Tune ranking knobs on the DEVELOPMENT collections only (TREC CT 2021 + SIGIR 2016).

TREC 2022 is never loaded here. Prints NDCG@10 per configuration so the chosen defaults in
search/ranking.py can be checked. Needs the bench DB built by bench/trec_rerank.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from trec_rerank import ROOT, build_corpus, load_topics, metrics, rank_lexical  # noqa: E402
from trialscout.search.ranking import DEFAULT  # noqa: E402
from trialscout.store.trials import TrialStore  # noqa: E402

DEV = ("trec_2021", "sigir")
GRID = {
    "default": {},
    "flat": dict(title=1, conditions=1, keywords=1, interventions=1, summary=1, inclusion=1, exclusion=1),
    "no_exclusion": dict(exclusion=0.0),
    "exclusion_1": dict(exclusion=1.0),
    "title_8": dict(title=8.0, conditions=8.0),
    "title_2": dict(title=2.0, conditions=2.0),
    "inclusion_2": dict(inclusion=2.0),
    "summary_2": dict(summary=2.0),
    "no_mismatch": dict(mismatch=1.0),
    "mismatch_0.2": dict(mismatch=0.2),
}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--db", type=Path, default=Path("/tmp/trialscout_bench_trec.db"))
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    db = build_corpus(args.data, args.db)
    present = {r[0] for r in db.conn.execute("SELECT trial_id FROM trials")}
    topics = {c: load_topics(args.data, c, present) for c in DEV}
    assert TrialStore(db).count() > 0
    for name, knobs in GRID.items():
        if args.only and name not in args.only:
            continue
        ranking = replace(DEFAULT, **knobs)
        out = []
        for c, (texts, judged) in topics.items():
            rows = [metrics(rank_lexical(db, texts[q], list(g), ranking=ranking), g)
                    for q, g in sorted(judged.items())]  # fmt: skip
            out.append(f"{c} ndcg@10={statistics.fmean(r['ndcg@10'] for r in rows):.4f} "
                       f"mrr={statistics.fmean(r['mrr'] for r in rows):.4f}")  # fmt: skip
        print(f"{name:14} " + "  ".join(out), flush=True)


if __name__ == "__main__":
    main()
