"""Read a free-text clinical note (TREC topic, referral letter) into a `Patient`.

Rule-based on purpose: no model download, explainable, and fast. A term counts as *present*
when mentioned affirmatively, *absent* when negated in its clause ("denies smoking, diabetes"),
and stays unknown otherwise; family history never counts as the patient's own.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

from trialscout.patient.model import (
    ConditionFact,
    LabValue,
    Patient,
    PatientError,
    TherapyFact,
)
from trialscout.patient.units import UnitError, analytes, normalize_unit, parse_quantity

NEG_CUES = (
    r"\bno\b|\bnot\b|\bdenies\b|\bdenied\b|\bdeny\b|\bwithout\b|\bnegative for\b|\bfree of\b"
    r"|\babsence of\b|\bruled out\b|\brules out\b|\bnever\b|\bdoesn't\b|\bdoes not\b|\bnor\b"
    r"|\bnon-?smoker\b|\bunremarkable\b"
)
POST_NEG = r"^\W*(?:was|were|is|are)?\s*(?:ruled out|excluded|negative|absent|not present)\b"
CLAUSE_BREAK = re.compile(r"\bbut\b|\bhowever\b|\balthough\b|\bexcept\b|\bwhich\b|\bwho\b|;|:")
FAMILY = re.compile(r"\b(?:family history|mother|father|sister|brother|sibling|parents?'?)\b")


@cache
def lexicon() -> dict[str, list[list[str]]]:
    raw = json.loads(
        resources.files(__package__).joinpath("data/note_lexicon.json").read_text("utf-8")
    )
    for kind in ("conditions", "therapies"):
        for entry in raw[kind]:
            if not entry or not all(isinstance(t, str) and t == t.lower() for t in entry):
                raise ValueError(f"note_lexicon.json: bad {kind} entry {entry!r}")
    return raw


class NoteText:
    """A note split into sentences, answering 'is this term mentioned, and how?'."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text.lower()) if s.strip()]
        self._cache: dict[str, bool | None] = {}

    def mention(self, term: str) -> bool | None:
        """True if affirmed somewhere, False if only negated, None if never mentioned."""
        key = term.lower().strip()
        if key not in self._cache:
            self._cache[key] = self._mention(key)
        return self._cache[key]

    def _mention(self, term: str) -> bool | None:
        if len(term) < 2:
            return None
        pattern = re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])")
        seen_negated = False
        for sentence in self.sentences:
            for m in pattern.finditer(sentence):
                state = _polarity(sentence, m.start(), m.end())
                if state is True:
                    return True
                if state is False:
                    seen_negated = True
        return False if seen_negated else None


def _polarity(sentence: str, start: int, end: int) -> bool | None:
    before = sentence[:start]
    breaks = list(CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else before
    if FAMILY.search(clause):
        return None
    if re.search(POST_NEG, sentence[end:]):
        return False
    cues = list(re.finditer(NEG_CUES, clause))
    if not cues:
        return True
    between = clause[cues[-1].end() :].split()
    # ConText-like scope: a few words after the cue, or further along a list ("denies a, b, or c")
    in_scope = len(between) <= 5 or ("," in clause[cues[-1].end() :] and len(between) <= 15)
    return not in_scope


_AGE = (
    (re.compile(r"\b(\d{1,3})[- ]?(?:year|yr)s?[- ]?old\b"), 1.0),
    (re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.|yrs?)\b"), 1.0),
    (re.compile(r"\baged?\s*(\d{1,3})\b"), 1.0),
    (re.compile(r"\b(\d{1,2})[- ]?months?[- ]?old\b"), 1 / 12),
    (re.compile(r"\b(\d{1,2})[- ]?weeks?[- ]?old\b"), 1 / 52),
    (re.compile(r"\b(\d{1,2})[- ]?days?[- ]?old\b"), 1 / 365),
    (re.compile(r"^\s*(\d{1,3})\s*(?:m|f)\b"), 1.0),
)
_MALE = re.compile(r"\b(?:man|male|boy|gentleman|he|his|him|mr)\b")
_FEMALE = re.compile(r"\b(?:woman|female|girl|lady|she|her|hers|mrs|ms)\b")
_INITIAL_SEX = re.compile(r"^\s*\d{1,3}\s*(?:-?year-?old\s*)?([mf])\b")


def read_note(path: str | Path) -> Patient:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PatientError(f"{path}: cannot read the note ({exc.__class__.__name__})") from None
    if not text.strip():
        raise PatientError(f"{path}: the note is empty")
    return note_to_patient(text, str(path))


def note_to_patient(text: str, where: str = "note") -> Patient:
    low = text.lower()
    p = Patient(note=text, source=where)
    for pattern, scale in _AGE:
        m = pattern.search(low)
        if m:
            p.age = round(int(m.group(1)) * scale, 2)
            break
    p.sex = _sex(low)
    note = NoteText(text)
    for entry in lexicon()["conditions"]:
        state = _first_state(note, entry)
        if state is not None:
            p.conditions.append(ConditionFact(entry[0], state))
    for entry in lexicon()["therapies"]:
        if _first_state(note, entry):
            p.therapies.append(TherapyFact(entry[0], True))
    p.labs = _labs(text)
    p.scores = _scores(low)
    preg = note.mention("pregnant")
    p.pregnant = preg if p.sex != "male" else False
    return p


def _first_state(note: NoteText, names: list[str]) -> bool | None:
    states = [note.mention(n) for n in names]
    if True in states:
        return True
    return False if False in states else None


def _sex(low: str) -> str | None:
    m = _INITIAL_SEX.match(low)
    if m:
        return "male" if m.group(1) == "m" else "female"
    male, female = len(_MALE.findall(low)), len(_FEMALE.findall(low))
    if male == female:
        return None
    return "male" if male > female else "female"


_NUM = r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
_UNIT = (
    r"(?P<unit>(?:x|×)?\s*10\s*\^?\s*\d+\s*/\s*[munμµ]?l|%|[a-zμµ]+(?:\s*/\s*[a-zμµ0-9.\[\]]+)*)?"
)


@cache
def _lab_patterns() -> list[tuple[str, re.Pattern]]:
    out = []
    for a in analytes().values():
        names = sorted(
            {n for n in (a.key.replace("_", " "), *a.aliases) if len(n) > 2}, key=len, reverse=True
        )
        if not names:
            continue
        alt = "|".join(re.escape(n) for n in names)
        pat = re.compile(
            rf"(?<![\w-])(?:{alt})(?:\s+(?:count|level|levels|concentration))?"
            rf"(?:\s+(?:of|was|is|were|at|:|=))*\s*{_NUM}\s*{_UNIT}",
            re.IGNORECASE,
        )
        out.append((a.key, pat))
    return out


def _labs(text: str) -> dict[str, LabValue]:
    labs: dict[str, LabValue] = {}
    for key, pat in _lab_patterns():
        for m in pat.finditer(text):
            unit = (m["unit"] or "").strip().rstrip(".,")
            if not unit:
                continue  # a bare number is ambiguous (40,000 platelets? per what?)
            try:
                value = parse_quantity(m["num"].replace(",", "")).value
                normalize_unit(unit)
            except UnitError:
                continue
            labs[key] = LabValue(key, value, unit)
            break
    return labs


_SCORES = (
    (
        "ecog",
        re.compile(
            r"\becog(?:\s+performance(?:\s+status)?)?(?:\s+(?:score|of|is|was|ps|:))*\s*([0-4])\b"
        ),
    ),
    (
        "karnofsky",
        re.compile(
            r"\b(?:karnofsky|kps)(?:\s+(?:performance|status|score|of|is|was|:))*\s*(\d{2,3})"
        ),
    ),
    (
        "child_pugh",
        re.compile(
            r"\bchild[- ]pugh(?:[- ]turcotte)?(?:\s+(?:class|score|grade|of|is|was|:))*\s*([abc])\b"
        ),
    ),
    ("bclc", re.compile(r"\bbclc(?:\s+(?:stage|class|of|is|was|:))*\s*([0abcd])\b")),
    ("nyha", re.compile(r"\bnyha(?:\s+(?:class|of|is|was|:))*\s*(iv|iii|ii|i|[1-4])\b")),
)


def _scores(low: str) -> dict[str, str]:
    out = {}
    for system, pat in _SCORES:
        m = pat.search(low)
        if m:
            out[system] = m.group(1).upper()
    return out
