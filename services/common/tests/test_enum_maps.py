"""Domain enums map to their protobuf enums by name, both ways, checked when built."""

from __future__ import annotations

from enum import StrEnum

import pytest

from civicloop.platform.protobuf import enum_maps
from civicloop.v1 import common_pb2


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    UTILITIES = "utilities"
    GENERAL = "general"
    COMPLEX = "complex"


def test_each_member_maps_to_the_contract_value_of_its_name_and_back() -> None:
    to_pb, from_pb = enum_maps(Urgency, common_pb2.Urgency, "URGENCY")

    assert to_pb[Urgency.EMERGENCY] == common_pb2.URGENCY_EMERGENCY
    assert to_pb[Urgency.COMPLEX] == common_pb2.URGENCY_COMPLEX
    assert {from_pb[value] for value in to_pb.values()} == set(Urgency)
    assert common_pb2.URGENCY_UNSPECIFIED not in from_pb


def test_a_member_the_contract_lacks_fails_when_the_maps_are_built() -> None:
    class Drifted(StrEnum):
        GENERAL = "general"
        SOMEDAY = "someday"

    with pytest.raises(AttributeError, match="URGENCY_SOMEDAY"):
        enum_maps(Drifted, common_pb2.Urgency, "URGENCY")
