"""Guard for matcher speed work: every verdict, score and criterion result, before and after.

Judges a fixed sample of patients against every trial of the demo set with
`match.engine.match_trial` (the function `trialscout match`, the web app, alerts and screening
all use) and writes one canonical JSON line per patient x trial: trial verdict, score,
eligibility, each criterion's kind, text, verdict, reason, missing facts and basis, and the
questions `top_questions` derives. `--check` recomputes and compares line by line, so a speed
change that alters any output fails loudly with the first differences.

Patients: the example profile, profile variants (negated, female, pregnant, xULN labs,
complete history), the patient fixtures in tests/data/patient (notes, mCODE, Synthea), the FHIR
bundles in ../shared/data/fhir, the TREC 2021 topic notes, and generated patients
(screen/synthetic.py, seed 5) read as screening reads them.

Run: nice .venv/bin/python bench/match_guard.py --write /tmp/guard.jsonl.gz [--generated 150]
     nice .venv/bin/python bench/match_guard.py --check /tmp/guard.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson

from trialscout.ingest.pipeline import load_demo
from trialscout.match.engine import match_trial
from trialscout.match.questions import top_questions
from trialscout.match.results import TrialMatch
from trialscout.match.view import PatientView
from trialscout.patient import load_patient, note_to_patient, profile_from_dict
from trialscout.patient.model import Patient
from trialscout.screen.export import Record, input_files, read_file
from trialscout.screen.judge import build_patient
from trialscout.screen.synthetic import generate
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
TODAY = date(2026, 6, 1)

BASE = {
    "age": 52,
    "sex": "male",
    "conditions": ["hepatocellular carcinoma", "chronic hepatitis B"],
    "absent_conditions": ["autoimmune disease"],
    "scores": {"bclc": "A", "child_pugh": "A", "ecog": 0},
    "labs": {
        "platelets": "150 10^9/L",
        "hemoglobin": "12.8 g/dL",
        "neutrophils": "2100 /uL",
        "alt": {"value": "48 U/L", "ref_high": 40},
        "ast": "1.1 xULN",
        "hbv_dna": "< 20 IU/mL",
    },
    "therapies": [{"name": "hepatectomy", "date": "2026-05-01"}, {"name": "tenofovir"}],
}
VARIANTS = (
    {},
    {"sex": "female", "pregnant": False, "age": 34},
    {"sex": "female", "pregnant": True, "conditions": ["breast cancer"], "age": 41},
    {"complete_history": True},
    {"conditions": ["liver cancer", "cirrhosis", "hiv infection"], "scores": {"child_pugh": "B8"}},
    {
        "conditions": [{"name": "hepatitis c", "status": "resolved"}],
        "absent_therapies": ["sorafenib"],
    },
    {"conditions": [], "therapies": [], "labs": {}, "scores": {}, "age": 17},
    {"conditions": ["acute myeloid leukemia"], "complete_history": True, "sex": "female"},
    {"therapies": [{"name": "sorafenib", "start": "2026-03-01"}], "life_expectancy_months": 6},
)


def profiles() -> Iterator[tuple[str, Patient]]:
    for i, change in enumerate(VARIANTS):
        yield f"profile-{i}", profile_from_dict({**BASE, **change}, f"profile-{i}")
    yield "example", load_patient(ROOT / "examples" / "patient_hbv_hcc.yaml")


def files() -> Iterator[tuple[str, Patient]]:
    paths = sorted((ROOT / "tests" / "data" / "patient").iterdir())
    paths += sorted(p for p in (SHARED / "fhir").rglob("*.json*") if p.name != "index.json")
    for path in paths:
        yield path.name, load_patient(path)


def topics() -> Iterator[tuple[str, Patient]]:
    path = SHARED / "trec_ct" / "official" / "topics2021.xml"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    for n, body in re.findall(r'<topic number="(\d+)">(.*?)</topic>', text, re.DOTALL):
        yield f"trec-2021-{n}", note_to_patient(body.strip(), f"topic {n}")


def generated(n: int, tmp: Path) -> Iterator[tuple[str, Patient]]:
    export = tmp / "export"
    generate(export, n, SHARED / "fhir", seed=5, files_per_type=2, gzipped=False)
    per: dict[str, list[Record]] = {}
    for f in input_files(export):
        for item in read_file(f):
            if isinstance(item, Record):
                per.setdefault(item.patient, []).append(item)
    for pid in sorted(per):
        patient, _ = build_patient(per[pid], TODAY)
        if patient is not None:
            yield f"gen-{pid}", patient


def canonical(pid: str, m: TrialMatch) -> bytes:
    """Everything match_trial decides, as one sorted JSON line (floats exactly, via repr)."""
    return orjson.dumps(
        {
            "p": pid,
            "t": m.trial_id,
            "verdict": str(m.verdict),
            "score": repr(m.score),
            "eligibility": repr(m.eligibility),
            "criteria": [
                [c.kind, c.text, str(c.verdict), c.reason, list(c.missing), str(c.basis)]
                for c in m.criteria
            ],
            "questions": [q.to_dict() for q in top_questions([m])],
        },
        option=orjson.OPT_SORT_KEYS,
    )


def lines(db: Database, patients: list[tuple[str, Patient]]) -> Iterator[bytes]:
    store = TrialStore(db)
    ids = [r[0] for r in db.conn.execute("SELECT trial_id FROM trials ORDER BY trial_id")]
    trials = store.get_many(ids)
    from trialscout.match.criteria_source import criteria_many

    parsed = criteria_many(db, [trials[i] for i in ids])
    for pid, patient in patients:
        view = PatientView(patient, TODAY)
        for tid in ids:
            yield canonical(pid, match_trial(None, trials[tid], view, parsed=parsed[tid]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="write the reference outputs here (.jsonl.gz)")
    mode.add_argument("--check", type=Path, help="compare against a reference written before")
    ap.add_argument("--generated", type=int, default=150, help="generated patients")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="match_guard_") as tmp:
        db = Database(Path(tmp) / "demo.db")
        load_demo(db, workers=1)
        patients = [*profiles(), *files(), *topics(), *generated(args.generated, Path(tmp))]
        t0 = time.perf_counter()
        if args.write:
            n = write(args.write, lines(db, patients))
            print(f"wrote {n} judgements ({len(patients)} patients) to {args.write}", end="")
        else:
            n = check(args.check, lines(db, patients))
            print(f"{n} judgements ({len(patients)} patients) identical to {args.check}", end="")
        print(f" in {time.perf_counter() - t0:.1f} s ({n / (time.perf_counter() - t0):.0f}/s)")


def write(path: Path, produced: Iterator[bytes]) -> int:
    n = 0
    with gzip.open(path, "wb", compresslevel=5) as out:
        for line in produced:
            out.write(line + b"\n")
            n += 1
    return n


def check(path: Path, produced: Iterator[bytes]) -> int:
    n = bad = 0
    with gzip.open(path, "rb") as ref:
        for want, got in zip(ref, produced, strict=False):
            n += 1
            if want.rstrip(b"\n") != got:
                bad += 1
                if bad <= 3:
                    print(
                        f"DIFFERENT:\n  before {want.decode()[:1500]}\n  after  {got.decode()[:1500]}"
                    )
        rest = sum(1 for _ in ref)
    if bad or rest:
        sys.exit(f"{bad} of {n} judgements differ; {rest} reference lines not produced")
    return n


if __name__ == "__main__":
    main()
