"""Legacy ``<clinical_study>`` XML (the retired AllPublicXML download) -> `Trial`.

Values are mapped onto the API v2 enum spellings so both sources compare and filter alike.
Legacy records carry no geo points; distance search relies on the gazetteer for them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from trialscout.registry.errors import FieldError
from trialscout.registry.fields import (
    NCT_RE,
    check_age_range,
    clean_text,
    enum_name,
    parse_age,
    parse_count,
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

_PHASES = {
    "PHASE_1": "PHASE1",
    "PHASE_2": "PHASE2",
    "PHASE_3": "PHASE3",
    "PHASE_4": "PHASE4",
    "EARLY_PHASE_1": "EARLY_PHASE1",
    "NA": "NA",
}
_MODELS = {
    "PARALLEL_ASSIGNMENT": "PARALLEL",
    "SINGLE_GROUP_ASSIGNMENT": "SINGLE_GROUP",
    "CROSSOVER_ASSIGNMENT": "CROSSOVER",
    "FACTORIAL_ASSIGNMENT": "FACTORIAL",
    "SEQUENTIAL_ASSIGNMENT": "SEQUENTIAL",
}
_OLD_MASKING = {"OPEN_LABEL": "NONE", "SINGLE_BLIND": "SINGLE", "DOUBLE_BLIND": "DOUBLE"}
_WHO = {"SUBJECT": "PARTICIPANT"}


class NotRegistryXml(ValueError):
    """Well-formed XML that is not a <clinical_study> (e.g. TREC topics)."""

    def __init__(self, tag: str) -> None:
        super().__init__(f"not registry records (XML root <{tag}>, not <clinical_study>)")


def _drop_results(data: bytes) -> bytes:
    """Posted results can be most of the file and are not read: parse a marker instead.
    From the first opening tag to the last closing one, found with `find`/`rfind`: a regex
    (`<clinical_results>.*</clinical_results>`) rescans the rest of the file from every
    unclosed opening tag, which is quadratic."""
    start = data.find(b"<clinical_results>")
    end = data.rfind(b"</clinical_results>")
    if start < 0 or end < start:
        return data
    return data[:start] + b"<clinical_results/>" + data[end + len(b"</clinical_results>") :]


def parse_xml(text: str | bytes) -> Trial:
    data = text.encode() if isinstance(text, str) else text
    data = _drop_results(data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FieldError("(xml)", f"malformed XML: {exc}") from None
    if root.tag != "clinical_study":
        raise NotRegistryXml(root.tag)
    return trial_from_xml(root)


def xml_study_id(text: str | bytes) -> str | None:
    m = re.search(
        rb"<nct_id>\s*(NCT\d{8})\s*</nct_id>", text if isinstance(text, bytes) else text.encode()
    )
    return m.group(1).decode() if m else None


def _t(el: ET.Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _all(el: ET.Element, path: str) -> list[str]:
    return [x.text.strip() for x in el.findall(path) if x.text and x.text.strip()]


def _block(el: ET.Element, path: str) -> str | None:
    return clean_text(_t(el, f"{path}/textblock"))


def _date(root: ET.Element, tag: str) -> tuple[str | None, str | None]:
    el = root.find(tag)
    if el is None or not (el.text or "").strip():
        return None, None
    return parse_date(el.text, tag), enum_name(el.get("type"))


def trial_from_xml(root: ET.Element) -> Trial:
    nct_id = _t(root, "id_info/nct_id")
    if not nct_id:
        raise FieldError("id_info/nct_id", "missing")
    if not NCT_RE.match(nct_id):
        raise FieldError("id_info/nct_id", f"not an NCT number: {nct_id!r:.40}")
    t = Trial(trial_id=nct_id, nct_id=nct_id)
    t.org_study_id = _t(root, "id_info/org_study_id")
    t.secondary_ids = [SecondaryId(s) for s in _all(root, "id_info/secondary_id")]
    t.secondary_ids += [SecondaryId(s, "NCT_ALIAS") for s in _all(root, "id_info/nct_alias")]
    t.brief_title = _t(root, "brief_title")
    t.official_title = _t(root, "official_title")
    t.acronym = _t(root, "acronym")
    t.overall_status = enum_name(_t(root, "overall_status"))
    t.last_known_status = enum_name(_t(root, "last_known_status"))
    t.why_stopped = _t(root, "why_stopped")
    t.phases = _phases(_t(root, "phase"))
    t.study_type = _study_type(_t(root, "study_type"))
    enroll = root.find("enrollment")
    if enroll is not None and (enroll.text or "").strip():
        t.enrollment = parse_count(enroll.text.strip(), "enrollment")
        t.enrollment_type = enum_name(enroll.get("type"))
    t.start_date, t.start_date_type = _date(root, "start_date")
    t.primary_completion_date, t.primary_completion_date_type = _date(
        root, "primary_completion_date"
    )
    t.completion_date, t.completion_date_type = _date(root, "completion_date")
    t.first_submitted = (
        _date(root, "study_first_submitted")[0] or _date(root, "firstreceived_date")[0]
    )
    t.first_posted = _date(root, "study_first_posted")[0]
    t.last_update_posted = (
        _date(root, "last_update_posted")[0] or _date(root, "lastchanged_date")[0]
    )
    t.results_first_posted = _date(root, "results_first_posted")[0]
    lead = root.find("sponsors/lead_sponsor")
    if lead is not None and _t(lead, "agency"):
        t.sponsor = Organization(_t(lead, "agency") or "", enum_name(_t(lead, "agency_class")))
    t.collaborators = [
        Organization(_t(c, "agency") or "", enum_name(_t(c, "agency_class")))
        for c in root.findall("sponsors/collaborator")
        if _t(c, "agency")
    ]
    t.conditions = _all(root, "condition")
    t.condition_terms = _all(root, "condition_browse/mesh_term")
    t.keywords = _all(root, "keyword")
    t.intervention_terms = _all(root, "intervention_browse/mesh_term")
    t.brief_summary = _block(root, "brief_summary")
    t.detailed_description = _block(root, "detailed_description")
    _read_arms(t, root)
    t.design = _design(root)
    _read_outcomes(t, root)
    t.eligibility = _eligibility(root)
    _read_contacts(t, root)
    t.has_results = root.find("clinical_results") is not None
    return t


def _phases(text: str | None) -> list[str]:
    """'Phase 1/Phase 2' -> [PHASE1, PHASE2]; 'N/A' (not split on its slash) -> [NA]."""
    if not text:
        return []
    if text.strip().upper() in {"N/A", "NA"}:
        return ["NA"]
    return [
        _PHASES.get(enum_name(p) or "", enum_name(p) or "") for p in text.split("/") if p.strip()
    ]


def _study_type(text: str | None) -> str | None:
    if not text:
        return None
    return enum_name(text.split("[", 1)[0])  # 'Interventional [...]': the bracket is a note


def _read_arms(t: Trial, root: ET.Element) -> None:
    for v in root.findall("intervention"):
        name = _t(v, "intervention_name")
        if not name:
            continue
        t.interventions.append(
            Intervention(
                name=name,
                type=enum_name(_t(v, "intervention_type")),
                description=clean_text(_t(v, "description")),
                arm_labels=_all(v, "arm_group_label"),
                other_names=_all(v, "other_name"),
            )
        )
    for a in root.findall("arm_group"):
        label = _t(a, "arm_group_label")
        if not label:
            continue
        names = [
            f"{(v.type or 'Other').replace('_', ' ').title()}: {v.name}"
            for v in t.interventions
            if label in v.arm_labels
        ]
        t.arms.append(
            Arm(label, enum_name(_t(a, "arm_group_type")), clean_text(_t(a, "description")), names)
        )


def _design(root: ET.Element) -> Design:
    info = root.find("study_design_info")
    d = Design()
    if info is not None:
        d.purpose = enum_name(_t(info, "primary_purpose"))
        d.allocation = enum_name(_t(info, "allocation"))
        model = enum_name(_t(info, "intervention_model"))
        d.model = _MODELS.get(model or "", model)
        d.model_description = _t(info, "intervention_model_description")
        d.observational_model = enum_name(_t(info, "observational_model"))
        d.time_perspective = enum_name(_t(info, "time_perspective"))
        d.masking, d.who_masked = _masking(_t(info, "masking"))
        return d
    old = _t(root, "study_design")  # pre-2017: "Allocation: Randomized, ..., Masking: Double Blind"
    if old:
        parts = _old_design_parts(old)
        d.allocation = enum_name(parts.get("allocation"))
        model = enum_name(parts.get("intervention model"))
        d.model = _MODELS.get(model or "", model)
        d.purpose = enum_name(parts.get("primary purpose"))
        d.masking, d.who_masked = _masking(parts.get("masking"))
    return d


# The pre-2017 design line is a few hundred characters; the pattern below rescans a run of
# letters from every start (quadratic), so it only ever sees a bounded prefix.
_OLD_DESIGN_RE = re.compile(r"([A-Za-z ]+):\s*([^,]+(?:\([^)]*\))?)")
_OLD_DESIGN_MAX = 1000


def _old_design_parts(text: str) -> dict[str, str]:
    """'Allocation: Randomized, Masking: Double Blind, ...' -> {'allocation': 'Randomized'...}."""
    found = _OLD_DESIGN_RE.findall(text[:_OLD_DESIGN_MAX])
    return {k.strip().lower(): v.strip() for k, v in found}


def _masking(text: str | None) -> tuple[str | None, list[str]]:
    """'Double (Participant, Investigator)' -> ('DOUBLE', [PARTICIPANT, INVESTIGATOR])."""
    if not text:
        return None, []
    head, _, rest = text.partition("(")
    level = enum_name(head) or ""
    level = _OLD_MASKING.get(level, level.split("_")[0])
    inner = rest.rsplit(")", 1)[0] if rest else ""
    who = [enum_name(w) or "" for w in inner.split(",")] if inner else []
    return level, [_WHO.get(w, w) for w in who if w]


def _read_outcomes(t: Trial, root: ET.Element) -> None:
    for kind in ("primary", "secondary", "other"):
        for o in root.findall(f"{kind}_outcome"):
            measure = _t(o, "measure")
            if measure:
                t.outcomes.append(
                    Outcome(kind, measure, clean_text(_t(o, "description")), _t(o, "time_frame"))
                )


def _eligibility(root: ET.Element) -> Eligibility:
    el = root.find("eligibility")
    if el is None:
        return Eligibility()
    min_age, max_age = _t(el, "minimum_age"), _t(el, "maximum_age")
    hv = _t(el, "healthy_volunteers")
    low = parse_age(min_age, "eligibility/minimum_age")
    high = parse_age(max_age, "eligibility/maximum_age")
    check_age_range(low, high, "eligibility/minimum_age")
    return Eligibility(
        criteria=_block(el, "criteria"),
        sex=enum_name(_t(el, "gender")),
        minimum_age=min_age,
        maximum_age=max_age,
        min_age_years=low,
        max_age_years=high,
        healthy_volunteers=None if hv is None else hv.lower().startswith("accepts"),
        study_population=_block(el, "study_pop"),
    )


def _contact(el: ET.Element | None, role: str) -> Contact | None:
    if el is None:
        return None
    return Contact(_t(el, "last_name"), role, _t(el, "phone"), _t(el, "email"))


def _read_contacts(t: Trial, root: ET.Element) -> None:
    for tag, role in (("overall_contact", "CONTACT"), ("overall_contact_backup", "CONTACT_BACKUP")):
        c = _contact(root.find(tag), role)
        if c:
            t.central_contacts.append(c)
    for o in root.findall("overall_official"):
        t.officials.append(
            Official(_t(o, "last_name"), _t(o, "affiliation"), enum_name(_t(o, "role")))
        )
    for loc in root.findall("location"):
        contacts = [
            c
            for c in (
                _contact(loc.find("contact"), "CONTACT"),
                _contact(loc.find("contact_backup"), "CONTACT_BACKUP"),
            )
            if c
        ]
        t.locations.append(
            Location(
                facility=_t(loc, "facility/name"),
                city=_t(loc, "facility/address/city"),
                state=_t(loc, "facility/address/state"),
                zip=_t(loc, "facility/address/zip"),
                country=_t(loc, "facility/address/country"),
                status=enum_name(_t(loc, "status")),
                contacts=contacts,
            )
        )
