"""Rules and reasons in the words a patient uses: "HBV DNA above 2,000 copies/mL", never
"hbv_dna > 343.642 IU/mL". Names and units come from data (plain.json, then the vocabulary's
aliases); numbers are taken from the criterion text when the trial stated them in another unit.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from trialscout import vocab

_SECTIONS = (
    *("analytes", "units", "ops", "symbols", "scores", "reasons", "statuses", "verdicts"),
    "to_doctor",
)
_NUMBER = re.compile(r"(?<![\w.^*])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)")


@cache
def tables() -> dict[str, dict[str, str]]:
    """plain.json, checked: every section maps strings to strings, and no other sections."""
    raw = json.loads(resources.files(__package__).joinpath("data/plain.json").read_text("utf-8"))
    raw.pop("_doc", None)
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise ValueError(f"plain.json: unknown section(s) {sorted(unknown)}")
    for name in _SECTIONS:
        table = raw.get(name)
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ValueError(f"plain.json: section {name!r} must map strings to strings")
    return raw


def analyte_name(key: str) -> str:
    """'hbv_dna' -> 'HBV DNA'; an analyte not in the table gets a readable vocabulary alias."""
    canon = vocab.canonical_analyte(key) or key
    if canon in tables()["analytes"]:
        return tables()["analytes"][canon]
    spec = vocab.analytes().get(canon)
    aliases = spec.aliases if spec else ()
    readable = [a for a in aliases if "_" not in a and len(a) > 3]
    return readable[0] if readable else canon.replace("_", " ")


def to_doctor(question: str) -> str:
    """A question put to the patient, as the patient asks their doctor ('Do you have X?' ->
    'Do I have X?'); '' for what the patient knows themselves (age, sex: '-' in the table)."""
    for old, new in tables()["to_doctor"].items():
        if old in question:
            if new == "-":
                return ""
            question = question.replace(old, new, 1)
    return question


def status_text(status: str | None) -> str:
    """A registry status in a few words; 'not stated' when the record has none."""
    if not status:
        return "not stated"
    return tables()["statuses"].get(status.upper(), status.lower().replace("_", " "))


def verdict_text(verdict: str) -> str:
    return tables()["verdicts"].get(verdict, verdict.replace("_", " "))


def score_name(system: str) -> str:
    return tables()["scores"].get(system, system.replace("_", " "))


def unit_text(unit: str | None) -> str:
    """'10^9/L' -> '×10⁹/L', 'umol/L' -> 'µmol/L', '1' (a pure number) -> ''."""
    if unit is None:
        return ""
    return tables()["units"].get(unit.strip(), unit.strip())


def number(value: float | int | str) -> str:
    """2000 -> '2,000', 1.5 -> '1.5', 343.642 -> '343.6' (at most four significant digits)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{float(f'{v:.4g}'):,}".rstrip("0").rstrip(".")


def quantity(value: Any, unit: str | None) -> str:
    shown = unit_text(unit)
    if unit == "xULN":
        return f"{number(value)} {shown}"
    if shown.startswith("×") or not shown or shown == "%":
        sep = "" if shown == "%" else " "
        return f"{number(value)}{sep + shown if shown else ''}"
    return f"{number(value)} {shown}"


def stated_quantity(rule: dict[str, Any], text: str) -> tuple[str, str] | None:
    """The number and unit the trial wrote for a lab rule whose value was converted (2000
    copies/mL for 343.642 IU/mL): the first number in the text that converts to the rule's."""
    analyte, target = rule.get("analyte"), rule.get("value")
    if not analyte or not isinstance(target, int | float) or not text:
        return None
    for m in _NUMBER.finditer(text):
        found = vocab.match_unit(text[m.end() :])
        if found is None:
            continue
        unit = text[m.end() : m.end() + found[1]].strip()
        value = float(m.group(1).replace(",", ""))
        try:
            q = vocab.to_canonical(analyte, value, unit)
        except (ValueError, TypeError):
            continue
        if q.unit == rule.get("unit", q.unit) and abs(q.value - target) <= 1e-3 * abs(target):
            return number(value), unit_text(found[0].token)
    return None


def _lab_phrase(rule: dict[str, Any], text: str) -> str:
    name, op = analyte_name(str(rule.get("analyte", ""))), str(rule.get("op", ""))
    if op == "between":
        low, high = rule.get("min"), rule.get("max")
        return f"{name} between {number(low)} and {quantity(high, rule.get('unit'))}"
    value = rule.get("value")
    if isinstance(value, str):  # qualitative: "HBeAg negative"
        return f"{name} {value}"
    shown = stated_quantity(rule, text)
    amount = f"{shown[0]} {shown[1]}" if shown else quantity(value, rule.get("unit"))
    word = tables()["ops"].get(op, op)
    return f"{name} {word} {amount}".replace("  ", " ").strip()


def _score_phrase(rule: dict[str, Any]) -> str:
    name = score_name(str(rule.get("system", "score")))
    allowed = [str(a) for a in rule.get("allowed") or []]
    if allowed:
        listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
        return f"{name} {listed}"
    word = tables()["ops"].get(str(rule.get("op", "")), "")
    return f"{name} {word} {number(rule.get('value', ''))}".replace("  ", " ")


def _window(rule: dict[str, Any]) -> str:
    if rule.get("within_days"):
        span = _days(int(rule["within_days"]))
        return f" in the last {span[2:] if span.startswith('1 ') else span}"
    if rule.get("since_days"):
        return f" at least {_days(int(rule['since_days']))} ago"
    return ""


def _days(days: int) -> str:
    years = round(days / 365.25)
    if years >= 1 and abs(days - 365.25 * years) <= 3:
        return f"{years} year{'s' if years > 1 else ''}"
    if days >= 28 and abs(days - 30.4 * round(days / 30.4)) < 3:
        months = round(days / 30.4)
        return f"{months} month{'s' if months > 1 else ''}"
    if days % 7 == 0:
        return f"{days // 7} week{'s' if days > 7 else ''}"
    return f"{days} days"


def rule_phrase(rule: dict[str, Any], text: str = "") -> str:
    """One parsed rule as a patient would write it; `text` is its criterion's own text."""
    kind = rule.get("type")
    if kind == "age":
        low, high = rule.get("min"), rule.get("max")
        if low is not None and high is not None:
            return f"aged {number(low)} to {number(high)}"
        return (
            f"aged {number(low)} or older" if low is not None else f"aged {number(high)} or under"
        )
    if kind == "sex":
        allowed = rule.get("allowed") or []
        return {"female": "women only", "male": "men only"}.get(
            allowed[0] if len(allowed) == 1 else "", "women and men"
        )
    if kind == "lab":
        return _lab_phrase(rule, text)
    if kind == "score":
        return _score_phrase(rule)
    if kind == "condition":
        name = str(rule.get("name", ""))
        return f"{'' if rule.get('present', True) else 'no '}{name}{_window(rule)}"
    if kind == "therapy":
        name = str(rule.get("name", ""))
        return f"{'treated with' if rule.get('present', True) else 'no'} {name}{_window(rule)}"
    if kind == "life_expectancy":
        word = tables()["ops"].get(str(rule.get("op", "")), "")
        return f"expected to live {word} {number(rule.get('value', ''))} months".replace("  ", " ")
    return str(rule.get("text") or kind or "")


_REASON_QUANTITY = re.compile(
    r"\b([a-z][a-z0-9_]*) ([<>]=?|=) ([-\d.]+) (\S+)|\b([a-z][a-z0-9_]*) ([-\d.]+) (\S+)"
)


def plain_reason(reason: str) -> str:
    """The matcher's reason with internal analyte names, raw units and ugly numbers replaced."""
    text = reason
    for old, new in tables()["reasons"].items():
        text = text.replace(old, new)
    text = re.sub(r"\bno ([a-z][a-z0-9_]*) value given", _no_value, text)
    text = re.sub(r"([<>]=?) (-?\d+(?:\.\d+)?)(?: (\S+?))?(?=[);,]|$)", _threshold, text)
    text = re.sub(r":? (meets|fails) ([<>≤≥=]) ", _verb, text)
    text = re.sub(
        r"\b([a-z][a-z0-9]*_[a-z0-9_]+|[a-z]{2,10})\b (-?\d+(?:\.\d+)?)(?: ([^\s;,()]+))?",
        _value,
        text,
    )
    return text


def _verb(m: re.Match) -> str:
    """'859 IU/mL meets > 343' -> '859 IU/mL is above 343'; 'fails >=' -> 'is below'."""
    holds = m.group(1) == "meets"
    if m.group(2) == "=":
        return ", as required: " if holds else ", required: "
    words = {">": ("above", "not above"), "≥": ("at least", "below"),
             "<": ("below", "not below"), "≤": ("at most", "above")}  # fmt: skip
    return f" is {words[m.group(2)][0 if holds else 1]} "


def _no_value(m: re.Match) -> str:
    return f"no {analyte_name(m.group(1))} value given"


def _threshold(m: re.Match) -> str:
    symbol = tables()["symbols"].get(m.group(1), m.group(1))
    return f"{symbol} {quantity(m.group(2), m.group(3) or '1')}"


def _value(m: re.Match) -> str:
    word = m.group(1)
    if vocab.canonical_analyte(word) is None or word in ("age",):
        return m.group(0)
    unit = m.group(3)
    if unit and _is_unit(unit):
        return f"{analyte_name(word)} {quantity(m.group(2), unit)}"
    tail = f" {unit}" if unit else ""
    return f"{analyte_name(word)} {number(m.group(2))}{tail}"


def _is_unit(token: str) -> bool:
    if token in tables()["units"] or token == "%":
        return True
    try:
        vocab.parse_unit(token)
    except ValueError:
        return False
    return True
