"""Keyset page tokens: what a listing issues it reads back; anything else is a clear error."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson
import pytest

from civicloop.platform.errors import InvalidArgument
from civicloop.platform.paging import Keyset, MalformedPageToken, PageRequest

CASES = Keyset("cases", ("timestamp", "uuid"))
AT = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
ID = "5f0c1d9e-8a44-4c53-9a4e-2b1d7c0f6a11"


def test_a_token_reads_back_as_the_key_it_was_made_from() -> None:
    token = CASES.encode((AT, ID))
    assert CASES.decode(token) == (AT, ID)
    assert CASES.request(10, token) == PageRequest(10, (AT, ID))


def test_no_token_is_the_first_page_and_size_zero_the_default() -> None:
    assert CASES.request(0, "") == PageRequest(50, None)


@pytest.mark.parametrize(
    "token",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"2020-01-01|x").decode(),  # a hand-made one
        base64.urlsafe_b64encode(orjson.dumps(["cases", AT.isoformat(), "x"])).decode(),
        base64.urlsafe_b64encode(orjson.dumps(["cases", "2020-01-01", ID])).decode(),  # no zone
        base64.urlsafe_b64encode(orjson.dumps(["cases", AT.isoformat()])).decode(),
        base64.urlsafe_b64encode(orjson.dumps(["cases", AT.isoformat(), "\x00" + ID])).decode(),
        base64.urlsafe_b64encode(orjson.dumps(["cases", 7, ID])).decode(),
        Keyset("petitions", ("timestamp", "uuid")).encode((AT, ID)),  # another listing's
    ],
)
def test_a_token_this_listing_did_not_issue_is_refused_naming_the_field(token: str) -> None:
    with pytest.raises(MalformedPageToken) as refused:
        CASES.decode(token, "page_token")
    assert refused.value.violations[0].field == "page_token"
    assert refused.value.http_status == 400
    assert refused.value.grpc_code_name == "INVALID_ARGUMENT"


@pytest.mark.parametrize("size", [-1, 201])
def test_a_page_size_out_of_range_is_refused(size: int) -> None:
    with pytest.raises(InvalidArgument) as refused:
        CASES.request(size, None, field="page.page_token")
    assert refused.value.violations[0].field == "page.page_size"


def test_a_page_read_with_one_row_more_says_whether_another_follows() -> None:
    departments = Keyset("departments", ("text",))
    request = departments.request(2, None)
    page, token = departments.page(["a", "b", "c"], request, lambda d: (d,))
    assert page == ["a", "b"] and departments.decode(token) == ("b",)
    last, token = departments.page(["c"], departments.request(2, token), lambda d: (d,))
    assert last == ["c"] and token == ""


def test_a_list_in_memory_pages_after_the_last_key_seen() -> None:
    departments = Keyset("departments", ("text",))
    codes = ["housing", "power", "sanitation", "water"]
    seen: list[str] = []
    token = ""
    while True:
        page, token = departments.page_of(codes, departments.request(3, token), lambda d: (d,))
        seen += page
        if not token:
            break
    assert seen == codes
