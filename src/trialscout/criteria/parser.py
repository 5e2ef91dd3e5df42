"""parse_criteria: criteria text -> contract 1 (`{"nct_id", "criteria": [...]}`).

Each item from the splitter goes through every extractor on one normalized spelling; spans
already read as a lab, score, age or life expectancy are not read again as a condition. An item
with no computable rule becomes one `other` rule that keeps its text. The parser never raises:
an extractor failure on one item degrades that item to `other`.
"""

from __future__ import annotations

import re
from typing import Any

from trialscout import vocab
from trialscout.criteria.cohorts import applies_to, split_label
from trialscout.criteria.concepts import extract_conditions, extract_therapies, not_computable
from trialscout.criteria.demographics import extract_age, extract_life, extract_sex
from trialscout.criteria.labs import extract_labs, extract_qualitative, extract_ranges
from trialscout.criteria.logic import build, windows
from trialscout.criteria.matching import Found
from trialscout.criteria.phrases import phrases
from trialscout.criteria.scores import extract_scores
from trialscout.criteria.split import Item, split_items
from trialscout.criteria.textnorm import normalize

PARSER_VERSION = 13  # bump when output changes: stored parses are redone on read
MAX_ITEM_CHARS = 4000  # longer "items" are run-on pages; read only their start

_IF_SENTENCE = re.compile(
    r"(?:^|(?<=[.;]\s))(?:if|when|for patients who|in case)\b[^.;]{0,400}[.;]?"
)
_EXAMPLES = re.compile(
    r"(?:,\s*|\(\s*|\s)(?:such as|e\.g\.?|eg\.|for example|for instance|i\.e\.?|including|"
    r"(?:would|may|might|could|can)\s+include)\s[^;)]{0,200}[)]?"
)
_REQUIREMENT = re.compile(
    r"(?:^|(?<=;))[^;]{0,80}\b(?:must|should|are required to|is required to|agree to|willing to)\s+(?:have|use|agree|be willing|practice|undergo)\b[^;]{0,200}"
)
# A sentence ends at . ! ? before a space, but not after an abbreviation ("St. John's wort").
# The cheap [.!?] check comes first: tried at every position, it makes the split 8x faster.
_SENTENCE = re.compile(
    r"(?<=[.!?])(?<!\b[Ss]t\.)(?<!\b[Dd]r\.)(?<!\b[Nn]o\.)(?<!\bvs\.)(?<!\bg\.)(?<!\be\.)\s+(?=\S)"
)
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
# 'BP > 160/100 mmHg': systolic above 160 or diastolic above 100; 'BP < 140/90': both below.
_BP_PAIR = re.compile(
    r"(?:\b(?:blood\s+pressure|bp)\s*(?:of\s+|is\s+|was\s+)?|(?P<keep>\bhypertension\s*(?:of\s+)?\(?\s*))"
    r"(?P<op>[<>≤≥]=?)\s*(?P<s>\d{2,3})\s*/\s*(?P<d>\d{2,3})(?:\s*mm\s*(?:of\s+)?hg\b)?"
)
# 'hepatitis A, C, D or E' and 'hepatitis B or C': every member keeps the head word.
_HEPATITIS_LIST = re.compile(r"\bhepatitis\s+([a-e])((?:\s*(?:,|/|or|and|and/or)\s*[a-e]\b)+)")


def parse_criteria(text: str | None, nct_id: str | None = None) -> dict[str, Any]:
    """Contract 1 (version 2) for any text at all (None, empty, garbage, 100 KB): never raises."""
    try:
        items = split_items(text if isinstance(text, str) else None)
    except Exception:  # pragma: no cover - the splitter is total; this is the last guard
        items = [
            Item("inclusion", line.strip()) for line in str(text or "").splitlines() if line.strip()
        ]
    return {
        "nct_id": nct_id,
        "parser_version": PARSER_VERSION,
        "criteria": [parse_item(item) for item in items],
    }


def parse_item(item: Item) -> dict[str, Any]:
    """One criterion of contract 1 (version 2) for one split item."""
    criterion: dict[str, Any] = {"kind": item.kind, "text": item.text, "applies_to": None}
    group = applies_to(item.context) if item.context else None
    source = item.text if item.rule_text is None else item.rule_text
    if item.context and source.startswith(item.context + ":"):
        source = source[len(item.context) + 1 :]
    inline, source = split_label(source)
    criterion["applies_to"] = inline if inline is not None else group
    if item.alternatives:
        rules, logic = _alternatives(item)
    else:
        rules, logic = _defined_label(source, item.kind, item.context) or _rules(
            source, item.kind, item.context
        )
    if not rules:
        rules, logic = [{"type": "other", "text": item.text}], 0
    criterion["rules"] = rules
    criterion["logic"] = _simple(logic, len(rules))
    if criterion["applies_to"] is None and _about_women(item.text, rules):
        criterion["applies_to"] = {"type": "sex", "allowed": ["female"]}
    return criterion


_DEFINED = re.compile(
    r"^\s*(?P<label>[^().;:]{3,80}?)\s*\((?P<inner>[^()]{3,300})\)\s*[.;]?\s*$", re.S
)
_DEFINING = ("lab", "score")


def _defined_label(source: str, kind: str, context: str) -> tuple[list[dict], Any] | None:
    """'Impaired renal function (creatinine clearance < 20 mL/min)', 'Adequate hepatic function
    (bilirubin <= 1.5 x ULN, ...)': measurements in parentheses that end the criterion define
    the words before them, as 'Label: measurements' does. Only when every rule inside is a
    measurement and the words before are words only (no rule of their own): then the inner
    measurements' (rules, logic); else None, and both parts are read as usual."""
    m = _DEFINED.match(source)
    if not m or len(m.group("label").split()) > 6:
        return None
    inner = _rules(m.group("inner"), kind, context)
    if not inner[0] or any(r["type"] not in _DEFINING for r in inner[0]):
        return None
    label, _ = _rules(m.group("label"), kind, context)
    if any(r["type"] != "other" for r in label):
        # 'HCC (BCLC stage B or C)': the disease is a requirement of its own; and 'severe renal
        # impairment (CrCl < 30)' keeps the condition, whose absence from a record decides
        return None
    return inner


def _about_women(text: str, rules: list[dict]) -> bool:
    """'Pregnant or lactating women, or women not using contraception': for women only."""
    p = phrases()
    computable = [r for r in rules if r.get("type") != "other"]
    return bool(
        computable
        and all(r.get("type") == "condition" and r.get("name") in p.female_only for r in computable)
        and p.female_words.search(text.lower())
    )


def _simple(logic: Any, count: int) -> Any:
    """A lone index or a flat list over every rule is written 'all' / 'any' (as in version 1)."""
    if isinstance(logic, int):
        return "all" if count == 1 else {"all": [logic]}  # notes outside the tree stay outside
    for key in ("all", "any"):
        if isinstance(logic, dict) and logic.get(key) == list(range(count)):
            return key
    return logic


def _alternatives(item: Item) -> tuple[list[dict], Any]:
    """'At least one of the following:' -> any of the sub-items (each parsed on its own)."""
    rules: list[dict] = []
    branches: list[Any] = []
    for text in item.alternatives:
        sub_rules, sub_logic = _rules(text, item.kind, item.context)
        if not sub_rules:
            sub_rules, sub_logic = [{"type": "other", "text": text}], 0
        branches.append(_shift(sub_logic, len(rules)))
        rules += sub_rules
    return rules, {"any": branches} if len(branches) > 1 else branches[0]


def _shift(logic: Any, offset: int) -> Any:
    if isinstance(logic, int):
        return logic + offset
    return {
        k: ([_shift(x, offset) for x in v] if isinstance(v, list) else _shift(v, offset))
        for k, v in logic.items()
    }


def _rules(source: str, kind: str, context: str) -> tuple[list[dict], Any]:
    """Rules and their tree for one criterion's own text, sentence by sentence."""
    rules: list[dict] = []
    conjuncts: list[Any] = []
    notes: list[dict] = []
    for sentence in _SENTENCE.split(source[:MAX_ITEM_CHARS]):
        t = normalize(sentence)
        if phrases().explanatory.match(t):  # a reason given, not a further condition
            notes.append({"type": "other", "text": sentence.strip(), "explains": True})
            continue
        if phrases().permission.search(re.sub(r"\([^()]*\)", " ", t)):  # 'bisphosphonates allowed'
            notes.append({"type": "other", "text": sentence.strip(), "explains": True})
            continue
        if kind == "exclusion":  # 'women ... must have a negative pregnancy test': a requirement
            for req in _REQUIREMENT.finditer(t):
                notes.append({"type": "other", "text": req.group(0).strip(" ;,")})
            t = _REQUIREMENT.sub(lambda m: " " * len(m.group(0)), t)
        for example in _EXAMPLES.finditer(t):  # examples illustrate the head, they add no rule
            notes.append({"type": "other", "text": example.group(0).strip(" ,()")})
        t = _EXAMPLES.sub(lambda m: " " * len(m.group(0)), t)
        found, t = _extract(t, kind, context)
        if not found:
            if _content_words(t):
                notes_or_rule = {"type": "other", "text": sentence.strip()}
                rules.append(notes_or_rule)
                conjuncts.append(len(rules) - 1)
            continue
        found = _generic_guard(t, found)
        if windows(t) != (None, None):  # 'recent MI within 3 months': the window says how recent
            t = phrases().recency.sub(lambda m: " " * len(m.group(0)), t)
        sub_rules, sub_logic = build(t, found, kind)
        sub_logic = _sex_cases(sub_logic, sub_rules, "all" if kind == "inclusion" else "any")
        _windows(t, sub_rules)
        conjuncts.append(_shift(sub_logic, len(rules)))
        rules += sub_rules
    if not conjuncts:
        return [], None
    rules += notes  # explanations qualify the criterion; they are not part of its logic
    logic = conjuncts[0] if len(conjuncts) == 1 else {"all": conjuncts}
    return rules, logic


def _content_words(t: str) -> bool:
    p = phrases()
    return any(w not in p.filler for w in re.findall(r"[a-z]{3,}", t))


def _windows(t: str, rules: list[dict]) -> None:
    """'within 6 months' applies to every condition and therapy rule of its sentence."""
    within, since = windows(t)
    for rule in rules:
        if rule.get("type") not in ("condition", "therapy") or rule.get("name") in phrases().states:
            continue
        if "within_days" in rule or "since_days" in rule:
            continue
        if within is not None:
            rule["within_days"] = within
        elif since is not None:
            rule["since_days"] = since


def _generic_guard(t: str, found: list[Found]) -> list[Found]:
    """A generic concept named after an unknown specific word is an unknown disease."""
    p = phrases()
    out = []
    for f in found:
        rule = f.rule
        if rule.get("type") == "condition" and re.search(
            r"\bnon[\s-]*$", t[max(0, f.start - 5) : f.start]
        ):
            start = t.rfind("non", 0, f.start)
            out.append(Found({"type": "other", "text": t[start : f.end]}, start, f.end))
            continue  # 'non-hepatocellular carcinoma' is another disease, unknown to us
        if rule.get("type") == "therapy" and rule.get("name") in p.generic_concepts:
            # 'medications', 'drugs': never a rule on their own, always some kind of drug
            out.append(Found({"type": "other", "text": t[f.start : f.end]}, f.start, f.end))
            continue
        if rule.get("type") == "condition" and rule.get("name") in p.generic_concepts:
            # only a word right before it modifies it: 'failure, renal failure' is a list
            before = re.search(r"([a-z][\w-]*?)[ /-]$", t[max(0, f.start - 40) : f.start])
            word = before.group(1) if before else ""
            if word and word not in p.generic_premodifiers and word not in p.filler:
                start = f.start - len(before.group(0))
                out.append(Found({"type": "other", "text": t[start : f.end]}, start, f.end))
                continue
        out.append(f)
    return out


def _extract(t: str, kind: str, ctx: str) -> tuple[list[Found], str]:
    """Rules found in one normalized sentence, in text order, and the text they were read from."""
    if not_computable(t, kind):
        return [], t
    if "if " in t or "when " in t or "in case" in t or "for patients who" in t:
        t = _IF_SENTENCE.sub(lambda m: " " * len(m.group(0)), t)
    if "transaminase" in t or "aminotransferase" in t or "sgot" in t:
        for pattern, repl in _REWRITES:
            t = pattern.sub(repl, t)
    if "/" in t:
        t = _BP_PAIR.sub(_expand_bp, t)
    if "hepatitis" in t:
        t = _HEPATITIS_LIST.sub(_expand_hepatitis, t)
    if " or " in t or " and " in t:
        t = _SHARED_HEAD.sub(_expand_shared_head, t)
    item_kind = kind
    found = extract_ranges(t, [])
    found += extract_labs(t, item_kind)
    found += extract_qualitative(t, [(f.start, f.end) for f in found])
    taken = [(f.start, f.end) for f in found]
    for f in extract_scores(t):
        if not any(f.start < e and s < f.end for s, e in taken):
            found.append(f)
    found += extract_age(t, ctx) + extract_life(t, ctx) + extract_sex(t, item_kind, ctx)
    taken = [(f.start, f.end) for f in found]
    therapies = extract_therapies(t, item_kind, taken)
    found += therapies + extract_conditions(t, item_kind, taken)
    found += _lab_sexes(t, found)
    found.sort(key=lambda f: f.start)
    return _dedupe(found), t


_SEX_BEFORE = re.compile(r"\b(?P<sex>males?|men|females?|women)\s*(?:patients|subjects)?\s*:?\s*$")
_SEX_AFTER = re.compile(r"^\s*(?:for|in)\s+(?P<sex>males?|men|females?|women)\b")


def _sex_cases(node: Any, rules: list[dict], parent: str) -> Any:
    """A threshold for one sex (a sex rule AND a lab, as the tree joins them) is a case: under
    'or' it stays 'that sex and the threshold'; under 'and' (and alone in an inclusion) it is
    'if that sex, the threshold' (not that sex, or the threshold), so a woman is not held to
    the men's threshold and an unread case leaves her unknown, never ruled out."""
    if not isinstance(node, dict):
        return node
    ((op, children),) = node.items()
    if op == "all" and len(children) == 2 and all(isinstance(c, int) for c in children):
        types = sorted(rules[c]["type"] for c in children)
        if types == ["lab", "sex"] and parent == "all":
            sex = next(c for c in children if rules[c]["type"] == "sex")
            lab = next(c for c in children if rules[c]["type"] == "lab")
            return {"any": [{"not": sex}, lab]}
        return node
    if op == "not":
        return {"not": _sex_cases(children, rules, "any")}
    return {op: [_sex_cases(c, rules, op) for c in children]}


def _lab_sexes(t: str, found: list[Found]) -> list[Found]:
    """'male hemoglobin < 13 g/dL or female hemoglobin < 11 g/dL', 'Hb < 13 g/dL for men':
    a threshold for one sex is that sex AND the threshold (a sex rule right beside the lab, so
    the tree joins them), never a threshold for everyone."""
    out = []
    labs = [f for f in found if f.rule.get("type") == "lab"]
    for f in labs:
        window = max(0, f.start - 20)
        hit, offset = _SEX_BEFORE.search(t[window : f.start]), window
        if hit is None:
            hit, offset = _SEX_AFTER.match(t[f.end : f.end + 20]), f.end
        if hit is None:
            continue
        sex = "female" if hit.group("sex").startswith(("f", "w")) else "male"
        start = offset + hit.start("sex")
        out.append(Found({"type": "sex", "allowed": [sex]}, start, start + len(hit.group("sex"))))
    return out


_SHARED_HEAD = re.compile(
    r"\b([a-z][a-z-]+)\s+(or|and|and/or)\s+([a-z][a-z-]+)\s+([a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)"
)


def _expand_shared_head(m: re.Match) -> str:
    """'liver or renal dysfunction' -> 'liver dysfunction or renal dysfunction' when both
    phrases are vocabulary concepts and the first word alone is not."""
    first, join, second, head = m.groups()
    for kind in ("condition", "therapy"):
        words = head.split()
        for n in (len(words), 1):
            h = " ".join(words[:n])
            if (
                vocab.canonical(f"{second} {h}", kind)
                and vocab.canonical(f"{first} {h}", kind)
                and not vocab.canonical(first, kind)
            ):
                rest = " ".join(words[n:])
                return f"{first} {h} {join} {second} {h}" + (f" {rest}" if rest else "")
    return m.group(0)


def _expand_bp(m: re.Match) -> str:
    op = m.group("op")
    join = "or" if op.startswith((">", "≥")) else "and"
    return (
        f"{m.group('keep') or ''}systolic blood pressure {op} {m.group('s')} mmhg {join} "
        f"diastolic blood pressure {op} {m.group('d')} mmhg"
    )


def _expand_hepatitis(m: re.Match) -> str:
    letters = [m.group(1), *re.findall(r"\b([a-e])\b", m.group(2))]
    return ", ".join(f"hepatitis {x}" for x in letters[:-1]) + f" or hepatitis {letters[-1]}"


def _dedupe(found: list[Found]) -> list[Found]:
    """The same rule read twice ('HCC (hepatocellular carcinoma)') counts once."""
    seen, out = set(), []
    for f in found:
        key = repr(sorted(f.rule.items()))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
