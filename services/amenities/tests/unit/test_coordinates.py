"""Coordinates: datums checked against published pairs, distance, direction, the city's area."""

from __future__ import annotations

import pytest

from civicloop.amenities.domain.geo import (
    bd09_to_gcj02,
    distance_m,
    gcj02_to_bd09,
    to_wgs84,
    walking_direction,
    wgs84_to_gcj02,
    within_city,
)


def close(a: tuple[float, float], b: tuple[float, float], tolerance: float = 1e-5) -> bool:
    return abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance


def test_wgs84_to_gcj02_matches_published_pairs() -> None:
    assert close(wgs84_to_gcj02(40.0, 120.0), (40.00130, 120.00568))
    # The pair quoted by the coordtransform libraries for Tiananmen.
    assert close(wgs84_to_gcj02(39.915, 116.404), (39.91640428150164, 116.41024449916938), 1e-9)


def test_gcj02_and_bd09_match_published_pairs() -> None:
    assert close(gcj02_to_bd09(39.915, 116.404), (39.92133699351021, 116.41036949371029), 1e-9)
    assert close(bd09_to_gcj02(39.915, 116.404), (39.90865673957631, 116.39762729119315), 1e-9)
    # Beijing railway station as Amap (GCJ-02) and Baidu (BD-09) place it.
    assert close(gcj02_to_bd09(39.90245, 116.42703), (39.90851, 116.43351))


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_to_wgs84_inverts_the_map_apps_datums(system: str) -> None:
    wgs = (30.9968, 103.6225)  # 翔凤桥社区
    gcj = wgs84_to_gcj02(*wgs)
    given = gcj if system == "gcj02" else gcj02_to_bd09(*gcj)
    back = to_wgs84(*given, system)
    assert distance_m(*back, *wgs) < 0.05  # centimetres
    assert distance_m(*given, *wgs) > 200  # the datums really differ here


def test_to_wgs84_keeps_wgs84_and_refuses_an_unknown_system() -> None:
    assert to_wgs84(30.99, 103.62, "wgs84") == (30.99, 103.62)
    with pytest.raises(ValueError, match="unknown coordinate system 'utm'"):
        to_wgs84(30.99, 103.62, "utm")


def test_distance_is_great_circle_metres() -> None:
    # One thousandth of a degree of latitude is 111.2 m everywhere.
    assert distance_m(31.0, 103.6, 31.001, 103.6) == pytest.approx(111.19, abs=0.01)
    assert distance_m(31.0, 103.6, 31.0, 103.6) == 0.0


@pytest.mark.parametrize(
    ("dlat", "dlng", "zh", "en"),
    [
        (0.001, 0.0, "北", "north"),
        (0.001, 0.001, "东北", "north-east"),
        (0.0, 0.001, "东", "east"),
        (-0.001, 0.001, "东南", "south-east"),
        (-0.001, 0.0, "南", "south"),
        (-0.001, -0.001, "西南", "south-west"),
        (0.0, -0.001, "西", "west"),
        (0.001, -0.001, "西北", "north-west"),
    ],
)
def test_walking_direction_names_the_compass_point(
    dlat: float, dlng: float, zh: str, en: str
) -> None:
    direction = walking_direction(31.0, 103.6, 31.0 + dlat, 103.6 + dlng)
    assert (direction.zh, direction.en) == (zh, en)
    assert 0 <= direction.bearing_deg < 360


def test_walking_direction_bearing() -> None:
    assert walking_direction(31.0, 103.6, 31.001, 103.6).bearing_deg == pytest.approx(0.0)
    assert walking_direction(31.0, 103.6, 31.0, 103.601).bearing_deg == pytest.approx(
        90.0, abs=0.01
    )
    assert walking_direction(31.0, 103.6, 30.999, 103.6).bearing_deg == pytest.approx(180.0)


@pytest.mark.parametrize(
    ("lat", "lng", "inside"),
    [
        (30.9968, 103.6225, True),  # 翔凤桥社区
        (31.0050, 103.6105, True),
        (30.9990, 103.6130, True),  # 都江堰景区 (the irrigation works)
        (30.9260, 103.5670, True),  # 青城山
        (30.6574, 104.0658, False),  # Chengdu, Tianfu Square
        (39.9150, 116.4040, False),  # Beijing
        (0.0, 0.0, False),
    ],
)
def test_within_city(lat: float, lng: float, inside: bool) -> None:
    assert within_city(lat, lng) is inside
