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


def test_trials_are_prepared_once_per_trial_set(trial_set):
    """A worker keeps the set it was sent: every task and patient shares one preparation,
    and a patient judged only against changed trials uses it too."""
    from trialscout.screen.judge import trial_plans

    plans = trial_plans(trial_set)
    assert set(plans) == set(trial_set.trials)
    screen_group(_groups(), trial_set, TODAY, {}, frozenset())
    assert trial_plans(trial_set) is plans
    other = trial_set.subset(set(list(trial_set.trials)[:2]))
    assert set(trial_plans(other)) == set(other.trials)
