"""Write a run: per-trial candidate lists (Parquet and CSV), the summary, all verdicts, the state.

Layout of the out dir (every dir 0700, every file 0600: it holds patient identifiers):

    candidates/trial=<ID>/candidates.parquet  candidates.csv   eligible + possibly eligible, by score
    summary.parquet  summary.csv                                one row per trial, verdict counts
    judgements.parquet                                          every patient x trial verdict (reuse)
    new_since_last_run.csv                                      candidates that were not candidates
    state.json                                                  patient and trial hashes, run facts

Files are written to a temporary name and renamed, so a reader (the coordinator page) never sees
half a file.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from trialscout.screen.judge import CANDIDATE, Judgement
from trialscout.screen.latest import folder_name

STATE = "state.json"
JUDGEMENTS = "judgements.parquet"
CANDIDATES = "candidates"
SUMMARY = "summary"
NEW = "new_since_last_run.csv"
VERDICTS = ("eligible", "possibly_eligible", "not_eligible")


def _pa():
    """pyarrow, from the `screen` extra (imported on use: the package imports without it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pa, pq


def _schema():
    pa, _ = _pa()
    strings = pa.list_(pa.string())
    fields = [(n, pa.string()) for n in ("patient", "trial_id", "nct_id", "verdict")]
    return pa.schema(
        [*fields, ("score", pa.float64()), ("deciding", strings), ("questions", strings)]
    )


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _opener(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def _commit(tmp: Path, path: Path) -> None:
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_table(table, path: Path) -> None:
    _, pq = _pa()
    tmp = _tmp(path)
    with open(tmp, "wb", opener=_opener) as fh:
        pq.write_table(table, fh)
    _commit(tmp, path)


def write_csv(rows: Iterable[dict[str, Any]], columns: list[str], path: Path) -> None:
    tmp = _tmp(path)
    with open(tmp, "w", newline="", encoding="utf-8", opener=_opener) as fh:
        out = csv.DictWriter(fh, columns, extrasaction="ignore")
        out.writeheader()
        for row in rows:
            out.writerow({k: " | ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    _commit(tmp, path)


def write_json(data: Any, path: Path) -> None:
    tmp = _tmp(path)
    with open(tmp, "w", encoding="utf-8", opener=_opener) as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    _commit(tmp, path)


def to_rows(judgements: Iterable[Judgement]) -> list[dict[str, Any]]:
    return [
        {
            "patient": j.patient,
            "trial_id": j.trial_id,
            "nct_id": j.nct_id,
            "verdict": j.verdict,
            "score": j.score,
            "deciding": j.deciding,
            "questions": j.questions,
        }
        for j in judgements
    ]


def read_judgements(out: Path) -> list[dict[str, Any]]:
    path = out / JUDGEMENTS
    return _pa()[1].read_table(path).to_pylist() if path.is_file() else []


def read_state(out: Path) -> dict[str, Any]:
    path = out / STATE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raise ValueError(f"{path}: unreadable screening state; remove it to start over") from None
    return data if isinstance(data, dict) else {}


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rank = {v: i for i, v in enumerate(VERDICTS)}
    return sorted(rows, key=lambda r: (rank.get(r["verdict"], 9), -r["score"], r["patient"]))


def write_run(
    out: Path, rows: list[dict[str, Any]], trial_titles: dict[str, tuple[str, str]]
) -> list[dict]:
    """Candidate lists per trial, the summary and all judgements; returns the summary rows."""
    pa, _ = _pa()
    private_dir(out)
    write_table(pa.Table.from_pylist(rows, schema=_schema()), out / JUDGEMENTS)
    by_trial: dict[str, list[dict[str, Any]]] = {t: [] for t in trial_titles}
    for row in rows:
        by_trial.setdefault(row["trial_id"], []).append(row)
    cand_root = out / CANDIDATES
    if cand_root.exists():
        shutil.rmtree(cand_root)  # a trial no longer screened has no list
    private_dir(cand_root)
    summary = []
    cols = ["patient", "nct_id", "verdict", "score", "deciding", "questions"]
    for tid, trial_rows in sorted(by_trial.items()):
        counts = {v: sum(r["verdict"] == v for r in trial_rows) for v in VERDICTS}
        nct, title = trial_titles.get(tid, (tid, ""))
        summary.append({"trial_id": tid, "nct_id": nct, "title": title, **counts})
        cands = _ordered([r for r in trial_rows if r["verdict"] in CANDIDATE])
        folder = private_dir(cand_root / f"trial={_safe(tid)}")
        write_table(pa.Table.from_pylist(cands, schema=_schema()), folder / "candidates.parquet")
        write_csv(cands, cols, folder / "candidates.csv")
    scols = ["trial_id", "nct_id", "title", *VERDICTS]
    write_table(pa.Table.from_pylist(summary), out / f"{SUMMARY}.parquet")
    write_csv(summary, scols, out / f"{SUMMARY}.csv")
    return summary


def _safe(trial_id: str) -> str:
    return folder_name(trial_id).removeprefix("trial=")


def read_candidates(out: Path, trial_id: str) -> list[dict[str, Any]]:
    """The latest run's candidates of one trial (the coordinator page reads this)."""
    path = Path(out) / CANDIDATES / f"trial={_safe(trial_id)}" / "candidates.parquet"
    return _pa()[1].read_table(path).to_pylist() if path.is_file() else []


def read_summary(out: Path) -> list[dict[str, Any]]:
    path = Path(out) / f"{SUMMARY}.parquet"
    return _pa()[1].read_table(path).to_pylist() if path.is_file() else []
