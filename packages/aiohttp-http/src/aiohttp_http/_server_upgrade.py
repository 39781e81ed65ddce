"""The connection a handler takes over with :meth:`BaseRequest.upgrade`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ._streams import StreamReader

if TYPE_CHECKING:
    from ._server_protocol import RequestHandler

__all__ = ["UpgradedConnection"]


class UpgradedConnection:
    """A connection handed over to a handler by :meth:`BaseRequest.upgrade`.

    Attributes:
        transport: the transport; write to it directly or with :meth:`write`.
        tail: the bytes received after the upgrade request, unparsed (the
            parser's ``Upgraded.tail`` plus what arrived before the hand-over).
            They are also the first bytes :attr:`reader` returns.
        reader: a :class:`~aiohttp_http.StreamReader` of everything the peer
            sends from now on (tail first), with flow control.

    When the handler returns, the server closes the connection, unless
    :meth:`set_protocol` moved it to another protocol.
    """

    __slots__ = ("_handler", "_switched", "reader", "tail", "transport")

    def __init__(
        self,
        handler: RequestHandler,
        transport: asyncio.Transport,
        tail: bytes,
        reader: StreamReader,
    ) -> None:
        self._handler = handler
        self.transport = transport
        self.tail = tail
        self.reader = reader
        self._switched = False

    @property
    def switched(self) -> bool:
        """True once :meth:`set_protocol` moved the connection to another protocol."""
        return self._switched

    async def write(self, data: bytes) -> None:
        """Write ``data`` and wait while the transport is paused (bounded by ``write_timeout``).

        Raises:
            ConnectionResetError: the connection is closed or lost.
        """
        if self.transport.is_closing():
            raise ConnectionResetError("connection closed")
        self.transport.write(data)
        await self._handler._drain_helper()

    def set_protocol(self, protocol: asyncio.Protocol) -> None:
        """Move the connection to ``protocol``.

        Calls ``protocol.connection_made(transport)``, then
        ``protocol.data_received`` with the bytes not yet read from
        :attr:`reader` (the tail included), and resumes reading. From then
        on the server neither reads nor closes the connection.

        Raises:
            RuntimeError: called twice.
        """
        if self._switched:
            raise RuntimeError("the connection was already switched to another protocol")
        self._switched = True
        unread = self.reader.read_nowait() if self.reader.exception() is None else b""
        self._handler._detach()
        self.transport.set_protocol(protocol)
        protocol.connection_made(self.transport)
        if unread:
            protocol.data_received(unread)
        try:
            self.transport.resume_reading()
        except (AttributeError, NotImplementedError, RuntimeError):
            pass  # transports that cannot pause (ReadTransport's base raises) never paused

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()
