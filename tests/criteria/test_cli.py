"""`trialscout criteria`: stored parse of a trial, or any text (argument or stdin)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from trialscout.cli import cli
from trialscout.criteria import validate_criteria
from trialscout.ingest.criteria_store import load_criteria, store_criteria
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_paths
from trialscout.store.db import Database

DATA = Path(__file__).parents[1] / "data" / "criteria"


def _db(tmp_path) -> str:
    path = tmp_path / "cli.db"
    with Database(path) as db:
        ingest_records(db, read_paths([str(DATA)]), hooks=[store_criteria])
    return str(path)


def test_text_json_without_heading_counts_as_inclusion():
    result = CliRunner().invoke(
        cli, ["criteria", "--text", "ECOG 0-1\nNo prior sorafenib", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    validate_criteria(doc)
    assert doc["nct_id"] is None
    assert [c["kind"] for c in doc["criteria"]] == ["inclusion", "inclusion"]


def test_text_from_stdin():
    result = CliRunner().invoke(
        cli, ["criteria", "--text", "-", "--json"], input="Exclusion Criteria:\n* Prior TACE\n"
    )
    doc = json.loads(result.output)
    assert doc["criteria"][0]["kind"] == "exclusion"
    assert doc["criteria"][0]["rules"][0]["name"] == "transarterial chemoembolization"


def test_stored_trial_json_matches_library(tmp_path):
    path = _db(tmp_path)
    result = CliRunner().invoke(cli, ["criteria", "NCT00490685", "--json", "--db", path])
    assert result.exit_code == 0, result.output
    with Database(path) as db:
        assert json.loads(result.output) == load_criteria(db, "NCT00490685")


def test_stored_trial_table(tmp_path):
    result = CliRunner().invoke(cli, ["criteria", "NCT00490685", "--db", _db(tmp_path)])
    assert result.exit_code == 0
    assert "NCT00490685" in result.output and "platelets" in result.output


def test_unknown_trial_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["criteria", "NCT99999999", "--db", _db(tmp_path)])
    assert result.exit_code == 1
    assert "no trial 'NCT99999999'" in result.output
    assert "Traceback" not in result.output


def test_needs_exactly_one_source():
    assert CliRunner().invoke(cli, ["criteria"]).exit_code != 0
    assert CliRunner().invoke(cli, ["criteria", "NCT1", "--text", "x"]).exit_code != 0


def test_help_text():
    result = CliRunner().invoke(cli, ["criteria", "--help"])
    assert result.exit_code == 0 and "--text" in result.output
