"""The field-to-category rules (categories.json), loaded once and validated."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(slots=True, frozen=True)
class CategoryRule:
    path: str
    category: str
    pattern: re.Pattern[str]


def _compile(path: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in path.split("*")))


def load_rules(text: str | None = None) -> tuple[frozenset[str], list[CategoryRule]]:
    """Parse the rules file; a bad entry raises ValueError naming it."""
    if text is None:
        text = resources.files("trialscout.alerts").joinpath("categories.json").read_text("utf-8")
    data = json.loads(text)
    categories = frozenset(data.get("categories") or [])
    if not categories:
        raise ValueError("categories.json: 'categories' must be a non-empty list")
    rules = []
    for i, entry in enumerate(data.get("rules") or []):
        path, category = entry.get("path"), entry.get("category")
        if not isinstance(path, str) or not path:
            raise ValueError(f"categories.json: rules[{i}] needs a 'path' string")
        if category not in categories:
            raise ValueError(
                f"categories.json: rules[{i}] ({path}) has unknown category {category!r}"
            )
        rules.append(CategoryRule(path, category, _compile(path)))
    return categories, rules


@cache
def default_rules() -> list[CategoryRule]:
    return load_rules()[1]


def category_of(path: str) -> str | None:
    """The category a diff path is reported under, or None if it is not reported."""
    for rule in default_rules():
        if rule.pattern.fullmatch(path):
            return rule.category
    return None
