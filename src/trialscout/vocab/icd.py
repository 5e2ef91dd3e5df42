"""The ICD-10-CM tree and its names, read from `data/icd10cm.tsv`, and code-system names.

Coded facts from FHIR records carry a system URL and a code; this module turns both into the
vocabulary's short names and walks the ICD-10-CM hierarchy (C22.0 -> C22 -> C15-C26 -> chapter 2).
The table is built from the `simple-icd-10-cm` package by scripts/build_icd_terms.py, so no
process pays for parsing that package's XML.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

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


@cache
def table() -> dict[str, tuple[str, tuple[str, ...]]]:
    """code -> (parent code, names); raises ValueError on a malformed line."""
    text = resources.files("trialscout.vocab").joinpath("data/icd10cm.tsv").read_text("utf-8")
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0]:
            raise ValueError(f"icd10cm.tsv line {number}: expected code, parent, names")
        out[parts[0]] = (parts[1], tuple(n for n in parts[2].split("|") if n))
    return out


def normalize(code: str) -> str:
    """'c220' / 'C22.0 ' -> 'C22.0'; unchanged when not a known item."""
    text = code.strip().upper()
    known = table()
    if text in known:
        return text
    if "." not in text and len(text) > 3:
        dotted = f"{text[:3]}.{text[3:]}"
        if dotted in known:
            return dotted
    return text


@cache
def ancestors(code: str) -> tuple[str, ...]:
    """Broader ICD-10-CM items, nearest first; a code deeper than the table starts at the
    nearest item it has (C22.01 -> C22.0 ...). Empty for an unknown code."""
    known = table()
    text = normalize(code)
    while text not in known and len(text) > 3:
        text = text[:-1].rstrip(".")
    if text not in known:
        return ()
    out = [] if text == normalize(code) else [text]
    parent = known[text][0]
    while parent and parent not in out and parent != text:  # a cycle in the table ends the walk
        out.append(parent)
        parent = known.get(parent, ("", ()))[0]
    return tuple(out)
