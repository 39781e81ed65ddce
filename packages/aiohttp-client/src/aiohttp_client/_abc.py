"""Abstract interfaces the session depends on: cookie jars and resolvers (``aiohttp.abc``)."""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence, Sized
from http.cookies import BaseCookie, Morsel
from typing import Any, TypedDict

from yarl import URL

from ._cookie_parsing import parse_set_cookie
from ._typedefs import LooseCookies

__all__ = ["AbstractCookieJar", "AbstractResolver", "ClearCookiePredicate", "ResolveResult"]

_EMPTY_URL = URL()

#: A predicate over stored cookies for :meth:`AbstractCookieJar.clear`.
ClearCookiePredicate = Callable[["Morsel[str]"], bool]


class ResolveResult(TypedDict):
    """One resolved address, as returned by :meth:`AbstractResolver.resolve`.

    Keys: ``hostname`` (the name that was resolved), ``host`` (the numeric
    address, with ``%scope`` for scoped IPv6), ``port``, ``family``,
    ``proto`` and ``flags`` (the ``getnameinfo`` flags to use with it).
    """

    hostname: str
    host: str
    port: int
    family: int
    proto: int
    flags: int


class AbstractResolver(ABC):
    """Resolves host names to addresses for the connector."""

    @abstractmethod
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return the addresses of ``host``.

        Raises:
            OSError: if the name cannot be resolved; the message names the host.
        """

    @abstractmethod
    async def close(self) -> None:
        """Release the resolver's resources."""


class AbstractCookieJar(Sized, Iterable["Morsel[str]"], ABC):
    """The cookie storage a session uses (aiohttp 3.x's ``aiohttp.abc.AbstractCookieJar``).

    Iterating yields the stored :class:`http.cookies.Morsel` objects;
    ``len()`` counts them.
    """

    def __init__(self, *, loop: Any = None) -> None:
        """Ignore ``loop``: kept for aiohttp 3.x compatibility."""

    @property
    @abstractmethod
    def quote_cookie(self) -> bool:
        """Whether :meth:`filter_cookies` quotes values that need it."""

    @abstractmethod
    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        """Remove the cookies for which ``predicate`` is true (all if ``None``)."""

    @abstractmethod
    def clear_domain(self, domain: str) -> None:
        """Remove the cookies of ``domain`` and of its subdomains."""

    @abstractmethod
    def update_cookies(self, cookies: LooseCookies, response_url: URL = _EMPTY_URL) -> None:
        """Store ``cookies`` received in a response from ``response_url``."""

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        """Store the cookies of raw ``Set-Cookie`` header values received from ``response_url``.

        Unparseable values are skipped. The default implementation parses each
        value with :func:`parse_set_cookie` and calls :meth:`update_cookies`.
        """
        morsels: list[tuple[str, Morsel[str]]] = []
        for header in headers:
            morsel = parse_set_cookie(header)
            if morsel is not None:
                morsels.append((morsel.key, morsel))
        if morsels:
            self.update_cookies(morsels, response_url)

    @abstractmethod
    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """Return the cookies to send with a request to ``request_url``."""
