"""Rules read from one criterion -> a logic tree over them (contract 1, version 2).

The extractors find rules and where they sit in the text; this module reads what lies between
them. Connectors make the tree: "or" lists are alternatives, "and" lists conjunctions, a comma
takes the meaning of the list's last connector ("A, B, C or D"), and "or" binds tighter than
"and" ("hepatitis B or C infection and cirrhosis" = (B or C) and cirrhosis). A negation covering
a list negates the whole list ("no prior A or B" = neither). Words that are neither a rule nor
filler are not dropped: beside a rule they qualify it (rule AND an `other` leaf: "severe"),
between connectors they are a list member of their own (an `other` leaf: "or other heart
disease"). So a criterion can only be decided by text that was understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trialscout import vocab
from trialscout.criteria.matching import Found
from trialscout.criteria.phrases import phrases

_TOKEN = re.compile(r"and/or|[a-z0-9µμ≥≤<>=%][\w'./%^×*µμ≥≤<>=+-]*|[,;:]")
_EXCEPT = re.compile(
    r"^\W*(?:except(?:\s+for)?|excluding|other than|apart from|with the exception of|not including)\b"
)
_HISTORY_TYPES = ("condition", "therapy")


@dataclass(slots=True)
class _Element:
    leaf: Any  # a rule index or a subtree
    pre: list[str] = field(default_factory=list)  # qualifying words before it
    post: list[str] = field(default_factory=list)  # qualifying words after it


def _tokens(text: str) -> list[str]:
    return [t.rstrip(".") or t for t in _TOKEN.findall(text)]


def _connector(token: str) -> str | None:
    p = phrases()
    if token in p.or_words:
        return "or"
    if token in p.and_words:
        return "and"
    if token in (",", ";"):
        return token
    return None


def _content(words: list[str]) -> bool:
    """True when the words say something beyond filler (a qualifier we cannot compute)."""
    p = phrases()
    return any(
        w not in p.filler and _connector(w) is None and w != ":" and not re.fullmatch(r"[\d.,]+", w)
        for w in words
    )


def _pieces(gap: str) -> tuple[list[list[str]], list[str]]:
    """A gap's word runs between connectors, and the connectors (one fewer than the runs)."""
    runs: list[list[str]] = [[]]
    joins: list[str] = []
    for token in _tokens(gap):
        conn = _connector(token)
        if conn is None:
            runs[-1].append(token)
            continue
        if runs[-1] or not joins:
            joins.append(conn)
            runs.append([])
        else:  # ", or" / ", and": the word decides
            joins[-1] = conn if conn in ("or", "and") else joins[-1]
    return runs, joins


def build(text: str, found: list[Found], kind: str) -> tuple[list[dict], Any]:
    """(rules, logic) for one criterion's normalized text and its extracted rules."""
    rules = [dict(f.rule) for f in found]
    elements: list[_Element] = []
    joins: list[str] = []
    cursor = 0
    for i, f in enumerate(found):
        runs, gap_joins = _coordinated(*_pieces(text[cursor : f.start]))
        if not elements:
            _lead(rules, elements, joins, runs, gap_joins)
            elements.append(_Element(i, pre=runs[-1]))
        else:
            _between(rules, elements, joins, runs, gap_joins)
            elements.append(_Element(i, pre=runs[-1] if gap_joins else []))
        cursor = f.end
    tail_runs, tail_joins = _pieces(text[cursor:])
    _tail(rules, elements, joins, tail_runs, tail_joins)
    shared = _shared_tail(elements)
    leaves = [_qualified(rules, e) for e in elements]
    leaves, joins = _complements(rules, elements, leaves, joins)
    tree = _tree(rules, leaves, joins, kind)
    if shared:  # 'no prior A or B for HCC': the complement qualifies the whole list
        other = _other(rules, " ".join(shared))
        tree = {"not": {"all": [tree["not"], other]}} if _is_not(tree) else {"all": [tree, other]}
    return rules, tree


def _shared_tail(elements: list[_Element]) -> list[str]:
    """A prepositional phrase after the last of several list members ('... or thalidomide for
    hepatocellular cancer') belongs to the whole list: taken off the last member."""
    last = elements[-1]
    if len(elements) < 2 or not last.post or last.post[0] not in _PREPOSITIONS:
        return []
    if not all(isinstance(e.leaf, int) for e in elements) or not _content(last.post):
        return []
    words, last.post = last.post, []
    return words


def _is_not(tree: Any) -> bool:
    return isinstance(tree, dict) and set(tree) == {"not"}


_PREPOSITIONS = frozenset({"to", "of", "for", "against", "with", "toward", "towards", "due"})


def _complements(rules, elements, leaves, joins) -> tuple[list[Any], list[str]]:
    """'allergy to aspirin, famotidine or pantoprazole': the list after a preposition completes
    the rule before it (allergy AND any of them), it is not a list of alternatives to it."""
    out_leaves: list[Any] = []
    out_joins: list[str] = []
    i = 0
    while i < len(leaves):
        e = elements[i]
        j = i + 1
        if isinstance(e.leaf, int) and e.post and e.post[0] in _PREPOSITIONS:
            while j < len(leaves) and _is_other(rules, elements[j].leaf):
                j += 1
        if j > i + 1:
            extra = [elements[k].leaf for k in range(i + 1, j)]
            leaf = leaves[i]
            if isinstance(leaf, dict) and "all" in leaf:  # rule AND its own complement words
                leaf = {"all": [leaf["all"][0], {"any": [*leaf["all"][1:], *extra]}]}
            else:
                leaf = {"all": [leaf, {"any": extra}]}
            out_leaves.append(leaf)
        else:
            out_leaves.append(leaves[i])
        if out_leaves and len(out_leaves) > 1:
            out_joins.append(joins[i - 1])
        i = j
    return out_leaves, out_joins


def _is_other(rules: list[dict], leaf: Any) -> bool:
    return isinstance(leaf, int) and rules[leaf].get("type") == "other"


def _coordinated(runs: list[list[str]], joins: list[str]) -> tuple[list[list[str]], list[str]]:
    """'recent or unresolved X', 'class III or IV X': short words joined right before a rule's
    own modifier modify the rule together with it; they are not list members."""
    while (
        len(runs) >= 2
        and joins
        and joins[-1] in ("or", "and")
        and _content(runs[-1])
        and 0 < len(runs[-2]) <= 3
        and _content(runs[-2])
    ):
        runs = [*runs[:-2], [*runs[-2], joins[-1], *runs[-1]]]
        joins = joins[:-1]
    return runs, joins


def _lead(rules, elements, joins, runs, run_joins) -> None:
    """Words before the first rule: list members of their own when a connector follows them."""
    for run, join in zip(runs[:-1], run_joins, strict=True):
        if _content(run):
            elements.append(_Element(_other(rules, " ".join(run))))
            joins.append(join)


def _between(rules, elements, joins, runs, run_joins) -> None:
    """Words between two rules: qualifiers of either neighbour, or list members between joins."""
    elements[-1].post += runs[0]
    if not run_joins:
        joins.append("")
        return
    joins.append(run_joins[0])
    for run, join in zip(runs[1:-1], run_joins[1:], strict=True):
        if _content(run):
            elements.append(_Element(_other(rules, " ".join(run))))
            joins.append(join)
        elif join in ("or", "and"):
            joins[-1] = join


def _tail(rules, elements, joins, runs, run_joins) -> None:
    """Words after the last rule: an exception list, a qualifier, or further list members."""
    cut = next((i for i, r in enumerate(runs) if _EXCEPT.match(" ".join(r))), None)
    if cut is not None:
        tail_text = " ".join(" ".join(r) for r in runs[cut:])
        runs, run_joins = runs[:cut] or [[]], run_joins[: max(cut - 1, 0)]
        _except(rules, elements, tail_text)
    elements[-1].post += runs[0]
    for run, join in zip(runs[1:], run_joins, strict=False):
        if _content(run):
            joins.append(join)
            elements.append(_Element(_other(rules, " ".join(run))))


def _except(rules, elements, tail_text: str) -> None:
    """'except X': a condition rule's exception list, else a note qualifying the criterion."""
    if elements:
        last = elements[-1].leaf
        if isinstance(last, int) and rules[last].get("type") == "condition":
            rules[last]["except"] = _excepted_names(tail_text)
            return
    _other(rules, tail_text)  # 'except topical use': qualifies the criterion, not in the tree


def _excepted_names(text: str) -> list[str]:
    """'except non-melanoma skin cancer or carcinoma in situ' -> the names, vocabulary ids
    where a whole name is one concept, else as written."""
    body = _EXCEPT.sub("", text)
    names = [n.strip(" .,;()") for n in re.split(r",|;|\bor\b|\band\b", body)]
    return [vocab.canonical(n, "condition") or n for n in names if n]


def _other(rules: list[dict], text: str) -> int:
    rules.append({"type": "other", "text": text.strip(" ,;:")})
    return len(rules) - 1


def _qualified(rules: list[dict], e: _Element) -> Any:
    words = e.pre + e.post
    if not _content(words) or not isinstance(e.leaf, int):
        return e.leaf
    rule = rules[e.leaf]
    if rule.get("type") in _HISTORY_TYPES and rule.get("present") is False:
        # 'no uncontrolled hypertension' = not (hypertension and uncontrolled): the qualifier
        # narrows the concept inside the negation
        rule["present"] = True
        return {"not": {"all": [e.leaf, _other(rules, " ".join(words))]}}
    return {"all": [e.leaf, _other(rules, " ".join(words))]}


def _fold_adjacent(rules: list[dict], leaves: list[Any], joins: list[str]):
    """Rules with no connector between them ('peripheral neuropathy with weakness') name one
    thing together: both must hold, and a negation covers the pair ('no A with B')."""
    out_l, out_j = [leaves[0]], []
    for leaf, join in zip(leaves[1:], joins, strict=True):
        if join != "":
            out_l.append(leaf)
            out_j.append(join)
            continue
        prev = out_l[-1]
        pair = [prev, leaf]
        negated = [x for x in pair if isinstance(x, int) and rules[x].get("present") is False]
        if len(negated) == 2 and all(rules[x].get("type") in _HISTORY_TYPES for x in negated):
            for x in negated:
                rules[x]["present"] = True
            out_l[-1] = {"not": {"all": pair}}
        else:
            out_l[-1] = {"all": pair}
    return out_l, out_j


def _tree(rules: list[dict], leaves: list[Any], joins: list[str], kind: str) -> Any:
    if len(leaves) > 1:
        leaves, joins = _fold_adjacent(rules, leaves, joins)
    if len(leaves) == 1:
        return leaves[0]
    resolved = _resolve_commas(joins, kind)
    groups: list[list[Any]] = [[leaves[0]]]
    for leaf, join in zip(leaves[1:], resolved, strict=True):
        if join == "or":
            groups[-1].append(leaf)
        else:
            groups.append([leaf])
    conjuncts = [_any(rules, g, kind) for g in groups]
    return conjuncts[0] if len(conjuncts) == 1 else {"all": conjuncts}


def _resolve_commas(joins: list[str], kind: str) -> list[str]:
    """Each comma or semicolon takes the meaning of the next 'and'/'or' of its list."""
    default = "or" if kind == "exclusion" else "and"
    out = list(joins)
    for i, join in enumerate(joins):
        if join in (",", ";"):
            following = next((j for j in joins[i + 1 :] if j in ("and", "or")), None)
            if join == ";" or following is None:
                out[i] = default
            else:
                out[i] = following
    if kind == "exclusion" and "," in joins and len(joins) >= 2 and set(out) == {"and"}:
        out = ["or"] * len(out)  # 'history of MI, stroke, and heart failure': any of them
    return out


def _any(rules: list[dict], group: list[Any], kind: str) -> Any:
    """An 'or' group. In an exclusion list 'No prior A or B' states what excludes (A or B), as in
    contract 1's example; in an inclusion it requires neither. A member may be a negated rule or
    a negated qualified rule ('no prior A or B for HCC': not (B and for HCC))."""
    if len(group) == 1:
        return group[0]
    if all(_is_negated(rules, g) for g in group):  # 'no prior A or B': none of them
        positives = [_positive(rules, g) for g in group]
        return {"any": positives} if kind == "exclusion" else {"not": {"any": positives}}
    return {"any": group}


def _is_negated(rules: list[dict], leaf: Any) -> bool:
    if isinstance(leaf, dict):
        return set(leaf) == {"not"}
    return rules[leaf].get("type") in _HISTORY_TYPES and rules[leaf].get("present") is False


def _positive(rules: list[dict], leaf: Any) -> Any:
    """The statement a negated member denies (flipping a rule's `present`)."""
    if isinstance(leaf, dict):
        return leaf["not"]
    rules[leaf]["present"] = True
    return leaf


def windows(text: str) -> tuple[int | None, int | None]:
    """(within_days, since_days) stated in a sentence, if any."""
    p = phrases()
    within = _days(p.within, text)
    since = _days(p.since, text)
    return within, since


_UNIT_DAYS = {"d": 1, "w": 7, "m": 30.44, "y": 365.25}


def _days(patterns, text: str) -> int | None:
    for pattern in patterns:
        m = pattern.search(text)
        if m:
            n = float(m.groupdict().get("n") or 1)
            return round(n * _UNIT_DAYS[m.group("u")[0]])
    return None
