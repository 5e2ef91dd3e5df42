"""FHIR R4 bundles: codes with systems, clinical and verification status, dates, results."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from trialscout.patient import PatientError, bundle_to_patient, load_patient

DATA = Path(__file__).parent.parent / "data" / "patient"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


def bundle(*resources: dict) -> dict:
    patient = {"resourceType": "Patient", "gender": "male", "birthDate": "1970-05-01"}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in (patient, *resources)],
    }


def condition(code: str, system: str = ICD, display: str = "", **extra) -> dict:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {
        "resourceType": "Condition",
        "subject": {"reference": "Patient/1"},
        "code": {"coding": [coding]},
        **extra,
    }


def status(kind: str, code: str) -> dict:
    system = f"http://terminology.hl7.org/CodeSystem/condition-{kind}"
    return {"coding": [{"system": system, "code": code}]}


def observation(loinc: str, **value) -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "effectiveDateTime": "2026-01-05",
        **value,
    }


def test_icd10cm_code_kept_with_its_system_and_concept():
    p = bundle_to_patient(bundle(condition("C22.0", onsetDateTime="2025-03-01")), "b.json")
    fact = p.conditions[0]
    assert fact.codes == ["icd10cm:C22.0"]
    assert fact.concept == "hepatocellular carcinoma" and fact.name == fact.concept
    assert fact.onset == date(2025, 3, 1) and fact.current
    assert p.complete_history and p.age is not None and p.age >= 55


def test_resolved_condition_is_not_current_and_refuted_is_dropped():
    p = bundle_to_patient(
        bundle(
            condition(
                "B18.1",
                clinicalStatus=status("clinical", "resolved"),
                abatementDateTime="2024-06-01",
            ),
            condition("K74.60", verificationStatus=status("ver-status", "refuted")),
            condition("C22.0", verificationStatus=status("ver-status", "entered-in-error")),
            condition("I10", clinicalStatus=status("clinical", "remission")),
        ),
        "b.json",
    )
    assert [c.codes for c in p.conditions] == [["icd10cm:B18.1"], ["icd10cm:I10"]]
    hbv, htn = p.conditions
    assert hbv.own and not hbv.current and hbv.abated == date(2024, 6, 1)
    assert hbv.clinical_status == "resolved"
    assert htn.clinical_status == "remission" and not htn.current


def test_pregnancy_from_a_current_condition_only():
    def female(*resources: dict) -> dict:
        data = bundle(*resources)
        data["entry"][0]["resource"]["gender"] = "female"
        return data

    past = condition("0", SNOMED, "Normal pregnancy", abatementDateTime="2020-01-01")
    assert bundle_to_patient(female(past), "b.json").pregnant is None
    now = condition("77386006", SNOMED, "Pregnancy")
    assert bundle_to_patient(female(now), "b.json").pregnant is True
    assert bundle_to_patient(bundle(now), "b.json").pregnant is False  # a man


def test_medication_and_procedure_dates():
    med = {
        "resourceType": "MedicationStatement",
        "status": "completed",
        "subject": {"reference": "Patient/1"},
        "medicationCodeableConcept": {"text": "Tenofovir disoproxil fumarate 300 MG Oral Tablet"},
        "effectivePeriod": {"start": "2020-01-01", "end": "2025-12-31"},
    }
    proc = {
        "resourceType": "Procedure",
        "status": "completed",
        "subject": {"reference": "Patient/1"},
        "code": {"coding": [{"system": SNOMED, "code": "0", "display": "Hepatectomy"}]},
        "performedPeriod": {"start": "2026-05-01", "end": "2026-05-02"},
    }
    p = bundle_to_patient(bundle(med, proc), "b.json")
    tdf, hx = p.therapies
    assert tdf.concept == "tenofovir" and tdf.start == date(2020, 1, 1)
    assert tdf.end == date(2025, 12, 31)
    assert hx.concept == "hepatectomy" and (hx.start, hx.end) == (
        date(2026, 5, 1),
        date(2026, 5, 2),
    )


def test_hba1c_mmol_per_mol_observation_is_affine():
    obs = observation(
        "4548-4",
        valueQuantity={"value": 55, "unit": "mmol/mol", "system": "http://unitsofmeasure.org"},
    )
    lab = bundle_to_patient(bundle(obs), "b.json").labs["hba1c"]
    assert lab.unit == "%" and lab.value == pytest.approx(7.2, abs=0.05)
    assert lab.date == date(2026, 1, 5)


def test_qualitative_results_from_code_string_and_interpretation():
    neg = {"coding": [{"system": SNOMED, "code": "260385009", "display": "Negative"}]}
    interp = [{"coding": [{"code": "POS"}]}]
    p = bundle_to_patient(
        bundle(
            observation("13954-3", valueCodeableConcept=neg),  # HBeAg
            observation("29615-2", valueString="Not detected"),  # HBV DNA
            observation("5196-1", interpretation=interp),  # HBsAg
            observation("16128-1", valueCodeableConcept={"text": "non-reactive"}),  # anti-HCV
        ),
        "b.json",
    )
    assert p.labs["hbeag"].result == "negative"
    assert p.labs["hbv_dna"].result == "undetectable"
    assert p.labs["hbsag"].result == "positive"
    assert p.labs["anti_hcv"].result == "negative"


def test_unconvertible_unit_is_left_out_and_latest_value_wins():
    p = bundle_to_patient(
        bundle(
            observation("777-3", valueQuantity={"value": 150, "code": "10*3/uL"}),
            {
                **observation("777-3", valueQuantity={"value": 90, "code": "10*9/L"}),
                "effectiveDateTime": "2026-02-01",
            },
            observation("718-7", valueQuantity={"value": 12, "code": "furlongs"}),
        ),
        "b.json",
    )
    assert p.labs["platelets"].value == 90 and p.labs["platelets"].unit == "10^9/L"
    assert "hemoglobin" not in p.labs


def test_product_suffix_is_linear_in_spaces():
    import time

    med = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/1"},
        "medicationCodeableConcept": {"text": "x" + " " * 20_000 + "y"},
    }
    start = time.perf_counter()
    bundle_to_patient(bundle(med), "b.json")
    assert time.perf_counter() - start < 1.0


def test_mcode_bundle():
    p = load_patient(DATA / "mcode_patient01.json")
    assert p.sex == "female" and p.age is not None and p.age >= 60 and p.complete_history
    names = {c.name for c in p.conditions}
    assert "secondary malignant neoplasm of liver" in names
    assert any(c.concept == "breast cancer" for c in p.conditions)
    assert p.scores == {"stage": "IV", "ecog": "1"}
    assert {"fulvestrant", "ribociclib", "abemaciclib"} <= {t.name for t in p.therapies}


def test_synthea_bundle_in_canonical_units():
    p = load_patient(DATA / "synthea_prostate.json.gz")
    assert p.sex == "male" and p.location["city"] == "Marblehead"
    assert p.labs["platelets"].unit == "10^9/L"  # recorded as 10*3/uL
    assert p.labs["hemoglobin"].unit == "g/L" and 50 < p.labs["hemoglobin"].value < 250
    cancer = next(c for c in p.conditions if c.concept == "prostate cancer")
    assert cancer.current and cancer.onset is not None
    sinusitis = next(c for c in p.conditions if "sinusitis" in c.name)
    assert not sinusitis.current and sinusitis.abated is not None
    surgery = next(t for t in p.therapies if t.name == "prostatectomy")
    assert surgery.start is not None


def test_invalid_fhir_resource_names_entry(tmp_path):
    bad = bundle({"resourceType": "Observation", "status": "final", "code": "not-a-concept"})
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(PatientError) as err:
        load_patient(path)
    assert "b.json: entry[1] (Observation): invalid field 'code'" in str(err.value)
