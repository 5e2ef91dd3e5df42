"""Fuzz tier (issue 12), the CLI: arbitrary criteria text and arbitrary record text in a stored
trial never crash a command, never turn into markup, and `--json` is always valid JSON."""

from __future__ import annotations

import copy
import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialscout.cli import cli
from trialscout.store.db import Database

from ..registry.fuzz_inputs import HOSTILE_TEXT, STUDY

pytestmark = pytest.mark.fuzz
FUZZ = settings(
    max_examples=int(os.environ.get("TRIALSCOUT_FUZZ_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
markupish = st.lists(
    st.sampled_from([*HOSTILE_TEXT[:12], "[", "]", "/", "\\", "Age >= 18", " months", "\n* "]),
    max_size=8,
).map("".join)
criteria_text = st.one_of(markupish, st.text(max_size=200))


def _json(text: str):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))


@FUZZ
@given(text=criteria_text)
def test_criteria_text_never_crashes(text):
    runner = CliRunner()
    tracemalloc.start()
    started = time.perf_counter()
    table = runner.invoke(cli, ["criteria", "--text", text])
    as_json = runner.invoke(cli, ["criteria", "--text", text, "--json"])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.perf_counter() - started < 5 and peak < 100 << 20
    for result in (table, as_json):
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.output
    if as_json.exit_code == 0:
        _json(as_json.output)
    else:
        assert as_json.output.strip()  # a message, not silence


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzzcli") / "cli.db"


@FUZZ
@given(title=st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(min_size=1, max_size=80)))
def test_stored_text_prints_as_written(db_path, tmp_path_factory, title):
    study = copy.deepcopy(STUDY)
    proto = study["protocolSection"]
    proto["identificationModule"]["briefTitle"] = title
    proto["conditionsModule"]["conditions"] = [title]
    path = tmp_path_factory.mktemp("rec") / "rec.json"
    path.write_text(json.dumps(study))
    runner = CliRunner()
    ingest = runner.invoke(cli, ["ingest", str(path), "--db", str(db_path)])
    assert ingest.exit_code == 0, ingest.output
    with Database(db_path) as db:
        stored = db.conn.execute(
            "SELECT title FROM trials WHERE trial_id = 'NCT06171568'"
        ).fetchone()[0]
    for args in (["show", "NCT06171568"], ["search", "brain"], ["alerts", "changes"]):
        result = runner.invoke(cli, [*args, "--db", str(db_path)])
        assert result.exit_code == 0 and result.exception is None, (args, result.output)
    shown = runner.invoke(cli, ["show", "NCT06171568", "--json", "--db", str(db_path)])
    assert _json(shown.output)["trial"]["brief_title"] in (stored, None, "")
