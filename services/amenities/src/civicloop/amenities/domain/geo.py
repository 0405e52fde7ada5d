"""Coordinates at the edge. Provisional: engineer P's module replaces it on merge."""

from __future__ import annotations

from civicloop.platform.geo import distance_m, gcj02_to_wgs84

__all__ = ["distance_m", "to_wgs84", "within_city"]

# Dujiangyan's extent (103°25'-103°47' E, 30°45'-31°22' N), a little wider.
CITY_BOX = (30.70, 31.40, 103.38, 103.82)


def to_wgs84(lat: float, lng: float, system: str) -> tuple[float, float]:
    if system == "gcj02":
        return gcj02_to_wgs84(lat, lng)
    if system == "bd09":
        import math

        x, y = lng - 0.0065, lat - 0.006
        z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * math.pi * 3000 / 180)
        theta = math.atan2(y, x) - 0.000003 * math.cos(x * math.pi * 3000 / 180)
        return gcj02_to_wgs84(z * math.sin(theta), z * math.cos(theta))
    return lat, lng


def within_city(lat: float, lng: float) -> bool:
    south, north, west, east = CITY_BOX
    return south <= lat <= north and west <= lng <= east
