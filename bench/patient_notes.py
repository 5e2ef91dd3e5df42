"""Condition/therapy mentions per note and their assertion status, on the TrialGPT notes.

Reads the patient notes of ../shared/data/criteria_labels (development half: 479 labelled
criterion rows over the notes of 37 SIGIR patients), finds every condition and therapy mention
with `vocab.find`, and states each with the ConText engine. Prints mentions and distinct
concepts per note, the share per assertion category next to the baseline without an assertion
engine (every mention present), and a seeded random sample of mentions with their sentences
for a hand check. Also times reading every note.

With --topics (the TREC 2021 topics XML) the 75 longer admission notes are read the same way.

Run: nice .venv/bin/python bench/patient_notes.py [--labels PATH] [--topics XML] [--sample 20]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from trialscout.patient import note_to_patient
from trialscout.patient.note import NoteText

ROOT = Path(__file__).resolve().parents[1]
LABELS = (
    ROOT.parent / "shared" / "data" / "criteria_labels" / "trialgpt_criterion_labels_dev.jsonl.gz"
)


def load(path: Path) -> tuple[int, dict[str, str]]:
    rows, notes = 0, {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows += 1
            notes.setdefault(row["patient_id"], row["note"])
    return rows, notes


def topics(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    found = re.findall(r'<topic number="(\d+)">(.*?)</topic>', text, re.DOTALL)
    return {f"trec-2021-{n}": body.strip() for n, body in found}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--topics", type=Path, help="TREC topics XML instead of the labelled notes")
    args = ap.parse_args()
    if args.topics:
        notes = topics(args.topics)
        rows = len(notes)
    else:
        rows, notes = load(args.labels)
    per_note, concepts, states, pool = [], [], Counter(), []
    start = time.perf_counter()
    for pid, text in sorted(notes.items()):
        note = NoteText(text)
        note_to_patient(text, pid)
        per_note.append(len(note.mentions))
        concepts.append(len({(m.kind, m.id) for m in note.mentions}))
        for m in note.mentions:
            states[m.assertion.value] += 1
            s, e = note.sentence_of(m.start)
            pool.append(
                (pid, m, text[s : m.start] + "[[" + text[m.start : m.end] + "]]" + text[m.end : e])
            )
    elapsed = time.perf_counter() - start
    total = sum(per_note)
    print(f"rows {rows}, distinct notes {len(notes)}, read in {elapsed:.2f} s")
    print(
        f"condition/therapy mentions per note: mean {statistics.mean(per_note):.1f}, "
        f"median {statistics.median(per_note)}, min {min(per_note)}, max {max(per_note)}; "
        f"notes with none: {sum(1 for n in per_note if n == 0)}"
    )
    print(f"distinct concepts per note: mean {statistics.mean(concepts):.1f}")
    print(f"{'assertion':<14}{'engine':>8}{'baseline (all present)':>26}")
    for cat in ("present", "negated", "historical", "hypothetical", "family"):
        base = total if cat == "present" else 0
        print(f"{cat:<14}{states[cat]:>8}{base:>26}")
    rng = random.Random(args.seed)
    print(f"\nrandom sample of {args.sample} mentions (seed {args.seed}) for a hand check:")
    for i, (pid, m, sentence) in enumerate(rng.sample(pool, min(args.sample, len(pool))), 1):
        print(f"{i:>2}. {pid} {m.kind}:{m.id} -> {m.assertion.value}\n    {sentence.strip()}")


if __name__ == "__main__":
    main()
