"""Synthetic patients as a FHIR Bulk Data export, varied from real Synthea and mCODE bundles.

Deterministic from a seed: patient i is a copy of one template bundle with its own id, age, sex,
shifted dates, scaled lab values and added conditions from the vocabulary; a known share get
chronic hepatitis B (with antiviral therapy and liver labs) and hepatocellular carcinoma. The
output is one NDJSON file per resource type, split into `files_per_type` parts, gzipped or not.
No real person is in the output: templates are already synthetic (Synthea, HL7 mCODE examples).
"""

from __future__ import annotations

import copy
import gzip
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from trialscout import vocab
from trialscout.patient.fhir import USED

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
# liver labs for HBV / HCC patients: LOINC, unit, low, high
LIVER_LABS = (
    ("1742-6", "U/L", 15, 180),  # ALT
    ("1920-8", "U/L", 15, 160),  # AST
    ("1975-2", "mg/dL", 0.3, 3.5),  # total bilirubin
    ("1751-7", "g/dL", 2.5, 4.8),  # albumin
    ("777-3", "10*3/uL", 40, 350),  # platelets
    ("718-7", "g/dL", 8.5, 16.5),  # hemoglobin
    ("2160-0", "mg/dL", 0.5, 2.2),  # creatinine
)
ANTIVIRALS = (("tenofovir", "300195"), ("entecavir", "306266"))


@dataclass(slots=True)
class GeneratorReport:
    patients: int = 0
    hbv: int = 0
    hcc: int = 0
    files: list[str] = field(default_factory=list)


def load_templates(fhir_dir: str | Path) -> list[list[dict[str, Any]]]:
    """The used resources of every bundle under `fhir_dir` (Synthea .json.gz, mCODE .json),
    observations thinned to the latest per code (what the matcher reads)."""
    out = []
    for path in sorted(Path(fhir_dir).rglob("*.json*")):
        if path.name == "index.json":
            continue
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            data = orjson.loads(fh.read())
        if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
            continue
        res = [e["resource"] for e in data.get("entry", []) if e.get("resource")]
        out.append(_thin([r for r in res if r.get("resourceType") in USED]))
    if not out:
        raise ValueError(f"{fhir_dir}: no FHIR bundles to vary")
    return out


def _thin(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    rest = []
    for r in resources:
        if r["resourceType"] != "Observation":
            rest.append(r)
            continue
        code = orjson.dumps((r.get("code") or {}).get("coding", [])[:1])
        key = code.decode()
        when = str(r.get("effectiveDateTime", ""))
        if key not in latest or when > str(latest[key].get("effectiveDateTime", "")):
            latest[key] = r
    return rest + list(latest.values())


@cache
def _coded_conditions() -> list[tuple[str, str]]:
    """(concept, ICD-10-CM code) for every vocabulary condition that has one."""
    out = []
    for c in vocab.concepts("condition").values():
        for code in c.codes:
            if code.startswith("icd10cm:"):
                out.append((c.id, code.split(":", 1)[1]))
                break
    return sorted(out)


def _shift(value: Any, days: int) -> Any:
    """ISO dates and datetimes moved by `days` (time and zone kept)."""
    if not isinstance(value, str) or len(value) < 10 or value[4] != "-" or value[7] != "-":
        return value
    try:
        d = date.fromisoformat(value[:10]) + timedelta(days=days)
    except ValueError:
        return value
    return d.isoformat() + value[10:]


def _walk(obj: Any, fn) -> Any:
    if isinstance(obj, dict):
        return {k: _walk(v, fn) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_walk(v, fn) for v in obj]
    return fn(obj)


def _scale_values(res: dict[str, Any], rng: random.Random) -> None:
    q = res.get("valueQuantity")
    if isinstance(q, dict) and isinstance(q.get("value"), int | float):
        q["value"] = round(q["value"] * rng.uniform(0.7, 1.3), 2)


def _condition(pid: str, rid: str, name: str, code: str, onset: date) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "verificationStatus": {"coding": [{"code": "confirmed"}]},
        "code": {"coding": [{"system": ICD, "code": code, "display": name}], "text": name},
        "subject": {"reference": f"Patient/{pid}"},
        "onsetDateTime": onset.isoformat(),
    }


def _lab(pid: str, rid: str, code: str, unit: str, value: float, when: date) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when.isoformat(),
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def _medication(pid: str, rid: str, name: str, code: str, start: date) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": rid,
        "status": "active",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": name}]
        },
        "subject": {"reference": f"Patient/{pid}"},
        "effectivePeriod": {"start": start.isoformat()},
    }


def make_patient(
    i: int,
    templates: list[list[dict[str, Any]]],
    seed: int,
    today: date,
    hbv_share: float,
    hcc_share: float,
) -> tuple[list[dict[str, Any]], bool, bool]:
    """Patient number i: (resources, has HBV, has HCC); the same inputs give the same patient."""
    rng = random.Random(seed * 1_000_003 + i)
    pid = f"p{seed}-{i:07d}"
    shift = rng.randint(-3650, 0)
    base = copy.deepcopy(rng.choice(templates))
    out: list[dict[str, Any]] = []
    for n, res in enumerate(base):
        res = _walk(res, lambda v, s=shift: _shift(v, s))
        res["id"] = f"{pid}-{n}"
        if res["resourceType"] == "Patient":
            res["id"] = pid
            born = today - timedelta(days=int(rng.uniform(18, 90) * 365.25))
            res["birthDate"] = born.isoformat()
            res["gender"] = rng.choice(("male", "female"))
            res.pop("deceasedDateTime", None)
        else:
            for ref in ("subject", "patient"):
                if ref in res:
                    res[ref] = {"reference": f"Patient/{pid}"}
            _scale_values(res, rng)
        out.append(res)
    if not any(r["resourceType"] == "Patient" for r in out):
        out.append({"resourceType": "Patient", "id": pid, "gender": rng.choice(("male", "female"))})
    extra = _extras(pid, rng, today, hbv_share, hcc_share)
    return out + extra[0], extra[1], extra[2]


def _extras(pid, rng, today, hbv_share, hcc_share) -> tuple[list[dict[str, Any]], bool, bool]:
    added: list[dict[str, Any]] = []
    onset = today - timedelta(days=rng.randint(30, 4000))
    hcc = rng.random() < hcc_share
    hbv = (hcc and rng.random() < 0.7) or rng.random() < hbv_share
    if hbv:
        added.append(_condition(pid, f"{pid}-hbv", "Chronic viral hepatitis B", "B18.1", onset))
        name, code = rng.choice(ANTIVIRALS)
        added.append(_medication(pid, f"{pid}-nuc", name, code, onset + timedelta(days=20)))
    if hcc:
        when = onset + timedelta(days=rng.randint(0, 365))
        added.append(_condition(pid, f"{pid}-hcc", "Liver cell carcinoma", "C22.0", when))
    if hbv or hcc:
        for n, (code, unit, low, high) in enumerate(LIVER_LABS):
            value = round(rng.uniform(low, high), 2)
            added.append(
                _lab(
                    pid,
                    f"{pid}-lab{n}",
                    code,
                    unit,
                    value,
                    today - timedelta(days=rng.randint(1, 60)),
                )
            )
    for n in range(rng.choice((0, 0, 1, 1, 2))):
        name, code = rng.choice(_coded_conditions())
        added.append(_condition(pid, f"{pid}-c{n}", name, code, onset))
    return added, hbv, hcc


def generate(
    out_dir: str | Path,
    n: int,
    fhir_dir: str | Path,
    *,
    seed: int = 1,
    today: date | None = None,
    hbv_share: float = 0.2,
    hcc_share: float = 0.1,
    files_per_type: int = 2,
    gzipped: bool = False,
) -> GeneratorReport:
    """Write N patients as `<Type>.<k>.ndjson[.gz]` files in `out_dir`."""
    today = today or date(2026, 1, 1)
    templates = load_templates(fhir_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".ndjson.gz" if gzipped else ".ndjson"
    handles: dict[tuple[str, int], Any] = {}
    report = GeneratorReport()
    try:
        for i in range(n):
            resources, hbv, hcc = make_patient(i, templates, seed, today, hbv_share, hcc_share)
            report.patients += 1
            report.hbv += hbv
            report.hcc += hcc
            part = i % files_per_type
            for res in resources:
                key = (res["resourceType"], part)
                if key not in handles:
                    path = out / f"{key[0]}.{part:03d}{suffix}"
                    handles[key] = (gzip.open if gzipped else open)(path, "wb")
                    report.files.append(path.name)
                handles[key].write(orjson.dumps(res) + b"\n")
    finally:
        for fh in handles.values():
            fh.close()
    report.files.sort()
    return report
