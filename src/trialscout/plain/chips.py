"""Which rules of a parsed criterion a page shows as chips, read as the criterion means them.

A rule inside a `not` of the logic tree is shown negated: "No prior chemotherapy,
immunotherapy ... for HCC" is stored as not(any of the therapies AND 'for HCC'), and each
therapy rule in it says `present: true`; shown alone it would read "treated with chemotherapy",
the opposite of the criterion.
"""

from __future__ import annotations

from typing import Any


def _negated_indexes(node: Any, negated: bool, out: dict[int, bool]) -> None:
    if isinstance(node, int):
        out[node] = negated
    elif isinstance(node, dict):
        for op, child in node.items():
            if op == "not":
                _negated_indexes(child, not negated, out)
            elif isinstance(child, list):
                for c in child:
                    _negated_indexes(c, negated, out)


def chip_rules(criterion: dict[str, Any]) -> list[dict[str, Any]]:
    """The computable rules of a criterion, `present` flipped where the tree negates them."""
    rules = criterion.get("rules") or []
    negated: dict[int, bool] = {}
    _negated_indexes(criterion.get("logic"), False, negated)
    out = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or rule.get("type") == "other":
            continue
        if negated.get(i) and rule.get("type") in ("condition", "therapy"):
            rule = {**rule, "present": not rule.get("present", True)}
        out.append(rule)
    return out
