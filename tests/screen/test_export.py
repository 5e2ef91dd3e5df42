"""Reading a Bulk Data export: records keyed by patient, bad lines reported by file and line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from trialscout.screen.export import (
    ExportError,
    Issue,
    Packed,
    Record,
    compact,
    input_files,
    patient_count,
    patient_key,
    read_file,
    read_packed,
    resources_hash,
    unpacked,
)
from trialscout.screen.judge import build_patient

from .conftest import BUNDLES, EXPORT, TODAY


def test_patient_key_from_id_and_references():
    assert patient_key({"resourceType": "Patient", "id": "a1"}) == "a1"
    assert patient_key({"resourceType": "Condition", "subject": {"reference": "Patient/x"}}) == "x"
    assert (
        patient_key({"resourceType": "Condition", "subject": {"reference": "urn:uuid:u-1"}})
        == "u-1"
    )
    assert (
        patient_key({"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/y"}})
        == "y"
    )
    assert patient_key({"resourceType": "Condition"}) is None


def test_gzipped_and_plain_files_are_read():
    files = input_files(EXPORT)
    assert any(f.name.endswith(".ndjson.gz") for f in files)
    for f in files:
        items = read_file(f)
        assert items and all(isinstance(i, Record) for i in items)


def test_malformed_line_is_an_issue_with_file_and_line(tmp_path: Path):
    path = tmp_path / "Condition.ndjson"
    good = (EXPORT / "Condition.000.ndjson").read_text().splitlines()[:2]
    path.write_text(
        "\n".join([good[0], '{"resourceType": "Condition", "subj', "[1, 2]", good[1]]) + "\n"
    )
    items = read_file(path)
    issues = [i for i in items if isinstance(i, Issue)]
    assert [(i.file, i.line) for i in issues] == [(str(path), 2), (str(path), 3)]
    assert "subj" not in str(issues[0])  # no content in the message
    assert sum(isinstance(i, Record) for i in items) == 2


def test_truncated_gzip_is_reported_not_raised(tmp_path: Path):
    path = tmp_path / "Patient.ndjson.gz"
    path.write_bytes(gzip.compress(b'{"resourceType": "Patient", "id": "1"}\n' * 50)[:40])
    items = read_file(path)
    assert any(isinstance(i, Issue) and i.file == str(path) for i in items)


def test_narrative_is_dropped_and_unused_types_skipped(tmp_path: Path):
    path = tmp_path / "mixed.ndjson"
    cond = {
        "resourceType": "Condition",
        "text": {"div": "<div>x</div>"},
        "subject": {"reference": "Patient/a"},
    }
    enc = {"resourceType": "Encounter", "subject": {"reference": "Patient/a"}}
    path.write_text(json.dumps(cond) + "\n" + json.dumps(enc) + "\n")
    (rec,) = read_file(path)
    assert rec.kind == "Condition" and "text" not in rec.resource and rec.line == 1


def test_bundle_folder_yields_patient_records():
    items = [i for f in input_files(BUNDLES) for i in read_file(f)]
    records = [i for i in items if isinstance(i, Record)]
    assert len({r.patient for r in records}) == len(list(BUNDLES.iterdir()))


def test_empty_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ExportError, match="no .ndjson"):
        input_files(tmp_path)


def test_hash_ignores_order_but_not_content():
    recs = [i for i in read_file(EXPORT / "Condition.000.ndjson") if isinstance(i, Record)][:3]
    assert resources_hash(recs) == resources_hash(list(reversed(recs)))
    moved = compact({**recs[0].resource, "onsetDateTime": "2001-01-01"})
    changed = Record(recs[0].patient, "Condition", "f", 1, moved)
    assert resources_hash([changed, *recs[1:]]) != resources_hash(recs)


def test_invalid_resource_is_left_out_and_named():
    recs = [i for f in input_files(EXPORT) for i in read_file(f) if isinstance(i, Record)]
    pid = recs[0].patient
    mine = [r for r in recs if r.patient == pid]
    bad = Record(
        pid,
        "Condition",
        "Condition.x.ndjson",
        7,
        compact({"resourceType": "Condition", "subject": 5}),
    )
    patient, issues = build_patient([*mine, bad], TODAY)
    assert patient is not None
    assert [(i.file, i.line) for i in issues] == [("Condition.x.ndjson", 7)]
    clean, none = build_patient(mine, TODAY)
    assert none == [] and clean.to_profile() == patient.to_profile()


def test_packed_records_are_the_records_read(tmp_path: Path):
    """What the engine's join moves (a patient's records of one file, compressed together)
    unpacks to exactly what read_file read, issues included."""
    path = tmp_path / "Condition.000.ndjson"
    lines = (EXPORT / "Condition.000.ndjson").read_text().splitlines()
    path.write_text("\n".join([*lines[:2], "not json", *lines[2:]]) + "\n")
    plain = read_file(path)
    packed = read_packed(path)
    assert [i for i in packed if isinstance(i, Issue)] == [i for i in plain if isinstance(i, Issue)]
    chunks = [i for i in packed if isinstance(i, Packed)]
    assert len(chunks) == len({r.patient for r in plain if isinstance(r, Record)}) < len(plain)
    assert sorted(unpacked(chunks), key=lambda r: r.line) == [
        r for r in plain if isinstance(r, Record)
    ]


def test_patient_count_sizes_the_run_from_patient_files_and_bundles(tmp_path: Path):
    patients = {
        r.patient
        for f in input_files(EXPORT)
        for r in read_file(f)
        if isinstance(r, Record) and r.kind == "Patient"
    }
    assert patient_count(input_files(EXPORT)) == len(patients)
    assert patient_count(input_files(BUNDLES)) == len(list(BUNDLES.iterdir()))
    lines = b'{"resourceType": "Patient", "id": "p1"}\n{"resourceType": "Patient", "id": "p2"}'
    with gzip.open(tmp_path / "1.Patient.ndjson.gz", "wb") as fh:
        fh.write(lines)  # no newline after the last line
    (tmp_path / "Condition.ndjson").write_text('{"resourceType": "Condition"}\n')
    assert patient_count(input_files(tmp_path)) == 2
    (tmp_path / "1.Patient.ndjson.gz").write_bytes(b"not gzip")
    assert patient_count(input_files(tmp_path)) is None
