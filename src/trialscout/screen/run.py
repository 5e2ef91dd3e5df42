"""A screening run end to end: trials from the store, the engine, incremental reuse, the files.

Incremental: `state.json` keeps each patient's resources hash and each trial's version/parse
hash. A patient whose hash is unchanged is judged again only against trials that changed; its
other verdicts are carried over from `judgements.parquet`. Verdicts rest on the run date (ages,
time windows) of the run that computed them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from trialscout.screen import output
from trialscout.screen.engine import run as run_engine
from trialscout.screen.export import Issue
from trialscout.screen.judge import CANDIDATE
from trialscout.screen.trials import TrialSet

STATE_VERSION = 1


@dataclass(slots=True)
class ScreenReport:
    patients: int = 0
    trials: int = 0
    judged: int = 0  # patient x trial verdicts computed in this run
    reused: int = 0  # carried over from the previous run
    changed_patients: int = 0
    changed_trials: int = 0
    new_candidates: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def screen(
    client,
    export_dir: str | Path,
    out: str | Path,
    trials: TrialSet,
    *,
    today: date | None = None,
    expected_patients: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ScreenReport:
    """Screen the export against `trials` and write the run into `out`."""
    out = Path(out)
    started = datetime.now(UTC)
    today = today or date.today()
    state = output.read_state(out) if out.is_dir() else {}
    old_rows = output.read_judgements(out) if state else []
    prev_patients: dict[str, str] = state.get("patients", {}) if old_rows or not state else {}
    prev_trials: dict[str, str] = state.get("trials", {})
    changed = frozenset(t for t, h in trials.hashes.items() if prev_trials.get(t) != h)
    result = run_engine(
        client,
        export_dir,
        trials,
        today=today,
        previous=prev_patients,
        changed_trials=changed,
        expected_patients=expected_patients,
        on_progress=on_progress,
    )
    report = ScreenReport(patients=len(result.patients), trials=len(trials), issues=result.issues)
    rows = _merge(result.patients, old_rows, trials, changed, report)
    report.new_candidates = _new_candidates(rows, old_rows)
    titles = {tid: (t.nct_id or tid, t.title or "") for tid, t in trials.trials.items()}
    report.summary = output.write_run(out, rows, titles)
    cols = ["patient", "nct_id", "verdict", "score"]
    output.write_csv(report.new_candidates, cols, out / output.NEW)
    report.changed_trials = len(changed)
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    output.write_json(_state(result.patients, trials, today, started, report), out / output.STATE)
    return report


def _merge(patients, old_rows, trials: TrialSet, changed, report: ScreenReport) -> list[dict]:
    """This run's verdicts plus the previous ones still valid (unchanged patient and trial)."""
    keep = {p.patient for p in patients if p.reused}
    new_rows = output.to_rows(j for p in patients for j in p.judgements)
    report.judged = len(new_rows)
    report.changed_patients = sum(not p.reused for p in patients)
    carried = [
        r
        for r in old_rows
        if r["patient"] in keep and r["trial_id"] in trials.trials and r["trial_id"] not in changed
    ]
    report.reused = len(carried)
    return carried + new_rows


def _new_candidates(rows: list[dict], old_rows: list[dict]) -> list[dict[str, Any]]:
    """Candidates now that were not candidates (or not judged) in the previous run."""
    before = {(r["patient"], r["trial_id"]) for r in old_rows if r["verdict"] in CANDIDATE}
    return [
        r for r in rows if r["verdict"] in CANDIDATE and (r["patient"], r["trial_id"]) not in before
    ]


def _state(patients, trials: TrialSet, today: date, started: datetime, report) -> dict:
    return {
        "version": STATE_VERSION,
        "run_started": started.isoformat(timespec="seconds"),
        "run_date": today.isoformat(),
        "patients": {p.patient: p.hash for p in patients},
        "trials": dict(trials.hashes),
        "counts": {
            "patients": report.patients,
            "trials": report.trials,
            "judged": report.judged,
            "reused": report.reused,
            "new_candidates": len(report.new_candidates),
            "issues": len(report.issues),
        },
    }
