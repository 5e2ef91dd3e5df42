"""`trialscout screen` as a user runs it (a real process with its own LocalCluster)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import EXPORT, QUERY

BIN = Path(sys.executable).parent / "trialscout"
NO_EXTRAS = """
import sys
class Block:
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("pyarrow", "dask", "distributed"):
            raise ImportError(name)
sys.meta_path.insert(0, Block())
import trialscout.cli, trialscout.screen, trialscout.screen.latest
"""


def test_screen_command_writes_lists_and_summary(demo_db_path: Path, tmp_path: Path):
    out = tmp_path / "out"
    env = {**os.environ, "COLUMNS": "200"}
    args = [BIN, "screen", EXPORT, "--out", out, "--db", demo_db_path, "--trials", QUERY]
    run = subprocess.run(
        [str(a) for a in [*args, "--workers", "1", "--today", "2026-06-01"]],
        capture_output=True, text=True, env=env, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "30 patients x" in run.stdout and "Screening summary" in run.stdout
    assert (out / "summary.csv").is_file() and list((out / "candidates").iterdir())
    assert "p7-" not in run.stderr  # no patient ids in the log


def test_screen_command_bad_folder_is_one_line(tmp_path: Path, demo_db_path: Path):
    run = subprocess.run(
        [str(BIN), "screen", str(tmp_path), "--out", str(tmp_path / "o"), "--db", str(demo_db_path),
         "--workers", "1"],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 1
    assert "no .ndjson" in run.stderr and "Traceback" not in run.stderr


def test_core_and_cli_import_without_the_screen_extra():
    run = subprocess.run([sys.executable, "-c", NO_EXTRAS], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
