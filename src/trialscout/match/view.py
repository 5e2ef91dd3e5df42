"""A patient plus what evaluation needs repeatedly (today's date, the concepts a note names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from trialscout.match.concepts import note_mentions
from trialscout.patient.model import Patient


@dataclass
class PatientView:
    patient: Patient
    today: date = field(default_factory=date.today)
    _mentions: frozenset[tuple[str, str]] | None = None

    @property
    def mentions(self) -> frozenset[tuple[str, str]]:
        """(kind, concept) pairs the note names (empty without a note); read once."""
        if self._mentions is None:
            self._mentions = note_mentions(self.patient.note) if self.patient.note else frozenset()
        return self._mentions
