"""Typed results of `summarize`: sections of sentences, each sentence with where it came from.

The source is kept per sentence so a reader (or the web page, on hover) can check every claim
against the record field or glossary entry it was built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECTION_TITLES: tuple[str, ...] = (
    "What is being tested",
    "Who can join",
    "What taking part involves",
    "What this could lead to",
    "What could go wrong / limits of this study",
)

DISCLAIMER = (
    "This summary was made by a computer from the study record. It is not medical advice. "
    "It may miss details. Read the full study record and talk with your doctor and the study "
    "team before you decide to take part."
)


@dataclass(slots=True)
class Sentence:
    """One plain sentence and its source: a record field path or ``glossary:<entry>``."""

    text: str
    source: str
    reference: str | None = None  # for glossary side effects: the label or reference cited

    def to_dict(self) -> dict[str, str]:
        data = {"text": self.text, "source": self.source}
        if self.reference:
            data["reference"] = self.reference
        return data


@dataclass(slots=True)
class Section:
    title: str
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "sentences": [s.to_dict() for s in self.sentences]}


@dataclass(slots=True)
class Summary:
    trial_id: str
    sections: list[Section]
    disclaimer: str = DISCLAIMER
    grade: float = 0.0  # Flesch-Kincaid grade of the section text
    backend: str = "template"  # "template", or "llm" when an endpoint rephrased the text

    def section(self, title: str) -> Section:
        for sec in self.sections:
            if sec.title == title:
                return sec
        raise KeyError(f"no section {title!r}; sections are {list(SECTION_TITLES)}")

    @property
    def text(self) -> str:
        return " ".join(sec.text for sec in self.sections if sec.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial_id": self.trial_id,
            "sections": [s.to_dict() for s in self.sections],
            "disclaimer": self.disclaimer,
            "grade": self.grade,
            "backend": self.backend,
        }
