"""Every unit spelling the normalizer accepts, converted to the analyte's canonical unit."""

from __future__ import annotations

import pytest

from trialscout.vocab import match_unit, parse_unit
from trialscout.vocab import to_canonical as normalize_quantity

CASES = [
    # counts: superscripts, lost superscripts, carets, UCUM stars, K/uL, per-mm3
    ("platelets", 50, "× 10^9/L", 50, "10^9/L"),
    ("platelets", 50, "x10⁹/L", 50, "10^9/L"),
    ("platelets", 50, "× 10⁹ / L", 50, "10^9/L"),
    ("platelets", 50, "x 109/L", 50, "10^9/L"),
    ("neutrophils", 1.5, "× 109 / L", 1.5, "10^9/L"),
    ("platelets", 50, "10*9/L", 50, "10^9/L"),
    ("platelets", 50, "x10E9/L", 50, "10^9/L"),
    ("platelets", 50, "10^9/L", 50, "10^9/L"),
    ("platelets", 100, "K/uL", 100, "10^9/L"),
    ("platelets", 100, "K/µL", 100, "10^9/L"),
    ("platelets", 100_000, "/mm3", 100, "10^9/L"),
    ("platelets", 100_000, "/mm³", 100, "10^9/L"),
    ("platelets", 70_000, "mm(3)", 70, "10^9/L"),
    ("platelets", 60_000, "/µL", 60, "10^9/L"),
    ("neutrophils", 1500, "cells/mm3", 1.5, "10^9/L"),
    ("neutrophils", 1.5, "G/L", 1.5, "10^9/L"),
    ("wbc", 3, "× 10³/µL", 3, "10^9/L"),
    ("wbc", 3, "x10^3/uL", 3, "10^9/L"),
    ("cd4", 200, "cells/mm3", 200, "10^6/L"),
    # mass and molar concentrations, per analyte
    ("hemoglobin", 9, "g/dL", 90, "g/L"),
    ("hemoglobin", 90, "g / L", 90, "g/L"),
    ("albumin", 3.5, "g/dl", 35, "g/L"),
    ("bilirubin", 1.5, "mg/dL", 25.6559, "umol/L"),
    ("bilirubin", 34, "µmol/L", 34, "umol/L"),
    ("bilirubin", 34, "μmol/L", 34, "umol/L"),
    ("bilirubin", 34, "umol/L", 34, "umol/L"),
    ("creatinine", 1.5, "mg/dL", 132.603, "umol/L"),
    ("creatinine", 133, "µmol/L", 133, "umol/L"),
    ("glucose", 126, "mg/dL", 6.99378, "mmol/L"),
    ("glucose", 7, "mmol/L", 7, "mmol/L"),
    ("afp", 400, "ng/mL", 400, "ng/mL"),
    ("afp", 200, "ug/L", 200, "ng/mL"),
    ("afp", 200, "µg/L", 200, "ng/mL"),
    ("afp", 400, "IU/mL", 484, "ng/mL"),
    # viral loads: copies vs IU (1 IU = 5.82 copies), log10 values
    ("hbv_dna", 2000, "copies/ml", 343.642, "IU/mL"),
    ("hbv_dna", 2000, "copies/mL", 343.642, "IU/mL"),
    ("hbv_dna", 20000, "IU/mL", 20000, "IU/mL"),
    ("hbv_dna", 4, "log10 IU/mL", 10000, "IU/mL"),
    ("hbv_dna", 5, "log copies/mL", 17182.1, "IU/mL"),
    ("hbsag", 0.05, "IU/mL", 0.05, "IU/mL"),
    ("hcv_rna", 15, "IU/mL", 15, "IU/mL"),
    # enzymes, clearance, other
    ("alt", 40, "U/L", 40, "U/L"),
    ("alt", 40, "IU/L", 40, "U/L"),
    ("creatinine_clearance", 50, "mL/min", 50, "mL/min"),
    ("creatinine_clearance", 50, "cc/min", 50, "mL/min"),
    ("creatinine_clearance", 60, "mL/minute", 60, "mL/min"),
    ("egfr", 60, "mL/min/1.73m^2", 60, "mL/min/1.73m^2"),
    ("egfr", 60, "mL/min/1.73 m²", 60, "mL/min/1.73m^2"),
    ("egfr", 60, "ml/min/1.73m2", 60, "mL/min/1.73m^2"),
    ("inr", 1.5, "", 1.5, "1"),
    ("pt", 16, "seconds", 16, "s"),
    ("aptt", 40, "sec", 40, "s"),
    ("icg_r15", 10, "%", 10, "%"),
    ("hematocrit", 30, "%", 30, "%"),
    ("bmi", 28, "kg/m²", 28, "kg/m^2"),
    ("bmi", 28, "kg/m2", 28, "kg/m^2"),
    ("body_weight", 50, "kg", 50, "kg"),
    ("systolic_bp", 140, "mmHg", 140, "mmHg"),
    ("qtc", 470, "msec", 470, "ms"),
    # multiples of the upper limit of normal
    ("ast", 2.5, "× ULN", 2.5, "xULN"),
    ("ast", 2.5, "x ULN", 2.5, "xULN"),
    ("alt", 5, "times the upper limit of normal", 5, "xULN"),
    ("alt", 5, "x upper limit of normal (ULN)", 5, "xULN"),
    ("bilirubin", 1.5, "ULN", 1.5, "xULN"),
    ("creatinine", 1.5, "times the institutional upper limit of normal", 1.5, "xULN"),
]


@pytest.mark.parametrize(("analyte", "value", "unit", "expected", "canonical"), CASES)
def test_every_accepted_unit_converts(analyte, value, unit, expected, canonical):
    q = normalize_quantity(analyte, value, unit)
    assert q.unit == canonical
    assert q.value == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(
    ("analyte", "unit"),
    [
        ("hemoglobin", "K/uL"),  # a count is not a mass concentration
        ("albumin", "x ULN"),  # albumin is never written as a multiple of ULN
        ("alt", "kelvin"),
        ("platelets", "mg/dL"),
        ("hbv_dna", "mg/dL"),
        ("inr", "g/L"),
    ],
)
def test_units_that_do_not_fit_raise_naming_the_problem(analyte, unit):
    with pytest.raises(ValueError, match=analyte.split("_")[0] + "|unit"):
        normalize_quantity(analyte, 1, unit)


def test_unknown_analyte_raises():
    with pytest.raises(ValueError, match="unknown analyte"):
        normalize_quantity("unobtainium", 1, "g/L")


def test_pint_traps_are_not_handed_to_pint():
    """pint reads '10*9/L' as 90/L and 'K/uL' as kelvin: the normalizer must get there first."""
    assert parse_unit("10*9/L").scale == 1e9
    assert parse_unit("K/uL").token == "10^3/uL"
    assert parse_unit("mL/min/1.73m^2").token == "mL/min/1.73m^2"


def test_match_unit_reports_consumed_length():
    spec, used = match_unit(" × 10^9/L; and more")
    assert spec.token == "10^9/L"
    assert " × 10^9/L; and more"[used:].startswith(";")


def test_hba1c_mmol_per_mol_is_affine_not_a_ratio():
    """Issue 11: HbA1c 55 mmol/mol is 7.2 % (IFCC -> NGSP), not 5.5 %."""
    assert round(normalize_quantity("hba1c", 55, "mmol/mol").value, 1) == 7.2


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "expected"),
    [
        ("platelets", 120, "10*9/L", 120),
        ("platelets", 120, "10*3/uL", 120),
        ("platelets", 120000, "/uL", 120),
        ("hemoglobin", 13, "g/dL", 130),
        ("hbv_dna", 2000, "[iU]/mL", 2000),
        ("creatinine", 1.0, "mg/dL", 88.4),
    ],
)
def test_ucum_spellings_from_fhir(analyte, value, unit, expected):
    assert normalize_quantity(analyte, value, unit).value == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(
    ("value", "unit", "analyte", "expected"),
    [
        (250, "10*3/uL", "platelets", 250),  # plain pint reads 10*3 as 30
        (250, "K/uL", "platelets", 250),  # plain pint reads K as kelvin
        (1500, "/mm3", "neutrophils", 1.5),
        (1500, "cells/uL", "neutrophils", 1.5),
        (2, "×10⁹/L", "neutrophils", 2),
        (12.8, "g/dL", "hemoglobin", 128),
        (1.0, "mg/dL", "bilirubin", 17.1),
        (90, "mL/min/{1.73_m2}", "egfr", 90),
        (40, "[IU]/L", "alt", 40),
        (582, "copies/mL", "hbv_dna", 100),
        (1.1, "{INR}", "inr", 1.1),
    ],
)
def test_patient_spellings_reach_the_canonical_unit(value, unit, analyte, expected):
    """The spellings patients' files use (UCUM from FHIR, hand-written in profiles)."""
    assert normalize_quantity(analyte, value, unit).value == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize(
    ("analyte", "unit"), [("platelets", "g/dL"), ("alt", "copies/mL"), ("alt", "mmol/L")]
)
def test_units_that_do_not_fit_raise(analyte, unit):
    from trialscout.vocab import UnitError

    with pytest.raises(UnitError):
        normalize_quantity(analyte, 1, unit)
