"""A ConText-style assertion engine: is a mention present, negated, historical, hypothetical or
family, as stated in its sentence?

The trigger phrases are data (`data/context.yaml`, validated on load): each has a category, a
direction and a maximum scope in word tokens; pseudo-triggers block a shorter trigger inside
them ("no increase"), terminators end scopes ("but", "however"). Matching walks word tokens once
(no regex per rule), so time grows linearly with the note.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from trialscout.patient.model import Assertion

CATEGORIES = {"negated", "historical", "hypothetical", "family", "pseudo", "terminate"}
DIRECTIONS = {"forward", "backward", "bidirectional"}
_RULE_FIELDS = {"phrase", "category", "direction", "max_scope", "ends"}
_SCOPED = ("negated", "historical", "hypothetical", "family")
_TOP = {"defaults", "rules", "sections", "negation_keeps"}
# A word (letters/digits, may hold ' or /: "h/o", "mother's") or one other visible character.
# Each repetition starts with a separator, so matching is linear.
_TOKEN = re.compile(r"[^\W_]+(?:['/][^\W_]+)*|[^\w\s]|_")


@dataclass(frozen=True, slots=True)
class Rule:
    phrase: tuple[str, ...]  # tokens
    category: str
    direction: str = "forward"
    max_scope: int = 8
    ends: tuple[str, ...] = _SCOPED  # for a terminator: the categories whose scopes it ends


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # lower case
    start: int
    end: int
    word: bool  # counts toward a scope (punctuation does not)


@dataclass(frozen=True, slots=True)
class Rules:
    by_first: dict[str, tuple[Rule, ...]]  # first token -> rules, longest phrase first
    precedence: tuple[str, ...]
    sections: dict[str, str]  # heading ("past medical history") -> category of its lines
    # words that may stand right before a negated mention without narrowing it; any other word
    # ("negative for obstructive pancreatitis") negates a narrower thing, not the concept
    negation_keeps: frozenset[str] = frozenset()


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Word and punctuation tokens of `text` (lower case) with offsets shifted by `offset`."""
    return [
        Token(m.group().lower(), m.start() + offset, m.end() + offset, m.group()[0].isalnum())
        for m in _TOKEN.finditer(text)
    ]


def _rule(raw: object, default_scope: int, where: str) -> Rule:
    if not isinstance(raw, dict) or set(raw) - _RULE_FIELDS:
        raise ValueError(f"{where}: a rule has fields {sorted(_RULE_FIELDS)}")
    phrase, category = raw.get("phrase"), raw.get("category")
    direction = raw.get("direction", "forward")
    scope = raw.get("max_scope", default_scope)
    if not isinstance(phrase, str) or not phrase.strip() or phrase != phrase.lower():
        raise ValueError(f"{where}: phrase must be non-empty lower-case text")
    if category not in CATEGORIES:
        raise ValueError(f"{where}: category must be one of {sorted(CATEGORIES)}")
    if direction not in DIRECTIONS:
        raise ValueError(f"{where}: direction must be one of {sorted(DIRECTIONS)}")
    if not isinstance(scope, int) or isinstance(scope, bool) or not 0 <= scope <= 50:
        raise ValueError(f"{where}: max_scope must be an integer 0..50")
    ends = tuple(raw.get("ends", _SCOPED))
    if not set(ends) <= set(_SCOPED) or ("ends" in raw and category != "terminate"):
        raise ValueError(f"{where}: ends lists categories {list(_SCOPED)}, on terminators only")
    return Rule(tuple(t.text for t in tokenize(phrase)), category, direction, scope, ends)


def load_rules(text: str, name: str = "context.yaml") -> Rules:
    """Validate and index rule data; raises ValueError naming the bad rule."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not {"defaults", "rules"} <= set(raw) <= _TOP:
        raise ValueError(f"{name}: expected 'defaults', 'rules' and optional 'sections'")
    sections = raw.get("sections") or {}
    if not isinstance(sections, dict) or not all(
        isinstance(k, str) and k == k.lower() and v in _SCOPED for k, v in sections.items()
    ):
        raise ValueError(f"{name}: sections map lower-case headings to {list(_SCOPED)}")
    defaults = raw["defaults"] or {}
    scope = defaults.get("max_scope", 8)
    precedence = tuple(defaults.get("precedence") or ())
    if set(precedence) != CATEGORIES - {"pseudo", "terminate"}:
        raise ValueError(f"{name}: precedence must order negated, historical, hypothetical, family")
    if not isinstance(raw["rules"], list):
        raise ValueError(f"{name}: rules must be a list")
    index: dict[str, list[Rule]] = {}
    seen: set[tuple[str, ...]] = set()
    for i, item in enumerate(raw["rules"]):
        rule = _rule(item, scope, f"{name}: rules[{i}]")
        if rule.phrase in seen:
            raise ValueError(f"{name}: rules[{i}]: duplicate phrase {' '.join(rule.phrase)!r}")
        seen.add(rule.phrase)
        index.setdefault(rule.phrase[0], []).append(rule)
    by_first = {k: tuple(sorted(v, key=lambda r: -len(r.phrase))) for k, v in index.items()}
    keeps = raw.get("negation_keeps") or []
    if not isinstance(keeps, list) or not all(isinstance(w, str) and w == w.lower() for w in keeps):
        raise ValueError(f"{name}: negation_keeps must be a list of lower-case words")
    return Rules(by_first, precedence, sections, frozenset(keeps))


@cache
def rules() -> Rules:
    text = resources.files(__package__).joinpath("data/context.yaml").read_text("utf-8")
    return load_rules(text)


@dataclass(frozen=True, slots=True)
class Trigger:
    rule: Rule
    first: int  # token index of the trigger's first token
    last: int  # token index of its last token


def triggers(tokens: Sequence[Token], table: Rules | None = None) -> list[Trigger]:
    """Triggers in token order; a matched phrase consumes its tokens (longest phrase first)."""
    table = table or rules()
    out: list[Trigger] = []
    i = 0
    while i < len(tokens):
        hit = None
        for rule in table.by_first.get(tokens[i].text, ()):
            n = len(rule.phrase)
            if tuple(t.text for t in tokens[i : i + n]) == rule.phrase:
                hit = Trigger(rule, i, i + n - 1)
                break
        if hit is None:
            i += 1
            continue
        out.append(hit)
        i = hit.last + 1
    return out


def _reach(tokens: Sequence[Token], start: int, step: int, budget: int, stops: set[int]) -> int:
    """Walk from token `start` by `step` over at most `budget` words; the last index reached."""
    i, last = start, start - step
    while 0 <= i < len(tokens) and i not in stops:
        if tokens[i].word:
            if budget == 0:
                break
            budget -= 1
        last = i
        i += step
    return last


def scopes(tokens: Sequence[Token], found: Sequence[Trigger]) -> list[tuple[str, int, int]]:
    """(category, first token, last token) covered by each modifier, trigger tokens included."""
    stops: dict[str, set[int]] = {c: set() for c in _SCOPED}
    for t in found:
        if t.rule.category == "terminate":
            for cat in t.rule.ends:
                stops[cat].update(range(t.first, t.last + 1))
    out = []
    for t in found:
        cat = t.rule.category
        if cat in ("pseudo", "terminate"):
            continue
        lo, hi = t.first, t.last
        if t.rule.direction in ("forward", "bidirectional"):
            hi = max(hi, _reach(tokens, t.last + 1, 1, t.rule.max_scope, stops[cat]))
        if t.rule.direction in ("backward", "bidirectional"):
            lo = min(lo, _reach(tokens, t.first - 1, -1, t.rule.max_scope, stops[cat]))
        out.append((cat, lo, hi))
    return out


def assert_spans(
    sentence: str, offset: int, spans: Sequence[tuple[int, int]], table: Rules | None = None
) -> list[Assertion]:
    """The assertion of each (start, end) character span (absolute offsets) in one sentence."""
    table = table or rules()
    tokens = tokenize(sentence, offset)
    starts = [t.start for t in tokens]
    covered = scopes(tokens, triggers(tokens, table))
    rank = {c: i for i, c in enumerate(table.precedence)}
    out = []
    for start, end in spans:
        first = max(0, bisect_left(starts, start + 1) - 1)
        last = max(first, bisect_left(starts, end) - 1)
        cats = [c for c, lo, hi in covered if lo <= last and first <= hi]
        best = min(cats, key=rank.__getitem__) if cats else None
        out.append(Assertion(best) if best else Assertion.PRESENT)
    return out
