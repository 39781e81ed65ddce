"""The older documents' module-level ``aiohttp.ws_connect(url, ...)``.

It opens the WebSocket with a one-off :class:`aiohttp_client.ClientSession`
through :func:`aiohttp_client.ws_connect`, and is usable both ways:

* ``async with aiohttp.ws_connect(url) as ws:`` closes the WebSocket, then
  the session, when the block ends;
* ``ws = await aiohttp.ws_connect(url)`` returns the WebSocket; the session
  is detached from its connector at once (its only connection is the
  WebSocket's, closed by ``await ws.close()``).

Reached through a deprecated alias in :mod:`aiohttp` that names
``ClientSession.ws_connect()`` as the replacement.
"""

from __future__ import annotations

from collections.abc import Generator
from types import TracebackType
from typing import Any

from aiohttp_client import (
    BaseConnector,
    ClientSession,
    ClientWebSocketResponse,
    StrOrURL,
    TCPConnector,
    ws_connect,
)

__all__ = ["LegacyWebSocketConnect", "legacy_ws_connect"]


class LegacyWebSocketConnect:
    """One WebSocket with a one-off session: awaitable, and an async context manager."""

    __slots__ = ("_connector", "_kwargs", "_session", "_url", "_ws", "_ws_class")

    def __init__(
        self,
        url: StrOrURL,
        connector: BaseConnector | None,
        kwargs: dict[str, Any],
        ws_class: type[ClientWebSocketResponse] | None = None,
    ) -> None:
        self._url = url
        self._connector = connector
        self._kwargs = kwargs
        self._ws_class = ws_class
        self._session: ClientSession | None = None
        self._ws: ClientWebSocketResponse | None = None

    async def _open(self) -> tuple[ClientSession, ClientWebSocketResponse]:
        owner = self._connector is None
        connector = TCPConnector(force_close=True) if owner else self._connector
        session = ClientSession(
            connector=connector, connector_owner=owner, ws_response_class=self._ws_class
        )
        try:
            ws = await ws_connect(session, self._url, **self._kwargs)
        except BaseException:
            await session.close()
            raise
        return session, ws

    def __await__(self) -> Generator[Any, None, ClientWebSocketResponse]:
        return self._detached().__await__()

    async def _detached(self) -> ClientWebSocketResponse:
        session, ws = await self._open()
        session.detach()
        return ws

    async def __aenter__(self) -> ClientWebSocketResponse:
        """Open the WebSocket."""
        self._session, self._ws = await self._open()
        return self._ws

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the WebSocket, then the one-off session."""
        assert self._session is not None and self._ws is not None
        try:
            await self._ws.close()
        finally:
            await self._session.close()


def legacy_ws_connect(
    url: StrOrURL,
    *,
    connector: BaseConnector | None = None,
    ws_response_class: type[ClientWebSocketResponse] | None = None,
    loop: Any = None,
    **kwargs: Any,
) -> LegacyWebSocketConnect:
    """Open a WebSocket to ``url`` (``ClientSession.ws_connect`` replaces it).

    Keyword arguments are those of :func:`aiohttp_client.ws_connect`
    (``protocols``, ``timeout``, ``auth``, ``autoclose``, ``autoping``,
    ``origin``, ``headers``, ...). ``loop`` is ignored (the running loop is
    used); ``connector`` is used and left open; ``ws_response_class`` is the
    :class:`aiohttp_client.ClientWebSocketResponse` subclass to build.

    Raises:
        TypeError: ``ws_response_class`` is not a subclass of
            :class:`aiohttp_client.ClientWebSocketResponse` (when awaited).
    """
    return LegacyWebSocketConnect(url, connector, kwargs, ws_response_class)
