"""Abstract interfaces of the asyncio layer (aiohttp 3.x's ``aiohttp.abc`` writer part)."""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from typing import Protocol

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["AbstractStreamWriter", "SupportsAsyncWrite"]


class SupportsAsyncWrite(Protocol):
    """Anything a :class:`~aiohttp_http.Payload` can be written to.

    Only one coroutine method is needed: ``await writer.write(data)``. Every
    :class:`AbstractStreamWriter` qualifies, and so does a test double that
    collects the bytes.
    """

    async def write(self, chunk: bytes) -> None:
        """Send (or collect) *chunk*."""


class AbstractStreamWriter(ABC):
    """The interface of an HTTP message body writer (aiohttp 3.x's ``AbstractStreamWriter``).

    Attributes:
        buffer_size: bytes written since the last drain.
        output_size: bytes written to the transport in total (framing included).
        length: bytes still allowed by a declared ``Content-Length``, or
            ``None`` when the length is not fixed.
    """

    buffer_size: int = 0
    output_size: int = 0
    length: int | None = 0

    @abstractmethod
    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Write one body chunk (compressed and framed as configured)."""

    @abstractmethod
    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write an optional last chunk and finish the body."""

    @abstractmethod
    async def drain(self) -> None:
        """Wait until the transport accepts more data (write back-pressure)."""

    @abstractmethod
    def enable_compression(
        self, encoding: str = "deflate", strategy: int = zlib.Z_DEFAULT_STRATEGY
    ) -> None:
        """Compress the body that follows with *encoding* (``deflate`` or ``gzip``)."""

    @abstractmethod
    def enable_chunking(self) -> None:
        """Frame the body that follows with chunked transfer coding."""

    @abstractmethod
    async def write_headers(
        self, status_line: str, headers: CIMultiDict[str] | CIMultiDictProxy[str]
    ) -> None:
        """Write the start line and the header section."""
