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
from trialscout.screen.judge import PatientResult
from trialscout.screen.trials import TrialSet

STATE_VERSION = 1


NEW_KEPT = 1000  # new candidates kept on the report (all are in new_since_last_run.csv)


@dataclass(slots=True)
class ScreenReport:
    patients: int = 0
    trials: int = 0
    judged: int = 0  # patient x trial verdicts computed in this run
    reused: int = 0  # carried over from the previous run
    changed_patients: int = 0
    changed_trials: int = 0
    new_count: int = 0  # candidates now that were not candidates in the previous run
    new_candidates: list[dict[str, Any]] = field(default_factory=list)  # the first NEW_KEPT
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
    """Screen the export against `trials` and write the run into `out`. Verdicts are streamed
    to disk as the cluster returns them; this process keeps per-patient hashes and per-trial
    counts, not the run's verdicts."""
    out = Path(out)
    started = datetime.now(UTC)
    today = today or date.today()
    prev_patients, changed = _previous(out, trials)
    report = ScreenReport(trials=len(trials))
    hashes: dict[str, str] = {}
    kept: set[str] = set()
    writer = output.VerdictWriter(out)

    def take(part: list[PatientResult]) -> None:
        judged = []
        for p in part:
            hashes[p.patient] = p.hash
            report.changed_patients += not p.reused
            if p.reused:
                kept.add(p.patient)
            judged.extend(p.judgements)
        writer.add(judged)  # one row group per partition (one per patient bloats the footer)

    try:
        report.issues = run_engine(
            client,
            export_dir,
            trials,
            take,
            today=today,
            previous=prev_patients,
            changed_trials=changed,
            expected_patients=expected_patients,
            on_progress=on_progress,
        )
        report.judged = writer.rows
        report.reused = _carry_over(out, writer, kept, trials, changed)
        writer.close()
        new = output.new_candidates(out, writer)
        titles = {tid: (t.nct_id or tid, t.title or "") for tid, t in trials.trials.items()}
        report.summary = output.stage_lists(out, writer, titles)
    except BaseException:
        writer.abort()  # the previous run's files stay as they were
        raise
    report.patients = len(hashes)
    report.new_count = new.num_rows
    report.new_candidates = new.slice(0, NEW_KEPT).to_pylist()
    report.changed_trials = len(changed)
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    state = _state(hashes, trials, today, started, report)
    output.publish(out, writer, report.summary, new, state)
    return report


def _previous(out: Path, trials: TrialSet) -> tuple[dict[str, str], frozenset[str]]:
    """The previous run's patient hashes (empty when its verdicts are gone) and the trials
    whose criteria changed since it: what this run may carry over."""
    state = output.read_state(out) if out.is_dir() else {}
    has_rows = bool(state) and output.previous_count(out) > 0
    prev_patients: dict[str, str] = state.get("patients", {}) if has_rows or not state else {}
    prev_trials: dict[str, str] = state.get("trials", {})
    changed = frozenset(t for t, h in trials.hashes.items() if prev_trials.get(t) != h)
    return prev_patients, changed


def _carry_over(out: Path, writer, kept: set[str], trials: TrialSet, changed) -> int:
    """The previous verdicts still valid (unchanged patient, trial still screened and
    unchanged), copied batch by batch into the new run's file; returns how many."""
    if not kept:
        return 0
    import pyarrow as pa
    import pyarrow.compute as pc

    patients = pa.array(sorted(kept))
    valid = pa.array(sorted(set(trials.trials) - changed))
    before = writer.rows
    for batch in output.previous_rows(out):
        mask = pc.and_(
            pc.is_in(batch.column("patient"), value_set=patients),
            pc.is_in(batch.column("trial_id"), value_set=valid),
        )
        writer.add_table(pa.Table.from_batches([batch]).filter(mask))
    return writer.rows - before


def _state(hashes: dict[str, str], trials: TrialSet, today, started: datetime, report) -> dict:
    return {
        "version": STATE_VERSION,
        "run_started": started.isoformat(timespec="seconds"),
        "run_date": today.isoformat(),
        "patients": hashes,
        "trials": dict(trials.hashes),
        "counts": {
            "patients": report.patients,
            "trials": report.trials,
            "judged": report.judged,
            "reused": report.reused,
            "new_candidates": report.new_count,
            "issues": len(report.issues),
        },
    }
