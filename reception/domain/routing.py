"""Choose the authority for an appeal from (category, region) routes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """One routing rule; None in category or region means "any"."""

    category: str | None
    region: str | None
    authority: str


def match_route(routes: Iterable[Route], category: str, region: str) -> str | None:
    """Return the authority code of the most specific matching route, or None."""
    # Specificity order: exact, category-wide, region's general reception,
    # global fallback. Lower index wins; the first route seen wins a tie.
    levels = ((category, region), (category, None), (None, region), (None, None))
    best_level = len(levels)
    best: str | None = None
    for route in routes:
        key = (route.category, route.region)
        if key in levels:
            level = levels.index(key)
            if level < best_level:
                best_level, best = level, route.authority
                if level == 0:
                    break
    return best
