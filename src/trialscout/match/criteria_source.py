"""The one place match/ touches the criteria package (issue 4), so its interface lives here.

The matcher already holds the trial, so it parses the trial's text itself (a few ms, cached per
criteria text) instead of `load_criteria(db, id)`, which looks the trial up again by ID (a full
scan per call on a 100,000-trial store today). The stored parse (ingest hook) and this one come
from the same parser version, so the verdicts are the same. Without the criteria package,
`None` says "not parsed".
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache, lru_cache
from typing import Any

from trialscout.registry.model import Trial
from trialscout.store.db import Database


@cache
def _parser() -> Any | None:
    try:
        if importlib.util.find_spec("trialscout.criteria") is None:
            return None
        return importlib.import_module("trialscout.criteria").parse_criteria
    except (ImportError, AttributeError, ValueError):
        return None


@lru_cache(maxsize=4096)
def _parse(text: str, nct_id: str) -> dict[str, Any] | None:
    parse = _parser()
    return None if parse is None else parse(text, nct_id=nct_id)


def criteria_for(db: Database | None, trial: Trial) -> dict[str, Any] | None:
    """Contract-1 criteria for `trial`, or None when no parser is installed.

    `db` is accepted for a future batch read of stored parses; the result must not be mutated
    (it is cached).
    """
    return _parse(trial.eligibility.criteria or "", trial.nct_id or trial.trial_id)


@cache
def vocab() -> Any | None:
    """The criteria vocabulary module (`is_a`, `drug_class`, ...) when installed."""
    try:
        if importlib.util.find_spec("trialscout.criteria.vocab") is None:
            return None
        return importlib.import_module("trialscout.criteria.vocab")
    except (ImportError, ValueError):
        return None
