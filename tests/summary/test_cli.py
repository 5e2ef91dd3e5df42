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
    expected = summarize(trial, _criteria(loaded, trial.trial_id), with_grade=False).to_dict()
    expected.pop("grade")
    assert data == expected


def test_summary_computes_no_reading_grade(loaded, monkeypatch):
    """The grade took seconds per call: it is measured in the bench, never per CLI call."""
    monkeypatch.delenv("TRIALSCOUT_LLM_URL", raising=False)

    def refuse(text):
        raise AssertionError("fk_grade called")

    monkeypatch.setattr("trialscout.summary.generate.fk_grade", refuse)
    for extra in ([], ["--json"]):
        args = ["ZJCH-HAIC-2024", "--db", str(loaded.path), *extra]
        result = CliRunner().invoke(summary_cmd, args)
        assert result.exit_code == 0, result.output
        assert "grade" not in result.output.lower()


def test_text_output_shows_sections_sources_and_disclaimer(loaded, monkeypatch):
    monkeypatch.delenv("TRIALSCOUT_LLM_URL", raising=False)
    result = CliRunner().invoke(
        summary_cmd, ["ZJCH-HAIC-2024", "--db", str(loaded.path), "--sources"]
    )
    assert result.exit_code == 0, result.output
    assert "What is being tested" in result.output
    assert "(glossary:PD-L1 antibody)" in result.output
    assert "not medical advice" in result.output
    assert "Reading grade" not in result.output


def test_unknown_trial_is_a_clear_error(loaded):
    result = CliRunner().invoke(summary_cmd, ["NCT99999999", "--db", str(loaded.path)])
    assert result.exit_code == 1
    assert "NCT99999999" in result.output
    assert "Traceback" not in result.output


def test_help_text():
    result = CliRunner().invoke(summary_cmd, ["--help"])
    assert result.exit_code == 0
    assert "Plain-language summary" in result.output
