"""Small wording helpers shared by the section builders (lists, dates, numbers, names)."""

from __future__ import annotations

import re

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip

PHASE_WORDS = {
    "EARLY_PHASE1": "early phase 1",
    "PHASE1": "phase 1",
    "PHASE2": "phase 2",
    "PHASE3": "phase 3",
    "PHASE4": "phase 4",
    "NA": "not applicable",
}
PHASE_ORDER = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4")

STATUS_SENTENCES = {
    "RECRUITING": "The study is looking for people to join now.",
    "NOT_YET_RECRUITING": "The study has not started to enroll people yet.",
    "ENROLLING_BY_INVITATION": "The study enrolls people by invitation only.",
    "ACTIVE_NOT_RECRUITING": "The study is still running but is not taking new people.",
    "COMPLETED": "The study has ended.",
    "TERMINATED": "The study was stopped early.",
    "SUSPENDED": "The study is on hold for now.",
    "WITHDRAWN": "The study was withdrawn before anyone joined.",
    "UNKNOWN": "The record does not say if the study is still going on.",
    "AVAILABLE": "The treatment is available outside a study (expanded access).",
}


def join_words(items: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def article(phrase: str) -> str:
    """'a' or 'an' for the phrase that follows (by its first sound, roughly)."""
    first = phrase.strip().lower()
    vowel = first[:1] in "aeiou" or first.startswith(("8", "11", "18"))
    return "an" if vowel and not first.startswith(("one", "uni", "use")) else "a"


def inline(name: str) -> str:
    """Lower-case capitalized words for mid-sentence use ('Disk Prolapse' -> 'disk prolapse',
    'Sorafenib' -> 'sorafenib'); acronyms and mixed tokens ('PD-1', 'HBIG') are kept."""
    words = name.split(" ")

    def titled(w: str) -> bool:
        return len(w) > 1 and w[0].isupper() and w[1:].islower()

    if not titled(words[0]):
        return name
    long_words = [w for w in words if len(w) > 3 and w.isalpha()]
    if all(titled(w) for w in long_words):
        return " ".join(w.lower() if titled(w) else w for w in words)
    return name[0].lower() + name[1:]


def month_year(iso: str | None) -> str | None:
    """'2025-09-01' -> 'September 2025'; '2025' -> '2025'; bad input -> None."""
    if not iso:
        return None
    m = re.match(r"^(\d{4})(?:-(\d{2}))?", iso)
    if not m:
        return None
    year, month = m.group(1), m.group(2)
    if month and 1 <= int(month) <= 12:
        return f"{_MONTHS[int(month) - 1]} {year}"
    return year


def number(value: float | int) -> str:
    """50.0 -> '50', 2.5 -> '2.5' (never scientific notation)."""
    if isinstance(value, bool):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}" if abs(value) >= 1e-4 else f"{value:f}".rstrip("0")


def age_years(value: float) -> str:
    return number(round(value, 1))


_PREFIX = re.compile(
    r"^(drug|biological|procedure|device|radiation|behavioral|other|dietary supplement|"
    r"genetic|diagnostic test|combination product)\s*:\s*",
    re.IGNORECASE,
)


def _tidy(text: str) -> str:
    """Squeeze spaces, drop spaces before punctuation, trim punctuation at both ends."""
    text = re.sub(r"\s+([.,;:])", r"\1", re.sub(r"\s+", " ", text))
    return text.strip(" .;:,")


def clean_name(name: str | None) -> str:
    """Drop the registry's 'Drug: ' prefix, squeeze spaces and trim punctuation at both ends;
    '' when no word (a letter) is left: '.0' names nothing a reader could use."""
    text = _tidy(_PREFIX.sub("", name or ""))
    return text if any(c.isalpha() for c in text) else ""


def short(text: str | None, limit: int = 90) -> str | None:
    """The text if it is short enough to quote whole; otherwise None (we never cut facts)."""
    if not text:
        return None
    text = _tidy(text)
    if not any(c.isalpha() for c in text):
        return None
    return text if 0 < len(text) <= limit else None
