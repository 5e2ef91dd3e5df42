"""Unit conversion through UCUM (ucumvert), including spellings plain pint misreads."""

from __future__ import annotations

import pytest

from trialscout.patient.units import (
    UnitError,
    analyte_for_loinc,
    analyte_key,
    analytes,
    convert,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("value", "src", "dst", "analyte", "expected"),
    [
        (250, "10*3/uL", "10^9/L", "platelets", 250),  # plain pint reads 10*3 as 30
        (250, "K/uL", "10^9/L", "platelets", 250),  # plain pint reads K as kelvin
        (1500, "/mm3", "10^9/L", "neutrophils", 1.5),
        (1500, "cells/uL", "10^9/L", "neutrophils", 1.5),
        (2, "×10⁹/L", "10^9/L", "neutrophils", 2),
        (12.8, "g/dL", "g/L", "hemoglobin", 128),
        (1.0, "mg/dL", "umol/L", "bilirubin", 17.1),
        (88.4, "umol/L", "mg/dL", "creatinine", 1.0),
        (90, "mL/min/{1.73_m2}", "mL/min/1.73m2", "egfr", 90),
        (40, "[IU]/L", "U/L", "alt", 40),
        (582, "copies/mL", "IU/mL", "hbv_dna", 100),
        (1.1, "{INR}", "1", "inr", 1.1),
    ],
)
def test_convert(value, src, dst, analyte, expected):
    assert convert(value, src, dst, analyte) == pytest.approx(expected, rel=0.01)


def test_incompatible_units_raise():
    with pytest.raises(UnitError):
        convert(1, "g/L", "10^9/L", "platelets")
    with pytest.raises(UnitError):
        convert(1, "copies/mL", "IU/mL", "alt")  # no copies/IU factor for ALT
    with pytest.raises(UnitError):
        convert(1, "mg/dL", "mmol/L", "alt")  # no molar mass


def test_quantities_and_vocabulary():
    assert parse_quantity("<20 IU/mL").comparator == "<"
    assert parse_quantity("1.2 x ULN").unit == "xULN"
    assert parse_quantity("3,5 g/dL").value == 3.5
    with pytest.raises(UnitError):
        parse_quantity("high")
    assert analyte_key("Platelet Count") == "platelets"
    assert analyte_key("ANC") == "neutrophils"
    assert analyte_for_loinc("1742-6") == "alt"
    assert all(a.unit for a in analytes().values())
