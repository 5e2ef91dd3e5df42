"""The synthetic export generator: deterministic from its seed, with the asked share of HBV/HCC."""

from __future__ import annotations

from pathlib import Path

from trialscout.screen.export import Record, input_files, read_file
from trialscout.screen.judge import build_patient
from trialscout.screen.synthetic import generate

from .conftest import BUNDLES, TODAY


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path):
    a = generate(tmp_path / "a", 40, BUNDLES, seed=5)
    b = generate(tmp_path / "b", 40, BUNDLES, seed=5)
    c = generate(tmp_path / "c", 40, BUNDLES, seed=6)
    assert a == b and _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")
    assert c.patients == 40


def test_patients_read_back_with_the_known_share_of_hbv_and_hcc(tmp_path: Path):
    report = generate(
        tmp_path / "x", 200, BUNDLES, seed=9, hbv_share=0.25, hcc_share=0.1, gzipped=True
    )
    per: dict[str, list[Record]] = {}
    for f in input_files(tmp_path / "x"):
        assert f.name.endswith(".ndjson.gz")
        for item in read_file(f):
            assert isinstance(item, Record)
            per.setdefault(item.patient, []).append(item)
    assert len(per) == 200
    concepts = []
    for recs in per.values():
        patient, issues = build_patient(recs, TODAY)
        assert not issues and patient is not None and patient.sex in ("male", "female")
        assert 17 <= patient.age <= 91
        concepts.append({c.concept for c in patient.conditions})
    hcc = sum("hepatocellular carcinoma" in c for c in concepts)
    hbv = sum("chronic hepatitis b" in c for c in concepts)
    assert hcc == report.hcc and 10 <= hcc <= 35
    assert hbv >= report.hbv and 40 <= report.hbv <= 90  # a vocabulary pick may add HBV too
