"""Criteria as separate items, so an alert can say "exclusion criterion dropped: ...".

Uses the criteria stage's splitter and item parser when that stage is installed (changed items
then carry their parsed rules); otherwise a small splitter on the registry's usual
"Inclusion/Exclusion Criteria:" headings and bullet lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_HEADING = re.compile(r"^\s*(inclusion|exclusion)\b[^:\n]*:?\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf]|\d{1,2}[.)])\s+")


@dataclass(slots=True, frozen=True)
class CriterionItem:
    kind: str  # inclusion | exclusion | other
    text: str
    rules: tuple[Any, ...] = field(default=(), compare=False)

    def as_value(self) -> dict[str, Any]:
        value: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.rules:
            value["rules"] = list(self.rules)
        return value


def _stage():
    try:
        from trialscout.criteria import parse_item, split_items  # optional stage
    except ImportError:
        return None
    return split_items, parse_item


def split_items(text: str | None) -> list[CriterionItem]:
    """Items without rules (cheap): the criteria stage's splitter, else a simple one."""
    if not text:
        return []
    stage = _stage()
    if stage is not None:
        try:
            return [CriterionItem(i.kind, _norm(i.text)) for i in stage[0](text) if i.text.strip()]
        except Exception:  # noqa: BLE001 - a splitter bug must not block ingest; fall back
            pass
    return _split_simple(text)


def with_rules(text: str | None, items: list[CriterionItem]) -> list[CriterionItem]:
    """Parsed rules for just these items (parsing every item of both versions is the slow part)."""
    stage = _stage()
    if stage is None or not items:
        return items
    wanted = {(i.kind, i.text) for i in items}
    rules: dict[tuple[str, str], tuple] = {}
    try:
        for raw in stage[0](text):
            key = (raw.kind, _norm(raw.text))
            if key in wanted and key not in rules:
                rules[key] = tuple(stage[1](raw).get("rules") or ())
    except Exception:  # noqa: BLE001 - rules are a bonus; the item change is still reported
        return items
    return [CriterionItem(i.kind, i.text, rules.get((i.kind, i.text), ())) for i in items]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _split_simple(text: str) -> list[CriterionItem]:
    kind, items, current = "other", [], []

    def flush() -> None:
        if current:
            items.append(CriterionItem(kind, _norm(" ".join(current))))
            current.clear()

    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading and len(line.strip()) < 60:
            flush()
            kind = heading.group(1).lower()
        elif _BULLET.match(line):
            flush()
            current.append(_BULLET.sub("", line, count=1))
        elif line.strip():
            current.append(line)
        else:
            flush()
    flush()
    return [i for i in items if i.text]


def diff_items(
    old: str | None, new: str | None
) -> list[tuple[CriterionItem | None, CriterionItem | None]]:
    """(removed, None) and (None, added) pairs; an edited item shows as removed plus added."""
    a, b = split_items(old), split_items(new)
    old_keys = {(i.kind, i.text) for i in a}
    new_keys = {(i.kind, i.text) for i in b}
    removed = with_rules(old, [i for i in a if (i.kind, i.text) not in new_keys])
    added = with_rules(new, [i for i in b if (i.kind, i.text) not in old_keys])
    return [(i, None) for i in removed] + [(None, i) for i in added]
