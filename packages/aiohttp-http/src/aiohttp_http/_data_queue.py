"""Queues of parsed items with EOF, exceptions and flow control (aiohttp's ``DataQueue``).

Also home of the pieces every stream shares: :class:`EofStream`, the
:class:`AsyncStreamIterator` adapter and the flow-control default
:data:`DEFAULT_LIMIT`.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import Final, Generic, TypeVar

from ._protocol import BaseProtocol

__all__ = [
    "DEFAULT_LIMIT",
    "AsyncStreamIterator",
    "DataQueue",
    "EofStream",
    "FlowControlDataQueue",
]

#: Default flow-control limit in bytes: reading pauses above twice this, resumes below it.
DEFAULT_LIMIT: Final = 2**16

_T = TypeVar("_T")


class EofStream(Exception):
    """Raised by :meth:`DataQueue.read` once the queue is empty and finished."""


class AsyncStreamIterator(Generic[_T]):
    """Async iterator over repeated calls of a read coroutine; ends on ``b""`` or EOF."""

    __slots__ = ("read_func",)

    def __init__(self, read_func: Callable[[], Awaitable[_T]]) -> None:
        self.read_func = read_func

    def __aiter__(self) -> AsyncStreamIterator[_T]:
        return self

    async def __anext__(self) -> _T:
        """Return the next item.

        Raises:
            StopAsyncIteration: the read returned ``b""`` or raised :class:`EofStream`.
        """
        try:
            value = await self.read_func()
        except EofStream:
            raise StopAsyncIteration from None
        if value == b"":
            raise StopAsyncIteration
        return value


def wake_waiter(waiter: asyncio.Future[None] | None, exc: BaseException | None = None) -> None:
    """Complete *waiter* (with *exc* if given) unless it is already done."""
    if waiter is not None and not waiter.done():
        if exc is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(exc)


class DataQueue(Generic[_T]):
    """An unbounded queue of parsed items (messages, frames) with EOF and exceptions.

    Use :class:`FlowControlDataQueue` when a producer must be throttled.

    Args:
        loop: the event loop.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._exception: BaseException | None = None
        self._size = 0
        self._buffer: collections.deque[tuple[_T, int]] = collections.deque()

    def __len__(self) -> int:
        return len(self._buffer)

    def __aiter__(self) -> AsyncStreamIterator[_T]:
        """Iterate over items until EOF."""
        return AsyncStreamIterator(self.read)

    def is_eof(self) -> bool:
        """True once :meth:`feed_eof` was called."""
        return self._eof

    def at_eof(self) -> bool:
        """True when EOF was fed and every item was read."""
        return self._eof and not self._buffer

    def exception(self) -> BaseException | None:
        """Return the exception set by :meth:`set_exception`, if any."""
        return self._exception

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None) -> None:
        """Fail the queue: once buffered items are read, :meth:`read` raises *exc*.

        *exc_cause*, when given, is stored as ``exc.__cause__``.
        """
        if exc_cause is not None:
            exc.__cause__ = exc_cause
        self._eof = True
        self._exception = exc
        waiter, self._waiter = self._waiter, None
        wake_waiter(waiter, exc)

    def feed_data(self, data: _T, size: int = 0) -> None:
        """Append one item; *size* counts towards flow control.

        Raises:
            RuntimeError: called after :meth:`feed_eof`.
        """
        if self._eof:
            raise RuntimeError("feed_data() called after feed_eof()")
        self._size += size
        self._buffer.append((data, size))
        waiter, self._waiter = self._waiter, None
        wake_waiter(waiter)

    def feed_eof(self) -> None:
        """Mark the end: :meth:`read` raises :class:`EofStream` once the queue is empty."""
        self._eof = True
        waiter, self._waiter = self._waiter, None
        wake_waiter(waiter)

    async def read(self) -> _T:
        """Return the next item, waiting for one.

        Raises:
            EofStream: the queue is finished and empty.
            RuntimeError: another coroutine is already waiting.
            BaseException: the exception given to :meth:`set_exception`.
        """
        if not self._buffer and not self._eof:
            if self._waiter is not None:
                raise RuntimeError("read() called while another coroutine is already waiting")
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self._buffer:
            data, size = self._buffer.popleft()
            self._size -= size
            self._on_item_read()
            return data
        if self._exception is not None:
            raise self._exception
        raise EofStream

    def _on_item_read(self) -> None:
        """Hook for flow control after an item left the queue."""


class FlowControlDataQueue(DataQueue[_T]):
    """A :class:`DataQueue` that pauses the protocol while too much is queued.

    Reading pauses when the queued *size* exceeds ``2 * limit`` and resumes
    below ``limit``.

    Args:
        protocol: the protocol to pause and resume.
        limit: flow-control limit (sum of the *size* arguments of ``feed_data``).
        loop: the event loop.
    """

    def __init__(
        self, protocol: BaseProtocol, limit: int = DEFAULT_LIMIT, *, loop: asyncio.AbstractEventLoop
    ) -> None:
        if limit <= 0:
            raise ValueError(f"FlowControlDataQueue limit must be positive, got {limit}")
        super().__init__(loop=loop)
        self._protocol = protocol
        self._limit = limit

    def feed_data(self, data: _T, size: int = 0) -> None:
        """Append one item and pause the protocol above ``2 * limit``."""
        super().feed_data(data, size)
        if self._size > 2 * self._limit and not self._protocol._reading_paused:
            self._protocol.pause_reading()

    def _on_item_read(self) -> None:
        if self._size < self._limit and self._protocol._reading_paused:
            self._protocol.resume_reading()
