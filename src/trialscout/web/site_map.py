"""An offline map of a trial's sites: an SVG drawn from the sites' stored coordinates (or their
city's, from the gazetteer), with the visitor's place when given. No tiles, no network."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from trialscout.registry.model import Location, Trial

WIDTH, HEIGHT, PAD = 640, 320, 30


@dataclass(slots=True)
class Dot:
    x: float
    y: float
    label: str
    you: bool = False

    @property
    def anchor(self) -> str:
        """Labels point inwards, so none runs off the map."""
        return "end" if self.x > WIDTH / 2 else "start"

    @property
    def label_x(self) -> float:
        return self.x - 10 if self.anchor == "end" else self.x + 10


def _project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular with the latitude's cosine folded in later: fine at a region's scale."""
    return lon, -lat


def site_map(
    trial: Trial,
    locate: Callable[[Location], tuple[float, float] | None],
    origin: tuple[float, float] | None = None,
) -> list[Dot]:
    """Dots in SVG coordinates for every site with a position (and 'you'); [] without any."""
    places: dict[tuple[float, float], list[Location]] = {}
    for loc in trial.locations:
        point = (loc.lat, loc.lon) if loc.lat is not None and loc.lon is not None else locate(loc)
        if point:
            places.setdefault((round(point[0], 2), round(point[1], 2)), []).append(loc)
    if not places:
        return []
    raw = [(lat, lon, _label(locs), False) for (lat, lon), locs in places.items()]
    if origin:
        raw.append((origin[0], origin[1], "You", True))
    mid_lat = math.radians(sum(r[0] for r in raw) / len(raw))
    xs = [r[1] * math.cos(mid_lat) for r in raw]
    ys = [-r[0] for r in raw]
    span = max(max(xs) - min(xs), (max(ys) - min(ys)) * WIDTH / HEIGHT, 0.5)
    scale = (WIDTH - 2 * PAD) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [
        Dot(WIDTH / 2 + (x - cx) * scale, HEIGHT / 2 + (y - cy) * scale, r[2], r[3])
        for x, y, r in zip(xs, ys, raw, strict=True)
    ]


def _label(locs: list[Location]) -> str:
    """One site by its name; several at one place as 'Ningbo (3 sites)'."""
    if len(locs) == 1:
        return locs[0].facility or locs[0].city or "Site"
    return f"{locs[0].city or 'Here'} ({len(locs)} sites)"
