"""Three-valued (Kleene) evaluation of a criterion's logic tree (contract 1, versions 1 and 2).

`logic` is "all", "any" (every rule, version 1 and 2) or a tree of {"all": [...]},
{"any": [...]}, {"not": X} over rule indexes. An `other` rule is unknown. A leaf that does not
apply to the patient (pregnancy for a man) drops out of its node; a node with nothing
applicable is itself not applicable. Walking down the tree tracks negation, so a condition or
therapy leaf knows whether presuming its concept absent would clear the patient of an
exclusion (the only use of that presumption).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trialscout.match.results import RuleOutcome

NA = "not_applicable"
Value = bool | None | str  # True / False / None (unknown) / NA


@dataclass(slots=True)
class Outcome:
    value: Value
    deciding: list[RuleOutcome] = field(default_factory=list)


Leaf = Callable[[int, bool], RuleOutcome]  # (rule index, under an odd number of `not`s)


@dataclass(frozen=True, slots=True)
class Fixed:
    """A subtree whose value does not depend on the patient, evaluated once (see `fold`)."""

    outcome: Outcome


def tree_of(crit: dict[str, Any]) -> Any:
    """The criterion's tree; "all"/"any" (or none) cover every rule."""
    logic = crit.get("logic")
    if isinstance(logic, dict):
        return logic
    every = list(range(len(crit.get("rules") or [])))
    return {"any": every} if logic == "any" else {"all": every}


def leaves(node: Any) -> set[int]:
    if isinstance(node, int):
        return {node}
    if isinstance(node, dict):
        return set().union(*(leaves(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(leaves(v) for v in node)) if node else set()
    raise ValueError(f"logic tree node must be an index, a list or an object, not {node!r}")


def evaluate(node: Any, leaf: Leaf, negated: bool = False) -> Outcome:
    if isinstance(node, int):
        out = leaf(node, negated)
        return Outcome(out.holds if out.applicable else NA, [out])
    if isinstance(node, Fixed):
        return Outcome(node.outcome.value, list(node.outcome.deciding))
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"logic tree node must have one of all/any/not, not {node!r}")
    (op, arg), = node.items()  # fmt: skip
    if op == "not":
        inner = evaluate(arg, leaf, not negated)
        flip = inner.value if inner.value in (None, NA) else not inner.value
        return Outcome(flip, inner.deciding)
    if op not in ("all", "any") or not isinstance(arg, list):
        raise ValueError(f"logic tree operator must be all/any/not over a list, not {op!r}")
    return _combine(op, [evaluate(child, leaf, negated) for child in arg])


def _combine(op: str, parts: list[Outcome]) -> Outcome:
    live = [p for p in parts if p.value != NA]
    if not live or (op == "all" and len(live) < len(parts) and all(p.value is None for p in live)):
        # nothing applies, or what applies only qualifies what does not ('nursing a baby' for
        # a man): the conjunction does not apply either
        return Outcome(NA, [d for p in parts if p.value == NA for d in p.deciding])
    decisive = op != "all"  # `all` is decided by a False, `any` by a True
    for wanted in (decisive, None):
        hits = [p for p in live if p.value is wanted]
        if hits:
            return Outcome(wanted, [d for p in hits for d in p.deciding])
    return Outcome(not decisive, [d for p in live for d in p.deciding])


def fold(node: Any, fixed: set[int], leaf: Leaf) -> Any:
    """The tree with every subtree whose leaves are all in `fixed` replaced by its `Fixed`
    outcome. `leaf` evaluates those leaves; their outcome must depend neither on the patient
    nor on negation (rules no one can compute). A subtree that fails to evaluate is kept as
    it is, so evaluating the folded tree raises what the original would."""
    try:
        if leaves(node) <= fixed:
            return Fixed(evaluate(node, leaf))
    except (ValueError, TypeError, IndexError, KeyError):
        return node
    if isinstance(node, dict) and len(node) == 1:
        (op, arg), = node.items()  # fmt: skip
        if op == "not":
            return {"not": fold(arg, fixed, leaf)}
        if op in ("all", "any") and isinstance(arg, list):
            return {op: [fold(child, fixed, leaf) for child in arg]}
    return node
