"""Byte sources: small adapters that let the async reader pull a body from
anything that delivers bytes.

A byte source has one coroutine, ``read_some()``, returning the next
non-empty chunk of the body, or ``b""`` once the body is over.  Adapters
exist for an aiohttp-style stream (``readany()`` or ``read(n)``), any async
iterable of bytes, an ASGI ``receive`` callable, and an in-memory bytes
object; :func:`byte_source` picks the right one.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Final, Protocol, runtime_checkable

from ._errors import IncompleteBody

__all__ = [
    "DEFAULT_READ_SIZE",
    "ASGIReceiveSource",
    "AsyncIterableSource",
    "ByteSource",
    "BytesSource",
    "StreamSource",
    "byte_source",
]

#: Bytes asked for at a time from a stream that only has ``read(n)``.
DEFAULT_READ_SIZE: Final = 64 * 1024


@runtime_checkable
class ByteSource(Protocol):
    """Anything the reader can pull a body from."""

    async def read_some(self) -> bytes:
        """Return the next chunk of the body (never empty), or ``b""`` at its end."""
        ...


class StreamSource:
    """Adapter for a stream with ``async readany()`` (aiohttp's ``StreamReader``)
    or, failing that, ``read(n)``: a coroutine (``asyncio.StreamReader`` and the
    like) or a plain method of a synchronous file object (``io.BytesIO``, Django's
    ``request``), which then blocks the event loop while it reads.

    Args:
        stream: the stream; its end of data (``b""``) is the end of the body.
        read_size: the ``n`` given to ``read(n)``.
    """

    __slots__ = ("_read",)

    def __init__(self, stream: Any, read_size: int = DEFAULT_READ_SIZE) -> None:
        readany = getattr(stream, "readany", None)
        if readany is not None:
            self._read: Callable[[], Awaitable[bytes]] = readany
        else:
            read = stream.read

            async def read_n() -> bytes:
                data = read(read_size)
                if inspect.isawaitable(data):
                    data = await data
                return bytes(data)

            self._read = read_n

    async def read_some(self) -> bytes:
        """Return the next chunk from the stream, ``b""`` at its end."""
        return bytes(await self._read())


class AsyncIterableSource:
    """Adapter for an async iterable of bytes-like chunks (Starlette's
    ``request.stream()``, an async generator, ...). Empty chunks are skipped.
    """

    __slots__ = ("_iterator",)

    def __init__(self, iterable: AsyncIterable[bytes | bytearray | memoryview]) -> None:
        self._iterator: AsyncIterator[bytes | bytearray | memoryview] = aiter(iterable)

    async def read_some(self) -> bytes:
        """Return the next non-empty chunk, ``b""`` when the iterable is exhausted."""
        async for chunk in self._iterator:
            if chunk:
                return bytes(chunk)
        return b""


class ASGIReceiveSource:
    """Adapter for an ASGI ``receive`` callable (an HTTP connection scope).

    Reads ``http.request`` messages until one has ``more_body`` false.

    Raises (from :meth:`read_some`):
        IncompleteBody: on ``http.disconnect`` or an unexpected message type
            before the end of the body.
    """

    __slots__ = ("_done", "_receive")

    def __init__(self, receive: Callable[[], Awaitable[Mapping[str, Any]]]) -> None:
        self._receive = receive
        self._done = False

    async def read_some(self) -> bytes:
        """Return the body of the next ``http.request`` message, ``b""`` at the end."""
        while not self._done:
            message = await self._receive()
            kind = message.get("type")
            if kind != "http.request":
                self._done = True
                if kind == "http.disconnect":
                    raise IncompleteBody("the client disconnected before the end of the body")
                raise IncompleteBody(f"unexpected ASGI message {kind!r} while reading a body")
            if not message.get("more_body", False):
                self._done = True
            body = message.get("body", b"")
            if body:
                return bytes(body)
        return b""


class BytesSource:
    """A whole body already in memory, delivered in chunks of ``chunk_size`` bytes."""

    __slots__ = ("_chunk_size", "_data", "_pos")

    def __init__(self, data: bytes | bytearray | memoryview, chunk_size: int = 1 << 20) -> None:
        self._data = bytes(data)
        self._pos = 0
        self._chunk_size = chunk_size

    async def read_some(self) -> bytes:
        """Return the next slice of the data, ``b""`` at its end."""
        pos = self._pos
        self._pos = pos + self._chunk_size
        return self._data[pos : pos + self._chunk_size]


def byte_source(content: Any) -> ByteSource:
    """Wrap ``content`` in the right adapter.

    Accepted: a :class:`ByteSource` (returned as is); bytes-like data; a
    stream with ``readany()`` or ``read(n)``; an async iterable of bytes; an
    ASGI ``receive`` callable.

    Raises:
        TypeError: if ``content`` is none of these.
    """
    if isinstance(content, (bytes, bytearray, memoryview)):
        return BytesSource(content)
    if hasattr(content, "read_some"):
        return content  # type: ignore[no-any-return]
    if hasattr(content, "readany") or hasattr(content, "read"):
        return StreamSource(content)
    if hasattr(content, "__aiter__"):
        return AsyncIterableSource(content)
    if callable(content):
        return ASGIReceiveSource(content)
    raise TypeError(
        f"cannot read a multipart body from {type(content).__name__}: expected bytes, a stream "
        "with readany() or read(n), an async iterable of bytes or an ASGI receive callable"
    )
