"""Issue 12, ingest into the store: one bad record never stops a run, a stopped run is never left
'running', and two conflicting records of one trial in one run keep the first."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from trialscout.ingest import pipeline
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import SourceRecord, read_path
from trialscout.store.trials import TrialStore

REG = Path(__file__).parent.parent / "data" / "registry"


def _studies() -> list[dict]:
    return json.loads((REG / "ctg-studies_mixed10_2023-06-28.json").read_text())


def _status(db) -> str:
    return db.conn.execute("SELECT status FROM ingest_runs ORDER BY run_id DESC").fetchone()[0]


@pytest.mark.parametrize("workers", [1, 2])
def test_enrollment_past_64_bits_rejects_one_record_and_the_rest_load(db, tmp_path, workers):
    studies = _studies() * 20  # enough records for the worker pool to start
    for i, s in enumerate(studies):
        s = copy.deepcopy(s)
        s["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{i:07d}"
        studies[i] = s
    bad = studies[57]["protocolSection"].setdefault("designModule", {})
    bad.setdefault("enrollmentInfo", {})["count"] = 10**23
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps(studies))
    report = pipeline.ingest_paths(db, [path], workers=workers)
    assert report.new == len(studies) - 1 and report.rejected == 1
    (err,) = report.rejections
    assert err.source.endswith("bulk.json#57") and err.record == "NCT90000057"
    assert err.field.endswith("enrollmentInfo.count")
    assert TrialStore(db).count() == len(studies) - 1 and _status(db) == "done"


def test_a_run_that_stops_on_an_error_is_not_left_running(db):
    good = list(read_path(REG / "ctg-studies_mixed10_2023-06-28.json"))

    def records():
        yield from good[:3]
        raise OSError("disk went away")

    with pytest.raises(OSError):
        ingest_records(db, records())
    assert _status(db) == "failed"


def test_an_error_in_a_derived_index_rejects_only_that_record(db):
    records = list(read_path(REG / "ctg-studies_mixed10_2023-06-28.json"))
    victim = records[4].trial.trial_id

    def broken_hook(conn, trial):
        if trial.trial_id == victim:
            raise AttributeError("a bug in an index writer")

    report = ingest_records(db, records, hooks=[broken_hook])
    assert report.new == len(records) - 1 and report.rejected == 1
    assert report.rejections[0].record == victim
    assert "AttributeError" in report.rejections[0].message and _status(db) == "done"


def _conflicting_pair(tmp_path: Path) -> Path:
    study = json.loads((REG / "NCT06171568.json").read_text())
    other = copy.deepcopy(study)
    other["protocolSection"]["identificationModule"]["briefTitle"] = "A different title"
    path = tmp_path / "pair.json"
    path.write_text(json.dumps([study, other]))
    return path


def test_same_id_same_update_date_conflict_keeps_the_first(db, tmp_path):
    report = pipeline.ingest_paths(db, [_conflicting_pair(tmp_path)], workers=1)
    assert report.new == 1 and report.changed == 0 and report.rejected == 1
    (err,) = report.rejections
    assert err.record == "NCT06171568" and "conflict" in err.message
    assert err.source.endswith("pair.json#1")
    store = TrialStore(db)
    assert len(store.versions("NCT06171568")) == 1
    assert store.get("NCT06171568").trial.brief_title != "A different title"
    events = db.conn.execute("SELECT count(*) FROM alert_changes").fetchone()[0]
    assert events == 1  # the one 'new trial' event, no second one for the conflict


def test_a_later_run_may_still_change_a_trial_on_the_same_date(db, tmp_path):
    """The rule is per run: content re-derived by the registry without a new update date (MeSH
    terms, say) is a real change when it arrives in a later download."""
    study = json.loads((REG / "NCT06171568.json").read_text())
    first = tmp_path / "a.json"
    first.write_text(json.dumps(study))
    pipeline.ingest_paths(db, [first], workers=1)
    study["protocolSection"]["identificationModule"]["briefTitle"] = "Retitled"
    second = tmp_path / "b.json"
    second.write_text(json.dumps(study))
    report = pipeline.ingest_paths(db, [second], workers=1)
    assert report.changed == 1 and report.rejected == 0


def test_records_of_other_kinds_still_count(db):
    report = ingest_records(db, [SourceRecord("x.json", skipped="not registry records")])
    assert report.skipped == [("x.json", "not registry records")] and _status(db) == "done"
