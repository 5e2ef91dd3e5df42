"""A trial's match result arranged answer-first, for a patient: what rules them out (in
words), then what is still unknown as questions (those settling the most criteria first), then
what the study team must judge, then everything already fine. Web and CLI read the same thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from trialscout.match.questions import question_text
from trialscout.match.results import CriterionVerdict, TrialMatch, Verdict
from trialscout.plain.words import analyte_name, plain_reason, rule_phrase, score_name


@dataclass(slots=True)
class Item:
    """One criterion as a patient reads it."""

    kind: str  # inclusion | exclusion
    text: str  # the trial's own words
    verdict: str
    reason: str  # plain words
    basis: str
    state: str  # rules_out | unknown | fine | not_applicable
    limits: list[str] = field(default_factory=list)  # the criterion's rules, as people write them

    @property
    def sentence(self) -> str:
        """Why it decides, in words: who the trial is for, or who it does not take."""
        if self.kind == "exclusion":
            return f"This trial does not take people with: {self.text}"
        return f"This trial is only for people who meet this: {self.text}"


@dataclass(slots=True)
class Ask:
    """A question that would settle `settles` unknown criteria."""

    key: str
    text: str
    settles: int
    criteria: list[str] = field(default_factory=list)

    @property
    def topic(self) -> str:
        """What it asks about, in a few words ('platelets', 'BCLC stage', 'chemotherapy')."""
        prefix, _, name = self.key.partition(":")
        name = name.split(":")[0]
        if prefix in ("lab", "uln"):
            return analyte_name(name)
        if prefix == "score":
            return score_name(name)
        return name or prefix.replace("_", " ")


@dataclass(slots=True)
class Arranged:
    verdict: str
    headline: str
    summary: str
    deciding: list[Item]
    questions: list[Ask]
    team: list[Item]  # unknown, but no question of ours settles it: the study team judges
    rest: list[Item]
    total: int
    unknown: int

    @property
    def why(self) -> str:
        """The deciding reason in one phrase: what rules the patient out, else what to ask."""
        if self.deciding:
            first = self.deciding[0]
            return first.reason or first.text
        if self.unknown:
            ask = f"; ask: {self.questions[0].topic}" if self.questions else ""
            return f"{self.unknown}/{self.total} unknown{ask}"
        return "meets every criterion listed"


def _item(c: CriterionVerdict) -> Item:
    if c.failed:
        state = "rules_out"
    elif c.verdict == Verdict.UNKNOWN:
        state = "unknown"
    elif c.verdict == Verdict.NOT_APPLICABLE:
        state = "not_applicable"
    else:
        state = "fine"
    reason = plain_reason(c.reason)
    return Item(c.kind, c.text, str(c.verdict), reason, str(c.basis), state)


def ask_text(key: str) -> str:
    """The question for a missing-fact key, with lab names as people write them."""
    prefix, _, name = key.partition(":")
    if prefix == "lab" and name and ":" not in name:
        return f"What was your latest {analyte_name(name)} result (value and unit)?"
    if prefix == "uln" and name:
        return f"What upper limit of normal is printed on your {analyte_name(name)} report?"
    return question_text(key)


def _questions(unknown: list[CriterionVerdict]) -> list[Ask]:
    counts: Counter[str] = Counter()
    texts: dict[str, list[str]] = {}
    for c in unknown:
        for key in dict.fromkeys(c.missing):
            counts[key] += 1
            texts.setdefault(key, []).append(c.text)
    order = {k: i for i, k in enumerate(counts)}
    ranked = sorted(counts, key=lambda k: (-counts[k], order[k]))
    return [Ask(k, ask_text(k), counts[k], texts[k]) for k in ranked]


def _headline(verdict: str, deciding: int, unknown: int, total: int, answered: int) -> str:
    if verdict == "not_eligible":
        n = "one criterion rules" if deciding == 1 else f"{deciding} criteria rule"
        return f"This trial does not seem to be for you: {n} you out"
    if verdict == "eligible":
        return "You seem to meet every criterion the trial lists"
    if answered == 0:
        return f"Not decided yet: {unknown} of {total} criteria are still unknown"
    return f"Nothing you told us rules you out, but {unknown} of {total} criteria are still unknown"


def _limits(criteria: dict | None) -> dict[str, list[str]]:
    """Criterion text -> its computable rules in plain words (numbers as the trial wrote them)."""
    out: dict[str, list[str]] = {}
    for c in (criteria or {}).get("criteria", []):
        rules = [r for r in c.get("rules") or [] if r.get("type") in ("lab", "score", "age")]
        out[c.get("text", "")] = [rule_phrase(r, c.get("text", "")) for r in rules]
    return out


def arrange(
    match: TrialMatch, answered: int | None = None, criteria: dict | None = None
) -> Arranged:
    """`answered`: how many answers the patient gave (0 for an empty questionnaire);
    `criteria`: the trial's parsed criteria (contract 1), to show its limits as written."""
    limits = _limits(criteria)
    items = [(_item(c), c) for c in match.criteria]
    for item, _c in items:
        item.limits = limits.get(item.text, [])
    deciding = [i for i, _ in items if i.state == "rules_out"]
    unknown_c = [c for i, c in items if i.state == "unknown"]
    questions = _questions(unknown_c)
    team = [i for i, c in items if i.state == "unknown" and not c.missing]
    asked = [i for i, c in items if i.state == "unknown" and c.missing]
    rest = [i for i, _ in items if i.state in ("fine", "not_applicable")]
    total = len(items)
    given = answered if answered is not None else len(rest) + len(deciding)
    headline = _headline(str(match.verdict), len(deciding), len(unknown_c), total, given)
    summary = (
        f"Of {total} criteria: {len(deciding)} ruling you out, {len(rest)} fine or not "
        f"relevant to you, {len(asked)} waiting for your answers, {len(team)} for the study "
        "team to judge."
    )
    return Arranged(
        verdict=str(match.verdict),
        headline=headline,
        summary=summary,
        deciding=deciding,
        questions=questions,
        team=team,
        rest=rest,
        total=total,
        unknown=len(unknown_c),
    )
