"""Issue 12: record text is printed as written by every command (never read as rich markup), and
`--json` output is always valid JSON."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trialscout.cli import cli

ROOT = Path(__file__).parents[2]
REG = ROOT / "tests" / "data" / "registry"
EXAMPLE = ROOT / "examples" / "patient_hbv_hcc.yaml"
POISON = "[/] [bold red]x[/bold red] [link=http://evil.example]y"


def _poisoned(title_suffix: str, updated: str) -> dict:
    study = json.loads((REG / "NCT06171568.json").read_text())
    study = copy.deepcopy(study)
    proto = study["protocolSection"]
    proto["identificationModule"]["briefTitle"] = f"Brain injury outcome {POISON} {title_suffix}"
    proto["conditionsModule"]["conditions"] = [f"Brain Injuries {POISON}"]
    proto["sponsorCollaboratorsModule"]["leadSponsor"]["name"] = f"Sponsor {POISON}"
    proto["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n* Age >= 18 years {POISON}\n\nExclusion Criteria:\n\n"
        f"* Pregnancy {POISON}"
    )
    proto["descriptionModule"]["briefSummary"] = f"This study of brain injury {POISON} follows."
    proto["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated
    return study


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("poison")
    path = root / "p.db"
    first, second = root / "v1[b].json", root / "v2.json"
    first.write_text(json.dumps(_poisoned("v1", "2024-01-01")))
    second.write_text(json.dumps(_poisoned("v2 [/]", "2024-02-01")))
    twin = _poisoned("twin", "2024-01-01")  # a related trial, so `similar` prints a row
    twin["protocolSection"]["identificationModule"]["nctId"] = "NCT06171569"
    (root / "twin.json").write_text(json.dumps(twin))
    for f in (first, second, root / "twin.json"):
        result = run("ingest", f, "--db", path)
        assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["show", "NCT06171568"],
        ["show", "NCT06171568", "--versions"],
        ["search", "brain"],
        ["similar", "NCT06171568"],
        ["summary", "NCT06171568", "--sources"],
        ["criteria", "NCT06171568"],
        ["alerts", "changes"],
        ["alerts", "changes", "NCT06171568"],
        ["stats"],
        ["match", str(EXAMPLE), "--explain", "--trial", "NCT06171568"],
    ],
)
def test_record_text_with_markup_prints_as_written(db, args):
    result = run(*args, "--db", db)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    if args[0] != "stats":
        assert "[/]" in result.output  # printed literally, not swallowed as markup


def test_ingest_output_quotes_bad_values_literally(tmp_path):
    study = json.loads((REG / "NCT06171568.json").read_text())
    study["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "[/] many"
    path = tmp_path / "bad[b].json"
    path.write_text(json.dumps(study))
    result = run("ingest", path, "--db", tmp_path / "x.db")
    assert result.exit_code == 0, result.output
    assert "bad[b].json" in result.output and "'[/] many'" in result.output


def test_criteria_text_with_markup_does_not_crash():
    result = run("criteria", "--text", "Age >= 18 [/]")
    assert result.exit_code == 0, result.output
    assert "[/]" in result.output


def test_criteria_json_is_valid_json_with_a_huge_number():
    text = "Life expectancy of at least " + "9" * 400 + " months"
    result = run("criteria", "--text", text, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["criteria"]


def test_error_messages_quoting_input_do_not_crash(tmp_path):
    result = run("show", "[/]", "--db", tmp_path / "x.db")
    assert result.exit_code == 1 and "[/]" in result.output
