"""Sending one request on one connection: the innermost handler of the middleware chain.

The session builds a :class:`RequestSender` per request (its settings do not
change between redirect hops) and calls it once per hop, through the client
middlewares when there are any. A call acquires a connection, writes the
request and waits for the response head.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    ClientConnectionResetError,
    ClientOSError,
    ConnectionTimeoutError,
    ServerDisconnectedError,
)
from ._helpers import CharsetResolver
from ._timeouts import ClientTimeout, timeout_after

if TYPE_CHECKING:
    from ._connection import Connection
    from ._connector import BaseConnector
    from ._request import ClientRequest
    from ._response import ClientResponse
    from ._tracing import Trace

__all__ = ["IDEMPOTENT_METHODS", "RequestSender"]

#: Methods retried once on a fresh connection when a pooled one was found closed.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class RequestSender:
    """``await sender(request) -> response``: send one request (no redirects).

    Args:
        connector: the pool lending connections.
        timeout: the request's timeouts (``connect`` bounds acquiring).
        options: the positional options of :meth:`ClientRequest.send`.
        loop: the session's loop.
        response_class: the class of responses (``ClientResponse`` or a subclass).
        fallback_charset_resolver: given to each response.
        traces: the request's :class:`Trace` objects.
    """

    __slots__ = (
        "_connector",
        "_fallback_charset_resolver",
        "_loop",
        "_options",
        "_response_class",
        "_timeout",
        "_traces",
    )

    def __init__(
        self,
        connector: BaseConnector,
        timeout: ClientTimeout,
        options: tuple[Any, ...],
        *,
        loop: asyncio.AbstractEventLoop,
        response_class: type[ClientResponse],
        fallback_charset_resolver: CharsetResolver,
        traces: Sequence[Trace],
    ) -> None:
        self._connector = connector
        self._timeout = timeout
        self._options = options
        self._loop = loop
        self._response_class = response_class
        self._fallback_charset_resolver = fallback_charset_resolver
        self._traces = traces

    async def __call__(self, req: ClientRequest) -> ClientResponse:
        """Send ``req`` and return its response once the head arrived.

        A pooled connection found closed by the server before any byte of the
        response arrived is replaced once for an idempotent request with a
        replayable body.

        Raises:
            ClientConnectorError, ConnectionTimeoutError: getting a connection failed.
            ServerDisconnectedError, ClientOSError: the connection failed.
        """
        conn = await self._connect(req, reuse=True)
        protocol = conn.protocol
        body = req.body
        try:
            return await self._send_on(conn, req)
        except (ServerDisconnectedError, ClientOSError, ClientConnectionResetError):
            # A pooled connection the server had already closed: nothing of a response
            # arrived, so an idempotent request can safely go again on a new connection.
            if not (
                conn.reused
                and protocol is not None
                and not protocol.received_any
                and req.method in IDEMPOTENT_METHODS
                and (body is None or body.replayable)
            ):
                raise
        conn = await self._connect(req, reuse=False)
        return await self._send_on(conn, req)

    async def _connect(self, req: ClientRequest, *, reuse: bool) -> Connection:
        connector, timeout, traces = self._connector, self._timeout, self._traces
        if not timeout.connect:
            return await connector._acquire(req, timeout, reuse=reuse, traces=traces)
        try:
            async with timeout_after(
                timeout.connect,
                exc_type=ConnectionTimeoutError,
                message=f"Connection timeout to host {req.url}",
                ceil_threshold=timeout.ceil_threshold,
            ):
                return await connector._acquire(req, timeout, reuse=reuse, traces=traces)
        except asyncio.TimeoutError as exc:
            if isinstance(exc, ConnectionTimeoutError):
                raise
            raise ConnectionTimeoutError(f"Connection timeout to host {req.url}") from exc

    async def _send_on(self, conn: Connection, req: ClientRequest) -> ClientResponse:
        try:
            writer = await req.send(conn, *self._options)
        except BaseException:
            conn.close()
            raise
        resp = self._response_class(
            req.method,
            req.url,
            request_info=req.request_info,
            writer=writer,
            loop=self._loop,
            fallback_charset_resolver=self._fallback_charset_resolver,
            traces=self._traces,
        )
        try:
            await resp.start(conn)
        except BaseException:
            resp.close()
            raise
        return resp
