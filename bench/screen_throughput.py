"""Screening throughput: patients x trials judged per second with 1 and 2 Dask workers.

Generated patients (screen/synthetic.py, varied from the real Synthea and mCODE bundles in
../shared/data/fhir) against the open trials of the demo set. Baseline in the same run: the same
patients judged serially in this process without Dask (read the resources the same way, same
`match_trial`). Prints judgements/s per setup, scaling 1 -> 2 workers, peak memory per worker,
and a projection for a 1,000,000-patient x 20,000-trial nightly run.

Run: nice .venv/bin/python bench/screen_throughput.py [--patients 2000] [--trials QUERY]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from trialscout import pipeline
from trialscout.screen import TrialFilter, connect, screen, select_trials
from trialscout.screen.export import Record, input_files, read_file
from trialscout.screen.judge import build_patient, judge_patient
from trialscout.screen.synthetic import generate
from trialscout.store.db import Database

ROOT = Path(__file__).resolve().parent.parent
FHIR = ROOT.parent / "shared" / "data" / "fhir"
TODAY = date(2026, 6, 1)
GOAL_PER_WORKER = 2000
GOAL_SCALING = 1.8


def serial_baseline(export: Path, trials, limit: int) -> tuple[float, float]:
    """(patient reads/s, judgements/s) in one process, no Dask, on the first `limit` patients."""
    per: dict[str, list[Record]] = {}
    for f in input_files(export):
        for item in read_file(f):
            if isinstance(item, Record):
                per.setdefault(item.patient, []).append(item)
    chosen = list(per.items())[:limit]
    t0 = time.perf_counter()
    patients = [(pid, build_patient(recs, TODAY)[0]) for pid, recs in chosen]
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = sum(len(judge_patient(p, pid, trials, TODAY)) for pid, p in patients if p is not None)
    return len(chosen) / read_s, n / (time.perf_counter() - t0)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def on_cluster(export: Path, trials, workers: int, patients: int, out: Path) -> dict:
    with connect(workers=workers) as client:
        t0 = time.perf_counter()
        report = screen(client, export, out, trials, today=TODAY, expected_patients=patients)
        seconds = time.perf_counter() - t0
        peak = client.run(_peak_rss_mb)
    return {
        "workers": workers,
        "seconds": seconds,
        "judged": report.judged,
        "rate": report.judged / seconds,
        "peak_mb": max(peak.values()),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=2000)
    ap.add_argument("--trials", help="search query limiting the open trials (default: all open)")
    ap.add_argument("--serial", type=int, default=100, help="patients for the serial baseline")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="screen_bench_") as tmp:
        tmp_path = Path(tmp)
        db = Database(tmp_path / "demo.db")
        pipeline.load_demo(db)
        trials = select_trials(db, TrialFilter(query=args.trials))
        db.close()
        export = tmp_path / "export"
        t0 = time.perf_counter()
        gen = generate(export, args.patients, FHIR, seed=11, files_per_type=4, gzipped=True)
        print(
            f"generated {gen.patients} patients ({gen.hbv} HBV, {gen.hcc} HCC) in "
            f"{time.perf_counter() - t0:.1f} s; {len(trials)} open trials"
        )
        reads, serial = serial_baseline(export, trials, args.serial)
        print(
            f"baseline, serial in-process: {reads:.0f} patients read/s, {serial:.0f} judgements/s"
        )
        runs = [on_cluster(export, trials, w, gen.patients, tmp_path / f"out{w}") for w in (1, 2)]
    for r in runs:
        print(
            f"{r['workers']} worker(s): {r['judged']} judgements in {r['seconds']:.1f} s = "
            f"{r['rate']:.0f}/s ({r['rate'] / r['workers']:.0f}/s per worker; goal "
            f"{GOAL_PER_WORKER}), peak worker memory {r['peak_mb']:.0f} MB"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end (2 cores, shared): {load}")
    scaling = runs[1]["rate"] / runs[0]["rate"]
    print(f"scaling 1 -> 2 workers: {scaling:.2f}x (goal {GOAL_SCALING}x)")
    per_worker = runs[0]["rate"]
    total = 1_000_000 * 20_000
    worker_hours = total / per_worker / 3600
    print(
        f"projection: 1,000,000 patients x 20,000 open trials = {total:.1e} judgements; at "
        f"{per_worker:.0f}/s per worker that is {worker_hours:,.0f} worker-hours: "
        f"{worker_hours / 8:,.0f} workers for an 8-hour night"
    )


if __name__ == "__main__":
    main()
