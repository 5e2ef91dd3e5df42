"""A run's files are written as verdicts arrive: counts, ordered lists, new candidates, abort."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscout.screen import latest, output
from trialscout.screen.judge import Judgement
from trialscout.screen.output import (
    VerdictWriter,
    new_candidates,
    publish,
    read_judgements,
    stage_lists,
    write_run,
)

pytest.importorskip("pyarrow")
TITLES = {"T1": ("NCT00000001", "One"), "T2": ("NCT00000002", "Two")}


def _j(patient: str, trial: str, verdict: str, score: float) -> Judgement:
    questions = ["Latest ALT?"] if verdict == "possibly_eligible" else []
    return Judgement(patient, trial, TITLES[trial][0], verdict, score, ["[inc] reason"], questions)


@pytest.mark.parametrize("buffered", [1, 1024])  # written at once, or at the end
def test_batches_are_counted_and_lists_ordered(tmp_path: Path, monkeypatch, buffered: int):
    monkeypatch.setattr(output, "SPILL_ROWS", buffered)
    w = VerdictWriter(tmp_path)
    w.add([_j("p1", "T1", "possibly_eligible", 0.9), _j("p2", "T1", "eligible", 0.5)])
    w.add([_j("p3", "T1", "eligible", 0.7), _j("p1", "T2", "not_eligible", 0.1)])
    summary = stage_lists(tmp_path, w, TITLES)
    publish(tmp_path, w, summary)
    assert w.rows == 4 and len(read_judgements(tmp_path)) == 4
    t1, t2 = summary
    assert (t1["eligible"], t1["possibly_eligible"], t1["not_eligible"]) == (2, 1, 0)
    assert (t2["eligible"], t2["possibly_eligible"], t2["not_eligible"]) == (0, 0, 1)
    ordered = [c["patient"] for c in latest.candidates(tmp_path, "T1")]
    assert ordered == ["p3", "p2", "p1"]  # eligible by score, then possibly eligible
    assert latest.candidates(tmp_path, "T2") == []
    assert not (tmp_path / ".lists.tmp").exists()  # the spill files are gone


def test_new_candidates_are_those_not_candidates_before(tmp_path: Path):
    write_run(tmp_path, [_j("p1", "T1", "eligible", 0.9), _j("p2", "T1", "not_eligible", 0)], {})
    w = VerdictWriter(tmp_path)
    w.add([_j("p1", "T1", "eligible", 0.8), _j("p2", "T1", "possibly_eligible", 0.4)])
    w.close()
    new = new_candidates(tmp_path, w)
    assert new.column("patient").to_pylist() == ["p2"]
    w.abort()


def test_an_aborted_run_leaves_the_previous_files(tmp_path: Path):
    write_run(tmp_path, [_j("p1", "T1", "eligible", 0.9)], TITLES)
    w = VerdictWriter(tmp_path)
    w.add([_j("p9", "T2", "eligible", 0.9)])
    w.abort()
    assert [r["patient"] for r in read_judgements(tmp_path)] == ["p1"]
    assert [c["patient"] for c in latest.candidates(tmp_path, "T1")] == ["p1"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_run_stopped_while_its_lists_are_cut_leaves_the_previous_files(tmp_path, monkeypatch):
    write_run(tmp_path, [_j("p1", "T1", "eligible", 0.9)], TITLES)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    w = VerdictWriter(tmp_path)
    w.add([_j("p9", "T1", "eligible", 0.9), _j("p9", "T2", "eligible", 0.8)])
    written = []

    def disk_full_after_one_list(root, trial_id, rows):
        if written:
            raise OSError("no space left on device")
        written.append(trial_id)
        real(root, trial_id, rows)

    real = output._write_list
    monkeypatch.setattr(output, "_write_list", disk_full_after_one_list)
    with pytest.raises(OSError):
        try:
            stage_lists(tmp_path, w, TITLES)
        except BaseException:
            w.abort()  # what screen() does
            raise
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert [c["patient"] for c in latest.candidates(tmp_path, "T1")] == ["p1"]


def test_a_run_stopped_while_published_leaves_no_state_to_carry_over_from(tmp_path, monkeypatch):
    write_run(tmp_path, [_j("p1", "T1", "eligible", 0.9)], TITLES)
    output.write_json({"patients": {"p1": "h"}}, tmp_path / output.STATE)
    w = VerdictWriter(tmp_path)
    w.add([_j("p1", "T1", "not_eligible", 0.0)])
    summary = stage_lists(tmp_path, w, TITLES)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", stopped)  # at the first rename
    with pytest.raises(KeyboardInterrupt):
        publish(tmp_path, w, summary, state={"patients": {"p1": "h2"}})
    assert output.read_state(tmp_path) == {}  # the next run screens everyone again
