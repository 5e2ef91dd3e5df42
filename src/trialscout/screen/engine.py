"""Run a screening on Dask distributed: read files, join per patient, judge, stream back.

The graph: one task per input file reads it and packs each patient's resources of that file
(`export.read_packed`); a Dask bag `groupby` on the patient id joins them across files (a task shuffle on the workers, not a dict
in this process); one task per joined partition judges its patients against the `TrialSet`,
which enters the graph once and is sent to each worker once. Each partition's results are handed
to the caller as soon as they are ready and released on the cluster. The scheduler retries a task
whose worker died, so a killed worker costs time, not results.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from trialscout.screen.export import (
    Issue,
    input_files,
    is_issue,
    is_packed,
    patient_count,
    patient_of,
    read_packed,
)
from trialscout.screen.judge import PatientResult, screen_group
from trialscout.screen.trials import TrialSet

# Judging tasks of some 10-20 s (at 2,000-4,000 judgements/s) keep the progress bar moving and
# a retried task cheap, whether a patient meets 150 trials or 20,000.
TARGET_JUDGEMENTS_PER_TASK = 40_000


class EngineError(ValueError):
    """The cluster could not be used (dask missing, scheduler unreachable)."""


def _dask():
    try:
        import dask.bag as db
        from dask import delayed
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise EngineError(
            "screening needs the 'screen' extra: pip install 'trialscout[screen]'"
        ) from None
    return db, delayed, Client, LocalCluster, as_completed


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None):
    """A client on `scheduler` (tcp://host:8786), or on a new LocalCluster of `workers`
    single-threaded processes (default: this machine's cores). Everything listens on the
    loopback interface only (the scheduler's HTTP status page on a random port)."""
    _, _, Client, LocalCluster, _ = _dask()
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def ship(value: Any, label: str):
    """`value` as one key of the graph, sent to each worker once, named without hashing its
    content: tokenizing a trial set costs about 4 ms of client CPU per trial (80 s for 20,000)
    and the previous run's hashes as much per patient, for a key used once per run anyway."""
    _, delayed, _, _, _ = _dask()
    return delayed(value, name=f"{label}-{uuid.uuid4().hex}", traverse=False)


def _partitions(n_files: int, workers: int, expected_patients: int | None, trials: int = 1) -> int:
    by_size = (expected_patients or 0) * max(1, trials) // TARGET_JUDGEMENTS_PER_TASK
    return max(1, min(2000, max(by_size, 4 * workers, n_files)))


def join(export_dir: str | Path, workers: int, expected_patients: int | None, trials: int):
    """The read + join part of the graph: a bag of (patient id, packed records) pairs, and a
    bag of the lines that could not be read."""
    dbag = _dask()[0]
    paths = input_files(export_dir)
    if expected_patients is None:
        expected_patients = patient_count(paths)  # tasks sized by judgements, not by files
    files = [str(p) for p in paths]
    read = dbag.from_sequence(files, npartitions=len(files)).map(read_packed).flatten()
    parts = _partitions(len(files), workers, expected_patients, trials)
    packed = read.filter(is_packed)
    if parts > len(files):
        # a task shuffle keeps its input's partition count (it ignores `npartitions`): split
        # the files' records first, or 100,000 patients in 48 files make 48 huge tasks
        packed = packed.repartition(parts)
    grouped = packed.groupby(patient_of, shuffle="tasks", npartitions=parts)
    return grouped, read.filter(is_issue)


def run(
    client,
    export_dir: str | Path,
    trials: TrialSet,
    on_results: Callable[[list[PatientResult]], None],
    *,
    today: date,
    previous: dict[str, str] | None = None,
    changed_trials: frozenset[str] = frozenset(),
    expected_patients: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[Issue]:
    """Screen every patient of the export against `trials` on `client`'s cluster: each joined
    partition's results go to `on_results` as soon as they are ready (nothing of the run is
    held here or on the workers after that); returns the lines that could not be read."""
    _, delayed, _, _, as_completed = _dask()
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    grouped, issues_bag = join(export_dir, workers, expected_patients, len(trials))
    shipped = ship(trials, "trials")
    prev = ship(previous or {}, "previous")
    jobs = [
        delayed(screen_group, pure=True)(part, shipped, today, prev, changed_trials)
        for part in grouped.to_delayed()
    ]
    futures = client.compute([*jobs, issues_bag])
    issues_key = futures[-1].key
    done, total = 0, len(futures)
    if on_progress:
        on_progress(done, total)
    issues: list[Issue] = []
    for future, value in as_completed(futures, with_results=True):
        if future.key == issues_key:
            issues = list(value)
        else:
            on_results(value)
        future.release()  # the workers drop it now, not at the end of the run
        done += 1
        if on_progress:
            on_progress(done, total)
    return issues
