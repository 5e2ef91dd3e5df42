"""Parse speed and contract validity of the criteria parser over real registry records.

Parses the criteria of every bundled demo trial, and (when the shared data folder is present) of
every trial in it: API v2 studies, the 6,786 legacy XML records, and the NIH-TrialBench raw
criteria. Each output is validated against the contract-1 JSON Schema (validation is timed
separately: it is not part of ingest). Reports wall and CPU time, because the machine is shared.

Run: .venv/bin/python bench/criteria_speed.py [--shared /work/shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from pathlib import Path

from trialscout.criteria import parse_criteria, validate_criteria
from trialscout.ingest import pipeline
from trialscout.registry.sources import read_paths

ROOT = Path(__file__).resolve().parents[1]


def demo_texts() -> list[tuple[str, str | None]]:
    out = []
    for rec in read_paths([str(p) for p in pipeline.demo_paths()]):
        if rec.trial is not None:
            out.append((rec.trial.trial_id, rec.trial.eligibility.criteria))
    return out


def shared_texts(root: Path) -> dict[str, list[tuple[str, str | None]]]:
    sets: dict[str, list[tuple[str, str | None]]] = {}
    sources = {
        "api_v2 (590)": [root / "ctgov/api_v2/all_v2_studies.jsonl.gz"],
        "legacy_xml (6,786)": [root / "ctgov/legacy_xml/allpublicxml_subset_2023.jsonl.gz"],
        "aact fixtures": [
            root / "ctgov/api_v2/aact_fixtures",
            root / "ctgov/legacy_xml/aact_fixtures",
        ],
    }
    for name, paths in sources.items():
        present = [str(p) for p in paths if p.exists()]
        if present:
            sets[name] = [
                (r.trial.trial_id, r.trial.eligibility.criteria)
                for r in read_paths(present)
                if r.trial
            ]
    bench = root / "nih_trialbench/trial_search_space.jsonl.gz"
    if bench.exists():
        with gzip.open(bench, "rt", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh]
        sets["nih_trialbench (1,373)"] = [(r.get("trial_id"), r.get("raw_criteria")) for r in rows]
    return sets


def run(name: str, texts: list[tuple[str, str | None]]) -> dict:
    parse_criteria("Inclusion Criteria:\n* Platelets >= 50 x 10^9/L")  # load vocabularies, pint
    wall, cpu = time.perf_counter(), time.process_time()
    outs = [parse_criteria(text, tid) for tid, text in texts]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    invalid = 0
    v0 = time.perf_counter()
    for out in outs:
        try:
            validate_criteria(out)
        except ValueError:
            invalid += 1
    validate_s = time.perf_counter() - v0
    n_crit = sum(len(o["criteria"]) for o in outs)
    types = Counter(r["type"] for o in outs for c in o["criteria"] for r in c["rules"])
    row = {
        "trials": len(texts),
        "criteria": n_crit,
        "trials_per_s_wall": round(len(texts) / wall, 1),
        "trials_per_s_cpu": round(len(texts) / cpu, 1),
        "criteria_per_s_cpu": round(n_crit / cpu, 1),
        "ms_per_trial_cpu": round(1000 * cpu / max(1, len(texts)), 3),
        "invalid_outputs": invalid,
        "validation_s": round(validate_s, 2),
        "rules_by_type": dict(types.most_common()),
    }
    print(
        f"{name:<24} {row['trials']:>6} trials {n_crit:>7} criteria | "
        f"{row['trials_per_s_wall']:>7.0f} trials/s wall {row['trials_per_s_cpu']:>7.0f} trials/s CPU "
        f"({row['ms_per_trial_cpu']:.2f} ms/trial, {row['criteria_per_s_cpu']:.0f} criteria/s) | "
        f"invalid {invalid}"
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="/work/shared/data", help="shared data folder (optional)")
    args = ap.parse_args()
    results = {"demo": run("demo", demo_texts())}
    shared = Path(args.shared)
    if shared.exists():
        for name, texts in shared_texts(shared).items():
            results[name] = run(name, texts)
    out = ROOT / "bench" / "results" / "criteria_speed.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
