"""Client middlewares (aiohttp 3.12+): types and the chain builder.

A middleware is ``async def middleware(request, handler) -> response``: it
may change the request, call ``handler(request)`` (the next middleware, or
the session's sending of the request) zero, one or several times, and
return a response. The session builds the chain once per request with
:func:`build_client_middlewares`; the first middleware of the list is the
outermost (it sees the request first and the response last).

The request and response are described by small protocols (what the
middlewares of this package use), so that middlewares can be written and
tested without a session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

__all__ = [
    "ClientHandlerType",
    "ClientMiddlewareType",
    "MiddlewareRequest",
    "MiddlewareResponse",
    "build_client_middlewares",
    "release_response",
]


class MiddlewareRequest(Protocol):
    """What a middleware may read and change on a ``ClientRequest``."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    body: Any


class MiddlewareResponse(Protocol):
    """What a middleware reads on a ``ClientResponse``."""

    @property
    def status(self) -> int:
        """The status code."""

    @property
    def headers(self) -> CIMultiDictProxy[str] | CIMultiDict[str]:
        """The response headers."""

    def release(self) -> Any:
        """Give the connection back (the result may be awaitable)."""


#: ``handler(request) -> response``: the rest of the chain.
ClientHandlerType = Callable[[Any], Awaitable[Any]]
#: ``middleware(request, handler) -> response``.
ClientMiddlewareType = Callable[[Any, ClientHandlerType], Awaitable[Any]]


def _link(middleware: ClientMiddlewareType, handler: ClientHandlerType) -> ClientHandlerType:
    async def call(request: Any) -> Any:
        return await middleware(request, handler)

    return call


def build_client_middlewares(
    handler: ClientHandlerType, middlewares: Sequence[ClientMiddlewareType]
) -> ClientHandlerType:
    """Compose ``middlewares`` around ``handler``; the first middleware is the outermost.

    Args:
        handler: the innermost step, which sends the request and returns the response.
        middlewares: the middlewares, outermost first; empty returns ``handler`` itself.

    Raises:
        TypeError: if a middleware is not callable.
    """
    for middleware in middlewares:
        if not callable(middleware):
            raise TypeError(f"A client middleware must be callable, got {middleware!r}")
    for middleware in reversed(middlewares):
        handler = _link(middleware, handler)
    return handler


async def release_response(response: Any) -> None:
    """Release ``response`` before retrying; awaits the result of ``release()`` if awaitable."""
    result = response.release()
    if hasattr(result, "__await__"):
        await result
