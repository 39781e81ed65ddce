"""Parsed messages, versions and body events: what the parsers return.

All are immutable. Message heads are ``NamedTuple``s with aiohttp 3.x's field
names and order (``RawRequestMessage``, ``RawResponseMessage``); body events
are small slotted classes.
"""

from __future__ import annotations

from typing import NamedTuple

from multidict import CIMultiDictProxy

__all__ = [
    "Data",
    "EndOfMessage",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "RawHeaders",
    "RawRequestMessage",
    "RawResponseMessage",
    "Upgraded",
]

#: Field lines exactly as received: ``(name, value)`` bytes pairs, in order,
#: value without surrounding whitespace.
RawHeaders = tuple[tuple[bytes, bytes], ...]


class HttpVersion(NamedTuple):
    """An HTTP version, e.g. ``HttpVersion(1, 1)``."""

    major: int
    minor: int


HttpVersion10 = HttpVersion(1, 0)
HttpVersion11 = HttpVersion(1, 1)


class RawRequestMessage(NamedTuple):
    """A parsed request head.

    ``path`` is the request-target as sent; ``url`` is the same string (the
    package does not depend on yarl; the client wraps it). ``compression`` is
    the Content-Encoding when it is one this package decodes, else ``None``.
    """

    method: str
    path: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: RawHeaders
    should_close: bool
    compression: str | None
    upgrade: bool
    chunked: bool
    url: str


class RawResponseMessage(NamedTuple):
    """A parsed response head.

    ``compression`` is the Content-Encoding when it is one this package
    decodes, else ``None``; ``upgrade`` is true for 101 responses and for
    2xx responses to CONNECT (the connection is handed off after the head).
    """

    version: HttpVersion
    code: int
    reason: str
    headers: CIMultiDictProxy[str]
    raw_headers: RawHeaders
    should_close: bool
    compression: str | None
    upgrade: bool
    chunked: bool


class Data:
    """A piece of the current message's body (decoded if ``auto_decompress``)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Data({self.data[:40]!r}{'...' if len(self.data) > 40 else ''})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Data) and other.data == self.data

    __hash__ = None  # type: ignore[assignment]


class EndOfMessage:
    """The current message is complete.

    Attributes:
        trailers: trailer fields of a chunked body (empty otherwise).
        raw_trailers: the same as ``(name, value)`` bytes pairs, in order.
    """

    __slots__ = ("raw_trailers", "trailers")

    def __init__(
        self, trailers: CIMultiDictProxy[str] | None = None, raw_trailers: RawHeaders = ()
    ) -> None:
        self.trailers = trailers if trailers is not None else _EMPTY
        self.raw_trailers = raw_trailers

    def __repr__(self) -> str:
        return f"EndOfMessage(trailers={list(self.trailers.items())!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EndOfMessage) and other.raw_trailers == self.raw_trailers

    __hash__ = None  # type: ignore[assignment]


class Upgraded:
    """The connection left HTTP/1.1 (101, CONNECT, Upgrade request).

    Attributes:
        tail: the bytes received after the message, not parsed; they belong
            to the new protocol. The parser accepts no more data after this.
    """

    __slots__ = ("tail",)

    def __init__(self, tail: bytes) -> None:
        self.tail = tail

    def __repr__(self) -> str:
        return f"Upgraded(tail={self.tail[:40]!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Upgraded) and other.tail == self.tail

    __hash__ = None  # type: ignore[assignment]


def _empty() -> CIMultiDictProxy[str]:
    from multidict import CIMultiDict

    return CIMultiDictProxy(CIMultiDict())


_EMPTY = _empty()
