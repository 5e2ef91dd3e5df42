"""What is stored of a trial's parsed criteria, computed without a database (issue 13 layering).

`prepare_criteria` is the pure, CPU-heavy part (it runs in ingest's worker processes);
`text_hash` keys a stored parse by the text it was parsed from. Reading and writing the stored
rows is `ingest.criteria_store` (criteria/ does not know the database).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson

from trialscout.criteria.parser import parse_criteria
from trialscout.registry.model import Trial


def _nct(trial: Trial) -> str:
    return trial.nct_id or trial.trial_id


@dataclass(frozen=True, slots=True)
class PreparedCriteria:
    """A trial's parse as stored, computable in a worker process (picklable)."""

    text_hash: str
    parsed_json: str
    n_criteria: int
    n_rules: int
    n_computable: int


def text_hash(criteria: str | None) -> str:
    """What a stored parse is keyed by: the criteria text it was parsed from."""
    return hashlib.sha1((criteria or "").encode("utf-8")).hexdigest()


def trial_text_hash(trial: Trial) -> str:
    return text_hash(trial.eligibility.criteria)


def parse_trial(trial: Trial) -> dict:
    """Contract 1 for the trial's criteria text."""
    return parse_criteria(trial.eligibility.criteria, _nct(trial))


def prepare_criteria(trial: Trial) -> PreparedCriteria:
    """Parse a trial's criteria (pure: no database), for `ingest.criteria_store.write_parse`."""
    parsed = parse_trial(trial)
    rules = [r for c in parsed["criteria"] for r in c["rules"]]
    return PreparedCriteria(
        trial_text_hash(trial),
        orjson.dumps(parsed).decode(),
        len(parsed["criteria"]),
        len(rules),
        sum(r["type"] != "other" for r in rules),
    )
