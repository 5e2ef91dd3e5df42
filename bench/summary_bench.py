"""Plain-language summaries over every trial in the bundled demo data.

Prints: median and 90th-percentile Flesch-Kincaid grade, the share of trials with each section
filled, generation time per trial, and how many liver/hepatitis trials have every intervention
explained by the glossary. Runs twice: from the record alone, and with the criteria parsed by
`trialscout.criteria` (when that package is installed; parsing time is not counted).

    python bench/summary_bench.py [--json bench/results/summary.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from trialscout.registry.sources import read_path
from trialscout.summary import SECTION_TITLES, summarize
from trialscout.summary.glossary import load_glossary
from trialscout.summary.readability import ensure_cmudict
from trialscout.summary.tested import covered_interventions

DEMO = Path(__file__).parents[1] / "src/trialscout/data/demo"
LIVER = re.compile(r"liver|hepat|hcc|cirrho|biliary|cholang|hbv|hcv", re.I)


def demo_trials():
    return [
        r.trial for p in sorted(DEMO.rglob("*")) if p.is_file() for r in read_path(p) if r.trial
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(trials, parsed: dict | None) -> dict:
    grades, times = [], []
    filled = dict.fromkeys(SECTION_TITLES, 0)
    over8 = []
    for trial in trials:
        criteria = parsed.get(trial.trial_id) if parsed else None
        start = time.perf_counter()
        s = summarize(trial, criteria)
        times.append(time.perf_counter() - start)
        grades.append(s.grade)
        if s.grade > 8:
            over8.append(trial.trial_id)
        for sec in s.sections:
            filled[sec.title] += bool(sec.sentences)
    n = len(trials)
    return {
        "trials": n,
        "grade_median": round(statistics.median(grades), 1),
        "grade_p90": round(percentile(grades, 0.9), 1),
        "grade_max": max(grades),
        "share_grade_le_8": round(sum(g <= 8 for g in grades) / n, 3),
        "section_filled": {t: round(c / n, 3) for t, c in filled.items()},
        "ms_per_trial_mean": round(1000 * statistics.mean(times), 2),
        "ms_per_trial_p90": round(1000 * percentile(times, 0.9), 2),
        "over_8": over8,
    }


def coverage(trials) -> dict:
    g = load_glossary()
    liver = [
        t for t in trials if LIVER.search(" ".join([*t.conditions, *t.condition_terms, t.title]))
    ]
    ivs = [(t, i) for t in liver for i in range(len(t.interventions))]
    covered = sum(i in covered_interventions(t, g) for t, i in ivs)
    full = sum(len(covered_interventions(t, g)) == len(t.interventions) for t in liver)
    return {
        "liver_trials": len(liver),
        "liver_interventions": len(ivs),
        "interventions_explained": round(covered / max(1, len(ivs)), 3),
        "trials_all_explained": round(full / max(1, len(liver)), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    ensure_cmudict()  # one-time build, not counted per trial
    trials = demo_trials()
    summarize(trials[0])  # warm caches (glossary, cmudict dict)
    results = {"record_only": run(trials, None), "glossary_coverage": coverage(trials)}
    try:
        from trialscout.criteria import parse_criteria

        parsed = {t.trial_id: parse_criteria(t.eligibility.criteria, t.trial_id) for t in trials}
        results["with_parsed_criteria"] = run(trials, parsed)
    except ImportError:
        results["with_parsed_criteria"] = None
    for name in ("record_only", "with_parsed_criteria"):
        r = results[name]
        if r is None:
            print(f"{name}: trialscout.criteria not installed")
            continue
        print(f"== {name}: {r['trials']} demo trials")
        print(f"  FK grade median {r['grade_median']}  p90 {r['grade_p90']}  max {r['grade_max']}")
        print(f"  share with grade <= 8: {r['share_grade_le_8']:.1%}  (over 8: {len(r['over_8'])})")
        for title, share in r["section_filled"].items():
            print(f"  filled  {share:6.1%}  {title}")
        print(f"  time per trial: mean {r['ms_per_trial_mean']} ms, p90 {r['ms_per_trial_p90']} ms")
    c = results["glossary_coverage"]
    print(
        f"== glossary: {c['liver_trials']} liver/hepatitis trials, {c['liver_interventions']} "
        f"interventions, {c['interventions_explained']:.1%} explained, "
        f"{c['trials_all_explained']:.1%} of trials fully explained"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
