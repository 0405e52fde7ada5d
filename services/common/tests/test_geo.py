"""Coordinates: WGS-84 inside, GCJ-02 converted at the edge, haversine distances."""

from __future__ import annotations

import math

import pytest

from civicloop.platform.geo import EARTH_RADIUS_M, distance_m, gcj02_to_wgs84, wgs84_to_gcj02

CHINESE_PLACES = {
    "chengdu_tianfu_square": (30.6574, 104.0658),
    "beijing_tiananmen": (39.9087, 116.3975),
    "shanghai_bund": (31.2400, 121.4900),
    "guangzhou_tower": (23.1066, 113.3245),
    "urumqi": (43.8256, 87.6168),
    "harbin": (45.8038, 126.5350),
    "haikou": (20.0440, 110.1999),
    "lhasa": (29.6520, 91.1721),
}
ABROAD = {
    "london": (51.5074, -0.1278),
    "new_york": (40.7128, -74.0060),
    "sydney": (-33.8688, 151.2093),
    "null_island": (0.0, 0.0),
    "moscow": (55.7558, 37.6173),
}


@pytest.mark.parametrize("lat, lon", CHINESE_PLACES.values(), ids=CHINESE_PLACES.keys())
def test_wgs84_to_gcj02_and_back_returns_within_one_centimetre(lat: float, lon: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))

    assert distance_m(lat, lon, *back) < 0.01


@pytest.mark.parametrize("lat, lon", CHINESE_PLACES.values(), ids=CHINESE_PLACES.keys())
def test_gcj02_shifts_a_point_in_china_by_tens_to_hundreds_of_metres(
    lat: float, lon: float
) -> None:
    shift = distance_m(lat, lon, *wgs84_to_gcj02(lat, lon))

    assert 10 < shift < 1000


def test_the_forward_transform_matches_the_published_reference_value() -> None:
    # The example of the widely used coordtransform library (Tiananmen area).
    assert wgs84_to_gcj02(39.915, 116.404) == pytest.approx(
        (39.91640428150164, 116.41024449916938), abs=1e-9
    )


@pytest.mark.parametrize("lat, lon", ABROAD.values(), ids=ABROAD.keys())
def test_points_outside_china_are_left_unchanged_both_ways(lat: float, lon: float) -> None:
    assert wgs84_to_gcj02(lat, lon) == (lat, lon)
    assert gcj02_to_wgs84(lat, lon) == (lat, lon)


def test_the_distance_from_a_point_to_itself_is_zero() -> None:
    assert distance_m(30.6574, 104.0658, 30.6574, 104.0658) == 0.0


def test_the_distance_is_symmetric() -> None:
    there = distance_m(30.6574, 104.0658, 39.9087, 116.3975)
    back = distance_m(39.9087, 116.3975, 30.6574, 104.0658)

    assert there == pytest.approx(back)


def test_the_distance_from_london_to_paris_is_about_344_km() -> None:
    # Great-circle distance between the two city centres: 343.5 km (0.5% tolerance).
    assert distance_m(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343_500, rel=0.005)


def test_the_distance_from_beijing_to_shanghai_is_about_1067_km() -> None:
    # Tiananmen to People's Square: about 1,067 km in a straight line (0.5% tolerance).
    assert distance_m(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1_067_000, rel=0.005)


def test_one_degree_along_a_meridian_is_about_111_km() -> None:
    assert distance_m(30.0, 104.0, 31.0, 104.0) == pytest.approx(111_195, rel=0.001)


def test_half_way_round_the_earth_is_half_its_circumference() -> None:
    assert distance_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_M)


def test_the_300_metre_duplicate_radius_is_measured_in_metres() -> None:
    # 0.0027 degrees of latitude is about 300 m anywhere.
    assert distance_m(30.6574, 104.0658, 30.6601, 104.0658) == pytest.approx(300, rel=0.01)
