"""The ICD-10-CM tree (from the `simple-icd-10-cm` package) and code-system names.

Coded facts from FHIR records carry a system URL and a code; this module turns both into the
vocabulary's short names and walks the ICD-10-CM hierarchy (C22.0 -> C22 -> C15-C26 -> chapter 2).
"""

from __future__ import annotations

from functools import cache

import simple_icd_10_cm as cm

SYSTEMS = {
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://hl7.org/fhir/sid/icd-10": "icd10cm",
    "icd-10-cm": "icd10cm",
    "icd10cm": "icd10cm",
    "icd-10": "icd10cm",
    "icd10": "icd10cm",
    "http://snomed.info/sct": "snomed",
    "snomed": "snomed",
    "sct": "snomed",
    "http://loinc.org": "loinc",
    "loinc": "loinc",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "rxnorm": "rxnorm",
    "http://www.whocc.no/atc": "atc",
    "atc": "atc",
    "mesh": "mesh",
}


def system_name(system: str | None) -> str | None:
    """'http://hl7.org/fhir/sid/icd-10-cm' -> 'icd10cm'; None for a system we do not read."""
    return SYSTEMS.get((system or "").strip().lower().rstrip("/"))


def normalize(code: str) -> str:
    """'c220' / 'C22.0 ' -> 'C22.0' (the package's spelling), unchanged when not a valid code."""
    text = code.strip().upper()
    if cm.is_valid_item(text):
        return cm.add_dot(text) if "." not in text and "-" not in text else text
    return text


@cache
def ancestors(code: str) -> tuple[str, ...]:
    """Broader ICD-10-CM items, nearest first; empty for an unknown code."""
    text = normalize(code)
    if not cm.is_valid_item(text):
        return ()
    return tuple(cm.get_ancestors(text))
