"""Screening throughput: patient x trial judgements per second with 1 and 2 Dask workers.

What it runs (every figure printed says which of these it comes from):
  1. matcher only, in this process: `judge_patient` (match_trial per trial) on patients read
     beforehand, against each trial set: judgements per CPU second and per wall second;
  2. the engine end to end (`screen.screen`: read the export, join per patient on the workers,
     judge, write the output) on a LocalCluster of 1 and then 2 single-threaded worker
     processes, for each trial set, on a generated export of `--patients` patients: wall rate,
     scaling 1 -> 2, CPU seconds the workers used, peak RSS per worker;
  3. the join at scale: every patient of generated exports of `--join` sizes (10,000 and
     100,000 by default) read and grouped by patient by the engine's own graph
     (`screen.engine.join`) on 2 workers, without judging;
  4. a projection (not a measurement) of a 1,000,000-patient x 20,000-trial night from the
     per-worker figures of 1 (judging) and the measured cost of reading a patient.
Trial sets: all open trials of the demo set; the first `--store-trials` open trials by id of a
trial store (`--store`, made by `trialscout ingest` from a bench/corpus.py corpus; 0 = all of
them); criteria the store has no parse for are parsed when read, once.
Generated patients: screen/synthetic.py (varied Synthea and mCODE bundles, 20 % HBV, 10 % HCC).

Run: nice .venv/bin/python bench/screen_throughput.py [--patients 400] [--store DB]
         [--store-trials 2000] [--join 10000 100000] [--serial 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from trialscout import vocab
from trialscout.ingest.pipeline import load_demo
from trialscout.screen import TrialSet, connect, screen, select_trials
from trialscout.screen.engine import join
from trialscout.screen.export import Record, input_files, read_file
from trialscout.screen.judge import build_patient, judge_patient, trial_plans
from trialscout.screen.synthetic import generate
from trialscout.screen.trials import open_trial_ids, trial_set
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

ROOT = Path(__file__).resolve().parent.parent
FHIR = ROOT.parent / "shared" / "data" / "fhir"
TODAY = date(2026, 6, 1)
GOAL_PER_WORKER = 2000
GOAL_SCALING = 1.8
DEMO = "demo open trials"


def read_patients(export: Path, limit: int) -> tuple[list, float]:
    """The first `limit` patients of an export as `Patient`s, and CPU seconds per patient read."""
    per: dict[str, list[Record]] = {}
    for f in input_files(export):
        for item in read_file(f):
            if isinstance(item, Record):
                per.setdefault(item.patient, []).append(item)
    chosen = sorted(per)[:limit]
    c0 = time.process_time()
    patients = [(pid, build_patient(per[pid], TODAY)[0]) for pid in chosen]
    return [p for p in patients if p[1] is not None], (time.process_time() - c0) / len(chosen)


def matcher_only(patients: list, trials: TrialSet) -> dict:
    """Judgements per CPU and per wall second of match_trial on patients already read."""
    c0 = time.process_time()
    trial_plans(trials)
    plan_s = time.process_time() - c0
    judge_patient(patients[0][1], patients[0][0], trials, TODAY)  # warm the vocabulary caches
    t0, c0 = time.perf_counter(), time.process_time()
    n = sum(len(judge_patient(p, pid, trials, TODAY)) for pid, p in patients)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    return {"n": n, "cpu_rate": n / cpu, "wall_rate": n / wall, "plan_s": plan_s}


def _worker_usage() -> tuple[float, float]:
    """(peak RSS in MB, CPU seconds) of this worker process. The peak is VmHWM, the high-water
    mark of the worker's own memory: ru_maxrss of a spawned process starts at its parent's RSS
    when it forked, so it reported the bench's 3 GB of loaded trials as every worker's peak."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    status = Path("/proc/self/status")
    hwm = [ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM:")]
    peak_mb = int(hwm[0].split()[1]) / 1024 if hwm else r.ru_maxrss / 1024
    return peak_mb, r.ru_utime + r.ru_stime


def _warm() -> float:
    """Load the vocabulary in a worker (what its first task would do): CPU seconds taken."""
    c0 = time.process_time()
    vocab.concepts("condition"), vocab.concepts("therapy"), vocab.find("hepatitis b")
    vocab.is_a("hcc", "liver cancer", "condition")
    return time.process_time() - c0


def on_cluster(export: Path, trials: TrialSet, workers: int, patients: int, out: Path) -> dict:
    """One engine run; worker start-up (vocabulary loading) is done and timed before it."""
    with connect(workers=workers) as client:
        warm = max(client.run(_warm).values())
        usage0 = client.run(_worker_usage)
        t0 = time.perf_counter()
        report = screen(client, export, out, trials, today=TODAY, expected_patients=patients)
        seconds = time.perf_counter() - t0
        usage = client.run(_worker_usage)
    return {
        "workers": workers,
        "seconds": seconds,
        "judged": report.judged,
        "rate": report.judged / seconds,
        "peak_mb": max(u[0] for u in usage.values()),
        "cpu_s": sum(u[1] - usage0.get(w, (0, 0))[1] for w, u in usage.items()),
        "warm_s": warm,
    }


def join_only(
    export: Path, workers: int, expected: int | None, trials: int
) -> tuple[int, float, float]:
    """The engine's read + join graph (screen/engine.py, partitioned as for `trials` trials)
    without judging: (patients, seconds, peak RSS of a worker in MB)."""
    with connect(workers=workers) as client:
        t0 = time.perf_counter()
        grouped, _ = join(export, workers, expected, trials)
        n = client.compute(grouped.count()).result()
        seconds = time.perf_counter() - t0
        return n, seconds, max(u[0] for u in client.run(_worker_usage).values())


def print_matcher(name: str, r: dict) -> None:
    print(
        f"  matcher only, {name}: {r['n']:,} judgements, {r['cpu_rate']:,.0f} per CPU second "
        f"({r['wall_rate']:,.0f} per wall second; goal {GOAL_PER_WORKER:,} per worker); "
        f"trials prepared once in {r['plan_s']:.1f} CPU s"
    )


def print_cluster(name: str, runs: list[dict], n_trials: int) -> float:
    for r in runs:
        print(
            f"  engine, {name}, {r['workers']} worker(s): {r['judged']:,} judgements "
            f"({r['judged'] // max(n_trials, 1):,} patients x {n_trials:,} trials) in "
            f"{r['seconds']:.1f} s = {r['rate']:,.0f}/s wall ({r['rate'] / r['workers']:,.0f}/s "
            f"per worker); workers used {r['cpu_s']:.0f} CPU s = "
            f"{r['judged'] / max(r['cpu_s'], 1e-9):,.0f} judgements per worker CPU second; "
            f"peak RSS per worker {r['peak_mb']:.0f} MB; start-up before the run (vocabulary) "
            f"{r['warm_s']:.1f} CPU s per worker"
        )
    scaling = runs[1]["rate"] / runs[0]["rate"]
    cpu_eff = (runs[1]["judged"] / runs[1]["cpu_s"]) / (runs[0]["judged"] / runs[0]["cpu_s"])
    print(
        f"  scaling 1 -> 2 workers, {name}: {scaling:.2f}x wall (goal {GOAL_SCALING}x); "
        f"work per judgement with 2 workers vs 1: {1 / cpu_eff:.2f}x the CPU"
    )
    return scaling


def projection(judge_rate: float, read_s: float) -> None:
    patients, trials = 1_000_000, 20_000
    total = patients * trials
    hours = (total / judge_rate + patients * read_s) / 3600
    print(
        f"projection (from the figures above, not measured): {patients:,} patients x "
        f"{trials:,} open trials = {total:.1e} judgements at {judge_rate:,.0f} per worker CPU "
        f"second, plus {read_s * 1000:.0f} ms to read each patient = {hours:,.0f} worker-hours: "
        f"{hours / 8:,.0f} single-core workers for an 8-hour night "
        f"({hours / 8 / 16:,.0f} 16-core machines)"
    )


def trial_sets(tmp: Path, store: Path | None, store_trials: int) -> dict[str, TrialSet]:
    db = Database(tmp / "demo.db")
    load_demo(db, workers=1)
    sets = {DEMO: select_trials(db)}
    db.close()
    if store is not None:
        sdb = Database(store)
        ids = open_trial_ids(sdb)
        total = TrialStore(sdb).count()
        t0 = time.perf_counter()
        chosen = trial_set(sdb, ids[:store_trials] if store_trials else ids)
        print(
            f"store: {total:,} trials, {len(ids):,} open; the first {len(chosen):,} open trials "
            f"by id read with their criteria in {time.perf_counter() - t0:.0f} s"
        )
        sdb.close()
        sets[f"{total:,}-trial store, {len(chosen):,} of {len(ids):,} open trials"] = chosen
    return sets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--patients", type=int, default=400, help="patients judged by the engine")
    ap.add_argument("--serial", type=int, default=20, help="patients for the matcher-only rate")
    ap.add_argument("--store", type=Path, help="a trial store made by trialscout ingest")
    ap.add_argument("--store-trials", type=int, default=2000, help="first N open (0: all)")
    ap.add_argument("--join", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--join-export", type=Path, nargs="*", default=[], help="existing exports")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="screen_bench_") as tmp_name:
        tmp = Path(tmp_name)
        sets = trial_sets(tmp, args.store, args.store_trials)
        export = tmp / "export"
        gen = generate(export, args.patients, FHIR, seed=11, files_per_type=4, gzipped=True)
        print(f"export: {gen.patients:,} generated patients ({gen.hbv} HBV, {gen.hcc} HCC)")
        patients, read_s = read_patients(export, args.serial)
        print(f"reading a patient (FHIR resources -> Patient): {read_s * 1000:.0f} ms CPU")
        judge_rate = 0.0
        for name, trials in sets.items():
            r = matcher_only(patients, trials)
            print_matcher(f"{len(patients)} patients x {name}", r)
            judge_rate = r["cpu_rate"]  # the last is the largest set: the projection's rate
            runs = [
                on_cluster(export, trials, w, gen.patients, tmp / f"out{w}{len(trials)}")
                for w in (1, 2)
            ]
            print_cluster(name, runs, len(trials))
        for n in args.join:
            big = tmp / f"join{n}"
            t0 = time.perf_counter()
            generate(big, n, FHIR, seed=13, files_per_type=8, gzipped=True)
            gen_s = time.perf_counter() - t0
            got, seconds, peak = join_only(big, 2, n, len(sets[DEMO]))
            print(
                f"  join at scale: {got:,} patients (generated in {gen_s:.0f} s) read and "
                f"grouped by the engine on 2 workers in {seconds:.1f} s = {got / seconds:,.0f} "
                f"patients/s; peak RSS per worker {peak:,.0f} MB"
            )
            for f in big.iterdir():
                f.unlink()
        for path in args.join_export:
            got, seconds, peak = join_only(path, 2, None, len(sets[DEMO]))
            print(
                f"  join at scale: {got:,} patients of {path} read and grouped by the engine on "
                f"2 workers in {seconds:.1f} s = {got / seconds:,.0f} patients/s; peak RSS per "
                f"worker {peak:,.0f} MB"
            )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average at the end (2 cores, shared with other jobs): {load}")
        projection(judge_rate, read_s)


if __name__ == "__main__":
    main()
