"""Criterion-level agreement with expert labels (TrialGPT annotations, development half).

For each labelled (patient note, trial, criterion): the trial's criteria are ingested into a
temporary SQLite store by the real ingest (criteria parsed by the ingest hook), the note is read
as a Patient by the patient reader, the matcher judges the trial, the labelled criterion is
located among the judged criteria by its text, and our verdict is mapped to the expert scheme:

  inclusion: met = included, not_met = not included, unknown = not enough information
  exclusion: met = excluded, not_met = not excluded, unknown = not enough information
  not_applicable = not applicable (both kinds)

Trial records come from ../shared/data (legacy XML subset, API v2, legacy fixtures, NIH
TrialBench raw criteria); a trial with no record there is rebuilt from its labelled criteria
(an "Inclusion Criteria:/Exclusion Criteria:" text of them) so every label can be judged; the
run reports how many labels had their real record. Baseline in the same run: always answering
the most common label per criterion type. Goal: accuracy >= 0.80.

Run: .venv/bin/python bench/criterion_labels.py [--data ../shared/data] [--errors]
Writes bench/results/criterion_labels.json (not with --errors).
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import re
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import orjson

from trialscout.ingest.pipeline import ingest
from trialscout.match import CriterionVerdict, Verdict, match_one
from trialscout.patient import note_to_patient
from trialscout.registry.model import Eligibility, Trial
from trialscout.registry.sources import SourceRecord, read_paths
from trialscout.store.db import Database

ROOT = Path(__file__).resolve().parent.parent
LABELS = "criteria_labels/trialgpt_criterion_labels_dev.jsonl.gz"
REGISTRY_SOURCES = (
    "ctgov/legacy_xml/allpublicxml_subset_2023.jsonl.gz",
    "ctgov/api_v2/all_v2_studies.jsonl.gz",
    "ctgov/legacy_xml/aact_fixtures",
)
TRIALBENCH = "nih_trialbench/trial_search_space.jsonl.gz"
SCHEME = {
    ("inclusion", Verdict.MET): "included",
    ("inclusion", Verdict.NOT_MET): "not included",
    ("exclusion", Verdict.MET): "excluded",
    ("exclusion", Verdict.NOT_MET): "not excluded",
}
LOCATE_RATIO = 0.75  # difflib ratio for a criterion text the splitter reworded slightly
TODAY = date(2026, 1, 1)  # notes carry no dates; a fixed day keeps runs repeatable


def read_labels(data: Path) -> list[dict]:
    with gzip.open(data / LABELS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def registry_trials(data: Path, wanted: set[str]) -> dict[str, SourceRecord]:
    """The wanted trials' real records: registry files first, then TrialBench raw criteria."""
    found: dict[str, SourceRecord] = {}
    for rec in read_paths([str(data / s) for s in REGISTRY_SOURCES]):
        t = rec.trial
        if t is not None and t.nct_id in wanted and t.eligibility.criteria:
            found.setdefault(t.nct_id, rec)
    with gzip.open(data / TRIALBENCH, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            tid = d.get("trial_id")
            if tid in wanted and tid not in found and d.get("raw_criteria"):
                trial = Trial(
                    trial_id=tid,
                    nct_id=tid,
                    brief_title=d.get("trial_title"),
                    study_type=d.get("study_type"),
                    eligibility=Eligibility(criteria=d["raw_criteria"]),
                    source_note="NIH TrialBench raw criteria",
                )
                found[tid] = SourceRecord(TRIALBENCH, trial)
    return found


def rebuilt_trial(tid: str, rows: list[dict]) -> SourceRecord:
    """A trial with no record here: its labelled criteria, in registry layout."""
    parts = {"inclusion": [], "exclusion": []}
    for r in rows:
        text = r["criterion_text"].strip()
        if text not in parts[r["criterion_type"]]:
            parts[r["criterion_type"]].append(text)
    text = "Inclusion Criteria:\n" + "".join(f"- {t}\n" for t in parts["inclusion"])
    text += "\nExclusion Criteria:\n" + "".join(f"- {t}\n" for t in parts["exclusion"])
    trial = Trial(
        trial_id=tid,
        nct_id=tid,
        brief_title=rows[0].get("trial_title"),
        eligibility=Eligibility(criteria=text),
        source_note="rebuilt from the labelled criteria",
    )
    return SourceRecord(LABELS, trial)


def note_text(note: str) -> str:
    """The label file numbers each note sentence ("0. A 58-year-old ..."): drop the numbers."""
    return "\n".join(re.sub(r"^\s*\d+\.\s+", "", line) for line in note.splitlines())


def norm(text: str) -> str:
    text = re.sub(r"^[\s\-*•·\d.)]+", "", text.lower())
    return re.sub(r"[^a-z0-9<>=%]+", " ", text).strip()


def locate(label: dict, judged: list[CriterionVerdict]) -> list[CriterionVerdict]:
    """The judged criteria that make up the labelled one (same kind): an exact or near match,
    or the pieces the splitter cut it into."""
    kind, want = label["criterion_type"], norm(label["criterion_text"])
    same = [c for c in judged if c.kind == kind and not c.text.endswith("(registry)")]
    exact = [c for c in same if norm(c.text) == want]
    if exact:
        return exact[:1]
    best = max(same, key=lambda c: difflib.SequenceMatcher(None, norm(c.text), want).ratio(),
               default=None)  # fmt: skip
    if best and difflib.SequenceMatcher(None, norm(best.text), want).ratio() >= LOCATE_RATIO:
        return [best]
    return [c for c in same if len(norm(c.text)) >= 8 and norm(c.text) in want]


def combine(kind: str, pieces: list[CriterionVerdict]) -> Verdict:
    """Pieces of one inclusion must all hold; any piece of an exclusion excludes."""
    vs = [p.verdict for p in pieces if p.verdict != Verdict.NOT_APPLICABLE]
    if not vs:
        return Verdict.NOT_APPLICABLE
    decisive, other = (
        (Verdict.NOT_MET, Verdict.MET) if kind == "inclusion" else (Verdict.MET, Verdict.NOT_MET)
    )
    if decisive in vs:
        return decisive
    return Verdict.UNKNOWN if Verdict.UNKNOWN in vs else other


def to_scheme(kind: str, verdict: Verdict) -> str:
    if verdict == Verdict.NOT_APPLICABLE:
        return "not applicable"
    if verdict == Verdict.UNKNOWN:
        return "not enough information"
    return SCHEME[(kind, verdict)]


def build_store(data: Path, labels: list[dict], db: Database) -> tuple[dict[str, str], float]:
    """Ingest every labelled trial; returns trial -> where its criteria came from."""
    by_trial: dict[str, list[dict]] = defaultdict(list)
    for r in labels:
        by_trial[r["trial_id"]].append(r)
    t0 = time.perf_counter()
    real = registry_trials(data, set(by_trial))
    records = [real.get(t) or rebuilt_trial(t, rows) for t, rows in sorted(by_trial.items())]
    report = ingest(db, records, sources="criterion_labels bench")
    if report.new != len(records):
        raise SystemExit(f"ingest stored {report.new} of {len(records)} trials")
    origin = {t: ("record" if t in real else "rebuilt") for t in by_trial}
    return origin, time.perf_counter() - t0


def judge(db: Database, labels: list[dict], complete: bool = False) -> list[dict]:
    """One row per label: expert label, ours (None when the criterion was not located)."""
    rows, reports = [], {}
    for label in labels:
        key = (label["patient_id"], label["trial_id"])
        if key not in reports:
            patient = note_to_patient(note_text(label["note"]), label["patient_id"])
            patient.complete_history = patient.complete_history or complete
            reports[key] = match_one(db, patient, label["trial_id"], today=TODAY).results[0]
        kind = label["criterion_type"]
        pieces = locate(label, reports[key].criteria)
        ours = to_scheme(kind, combine(kind, pieces)) if pieces else None
        rows.append({
            "patient": label["patient_id"], "trial": label["trial_id"], "kind": kind,
            "text": label["criterion_text"], "expert": label["expert_eligibility"],
            "ours": ours, "reason": "; ".join(p.reason for p in pieces),
        })  # fmt: skip
    return rows


def accuracy(rows: list[dict], answer) -> float:
    return sum(answer(r) == r["expert"] for r in rows) / max(1, len(rows))


def summarize(rows: list[dict]) -> dict:
    """Ours (an unlocated criterion counts as 'not enough information') vs the majority label."""
    majority = {
        k: Counter(r["expert"] for r in rows if r["kind"] == k).most_common(1)[0][0]
        for k in {r["kind"] for r in rows}
    }

    def ours(r):
        return r["ours"] or "not enough information"

    def base(r):
        return majority[r["kind"]]

    groups = {"overall": rows}
    for k in sorted(majority):
        groups[f"type={k}"] = [r for r in rows if r["kind"] == k]
    for lab in sorted({r["expert"] for r in rows}):
        groups[f"label={lab}"] = [r for r in rows if r["expert"] == lab]
    out = {
        name: {"n": len(g), "ours": round(accuracy(g, ours), 4),
               "majority": round(accuracy(g, base), 4)}
        for name, g in groups.items()
    }  # fmt: skip
    out["confusion"] = {
        exp: dict(Counter(ours(r) for r in rows if r["expert"] == exp))
        for exp in sorted({r["expert"] for r in rows})
    }
    out["majority_labels"] = majority
    return out


def print_report(summary: dict, meta: dict) -> None:
    print(
        f"labels {meta['labels']} | trials {meta['trials']} | labels with the trial's record "
        f"{meta['labels_with_record']} (trials {meta['trials_with_record']}; the rest rebuilt "
        f"from their labelled criteria) | located {meta['located']} | {meta['seconds']}s"
    )
    print(f"{'group':34} {'n':>4} {'ours':>6} {'majority':>9}   (goal: overall >= 0.80)")
    for name, g in summary.items():
        if isinstance(g, dict) and "n" in g:
            print(f"{name:34} {g['n']:4d} {g['ours']:6.3f} {g['majority']:9.3f}")
    cols = sorted({c for row in summary["confusion"].values() for c in row})
    print("\nconfusion (rows: expert, columns: ours)")
    print(f"{'':24}" + "".join(f"{c[:12]:>13}" for c in cols))
    for exp, row in summary["confusion"].items():
        print(f"{exp[:24]:24}" + "".join(f"{row.get(c, 0):13d}" for c in cols))


def print_errors(rows: list[dict]) -> None:
    for r in rows:
        ours = r["ours"] or "not enough information"
        if ours != r["expert"]:
            located = "" if r["ours"] else " [not located]"
            print(f"{r['trial']} {r['patient']} {r['kind']}: expert={r['expert']!r} "
                  f"ours={ours!r}{located}\n    {r['text'][:200]}\n    -> {r['reason'][:200]}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument(
        "--complete-notes",
        action="store_true",
        help="development: mark notes as complete histories (DESIGN contract 2) when the "
        "patient reader does not yet; figures with it are not the recorded ones",
    )
    ap.add_argument("--errors", action="store_true", help="list disagreements (development)")
    ap.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "criterion_labels.json"
    )
    args = ap.parse_args()
    labels = read_labels(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "labels.db")
        origin, ingest_s = build_store(args.data, labels, db)
        t0 = time.perf_counter()
        rows = judge(db, labels, args.complete_notes)
        db.close()
    meta = {
        "labels": len(labels),
        "trials": len(origin),
        "trials_with_record": sum(v == "record" for v in origin.values()),
        "labels_with_record": sum(origin[r["trial_id"]] == "record" for r in labels),
        "located": sum(r["ours"] is not None for r in rows),
        "seconds": round(ingest_s + time.perf_counter() - t0, 1),
    }
    summary = summarize(rows)
    if args.errors:
        print_errors(rows)
    print_report(summary, meta)
    if not args.errors and not args.complete_notes:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"meta": meta, **summary}
        args.out.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
