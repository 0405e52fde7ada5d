"""Idempotent commands: the parts that need no database (the key's rules, replaying)."""

from __future__ import annotations

import pytest

from civicloop.platform.commands import CommandRequest, EarlierAnswer
from civicloop.platform.errors import InvalidArgument, PermissionDenied


def test_no_request_id_means_nothing_is_kept() -> None:
    assert CommandRequest.of("office:li", "", "Dispatch", b"{}") is None


def test_a_key_is_the_callers_and_bound_to_the_body() -> None:
    first = CommandRequest.of("office:li", "r-1", "Dispatch", b'{"to":"water"}')
    same = CommandRequest.of("office:li", "r-1", "Dispatch", b'{"to":"water"}')
    other_body = CommandRequest.of("office:li", "r-1", "Dispatch", b'{"to":"power"}')
    assert first is not None and same is not None and other_body is not None
    assert first == same
    assert first.request_hash != other_body.request_hash
    assert first.caller == "office:li"


@pytest.mark.parametrize("request_id", ["x" * 129, "tab\there", "nul\x00"])
def test_a_request_id_that_is_too_long_or_unprintable_is_refused(request_id: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        CommandRequest.of("office:li", request_id, "Dispatch", b"", field="Idempotency-Key")
    assert refused.value.violations[0].field == "Idempotency-Key"


def test_a_personal_body_can_be_hashed_with_a_key_of_the_service() -> None:
    keyed = CommandRequest.of(
        "anonymous", "k", "SubmitPetition", b"13800000000", fingerprint=len_digest
    )
    assert keyed is not None and keyed.request_hash == b"11"


def len_digest(body: bytes) -> bytes:
    return str(len(body)).encode()


def test_a_repeat_is_answered_to_a_caller_who_still_holds_the_role_it_was_made_under() -> None:
    earlier = EarlierAnswer(b"answer", "department:water")
    assert earlier.replay_to({"department:water", "department:power"}) == b"answer"
    with pytest.raises(PermissionDenied):
        earlier.replay_to({"department:power"})
