"""Search parameters shared by the search page and /api/v1/search, so a page URL and an API
URL with the same query string mean the same search (shareable URLs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query

from trialscout.web.services import FILTER_FIELDS

SORTS = ("relevance", "last_update", "distance")


@dataclass(slots=True)
class SearchParams:
    q: str = ""
    status: list[str] = field(default_factory=list)
    phase: list[str] = field(default_factory=list)
    study_type: str | None = None
    sex: str | None = None
    age: float | None = None
    healthy_volunteers: bool | None = None
    has_results: bool | None = None
    country: str | None = None
    city: str | None = None
    near: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0

    def filters(self) -> dict[str, Any]:
        """Non-empty filters as SearchFilters keyword arguments."""
        out: dict[str, Any] = {}
        for name in FILTER_FIELDS:
            value = getattr(self, name)
            if value not in (None, "", []):
                out[name] = value
        return out

    def query_string(self, **changes: Any) -> str:
        """This search as a URL query, with some parameters changed (pagination, facets)."""
        pairs: list[tuple[str, Any]] = []
        data = {"q": self.q, **self.filters(), "sort": self.sort, "offset": self.offset}
        data.update(changes)
        for key, value in data.items():
            if value in (None, "", [], 0) or (key == "sort" and value == "relevance"):
                continue
            for v in value if isinstance(value, list) else [value]:
                pairs.append((key, str(v).lower() if isinstance(v, bool) else v))
        return urlencode(pairs)


def _empty_to_none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@dataclass(frozen=True)
class _Place:
    country: str | None
    city: str | None
    near: str | None
    lat: float | None
    lon: float | None
    radius_km: float | None


def _place(
    country: Annotated[
        str | None, Query(max_length=100, description="Only trials with a site in this country.")
    ] = None,
    city: Annotated[
        str | None, Query(max_length=100, description="Only trials with a site in this city.")
    ] = None,
    near: Annotated[str | None, Query(max_length=200, description="A place name.")] = None,
    lat: Annotated[
        float | None, Query(ge=-90, le=90, description="Latitude of the patient (with lon).")
    ] = None,
    lon: Annotated[
        float | None, Query(ge=-180, le=180, description="Longitude of the patient (with lat).")
    ] = None,
    radius_km: Annotated[
        str | None, Query(description="Distance limit from `near` or lat/lon.")
    ] = None,
) -> _Place:
    """The place parameters, a sub-dependency of `_params` (FastAPI lists them alike)."""
    return _Place(
        country=_empty_to_none(country),
        city=_empty_to_none(city),
        near=_empty_to_none(near),
        lat=lat,
        lon=lon,
        radius_km=_number("radius_km", radius_km),
    )


def _params(
    place: Annotated[_Place, Depends(_place)],
    q: Annotated[str, Query(max_length=500, description="Words to search for.")] = "",
    status: Annotated[
        list[str] | None, Query(description="Overall status, e.g. RECRUITING (repeatable).")
    ] = None,
    phase: Annotated[
        list[str] | None, Query(description="Phase, e.g. PHASE2 (repeatable).")
    ] = None,
    study_type: Annotated[str | None, Query(description="INTERVENTIONAL or OBSERVATIONAL.")] = None,
    sex: Annotated[str | None, Query(description="Participants' sex: FEMALE or MALE.")] = None,
    age: Annotated[
        str | None, Query(description="Age in years that the trial must accept.")
    ] = None,
    healthy_volunteers: Annotated[str | None, Query(description="true/false.")] = None,
    has_results: Annotated[str | None, Query(description="true/false.")] = None,
    sort: Annotated[
        str,
        Query(
            pattern="^(relevance|last_update|distance)$",
            description="Order: relevance, last_update (newest first) or distance (nearest).",
        ),
    ] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100, description="Hits per page (1 to 100).")] = 20,
    offset: Annotated[
        int, Query(ge=0, le=10000, description="Hits to skip, for the next pages.")
    ] = 0,
) -> SearchParams:
    return SearchParams(
        q=q.strip(),
        status=[s for s in status or [] if s],
        phase=[p for p in phase or [] if p],
        study_type=_empty_to_none(study_type),
        sex=_empty_to_none(sex),
        age=_number("age", age),
        healthy_volunteers=_flag(healthy_volunteers),
        has_results=_flag(has_results),
        country=place.country,
        city=place.city,
        near=place.near,
        lat=place.lat,
        lon=place.lon,
        radius_km=place.radius_km,
        sort=sort,
        limit=limit,
        offset=offset,
    )


def _number(name: str, raw: str | None) -> float | None:
    """Forms send '' for an empty box: that means 'no filter', not an error."""
    from fastapi import HTTPException

    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        raise HTTPException(422, f"{name}: {raw!r} is not a number") from None
    if not math.isfinite(value):  # 'inf', '1e999', 'nan': the same 400 on pages and the API
        raise HTTPException(400, f"{name} {raw[:40]!r} is out of range (not a finite number)")
    if value < 0:
        raise HTTPException(422, f"{name}: must not be negative")
    return value


def _flag(raw: str | None) -> bool | None:
    if raw is None or raw == "":
        return None
    return raw.lower() in ("1", "true", "yes", "on")


search_params = Depends(_params)


@dataclass(slots=True)
class FacetValue:
    label: str
    count: int
    url: str | None  # None: a value that cannot be filtered on (e.g. UNKNOWN)
    active: bool


_FACET_PARAM = {"status": "status", "phase": "phase", "study_type": "study_type",
                "has_results": "has_results", "country": "country"}  # fmt: skip


def facet_links(params: SearchParams, facets: dict[str, dict[str, int]]) -> dict[str, list]:
    """Each facet value with the URL of this search narrowed to it (shareable, no JavaScript)."""
    out: dict[str, list[FacetValue]] = {}
    for name, counts in facets.items():
        values = []
        for value, count in counts.items():
            param = _FACET_PARAM.get(name)
            url, active = None, False
            if param and value.upper() not in ("UNKNOWN", "NONE"):
                arg: Any = value
                if name in ("status", "phase"):
                    active = value in getattr(params, name)
                    arg = [value]
                elif name == "has_results":
                    arg = value.lower() in ("yes", "true", "1")
                    active = params.has_results is arg
                else:
                    active = str(getattr(params, param) or "").lower() == value.lower()
                url = "/?" + params.query_string(**{param: arg, "offset": 0})
            values.append(FacetValue(value, int(count), url, active))
        out[name] = values
    return out
