"""asyncio adapters over the sans-IO reader and writer.

* :class:`WebSocketDataQueue` holds parsed messages for the application and
  applies back-pressure: above a high-water mark of queued bytes it pauses
  the transport's reading, and resumes it once the queue drains below the
  low-water mark.
* :class:`WebSocketReader` (aiohttp's name and signature) feeds transport
  bytes through a :class:`WebSocketParser` into such a queue.
* :class:`WebSocketWriter` (aiohttp's name and signature) serialises frames
  onto a transport under a lock and waits for the transport to drain when its
  buffer exceeds a limit.
* :class:`FlowControlProtocol` is a ready-made ``asyncio.Protocol`` with
  everything the three need: pausing, draining, connection loss, and the
  bytes of the HTTP upgrade response read before switching to WebSocket.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Final, Protocol

from ._deflate import DEFAULT_COMPRESS_LEVEL
from ._models import (
    DEFAULT_MAX_FRAME_SIZE,
    DEFAULT_MAX_MSG_SIZE,
    WS_CLOSED_MESSAGE,
    WebSocketError,
    WSCloseCode,
    WSMessageNoDecodeText,
    WSMsgType,
)
from ._reader import WebSocketParser
from ._writer import WebSocketSerializer

__all__ = [
    "DEFAULT_HEAD_LIMIT",
    "DEFAULT_QUEUE_LIMIT",
    "DEFAULT_WRITE_LIMIT",
    "FlowControlProtocol",
    "WebSocketDataQueue",
    "WebSocketReader",
    "WebSocketWriter",
]

#: Queued bytes above which a :class:`WebSocketDataQueue` pauses reading (64 KiB).
DEFAULT_QUEUE_LIMIT: Final[int] = 2**16
#: Transport buffer size above which :class:`WebSocketWriter` waits for drain (64 KiB).
DEFAULT_WRITE_LIMIT: Final[int] = 2**16
#: Largest HTTP response head :meth:`FlowControlProtocol.read_head` accepts (64 KiB).
DEFAULT_HEAD_LIMIT: Final[int] = 2**16

# Bookkeeping cost counted for every queued message, so that a flood of empty
# messages also pauses the transport.
_MESSAGE_OVERHEAD: Final[int] = 64


class ReadingFlowControl(Protocol):
    """Anything that can pause and resume reading: a transport or a protocol."""

    def pause_reading(self) -> None:
        """Stop delivering data."""

    def resume_reading(self) -> None:
        """Deliver data again."""


class Drainable(Protocol):
    """A protocol whose ``drain()`` waits until the transport accepts writes again."""

    async def drain(self) -> None:
        """Wait for the transport's write buffer to empty below its low-water mark."""


class WebSocketDataQueue:
    """A queue of messages with back-pressure on the reading side.

    Args:
        protocol: what to pause and resume (a transport or protocol).
        limit: high-water mark in queued bytes: above it reading is paused.
        loop: the event loop (default: the running loop when first awaited).
        low_water: resume reading at or below this many bytes (default
            ``limit // 2``).
    """

    def __init__(
        self,
        protocol: ReadingFlowControl,
        limit: int = DEFAULT_QUEUE_LIMIT,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        low_water: int | None = None,
    ) -> None:
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        self._protocol = protocol
        self._high = limit
        self._low = limit // 2 if low_water is None else low_water
        if not 0 <= self._low <= self._high:
            raise ValueError(f"low_water must be between 0 and {limit}, got {low_water}")
        self._loop = loop
        self._buffer: deque[tuple[WSMessageNoDecodeText, int]] = deque()
        self._size = 0
        self._paused = False
        self._eof = False
        self._exception: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    @property
    def size(self) -> int:
        """Bytes currently queued (payload plus a per-message overhead)."""
        return self._size

    @property
    def paused(self) -> bool:
        """Whether this queue has paused the transport's reading."""
        return self._paused

    def is_eof(self) -> bool:
        """Whether the end of the stream (or an error) was fed."""
        return self._eof

    def exception(self) -> BaseException | None:
        """The error set by :meth:`set_exception`, if any."""
        return self._exception

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def set_exception(self, exc: BaseException) -> None:
        """Fail the queue: once the queued messages are read, :meth:`read` raises ``exc``."""
        self._eof = True
        self._exception = exc
        self._wake()

    def feed_eof(self) -> None:
        """Mark the end of the stream; :meth:`read` then returns ``WS_CLOSED_MESSAGE``."""
        self._eof = True
        self._wake()

    def feed_data(self, message: WSMessageNoDecodeText, size: int) -> None:
        """Queue ``message`` counting ``size`` bytes; pause reading above the high-water mark."""
        self._size += size + _MESSAGE_OVERHEAD
        self._buffer.append((message, size))
        if self._waiter is not None:
            self._wake()
        if self._size > self._high and not self._paused:
            self._paused = True
            self._protocol.pause_reading()

    async def read(self) -> WSMessageNoDecodeText:
        """The next message; waits for one.

        Returns ``WS_CLOSED_MESSAGE`` once the stream has ended and the queue
        is empty; raises the exception set by :meth:`set_exception` instead if
        there is one.
        """
        buffer = self._buffer
        while not buffer and not self._eof:
            loop = self._loop or asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:
                    self._waiter = None
        if buffer:
            message, size = buffer.popleft()
            self._size -= size + _MESSAGE_OVERHEAD
            if self._paused and self._size <= self._low:
                self._paused = False
                self._protocol.resume_reading()
            return message
        if self._exception is not None:
            raise self._exception
        return WS_CLOSED_MESSAGE


class WebSocketReader:
    """Feeds transport bytes through a :class:`WebSocketParser` into a queue.

    Signature of aiohttp 3.x: ``WebSocketReader(queue, max_msg_size,
    compress=True)``; the extra keywords choose text decoding, the masking
    rule (see :class:`WebSocketParser`) and the peer's deflate window.
    """

    def __init__(
        self,
        queue: WebSocketDataQueue,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        compress: bool = True,
        *,
        decode_text: bool = True,
        is_server: bool | None = None,
        window_bits: int = 15,
    ) -> None:
        self.queue = queue
        self.parser = WebSocketParser(
            is_server=is_server,
            max_msg_size=max_msg_size,
            compress=compress,
            window_bits=window_bits,
            decode_text=decode_text,
        )

    def feed_eof(self) -> None:
        """The transport reached EOF: end the queue (with 1006 if inside a frame)."""
        try:
            self.parser.feed_eof()
        except WebSocketError as exc:
            self.queue.set_exception(exc)
            return
        self.queue.feed_eof()

    def feed_data(self, data: bytes | bytearray | memoryview) -> tuple[bool, bytes]:
        """Parse ``data`` and queue its messages; return ``(failed, b"")``.

        On a protocol error the queue gets the :class:`WebSocketError` (read
        it to learn the close code) and ``(True, b"")`` is returned; later
        data is ignored.
        """
        parser = self.parser
        if parser.exception is not None:
            return True, b""
        try:
            messages = parser.feed_data(data)
        except WebSocketError as exc:
            messages = exc.messages
            error: WebSocketError | None = exc
        else:
            error = None
        feed = self.queue.feed_data
        for message in messages:
            payload = message[1]
            kind = type(payload)
            feed(message, len(payload) if kind is bytes or kind is str else 0)
        if error is not None:
            self.queue.set_exception(error)
            return True, b""
        return False, b""


class WebSocketWriter:
    """Writes frames to an asyncio transport, one message at a time.

    Signature of aiohttp 3.x: ``WebSocketWriter(protocol, transport, *,
    use_mask=False, limit=..., compress=0, notakeover=False)``. ``protocol``
    must offer ``async drain()`` (see :class:`FlowControlProtocol`). After a
    write, when the transport buffers more than ``limit`` bytes, the writer
    waits for ``protocol.drain()`` before returning, which caps the bytes
    buffered per connection.
    """

    def __init__(
        self,
        protocol: Drainable,
        transport: asyncio.WriteTransport,
        *,
        use_mask: bool = False,
        limit: int = DEFAULT_WRITE_LIMIT,
        compress: int = 0,
        notakeover: bool = False,
        level: int = DEFAULT_COMPRESS_LEVEL,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    ) -> None:
        self.protocol = protocol
        self.transport = transport
        self.use_mask = use_mask
        self.compress = compress
        self.notakeover = notakeover
        self._limit = limit
        self._closing = False
        self._lock = asyncio.Lock()
        self.serializer = WebSocketSerializer(
            use_mask=use_mask,
            compress=compress,
            notakeover=notakeover,
            level=level,
            max_frame_size=max_frame_size,
        )

    async def _write(self, data: bytes) -> None:
        async with self._lock:
            transport = self.transport
            if transport.is_closing():
                raise ConnectionResetError("cannot write to closing transport")
            transport.write(data)
            if transport.get_write_buffer_size() > self._limit:
                await self.protocol.drain()

    async def send_frame(self, message: bytes, opcode: int, compress: int | None = None) -> None:
        """Send one message (TEXT/BINARY, compressed when negotiated) or control frame.

        Raises ``ConnectionResetError`` once closing, ``ValueError`` for an
        oversized control payload or unknown opcode.
        """
        if self._closing and opcode != WSMsgType.CLOSE:
            raise ConnectionResetError("cannot write to closing transport")
        await self._write(self.serializer.message(message, opcode, compress=compress))

    async def send(
        self, message: str | bytes, binary: bool = False, compress: int | None = None
    ) -> None:
        """Send ``message`` as TEXT (``str``, or bytes with ``binary=False``) or BINARY."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        opcode = WSMsgType.BINARY if binary else WSMsgType.TEXT
        await self.send_frame(message, opcode, compress)

    async def ping(self, message: bytes = b"") -> None:
        """Send a PING (at most 125 bytes)."""
        await self.send_frame(message, WSMsgType.PING)

    async def pong(self, message: bytes = b"") -> None:
        """Send a PONG (at most 125 bytes)."""
        await self.send_frame(message, WSMsgType.PONG)

    async def close(self, code: int = WSCloseCode.OK, message: bytes | str = b"") -> None:
        """Send a CLOSE frame; afterwards only CLOSE may be sent.

        Raises ``ValueError`` for a code that may not be sent or a reason
        over 123 bytes.
        """
        frame = self.serializer.close(code, message)
        try:
            await self._write(frame)
        finally:
            self._closing = True


class FlowControlProtocol(asyncio.Protocol):
    """An ``asyncio.Protocol`` carrying a WebSocket connection.

    Before :meth:`attach`, received bytes are kept (at most ``head_limit``)
    for :meth:`read_head`, which returns the HTTP head of the upgrade
    answer; afterwards they go to the attached :class:`WebSocketReader`.
    Provides ``pause_reading``/``resume_reading`` for the queue and
    ``drain()`` for the writer.
    """

    def __init__(self, *, head_limit: int = DEFAULT_HEAD_LIMIT) -> None:
        self.transport: asyncio.Transport | None = None
        self.reader: WebSocketReader | None = None
        self._head_limit = head_limit
        self._head = bytearray()
        self._head_waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._writing_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._lost = False
        self._exc: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Store the transport."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def _wake_head(self) -> None:
        waiter = self._head_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        self._head_waiter = None

    def data_received(self, data: bytes) -> None:
        """Route bytes to the reader, or keep them until the head is read."""
        reader = self.reader
        if reader is not None:
            if reader.feed_data(data)[0] and self.transport is not None:
                self.transport.pause_reading()
            return
        self._head += data
        self._wake_head()

    def eof_received(self) -> bool | None:
        """End the reader's queue; let the transport close."""
        if self.reader is not None:
            self.reader.feed_eof()
        self._wake_head()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        """End the reader's queue and release anyone waiting to write."""
        self._lost = True
        self._exc = exc
        if self.reader is not None:
            if exc is not None:
                self.reader.queue.set_exception(exc)
            else:
                self.reader.feed_eof()
        self._wake_head()
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._drain_waiters.clear()

    def pause_reading(self) -> None:
        """Ask the transport to stop reading (back-pressure from the queue)."""
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        """Ask the transport to read again."""
        if self._reading_paused and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()

    def pause_writing(self) -> None:
        """The transport's buffer is above its high-water mark."""
        self._writing_paused = True

    def resume_writing(self) -> None:
        """The transport's buffer drained; release the writers."""
        self._writing_paused = False
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._drain_waiters.clear()

    async def drain(self) -> None:
        """Wait until the transport accepts writes again; raise if the connection is lost."""
        if self._lost:
            raise ConnectionResetError("connection lost") from self._exc
        if not self._writing_paused:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._drain_waiters.append(waiter)
        await waiter
        if self._lost:
            raise ConnectionResetError("connection lost") from self._exc

    async def read_head(self) -> bytes:
        """Wait for and return the HTTP head (through the blank line) received so far.

        Raises ``WebSocketError`` (1002) if the head exceeds ``head_limit``
        bytes, ``ConnectionResetError`` if the connection ends first.
        """
        while True:
            end = self._head.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self._head[: end + 4])
                del self._head[: end + 4]
                return head
            if len(self._head) > self._head_limit:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR,
                    f"HTTP head exceeds {self._head_limit} bytes",
                )
            if self._lost or (self.transport is not None and self.transport.is_closing()):
                raise ConnectionResetError("connection closed before the HTTP head ended")
            self._head_waiter = asyncio.get_running_loop().create_future()
            await self._head_waiter

    def attach(self, reader: WebSocketReader) -> None:
        """Send all further bytes (and those received after the head) to ``reader``."""
        self.reader = reader
        if self._head:
            rest = bytes(self._head)
            self._head.clear()
            self.data_received(rest)
        if self._lost:
            if self._exc is not None:
                reader.queue.set_exception(self._exc)
            else:
                reader.feed_eof()
