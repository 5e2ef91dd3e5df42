"""An offline map of sites: an SVG drawn from the sites' stored coordinates (or their city's,
from the gazetteer), with the visitor's place when given. No tiles, no network.

One projection (`layout`) serves both maps: a trial's sites (`site_map`) and the current page
of search results (`results_map`, one numbered marker per result, open trials distinct).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from trialscout.registry.model import Location, Trial

WIDTH, HEIGHT, PAD = 640, 320, 30
OPEN_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"})
MAX_SITES_LOCATED = 60  # sites without coordinates placed by their city, per trial (bounded)

Locate = Callable[[Location], tuple[float, float] | None]


@dataclass(slots=True)
class Dot:
    x: float
    y: float
    label: str
    you: bool = False
    kind: str = "site"  # site | you | open | closed
    number: int | None = None  # a search result's position on the page
    show_label: bool = True  # one label per group of markers at one place
    label_y: float = 0.0  # results map: where its group's label goes (above the group)

    @property
    def anchor(self) -> str:
        """Labels point inwards, so none runs off the map."""
        return "end" if self.x > WIDTH / 2 else "start"

    @property
    def label_x(self) -> float:
        return self.x - 13 if self.anchor == "end" else self.x + 13


@dataclass(slots=True)
class Point:
    lat: float
    lon: float
    label: str
    kind: str = "site"
    number: int | None = None


def layout(points: list[Point]) -> list[Dot]:
    """SVG coordinates for `points`, fitted to the map (equirectangular, the mean latitude's
    cosine folded in: fine at a region's scale)."""
    if not points:
        return []
    mid_lat = math.radians(sum(p.lat for p in points) / len(points))
    xs = [p.lon * math.cos(mid_lat) for p in points]
    ys = [-p.lat for p in points]
    span = max(max(xs) - min(xs), (max(ys) - min(ys)) * WIDTH / HEIGHT, 0.5)
    scale = (WIDTH - 2 * PAD) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [
        Dot(
            WIDTH / 2 + (x - cx) * scale,
            HEIGHT / 2 + (y - cy) * scale,
            p.label,
            you=p.kind == "you",
            kind=p.kind,
            number=p.number,
        )
        for x, y, p in zip(xs, ys, points, strict=True)
    ]


def _position(loc: Location, locate: Locate) -> tuple[float, float] | None:
    return (loc.lat, loc.lon) if loc.lat is not None and loc.lon is not None else locate(loc)


def site_map(trial: Trial, locate: Locate, origin: tuple[float, float] | None = None) -> list[Dot]:
    """Dots in SVG coordinates for every site with a position (and 'you'); [] without any."""
    places: dict[tuple[float, float], list[Location]] = {}
    for loc in trial.locations:
        point = _position(loc, locate)
        if point:
            places.setdefault((round(point[0], 2), round(point[1], 2)), []).append(loc)
    if not places:
        return []
    points = [Point(lat, lon, _label(locs)) for (lat, lon), locs in places.items()]
    if origin:
        points.append(Point(origin[0], origin[1], "You", "you"))
    return layout(points)


def _label(locs: list[Location]) -> str:
    """One site by its name; several at one place as 'Ningbo (3 sites)'."""
    if len(locs) == 1:
        return locs[0].facility or locs[0].city or "Site"
    return f"{locs[0].city or 'Here'} ({len(locs)} sites)"


def result_site(
    trial: Trial, locate: Locate, origin: tuple[float, float] | None
) -> tuple[Location, tuple[float, float]] | None:
    """Where a search result is drawn: its nearest site to `origin`, else its first site with
    a position. Sites with coordinates are used first; at most MAX_SITES_LOCATED are placed by
    their city, so one trial with a thousand sites costs bounded work."""
    located = [(loc, (loc.lat, loc.lon)) for loc in trial.locations
               if loc.lat is not None and loc.lon is not None]  # fmt: skip
    if not located:
        for loc in trial.locations[:MAX_SITES_LOCATED]:
            if point := locate(loc):
                located.append((loc, point))
                if origin is None:
                    break
    if not located:
        return None
    if origin is None:
        return located[0]
    return min(located, key=lambda lp: _km(origin, lp[1]))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def results_map(
    results: Iterable[tuple[int, Trial]], locate: Locate, origin: tuple[float, float] | None
) -> list[Dot]:
    """One numbered marker per result (its number on the page), open trials distinct, and the
    visitor's place. Markers at one place are spread on a small ring and share one label."""
    points = []
    for number, trial in results:
        found = result_site(trial, locate, origin)
        if found is None:
            continue
        loc, (lat, lon) = found
        kind = "open" if (trial.overall_status or "").upper() in OPEN_STATUSES else "closed"
        points.append(Point(lat, lon, loc.city or loc.facility or "Site", kind, number))
    if not points:
        return []
    if origin:
        points.append(Point(origin[0], origin[1], "You", "you"))
    return _spread(layout(points))


def _spread(dots: list[Dot]) -> list[Dot]:
    """Markers closer than a marker's width go round their common centre, labelled once."""
    groups: list[list[Dot]] = []
    for dot in dots:
        if dot.you:
            continue
        for group in groups:
            if abs(group[0].x - dot.x) < 14 and abs(group[0].y - dot.y) < 14:
                group.append(dot)
                break
        else:
            groups.append([dot])
    for group in groups:
        cx, cy = group[0].x, group[0].y
        ring = 11 + 2.2 * len(group) if len(group) > 1 else 0.0
        for i, dot in enumerate(group):
            angle = 2 * math.pi * i / len(group) - math.pi / 2
            dot.x = min(WIDTH - 10, max(10, cx + ring * math.cos(angle)))
            dot.y = min(HEIGHT - 10, max(10, cy + ring * math.sin(angle)))
            dot.show_label = i == 0
        top = cy - ring - 15
        group[0].label_y = top if top > 12 else cy + ring + 24
        if len(group) > 1:
            group[0].label += ": " + ", ".join(str(d.number) for d in group)
    return dots
