"""`trialscout ingest / show / stats` as a user runs them; state checked through the library."""

from __future__ import annotations

import json
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner

from trialscout.cli import cli
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

REG = Path(__file__).parent.parent / "data" / "registry"


def run(*args, env=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
    return result


def test_ingest_show_stats_with_db_option(tmp_path):
    db = tmp_path / "x.db"
    result = run("ingest", REG, "--db", db)
    assert result.exit_code == 0, result.output
    assert "rejected" in result.output and "NCT02278341.json" in result.output
    with Database(db) as database:
        assert TrialStore(database).get("NCT00490620")
    stats = json.loads(run("stats", "--json", "--db", db).output)
    assert stats["trials"] == 15
    shown = json.loads(run("show", "nct00490620", "--json", "--db", db).output)
    assert shown["trial"]["trial_id"] == "NCT00490620" and shown["version"] == 1
    assert "Primary Biliary Cirrhosis" in run("show", "NCT00490620", "--db", db).output


def test_environment_variable_sets_the_database(tmp_path):
    db = tmp_path / "env.db"
    result = run("ingest", REG / "NCT06171568.json", "--json", env={"TRIALSCOUT_DB": str(db)})
    assert json.loads(result.output)["new"] == 1
    assert json.loads(run("stats", "--json", env={"TRIALSCOUT_DB": str(db)}).output)["trials"] == 1


def test_unknown_trial_and_nothing_to_do_are_clear_errors(tmp_path):
    db = tmp_path / "x.db"
    result = run("show", "NCT99999999", "--db", db)
    assert result.exit_code == 1 and "no trial 'NCT99999999'" in result.output
    result = run("ingest", "--db", db)
    assert result.exit_code != 0 and "nothing to ingest" in result.output


def test_show_versions_lists_changes(tmp_path):
    db = tmp_path / "x.db"
    run("ingest", REG / "NCT00513591_redownloaded.xml", "--db", db)
    run("ingest", REG / "NCT00513591_mod.xml", "--db", db)
    out = run("show", "NCT00513591", "--versions", "--db", db).output
    assert "v1 -> v2" in out and "official_title" in out
    data = json.loads(run("show", "NCT00513591", "--json", "--db", db).output)
    assert data["changes"][0]["changes"][0]["field"] == "official_title"


def test_ingest_api_against_local_server(tmp_path):
    from tests.registry.test_api_client import Recorded

    Recorded.fail_first, Recorded.requests = 0, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/api/v2/studies"
        db = tmp_path / "api.db"
        result = run(
            "ingest",
            "--api",
            "query.cond=hepatocellular carcinoma",
            "--api-url",
            url,
            "--db",
            db,
            "--json",
        )
        assert json.loads(result.output)["new"] == 10
    finally:
        httpd.shutdown()


def test_demo_loads_and_reloads_unchanged(tmp_path):
    db = tmp_path / "demo.db"
    first = json.loads(run("ingest", "--demo", "--db", db, "--json").output)
    assert first["new"] >= 300 and first["rejected"] == 0
    second = json.loads(run("ingest", "--demo", "--db", db, "--json").output)
    assert second["new"] == 0 and second["changed"] == 0
    shown = json.loads(run("show", "ZJCH-HAIC-2024", "--json", "--db", db).output)
    assert shown["trial"]["nct_id"] is None


def test_ingest_of_a_missing_path_fails_and_stores_nothing(tmp_path):
    db = tmp_path / "x.db"
    result = run("ingest", REG / "NCT06171568.json", tmp_path / "missing.json", "--db", db)
    assert result.exit_code == 1 and "missing.json: no such file or folder" in result.output
    with Database(db) as database:
        assert TrialStore(database).count() == 0


def test_show_versions_shows_where_a_long_text_changed(tmp_path):
    db = tmp_path / "x.db"
    study = json.loads((REG / "NCT06171568.json").read_text())
    ident = study["protocolSection"]["identificationModule"]
    title = "A Long Official Title That Runs Well Past Sixty Characters Before It Ends In Adults"
    for ending in ("Adults", "Children"):
        ident["officialTitle"] = title.removesuffix("Adults") + ending
        path = tmp_path / f"{ending}.json"
        path.write_text(json.dumps(study))
        assert run("ingest", path, "--db", db).exit_code == 0
    out = run("show", "NCT06171568", "--versions", "--db", db).output
    line = next(x for x in out.splitlines() if "official_title" in x)
    assert "Adults" in line and "Children" in line
