"""`trialscout match` end to end on the demo database, for all three patient file kinds."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trialscout.cli import cli

ROOT = Path(__file__).parents[2]
PATIENTS = ROOT / "tests" / "data" / "patient"
EXAMPLE = ROOT / "examples" / "patient_hbv_hcc.yaml"
CRITERION_KEYS = ["kind", "text", "verdict", "reason", "basis"]


@pytest.fixture(scope="module")
def db_path(demo_db_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("match") / "demo.db"
    shutil.copy(demo_db_path, path)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, ["match", *args])


def _check_contract3(out: dict) -> None:
    assert list(out) == ["results"]
    for r in out["results"]:
        assert list(r) == ["nct_id", "title", "verdict", "score", "distance_km", "criteria"]
        assert r["verdict"] in ("eligible", "possibly_eligible", "not_eligible")
        assert all(list(c) == CRITERION_KEYS for c in r["criteria"])


@pytest.mark.parametrize(
    "patient",
    [
        EXAMPLE,
        PATIENTS / "trec-20217.txt",
        PATIENTS / "synthea_prostate.json.gz",
        PATIENTS / "mcode_patient01.json",
    ],
)
def test_match_all_input_kinds(patient, db_path):
    res = run(str(patient), "--db", str(db_path), "--json", "--limit", "5")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    _check_contract3(out)
    assert 1 <= len(out["results"]) <= 5
    scores = [r["score"] for r in out["results"]]
    assert scores == sorted(scores, reverse=True)


def test_hcc_patient_finds_liver_trials(db_path):
    res = run(str(EXAMPLE), "--db", str(db_path), "--json", "--limit", "5")
    titles = " ".join(r["title"].lower() for r in json.loads(res.output)["results"])
    assert "liver" in titles or "hepat" in titles


@pytest.mark.parametrize("trial", ["NCT04163237", "zjch-haic-2024"])
def test_one_trial(trial, db_path):
    res = run(str(EXAMPLE), "--trial", trial, "--db", str(db_path), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    _check_contract3(out)
    assert len(out["results"]) == 1
    assert out["results"][0]["nct_id"].upper() == trial.upper()


def test_table_output_with_questions(db_path):
    res = run(str(EXAMPLE), "--trial", "NCT04163237", "--db", str(db_path))
    assert res.exit_code == 0, res.output
    assert "NCT04163237" in res.output


def test_errors_are_one_line(db_path, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("age: -3\n")
    res = run(str(bad), "--db", str(db_path))
    assert res.exit_code == 1 and "bad.yaml: age must not be negative" in res.output
    assert "Traceback" not in res.output
    res = run(str(EXAMPLE), "--trial", "NCT00000000", "--db", str(db_path))
    assert res.exit_code == 1 and "no trial 'NCT00000000'" in res.output


def _digest(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def test_privacy_nothing_stored_or_logged(db_path, caplog):
    before = _digest(db_path)
    with caplog.at_level(logging.DEBUG):
        res = run(str(PATIENTS / "trec-20217.txt"), "--db", str(db_path), "--json")
    assert res.exit_code == 0
    assert _digest(db_path) == before
    logged = " ".join(r.getMessage() for r in caplog.records).lower()
    assert "cirrhosis" not in logged and "varices" not in logged


def test_near_filters_by_distance(db_path):
    args = ["--near", "Ningbo", "--radius", "100", "--status", "any"]
    res = run(str(EXAMPLE), "--db", str(db_path), "--json", *args)
    assert res.exit_code == 0, res.output
    results = json.loads(res.output)["results"]
    assert results and all(
        r["distance_km"] is not None and r["distance_km"] <= 100 for r in results
    )
    res = run(str(EXAMPLE), "--db", str(db_path), "--near", "Atlantis")
    assert res.exit_code == 1 and "unknown place 'Atlantis'" in res.output


def test_status_filter_and_bad_status(db_path):
    res = run(str(EXAMPLE), "--db", str(db_path), "--json", "--status", "recruiting")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["results"]
    res = run(str(EXAMPLE), "--db", str(db_path), "--status", "bogus")
    assert res.exit_code == 1 and "unknown status 'bogus'" in res.output


def test_default_is_open_trials_and_any_widens(db_path):
    import sqlite3

    def statuses(*extra: str) -> set[str]:
        res = run(str(EXAMPLE), "--db", str(db_path), "--json", "--limit", "50", *extra)
        assert res.exit_code == 0, res.output
        ids = [r["nct_id"] for r in json.loads(res.output)["results"]]
        conn = sqlite3.connect(db_path)
        try:
            marks = ",".join("?" * len(ids))
            sql = f"SELECT overall_status FROM trials WHERE nct_id IN ({marks})"
            return {row[0] for row in conn.execute(sql, ids)}
        finally:
            conn.close()

    assert statuses() <= {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
    assert statuses("--status", "any") - {"RECRUITING", "NOT_YET_RECRUITING"}


def test_the_patients_own_location_gives_distances(db_path, tmp_path):
    res = run(str(EXAMPLE), "--db", str(db_path), "--json", "--limit", "20")  # Ningbo, China
    assert any(r["distance_km"] is not None for r in json.loads(res.output)["results"])
    nowhere = tmp_path / "p.yaml"
    nowhere.write_text(
        "\n".join(
            line for line in EXAMPLE.read_text().splitlines() if not line.startswith("location")
        )
    )
    res = run(str(nowhere), "--db", str(db_path), "--json", "--limit", "20")
    assert all(r["distance_km"] is None for r in json.loads(res.output)["results"])
