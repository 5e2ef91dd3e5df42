"""The graph carries the trial set and the previous run's hashes as one key each, named
without hashing their content (tokenizing 20,000 trials cost the client over a minute)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("distributed")


class Untokenizable:
    def __dask_tokenize__(self):
        raise AssertionError("the content was hashed")


def test_shipping_a_value_does_not_hash_it():
    from trialscout.screen.engine import ship

    value = Untokenizable()
    first, second = ship(value, "trials"), ship(value, "trials")
    assert first.key.startswith("trials-") and second.key != first.key
    assert first.compute(scheduler="sync") is value


def test_tasks_are_sized_by_judgements_when_the_caller_does_not_count_patients(tmp_path):
    """The CLI does not know how many patients an export holds: 100,000 patients in 48 files
    made 48 tasks of 2,000 patients each, every result a gigabyte in the screen process."""
    from trialscout.screen import engine

    for f in range(2):
        ids = [f"{f}-{i}" for i in range(500)]
        patients = [{"resourceType": "Patient", "id": p} for p in ids]
        conditions = [
            {"resourceType": "Condition", "id": f"c{p}", "subject": {"reference": f"Patient/{p}"}}
            for p in ids
        ]
        for kind, rows in (("Patient", patients), ("Condition", conditions)):
            text = "\n".join(json.dumps(r) for r in rows)
            (tmp_path / f"{kind}.{f:03d}.ndjson").write_text(text)
    by_files, _ = engine.join(tmp_path, workers=2, expected_patients=None, trials=1)
    assert by_files.npartitions == 8  # 1,000 judgements: the floor of 4 tasks a worker
    counted, _ = engine.join(tmp_path, workers=2, expected_patients=None, trials=2000)
    told, _ = engine.join(tmp_path, workers=2, expected_patients=1000, trials=2000)
    wanted = 1000 * 2000 // engine.TARGET_JUDGEMENTS_PER_TASK  # 50: more tasks than files
    assert counted.npartitions == told.npartitions >= wanted
    groups = dict(counted.compute(scheduler="sync"))
    assert len(groups) == 1000 and all(len(packs) == 2 for packs in groups.values())
