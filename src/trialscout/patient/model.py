"""The one `Patient` model every input kind (profile, FHIR bundle, note) reads into.

Absence is information too: a field left empty means *unknown*, never normal. Facts therefore
carry an explicit `present` flag, so "denies smoking" (known absent) differs from silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class PatientError(ValueError):
    """Bad patient input; the message names the file and the field."""


class Assertion(StrEnum):
    """How a note or record states a fact (ConText categories).

    Only PRESENT and HISTORICAL facts are the patient's own; NEGATED is known absent;
    HYPOTHETICAL ("if she develops ...") and FAMILY ("mother had ...") are neither.
    """

    PRESENT = "present"
    NEGATED = "negated"
    HISTORICAL = "historical"
    HYPOTHETICAL = "hypothetical"
    FAMILY = "family"


PAST_CLINICAL_STATUS = ("inactive", "remission", "resolved")  # FHIR Condition.clinicalStatus


@dataclass(slots=True)
class LabValue:
    analyte: str
    value: float | None  # None for a qualitative-only result
    # the analyte's canonical unit (vocab labs.yaml; readers convert with vocab.to_canonical),
    # or "xULN"; "" for a qualitative-only result; as given for an analyte outside the vocab
    unit: str
    comparator: str | None = None  # "<" for "< 20 IU/mL" (below the detection limit)
    ref_low: float | None = None  # the lab's reference range, in `unit`
    ref_high: float | None = None
    date: date | None = None
    result: str | None = None  # qualitative: positive | negative | detectable | undetectable

    def display(self) -> str:
        if self.value is None:
            return self.result or ""
        return f"{self.comparator or ''}{self.value:g} {self.unit}".strip()


@dataclass(slots=True)
class ConditionFact:
    """A condition as the source states it. `present` is False when negated (known absent).

    `concept` is the vocabulary id when known; `codes` are "system:code" ("icd10cm:C22.0").
    A fact is *current* unless its assertion is historical or its clinical status is past.
    """

    name: str
    present: bool = True
    codes: list[str] = field(default_factory=list)
    onset: date | None = None
    assertion: Assertion = Assertion.PRESENT
    clinical_status: str | None = None  # FHIR: active | recurrence | relapse | inactive | ...
    abated: date | None = None
    concept: str | None = None

    @property
    def own(self) -> bool:
        """The patient's own condition (now or in the past), not family or hypothetical."""
        return self.present and self.assertion in (Assertion.PRESENT, Assertion.HISTORICAL)

    @property
    def current(self) -> bool:
        return (
            self.own
            and self.assertion != Assertion.HISTORICAL
            and self.clinical_status not in PAST_CLINICAL_STATUS
            and self.abated is None
        )


@dataclass(slots=True)
class TherapyFact:
    name: str
    present: bool = True
    date: date | None = None  # the latest date it was given
    codes: list[str] = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    assertion: Assertion = Assertion.PRESENT
    concept: str | None = None

    @property
    def own(self) -> bool:
        return self.present and self.assertion in (Assertion.PRESENT, Assertion.HISTORICAL)


@dataclass(slots=True)
class Patient:
    age: float | None = None
    sex: str | None = None  # male | female
    conditions: list[ConditionFact] = field(default_factory=list)
    therapies: list[TherapyFact] = field(default_factory=list)
    labs: dict[str, LabValue] = field(default_factory=dict)  # analyte key -> latest value
    scores: dict[str, str] = field(default_factory=dict)  # system -> value, as text ("0", "A")
    life_expectancy_months: float | None = None
    pregnant: bool | None = None
    location: dict[str, Any] = field(default_factory=dict)
    note: str | None = field(default=None, repr=False)  # the note text (in memory only)
    source: str = ""  # where it was read from (a path); never the content
    # True when conditions and therapies are the whole history (notes, FHIR records, or a
    # profile that says `complete_history: true`): what is not mentioned is presumed absent for
    # an exclusion criterion (basis `not_recorded`); measurements are never presumed.
    complete_history: bool = False

    def has_condition_facts(self) -> bool:
        return bool(self.conditions)

    def search_terms(self) -> list[str]:
        """What to search the registry for: the conditions the patient has."""
        return [c.name for c in self.conditions if c.own]

    def to_profile(self) -> dict[str, Any]:
        """Contract 2 (plus `absent` lists for explicit negatives), e.g. to save or show."""
        out: dict[str, Any] = {}
        if self.age is not None:
            out["age"] = self.age
        if self.sex:
            out["sex"] = self.sex
        out["conditions"] = [c.name for c in self.conditions if c.own]
        absent = [c.name for c in self.conditions if not c.present]
        if absent:
            out["absent_conditions"] = absent
        if self.scores:
            out["scores"] = dict(self.scores)
        if self.labs:
            out["labs"] = {k: v.display() for k, v in self.labs.items()}
        out["therapies"] = [
            {"name": t.name, **({"date": t.date.isoformat()} if t.date else {})}
            for t in self.therapies
            if t.own
        ]
        if self.location:
            out["location"] = dict(self.location)
        if self.complete_history:
            out["complete_history"] = True
        return out


_SEX = {
    "male": "male",
    "m": "male",
    "man": "male",
    "female": "female",
    "f": "female",
    "woman": "female",
}


def normalize_sex(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("", "unknown", "other"):
        return None
    if text not in _SEX:
        raise PatientError(f"{where}: sex must be male or female")
    return _SEX[text]


def normalize_name(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())
