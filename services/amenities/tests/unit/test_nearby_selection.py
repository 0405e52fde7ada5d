"""FindNearby's rules (domain/search.py): what is shown, in which order, open or not."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from civicloop.amenities.domain.hours import OpenStatus
from civicloop.amenities.domain.model import Access, AmenityKind
from civicloop.amenities.domain.search import Listing, OpenWindows, Query, check_query, select
from civicloop.platform.errors import Violations
from civicloop.platform.geo import METRES_PER_DEGREE

NOON = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Shanghai
BASE = Listing(
    id="a",
    version=1,
    kind=AmenityKind.SHARED_TOILET,
    access=Access.PUBLIC,
    latitude=31.0,
    longitude=103.62,
    opening_hours="24/7",
    verified_at=NOON,
    wheelchair_accessible=False,
    baby_change=False,
    all_gender=False,
    free=True,
)


def listings(*items: Listing) -> dict[str, Listing]:
    return {item.id: item for item in items}


def query(**kw: object) -> Query:
    fields: dict[str, object] = {"latitude": 31.0, "longitude": 103.62, "radius_m": 500, "at": NOON}
    fields.update(kw)
    return Query(**fields)  # type: ignore[arg-type]


def test_nearest_first_within_the_radius_ties_by_id() -> None:
    near = replace(BASE, id="near", latitude=31.001)
    far = replace(BASE, id="far", latitude=31.004)
    outside = replace(BASE, id="outside", latitude=31.006)
    twin = replace(BASE, id="a-twin", latitude=31.001)
    found = select(
        query(),
        ["far", "near", "outside", "a-twin"],
        listings(near, far, outside, twin),
        OpenWindows(),
    )
    assert [f.listing.id for f in found] == ["a-twin", "near", "far"]
    assert round(found[0].distance_m) == 111


def test_open_now_leaves_out_closed_and_unknown_and_says_when_it_changes() -> None:
    day = replace(BASE, id="day", opening_hours="Mo-Su 08:00-21:00")
    night = replace(BASE, id="night", opening_hours="Mo-Su 20:00-02:00")
    unknown = replace(BASE, id="unknown", opening_hours="Mo-Su unknown")
    ids = ["day", "night", "unknown"]
    every = select(query(), ids, listings(day, night, unknown), OpenWindows())
    status = {f.listing.id: f.status for f in every}
    assert status == {
        "day": OpenStatus.OPEN,
        "night": OpenStatus.CLOSED,
        "unknown": OpenStatus.UNKNOWN,
    }
    [opened] = select(query(open_only=True), ids, listings(day, night, unknown), OpenWindows())
    assert opened.listing.id == "day"
    assert opened.next_change_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


def test_public_and_customers_only_are_never_mixed() -> None:
    shop = replace(BASE, id="shop", kind=AmenityKind.SHARED_HOT_WATER, access=Access.CUSTOMERS)
    both = listings(BASE, shop)
    assert [f.listing.id for f in select(query(), ["a", "shop"], both, OpenWindows())] == ["a"]
    customers = select(query(access=Access.CUSTOMERS), ["a", "shop"], both, OpenWindows())
    assert [f.listing.id for f in customers] == ["shop"]


def test_filters_keep_only_what_the_visitor_needs() -> None:
    family = replace(
        BASE, id="family", wheelchair_accessible=True, baby_change=True, all_gender=True
    )
    paid = replace(BASE, id="paid", free=False)
    water = replace(BASE, id="water", kind=AmenityKind.SHARED_HOT_WATER)
    pool = listings(BASE, family, paid, water)
    ids = list(pool)

    def shown(**kw: object) -> set[str]:
        return {f.listing.id for f in select(query(**kw), ids, pool, OpenWindows())}

    assert shown(baby_change=True) == {"family"}
    assert shown(wheelchair_accessible=True, all_gender=True) == {"family"}
    assert shown(free_only=True) == {"a", "family", "water"}
    assert shown(kinds=frozenset({AmenityKind.SHARED_HOT_WATER})) == {"water"}


def test_at_most_the_limit_and_stale_marked() -> None:
    old = replace(BASE, id="old", verified_at=NOON - timedelta(days=181))
    many = [replace(BASE, id=f"x{i}", latitude=31.0 + i * 0.0001) for i in range(30)]
    found = select(query(limit=5), [m.id for m in many], listings(*many), OpenWindows())
    assert len(found) == 5
    [stale] = select(query(), ["old"], listings(old), OpenWindows())
    assert stale.stale


def test_a_candidate_without_a_listing_is_no_longer_on_the_map() -> None:
    assert select(query(), ["gone"], {}, OpenWindows()) == []


def test_an_open_window_answers_from_memory_until_the_next_change() -> None:
    windows = OpenWindows()
    status, change = windows.status("Mo-Su 08:00-21:00", NOON)
    assert (status, change) == (OpenStatus.OPEN, datetime(2026, 12, 2, 13, 0, tzinfo=UTC))
    later = NOON + timedelta(hours=8)  # 20:00 Shanghai, still open, from the same window
    assert windows.status("Mo-Su 08:00-21:00", later)[0] is OpenStatus.OPEN
    closed = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # 21:00: the window ends, evaluated anew
    assert windows.status("Mo-Su 08:00-21:00", closed)[0] is OpenStatus.CLOSED
    earlier = NOON - timedelta(hours=5)  # 07:00, before the window: evaluated anew
    assert windows.status("Mo-Su 08:00-21:00", earlier)[0] is OpenStatus.CLOSED


def test_radius_and_result_count_have_bounds() -> None:
    errors = Violations()
    assert check_query(errors, 500, 0) == 20
    check_query(errors, 0, 51)
    check_query(errors, 5001, -1)
    assert [v.field for v in errors.items] == ["radius_meters", "max_results"] * 2


REDIS_EARTH_RADIUS_M = 6372797.560856  # what Redis' GEO commands measure with


def redis_order(listings_near: list[Listing], lat: float, lng: float, jitter: float) -> list[str]:
    """The ids as GEOSEARCH ... ASC gives them: haversine on Redis' earth radius, from
    coordinates moved by up to ``jitter`` degrees (its geohashes' precision)."""
    rng = random.Random(7)

    def measured(x: Listing) -> float:
        p1, p2 = math.radians(lat), math.radians(x.latitude + rng.uniform(-jitter, jitter))
        dp = p2 - p1
        dl = math.radians(x.longitude + rng.uniform(-jitter, jitter) - lng)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * REDIS_EARTH_RADIUS_M * math.asin(math.sqrt(a))

    return [x.id for x in sorted(listings_near, key=measured)]


@pytest.mark.parametrize("seed", range(40))
def test_walking_the_index_order_nearest_first_gives_the_same_answer(seed: int) -> None:
    """The walk that stops early (candidates in Redis' order) shows exactly what sorting every
    candidate shows: crowded, tied and scattered amenities, open or not, up to 5 km."""
    rng = random.Random(seed)
    radius = rng.choice([50, 300, 500, 2000, 5000])
    spread = radius / METRES_PER_DEGREE * 1.2
    hours = ["24/7", "off", "Mo-Su 08:00-21:00", "Mo-Su 20:00-02:00"]
    pool = []
    for i in range(rng.choice([5, 40, 200])):
        if i and rng.random() < 0.2:  # a twin at the same spot (a tie broken by id)
            twin = pool[rng.randrange(len(pool))]
            pool.append(replace(twin, id=f"t{i:03d}"))
            continue
        pool.append(
            replace(
                BASE,
                id=f"a{rng.randrange(10**6):06d}",
                latitude=31.0 + rng.uniform(-spread, spread),
                longitude=103.62 + rng.uniform(-spread, spread),
                opening_hours=rng.choice(hours),
                wheelchair_accessible=rng.random() < 0.5,
            )
        )
    held = listings(*pool)
    ordered = redis_order(list(held.values()), 31.0, 103.62, jitter=6e-6)
    for kw in [{}, {"open_only": True}, {"limit": 3}, {"wheelchair_accessible": True}]:
        asked = query(radius_m=radius, **kw)
        every = select(asked, ordered, held, OpenWindows())
        walked = select(asked, ordered, held, OpenWindows(), nearest_first=True)
        assert walked == every, (seed, kw)
