"""Coordinates for amenities: WGS-84 inside; GCJ-02 (Amap, Tencent) and BD-09 (Baidu) at the edge.

The GCJ-02 transform and the distance come from the platform (civicloop.platform.geo); this
module adds Baidu's BD-09, the walking direction a listing shows, and the city's area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from civicloop.platform.geo import distance_m, gcj02_to_wgs84, wgs84_to_gcj02

__all__ = [
    "COORDINATE_SYSTEMS",
    "DUJIANGYAN_BOUNDS",
    "Direction",
    "bd09_to_gcj02",
    "distance_m",
    "gcj02_to_bd09",
    "to_wgs84",
    "walking_direction",
    "wgs84_to_gcj02",
    "within_city",
]

COORDINATE_SYSTEMS = ("wgs84", "gcj02", "bd09")
# Baidu's published BD-09 offset from GCJ-02 (x_pi = pi * 3000 / 180).
_X_PI = math.pi * 3000.0 / 180.0

# Dujiangyan's administrative area as its gazetteer gives it (东经103°25′42″-103°47′0″,
# 北纬30°44′54″-31°22′9″), as a box in WGS-84 with about 500 m to spare: enough to refuse a
# point in another city (Chengdu's centre is 50 km away) without refusing the city's edge.
DUJIANGYAN_BOUNDS = (30.744, 31.374, 103.423, 103.789)  # south, north, west, east


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    z = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def to_wgs84(lat: float, lng: float, system: str) -> tuple[float, float]:
    """A point given in `system` ("wgs84", "gcj02" or "bd09") as WGS-84."""
    if system == "wgs84":
        return lat, lng
    if system == "gcj02":
        return gcj02_to_wgs84(lat, lng)
    if system == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lat, lng))
    raise ValueError(
        f"unknown coordinate system {system!r}: one of {', '.join(COORDINATE_SYSTEMS)}"
    )


@dataclass(frozen=True)
class Direction:
    bearing_deg: float  # clockwise from true north, 0 <= bearing < 360
    zh: str  # e.g. "东北"
    en: str  # e.g. "north-east"


_COMPASS = (
    ("北", "north"),
    ("东北", "north-east"),
    ("东", "east"),
    ("东南", "south-east"),
    ("南", "south"),
    ("西南", "south-west"),
    ("西", "west"),
    ("西北", "north-west"),
)


def walking_direction(lat1: float, lng1: float, lat2: float, lng2: float) -> Direction:
    """The initial great-circle bearing from point 1 to point 2, named on an 8-point compass."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lng2 - lng1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    bearing = math.degrees(math.atan2(y, x)) % 360.0
    zh, en = _COMPASS[int((bearing + 22.5) // 45) % 8]
    return Direction(bearing, zh, en)


def within_city(lat: float, lng: float) -> bool:
    """Inside Dujiangyan's area (DUJIANGYAN_BOUNDS), WGS-84."""
    south, north, west, east = DUJIANGYAN_BOUNDS
    return south <= lat <= north and west <= lng <= east
