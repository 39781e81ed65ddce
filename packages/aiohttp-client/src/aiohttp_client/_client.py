"""The module-level ``request()``: one request with a one-off session."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp_http import HttpVersion, HttpVersion11

from ._connector import BaseConnector
from ._helpers import SENTINEL, Sentinel
from ._reqrep_helpers import _SessionRequestContextManager
from ._session import ClientSession
from ._tcp_connector import TCPConnector
from ._timeouts import ClientTimeout
from ._typedefs import LooseCookies, StrOrURL

__all__ = ["request"]


def request(
    method: str,
    url: StrOrURL,
    *,
    version: HttpVersion = HttpVersion11,
    connector: BaseConnector | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    cookies: LooseCookies | None = None,
    timeout: ClientTimeout | Sentinel = SENTINEL,
    read_bufsize: int | None = None,
    **kwargs: Any,
) -> _SessionRequestContextManager:
    """Send one request without a session of your own: ``async with request("GET", url) as r``.

    A session is made for the request and closed when the block ends; without a
    ``connector`` a :class:`TCPConnector` with ``force_close=True`` is used (no
    keep-alive). Other keyword arguments are those of :meth:`ClientSession.request`.

    Raises:
        RuntimeError: called outside a running event loop (without a connector).
    """
    connector_owner = connector is None
    if connector is None:
        connector = TCPConnector(force_close=True)
    session_options: dict[str, Any] = {}
    if read_bufsize is not None:
        session_options["read_bufsize"] = read_bufsize
    session = ClientSession(
        connector=connector,
        loop=loop,
        cookies=cookies,
        version=version,
        timeout=timeout,
        connector_owner=connector_owner,
        **session_options,
    )
    return _SessionRequestContextManager(session._request(method, url, **kwargs), session)
