"""Asyncio byte streams with read flow control (aiohttp 3.x's ``aiohttp.streams``).

Theory of operation: a protocol (or a parser it drives) pushes data with
``feed_data``/``feed_eof``/``set_exception``; one consumer coroutine pulls it
with the ``read*`` methods. Data is kept as a deque of the ``bytes`` objects
that were fed, with an offset into the first one, so reads hand out the fed
objects (or slices of them) without joining the whole buffer.

Flow control: when more than ``2 * limit`` bytes are buffered, the reader calls
``protocol.pause_reading()``; once the consumer brings the buffer below
``limit`` bytes it calls ``protocol.resume_reading()``. Line reads are bounded
by ``max_line_size`` so a peer cannot make a reader buffer without limit.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import warnings
from collections.abc import Callable, Iterator
from typing import Final

from ._data_queue import DEFAULT_LIMIT, AsyncStreamIterator, EofStream, wake_waiter
from ._helpers import BaseTimerContext, TimerNoop
from ._protocol import BaseProtocol

__all__ = [
    "DEFAULT_LIMIT",
    "EMPTY_PAYLOAD",
    "AsyncStreamIterator",
    "ChunkTupleAsyncStreamIterator",
    "EmptyStreamReader",
    "EofStream",
    "StreamReader",
]

internal_logger = logging.getLogger("aiohttp_http.streams")


class ChunkTupleAsyncStreamIterator:
    """Async iterator over :meth:`StreamReader.readchunk` results; ends on ``(b"", False)``."""

    __slots__ = ("_stream",)

    def __init__(self, stream: StreamReader) -> None:
        self._stream = stream

    def __aiter__(self) -> ChunkTupleAsyncStreamIterator:
        return self

    async def __anext__(self) -> tuple[bytes, bool]:
        """Return the next ``(data, end_of_http_chunk)`` pair."""
        value = await self._stream.readchunk()
        if value == (b"", False):
            raise StopAsyncIteration
        return value


class StreamReader:
    """A buffered, flow-controlled stream of body bytes (``response.content``).

    Args:
        protocol: the protocol whose reading is paused and resumed.
        limit: flow-control limit in bytes (:data:`DEFAULT_LIMIT` is a good
            value): reading pauses above ``2 * limit`` buffered bytes and
            resumes below ``limit``.
        timer: context manager entered around every wait for data (a read
            timeout); :class:`~aiohttp_http.TimerNoop` by default.
        loop: the event loop.
        max_line_size: longest line :meth:`readline`/:meth:`readuntil`
            accept, separator included; defaults to ``2 * limit``.

    Only one coroutine may wait for data at a time; a second one gets
    :class:`RuntimeError`.
    """

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int,
        *,
        timer: BaseTimerContext | None = None,
        loop: asyncio.AbstractEventLoop,
        max_line_size: int | None = None,
    ) -> None:
        if limit <= 0:
            raise ValueError(f"StreamReader limit must be positive, got {limit}")
        if max_line_size is not None and max_line_size <= 0:
            raise ValueError(f"max_line_size must be positive, got {max_line_size}")
        self._protocol = protocol
        self._low_water = limit
        self._high_water = limit * 2
        self._max_line_size = self._high_water if max_line_size is None else max_line_size
        self._loop = loop
        self._size = 0  # bytes buffered, not yet read
        self._cursor = 0  # bytes handed to the consumer so far
        self._http_chunk_splits: collections.deque[int] | None = None
        self._buffer: collections.deque[bytes] = collections.deque()
        self._buffer_offset = 0  # bytes of self._buffer[0] already read
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._eof_waiter: asyncio.Future[None] | None = None
        self._exception: BaseException | None = None
        self._timer: BaseTimerContext = TimerNoop() if timer is None else timer
        self._eof_callbacks: list[Callable[[], None]] = []
        self._total_bytes = 0

    def __repr__(self) -> str:
        info = [type(self).__name__]
        if self._size:
            info.append(f"{self._size} bytes")
        if self._eof:
            info.append("eof")
        if self._low_water != DEFAULT_LIMIT:
            info.append(f"low={self._low_water} high={self._high_water}")
        if self._waiter is not None:
            info.append(f"w={self._waiter!r}")
        if self._exception is not None:
            info.append(f"e={self._exception!r}")
        return "<{}>".format(" ".join(info))

    # --- iteration --------------------------------------------------------------------------

    def __aiter__(self) -> AsyncStreamIterator[bytes]:
        """Iterate over lines (see :meth:`readline`)."""
        return AsyncStreamIterator(self.readline)

    def iter_chunked(self, n: int) -> AsyncStreamIterator[bytes]:
        """Iterate over chunks of at most *n* bytes (the last one may be shorter).

        Raises:
            ValueError: *n* is not positive.
        """
        if n <= 0:
            raise ValueError(f"iter_chunked() needs a positive chunk size, got {n}")
        return AsyncStreamIterator(lambda: self.read(n))

    def iter_any(self) -> AsyncStreamIterator[bytes]:
        """Iterate over data as it arrives (see :meth:`readany`)."""
        return AsyncStreamIterator(self.readany)

    def iter_chunks(self) -> ChunkTupleAsyncStreamIterator:
        """Iterate over ``(data, end_of_http_chunk)`` pairs (see :meth:`readchunk`)."""
        return ChunkTupleAsyncStreamIterator(self)

    # --- state ------------------------------------------------------------------------------

    @property
    def total_bytes(self) -> int:
        """Bytes fed so far (read or not)."""
        return self._total_bytes

    def get_read_buffer_limits(self) -> tuple[int, int]:
        """Return the ``(low, high)`` flow-control water marks in bytes."""
        return (self._low_water, self._high_water)

    def exception(self) -> BaseException | None:
        """Return the exception set by :meth:`set_exception`, if any."""
        return self._exception

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None) -> None:
        """Fail the stream: pending and future reads raise *exc*; EOF callbacks are dropped.

        Args:
            exc: the exception to raise.
            exc_cause: stored as ``exc.__cause__`` when given (the underlying error).
        """
        if exc_cause is not None:
            exc.__cause__ = exc_cause
        self._exception = exc
        self._eof_callbacks.clear()
        waiter, self._waiter = self._waiter, None
        wake_waiter(waiter, exc)
        eof_waiter, self._eof_waiter = self._eof_waiter, None
        wake_waiter(eof_waiter, exc)

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call *callback* at EOF (at once if EOF was already fed); errors are logged."""
        if self._eof:
            try:
                callback()
            except Exception:
                internal_logger.exception("Exception in eof callback")
        else:
            self._eof_callbacks.append(callback)

    def feed_eof(self) -> None:
        """Mark the end of the stream: waiting reads return what is left."""
        self._eof = True
        waiter, self._waiter = self._waiter, None
        wake_waiter(waiter)
        eof_waiter, self._eof_waiter = self._eof_waiter, None
        wake_waiter(eof_waiter)
        callbacks, self._eof_callbacks = self._eof_callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                internal_logger.exception("Exception in eof callback")

    def is_eof(self) -> bool:
        """True once :meth:`feed_eof` was called (data may still be buffered)."""
        return self._eof

    def at_eof(self) -> bool:
        """True when EOF was fed and every byte was read."""
        return self._eof and not self._buffer

    async def wait_eof(self) -> None:
        """Wait until :meth:`feed_eof` is called.

        Raises:
            BaseException: the exception given to :meth:`set_exception`.
        """
        if self._eof:
            return
        if self._exception is not None:
            raise self._exception
        if self._eof_waiter is None:
            self._eof_waiter = self._loop.create_future()
        await asyncio.shield(self._eof_waiter)

    # --- producer side ----------------------------------------------------------------------

    def feed_data(self, data: bytes, size: int = 0) -> None:
        """Append *data* and wake the reader; pause the protocol above the high-water mark.

        Args:
            data: bytes-like data (copied to :class:`bytes` if it is not already).
            size: ignored; kept for aiohttp compatibility.

        Raises:
            RuntimeError: called after :meth:`feed_eof`.
        """
        if self._eof:
            raise RuntimeError("feed_data() called after feed_eof()")
        if not data:
            return
        if type(data) is not bytes:
            data = bytes(data)
        length = len(data)
        self._size += length
        self._total_bytes += length
        self._buffer.append(data)
        waiter, self._waiter = self._waiter, None
        wake_waiter(waiter)
        if self._size > self._high_water and not self._protocol._reading_paused:
            self._protocol.pause_reading()

    def begin_http_chunk_receiving(self) -> None:
        """Start tracking HTTP chunk boundaries (for :meth:`readchunk`).

        Raises:
            RuntimeError: data was already fed without chunk tracking.
        """
        if self._http_chunk_splits is None:
            if self._total_bytes:
                raise RuntimeError(
                    "begin_http_chunk_receiving() called after some data was already fed"
                )
            self._http_chunk_splits = collections.deque()

    def end_http_chunk_receiving(self) -> None:
        """Record that an HTTP chunk ended at the current :attr:`total_bytes`.

        Raises:
            RuntimeError: :meth:`begin_http_chunk_receiving` was not called.
        """
        splits = self._http_chunk_splits
        if splits is None:
            raise RuntimeError(
                "end_http_chunk_receiving() called without begin_http_chunk_receiving()"
            )
        last = splits[-1] if splits else self._cursor
        if self._total_bytes == last:
            return  # an empty chunk carries no data and no boundary worth reporting
        splits.append(self._total_bytes)
        waiter, self._waiter = self._waiter, None
        wake_waiter(waiter)

    def unread_data(self, data: bytes) -> None:
        """Push *data* back in front of the buffer (deprecated, as in aiohttp)."""
        warnings.warn(
            "unread_data() is deprecated and will be removed in a future release",
            DeprecationWarning,
            stacklevel=2,
        )
        if not data:
            return
        if self._buffer_offset:
            self._buffer[0] = self._buffer[0][self._buffer_offset :]
            self._buffer_offset = 0
        self._size += len(data)
        self._cursor -= len(data)
        self._buffer.appendleft(bytes(data))

    # --- consumer side ----------------------------------------------------------------------

    async def _wait(self, func_name: str) -> None:
        """Wait for the producer (data, EOF or an exception) under the timer."""
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is already waiting for incoming data"
            )
        waiter = self._waiter = self._loop.create_future()
        try:
            with self._timer:
                await waiter
        finally:
            self._waiter = None

    async def readline(self) -> bytes:
        """Read one line, ``\\n`` included (see :meth:`readuntil`)."""
        return await self.readuntil(b"\n")

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Read up to and including *separator*.

        At EOF the rest of the stream is returned even without a separator
        (``b""`` when nothing is left). The buffer is scanned once: each wait
        resumes the search where it stopped.

        Raises:
            ValueError: *separator* is empty, or no separator was found within
                ``max_line_size`` bytes ("Line is too long"); the data stays
                buffered and nothing more is read for this call.
            BaseException: the exception given to :meth:`set_exception`.
        """
        seplen = len(separator)
        if seplen == 0:
            raise ValueError("Separator should be at least one-byte string")
        max_size = self._max_line_size
        keep = seplen - 1  # bytes of scanned data a spanning separator may start in
        scanned = 0  # bytes from the read position searched without a match
        carry = b""  # the last `keep` bytes scanned, for separators spanning two chunks
        index = 0  # the next chunk of self._buffer to scan
        while True:
            if self._exception is not None:
                raise self._exception
            for chunk in self._chunks_from(index):
                start = self._buffer_offset if index == 0 else 0
                if carry:
                    probe = carry + chunk[start : start + keep]
                    pos = probe.find(separator)
                    if pos >= 0:
                        return self._take_line(scanned - len(carry) + pos + seplen, max_size)
                pos = chunk.find(separator, start)
                if pos >= 0:
                    return self._take_line(scanned + pos - start + seplen, max_size)
                scanned += len(chunk) - start
                if keep:
                    carry = (carry + chunk[max(start, len(chunk) - keep) :])[-keep:]
                index += 1
                if scanned >= max_size:
                    raise ValueError(
                        f"Line is too long: no separator {separator!r} in the first {scanned} "
                        f"bytes (max_line_size={max_size})"
                    )
            if self._eof:
                return self._read_nowait(-1)
            # We need more data than is buffered: never stay paused while waiting for it
            # (buffering stays bounded by max_line_size).
            if self._protocol._reading_paused:
                self._protocol.resume_reading()
            await self._wait("readuntil")

    def _chunks_from(self, index: int) -> Iterator[bytes]:
        """Iterate over the buffered chunks from *index* on, in O(chunks skipped or returned).

        A deque is cheap to index only near its ends: resume from the nearer one.
        """
        buffer = self._buffer
        count = len(buffer)
        if count - index < index:
            return iter([buffer[i] for i in range(index - count, 0)])
        return itertools.islice(buffer, index, None)

    def _take_line(self, length: int, max_size: int) -> bytes:
        if length > max_size:
            raise ValueError(f"Line is too long: {length} bytes (max_line_size={max_size})")
        return self._read_nowait(length)

    async def read(self, n: int = -1) -> bytes:
        """Read up to *n* bytes; with ``n < 0`` read until EOF.

        Returns ``b""`` only at EOF (or for ``n == 0``).

        Raises:
            BaseException: the exception given to :meth:`set_exception`.
        """
        if self._exception is not None:
            raise self._exception
        if n == 0:
            return b""
        if n < 0:
            blocks = []
            while block := await self.readany():
                blocks.append(block)
            return b"".join(blocks)
        while not self._buffer and not self._eof:
            await self._wait("read")
        return self._read_nowait(n)

    async def readany(self) -> bytes:
        """Return the next available data (one fed chunk, no join); ``b""`` at EOF.

        Raises:
            BaseException: the exception given to :meth:`set_exception`.
        """
        if self._exception is not None:
            raise self._exception
        while not self._buffer and not self._eof:
            await self._wait("readany")
        return self._read_nowait_chunk(-1) if self._buffer else b""

    async def readchunk(self) -> tuple[bytes, bool]:
        """Return ``(data, end_of_http_chunk)``.

        When the body is chunked (the parser called
        :meth:`begin_http_chunk_receiving`), *data* ends exactly at an HTTP
        chunk boundary when the flag is true. ``(b"", False)`` means EOF.

        Raises:
            BaseException: the exception given to :meth:`set_exception`.
        """
        while True:
            if self._exception is not None:
                raise self._exception
            splits = self._http_chunk_splits
            while splits:
                pos = splits.popleft()
                if pos == self._cursor:
                    return (b"", True)
                if pos > self._cursor:
                    return (self._read_nowait(pos - self._cursor), True)
                internal_logger.warning(
                    "Skipping HTTP chunk end due to data consumption beyond chunk boundary"
                )
            if self._buffer:
                return (self._read_nowait_chunk(-1), False)
            if self._eof:
                return (b"", False)
            await self._wait("readchunk")

    async def readexactly(self, n: int) -> bytes:
        """Read exactly *n* bytes.

        Raises:
            asyncio.IncompleteReadError: EOF came first; ``partial`` holds what was read.
            ValueError: *n* is negative.
            BaseException: the exception given to :meth:`set_exception`.
        """
        if self._exception is not None:
            raise self._exception
        if n < 0:
            raise ValueError(f"readexactly() size cannot be negative, got {n}")
        blocks: list[bytes] = []
        remaining = n
        while remaining > 0:
            block = await self.read(remaining)
            if not block:
                partial = b"".join(blocks)
                raise asyncio.IncompleteReadError(partial, len(partial) + remaining)
            blocks.append(block)
            remaining -= len(block)
        return blocks[0] if len(blocks) == 1 else b"".join(blocks)

    def read_nowait(self, n: int = -1) -> bytes:
        """Return up to *n* buffered bytes (all with ``n < 0``) without waiting.

        Raises:
            RuntimeError: another coroutine is waiting for data.
            BaseException: the exception given to :meth:`set_exception`.
        """
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None and not self._waiter.done():
            raise RuntimeError("read_nowait() called while another coroutine is waiting for data")
        return self._read_nowait(n)

    def _read_nowait_chunk(self, n: int) -> bytes:
        """Take up to *n* bytes (``-1``: all) from the first buffered chunk."""
        first = self._buffer[0]
        offset = self._buffer_offset
        if n != -1 and len(first) - offset > n:
            data = first[offset : offset + n]
            self._buffer_offset = offset + n
        else:
            self._buffer.popleft()
            data = first[offset:] if offset else first
            self._buffer_offset = 0
        size = len(data)
        self._size -= size
        self._cursor += size
        splits = self._http_chunk_splits
        # Drop boundaries the consumer already read past (they can no longer be reported).
        while splits and splits[0] < self._cursor:
            splits.popleft()
        if self._size < self._low_water and self._protocol._reading_paused:
            self._protocol.resume_reading()
        return data

    def _read_nowait(self, n: int) -> bytes:
        """Take up to *n* bytes (``-1``: all) across chunks, joining only when needed."""
        chunks = []
        while self._buffer:
            chunk = self._read_nowait_chunk(n)
            chunks.append(chunk)
            if n != -1:
                n -= len(chunk)
                if n == 0:
                    break
        if len(chunks) == 1:
            return chunks[0]
        return b"".join(chunks)


class EmptyStreamReader(StreamReader):
    """A stream that is empty and already at EOF (bodies of HEAD responses, 204, 304...)."""

    def __init__(self) -> None:
        self._read_eof_chunk = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    @property
    def total_bytes(self) -> int:
        """Always 0."""
        return 0

    def get_read_buffer_limits(self) -> tuple[int, int]:
        """Always ``(0, 0)``: nothing is ever buffered."""
        return (0, 0)

    def exception(self) -> BaseException | None:
        """Always ``None``."""
        return None

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None) -> None:
        """Ignored: an empty stream cannot fail."""

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call *callback* at once (errors are logged)."""
        try:
            callback()
        except Exception:
            internal_logger.exception("Exception in eof callback")

    def feed_eof(self) -> None:
        """No-op: already at EOF."""

    def is_eof(self) -> bool:
        """Always true."""
        return True

    def at_eof(self) -> bool:
        """Always true."""
        return True

    async def wait_eof(self) -> None:
        """Return at once."""

    def feed_data(self, data: bytes, size: int = 0) -> None:
        """Refuse data.

        Raises:
            RuntimeError: always; an empty stream has no body to receive.
        """
        raise RuntimeError(f"feed_data() called on {type(self).__name__}: the body must be empty")

    def begin_http_chunk_receiving(self) -> None:
        """No-op."""

    def end_http_chunk_receiving(self) -> None:
        """No-op."""

    async def readline(self) -> bytes:
        """Return ``b""``."""
        return b""

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Return ``b""``."""
        return b""

    async def read(self, n: int = -1) -> bytes:
        """Return ``b""``."""
        return b""

    async def readany(self) -> bytes:
        """Return ``b""``."""
        return b""

    async def readchunk(self) -> tuple[bytes, bool]:
        """Return ``(b"", False)`` first (EOF), then ``(b"", True)`` as aiohttp does."""
        if not self._read_eof_chunk:
            self._read_eof_chunk = True
            return (b"", False)
        return (b"", True)

    async def readexactly(self, n: int) -> bytes:
        """Return ``b""`` for ``n == 0``.

        Raises:
            asyncio.IncompleteReadError: for any ``n > 0``.
        """
        if n <= 0:
            return b""
        raise asyncio.IncompleteReadError(b"", n)

    def read_nowait(self, n: int = -1) -> bytes:
        """Return ``b""``."""
        return b""


#: The shared empty body.
EMPTY_PAYLOAD: Final = EmptyStreamReader()
