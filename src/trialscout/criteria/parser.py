"""parse_criteria: criteria text -> contract 1 (`{"nct_id", "criteria": [...]}`).

Each item from the splitter goes through every extractor on one normalized spelling; spans
already read as a lab, score, age or life expectancy are not read again as a condition. An item
with no computable rule becomes one `other` rule that keeps its text. The parser never raises:
an extractor failure on one item degrades that item to `other`.
"""

from __future__ import annotations

import re
from typing import Any

from trialscout.criteria.concepts import extract_conditions, extract_therapies, not_computable
from trialscout.criteria.demographics import extract_age, extract_life, extract_sex
from trialscout.criteria.labs import extract_labs
from trialscout.criteria.matching import Found
from trialscout.criteria.scores import extract_scores
from trialscout.criteria.split import Item, split_items
from trialscout.criteria.textnorm import normalize

PARSER_VERSION = 2  # bump when output changes: stored parses are redone on read
MAX_ITEM_CHARS = 4000  # longer "items" are run-on pages; read only their start

_IF_SENTENCE = re.compile(r"(?:^|(?<=[.;]\s))(?:if|when|for patients who|in case)\b[^.;]*[.;]?")
_REWRITES = [
    (
        re.compile(r"\baspartate\s+(or|and|/)\s+alanine\s+aminotransferases?\b"),
        r"aspartate aminotransferase \1 alanine aminotransferase",
    ),
    (
        re.compile(r"\balanine\s+(or|and|/)\s+aspartate\s+aminotransferases?\b"),
        r"alanine aminotransferase \1 aspartate aminotransferase",
    ),
    (re.compile(r"\b(?:serum\s+)?(?:amino)?transaminases\b"), "ast and alt"),
    (re.compile(r"\bsgot\s*/\s*sgpt\b"), "sgot / sgpt"),
]


def parse_criteria(text: str | None, nct_id: str | None = None) -> dict[str, Any]:
    """Contract 1 for any text at all (None, empty, garbage, 100 KB): never raises."""
    try:
        items = split_items(text if isinstance(text, str) else None)
    except Exception:  # pragma: no cover - the splitter is total; this is the last guard
        items = [
            Item("inclusion", line.strip()) for line in str(text or "").splitlines() if line.strip()
        ]
    return {"nct_id": nct_id, "criteria": [parse_item(item) for item in items]}


def parse_item(item: Item) -> dict[str, Any]:
    """One criterion of contract 1 for one split item."""
    criterion: dict[str, Any] = {"kind": item.kind, "text": item.text}
    try:
        found, connectors = _extract(item)
    except Exception:  # an extractor bug must never lose the criterion
        found, connectors = [], []
    rules = _dedupe([f.rule for f in found])
    if not rules:
        criterion["rules"] = [{"type": "other", "text": item.text}]
        return criterion
    logic = _logic(item.kind, connectors) if len(rules) > 1 else "all"
    if logic is None:  # nested and/or: not computable as a flat rule list
        criterion["rules"] = [{"type": "other", "text": item.text}]
        return criterion
    criterion["rules"] = rules
    if logic == "any":
        criterion["logic"] = "any"
    return criterion


def _extract(item: Item) -> tuple[list[Found], list[str]]:
    source = item.text if item.rule_text is None else item.rule_text
    if item.context and source.startswith(item.context + ":"):
        source = source[len(item.context) + 1 :]
    t = normalize(source[:MAX_ITEM_CHARS])
    if not_computable(t, item.kind):
        return [], []
    if "if " in t or "when " in t or "in case" in t or "for patients who" in t:
        t = _IF_SENTENCE.sub(lambda m: " " * len(m.group(0)), t)
    if "transaminase" in t or "aminotransferase" in t or "sgot" in t:
        for pattern, repl in _REWRITES:
            t = pattern.sub(repl, t)
    ctx = item.context
    found = extract_labs(t, item.kind)
    taken = [(f.start, f.end) for f in found]
    for f in extract_scores(t):
        if not any(f.start < e and s < f.end for s, e in taken):
            found.append(f)
    found += extract_age(t, ctx) + extract_life(t, ctx) + extract_sex(t, item.kind, ctx)
    taken = [(f.start, f.end) for f in found]
    therapies = extract_therapies(t, item.kind, taken)
    found += therapies + extract_conditions(t, item.kind, taken)
    found.sort(key=lambda f: f.start)
    connectors = [t[a.end : b.start] for a, b in zip(found, found[1:], strict=False)]
    return found, connectors


def _dedupe(rules: list[dict]) -> list[dict]:
    seen, out = set(), []
    for rule in rules:
        key = repr(sorted(rule.items()))
        if key not in seen:
            seen.add(key)
            out.append(rule)
    return out


def _logic(kind: str, connectors: list[str]) -> str | None:
    """'any', 'all', or None when 'and' and 'or' are mixed in an exclusion (nested logic).

    Exclusions list alternatives ('TACE or radiotherapy', 'HIV, HBV, HCV'); inclusions are
    conjunctions unless every connector between rules says 'or'.
    """
    has_or = [bool(re.search(r"\bor\b", c)) for c in connectors]
    if kind == "exclusion":  # ';' and ',' separate alternatives here; only 'and' conjoins
        has_and = [
            bool(re.search(r"\band\b(?!/)", c)) and not o
            for c, o in zip(connectors, has_or, strict=True)
        ]
        if any(has_and) and any(has_or) and not any("," in c for c in connectors):
            return None  # 'co-infected with HBV and HCV or with HBV and HDV
        return "all" if all(has_and) else "any"
    has_and = [
        bool(re.search(r"\band\b(?!/)|;", c)) and not o
        for c, o in zip(connectors, has_or, strict=True)
    ]
    return (
        "any"
        if connectors and all(o and not a for o, a in zip(has_or, has_and, strict=True))
        else "all"
    )
