"""ClinicalTrials.gov API v2 study objects -> `Trial`.

Every getter names the JSON path it reads, so a wrong type becomes a `FieldError` such as
``protocolSection.designModule.enrollmentInfo.count: expected a whole number, got 'many'``.
"""

from __future__ import annotations

from typing import Any

from trialscout.registry.errors import FieldError
from trialscout.registry.fields import (
    NCT_RE,
    check_age_range,
    check_trial_id,
    clean_text,
    get_bool,
    get_dict,
    get_float,
    get_int,
    get_list,
    get_str,
    get_str_list,
    parse_age,
    parse_date,
)
from trialscout.registry.model import (
    Arm,
    Contact,
    Design,
    Eligibility,
    Intervention,
    Location,
    Official,
    Organization,
    Outcome,
    SecondaryId,
    Trial,
)

P = "protocolSection"


def is_v2_study(obj: Any) -> bool:
    return isinstance(obj, dict) and "protocolSection" in obj


def study_id(obj: Any) -> str | None:
    """Best-effort ID for error messages, even from a broken record."""
    try:
        ident = obj["protocolSection"]["identificationModule"]
        value = ident.get("nctId") or (obj.get("trialscout") or {}).get("id")
        return value if isinstance(value, str) else None
    except (KeyError, TypeError, AttributeError):
        return None


def trial_from_v2(study: dict[str, Any]) -> Trial:
    if not isinstance(study, dict):
        raise FieldError("(record)", f"expected a study object, got {type(study).__name__}")
    proto = get_dict(study, "protocolSection", "")
    if not proto:
        raise FieldError("protocolSection", "missing")
    ident = get_dict(proto, "identificationModule", P)
    ip = f"{P}.identificationModule"
    nct_id = get_str(ident, "nctId", ip)
    ext = get_dict(study, "trialscout", "")
    if nct_id is not None and not NCT_RE.match(nct_id):
        raise FieldError(f"{ip}.nctId", f"not an NCT number: {nct_id!r:.40}")
    other_id = get_str(ext, "id", "trialscout")
    if nct_id is None and other_id is None:
        raise FieldError(f"{ip}.nctId", "missing (a record needs an NCT ID, or trialscout.id)")
    trial_id = nct_id or check_trial_id(other_id or "", "trialscout.id")

    trial = Trial(trial_id=trial_id, nct_id=nct_id, source_note=get_str(ext, "source_note", "x"))
    trial.org_study_id = get_str(
        get_dict(ident, "orgStudyIdInfo", ip), "id", ip + ".orgStudyIdInfo"
    )
    for i, s in enumerate(get_list(ident, "secondaryIdInfos", ip)):
        sp = f"{ip}.secondaryIdInfos[{i}]"
        sid = get_str(_obj(s, sp), "id", sp)
        if sid:
            trial.secondary_ids.append(
                SecondaryId(sid, get_str(s, "type", sp), get_str(s, "domain", sp))
            )
    trial.brief_title = get_str(ident, "briefTitle", ip)
    trial.official_title = get_str(ident, "officialTitle", ip)
    trial.acronym = get_str(ident, "acronym", ip)

    _read_status(trial, get_dict(proto, "statusModule", P))
    _read_sponsors(trial, get_dict(proto, "sponsorCollaboratorsModule", P))
    desc = get_dict(proto, "descriptionModule", P)
    trial.brief_summary = clean_text(get_str(desc, "briefSummary", f"{P}.descriptionModule"))
    trial.detailed_description = clean_text(
        get_str(desc, "detailedDescription", f"{P}.descriptionModule")
    )
    cond = get_dict(proto, "conditionsModule", P)
    trial.conditions = get_str_list(cond, "conditions", f"{P}.conditionsModule")
    trial.keywords = get_str_list(cond, "keywords", f"{P}.conditionsModule")
    _read_design(trial, get_dict(proto, "designModule", P))
    _read_arms(trial, get_dict(proto, "armsInterventionsModule", P))
    _read_outcomes(trial, get_dict(proto, "outcomesModule", P))
    _read_eligibility(trial, get_dict(proto, "eligibilityModule", P))
    _read_contacts(trial, get_dict(proto, "contactsLocationsModule", P))
    derived = get_dict(study, "derivedSection", "")
    trial.condition_terms = _mesh_terms(derived, "conditionBrowseModule")
    trial.intervention_terms = _mesh_terms(derived, "interventionBrowseModule")
    has_results = get_bool(study, "hasResults", "")
    trial.has_results = bool(has_results) or "resultsSection" in study
    return trial


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(path, f"expected an object, got {type(value).__name__}")
    return value


def _date_struct(mod: dict[str, Any], key: str, path: str) -> tuple[str | None, str | None]:
    struct = get_dict(mod, key, path)
    p = f"{path}.{key}"
    return parse_date(get_str(struct, "date", p), f"{p}.date"), get_str(struct, "type", p)


def _read_status(trial: Trial, mod: dict[str, Any]) -> None:
    p = f"{P}.statusModule"
    trial.overall_status = get_str(mod, "overallStatus", p)
    trial.last_known_status = get_str(mod, "lastKnownStatus", p)
    trial.why_stopped = get_str(mod, "whyStopped", p)
    trial.start_date, trial.start_date_type = _date_struct(mod, "startDateStruct", p)
    trial.primary_completion_date, trial.primary_completion_date_type = _date_struct(
        mod, "primaryCompletionDateStruct", p
    )
    trial.completion_date, trial.completion_date_type = _date_struct(mod, "completionDateStruct", p)
    trial.first_submitted = parse_date(
        get_str(mod, "studyFirstSubmitDate", p), f"{p}.studyFirstSubmitDate"
    )
    trial.first_posted, _ = _date_struct(mod, "studyFirstPostDateStruct", p)
    trial.last_update_posted, _ = _date_struct(mod, "lastUpdatePostDateStruct", p)
    trial.results_first_posted, _ = _date_struct(mod, "resultsFirstPostDateStruct", p)


def _org(value: Any, path: str) -> Organization | None:
    obj = _obj(value, path)
    name = get_str(obj, "name", path)
    return Organization(name, get_str(obj, "class", path)) if name else None


def _read_sponsors(trial: Trial, mod: dict[str, Any]) -> None:
    p = f"{P}.sponsorCollaboratorsModule"
    if mod.get("leadSponsor") is not None:
        trial.sponsor = _org(mod["leadSponsor"], f"{p}.leadSponsor")
    for i, c in enumerate(get_list(mod, "collaborators", p)):
        org = _org(c, f"{p}.collaborators[{i}]")
        if org:
            trial.collaborators.append(org)


def _read_design(trial: Trial, mod: dict[str, Any]) -> None:
    p = f"{P}.designModule"
    trial.study_type = get_str(mod, "studyType", p)
    trial.phases = get_str_list(mod, "phases", p)
    info = get_dict(mod, "designInfo", p)
    ip = f"{p}.designInfo"
    masking = get_dict(info, "maskingInfo", ip)
    trial.design = Design(
        purpose=get_str(info, "primaryPurpose", ip),
        allocation=get_str(info, "allocation", ip),
        model=get_str(info, "interventionModel", ip),
        model_description=get_str(info, "interventionModelDescription", ip),
        masking=get_str(masking, "masking", f"{ip}.maskingInfo"),
        who_masked=get_str_list(masking, "whoMasked", f"{ip}.maskingInfo"),
        observational_model=get_str(info, "observationalModel", ip),
        time_perspective=get_str(info, "timePerspective", ip),
    )
    enroll = get_dict(mod, "enrollmentInfo", p)
    trial.enrollment = get_int(enroll, "count", f"{p}.enrollmentInfo")
    trial.enrollment_type = get_str(enroll, "type", f"{p}.enrollmentInfo")


def _read_arms(trial: Trial, mod: dict[str, Any]) -> None:
    p = f"{P}.armsInterventionsModule"
    for i, a in enumerate(get_list(mod, "armGroups", p)):
        ap = f"{p}.armGroups[{i}]"
        label = get_str(_obj(a, ap), "label", ap)
        if label:
            trial.arms.append(
                Arm(
                    label=label,
                    type=get_str(a, "type", ap),
                    description=clean_text(get_str(a, "description", ap)),
                    interventions=get_str_list(a, "interventionNames", ap),
                )
            )
    for i, v in enumerate(get_list(mod, "interventions", p)):
        vp = f"{p}.interventions[{i}]"
        name = get_str(_obj(v, vp), "name", vp)
        if name:
            trial.interventions.append(
                Intervention(
                    name=name,
                    type=get_str(v, "type", vp),
                    description=clean_text(get_str(v, "description", vp)),
                    arm_labels=get_str_list(v, "armGroupLabels", vp),
                    other_names=get_str_list(v, "otherNames", vp),
                )
            )


def _read_outcomes(trial: Trial, mod: dict[str, Any]) -> None:
    p = f"{P}.outcomesModule"
    for kind in ("primary", "secondary", "other"):
        key = f"{kind}Outcomes"
        for i, o in enumerate(get_list(mod, key, p)):
            op = f"{p}.{key}[{i}]"
            measure = get_str(_obj(o, op), "measure", op)
            if measure:
                trial.outcomes.append(
                    Outcome(
                        kind=kind,
                        measure=measure,
                        description=clean_text(get_str(o, "description", op)),
                        time_frame=get_str(o, "timeFrame", op),
                    )
                )


def _read_eligibility(trial: Trial, mod: dict[str, Any]) -> None:
    p = f"{P}.eligibilityModule"
    min_age = get_str(mod, "minimumAge", p)
    max_age = get_str(mod, "maximumAge", p)
    low, high = parse_age(min_age, f"{p}.minimumAge"), parse_age(max_age, f"{p}.maximumAge")
    check_age_range(low, high, f"{p}.minimumAge")
    trial.eligibility = Eligibility(
        criteria=clean_text(get_str(mod, "eligibilityCriteria", p)),
        sex=get_str(mod, "sex", p),
        minimum_age=min_age,
        maximum_age=max_age,
        min_age_years=low,
        max_age_years=high,
        healthy_volunteers=get_bool(mod, "healthyVolunteers", p),
        std_ages=get_str_list(mod, "stdAges", p),
        study_population=clean_text(get_str(mod, "studyPopulation", p)),
    )


def _contact(value: Any, path: str) -> Contact:
    obj = _obj(value, path)
    return Contact(
        name=get_str(obj, "name", path),
        role=get_str(obj, "role", path),
        phone=get_str(obj, "phone", path),
        email=get_str(obj, "email", path),
    )


def _read_contacts(trial: Trial, mod: dict[str, Any]) -> None:
    p = f"{P}.contactsLocationsModule"
    trial.central_contacts = [
        _contact(c, f"{p}.centralContacts[{i}]")
        for i, c in enumerate(get_list(mod, "centralContacts", p))
    ]
    for i, o in enumerate(get_list(mod, "overallOfficials", p)):
        op = f"{p}.overallOfficials[{i}]"
        obj = _obj(o, op)
        trial.officials.append(
            Official(
                get_str(obj, "name", op), get_str(obj, "affiliation", op), get_str(obj, "role", op)
            )
        )
    for i, loc in enumerate(get_list(mod, "locations", p)):
        lp = f"{p}.locations[{i}]"
        obj = _obj(loc, lp)
        geo = get_dict(obj, "geoPoint", lp)
        trial.locations.append(
            Location(
                facility=get_str(obj, "facility", lp),
                city=get_str(obj, "city", lp),
                state=get_str(obj, "state", lp),
                zip=get_str(obj, "zip", lp),
                country=get_str(obj, "country", lp),
                status=get_str(obj, "status", lp),
                lat=_coordinate(geo, "lat", f"{lp}.geoPoint", 90),
                lon=_coordinate(geo, "lon", f"{lp}.geoPoint", 180),
                contacts=[
                    _contact(c, f"{lp}.contacts[{j}]")
                    for j, c in enumerate(get_list(obj, "contacts", lp))
                ],
            )
        )


def _coordinate(geo: dict[str, Any], key: str, path: str, bound: float) -> float | None:
    value = get_float(geo, key, path)
    if value is not None and not -bound <= value <= bound:
        raise FieldError(f"{path}.{key}", f"out of range: {value}")
    return value


def _mesh_terms(derived: dict[str, Any], module: str) -> list[str]:
    mod = get_dict(derived, module, "derivedSection")
    terms = []
    for i, m in enumerate(get_list(mod, "meshes", f"derivedSection.{module}")):
        term = get_str(_obj(m, f"derivedSection.{module}.meshes[{i}]"), "term", module)
        if term and term not in terms:
            terms.append(term)
    return terms
