"""The asyncio protocol base with read and write flow control (aiohttp's ``base_protocol``)."""

from __future__ import annotations

import asyncio
from typing import cast

__all__ = ["BaseProtocol"]


class BaseProtocol(asyncio.Protocol):
    """An :class:`asyncio.Protocol` that tracks both directions of flow control.

    * Writing: the transport calls :meth:`pause_writing` when its buffer is
      above its high-water mark; :meth:`_drain_helper` (used by
      :class:`~aiohttp_http.StreamWriter.drain`) then waits until
      :meth:`resume_writing` or the connection is lost.
    * Reading: a :class:`~aiohttp_http.StreamReader` calls
      :meth:`pause_reading` when it holds too much unread data and
      :meth:`resume_reading` once the consumer caught up; both are idempotent.

    Args:
        loop: the event loop the protocol runs on.
    """

    __slots__ = (
        "_connection_lost",
        "_drain_waiter",
        "_loop",
        "_paused",
        "_reading_paused",
        "transport",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._connection_lost = False
        self.transport: asyncio.Transport | None = None

    @property
    def connected(self) -> bool:
        """True between ``connection_made`` and ``connection_lost``."""
        return self.transport is not None

    @property
    def writing_paused(self) -> bool:
        """True while the transport asked us to stop writing."""
        return self._paused

    @property
    def reading_paused(self) -> bool:
        """True while reading from the transport is paused by :meth:`pause_reading`."""
        return self._reading_paused

    def pause_writing(self) -> None:
        """Called by the transport above its write high-water mark."""
        self._paused = True

    def resume_writing(self) -> None:
        """Called by the transport below its write low-water mark; wakes drainers."""
        self._paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def pause_reading(self) -> None:
        """Stop reading from the transport (no-op if already paused or not connected)."""
        if not self._reading_paused and self.transport is not None:
            try:
                self.transport.pause_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                # asyncio.ReadTransport's base methods raise NotImplementedError for
                # transports that cannot pause; closing ones raise RuntimeError.
                pass
            self._reading_paused = True

    def resume_reading(self) -> None:
        """Resume reading from the transport (no-op if not paused or not connected)."""
        if self._reading_paused and self.transport is not None:
            try:
                self.transport.resume_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                pass  # a transport that cannot pause never paused (see pause_reading)
            self._reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Remember the transport."""
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        """Forget the transport and fail a pending drain with ``ConnectionResetError``."""
        self._connection_lost = True
        self.transport = None
        self._reading_paused = False
        waiter = self._drain_waiter
        if waiter is None:
            return
        self._drain_waiter = None
        if not waiter.done():
            error = ConnectionResetError("Connection lost while waiting to write")
            error.__cause__ = exc
            waiter.set_exception(error)

    async def _drain_helper(self) -> None:
        """Wait while writing is paused.

        Raises:
            ConnectionResetError: the connection is (or gets) lost.
        """
        if self._connection_lost or self.transport is None:
            raise ConnectionResetError("Connection lost")
        if not self._paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._loop.create_future()
            # Mark a lost-connection error as retrieved even if every drainer was cancelled.
            waiter.add_done_callback(_consume_exception)
            self._drain_waiter = waiter
        # Shield: one cancelled drainer must not cancel the future others share.
        await asyncio.shield(waiter)


def _consume_exception(future: asyncio.Future[None]) -> None:
    """Retrieve a future's exception so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()
