"""Read the latest run's lists from an out dir with the standard library only (the web app's
coordinator page uses this; it needs neither Dask nor pyarrow)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

MAX_ROWS = 5000  # a page shows at most this many candidates
_INTS = ("eligible", "possibly_eligible", "not_eligible")


def folder_name(trial_id: str) -> str:
    """A folder name from a registry id (letters, digits, '-', '_' only): no path tricks."""
    return "trial=" + "".join(c if c.isalnum() or c in "-_" else "_" for c in trial_id)


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if i >= MAX_ROWS:
                break
            out.append(row)
    return out


def summary(out_dir: str | Path) -> list[dict[str, Any]]:
    """One row per screened trial with its verdict counts, most candidates first."""
    rows = _rows(Path(out_dir) / "summary.csv")
    for r in rows:
        for key in _INTS:
            r[key] = int(r.get(key) or 0)
    return sorted(rows, key=lambda r: (-r["eligible"], -r["possibly_eligible"], r["trial_id"]))


def candidates(out_dir: str | Path, trial_id: str) -> list[dict[str, Any]]:
    """The trial's candidates (already ordered by verdict and score), lists split back."""
    rows = _rows(Path(out_dir) / "candidates" / folder_name(trial_id) / "candidates.csv")
    for r in rows:
        for key in ("deciding", "questions"):
            r[key] = [x for x in (r.get(key) or "").split(" | ") if x]
    return rows
