"""Type aliases shared by the client modules (aiohttp 3.x's ``aiohttp.typedefs``)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Mapping
from http.cookies import BaseCookie, Morsel
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from yarl import URL

__all__ = [
    "AddrInfoType",
    "LooseCookies",
    "LooseCookiesIterables",
    "LooseCookiesMappings",
    "LooseHeaders",
    "SocketFactoryType",
    "StrOrURL",
]

#: A URL given either as text or as a :class:`yarl.URL`.
StrOrURL = str | URL

#: Headers in any of the shapes the client accepts.
LooseHeaders = (
    Mapping[str, str]
    | CIMultiDict[str]
    | CIMultiDictProxy[str]
    | MultiDict[str]
    | MultiDictProxy[str]
    | Iterable[tuple[str, str]]
)

#: Cookies given as a mapping of name to value or to :class:`http.cookies.Morsel`.
LooseCookiesMappings = Mapping[str, str | BaseCookie[str] | Morsel[Any]]

#: Cookies given as an iterable of ``(name, value)`` or ``(name, Morsel)`` pairs.
LooseCookiesIterables = Iterable[tuple[str, str | BaseCookie[str] | Morsel[Any]]]

#: Every shape :meth:`AbstractCookieJar.update_cookies` accepts.
LooseCookies = LooseCookiesMappings | LooseCookiesIterables | BaseCookie[str]

#: One result of :func:`socket.getaddrinfo` for a stream socket:
#: ``(family, type, proto, canonname, sockaddr)`` (aiohttp 3.12's ``AddrInfoType``).
AddrInfoType = tuple[int | socket.AddressFamily, int | socket.SocketKind, int, str, tuple[Any, ...]]

#: Makes the (unconnected) socket for one address; :class:`TCPConnector` then
#: connects it (aiohttp 3.12's ``SocketFactoryType``).
SocketFactoryType = Callable[[AddrInfoType], socket.socket]
