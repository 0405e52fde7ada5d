"""One way to page a list, in every service, over gRPC and HTTP: opaque keyset tokens.

A page is read ``WHERE (sort key) < (the last row's key) ORDER BY sort key DESC LIMIT size+1``
(or ascending): the extra row says whether there is a next page, and the next token is the
key of the page's last row. Unlike an offset, a keyset stays right while rows are added and
costs the same on page 1,000 as on page 1.

A token names the listing it came from and its key's shape, so a token from another list, an
edited token or garbage is INVALID_ARGUMENT / 400 naming the field, never a 500 from the
database.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

import orjson

from civicloop.platform.errors import InvalidArgument

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# What a key's columns hold: checked on the way in, so a decoded key is safe to bind.
KeyKind = Literal["timestamp", "uuid", "text", "int"]


class MalformedPageToken(InvalidArgument):
    """A page token this service did not issue (a bad query parameter over HTTP: 400)."""

    http_status = 400


def check_page_size(size: int, field: str = "page.page_size") -> int:
    """The page size asked for: 1..200, 0 meaning the default of 50."""
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise InvalidArgument.of(field, f"must be 0..{MAX_PAGE_SIZE} (0 means {DEFAULT_PAGE_SIZE})")
    return size or DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class PageRequest:
    """A validated request for one page: how many rows, and after which key (None: first)."""

    size: int
    after: tuple[Any, ...] | None

    @property
    def limit(self) -> int:
        """Rows to read: one more than the page, to know whether another follows."""
        return self.size + 1


@dataclass(frozen=True)
class Keyset:
    """The sort key of one listing: its name and the kinds of its columns."""

    listing: str
    kinds: tuple[KeyKind, ...]

    def request(
        self, size: int, token: str | None, *, field: str = "page.page_token"
    ) -> PageRequest:
        size_field = field.removesuffix("page_token") + "page_size"
        return PageRequest(check_page_size(size, size_field), self.decode(token, field))

    def encode(self, key: Sequence[Any]) -> str:
        values = [v.isoformat() if isinstance(v, datetime) else str(v) for v in key]
        raw = orjson.dumps([self.listing, *values])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str | None, field: str = "page.page_token") -> tuple[Any, ...] | None:
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            listing, *values = orjson.loads(raw)
            if listing != self.listing or len(values) != len(self.kinds):
                raise ValueError("another listing's token")
            return tuple(
                _parse(kind, value) for kind, value in zip(self.kinds, values, strict=True)
            )
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
            raise MalformedPageToken.of(field, "is not a token this service issued") from None

    def page(
        self, rows: Sequence[T], request: PageRequest, key_of: Callable[[T], Sequence[Any]]
    ) -> tuple[list[T], str]:
        """The page among ``rows`` (read with ``request.limit``) and the next page's token."""
        page = list(rows[: request.size])
        more = len(rows) > request.size
        return page, self.encode(key_of(page[-1])) if more and page else ""

    def page_of(
        self,
        items: Sequence[T],
        request: PageRequest,
        key_of: Callable[[T], Sequence[Any]],
    ) -> tuple[list[T], str]:
        """A page of a list held in memory (sorted ascending by ``key_of``)."""
        after = request.after
        start = [i for i in items if after is None or tuple(key_of(i)) > after]
        return self.page(start[: request.limit], request, key_of)


def _parse(kind: KeyKind, value: Any) -> Any:
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("not a text value")
    if kind == "timestamp":
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise ValueError("a timestamp without its zone")
        return at
    if kind == "uuid":
        return str(uuid.UUID(value))
    if kind == "int":
        return int(value)
    return value
