"""Canonical forms of contract-1 v2 criteria for scoring: effective rules and logic trees.

Negations are pushed to the leaves (De Morgan), so "no A or B" written as rules with
`present: false` under `all`, or as `not(any(A, B))`, gives the same leaves and the same tree.
Trees are flattened, de-duplicated (all(a, a) = a) and sorted, so only the logic counts.
"""

from __future__ import annotations

from typing import Any

from trialscout import vocab

_FLIP_OP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
_FLIP_QUAL = {"positive": "negative", "negative": "positive"}
_FLIP_QUAL |= {"detectable": "undetectable", "undetectable": "detectable"}


def name(kind: str, text: str) -> str:
    """The vocabulary id of a condition or therapy name, or the name in lower case."""
    return (vocab.canonical(text, kind) or text).lower()


def negate(rule: dict) -> dict:
    """The rule that holds exactly when `rule` does not (marked `_not` when none is simpler)."""
    t, r = rule["type"], dict(rule)
    if t in ("condition", "therapy"):
        r["present"] = not r["present"]
    elif t == "lab" and r["op"] != "between" and isinstance(r.get("value"), str):
        if r["op"] == "=" and r["value"] in _FLIP_QUAL:
            r["value"] = _FLIP_QUAL[r["value"]]
        else:
            r["op"] = _FLIP_OP[r["op"]]
    elif t == "lab" and r["op"] != "between":
        r["op"] = _FLIP_OP[r["op"]]
    elif t != "other":
        r["_not"] = not r.get("_not", False)
    return r


def _qual_positive(rule: dict) -> dict:
    """`!= negative` is `= positive`: one spelling per qualitative rule."""
    if rule["type"] == "lab" and rule.get("op") == "!=" and rule.get("value") in _FLIP_QUAL:
        return dict(rule, op="=", value=_FLIP_QUAL[rule["value"]])
    return rule


def nnf(node: Any, rules: list[dict], neg: bool = False) -> Any:
    """A tree of ("all"|"any", [children]) whose leaves are effective rule dicts."""
    if isinstance(node, int):
        rule = rules[node] if 0 <= node < len(rules) else {"type": "other", "text": ""}
        return _qual_positive(negate(rule) if neg else rule)
    if isinstance(node, str):
        node = {node: list(range(len(rules)))}
    if "not" in node:
        return nnf(node["not"], rules, not neg)
    op = "all" if "all" in node else "any"
    kids = [nnf(k, rules, neg) for k in node[op]]
    if neg:  # De Morgan
        op = "any" if op == "all" else "all"
    return (op, kids)


def leaves(tree: Any) -> list[dict]:
    if isinstance(tree, tuple):
        return [leaf for kid in tree[1] for leaf in leaves(kid)]
    return [tree]


def _bucket(days: float | None) -> int | None:
    """Windows compared in weeks below two months, in months above (28 days = 30 days)."""
    if days is None:
        return None
    return round(days / 7) if days < 60 else 100 + round(days / 30.4375)


def _num(v: Any) -> Any:
    return float(f"{v:.3g}") if isinstance(v, (int, float)) else v


def signature(rule: dict, strict: bool = True) -> tuple:
    """What must agree for two rules to be the same rule (`strict`: v2 fields too)."""
    t, neg = rule["type"], rule.get("_not", False)
    if t in ("condition", "therapy"):
        sig: tuple = (t, name(t, rule["name"]), rule["present"])
        if strict:
            # exceptions are free text: their number is compared, not their wording
            sig += (_bucket(rule.get("within_days")), _bucket(rule.get("since_days")))
            sig += (rule.get("qualifier"), len(rule.get("except", [])))
        return sig
    if t == "lab":
        if rule["op"] == "between":
            vals: tuple = (_num(rule["min"]), _num(rule["max"]))
        else:
            vals = (_num(rule["value"]),)
        return (t, rule["analyte"], rule["op"], rule.get("unit"), *vals, neg)
    if t == "age":
        return (t, rule.get("min"), rule.get("max"), neg)
    if t == "sex":
        return (t, tuple(sorted(rule["allowed"])), neg)
    if t == "score":
        return (t, rule["system"], score_set(rule), neg)
    if t == "life_expectancy":
        return (t, rule["op"], _num(round(rule["value"], 1)), neg)
    return ("other",)


def score_set(rule: dict) -> Any:
    """Closed scales compared as allowed sets, whichever form they were written in."""
    if "allowed" in rule:
        return tuple(sorted(str(v) for v in rule["allowed"]))
    system = vocab.score_systems().get(rule["system"])
    v = str(rule["value"])
    scale = [str(x) for x in system.values] if system and not system.numeric else []
    if v not in scale:
        return (rule["op"], _num(rule["value"]))
    i = scale.index(v)
    pick = {">=": scale[i:], ">": scale[i + 1 :], "<=": scale[: i + 1], "<": scale[:i], "=": [v]}
    return tuple(sorted(pick.get(rule["op"], [])))


def canon(tree: Any) -> Any:
    """Flattened, de-duplicated, sorted tree of rule signatures."""
    if not isinstance(tree, tuple):
        return signature(tree)
    op, kids = tree
    flat: set = set()
    for kid in (canon(k) for k in kids):
        if isinstance(kid, tuple) and kid and kid[0] == op and len(kid) == 2:
            flat |= set(kid[1])
        else:
            flat.add(kid)
    if len(flat) == 1:
        return flat.pop()
    return (op, tuple(sorted(flat, key=repr)))


def _group_logic(group: Any, rules: list[dict]) -> Any:
    """An applies_to group (rules written inline) as rules plus an index tree."""
    if "type" in group:
        rules.append(group)
        return len(rules) - 1
    if "rules" in group:  # contract 1 v2's group: its own rules and a tree over them
        offset = len(rules)
        rules.extend(group["rules"])
        logic = group.get("logic") or "all"
        if isinstance(logic, str):
            logic = {logic: list(range(len(group["rules"])))}
        return _shift(logic, offset)
    if "not" in group:
        return {"not": _group_logic(group["not"], rules)}
    op = "all" if "all" in group else "any"
    return {op: [_group_logic(g, rules) for g in group[op]]}


def _shift(node: Any, offset: int) -> Any:
    if isinstance(node, int):
        return node + offset
    return {
        k: ([_shift(x, offset) for x in v] if isinstance(v, list) else _shift(v, offset))
        for k, v in node.items()
    }


def criterion_tree(crit: dict) -> Any:
    """The canonical logic tree of a criterion (notes outside the tree are not part of it)."""
    return canon(nnf(crit.get("logic") or "all", crit["rules"]))


def cohort(crit: dict) -> Any:
    """The canonical applies_to of a criterion (None when it applies to everyone)."""
    group = crit.get("applies_to")
    if group is None:
        return None
    rules: list[dict] = []
    logic = _group_logic(group, rules)
    return canon(nnf(logic, rules))


def effective_rules(crit: dict) -> list[dict]:
    """Rules after negations are pushed down, plus the notes left outside the tree."""
    tree = nnf(crit.get("logic") or "all", crit["rules"])
    out = leaves(tree)
    named = _indexes(crit.get("logic") or "all", len(crit["rules"]))
    out += [r for i, r in enumerate(crit["rules"]) if i not in named]
    return out


def _indexes(node: Any, n: int) -> set[int]:
    if isinstance(node, str):
        return set(range(n))
    if isinstance(node, int):
        return {node}
    return {
        i
        for v in node.values()
        for k in (v if isinstance(v, list) else [v])
        for i in _indexes(k, n)
    }
