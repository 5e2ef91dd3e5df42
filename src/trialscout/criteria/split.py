"""Criteria text -> items, each with its kind (inclusion / exclusion).

Registry text comes in many shapes: markdown bullets (API v2), indented hard-wrapped paragraphs
(legacy XML), numbered and nested lists, headings in odd places ("- Inclusion Criteria:"), and
the PDQ run-on style where labels like "Hematopoietic:" are glued into one paragraph. The
splitter works line by line on indentation and markers, so it never needs a full parse.

Convention (also the gold set's): a line ending in ':' that introduces sub-items is not a
criterion itself; its sub-items are. When it introduces alternatives or exceptions ("one of the
following:", "except:"), the whole block is one criterion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ESCAPES = re.compile(r"\\([<>\[\]*_~=+.()#|{}!`-])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BULLET = re.compile(
    r"^(?:(?:[-*•·▪◦●○■□➢►▶‣⁃–—]|\d{1,3}[.)](?!\d)|\(\d{1,3}\)|[a-zA-Z][.)](?=\s)|\([a-zA-Z]\)|[ivxIVX]{1,4}[.)](?=\s))\s*)+"
)
_HEADING = re.compile(
    r"^(?:key\s+|main\s+|major\s+|general\s+|specific\s+|additional\s+|other\s+)?"
    r"(?:(?P<inc>inclusion|eligibility)|(?P<exc>exclusion|exclusions|ineligibility|non-inclusion))"
    r"(?:\s+criteri(?:a|on))?(?:\s+for\s+[\w\s-]{1,40})?(?:\s*\([^)]{0,60}\))?\s*[:：.]?\s*",
    re.I,
)
_HEADING_ALT = re.compile(
    r"^(?:(?:to\s+be\s+)?(?:criteria\s+for\s+)?(?P<inc>inclusion|included|eligible)|(?P<exc>exclusion|excluded|not\s+eligible))"
    r"(?:\s+(?:criteria|if|are|will\s+be)[\w\s,()-]{0,50})?\s*[:：]\s*$",
    re.I,
)
_PDQ_LABEL = re.compile(
    r"(?<![\w(])(DISEASE CHARACTERISTICS|PATIENT CHARACTERISTICS|PRIOR CONCURRENT THERAPY|"
    r"Age|Sex|Menopausal status|Performance status|Life expectancy|Hematopoietic|Hepatic|Renal|"
    r"Cardiovascular|Pulmonary|Neurologic|Other|Biologic therapy|Chemotherapy|"
    r"Endocrine therapy|Radiotherapy|Surgery):\s+"
)
_ALTERNATIVES = re.compile(
    r"\b(?:one|any|either|1|at least one|one or more)\s+of\s+the\s+following\b[^:]*:?\s*$", re.I
)
_EXCEPTIONS = re.compile(
    r"(?:\bexcept(?:\s+for)?|\bexcluding|\bunless|\bwith the exception of)\s*:?\s*$", re.I
)


@dataclass(slots=True)
class Item:
    """One criterion as written, before rule parsing."""

    kind: str  # inclusion | exclusion
    text: str
    context: str = ""  # a short label it sits under ("Hematopoietic", "Age"), helps rule parsing
    children: list[Item] = field(default_factory=list)
    indent: int = 0
    bulleted: bool = False
    rule_text: str | None = None  # what the rule parser reads, when it differs from `text`
    alternatives: list[str] = field(default_factory=list)  # "one of the following:" sub-items


def clean(text: str) -> str:
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _ESCAPES.sub(r"\1", text)


def heading_kind(line: str) -> tuple[str | None, str]:
    """('inclusion'|'exclusion'|None, text after the heading) for a line without its bullet."""
    m = _HEADING.match(line)
    if m and (m.end() == len(line) or line[m.end() - 1 : m.end()] in (":", "：") or _ends_head(m)):
        return ("exclusion" if m.group("exc") else "inclusion"), line[m.end() :].strip()
    m = _HEADING_ALT.match(line)
    if m:
        return ("exclusion" if m.group("exc") else "inclusion"), ""
    return None, line


def _ends_head(m: re.Match) -> bool:
    return m.group(0).rstrip().endswith((":", "："))


def split_items(text: str | None) -> list[Item]:
    """Flat list of criteria items (see module docstring for the parent/child convention)."""
    if not text or not text.strip():
        return []
    roots = _build_tree(clean(text))
    out: list[Item] = []
    for item in roots:
        _flatten(item, out, "")
    return [i for i in out if i.text]


def _build_tree(text: str) -> list[Item]:
    kind = "inclusion"
    roots: list[Item] = []
    stack: list[Item] = []  # open items, outermost first
    blank = True
    prev_len = 0
    for raw in text.split("\n"):
        line = raw.expandtabs(4)
        stripped = line.strip()
        if not stripped:
            blank = True
            continue
        indent = len(line) - len(line.lstrip())
        marker = _BULLET.match(stripped)
        body = stripped[marker.end() :].strip() if marker else stripped
        head, rest = heading_kind(body)
        if head and (len(body) < 90 or rest):
            kind, stack = head, []
            blank, prev_len = True, 0
            if not rest:
                continue
            body, marker = rest, None
        if not marker and stack and _continues(stack[-1], indent, blank, prev_len, body):
            stack[-1].text += " " + body
            prev_len, blank = len(stripped), False
            continue
        item = Item(kind, body, indent=indent, bulleted=bool(marker))
        while stack and not _is_child(stack[-1], item):
            stack.pop()
        (stack[-1].children if stack else roots).append(item)
        stack.append(item)
        prev_len, blank = len(stripped), False
    return roots


def _continues(current: Item, indent: int, blank: bool, prev_len: int, body: str) -> bool:
    """Is this unbulleted line a wrapped continuation of the current item?"""
    if blank:
        # a new paragraph indented under a bullet item still belongs to it
        return current.bulleted and indent > current.indent and not current.text.endswith(":")
    if current.text.endswith(":") and prev_len < 60:
        return False
    if (
        body[:1].islower()
        or body[:1] in "(,;&"
        or current.text.endswith((",", "-", "/", "(", " or", " and"))
    ):
        return True
    return prev_len >= 60 and indent >= current.indent


def _is_child(parent: Item, item: Item) -> bool:
    return parent.text.rstrip().endswith((":", "：")) and (
        item.indent > parent.indent or (item.bulleted and not parent.bulleted)
    )


def _flatten(item: Item, out: list[Item], context: str) -> None:
    text = item.text.strip()
    if item.children and (_ALTERNATIVES.search(text) or _EXCEPTIONS.search(text)):
        # alternatives cannot be flattened into rules; exceptions are read from the parent only
        subs = [_subtree_text(c) for c in item.children]
        parts = [text, *subs]
        if _ALTERNATIVES.search(text):
            out.append(Item(item.kind, " ".join(parts), context, alternatives=subs))
        else:
            out.append(Item(item.kind, " ".join(parts), context, rule_text=text))
        return
    if item.children:
        label = text.rstrip(":： ")
        for child in item.children:
            _flatten(child, out, label if len(label.split()) <= 6 else context)
        return
    for piece, label in _pdq_pieces(text, context):
        out.append(Item(item.kind, piece, label))


def _subtree_text(item: Item) -> str:
    return " ".join([item.text.strip()] + [_subtree_text(c) for c in item.children])


def _pdq_pieces(text: str, context: str) -> list[tuple[str, str]]:
    """Split 'Age: 16 and over Performance status: ECOG 0-2' at the PDQ labels."""
    labels = list(_PDQ_LABEL.finditer(text))
    if len(labels) < 2 and not (labels and labels[0].start() == 0):
        return [(text, context)]
    pieces = []
    if labels[0].start() > 0:
        pieces.append((text[: labels[0].start()].strip(), context))
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        body = text[m.end() : end].strip()
        if body:  # keep the label: "16 and over" alone means nothing to a reader
            pieces.append((f"{m.group(1)}: {body}", m.group(1)))
    return pieces
