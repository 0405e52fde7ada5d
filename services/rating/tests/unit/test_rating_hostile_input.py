"""Rating's part of hostile input: a comment the database or a feed cannot carry, and the
development link key recognised by value."""

from __future__ import annotations

import base64

import pytest

from civicloop.platform.errors import InvalidArgument
from civicloop.rating.domain.model import check_score
from civicloop.rating.settings import DEV_LINK_KEY, RatingSettings


@pytest.mark.parametrize("comment", ["很好\x00", "很好\uffff", "很好\u202e"])
def test_a_comment_with_nul_or_text_no_feed_can_carry_is_refused(comment: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_score(5, comment)
    assert refused.value.violations[0].field == "comment"


def test_the_development_link_key_is_recognised_however_it_is_spelled() -> None:
    respelled = DEV_LINK_KEY[:10] + "\n" + DEV_LINK_KEY[10:]
    assert RatingSettings(rating_link_key=respelled).uses_development_link_key()
    real = base64.b64encode(b"r" * 32).decode()
    assert not RatingSettings(rating_link_key=real).uses_development_link_key()
