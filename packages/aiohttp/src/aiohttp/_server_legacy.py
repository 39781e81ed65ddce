"""The older documents' ``ServerHttpProtocol`` over aiohttp-http's low-level server.

Public, with a deprecation warning, as :mod:`aiohttp.server`.

Theory of operation
-------------------
A :class:`ServerHttpProtocol` is the asyncio protocol of one connection (the
older API: ``loop.create_server(lambda: MyProtocol(), host, port)``). It does
no parsing of its own: on ``connection_made`` it makes an
:class:`aiohttp_http.Server` whose handler is :meth:`ServerHttpProtocol._dispatch`
and forwards every transport callback to that server's connection protocol
(:class:`aiohttp_http.RequestHandler`), which parses, queues pipelined
requests, enforces the limits and timeouts, and answers bad requests.

For each request the dispatcher calls ``handle_request(message, payload)``
(the :class:`~aiohttp_http.RawRequestMessage` and the body
:class:`~aiohttp_http.StreamReader`). Responses are written the older way,
``Response(self.writer, 200)`` from :mod:`aiohttp.protocol`; ``self.writer``
hands each one a sink that turns it into an :class:`aiohttp_http.StreamResponse`
and performs its synchronous calls (``send_headers()``, ``write()``) in
order on a task, so the server frames, sends and keeps the connection alive
exactly as for a modern handler. When ``handle_request`` returns, the
dispatcher waits for that response to be sent and returns it to the server.
"""

from __future__ import annotations

import asyncio
import html
import logging
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp_http

from ._server_legacy_protocol import HttpMessage, Response

__all__ = ["ServerHttpProtocol", "access_logger", "server_logger"]

server_logger = logging.getLogger("aiohttp.server")
access_logger = logging.getLogger("aiohttp.access")

#: Headers the modern response settles itself from the framing.
_FRAMING = frozenset({"connection", "transfer-encoding", "content-length"})


class _ResponseSink:
    """Sends one legacy :class:`~aiohttp.protocol.Response` as an ``aiohttp_http.StreamResponse``.

    The legacy calls are synchronous; each becomes a step of one ordered
    chain of tasks, awaited by the caller's awaitable and by the dispatcher.
    """

    def __init__(self, owner: ServerHttpProtocol, message: HttpMessage) -> None:
        request = owner._request
        if request is None:
            raise RuntimeError("no request is being handled: a response cannot be sent now")
        if not isinstance(message, Response):
            raise TypeError("only a Response can be written to the server's writer")
        response = aiohttp_http.StreamResponse(status=message.status, reason=message.reason)
        for name, value in message.headers:
            if name.lower() not in _FRAMING:
                response.headers.add(name, value)
        if message.length is not None:
            response.content_length = message.length
        if message.chunked:
            response.enable_chunked_encoding()
        if message.keepalive is False or message.closing or not owner._keepalive:
            response.force_close()
        self.response = response
        self.message = message
        self._request = request
        self._last: asyncio.Task[None] = asyncio.get_running_loop().create_task(self._prepare())
        self._last.add_done_callback(_retrieve)
        owner._sinks.append(self)

    async def _prepare(self) -> None:
        await self.response.prepare(self._request)

    def _chain(self, step: Callable[[], Coroutine[Any, Any, None]]) -> asyncio.Task[None]:
        previous = self._last

        async def run() -> None:
            await previous
            await step()  # made only now: a cancelled chain leaves no unawaited coroutine

        task = asyncio.get_running_loop().create_task(run())
        task.add_done_callback(_retrieve)  # failures surface through finish()
        self._last = task
        return task

    def write(self, data: bytes) -> Awaitable[None]:
        """Queue body bytes; the result completes when they are written."""
        return self._chain(lambda: self.response.write(data))

    def write_eof(self, data: bytes) -> Awaitable[None]:
        """Queue the end of the body; the result completes when it is sent."""
        return self._chain(lambda: self.response.write_eof(data))

    async def finish(self) -> aiohttp_http.StreamResponse:
        """Wait for every queued step, end the body, and return the response."""
        await self._chain(self.response.write_eof)
        return self.response

    def abandon(self) -> None:
        """Consume the chain's outcome (the handler failed: the server answers instead)."""
        self._last.add_done_callback(_retrieve)


def _retrieve(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()


class _ServerWriter:
    """``self.writer`` of a :class:`ServerHttpProtocol`: hands responses a sink."""

    def __init__(self, owner: ServerHttpProtocol) -> None:
        self._owner = owner

    @property
    def transport(self) -> asyncio.BaseTransport | None:
        """The connection's transport."""
        return self._owner.transport

    def legacy_response_sink(self, message: HttpMessage) -> _ResponseSink:
        """The sink of a response being sent for the current request."""
        return _ResponseSink(self._owner, message)


class ServerHttpProtocol(asyncio.Protocol):
    """The older server protocol: subclass it and override :meth:`handle_request`.

    Args:
        loop: accepted for compatibility; the running loop is used.
        keep_alive: seconds an idle connection stays open; 0 or None closes
            the connection after every response.
        keep_alive_on: False closes the connection after every response.
        timeout: seconds allowed for a request head and each body read (0: the
            server's defaults).
        logger, access_log: loggers of errors and of the access log.
        debug: log requests (:meth:`log_debug`) and put tracebacks in error pages.
        kwargs: further settings of :class:`aiohttp_http.Server` (``max_line_size``,
            ``max_field_size``, ``max_headers``, ``max_body_size``, ...).

    Everything the modern server does applies: pipelining, limits (400, 413,
    414, 431), ``Expect: 100-continue``, graceful close. An exception escaping
    ``handle_request`` is answered 500 (an ``HttpProcessingError``: its code),
    or cuts the connection when the head was already sent.
    """

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        keep_alive: float | None = 75,
        keep_alive_on: bool = True,
        timeout: float = 0,
        logger: logging.Logger = server_logger,
        access_log: logging.Logger | None = access_logger,
        debug: bool = False,
        **kwargs: Any,
    ) -> None:
        self._loop_arg = loop
        self._settings: dict[str, Any] = dict(kwargs)
        self._keepalive_on = bool(keep_alive_on and keep_alive)
        if self._keepalive_on:
            self._settings.setdefault("keepalive_timeout", float(keep_alive or 0))
        if timeout:
            self._settings.setdefault("head_timeout", float(timeout))
            self._settings.setdefault("read_timeout", float(timeout))
        self.logger = logger
        self.access_log = access_log
        self.debug = debug
        self.transport: asyncio.BaseTransport | None = None
        self.writer = _ServerWriter(self)
        self._server: aiohttp_http.Server | None = None
        self._connection: aiohttp_http.RequestHandler | None = None
        self._request: aiohttp_http.BaseRequest | None = None
        self._sinks: list[_ResponseSink] = []
        self._keepalive = self._keepalive_on
        self._environ: Any = None

    # -- state and hooks ---------------------------------------------------------

    @property
    def server(self) -> aiohttp_http.Server | None:
        """The :class:`aiohttp_http.Server` serving this connection (once connected)."""
        return self._server

    @property
    def request(self) -> aiohttp_http.BaseRequest | None:
        """The modern request being handled, if any."""
        return self._request

    def keep_alive(self, val: bool) -> None:
        """Keep the connection open after the current response (``True``) or close it.

        ``False`` sends ``Connection: close`` when called before the response
        head, and closes the connection after the response in any case.
        """
        self._keepalive = bool(val) and self._keepalive_on
        if not self._keepalive:
            for sink in self._sinks:
                if not sink.response.prepared:
                    sink.response.force_close()

    def log_access(
        self, message: aiohttp_http.RawRequestMessage, environ: Any, response: Any, time: float
    ) -> None:
        """Log one request to the access log (override to change the format).

        ``response`` is the :class:`aiohttp.protocol.Response` sent, or None;
        ``time`` the seconds spent; ``environ`` the WSGI environ, or None.
        """
        if self.access_log is None:
            return
        peer = self.transport.get_extra_info("peername") if self.transport else None
        remote = peer[0] if isinstance(peer, (tuple, list)) and peer else "-"
        status = getattr(response, "status", "-")
        length = getattr(response, "body_length", "-")
        version = message.version
        self.access_log.info(
            '%s "%s %s HTTP/%d.%d" %s %s %.6fs',
            remote,
            message.method,
            message.path,
            version.major,
            version.minor,
            status,
            length,
            time,
        )

    def log_debug(self, *args: Any, **kw: Any) -> None:
        """Log at debug level when ``debug`` is on."""
        if self.debug:
            self.logger.debug(*args, **kw)

    def log_exception(self, *args: Any, **kw: Any) -> None:
        """Log an error with its traceback."""
        self.logger.exception(*args, **kw)

    async def handle_request(
        self, message: aiohttp_http.RawRequestMessage, payload: aiohttp_http.StreamReader
    ) -> None:
        """Answer one request; the default answers ``404 Not Found``.

        Args:
            message: the parsed head.
            payload: the body.
        """
        body = b"<html><body><h1>404 Not Found</h1></body></html>"
        response = Response(self.writer, 404, http_version=message.version)
        response.add_header("Content-Type", "text/html; charset=utf-8")
        response.add_header("Content-Length", str(len(body)))
        response.send_headers()
        response.write(body)
        await response.write_eof()

    def handle_error(
        self,
        status: int = 500,
        message: aiohttp_http.RawRequestMessage | None = None,
        payload: Any = None,
        exc: BaseException | None = None,
        headers: Any = None,
        reason: str | None = None,
    ) -> Response | None:
        """Answer the current request with an HTML error page and close the connection.

        Returns the response (or None when no request is being handled: the
        connection is then closed). The page shows the traceback when ``debug``.
        """
        del payload
        if exc is not None:
            self.log_exception("Error handling request", exc_info=exc)
        if self._request is None:
            if self.transport is not None:
                self.transport.close()
            return None
        version = message.version if message is not None else self._request.version
        response = Response(self.writer, status, http_version=version, reason=reason)
        title = f"{response.status} {html.escape(response.reason)}"
        detail = ""
        if self.debug and exc is not None:
            detail = "<pre>" + html.escape("".join(traceback.format_exception(exc))) + "</pre>"
        body = (
            f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{detail}</body></html>"
        )
        data = body.encode("utf-8")
        response.add_header("Content-Type", "text/html; charset=utf-8")
        response.add_header("Content-Length", str(len(data)))
        for name, value in dict(headers or {}).items():
            response.add_header(name, value)
        response.force_close()
        self._keepalive = False
        response.send_headers()
        response.write(data)
        self._pending_eof(response)
        return response

    def _pending_eof(self, response: Response) -> None:
        sink = response._sink
        if sink is not None:
            sink.write_eof(b"")

    # -- the bridge to aiohttp-http's server ---------------------------------------

    async def _dispatch(self, request: aiohttp_http.BaseRequest) -> aiohttp_http.StreamResponse:
        """The modern handler: run ``handle_request`` and return the response it wrote."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        self._request = request
        self._sinks = []
        self._keepalive = self._keepalive_on
        self._environ = None
        sent: Response | None = None
        try:
            try:
                self.log_debug("%s %s", request.method, request.raw_path)
                await self.handle_request(request.message, request.content)
            except BaseException:
                for sink in self._sinks:
                    sink.abandon()
                raise
            if not self._sinks:
                raise RuntimeError("handle_request() returned without sending a response")
            for sink in self._sinks[:-1]:
                sink.abandon()
            sink = self._sinks[-1]
            response = await sink.finish()
            message = sink.message
            sent = message if isinstance(message, Response) else None
            if not self._keepalive and self._connection is not None:
                # Decided after the head was sent: close once the response is flushed.
                response.force_close()
                self._connection.close()
            return response
        finally:
            self._request = None
            self._sinks = []
            self.log_access(request.message, self._environ, sent, loop.time() - started)

    def _make_connection(self) -> aiohttp_http.RequestHandler:
        server = aiohttp_http.Server(self._dispatch, **self._settings)
        self._server = server
        return server()

    # -- asyncio.Protocol, forwarded ------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start serving the connection."""
        self.transport = transport
        self._connection = self._make_connection()
        if not self._keepalive_on:
            self._keepalive = False
        self._connection.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        """Forward to the server's connection protocol."""
        if self._connection is not None:
            self._connection.data_received(data)

    def eof_received(self) -> bool | None:
        """Forward to the server's connection protocol."""
        if self._connection is not None:
            return self._connection.eof_received()
        return None

    def connection_lost(self, exc: BaseException | None) -> None:
        """Forward to the server's connection protocol."""
        self.transport = None
        if self._connection is not None:
            self._connection.connection_lost(exc)

    def pause_writing(self) -> None:
        """Forward flow control to the server's connection protocol."""
        if self._connection is not None:
            self._connection.pause_writing()

    def resume_writing(self) -> None:
        """Forward flow control to the server's connection protocol."""
        if self._connection is not None:
            self._connection.resume_writing()
