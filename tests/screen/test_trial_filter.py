"""`--condition` selects trials that study the condition, not trials whose text mentions it."""

from __future__ import annotations

from pathlib import Path

from trialscout.match.targets import trial_targets
from trialscout.screen import TrialFilter, select_trials
from trialscout.search import search
from trialscout.store.db import Database
from trialscout.vocab import canonical, is_a


def test_condition_keeps_trials_that_study_it(demo_db_path: Path):
    with Database(demo_db_path) as db:
        mentioned = search(db, "hepatitis b", limit=1).total  # any text, e.g. an exclusion
        chosen = select_trials(db, TrialFilter(condition="hepatitis b"))
    wanted = canonical("hepatitis b", "condition")
    assert 0 < len(chosen) < mentioned
    for trial in chosen.trials.values():
        targets = trial_targets(trial)
        assert any(
            t == wanted or is_a(t, wanted, "condition") or is_a(wanted, t, "condition")
            for t in targets
        ), (trial.trial_id, trial.conditions)
