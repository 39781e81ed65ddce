"""The client's side of switching protocols: move an upgraded connection to a WebSocket.

The upgrade request itself is an ordinary session request (see
``_ws_connect``): its ``101`` answer leaves the connection's
:class:`ResponseHandler` holding the bytes that followed the head, with
reading paused. :func:`take_over` moves the transport to a fresh
:class:`aiohttp_ws.FlowControlProtocol` primed with those bytes, so frames
the server sent right after switching protocols, in the same or later
packets, all reach the WebSocket in order.
"""

from __future__ import annotations

import asyncio

from aiohttp_ws import FlowControlProtocol

from ._connection import Connection
from ._exceptions import ServerDisconnectedError

__all__ = ["take_over"]


class _HandedOverProtocol(FlowControlProtocol):
    """The WebSocket protocol of a connection taken from the connector.

    The connection's first protocol no longer hears from the transport; it
    is told when the connection is lost, so that the connector (which waits
    for that when it closes) knows.
    """

    def __init__(self, previous: asyncio.BaseProtocol) -> None:
        super().__init__()
        self._previous = previous

    def connection_lost(self, exc: Exception | None) -> None:
        """End the WebSocket's queue, then tell the connection's first protocol."""
        super().connection_lost(exc)
        self._previous.connection_lost(exc)


def take_over(connection: Connection, tail: bytes) -> FlowControlProtocol:
    """Move ``connection``'s transport to a WebSocket protocol that starts with ``tail``.

    Args:
        connection: a connection whose response switched protocols.
        tail: the bytes that followed the ``101`` head.

    Raises:
        ServerDisconnectedError: the connection closed before the hand-over.
    """
    transport = connection.transport
    previous = connection.protocol
    if transport is None or previous is None:
        raise ServerDisconnectedError("Server disconnected right after switching protocols")
    flow = _HandedOverProtocol(previous)
    transport.set_protocol(flow)
    flow.connection_made(transport)
    if tail:
        flow.data_received(tail)
    # Reading paused at the 101 (so no close could be noticed meanwhile); the
    # new protocol now hears everything, the end of the connection included.
    transport.resume_reading()
    return flow
