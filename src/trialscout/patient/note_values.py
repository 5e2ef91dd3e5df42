"""Values stated in a note next to a vocabulary mention: lab results, scores, age, sex, place.

The analyte or score system is found by `vocab.find`; this module reads the few words after it
("platelet count was 85 x10^9/L", "HBeAg negative", "ECOG PS 1") or, for qualitative results,
before it ("negative for HBsAg"). Values are converted with `vocab.to_canonical`. The word lists
are data (`data/note.yaml`); the only regexes are anchored or linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from trialscout import vocab
from trialscout.patient.context import tokenize
from trialscout.patient.model import LabValue

_NUMBER = re.compile(r"([<>]=?|≤|≥)?(\d+(?:[.,]\d+)*)(.*)")  # each repeat starts with [.,]
_COMPARATOR = {"≤": "<=", "≥": ">="}
_POWER = re.compile(r"[x×*]10\^?(\d{1,2})")
_AGE = (
    (re.compile(r"\b(\d{1,3})[- ]?(?:year|yr)s?[- ]?old\b"), 1.0),
    (re.compile(r"\b(\d{1,3}) ?(?:yo|y/o|y\.o\.|yrs?)\b"), 1.0),
    (re.compile(r"\baged? ?(\d{1,3})\b"), 1.0),
    (re.compile(r"\b(\d{1,2})[- ]?months?[- ]?old\b"), 1 / 12),
    (re.compile(r"\b(\d{1,2})[- ]?weeks?[- ]?old\b"), 1 / 52),
    (re.compile(r"\b(\d{1,2})[- ]?days?[- ]?old\b"), 1 / 365),
)
_LEADING_AGE_SEX = re.compile(r"(\d{1,3}) ?(?:-?year-?old ?)?([mf])\b")  # "48 M", at the start
_WORD = re.compile(r"[^\W_]+(?:['/][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Words:
    sex: dict[str, str]  # word -> male | female
    filler: frozenset[str]
    qualitative: dict[
        str, tuple[tuple[tuple[str, ...], str], ...]
    ]  # first word -> (phrase, result)
    cues: tuple[tuple[str, ...], ...]
    from_after: frozenset[str]
    not_city: frozenset[str]
    countries: frozenset[str]


def _words(raw: dict, key: str) -> list[str]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(w, str) and w == w.lower() for w in value):
        raise ValueError(f"note.yaml: {key!r} must be a list of lower-case words")
    return value


@cache
def words() -> Words:
    raw = yaml.safe_load(resources.files(__package__).joinpath("data/note.yaml").read_text())
    sex = {w: s for s in ("male", "female") for w in _words(raw["sex"], s)}
    qual = [
        (tuple(p.split()), result)
        for result in ("positive", "negative", "detectable", "undetectable")
        for p in _words(raw["qualitative"], result)
    ]
    loc = raw["location"]
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, result in sorted(qual, key=lambda q: -len(q[0])):
        by_first.setdefault(phrase[0], []).append((phrase, result))
    return Words(
        sex,
        frozenset(_words(raw, "value_filler")),
        {k: tuple(v) for k, v in by_first.items()},
        tuple(tuple(c.split()) for c in _words(loc, "cues")),
        frozenset(_words(loc, "from_after")),
        frozenset(_words(loc, "not_city")),
        frozenset(_words(loc, "countries")),
    )


def _after(text: str, limit: int = 12) -> list[str]:
    """The first words after a mention, split on spaces, brackets and ':;,=' at their ends
    removed ("(AST): 17 U/L" -> "AST", "17", "U/L"); "(+)" and "(-)" are kept."""
    out = []
    for raw in text.split(maxsplit=limit)[:limit]:
        word = raw if raw in ("(+)", "(-)") else raw.strip("():;,=").rstrip(".")
        if word:
            out.append(word)
    return out


def _skip_filler(items: list[str]) -> list[str]:
    filler = words().filler
    i = 0
    while i < len(items) and items[i].lower() in filler:
        i += 1
    return items[i:]


def qualitative_after(items: list[str]) -> str | None:
    low = [w.lower() for w in _skip_filler(items)[:8]]
    for phrase, result in words().qualitative.get(low[0], ()) if low else ():
        if tuple(low[: len(phrase)]) == phrase:
            return result
    return None


def qualitative_before(before: str) -> str | None:
    """'negative for' / 'positive for' a few words before the analyte ("negative for HBsAg")."""
    tail = _WORD.findall(before.lower())[-8:]
    for i in range(len(tail) - 1, 0, -1):
        if tail[i] == "for" and tail[i - 1] in ("positive", "negative"):
            between = tail[i + 1 :]
            if not {"but", "however", "and"} & set(between[:-1]):
                return tail[i - 1]
            return None
    return None


def canonical_result(analyte: str, result: str) -> str:
    """Nucleic acids (HBV DNA, HCV RNA) are (un)detectable; antigens and antibodies are
    positive/negative: one spelling per analyte, so "HBV DNA negative" is "undetectable"."""
    if analyte.endswith(("_dna", "_rna")):
        return {"positive": "detectable", "negative": "undetectable"}.get(result, result)
    return {"detectable": "positive", "undetectable": "negative"}.get(result, result)


def _number(word: str) -> tuple[str | None, float, str] | None:
    m = _NUMBER.fullmatch(word)
    if m is None:
        return None
    digits = m.group(2)
    groups = digits.split(",")
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        digits = "".join(groups)
    try:
        value = float(digits.replace(",", "."))
    except ValueError:
        return None
    cmp = m.group(1)
    return (_COMPARATOR.get(cmp, cmp) if cmp else None), value, m.group(3)


def lab_value(analyte: str, after: str) -> LabValue | None:
    """A lab result from the words after the analyte's name, in the canonical unit."""
    items = _skip_filler(_after(after))
    result = qualitative_after(items)
    if result and vocab.analyte(analyte).qualitative:
        return LabValue(analyte, None, "", result=canonical_result(analyte, result))
    if len(items) > 1 and items[0] in ("<", ">", "<=", ">=", "≤", "≥"):
        items = [items[0] + items[1], *items[2:]]  # "< 20 IU/mL"
    parsed = _number(items[0]) if items else None
    if parsed is None:
        return None
    cmp, value, attached = parsed
    rest = items[1:5]
    value, attached, rest = _power_of_ten(value, attached, rest)
    units = [attached] if attached else [" ".join(rest[:n]) for n in (1, 2, 3) if len(rest) >= n]
    for unit in units:
        try:
            q = vocab.to_canonical(analyte, value, unit)
        except (vocab.UnitError, ValueError, OverflowError):
            continue
        return LabValue(analyte, q.value, q.unit, cmp)
    if vocab.analyte(analyte).unit == "1" and not vocab.analyte(analyte).qualitative:
        return LabValue(analyte, value, "1", cmp)  # a ratio such as INR needs no unit
    bare = vocab.bare_unit(analyte, value)  # 'platelets 150,000', 'Hb 9.5': one unit can explain it
    if bare and not attached:
        q = vocab.to_canonical(analyte, value, bare)
        return LabValue(analyte, q.value, q.unit, cmp)
    return None


def _power_of_ten(value: float, attached: str, rest: list[str]) -> tuple[float, str, list[str]]:
    """'2.3 x 10^4 IU/mL' / '1.2×10^5 copies/mL': scale the value, keep the unit after it.
    ('85 x 10^9/L' is left alone: there 10^9/L is the unit.)"""
    words = ([attached] if attached else []) + rest
    if words and words[0] in ("x", "×", "*") and len(words) > 2:
        words = [words[0] + words[1], *words[2:]]
    if len(words) > 1 and _POWER.fullmatch(words[0]):
        power = int(_POWER.fullmatch(words[0]).group(1))
        return value * 10.0**power, "", words[1:]
    return value, attached, rest


def score_value(system: str, after: str) -> tuple[str, str] | None:
    """(system, value) from the words after a score's name; letters must be capitals as
    written ("Child-Pugh B"), so "her child was a ..." is no Child-Pugh class."""
    spec = vocab.score_systems()[system]
    items = _skip_filler(_after(after, 8))
    if not items:
        return None
    raw = items[0]
    token = raw.lower()
    for value in spec.values:
        text = str(value)
        if text.isdigit() and token == text:
            return system, text
        if text.isalpha() and (
            raw == text or (len(text) == 1 and raw[:1] == text and raw[1:].isdigit())
        ):
            return system, text
        if text in ("I", "II", "III", "IV") and token in ("1", "2", "3", "4"):
            return system, ("I", "II", "III", "IV")[int(token) - 1]
    parsed = _number(token)
    numeric = spec if spec.numeric else vocab.score_systems().get(f"{system}_score")
    if parsed and numeric is not None and not parsed[0]:
        lo, hi = numeric.min or 0, numeric.max if numeric.max is not None else float("inf")
        if lo <= parsed[1] <= hi and parsed[2] in ("", "%"):
            return numeric.name, f"{parsed[1]:g}"
    return None


def age(low: str) -> float | None:
    m = _LEADING_AGE_SEX.match(low.lstrip())
    if m:
        return float(m.group(1))
    for pattern, scale in _AGE:
        m = pattern.search(low)
        if m:
            return round(int(m.group(1)) * scale, 2)
    return None


def sex(low: str) -> str | None:
    m = _LEADING_AGE_SEX.match(low.lstrip())
    if m:
        return "male" if m.group(2) == "m" else "female"
    counts = {"male": 0, "female": 0}
    table = words().sex
    for word in _WORD.findall(low):
        if word in table:
            counts[table[word]] += 1
    if counts["male"] == counts["female"]:
        return None
    return "male" if counts["male"] > counts["female"] else "female"


def _tokens(text: str) -> list:
    """Tokens keeping their case (context.tokenize lower-cases them)."""
    return [type(t)(text[t.start : t.end], t.start, t.end, t.word) for t in tokenize(text)]


def location(text: str) -> dict[str, str]:
    """{"city": "Hangzhou"} from "lives near Hangzhou"; {"country": ...} for a country."""
    w = words()
    tokens = [t.text for t in _tokens(text[:20000])]
    low = [t.lower() for t in tokens]
    for i in range(len(tokens)):
        end = next((i + len(c) for c in w.cues if tuple(low[i : i + len(c)]) == c), None)
        if end is None and low[i] == "from" and i > 0 and low[i - 1] in w.from_after:
            end = i + 1
        if end is None:
            continue
        place = []
        for tok in tokens[end : end + 3]:
            if not tok[0].isupper() or not tok.isalpha() or tok.lower() in w.not_city:
                break
            place.append(tok)
        name = " ".join(place)
        if name and name.lower() in w.countries:
            return {"country": name}
        if name and not (end < len(tokens) and tokens[end].lower() in w.not_city):
            following = low[end + len(place)] if end + len(place) < len(low) else ""
            if following not in w.not_city:
                return {"city": name}
    return {}
