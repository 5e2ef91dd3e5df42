"""Lab values given as text or numbers ("150 10^9/L", "<20 IU/mL", "1.2 xULN", "negative")
-> a `LabValue` in the analyte's canonical unit, through the vocab unit layer only.

Shared by profiles (and questionnaire answers) and FHIR `valueString`s. Messages name the
field, never the value.
"""

from __future__ import annotations

import math
import re
from typing import Any

from trialscout import vocab
from trialscout.patient.model import LabValue, PatientError
from trialscout.patient.note_values import canonical_result, words

QUALITATIVE = ("positive", "negative", "detectable", "undetectable")
# An optional comparator, a number, the rest is the unit. Linear: no nested repeats.
_QUANTITY = re.compile(r"([<>]=?|≤|≥)? ?([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d{1,3})?) *(.*)", re.DOTALL)
_COMPARATOR = {"≤": "<=", "≥": ">="}


def qualitative(text: str) -> str | None:
    """'Not detected', 'NEGATIVE', 'non-reactive' -> a QUALITATIVE result, else None."""
    key = tuple(" ".join(text.lower().replace("_", " ").split()).split())
    if not key or len(key) > 8:
        return None
    for phrase, result in words().qualitative.get(key[0], ()):
        if key == phrase:
            return result
    return None


def parse_lab(analyte: str, raw: Any, where: str) -> LabValue:
    """A profile or record value for `analyte` (a vocab name, or any other lab name)."""
    known = vocab.canonical_analyte(analyte)
    if isinstance(raw, bool) or raw is None:
        raise PatientError(f"{where}: expected a number, a quantity or a result")
    if isinstance(raw, int | float):
        if isinstance(raw, int) and raw.bit_length() > 64 or not math.isfinite(raw):
            raise PatientError(f"{where}: the number is out of range")
        return _convert(known or analyte, None, float(raw), "", known is not None, where)
    if not isinstance(raw, str) or len(raw) > 100:
        raise PatientError(f"{where}: not a quantity (e.g. '150 10^9/L' or 'negative')")
    result = qualitative(raw)
    if result is not None:
        if known is not None:
            result = canonical_result(known, result)
        return LabValue(known or analyte, None, "", result=result)
    m = _QUANTITY.fullmatch(" ".join(raw.split()))
    if m is None:
        raise PatientError(f"{where}: not a quantity (e.g. '150 10^9/L' or 'negative')")
    cmp = _COMPARATOR.get(m.group(1) or "", m.group(1))
    value = float(m.group(2))
    if not math.isfinite(value):
        raise PatientError(f"{where}: the number is out of range")
    return _convert(known or analyte, cmp, value, m.group(3).strip(), known is not None, where)


def _convert(
    analyte: str, cmp: str | None, value: float, unit: str, known: bool, where: str
) -> LabValue:
    if not known:
        return LabValue(analyte, value, unit, cmp)  # outside the vocabulary: kept as given
    if not unit:
        unit = vocab.analyte(analyte).unit  # a bare number is in the canonical unit
    try:
        q = vocab.to_canonical(analyte, value, unit)
    except (vocab.UnitError, ValueError, OverflowError, ZeroDivisionError):
        raise PatientError(
            f"{where}: unit not understood for {analyte} (use e.g. {vocab.analyte(analyte).unit})"
        ) from None
    if not math.isfinite(q.value):
        raise PatientError(f"{where}: the number is out of range")
    return LabValue(analyte, q.value, q.unit, cmp)
