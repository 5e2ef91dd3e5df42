"""Kleene three-valued logic over contract-1 v2 trees (all / any / not; not-applicable leaves)."""

from __future__ import annotations

import pytest

from trialscout.match.logic import NA, evaluate, leaves, tree_of
from trialscout.match.results import RuleOutcome

T, F, U = True, False, None


def run(tree, values):
    def leaf(i, _negated):
        v = values[i]
        return RuleOutcome(None, "na", applicable=False) if v == NA else RuleOutcome(v, str(i))

    return evaluate(tree, leaf).value


@pytest.mark.parametrize(
    ("tree", "values", "expected"),
    [
        ({"all": [0, 1]}, [T, T], T),
        ({"all": [0, 1]}, [T, U], U),
        ({"all": [0, 1]}, [F, U], F),
        ({"any": [0, 1]}, [F, U], U),
        ({"any": [0, 1]}, [T, U], T),
        ({"any": [0, 1]}, [F, F], F),
        ({"not": 0}, [U], U),
        ({"not": {"any": [0, 1]}}, [F, F], T),
        ({"all": [{"any": [0, 1]}, 2]}, [F, T, T], T),
        ({"all": [{"any": [0, 1]}, 2]}, [F, F, U], F),
        ({"all": [0, 1]}, [NA, F], F),
        ({"any": [0, 1]}, [NA, NA], NA),
        ({"not": 0}, [NA], NA),
    ],
)
def test_kleene(tree, values, expected):
    assert run(tree, values) == expected


def test_negation_is_passed_to_leaves():
    seen = {}

    def leaf(i, negated):
        seen[i] = negated
        return RuleOutcome(True, "")

    evaluate({"all": [0, {"not": {"any": [1, {"not": 2}]}}]}, leaf)
    assert seen == {0: False, 1: True, 2: False}


def test_tree_of_version_1_and_leaves():
    crit = {"rules": [{}, {}, {}], "logic": "any"}
    assert tree_of(crit) == {"any": [0, 1, 2]}
    assert tree_of({"rules": [{}]}) == {"all": [0]}
    assert leaves({"all": [0, {"not": {"any": [2, 3]}}]}) == {0, 2, 3}


@pytest.mark.parametrize("bad", [{"all": 0}, {"xor": [0]}, {"all": [0], "any": [1]}, "0"])
def test_malformed_tree_raises(bad):
    with pytest.raises(ValueError, match="logic tree"):
        evaluate(bad, lambda i, n: RuleOutcome(True, ""))
