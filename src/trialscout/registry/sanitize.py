"""Control characters out of stored registry text, the same way for every source format.

Single-line fields (titles, names, e-mail addresses, statuses...) end up in table cells, mail
headers and HTML attributes: CR, LF and tabs there become a space, and other control
characters (NUL, C0/C1) and the bidirectional overrides that make text display in another
order than it reads ("right-to-left override") are removed. Text blocks (summaries, criteria,
descriptions) keep their line breaks and tabs but lose the same invisible characters.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from typing import Any

# C0 controls except TAB/LF/CR, DEL, C1 controls, and bidi embeddings/overrides/isolates.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029\x85]+")

# Fields (by dataclass field name) that are text blocks with meaningful line breaks.
BLOCK_FIELDS = frozenset(
    {"brief_summary", "detailed_description", "criteria", "study_population", "description"}
)


def clean_line(value: str) -> str:
    """One line: breaks and tabs to one space, invisible characters removed."""
    if value.isprintable():  # no breaks, tabs, controls or bidi marks: the common case, fast
        return value.strip()
    return _INVISIBLE.sub("", _BREAKS.sub(" ", value)).strip()


def clean_block(value: str) -> str:
    return _INVISIBLE.sub("", value)


def sanitize(obj: Any) -> Any:
    """Clean every text field of a `Trial` (or any dataclass) in place; returns it."""
    for name in _field_names(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, str):
            setattr(obj, name, _clean(name, value))
        elif isinstance(value, list):
            setattr(obj, name, [_clean_item(name, v) for v in value])
        elif is_dataclass(value):
            sanitize(value)
    return obj


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """`dataclasses.fields` per class, once: it was a third of sanitizing a record."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _clean(name: str, value: str) -> str:
    return clean_block(value) if name in BLOCK_FIELDS else clean_line(value)


def _clean_item(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return clean_line(value)
    if is_dataclass(value):
        return sanitize(value)
    return value
