"""Production refuses rating's development link key by value, not by spelling."""

from __future__ import annotations

import base64

from civicloop.rating.settings import DEV_LINK_KEY, RatingSettings


def test_the_development_link_key_is_recognised_however_it_is_spelled() -> None:
    respelled = DEV_LINK_KEY[:10] + "\n" + DEV_LINK_KEY[10:]
    assert RatingSettings(rating_link_key=respelled).uses_development_link_key()
    real = base64.b64encode(b"r" * 32).decode()
    assert not RatingSettings(rating_link_key=real).uses_development_link_key()
