"""A patient plus what evaluation needs repeatedly (today's date, the concepts a note names).

A view also remembers what it has worked out about the patient (which facts relate to a rule's
concept, the lab values by analyte, the patient's condition concepts), so judging one patient
against thousands of trials does each of those once. A view reads its patient as it was when
first asked: build a new view after changing the patient.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from trialscout.match.concepts import note_mentions
from trialscout.patient.model import Patient

T = TypeVar("T")


@dataclass
class PatientView:
    patient: Patient
    today: date = field(default_factory=date.today)
    _mentions: frozenset[tuple[str, str]] | None = None
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def mentions(self) -> frozenset[tuple[str, str]]:
        """(kind, concept) pairs the note names (empty without a note); read once."""
        if self._mentions is None:
            self._mentions = note_mentions(self.patient.note) if self.patient.note else frozenset()
        return self._mentions

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` the first time `key` is asked for this patient, the same value after.
        `compute` must depend on the patient (and the key) only."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value
