"""The asyncio HTTP message writer (aiohttp 3.x's ``aiohttp.http_writer.StreamWriter``).

A thin adapter: heads are serialised by :func:`serialize_headers`, bodies are
framed by :class:`ChunkedEncoder` and compressed by :class:`BodyCompressor`
(all sans-IO); this module only moves the bytes to a transport and waits for
it (``drain``) when the transport reports write back-pressure.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from ._abc import AbstractStreamWriter
from ._protocol import BaseProtocol
from ._writer import BodyCompressor, ChunkedEncoder, serialize_headers

__all__ = ["DEFAULT_WRITE_BUFFER_LIMIT", "StreamWriter"]

#: Bytes written without draining after which :meth:`StreamWriter.write` waits for the transport.
DEFAULT_WRITE_BUFFER_LIMIT: Final = 2**16

_OnChunkSent = Callable[[bytes], Awaitable[None]]
_OnHeadersSent = Callable[["CIMultiDict[str] | CIMultiDictProxy[str]"], Awaitable[None]]
_Headers = CIMultiDict[str] | CIMultiDictProxy[str] | Mapping[str, str] | Iterable[tuple[str, str]]


class StreamWriter(AbstractStreamWriter):
    """Write an HTTP/1.1 message to a :class:`~aiohttp_http.BaseProtocol`'s transport.

    Body bytes go through optional compression (:meth:`enable_compression`),
    then optional chunked framing (:meth:`enable_chunking`). After
    ``buffer_limit`` bytes written since the last drain, :meth:`write` waits
    in :meth:`drain` while the transport is paused (back-pressure).

    If :attr:`length` is set (the declared ``Content-Length``), it counts the
    bytes still allowed: writing more raises :class:`ValueError`, and so does
    :meth:`write_eof` when fewer were written; the connection must then be
    closed.

    Args:
        protocol: the protocol owning the transport.
        loop: the event loop.
        on_chunk_sent: coroutine called with every body chunk before it is
            written (tracing hook).
        on_headers_sent: coroutine called with the headers before they are
            written (tracing hook).
        buffer_limit: see :data:`DEFAULT_WRITE_BUFFER_LIMIT`.
    """

    def __init__(
        self,
        protocol: BaseProtocol,
        loop: asyncio.AbstractEventLoop,
        on_chunk_sent: _OnChunkSent | None = None,
        on_headers_sent: _OnHeadersSent | None = None,
        *,
        buffer_limit: int = DEFAULT_WRITE_BUFFER_LIMIT,
    ) -> None:
        if buffer_limit <= 0:
            raise ValueError(f"buffer_limit must be positive, got {buffer_limit}")
        self._protocol = protocol
        self.loop = loop
        self.length: int | None = None
        self.chunked = False
        self.buffer_size = 0
        self.output_size = 0
        self._buffer_limit = buffer_limit
        self._eof = False
        self._compress: BodyCompressor | None = None
        self._chunker: ChunkedEncoder | None = None
        self._on_chunk_sent = on_chunk_sent
        self._on_headers_sent = on_headers_sent

    @property
    def transport(self) -> asyncio.Transport | None:
        """The protocol's transport (``None`` once the connection is lost)."""
        return self._protocol.transport

    @property
    def protocol(self) -> BaseProtocol:
        """The protocol this writer writes through."""
        return self._protocol

    def enable_chunking(self) -> None:
        """Frame the body that follows with the chunked transfer coding."""
        self.chunked = True
        if self._chunker is None:
            self._chunker = ChunkedEncoder()

    def enable_compression(
        self, encoding: str = "deflate", strategy: int = zlib.Z_DEFAULT_STRATEGY
    ) -> None:
        """Compress the body that follows with ``deflate`` (zlib format) or ``gzip``.

        Raises:
            ValueError: unsupported *encoding*, or a *strategy* other than
                ``zlib.Z_DEFAULT_STRATEGY`` (the compressor has no other).
        """
        if strategy != zlib.Z_DEFAULT_STRATEGY:
            raise ValueError(f"unsupported zlib strategy {strategy}: only Z_DEFAULT_STRATEGY")
        self._compress = BodyCompressor(encoding)

    def _write(self, data: bytes) -> None:
        """Hand *data* to the transport, counting it.

        Raises:
            ConnectionResetError: the transport is gone or closing.
        """
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        size = len(data)
        self.buffer_size += size
        self.output_size += size
        transport.write(data)

    def _check_open(self, what: str) -> None:
        if self._eof:
            raise RuntimeError(f"{what} called after write_eof(): the message is finished")

    def _account_length(self, data: bytes) -> None:
        """Consume *data* from the declared length, refusing to exceed it."""
        if self.length is not None:
            if len(data) > self.length:
                raise ValueError(
                    f"body exceeds the declared length: {len(data)} bytes written with only "
                    f"{self.length} left"
                )
            self.length -= len(data)

    async def write(
        self,
        chunk: bytes | bytearray | memoryview,
        *,
        drain: bool = True,
    ) -> None:
        """Write one body chunk; wait for the transport once ``buffer_limit`` is exceeded.

        Args:
            chunk: body bytes (empty chunks are ignored).
            drain: set to false to never wait here (the caller drains).

        Raises:
            RuntimeError: the message was already finished by :meth:`write_eof`.
            ValueError: the chunk would exceed the declared :attr:`length`.
            ConnectionResetError: the connection is closing or lost.
        """
        self._check_open("write()")
        if self._on_chunk_sent is not None:
            await self._on_chunk_sent(bytes(chunk))
        data = chunk if isinstance(chunk, bytes) else bytes(chunk)
        if self._compress is not None:
            data = self._compress.compress(data)
        if not data:
            return
        self._account_length(data)
        if self._chunker is not None:
            data = self._chunker.encode(data)
        self._write(data)
        if drain and self.buffer_size > self._buffer_limit:
            self.buffer_size = 0
            await self.drain()

    async def write_headers(self, status_line: str, headers: _Headers) -> None:
        """Write the start line and headers (see :func:`serialize_headers`).

        Raises:
            InvalidOutgoingField: CR, LF or NUL in the line, a name or a value,
                or a name that is not a token.
            RuntimeError: the message was already finished.
            ConnectionResetError: the connection is closing or lost.
        """
        self._check_open("write_headers()")
        if self._on_headers_sent is not None:
            hook_headers = (
                headers
                if isinstance(headers, (CIMultiDict, CIMultiDictProxy))
                else CIMultiDict(headers)
            )
            await self._on_headers_sent(hook_headers)
        self._write(serialize_headers(status_line, headers))

    def set_eof(self) -> None:
        """Mark the message finished without writing anything."""
        self._eof = True

    async def write_eof(
        self, chunk: bytes = b"", trailers: Mapping[str, str] | None = None
    ) -> None:
        """Write an optional last chunk, flush compression, end chunked framing, drain.

        Calling it again is a no-op.

        Args:
            chunk: last body bytes.
            trailers: trailer fields (chunked framing only).

        Raises:
            ValueError: trailers without chunked framing, or the body is
                shorter or longer than the declared :attr:`length`.
            InvalidOutgoingField: a bad trailer field.
            ConnectionResetError: the connection is closing or lost.
        """
        if self._eof:
            return
        if trailers and self._chunker is None:
            raise ValueError("trailers need the chunked transfer coding (enable_chunking())")
        if chunk and self._on_chunk_sent is not None:
            await self._on_chunk_sent(chunk)
        data = bytes(chunk)
        if self._compress is not None:
            data = (self._compress.compress(data) if data else b"") + self._compress.flush()
        self._account_length(data)
        if self._chunker is not None:
            data = self._chunker.encode(data) + self._chunker.finish(trailers)
        self._eof = True
        if data:
            self._write(data)
        if self.length:
            transport = self._protocol.transport
            if transport is None or transport.is_closing():
                # The peer went away mid-body: that, not our short body, is the failure.
                raise ConnectionResetError("connection lost before the body was complete")
            raise ValueError(
                f"body is shorter than the declared length: {self.length} bytes missing"
            )
        await self.drain()

    async def drain(self) -> None:
        """Wait while the transport is paused for writing.

        Raises:
            ConnectionResetError: the connection is lost while waiting.
        """
        self.buffer_size = 0
        protocol = self._protocol
        if protocol.transport is not None and protocol.writing_paused:
            await protocol._drain_helper()
