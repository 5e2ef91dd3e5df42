"""CLI start-up: wall time of `trialscout --version`, `trialscout search --help` and
`trialscout --help` (which imports every command), next to a bare `python -c pass` and a plain
`import click`, median of --runs fresh processes each.

    nice .venv/bin/python bench/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "python -c pass (baseline)": ["-c", "pass"],
    "import click (baseline)": ["-c", "import click"],
    "trialscout --version": ["-m", "trialscout.cli", "--version"],
    "trialscout search --help": ["-m", "trialscout.cli", "search", "--help"],
    "trialscout match --help": ["-m", "trialscout.cli", "match", "--help"],
    "trialscout --help (all commands)": ["-m", "trialscout.cli", "--help"],
}


def wall(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    for label, argv in CASES.items():
        print(f"{label:<36} {wall(argv, args.runs):>7.0f} ms")


if __name__ == "__main__":
    main()
