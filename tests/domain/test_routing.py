"""Routing precedence: exact, per category, region reception, global."""

from reception.domain.routing import Route, match_route

EXACT = Route("housing", "KZ-75", "almaty-housing")
CATEGORY = Route("housing", None, "ministry-housing")
REGION = Route(None, "KZ-75", "almaty-akimat-reception")
GLOBAL = Route(None, None, "republic-reception")
NOISE = [
    Route("land", "KZ-75", "almaty-land"),
    Route("housing", "KZ-71", "astana-housing"),
    Route(None, "KZ-71", "astana-akimat-reception"),
    Route("land", None, "ministry-land"),
]
ALL = [GLOBAL, REGION, CATEGORY, EXACT, *NOISE]


def test_exact_category_and_region_wins() -> None:
    assert match_route(ALL, "housing", "KZ-75") == "almaty-housing"


def test_category_fallback_when_region_has_no_exact_route() -> None:
    routes = [r for r in ALL if r != EXACT]
    assert match_route(routes, "housing", "KZ-75") == "ministry-housing"


def test_region_general_reception_when_category_has_no_route() -> None:
    assert match_route(ALL, "ecology", "KZ-75") == "almaty-akimat-reception"


def test_global_fallback_when_nothing_else_matches() -> None:
    assert match_route(ALL, "ecology", "KZ-10") == "republic-reception"


def test_no_route_gives_none() -> None:
    assert match_route([], "housing", "KZ-75") is None
    assert match_route(NOISE, "ecology", "KZ-10") is None


def test_order_of_routes_does_not_change_precedence() -> None:
    for routes in (ALL, list(reversed(ALL))):
        assert match_route(routes, "housing", "KZ-75") == "almaty-housing"
        assert match_route(routes, "ecology", "KZ-75") == "almaty-akimat-reception"


def test_first_route_wins_a_tie_at_the_same_level() -> None:
    twin = Route("housing", "KZ-75", "almaty-housing-2")
    assert match_route([EXACT, twin], "housing", "KZ-75") == "almaty-housing"


def test_routes_may_be_a_one_shot_iterable() -> None:
    assert match_route(iter(ALL), "land", "KZ-10") == "ministry-land"


def test_route_is_a_frozen_value() -> None:
    assert Route("housing", "KZ-75", "a") == Route("housing", "KZ-75", "a")
    assert len({EXACT, EXACT}) == 1
