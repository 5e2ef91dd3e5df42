"""`trialscout match` as read in a terminal: a line per trial that fits 80 columns by default,
the deciding reason in plain words, the criteria answer-first with --explain."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trialscout.cli import cli
from trialscout.plain import status_text
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "patient_hbv_hcc.yaml"
NOTE = ROOT / "tests" / "data" / "patient" / "trec-20217.txt"
RAW = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|10\^|\bxULN\b")


@pytest.fixture(scope="module")
def db_path(demo_db_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("matchout") / "demo.db"
    shutil.copy(demo_db_path, path)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, ["match", *args], env={"COLUMNS": "80"})


@pytest.mark.parametrize("patient", [EXAMPLE, NOTE])
def test_default_is_a_line_per_trial_within_80_columns(patient, db_path):
    res = run(str(patient), "--db", str(db_path), "--status", "any", "--json")
    n = len(json.loads(res.output)["results"])
    res = run(str(patient), "--db", str(db_path), "--status", "any")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert lines[0].split()[:4] == ["trial", "verdict", "status", "km"]
    rows = [line for line in lines[1:] if re.match(r"\S", line)][:n]
    assert len(rows) == n and len(lines) <= n + 6  # header, rows, a few questions
    assert not any(RAW.search(line) for line in lines), res.output


def test_ruled_out_row_names_the_reason(db_path):
    res = run(str(EXAMPLE), "--db", str(db_path), "--trial", "NCT04163237")
    row = res.output.splitlines()[1]
    with Database(db_path) as db:
        status = TrialStore(db).get("NCT04163237").trial.overall_status
    assert row.startswith("NCT04163237") and status_text(status) in row
    verdict = json.loads(
        run(str(EXAMPLE), "--db", str(db_path), "--trial", "NCT04163237", "--json").output
    )["results"][0]["verdict"]
    expected = {"not_eligible": "ruled out", "possibly_eligible": "maybe"}.get(verdict, "eligible")
    assert expected in row
    if verdict == "not_eligible":
        assert "AFP" in row or "fails" in row or "not" in row  # a reason, not a count


def test_explain_puts_what_rules_out_first(tmp_path, db_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("age: 52\nlabs:\n  hbv_dna: 5000 copies/mL\n")
    res = run(str(profile), "--db", str(db_path), "--trial", "ZJCH-HAIC-2024", "--explain")
    assert res.exit_code == 0, res.output
    text = res.output
    assert text.index("✗ This trial does not take people with") < text.index("? ")
    assert "HBV DNA" in text and not RAW.search(text)
    assert all(len(line) <= 80 for line in text.splitlines())
