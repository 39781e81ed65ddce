"""The older documents' module-level request coroutines: ``aiohttp.get(url)`` and friends.

Each returns a :class:`LegacyRequest`, usable both ways the older releases
allowed:

* ``async with aiohttp.get(url) as resp:`` streams the body; the one-off
  session is closed when the block ends (this is :func:`aiohttp_client.request`);
* ``resp = await aiohttp.get(url)`` reads the whole body, closes the one-off
  session and returns the response, whose ``read()``, ``text()`` and
  ``json()`` then answer from the body already read.

The names are reached through deprecated aliases in :mod:`aiohttp`, which warn
and name :class:`aiohttp.ClientSession`'s methods as the replacement.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator
from types import TracebackType
from typing import Any

from aiohttp_client import ClientResponse, StrOrURL, request

__all__ = ["LegacyRequest", "delete", "get", "head", "options", "patch", "post", "put"]


class LegacyRequest:
    """One request with a one-off session: awaitable, and an async context manager."""

    __slots__ = ("_context", "_kwargs", "_method", "_url")

    def __init__(self, method: str, url: StrOrURL, kwargs: dict[str, Any]) -> None:
        if "encoding" in kwargs:
            # 0.21's `encoding` argument had no effect on the request.
            kwargs.pop("encoding")
            warnings.warn(
                "the encoding argument is ignored; use response.text(encoding=...) instead",
                DeprecationWarning,
                stacklevel=3,
            )
        self._method = method
        self._url = url
        self._kwargs = kwargs
        self._context: Any = None

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self._fetch().__await__()

    async def _fetch(self) -> ClientResponse:
        async with request(self._method, self._url, **self._kwargs) as response:
            await response.read()
        return response

    async def __aenter__(self) -> ClientResponse:
        """Send the request; the response streams until the block ends."""
        self._context = request(self._method, self._url, **self._kwargs)
        response: ClientResponse = await self._context.__aenter__()
        return response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Release the response and close the one-off session."""
        await self._context.__aexit__(exc_type, exc, tb)


def get(url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any) -> LegacyRequest:
    """``GET url`` with a one-off session (``ClientSession.get`` replaces it)."""
    return LegacyRequest("GET", url, {"allow_redirects": allow_redirects, **kwargs})


def options(url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any) -> LegacyRequest:
    """``OPTIONS url`` with a one-off session (``ClientSession.options`` replaces it)."""
    return LegacyRequest("OPTIONS", url, {"allow_redirects": allow_redirects, **kwargs})


def head(url: StrOrURL, *, allow_redirects: bool = False, **kwargs: Any) -> LegacyRequest:
    """``HEAD url`` with a one-off session (``ClientSession.head`` replaces it)."""
    return LegacyRequest("HEAD", url, {"allow_redirects": allow_redirects, **kwargs})


def delete(url: StrOrURL, **kwargs: Any) -> LegacyRequest:
    """``DELETE url`` with a one-off session (``ClientSession.delete`` replaces it)."""
    return LegacyRequest("DELETE", url, kwargs)


def post(url: StrOrURL, *, data: Any = None, **kwargs: Any) -> LegacyRequest:
    """``POST url`` with ``data`` and a one-off session (``ClientSession.post`` replaces it)."""
    return LegacyRequest("POST", url, {"data": data, **kwargs})


def put(url: StrOrURL, *, data: Any = None, **kwargs: Any) -> LegacyRequest:
    """``PUT url`` with ``data`` and a one-off session (``ClientSession.put`` replaces it)."""
    return LegacyRequest("PUT", url, {"data": data, **kwargs})


def patch(url: StrOrURL, *, data: Any = None, **kwargs: Any) -> LegacyRequest:
    """``PATCH url`` with ``data`` and a one-off session (``ClientSession.patch`` replaces it)."""
    return LegacyRequest("PATCH", url, {"data": data, **kwargs})
