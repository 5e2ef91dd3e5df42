"""The one `Trial` model every source format normalizes into.

Plain dataclasses (not pydantic) because ingest builds hundreds of thousands of them and hashes
their canonical JSON; `to_dict`/`from_dict` are the stable serialized form stored per version.
Enumerations keep the registry's API v2 spelling (``RECRUITING``, ``PHASE2``, ``RANDOMIZED``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, get_args, get_origin, get_type_hints

import orjson


@dataclass(slots=True)
class SecondaryId:
    id: str
    type: str | None = None
    domain: str | None = None


@dataclass(slots=True)
class Organization:
    name: str
    kind: str | None = None  # registry "class": INDUSTRY, NIH, OTHER...


@dataclass(slots=True)
class Contact:
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(slots=True)
class Official:
    name: str | None = None
    affiliation: str | None = None
    role: str | None = None


@dataclass(slots=True)
class Arm:
    label: str
    type: str | None = None
    description: str | None = None
    interventions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Intervention:
    name: str
    type: str | None = None
    description: str | None = None
    arm_labels: list[str] = field(default_factory=list)
    other_names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Design:
    purpose: str | None = None
    allocation: str | None = None
    model: str | None = None
    model_description: str | None = None
    masking: str | None = None
    who_masked: list[str] = field(default_factory=list)
    observational_model: str | None = None
    time_perspective: str | None = None


@dataclass(slots=True)
class Outcome:
    kind: str  # primary | secondary | other
    measure: str
    description: str | None = None
    time_frame: str | None = None


@dataclass(slots=True)
class Eligibility:
    criteria: str | None = None
    sex: str | None = None  # ALL | FEMALE | MALE
    minimum_age: str | None = None  # as written: "18 Years"
    maximum_age: str | None = None
    min_age_years: float | None = None
    max_age_years: float | None = None
    healthy_volunteers: bool | None = None
    std_ages: list[str] = field(default_factory=list)
    study_population: str | None = None


@dataclass(slots=True)
class Location:
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None
    lat: float | None = None
    lon: float | None = None
    contacts: list[Contact] = field(default_factory=list)


@dataclass(slots=True)
class Trial:
    trial_id: str  # NCT number, or the registry ID of a trial not on ClinicalTrials.gov
    nct_id: str | None = None
    org_study_id: str | None = None
    secondary_ids: list[SecondaryId] = field(default_factory=list)
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    overall_status: str | None = None
    last_known_status: str | None = None
    why_stopped: str | None = None
    phases: list[str] = field(default_factory=list)
    study_type: str | None = None
    enrollment: int | None = None
    enrollment_type: str | None = None  # ACTUAL | ESTIMATED
    start_date: str | None = None  # ISO, possibly partial: "2024-02" or "2024-02-01"
    start_date_type: str | None = None
    primary_completion_date: str | None = None
    primary_completion_date_type: str | None = None
    completion_date: str | None = None
    completion_date_type: str | None = None
    first_submitted: str | None = None
    first_posted: str | None = None
    last_update_posted: str | None = None
    results_first_posted: str | None = None
    sponsor: Organization | None = None
    collaborators: list[Organization] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    condition_terms: list[str] = field(default_factory=list)  # registry-derived (MeSH)
    keywords: list[str] = field(default_factory=list)
    arms: list[Arm] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    intervention_terms: list[str] = field(default_factory=list)  # registry-derived (MeSH)
    design: Design = field(default_factory=Design)
    outcomes: list[Outcome] = field(default_factory=list)
    brief_summary: str | None = None
    detailed_description: str | None = None
    eligibility: Eligibility = field(default_factory=Eligibility)
    locations: list[Location] = field(default_factory=list)
    central_contacts: list[Contact] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    has_results: bool = False
    source_note: str | None = None  # e.g. "rebuilt from a public trial-finder page"

    @property
    def title(self) -> str:
        return self.brief_title or self.official_title or self.trial_id

    def to_dict(self) -> dict[str, Any]:
        return orjson.loads(self.to_json())

    def to_json(self) -> bytes:
        """Canonical JSON (fields in declaration order), so equal trials give equal bytes."""
        return orjson.dumps(self)

    def content_hash(self) -> str:
        return hashlib.sha256(self.to_json()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trial:
        return _build(cls, data)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


_PLANS: dict[type, list[tuple[str, Any]]] = {}


def _plan(hint: Any) -> Any:
    """How to rebuild one field, worked out once per class (reading type hints per value was
    most of the time of decoding a stored trial): None = as is, ("list", item plan) or
    ("dc", dataclass)."""
    if get_origin(hint) is list:
        (item,) = get_args(hint)
        return ("list", _plan(item))
    args = [a for a in get_args(hint) if a is not type(None)]
    target = args[0] if len(args) == 1 else hint
    return ("dc", target) if is_dataclass(target) else None


def _field_plans(cls: type) -> list[tuple[str, Any]]:
    if cls not in _PLANS:
        hints = _hints(cls)
        _PLANS[cls] = [(f.name, _plan(hints[f.name])) for f in fields(cls)]
    return _PLANS[cls]


def _build(cls: type, data: dict[str, Any]) -> Any:
    """Rebuild nested dataclasses from their `asdict` form; unknown keys are ignored."""
    kwargs = {}
    for name, plan in _field_plans(cls):
        if name in data:
            value = data[name]
            kwargs[name] = value if plan is None or value is None else _apply(plan, value)
    return cls(**kwargs)


def _apply(plan: tuple[str, Any], value: Any) -> Any:
    kind, arg = plan
    if kind == "list":
        return [v if arg is None or v is None else _apply(arg, v) for v in value]
    return _build(arg, value) if isinstance(value, dict) else value
