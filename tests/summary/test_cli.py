"""`trialscout summary NCT_ID`: the CLI prints what the library builds, and fails cleanly."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.summary.conftest import DATA
from trialscout.cli.summary import _criteria
from trialscout.cli.summary import summary as summary_cmd
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_paths
from trialscout.store.trials import TrialStore
from trialscout.summary import summarize


@pytest.fixture
def loaded(db):
    """A fresh database holding the summary test records (no index hooks: this is our stage)."""
    report = ingest_records(db, read_paths([DATA / "records"]), sources="test", hooks=[])
    assert report.rejected == 0
    return db


def test_json_output_is_the_library_summary(loaded, monkeypatch):
    monkeypatch.delenv("TRIALSCOUT_LLM_URL", raising=False)
    result = CliRunner().invoke(summary_cmd, ["NCT07553767", "--db", str(loaded.path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    trial = TrialStore(loaded).get("NCT07553767").trial
    assert data == summarize(trial, _criteria(loaded, trial.trial_id)).to_dict()


def test_text_output_shows_sections_sources_and_disclaimer(loaded, monkeypatch):
    monkeypatch.delenv("TRIALSCOUT_LLM_URL", raising=False)
    result = CliRunner().invoke(
        summary_cmd, ["ZJCH-HAIC-2024", "--db", str(loaded.path), "--sources"]
    )
    assert result.exit_code == 0, result.output
    assert "What is being tested" in result.output
    assert "(glossary:PD-L1 antibody)" in result.output
    assert "not medical advice" in result.output
    assert "Reading grade" in result.output


def test_unknown_trial_is_a_clear_error(loaded):
    result = CliRunner().invoke(summary_cmd, ["NCT99999999", "--db", str(loaded.path)])
    assert result.exit_code == 1
    assert "NCT99999999" in result.output
    assert "Traceback" not in result.output


def test_help_text():
    result = CliRunner().invoke(summary_cmd, ["--help"])
    assert result.exit_code == 0
    assert "Plain-language summary" in result.output
