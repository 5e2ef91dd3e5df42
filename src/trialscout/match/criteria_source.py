"""The one place match/ reads criteria: the parses stored at ingest, never a parse per request.

`criteria_many` reads the candidate list's stored parses in one batch; the store re-parses only
rows that an older parser version wrote (or whose text changed). Without a database (benches,
the questionnaire's one-off trials) the trial's text is parsed once and cached by text.
A failing criteria stage raises: there is no "parser not installed" path.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from trialscout.criteria import parse_criteria
from trialscout.ingest.criteria_store import load_many
from trialscout.registry.model import Trial
from trialscout.store.db import Database


@lru_cache(maxsize=4096)
def _parse(text: str, nct_id: str) -> dict[str, Any]:
    return parse_criteria(text, nct_id=nct_id)


def criteria_many(db: Database | None, trials: list[Trial]) -> dict[str, dict[str, Any]]:
    """Contract-1 criteria per trial_id (results are shared: do not mutate them)."""
    if db is None:
        return {
            t.trial_id: _parse(t.eligibility.criteria or "", t.nct_id or t.trial_id) for t in trials
        }
    return load_many(db, trials)


def criteria_for(db: Database | None, trial: Trial) -> dict[str, Any]:
    """Contract-1 criteria for one trial (the stored parse when `db` is given)."""
    return criteria_many(db, [trial])[trial.trial_id]
