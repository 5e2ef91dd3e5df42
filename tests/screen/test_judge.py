"""One patient's failure is reported without its content and does not stop the others."""

from __future__ import annotations

from trialscout.screen.export import Record, input_files, read_file
from trialscout.screen.judge import screen_group

from .conftest import EXPORT, TODAY


def _groups() -> list[tuple[str, list[Record]]]:
    per: dict[str, list[Record]] = {}
    for f in input_files(EXPORT):
        for item in read_file(f):
            per.setdefault(item.patient, []).append(item)
    return sorted(per.items())[:3]


def test_a_bug_for_one_patient_is_an_issue_not_a_crash(trial_set):
    broken = trial_set.subset(set(list(trial_set.trials)[:1]))
    bad = {"criteria": [{"kind": "inclusion", "text": "x", "rules": 7}]}  # a corrupt parse
    broken.parsed[next(iter(broken.parsed))] = bad  # evaluation raises TypeError
    results = screen_group(_groups(), broken, TODAY, {}, frozenset())
    assert len(results) == 3
    for r in results:
        assert r.judgements == [] and r.hash == ""  # not remembered: the next run retries it
        (issue,) = r.issues
        assert issue.problem == "patient skipped: internal error (TypeError)"
        assert issue.file.endswith(".ndjson") or issue.file.endswith(".gz")


def test_healthy_patients_are_judged_against_every_trial(trial_set):
    results = screen_group(_groups(), trial_set, TODAY, {}, frozenset())
    assert all(len(r.judgements) == len(trial_set) and not r.issues for r in results)
