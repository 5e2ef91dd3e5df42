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
RESULTS_WIDTH = 480  # narrower: on a phone its numbers and labels stay readable
OPEN_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"})
MAX_SITES_LOCATED = 60  # sites without coordinates placed by their city, per trial (bounded)
FAR_KM = 3000.0  # with a place: results farther than this are listed, not drawn
RESULTS_PAD = 60  # room round the results for gathered markers and their labels
MARKER_R, SPACING = 10.0, 12.0
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))

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
    label_y: float = 0.0  # results map: where its group's label goes
    label_left: float = 0.0
    label_anchor: str = "start"

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


def layout(points: list[Point], pad: float = PAD, width: float = WIDTH) -> list[Dot]:
    """SVG coordinates for `points`, fitted to the map (equirectangular, the mean latitude's
    cosine folded in: fine at a region's scale)."""
    if not points:
        return []
    mid_lat = math.radians(sum(p.lat for p in points) / len(points))
    xs = [p.lon * math.cos(mid_lat) for p in points]
    ys = [-p.lat for p in points]
    span = max(max(xs) - min(xs), (max(ys) - min(ys)) * width / HEIGHT, 0.5)
    scale = min((width - 2 * pad) / span, (HEIGHT - 2 * pad) * width / HEIGHT / span)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [
        Dot(
            width / 2 + (x - cx) * scale,
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


@dataclass(slots=True)
class ResultsMap:
    dots: list[Dot]
    far: list[int]  # numbers of results with no site within FAR_KM of the visitor (not drawn)


def results_map(
    results: Iterable[tuple[int, Trial]], locate: Locate, origin: tuple[float, float] | None
) -> ResultsMap:
    """One numbered marker per result (its number on the page), open trials distinct, and the
    visitor's place. With a place, results with no site within FAR_KM are left off (and
    counted) so the map stays at the visitor's scale; markers that would overlap are gathered
    round their common centre and labelled once."""
    points, far = [], []
    for number, trial in results:
        found = result_site(trial, locate, origin)
        if found is None:
            continue
        loc, (lat, lon) = found
        if origin and _km(origin, (lat, lon)) > FAR_KM:
            far.append(number)
            continue
        kind = "open" if (trial.overall_status or "").upper() in OPEN_STATUSES else "closed"
        points.append(Point(lat, lon, loc.city or loc.facility or "Site", kind, number))
    if not points:
        return ResultsMap([], far)
    if origin:
        points.append(Point(origin[0], origin[1], "You", "you"))
    dots = layout(points, pad=RESULTS_PAD, width=RESULTS_WIDTH)
    _gather(dots)
    return ResultsMap(dots, far)


def _centre(group: list[Dot]) -> tuple[float, float]:
    return sum(d.x for d in group) / len(group), sum(d.y for d in group) / len(group)


def _radius(count: int) -> float:
    """How far a gathered group's markers spread (a sunflower spiral, SPACING apart)."""
    return MARKER_R + (SPACING * math.sqrt(count) if count > 1 else 0.0)


def _gather(dots: list[Dot]) -> None:
    """Merge groups whose spreads would touch, then lay each group out and label it."""
    groups = [[d] for d in dots if not d.you]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                (ax, ay), (bx, by) = _centre(groups[i]), _centre(groups[j])
                reach = _radius(len(groups[i])) + _radius(len(groups[j]))
                if math.hypot(ax - bx, ay - by) < reach:
                    groups[i] += groups.pop(j)
                    merged = True
                    break
            if merged:
                break
    you = next((d for d in dots if d.you), None)
    taken: list[tuple[float, float, float, float]] = []
    for group in sorted(groups, key=len, reverse=True):
        _lay_out(group, taken, you)


def _lay_out(group: list[Dot], taken: list, you: Dot | None) -> None:
    """A sunflower spiral round the group's centre, numbers in order from the middle; when the
    visitor's place is in the group, the middle is left free for it (its dot is drawn on top,
    without a label: the legend names it)."""
    cx, cy = _centre(group)
    group.sort(key=lambda d: d.number or 0)
    skip = 0.5
    if you is not None and math.hypot(you.x - cx, you.y - cy) < _radius(len(group) + 2):
        cx, cy, skip = you.x, you.y, 2.5
        you.show_label = False
    for i, dot in enumerate(group):
        r = SPACING * math.sqrt(i + skip) if len(group) > 1 or skip > 1 else 0.0
        angle = i * GOLDEN_ANGLE
        dot.x = min(RESULTS_WIDTH - MARKER_R, max(MARKER_R, cx + r * math.cos(angle)))
        dot.y = min(HEIGHT - MARKER_R, max(MARKER_R, cy + r * math.sin(angle)))
        dot.show_label = False
    names = [d.label for d in group]
    name = max(set(names), key=names.count)
    text = name if len(set(names)) == 1 else f"{name} area"
    if len(group) > 1:
        text += ": " + ", ".join(str(d.number) for d in group)
    first = group[0]
    first.label = text if len(text) <= 44 else text[:43] + "…"
    _place_label(first, cx, cy, _radius(len(group)), taken)


def _place_label(dot: Dot, cx: float, cy: float, reach: float, taken: list) -> None:
    """Above the group, else below; skipped (the markers keep their titles) if it would
    cover another label or leave the map."""
    width = 6.6 * len(dot.label)
    if cx < RESULTS_WIDTH / 3:
        anchor, left = "start", max(4.0, cx - reach)
    elif cx > RESULTS_WIDTH * 2 / 3:
        anchor, left = "end", min(RESULTS_WIDTH - 4.0, cx + reach) - width
    else:
        anchor, left = "middle", min(max(4.0, cx - width / 2), RESULTS_WIDTH - 4 - width)
    for baseline in (cy - reach - 5, cy + reach + 14):
        box = (left, baseline - 11, left + width, baseline + 3)
        inside = box[1] >= 0 and box[3] <= HEIGHT and box[0] >= 0 and box[2] <= RESULTS_WIDTH
        if inside and not any(_overlap(box, other) for other in taken):
            taken.append(box)
            dot.show_label = True
            dot.label_y = baseline
            dot.label_anchor = anchor
            dot.label_left = (
                left
                if anchor == "start"
                else (left + width if anchor == "end" else left + width / 2)
            )
            return


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
