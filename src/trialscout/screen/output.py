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
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trialscout.screen.judge import CANDIDATE, Judgement
from trialscout.screen.latest import folder_name

STATE = "state.json"
JUDGEMENTS = "judgements.parquet"
CANDIDATES = "candidates"
SUMMARY = "summary"
NEW = "new_since_last_run.csv"
STAGED_LISTS = ".candidates.tmp"  # the run's lists until `publish` swaps them in
VERDICTS = ("eligible", "possibly_eligible", "not_eligible")
LIST_GROUPS = 256  # candidate rows spilled by trial into this many files: lists cut 1/256 at a time
SPILL_ROWS = 1024  # rows buffered per spill file before they are written (one row group)


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


def table_rows(table, batch: int = 20_000) -> Iterator[dict[str, Any]]:
    """A table's rows as dicts, a batch at a time (never the whole table as Python objects)."""
    for chunk in table.to_batches(max_chunksize=batch):
        yield from chunk.to_pylist()


def write_json(data: Any, path: Path) -> None:
    tmp = _tmp(path)
    with open(tmp, "w", encoding="utf-8", opener=_opener) as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    _commit(tmp, path)


def _table(judgements: list[Judgement]):
    pa, _ = _pa()
    return pa.Table.from_pydict(
        {
            "patient": [j.patient for j in judgements],
            "trial_id": [j.trial_id for j in judgements],
            "nct_id": [j.nct_id for j in judgements],
            "verdict": [j.verdict for j in judgements],
            "score": [j.score for j in judgements],
            "deciding": [j.deciding for j in judgements],
            "questions": [j.questions for j in judgements],
        },
        schema=_schema(),
    )


class VerdictWriter:
    """All verdicts of a run, streamed into judgements.parquet as they arrive (one row group
    per batch, under a temporary name until `commit`). Candidate rows are also spilled by trial
    into LIST_GROUPS files (buffered SPILL_ROWS rows per group), so the per-trial lists are cut
    one group at a time. Only counts per trial and the spill buffers stay in memory: a run's
    size is bounded by disk, not by this process."""

    def __init__(self, out: Path) -> None:
        private_dir(out)
        self.path = out / JUDGEMENTS
        self.tmp = _tmp(self.path)
        self.spill = out / ".lists.tmp"
        shutil.rmtree(self.spill, ignore_errors=True)
        private_dir(self.spill)
        self._files: list[Any] = []
        self._writer = self._open(self.tmp)
        self._groups: dict[int, Any] = {}
        self._pending: dict[int, list[Judgement]] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.rows = 0

    def _open(self, path: Path):
        fh = open(path, "wb", opener=_opener)  # noqa: SIM115 - closed by close()
        self._files.append(fh)
        return _pa()[1].ParquetWriter(fh, _schema())

    def _group(self, g: int):
        if g not in self._groups:
            self._groups[g] = self._open(self.spill / f"{g:03d}.parquet")
        return self._groups[g]

    def add(self, judgements: list[Judgement]) -> None:
        if not judgements:
            return
        self._writer.write_table(_table(judgements))
        self.rows += len(judgements)
        for j in judgements:
            per = self.counts.setdefault(j.trial_id, dict.fromkeys(VERDICTS, 0))
            per[j.verdict] = per.get(j.verdict, 0) + 1
            if j.verdict in CANDIDATE:
                g = list_group(j.trial_id)
                pending = self._pending.setdefault(g, [])
                pending.append(j)
                if len(pending) >= SPILL_ROWS:
                    self._group(g).write_table(_table(pending))
                    self._pending[g] = []

    def add_table(self, table) -> None:
        """Rows already in Arrow form (the previous run's, carried over)."""
        if not table.num_rows:
            return
        self._writer.write_table(table)
        self.rows += table.num_rows
        groups: dict[int, list[int]] = {}
        for i, row in enumerate(table.select(["trial_id", "verdict"]).to_pylist()):
            per = self.counts.setdefault(row["trial_id"], dict.fromkeys(VERDICTS, 0))
            per[row["verdict"]] = per.get(row["verdict"], 0) + 1
            if row["verdict"] in CANDIDATE:
                groups.setdefault(list_group(row["trial_id"]), []).append(i)
        for g, rows in groups.items():
            self._group(g).write_table(table.take(rows))

    def group_files(self) -> list[Path]:
        """The spill files, complete."""
        self.close()
        return [self.spill / f"{g:03d}.parquet" for g in sorted(self._groups)]

    def close(self) -> None:
        """Finish the files (they can be read now), still under their temporary names."""
        for g, pending in self._pending.items():
            if pending:
                self._group(g).write_table(_table(pending))
        self._pending = {}
        for writer in (self._writer, *self._groups.values()):
            if writer.is_open:
                writer.close()
        for fh in self._files:
            fh.close()

    def commit(self) -> None:
        self.close()
        _commit(self.tmp, self.path)

    def abort(self) -> None:
        """Drop everything this run wrote: the previous run's files stay as they were."""
        self.close()
        self.tmp.unlink(missing_ok=True)
        shutil.rmtree(self.spill, ignore_errors=True)
        shutil.rmtree(self.path.parent / STAGED_LISTS, ignore_errors=True)


def list_group(trial_id: str) -> int:
    return zlib.crc32(trial_id.encode()) % LIST_GROUPS


def previous_count(out: Path) -> int:
    """How many verdicts the previous run wrote (0 without one)."""
    path = out / JUDGEMENTS
    return _pa()[1].ParquetFile(path).metadata.num_rows if path.is_file() else 0


def previous_rows(out: Path, columns: list[str] | None = None):
    """The previous run's verdicts in batches (none without a previous run)."""
    path = out / JUDGEMENTS
    if not path.is_file():
        return
    yield from _pa()[1].ParquetFile(path).iter_batches(batch_size=65_536, columns=columns)


def _candidate_rows(path: Path, columns: list[str]):
    _, pq = _pa()
    return pq.read_table(path, columns=columns, filters=[("verdict", "in", sorted(CANDIDATE))])


def new_candidates(out: Path, written: VerdictWriter):
    """Candidates of the run being written that were not candidates (or not judged) in the
    previous run: an anti-join on (patient, trial) done by Arrow, not in Python dicts."""
    cols = ["patient", "trial_id", "nct_id", "verdict", "score"]
    now = _candidate_rows(written.tmp, cols)
    old_path = out / JUDGEMENTS
    if old_path.is_file():
        before = _candidate_rows(old_path, ["patient", "trial_id"])
        now = now.join(before, keys=["patient", "trial_id"], join_type="left anti")
    return now.sort_by([("patient", "ascending"), ("trial_id", "ascending")])


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


def stage_lists(
    out: Path, written: VerdictWriter, trial_titles: dict[str, tuple[str, str]]
) -> list[dict]:
    """Candidate lists per trial (eligible, then possibly eligible, by score) from the run's
    spill files, one group of trials at a time, written to a staging folder that `publish`
    swaps in; returns the summary rows. The previous run's lists are untouched until then."""
    _, pq = _pa()
    stage = out / STAGED_LISTS
    shutil.rmtree(stage, ignore_errors=True)
    private_dir(stage)
    order = [("trial_id", "ascending"), ("verdict", "ascending"), ("score", "descending"),
             ("patient", "ascending")]  # fmt: skip
    listed: set[str] = set()
    for path in written.group_files():
        rows = pq.read_table(path).sort_by(order)
        start, tids = 0, rows.column("trial_id").to_pylist()
        for i in range(1, len(tids) + 1):
            if i == len(tids) or tids[i] != tids[start]:
                _write_list(stage, tids[start], rows.slice(start, i - start))
                listed.add(tids[start])
                start = i
        del rows
    shutil.rmtree(written.spill, ignore_errors=True)
    summary = []
    for tid in sorted(set(trial_titles) | set(written.counts)):
        if tid not in listed:
            _write_list(stage, tid, _schema().empty_table())
        nct, title = trial_titles.get(tid, (tid, ""))
        per = written.counts.get(tid, {})
        summary.append({"trial_id": tid, "nct_id": nct, "title": title,
                        **{v: per.get(v, 0) for v in VERDICTS}})  # fmt: skip
    return summary


def publish(
    out: Path,
    written: VerdictWriter,
    summary: list[dict],
    new=None,
    state: dict[str, Any] | None = None,
) -> None:
    """Swap a finished run in, in a few renames. state.json goes first: a run stopped in
    between leaves no state, so the next run screens everyone again instead of carrying
    verdicts over from a mix of two runs."""
    pa, _ = _pa()
    (out / STATE).unlink(missing_ok=True)
    written.commit()
    cand_root = out / CANDIDATES
    if cand_root.exists():
        shutil.rmtree(cand_root)  # a trial no longer screened has no list
    os.replace(out / STAGED_LISTS, cand_root)
    scols = ["trial_id", "nct_id", "title", *VERDICTS]
    write_table(pa.Table.from_pylist(summary), out / f"{SUMMARY}.parquet")
    write_csv(summary, scols, out / f"{SUMMARY}.csv")
    if new is not None:
        write_csv(table_rows(new), ["patient", "nct_id", "verdict", "score"], out / NEW)
    if state is not None:
        write_json(state, out / STATE)


def _write_list(root: Path, trial_id: str, rows) -> None:
    folder = private_dir(root / f"trial={_safe(trial_id)}")
    write_table(rows, folder / "candidates.parquet")
    cols = ["patient", "nct_id", "verdict", "score", "deciding", "questions"]
    write_csv(table_rows(rows), cols, folder / "candidates.csv")


def write_run(
    out: Path, judgements: list[Judgement], trial_titles: dict[str, tuple[str, str]]
) -> list[dict]:
    """A run's verdicts, lists and summary from verdicts already in memory (a small run)."""
    writer = VerdictWriter(out)
    writer.add(judgements)
    summary = stage_lists(out, writer, trial_titles)
    publish(out, writer, summary)
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
