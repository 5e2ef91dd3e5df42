"""Who a criterion is for: cohort and group labels -> `applies_to` (contract 1, version 2).

"Phase II only:", "Cohort B:", "Male:", "For women of childbearing potential:" are structure,
not rules: the criteria under them apply to that group only. Outside the group a criterion is
not applicable; where membership cannot be computed ("Phase II only") it stays unknown.
"""

from __future__ import annotations

import re
from typing import Any

from trialscout import vocab
from trialscout.criteria.phrases import phrases

_LABEL = re.compile(
    r"^\s*(?:for|in|among)?\s*(?P<label>[^:]{1,90}?)\s*(?:only)?\s*:\s*(?P<rest>.*)$", re.S
)
_MUST = re.compile(
    r"^\s*(?P<label>[^,:;]{3,80}?)\s+(?:must|should|need to|needs to|are required to|will need to)\s+(?P<rest>.+)$",
    re.S,
)
_INLINE = re.compile(r"^\s*(?:for|in)\s+(?P<label>[^,]{3,80}?)\s*,\s*(?P<rest>.+)$", re.S)


def applies_to(label: str) -> Any | None:
    """The group a label names, as a rule or tree; None when the label names no group."""
    text = " ".join(label.lower().replace("only", " ").split()).strip(" :,")
    text = re.sub(r"^(?:for|in|among)\s+", "", text)
    for cohort in phrases().cohorts:
        if not cohort.pattern.fullmatch(text):
            continue
        if cohort.condition:
            return _condition_group(text)
        parts: list[Any] = []
        if cohort.sex:
            parts.append({"type": "sex", "allowed": [cohort.sex]})
        if cohort.other:
            parts.append(
                {
                    "type": "other",
                    "text": label.strip(" :")
                    if cohort.other == "group membership"
                    else cohort.other,
                }
            )
        return parts[0] if len(parts) == 1 else {"rules": parts, "logic": "all"}
    if label.strip().lower().startswith("for ") or label.strip().lower().endswith("only"):
        return _condition_group(text)  # 'For all hematologic malignancies:'
    return None


def _condition_group(text: str) -> Any:
    found = [m for m in vocab.find(text, kinds=("condition",)) if not m.negated]
    if len(found) == 1:
        return {"type": "condition", "name": found[0].id, "present": True}
    return {"type": "other", "text": text}


# Each label pattern with the substrings one of which it cannot match without.
_PATTERNS = (
    (_LABEL, (":",)),
    (_MUST, ("must", "should", "need", "required to")),
    (_INLINE, (",",)),
)
_SECTION = re.compile(r"^\s*(?P<label>[a-z][a-z /&-]{2,40}):\s+(?P<rest>\S.*)$", re.S | re.I)


def split_label(text: str) -> tuple[Any | None, str]:
    """('Phase II only: patients with ...') -> (applies_to, the rest); a section label that names
    no group ('Viral load limitations:') is structure and is dropped; (None, text) otherwise."""
    for pattern, needed in _PATTERNS:
        if not any(word in text for word in needed):
            continue  # cannot match: a cheap check first, split_label runs on every criterion
        m = pattern.match(text)
        if m:
            group = applies_to(m.group("label"))
            if group is not None and m.group("rest").strip():
                rest = m.group("rest")
                return group, rest
    section = _SECTION.match(text)
    if section and len(section.group("label").split()) <= 4:
        return None, section.group("rest")
    return None, text
