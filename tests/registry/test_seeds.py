"""The five reference trials, rebuilt as API v2 JSON from their public pages, read as the pages say.

Each assertion is a fact the page states; fields a page does not state must stay empty, because
the seeds promise "only what the page states" (see each file's trialscout.source_note).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import trialscout
from trialscout.ingest.load import ingest_records
from trialscout.registry.model import Trial
from trialscout.registry.sources import read_path
from trialscout.store.trials import TrialStore

SEEDS = Path(trialscout.__file__).parent / "data" / "demo" / "seeds"
IDS = {"NCT07553767", "NCT07120750", "NCT07328711", "NCT04163237", "ZJCH-HAIC-2024"}


@pytest.fixture(scope="module")
def seeds() -> dict[str, Trial]:
    records = list(read_path(SEEDS))
    assert [r.error for r in records if r.error] == []
    trials = {r.trial.trial_id: r.trial for r in records}
    assert len(records) == len(trials) == 5
    return trials


def test_five_seeds_read_without_errors_and_are_marked_rebuilt(seeds):
    assert set(seeds) == IDS
    for trial in seeds.values():
        assert trial.source_note.startswith("rebuilt from a public trial-finder page (")
        assert trial.source_note.endswith("only what the page states")
    assert {p.stem for p in SEEDS.glob("*.json")} == IDS


def test_000_patient_site_summary(seeds):
    t = seeds["NCT07553767"]
    assert t.nct_id == "NCT07553767" and t.phases == ["PHASE1"]
    assert t.enrollment == 156 and t.enrollment_type is None
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, 65)
    assert t.eligibility.sex is None and t.eligibility.criteria is None  # page states neither
    assert t.overall_status is None and t.study_type is None and t.sponsor is None
    assert "hepatocellular carcinoma" in t.conditions and len(t.conditions) == 3
    assert [i.name for i in t.interventions] == ["Peginterferon alfa-2b", "Antiviral drugs"]
    assert len(t.locations) == 4
    assert {loc.city for loc in t.locations} == {"Ningbo", "Hangzhou"}
    assert all(loc.lat is None and loc.lon is None for loc in t.locations)
    # masked contacts ("•••") are left out, not stored as fake values
    assert t.central_contacts == [] and all(loc.contacts == [] for loc in t.locations)
    assert "2026-06-27" in t.source_note


def test_001_registry_mirror(seeds):
    t = seeds["NCT07120750"]
    assert t.overall_status == "NOT_YET_RECRUITING" and t.study_type == "OBSERVATIONAL"
    assert t.enrollment == 332 and t.phases == []
    assert (t.start_date, t.completion_date) == ("2025-09-01", "2030-12-31")
    assert t.last_update_posted == "2025-08-13"
    assert t.design.observational_model == "COHORT" and t.design.time_perspective == "PROSPECTIVE"
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, 70)
    assert t.eligibility.sex == "ALL" and t.eligibility.healthy_volunteers is False
    assert t.sponsor.name == "Shenzhen Third People's Hospital" and t.sponsor.kind == "OTHER"
    assert t.org_study_id == "IIT-2024-077"
    assert t.conditions == []  # the page's Conditions section is empty
    assert [a.label for a in t.arms] == ["Group 1", "Group 2"]
    assert t.eligibility.criteria.startswith("Inclusion Criteria\n* HBsAg Positive:")
    assert "\nExclusion Criteria\n* Other Active Malignancies:" in t.eligibility.criteria
    assert t.detailed_description.startswith("2. Key Mechanism Hypotheses")
    assert t.locations == [] and t.has_results is False


def test_002_recruiting_site(seeds):
    t = seeds["NCT07328711"]
    assert t.overall_status == "RECRUITING" and t.phases == ["EARLY_PHASE1"]  # page: "Phase 0"
    assert t.enrollment is None
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, 60)
    assert t.eligibility.sex == "ALL" and t.eligibility.healthy_volunteers is None
    assert t.conditions == ["Chronic Hepaititis B"]  # registrant's spelling, kept
    crit = t.eligibility.criteria
    assert crit.startswith("Inclusion Criteria:\n\n  1. Aged 18 to 60 years (inclusive).")
    assert "(\\<0.05 IU/mL)" in crit and "HBV DNA \\<10 IU/mL" in crit
    assert "  7. Body Mass Index (BMI) \\> 28 kg/m²." in crit
    assert t.locations == [] and t.central_contacts == []


def test_003_registry_browser(seeds):
    t = seeds["NCT04163237"]
    assert t.overall_status == "UNKNOWN" and t.phases == ["PHASE3"]
    assert t.study_type == "INTERVENTIONAL" and t.enrollment == 50
    assert t.enrollment_type == "ESTIMATED"
    assert t.eligibility.sex == "ALL" and t.eligibility.healthy_volunteers is False
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, 75)
    d = t.design
    assert (d.purpose, d.allocation, d.model, d.masking) == (
        "TREATMENT",
        "RANDOMIZED",
        "PARALLEL",
        "NONE",
    )
    assert [(a.label, a.type) for a in t.arms] == [
        ("PD-1 & Sorafenib", "EXPERIMENTAL"),
        ("Sorafenib", "OTHER"),
    ]
    assert {(i.type, i.name) for i in t.interventions} == {("DRUG", "Sorafenib"), ("DRUG", "PD-1")}
    assert t.sponsor.name == "Guangxi Medical University" and t.sponsor.kind == "OTHER"
    assert t.org_study_id == "GuangXiMU-HCC-PD1(2)"
    assert "    • Neutrophils ≥ 1.5 × 109 / L;" in t.eligibility.criteria  # page's "10⁹" as is
    assert "\nExclusion criteria\n" in t.eligibility.criteria
    assert t.locations == []  # the page shows a count of 1 but no location details


def test_004_no_nct_id_stored_under_its_own_id(seeds):
    t = seeds["ZJCH-HAIC-2024"]
    assert t.trial_id == "ZJCH-HAIC-2024" and t.nct_id is None
    assert t.overall_status == "RECRUITING" and t.phases == [] and t.enrollment is None
    assert t.eligibility.sex == "ALL"
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, 75)
    crit = t.eligibility.criteria
    assert crit.startswith("Inclusion Criteria:\n• 1. Aged between 18 and 75 years;\n")
    assert "\nExclusion Criteria:\n• 1. Pathological diagnosis" in crit
    assert "HBV) DNA \\> 2000 copies/ml" in crit and not crit.startswith("- ")
    assert t.sponsor.name == "Zhejiang Cancer Hospital" and t.start_date == "2024-12-17"
    assert len(t.locations) == 1 and t.locations[0].city == "Hangzhou"
    assert t.locations[0].facility is None and t.locations[0].lat is None
    assert "2025-07-22" in t.source_note


def test_seeds_ingest_and_read_back_by_id(db):
    report = ingest_records(db, read_path(SEEDS), sources=str(SEEDS))
    assert (report.new, report.rejected) == (5, 0)
    store = TrialStore(db)
    assert store.get("zjch-haic-2024").trial.nct_id is None
    assert store.get("NCT04163237").trial.source_note.startswith("rebuilt from a public")
    again = ingest_records(db, read_path(SEEDS), sources=str(SEEDS))
    assert (again.new, again.changed, again.unchanged) == (0, 0, 5)
