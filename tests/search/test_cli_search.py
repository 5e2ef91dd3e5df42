"""`trialscout search` / `similar` through click's runner; assertions go through JSON output."""

from __future__ import annotations

import json

from click.testing import CliRunner

from trialscout.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_search_with_every_filter(sample_db_path):
    result = run(
        "search", "cancer", "--db", str(sample_db_path), "--json", "--status", "recruiting",
        "--status", "completed", "--phase", "1", "--phase", "2", "--type", "interventional",
        "--sex", "female", "--age", "50", "--no-healthy-volunteers", "--no-results",
        "--country", "China", "--near", "Beijing", "--radius", "3000", "--sort", "distance",
        "--limit", "5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert page["place"].startswith("Beijing")
    assert all(h["distance_km"] <= 3000 for h in page["hits"])
    assert set(page) >= {"hits", "total", "facets", "expanded_query"}


def test_search_table_and_city_and_latlon(sample_db_path):
    result = run("search", "lung", "--db", str(sample_db_path), "--lat", "39.9", "--lon", "116.4")
    assert result.exit_code == 0 and "km" in result.output
    result = run("search", "--city", "Beijing", "--db", str(sample_db_path), "--json")
    assert json.loads(result.output)["total"] > 0


def test_search_bad_input_is_a_message_not_a_traceback(sample_db_path):
    for args in (["--near", "Narnia", "hcc"], ["--status", "bogus", "hcc"], ['"*(']):
        result = run("search", *args, "--db", str(sample_db_path))
        assert result.exit_code == 1 and "Error:" in result.output
        assert "Traceback" not in result.output


def test_similar_command(sample_db_path):
    result = run("similar", "nct00460681", "--db", str(sample_db_path), "--json", "--limit", "2")
    assert result.exit_code == 0
    assert len(json.loads(result.output)["similar"]) == 2
    result = run("similar", "NCT99999999", "--db", str(sample_db_path))
    assert result.exit_code == 1 and "no trial" in result.output


def test_commands_have_help():
    for name in ("search", "similar"):
        assert cli.commands[name].help
