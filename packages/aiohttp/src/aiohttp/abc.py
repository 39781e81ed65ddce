"""``aiohttp.abc``: the client's abstract base classes (from aiohttp-client and aiohttp-http).

The server framework's ABCs (``AbstractRouter``, ``AbstractView``,
``AbstractAccessLogger``, ...) belong to ``aiohttp.web`` and are not offered.
"""

from __future__ import annotations

from aiohttp_client import AbstractCookieJar, AbstractResolver, ClearCookiePredicate, ResolveResult
from aiohttp_http import AbstractStreamWriter

__all__ = [
    "AbstractCookieJar",
    "AbstractResolver",
    "AbstractStreamWriter",
    "ClearCookiePredicate",
    "ResolveResult",
]
