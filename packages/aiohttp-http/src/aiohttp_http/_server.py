"""The low-level HTTP/1.1 server: :class:`Server` (a protocol factory) and :func:`serve`.

``Server(handler, ...)`` holds the settings every connection shares and is
passed to ``loop.create_server``; each call makes a :class:`RequestHandler`
for one connection. :func:`serve` binds a listening socket and shuts the
server down gracefully when its block ends.
"""

from __future__ import annotations

import asyncio
import socket
import ssl as ssl_module
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Final

from ._data_queue import DEFAULT_LIMIT
from ._decoding import DEFAULT_MAX_DECOMPRESSED_SIZE
from ._parser import (
    DEFAULT_MAX_FIELD_SIZE,
    DEFAULT_MAX_HEADERS,
    DEFAULT_MAX_LINE_SIZE,
    HttpRequestParser,
)
from ._server_protocol import RequestHandler
from ._server_request import BaseRequest
from ._server_response import StreamResponse

__all__ = [
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_DISCARD_SIZE",
    "DEFAULT_MAX_PIPELINED_REQUESTS",
    "Handler",
    "Server",
    "serve",
]

#: A handler: takes the request, returns the response.
Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]

#: Seconds an idle keep-alive connection is kept open.
DEFAULT_KEEPALIVE_TIMEOUT: Final = 75.0
#: Seconds allowed to receive the rest of a request head once it started.
DEFAULT_HEAD_TIMEOUT: Final = 30.0
#: Seconds a handler's body read waits for data.
DEFAULT_READ_TIMEOUT: Final = 60.0
#: Seconds a response write waits for the peer to read.
DEFAULT_WRITE_TIMEOUT: Final = 60.0
#: Seconds :meth:`Server.shutdown` lets in-flight requests finish.
DEFAULT_SHUTDOWN_TIMEOUT: Final = 60.0
#: Seconds input is discarded after an error response before closing.
DEFAULT_LINGERING_TIMEOUT: Final = 2.0
#: Largest request body on the wire (413 above it).
DEFAULT_MAX_BODY_SIZE: Final = 16 * 2**20
#: Largest unread body remainder drained to keep a connection; more closes it.
DEFAULT_MAX_DISCARD_SIZE: Final = 256 * 2**10
#: Requests parsed ahead of the one being answered before reading pauses.
DEFAULT_MAX_PIPELINED_REQUESTS: Final = 16


class Server:
    """The low-level HTTP/1.1 server: call it to get a connection's protocol.

    ``loop.create_server(Server(handler), host, port)`` serves ``handler``, a
    coroutine function taking a :class:`BaseRequest` and returning a
    :class:`StreamResponse` or :class:`Response`.

    Args:
        handler: the request handler. An exception it raises is answered 500
            (a :class:`~aiohttp_http.BadHttpMessage` from a body read: its
            status, e.g. 400 or 413) and the connection is closed.
        keepalive_timeout: seconds an idle connection stays open (None: no limit).
        head_timeout: seconds to receive a request head once it started (408).
        read_timeout: seconds a body read waits for data (``TimeoutError``, 408).
        write_timeout: seconds a write waits for the peer to read (then abort).
        shutdown_timeout: default of :meth:`shutdown`.
        lingering_timeout: seconds input is discarded after an error response.
        max_line_size, max_field_size, max_headers: head limits of the parser
            (414 for a long request line, 431 for long or too many fields).
        max_body_size: largest request body on the wire (413), or None.
        auto_decompress: decode gzip/deflate/br/zstd request bodies.
        max_decompressed_size: largest decoded request body (400 above it).
        max_pipelined_requests: requests parsed ahead before reading pauses.
        max_discard_size: unread body bytes drained after a response to keep
            the connection; a longer remainder closes it.
        read_limit: flow-control limit of body streams (see ``StreamReader``).
    """

    def __init__(
        self,
        handler: Handler,
        *,
        keepalive_timeout: float | None = DEFAULT_KEEPALIVE_TIMEOUT,
        head_timeout: float | None = DEFAULT_HEAD_TIMEOUT,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
        lingering_timeout: float = DEFAULT_LINGERING_TIMEOUT,
        max_line_size: int = DEFAULT_MAX_LINE_SIZE,
        max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
        max_headers: int = DEFAULT_MAX_HEADERS,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        auto_decompress: bool = True,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        max_pipelined_requests: int = DEFAULT_MAX_PIPELINED_REQUESTS,
        max_discard_size: int = DEFAULT_MAX_DISCARD_SIZE,
        read_limit: int = DEFAULT_LIMIT,
    ) -> None:
        if max_pipelined_requests < 1:
            raise ValueError("max_pipelined_requests must be at least 1")
        self.handler = handler
        self.keepalive_timeout = keepalive_timeout
        self.head_timeout = head_timeout
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.shutdown_timeout = shutdown_timeout
        self.lingering_timeout = lingering_timeout
        self.max_line_size = max_line_size
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self.max_body_size = max_body_size
        self.auto_decompress = auto_decompress
        self.max_decompressed_size = max_decompressed_size
        self.max_pipelined_requests = max_pipelined_requests
        self.max_discard_size = max_discard_size
        self.read_limit = read_limit
        self.requests_count = 0
        self._connections: set[RequestHandler] = set()
        self._listeners: list[asyncio.AbstractServer] = []
        self._closing = False
        self._all_closed: asyncio.Future[None] | None = None
        self._address: tuple[str, int] | None = None

    def __call__(self) -> RequestHandler:
        """Make the protocol of one new connection (``loop.create_server`` calls this)."""
        return RequestHandler(self, asyncio.get_running_loop())

    @property
    def connections(self) -> list[RequestHandler]:
        """The open connections."""
        return list(self._connections)

    @property
    def closing(self) -> bool:
        """True once :meth:`shutdown` started."""
        return self._closing

    @property
    def sockets(self) -> list[socket.socket]:
        """The listening sockets of servers started by :func:`serve`."""
        return [s for listener in self._listeners for s in getattr(listener, "sockets", ())]

    @property
    def port(self) -> int:
        """The port of the first listening socket (kept after shutdown).

        Raises:
            RuntimeError: no listener was attached (:func:`serve` attaches one).
        """
        if self._address is None:
            raise RuntimeError("the server has no listening socket (start it with serve())")
        return self._address[1]

    @property
    def url(self) -> str:
        """``http://host:port`` of the first listening socket (see :attr:`port`)."""
        if self._address is None:
            raise RuntimeError("the server has no listening socket (start it with serve())")
        host = self._address[0]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._address[1]}"

    def attach(self, listener: asyncio.AbstractServer) -> None:
        """Let :meth:`shutdown` stop ``listener`` (what :func:`serve` does)."""
        self._listeners.append(listener)
        if self._address is None:
            for sock in getattr(listener, "sockets", ()):
                name = sock.getsockname()
                if isinstance(name, tuple):
                    self._address = (str(name[0]), int(name[1]))
                    break

    def _make_parser(self) -> HttpRequestParser:
        return HttpRequestParser(
            max_line_size=self.max_line_size,
            max_field_size=self.max_field_size,
            max_headers=self.max_headers,
            max_body_size=self.max_body_size,
            auto_decompress=self.auto_decompress,
            max_decompressed_size=self.max_decompressed_size,
        )

    def _register(self, connection: RequestHandler) -> None:
        self._connections.add(connection)

    def _unregister(self, connection: RequestHandler) -> None:
        self._connections.discard(connection)
        waiter = self._all_closed
        if not self._connections and waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def shutdown(self, timeout: float | None = None) -> None:
        """Shut down gracefully.

        Stops accepting (closes the listeners of :func:`serve` / :meth:`attach`;
        connections accepted later are closed at once), closes idle
        connections, lets in-flight requests finish (their responses carry
        ``Connection: close``) for up to ``timeout`` seconds (default
        ``shutdown_timeout``), then cancels the handlers still running and
        aborts their connections. Requests queued behind an in-flight one are
        not answered. Never raises for a connection's error.
        """
        if timeout is None:
            timeout = self.shutdown_timeout
        self._closing = True
        for listener in self._listeners:
            listener.close()
        loop = asyncio.get_running_loop()
        for connection in list(self._connections):
            connection.begin_shutdown()
        if self._connections:
            self._all_closed = loop.create_future()
            try:
                await asyncio.wait_for(asyncio.shield(self._all_closed), timeout)
            except asyncio.TimeoutError:
                pass
            for connection in list(self._connections):
                connection.force_close()
            if self._connections:
                # Give aborted transports and cancelled tasks one bounded moment.
                try:
                    await asyncio.wait_for(asyncio.shield(self._all_closed), 1.0)
                except asyncio.TimeoutError:
                    self._connections.clear()
        for listener in self._listeners:
            try:
                await asyncio.wait_for(listener.wait_closed(), 1.0)
            except asyncio.TimeoutError:
                pass


@asynccontextmanager
async def serve(
    handler: Handler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ssl: ssl_module.SSLContext | None = None,
    backlog: int = 128,
    **kwargs: Any,
) -> AsyncIterator[Server]:
    """Serve ``handler`` on ``host:port`` for the duration of an ``async with`` block.

    Yields the :class:`Server` (``server.port``, ``server.sockets``,
    ``server.url``); on exit calls :meth:`Server.shutdown`. ``kwargs`` are
    :class:`Server`'s parameters; ``ssl`` serves HTTPS (``request.url`` then
    starts with ``https``). Raises ``OSError`` when the address cannot be bound.
    """
    server = Server(handler, **kwargs)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(server, host, port, ssl=ssl, backlog=backlog)
    server.attach(listener)
    try:
        yield server
    finally:
        await server.shutdown()
