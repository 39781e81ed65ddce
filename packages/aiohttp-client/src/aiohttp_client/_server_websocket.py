"""The server side of a WebSocket: ``WebSocketResponse`` on aiohttp_http's low-level server.

A handler of :func:`aiohttp_http.serve` accepts a WebSocket as in aiohttp's
``web`` framework::

    async def handler(request: BaseRequest) -> StreamResponse:
        ws = WebSocketResponse(protocols=("chat",))
        await ws.prepare(request)  # validates, answers 101, switches protocols
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                await ws.send_str(msg.data)
        return ws

:meth:`WebSocketResponse.prepare` validates the request with
:func:`aiohttp_ws.validate_upgrade_request` (a refused one raises
:class:`aiohttp_http.HttpBadRequest`, which the server answers with ``400``
and the reason), sends the ``101`` through :meth:`BaseRequest.upgrade`, moves
the transport to the WebSocket protocol, then runs the shared
:class:`WebSocketConnection` on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, NamedTuple

from aiohttp_http import BaseRequest, HttpBadRequest, StreamResponse
from aiohttp_ws import (
    DEFAULT_MAX_MSG_SIZE,
    FlowControlProtocol,
    ServerHandshake,
    WSCloseCode,
    WSHandshakeError,
    validate_upgrade_request,
)

from ._websocket import WebSocketConnection

__all__ = ["WebSocketReady", "WebSocketResponse"]


class WebSocketReady(NamedTuple):
    """The answer of :meth:`WebSocketResponse.can_prepare`.

    Attributes:
        ok: whether the request is an acceptable WebSocket upgrade.
        protocol: the subprotocol that would be chosen, or ``None``.
    """

    ok: bool
    protocol: str | None

    def __bool__(self) -> bool:
        return self.ok


class WebSocketResponse(StreamResponse, WebSocketConnection):
    """A server-side WebSocket (aiohttp 3.x's ``web.WebSocketResponse``).

    Args:
        timeout: seconds :meth:`close` waits for the client's CLOSE.
        receive_timeout: default bound of :meth:`receive` in seconds.
        autoclose: answer the client's CLOSE inside :meth:`receive`.
        autoping: answer PINGs and swallow PONGs inside :meth:`receive`.
        heartbeat: seconds of silence after which a PING is sent; no answer
            within half of it drops the connection (1006).
        protocols: the subprotocols we speak, in our order of preference.
        compress: accept permessage-deflate when the client offers it.
        max_msg_size: the largest incoming message (1009 above; 0: no limit).

    When the task that called :meth:`prepare` ends (the handler returned)
    while the WebSocket is still open, the closing handshake runs with
    ``1000`` (``1001`` if the task was cancelled), as aiohttp does.
    """

    def __init__(
        self,
        *,
        timeout: float | None = 10.0,
        receive_timeout: float | None = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        protocols: Iterable[str] = (),
        compress: bool = True,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
    ) -> None:
        StreamResponse.__init__(self, status=101)
        WebSocketConnection.__init__(
            self,
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
            receive_timeout=receive_timeout,
            close_timeout=timeout,
        )
        self._protocols = tuple(protocols)
        self._accept_deflate = compress
        self._max_msg_size = max_msg_size
        self._handshake: ServerHandshake | None = None
        self._auto_close_task: asyncio.Task[bool] | None = None

    @property
    def ws_protocol(self) -> str | None:
        """The agreed subprotocol (aiohttp's name; same as :attr:`protocol`)."""
        return self.protocol

    def _validate(self, request: BaseRequest) -> ServerHandshake:
        return validate_upgrade_request(
            request.method,
            request.headers,
            protocols=self._protocols,
            compress=self._accept_deflate,
        )

    def can_prepare(self, request: BaseRequest) -> WebSocketReady:
        """Whether ``request`` is a WebSocket upgrade this response would accept.

        Raises:
            RuntimeError: :meth:`prepare` was already called.
        """
        if self.prepared:
            raise RuntimeError("Already started")
        try:
            handshake = self._validate(request)
        except WSHandshakeError:
            return WebSocketReady(False, None)
        return WebSocketReady(True, handshake.protocol)

    async def prepare(self, request: BaseRequest) -> None:  # type: ignore[override]
        """Accept the WebSocket: validate, answer ``101``, switch the transport.

        Calling it again after success does nothing.

        Raises:
            HttpBadRequest: the request is not a valid WebSocket upgrade (the
                server answers ``400`` with the reason when the handler lets
                it propagate).
            ConnectionResetError: the client went away.
        """
        if self._handshake is not None:
            return
        try:
            handshake = self._validate(request)
        except WSHandshakeError as exc:
            raise HttpBadRequest(f"WebSocket handshake refused: {exc}") from exc
        for name, value in handshake.response_headers:
            self.headers[name] = value
        self._handshake = handshake
        upgraded = await request.upgrade(self)
        flow = FlowControlProtocol()
        upgraded.set_protocol(flow)
        self.start(
            flow,
            is_server=True,
            protocol=handshake.protocol,
            deflate=handshake.deflate,
            max_msg_size=self._max_msg_size,
        )
        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(self._on_owner_done)

    def _on_owner_done(self, task: asyncio.Task[Any]) -> None:
        """The handler's task ended: close the WebSocket if the handler left it open."""
        if self.closed or self._auto_close_task is not None:
            return
        code = WSCloseCode.GOING_AWAY if task.cancelled() else WSCloseCode.OK
        loop = task.get_loop()
        if loop.is_closed():
            return
        self._auto_close_task = loop.create_task(self.close(code=code))
        self._auto_close_task.add_done_callback(_retrieve)

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Refused: a WebSocket sends messages, not body bytes.

        Raises:
            RuntimeError: always; use :meth:`send_str`, :meth:`send_bytes`...
        """
        raise RuntimeError("Cannot call .write() for websocket")

    async def write_eof(self, data: bytes = b"") -> None:
        """Close the WebSocket (aiohttp calls it when the handler returns).

        Raises:
            RuntimeError: :meth:`prepare` was not called.
        """
        if self._handshake is None:
            raise RuntimeError("Response has not been started")
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open" if self._handshake else "not prepared"
        return f"<WebSocketResponse {state} protocol={self.protocol!r}>"


def _retrieve(task: asyncio.Task[bool]) -> None:
    if not task.cancelled():
        task.exception()
