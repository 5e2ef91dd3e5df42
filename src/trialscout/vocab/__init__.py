"""The one medical vocabulary: conditions, therapies, lab analytes, scores, codes, units.

Read by criteria, patient, match, search and summary alike. Data lives in `vocab/data/*.yaml`
(validated on load); this package knows nothing about trials or patients.

>>> from trialscout import vocab
>>> vocab.is_a("HCC", "liver cancer", "condition")
True
>>> vocab.to_canonical("hba1c", 55, "mmol/mol").value
7.183
"""

from trialscout.vocab.concepts import (
    KINDS,
    Concept,
    ancestors,
    by_code,
    canonical,
    concept,
    concepts,
    descendants,
    is_a,
    is_event,
    norm,
)
from trialscout.vocab.finder import Mention, find
from trialscout.vocab.labs import (
    Analyte,
    UnitError,
    analyte,
    analyte_for_loinc,
    analytes,
    bare_unit,
    canonical_analyte,
    to_canonical,
)
from trialscout.vocab.scores import ScoreSystem, score_systems
from trialscout.vocab.units import Quantity, UnitSpec, match_unit, parse_unit

__all__ = [
    "KINDS",
    "Analyte",
    "bare_unit",
    "Concept",
    "Mention",
    "Quantity",
    "ScoreSystem",
    "UnitError",
    "UnitSpec",
    "analyte",
    "analyte_for_loinc",
    "analytes",
    "ancestors",
    "by_code",
    "canonical",
    "canonical_analyte",
    "concept",
    "concepts",
    "descendants",
    "find",
    "is_a",
    "is_event",
    "match_unit",
    "norm",
    "parse_unit",
    "score_systems",
    "to_canonical",
]
