"""Screening on a real LocalCluster (two worker processes): same verdicts as `match --trial`,
retries after a killed worker, bad lines reported, incremental runs, private output files."""

from __future__ import annotations

import json
import os
import signal
import stat
from collections import defaultdict
from pathlib import Path

import pytest

from trialscout.match import match_one
from trialscout.patient import read_bundle
from trialscout.screen import screen
from trialscout.screen.export import Record, input_files, read_file
from trialscout.screen.output import read_candidates, read_judgements
from trialscout.store.db import Database

from .conftest import BUNDLES, EXPORT, TODAY

pq = pytest.importorskip("pyarrow.parquet")


def _one_at_a_time(folder: Path, db_path: Path, trial_ids, tmp: Path) -> dict:
    """What `trialscout match PATIENT --trial ID` says for every patient: resources grouped
    in plain Python, written as a bundle file, read by `load_patient`, judged by `match_one`."""
    per_patient: dict[str, list] = defaultdict(list)
    for f in input_files(folder):
        for item in read_file(f):
            if isinstance(item, Record):
                per_patient[item.patient].append(item)
    out = {}
    with Database(db_path) as db:
        for pid, recs in per_patient.items():
            recs.sort(key=lambda r: (r.file, r.line))
            path = tmp / f"{pid}.json"
            entries = [{"resource": r.resource} for r in recs]
            path.write_text(json.dumps({"resourceType": "Bundle", "entry": entries}))
            patient = read_bundle(path, TODAY)  # what `match` reads, as of the same day
            for tid in trial_ids:
                m = match_one(db, patient, tid, today=TODAY).results[0]
                out[(pid, tid)] = (str(m.verdict), round(m.score, 4))
    return out


def _screened(out: Path) -> dict:
    return {(r["patient"], r["trial_id"]): (r["verdict"], r["score"]) for r in read_judgements(out)}


@pytest.fixture(scope="module")
def baseline(cluster_client, trial_set, tmp_path_factory):
    out = tmp_path_factory.mktemp("screen") / "out"
    report = screen(cluster_client, EXPORT, out, trial_set, today=TODAY)
    return out, report


def test_verdicts_equal_match_one_patient_at_a_time(baseline, trial_set, demo_db_path, tmp_path):
    out, report = baseline
    expected = _one_at_a_time(EXPORT, demo_db_path, list(trial_set.trials), tmp_path)
    assert report.patients == 30 and not report.issues
    assert _screened(out) == expected
    verdicts = {v for v, _ in expected.values()}
    assert len(verdicts) >= 2  # the small export really separates patients
    groups = pq.ParquetFile(out / "judgements.parquet").metadata.num_row_groups
    assert groups < report.patients  # a row group per task, not per patient


def test_bundle_folder_gives_the_same_as_match(cluster_client, trial_set, demo_db_path, tmp_path):
    out = tmp_path / "out"
    report = screen(cluster_client, BUNDLES, out, trial_set, today=TODAY)
    expected = _one_at_a_time(BUNDLES, demo_db_path, list(trial_set.trials), tmp_path)
    assert report.patients == 3
    assert _screened(out) == expected


def test_candidate_lists_are_ordered_and_private(baseline, trial_set):
    out, report = baseline
    rank = {"eligible": 0, "possibly_eligible": 1}
    for row in report.summary:
        cands = read_candidates(out, row["trial_id"])
        assert len(cands) == row["eligible"] + row["possibly_eligible"]
        keys = [(rank[c["verdict"]], -c["score"]) for c in cands]
        assert keys == sorted(keys)
        assert all(c["questions"] or c["verdict"] == "eligible" for c in cands)
    assert sum(
        r["eligible"] + r["possibly_eligible"] + r["not_eligible"] for r in report.summary
    ) == 30 * len(trial_set)
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_killed_worker_still_gives_the_full_result(baseline, cluster_client, trial_set, tmp_path):
    out, _ = baseline
    pids = cluster_client.run(os.getpid)
    killed = []

    def kill_one(done: int, total: int) -> None:
        if done == 1 and not killed:
            assert done < total  # mid-run
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    again = tmp_path / "again"
    report = screen(cluster_client, EXPORT, again, trial_set, today=TODAY, on_progress=kill_one)
    assert killed
    assert report.patients == 30
    assert _screened(again) == _screened(out)
    cluster_client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_malformed_line_is_reported_and_the_run_goes_on(
    baseline, cluster_client, trial_set, export_copy, tmp_path
):
    out, _ = baseline
    target = export_copy / "Condition.000.ndjson"
    lines = target.read_text().splitlines()
    lines.insert(3, '{"resourceType": "Condition", "subject": {"refer')
    target.write_text("\n".join(lines) + "\n")
    report = screen(cluster_client, export_copy, tmp_path / "o", trial_set, today=TODAY)
    assert [(i.file, i.line) for i in report.issues] == [(str(target), 4)]
    assert "refer" not in str(report.issues[0])
    assert _screened(tmp_path / "o") == _screened(out)


def test_second_run_recomputes_only_what_changed(cluster_client, trial_set, export_copy, tmp_path):
    out = tmp_path / "o"
    first = screen(cluster_client, export_copy, out, trial_set, today=TODAY)
    assert first.judged == 30 * len(trial_set) and first.reused == 0
    same = screen(cluster_client, export_copy, out, trial_set, today=TODAY)
    assert same.judged == 0 and same.reused == 30 * len(trial_set)
    assert same.new_candidates == []
    # one patient gets hepatocellular carcinoma: only that patient is judged again
    pid = next(i.patient for i in read_file(export_copy / "Patient.000.ndjson"))
    hcc = {
        "resourceType": "Condition",
        "subject": {"reference": f"Patient/{pid}"},
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C22.0"}]},
    }
    with open(export_copy / "Condition.000.ndjson", "a") as fh:
        fh.write(json.dumps(hcc) + "\n")
    changed = screen(cluster_client, export_copy, out, trial_set, today=TODAY)
    assert changed.changed_patients == 1
    assert changed.judged == len(trial_set)
    assert changed.reused == 29 * len(trial_set)
    assert {r["patient"] for r in changed.new_candidates} <= {pid}
    # a changed trial set: only the trial that is new to this out dir is judged
    fewer = trial_set.subset(set(list(trial_set.trials)[1:]))
    screen(cluster_client, export_copy, out, fewer, today=TODAY)
    back = screen(cluster_client, export_copy, out, trial_set, today=TODAY)
    assert back.judged == 30 and back.reused == 30 * (len(trial_set) - 1)
