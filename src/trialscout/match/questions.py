"""The questions that would settle the most `unknown` verdicts across the top trials.

A web questionnaire asks these next: each unknown criterion names the facts it lacks; a fact
counts once per trial it would help decide, so "your platelet count" outranks a one-off question.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from importlib import resources

from trialscout import vocab
from trialscout.match.results import Question, TrialMatch

_REQUIRED = {"age", "sex", "lab", "uln", "score", "condition", "therapy", "generic"}


@cache
def templates() -> dict[str, str]:
    raw = json.loads(
        resources.files(__package__).joinpath("data/questions.json").read_text("utf-8")
    )
    raw.pop("_doc", None)
    missing = _REQUIRED - raw.keys()
    if missing:
        raise ValueError(f"questions.json lacks {sorted(missing)}")
    return raw


def question_text(key: str) -> str:
    t = templates()
    if key in t:
        return t[key]
    prefix, _, name = key.partition(":")
    name = name.removesuffix(":date").removesuffix(":current").replace("_", " ")
    if key.endswith(":date") and prefix == "therapy":
        return f"When did you last receive {name}?"
    if key.endswith(":date") and prefix == "condition":
        return f"When were you diagnosed with {name}?"
    if key.endswith(":current") and prefix == "condition":
        return f"Do you still have {name}, or is it resolved?"
    if prefix in ("lab", "uln"):
        name = _lab_label(name.replace(" ", "_"))
    template = t.get(prefix, t["generic"])
    return template.format(name=name or prefix)


def _lab_label(key: str) -> str:
    spec = vocab.analytes().get(vocab.canonical_analyte(key) or key)
    if spec is None:
        return key.replace("_", " ")
    return next((a for a in spec.aliases if len(a) > 4 and "_" not in a), key.replace("_", " "))


def top_questions(results: list[TrialMatch], limit: int = 10) -> list[Question]:
    trials: Counter[str] = Counter()
    criteria: Counter[str] = Counter()
    for match in results:
        keys_here = set()
        for c in match.criteria:
            for key in dict.fromkeys(c.missing):
                criteria[key] += 1
                keys_here.add(key)
        trials.update(keys_here)
    ranked = sorted(trials, key=lambda k: (-trials[k], -criteria[k], k))
    return [Question(k, question_text(k), trials[k], criteria[k]) for k in ranked[:limit]]
