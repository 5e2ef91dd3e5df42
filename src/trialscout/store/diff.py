"""Field-level differences between two stored versions of a trial (alerts build on this)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# List fields whose items have an identity, so a change reads "locations[X].status" rather
# than "the whole list changed". The key function names an item in the change path.
_ITEM_KEYS = {
    "locations": lambda d: ", ".join(
        x for x in (d.get("facility"), d.get("city"), d.get("country")) if x
    ),
    "arms": lambda d: d.get("label") or "",
    "interventions": lambda d: d.get("name") or "",
    "outcomes": lambda d: f"{d.get('kind')}: {d.get('measure')}",
    "collaborators": lambda d: d.get("name") or "",
}


@dataclass(slots=True, frozen=True)
class FieldChange:
    field: str  # dotted path, e.g. "overall_status", "locations[Ningbo No.2 Hospital].status"
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


def diff_trials(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Changes from `old` to `new` (both `Trial.to_dict()` shapes), in field order."""
    changes: list[FieldChange] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key in _ITEM_KEYS and isinstance(a or [], list) and isinstance(b or [], list):
            changes.extend(_diff_items(key, a or [], b or [], _ITEM_KEYS[key]))
        elif isinstance(a, dict) and isinstance(b, dict):
            changes.extend(FieldChange(f"{key}.{c.field}", c.old, c.new) for c in diff_trials(a, b))
        else:
            changes.append(FieldChange(key, a, b))
    return changes


def _diff_items(key: str, a: list[dict], b: list[dict], name) -> list[FieldChange]:
    old_items = {name(x): x for x in a}
    new_items = {name(x): x for x in b}
    changes = []
    for item in dict.fromkeys([*old_items, *new_items]):
        x, y = old_items.get(item), new_items.get(item)
        path = f"{key}[{item}]"
        if x is None or y is None:
            changes.append(FieldChange(path, x, y))
        elif x != y:
            changes.extend(
                FieldChange(f"{path}.{c.field}", c.old, c.new) for c in diff_trials(x, y)
            )
    return changes
