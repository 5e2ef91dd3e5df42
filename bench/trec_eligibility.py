"""False exclusions on TREC Clinical Trials: how often does the matcher say `not_eligible`?

TREC CT levels: 2 = eligible, 1 = excluded (0 = not relevant, not used here). Among the judged
pairs (level 1 or 2) whose trial has criteria text in ../shared/data, the trials are ingested into
a temporary SQLite store by the real ingest (criteria parsed by its hook), each topic's note is
read as a Patient by the patient reader and the matcher judges each pair. Printed: the share of
eligible pairs (2) called not_eligible (goal <= 5%) and the share of excluded pairs (1) called
not_eligible (goal > 50%), with the verdict counts per level, next to the baseline of the
registry's structured limits alone (age range and sex from the record) in the same run.

Develop on TREC 2021 (default); `--year 2022` reports TREC 2022, never tuned on.
Run: .venv/bin/python bench/trec_eligibility.py [--year 2021|2022] [--data ../shared/data] [--errors]
Writes bench/results/trec_eligibility_<year>.json (not with --errors).
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import orjson

from trialscout.ingest.pipeline import ingest
from trialscout.match import TrialVerdict, match_one
from trialscout.patient import note_to_patient
from trialscout.patient.model import Patient
from trialscout.registry.model import Trial
from trialscout.registry.sources import read_paths
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "ctgov/legacy_xml/allpublicxml_subset_2023.jsonl.gz",
    "ctgov/api_v2/all_v2_studies.jsonl.gz",
    "ctgov/legacy_xml/aact_fixtures",
)
TODAY = date(2026, 1, 1)  # topics carry no dates; a fixed day keeps runs repeatable


def judged_pairs(data: Path, collection: str) -> dict[tuple[str, str], int]:
    """(topic, nct) -> level, for levels 1 and 2 with a staged trial document."""
    pairs = {}
    with open(data / "trec_ct" / "judged_trials_with_staged_docs.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["collection"] == collection and row["relevance"] in ("1", "2"):
                pairs[(row["query_id"], row["nct_id"])] = int(row["relevance"])
    return pairs


def topics(data: Path, collection: str) -> dict[str, str]:
    out = {}
    with open(data / "trec_ct" / "trialgpt" / collection / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            out[q["_id"]] = q["text"]
    return out


def build_store(data: Path, wanted: set[str], db: Database) -> set[str]:
    """Ingest the wanted trials that have criteria text; returns their IDs."""
    seen: set[str] = set()
    records = []
    for rec in read_paths([str(data / s) for s in SOURCES]):
        t = rec.trial
        usable = t is not None and (t.eligibility.criteria or "").strip()
        if usable and t.nct_id in wanted and t.nct_id not in seen:
            seen.add(t.nct_id)
            records.append(rec)
    ingest(db, records, sources="trec_eligibility bench")
    return seen


def registry_only(trial: Trial, patient: Patient) -> bool:
    """Baseline: not eligible only when the record's age range or sex excludes the patient."""
    e = trial.eligibility
    age = patient.age
    if age is not None and (
        (e.min_age_years is not None and age < e.min_age_years)
        or (e.max_age_years is not None and age > e.max_age_years)
    ):
        return True
    sex = (e.sex or "ALL").lower()
    return patient.sex is not None and sex in ("male", "female") and patient.sex != sex


def judge(
    db: Database, data: Path, collection: str, pairs: dict, present: set[str], complete: bool
) -> list:
    texts = topics(data, collection)
    patients: dict[str, Patient] = {}
    store = TrialStore(db)
    rows = []
    for (qid, nct), level in sorted(pairs.items()):
        if nct not in present or qid not in texts:
            continue
        if qid not in patients:
            patients[qid] = note_to_patient(texts[qid], qid)
            patients[qid].complete_history = patients[qid].complete_history or complete
        result = match_one(db, patients[qid], nct, today=TODAY).results[0]
        failing = [f"{c.kind}: {c.text[:90]} -> {c.reason[:90]}" for c in result.failing]
        base = registry_only(store.get(nct).trial, patients[qid])
        rows.append({"topic": qid, "nct": nct, "level": level, "verdict": str(result.verdict),
                     "baseline_excludes": base, "failing": failing})  # fmt: skip
    return rows


def summarize(rows: list[dict]) -> dict:
    out: dict = {}
    for level, name in ((2, "eligible"), (1, "excluded")):
        group = [r for r in rows if r["level"] == level]
        n = max(1, len(group))
        ne = sum(r["verdict"] == TrialVerdict.NOT_ELIGIBLE for r in group)
        out[name] = {
            "pairs": len(group),
            "called_not_eligible": round(ne / n, 4),
            "baseline_called_not_eligible": round(
                sum(r["baseline_excludes"] for r in group) / n, 4
            ),
            "verdicts": dict(Counter(r["verdict"] for r in group)),
        }
    out["goals"] = {"eligible_called_not_eligible": "<= 0.05", "excluded_caught": "> 0.50"}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--year", choices=("2021", "2022"), default="2021")
    ap.add_argument(
        "--complete-notes",
        action="store_true",
        help="development: mark notes as complete histories (DESIGN contract 2) when the "
        "patient reader does not yet; figures with it are not the recorded ones",
    )
    ap.add_argument("--errors", action="store_true", help="list eligible pairs we exclude")
    args = ap.parse_args()
    collection = f"trec_{args.year}"
    pairs = judged_pairs(args.data, collection)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "trec.db")
        present = build_store(args.data, {n for _, n in pairs}, db)
        rows = judge(db, args.data, collection, pairs, present, args.complete_notes)
        db.close()
    summary = summarize(rows)
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    summary["pairs_with_criteria"] = len(rows)
    summary["pairs_judged_1_or_2_with_document"] = len(pairs)
    if args.errors:
        for r in rows:
            if r["level"] == 2 and r["verdict"] == TrialVerdict.NOT_ELIGIBLE:
                print(f"{r['topic']} {r['nct']}:\n    " + "\n    ".join(r["failing"]))
    print(f"TREC {args.year}: {len(rows)} judged pairs (level 1/2) with criteria text "
          f"of {len(pairs)} with a document; {summary['seconds']}s")  # fmt: skip
    print(
        f"{'level':10} {'pairs':>6} {'ours: not_eligible':>19} {'registry limits only':>21}  goal"
    )
    for name, goal in (("eligible", "<= 5%"), ("excluded", "> 50%")):
        s = summary[name]
        print(f"{name:10} {s['pairs']:6d} {s['called_not_eligible']:19.1%} "
              f"{s['baseline_called_not_eligible']:21.1%}  {goal}   verdicts {s['verdicts']}")  # fmt: skip
    if not args.errors and not args.complete_notes:
        out = ROOT / "bench" / "results" / f"trec_eligibility_{args.year}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
