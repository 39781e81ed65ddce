"""Request and part bodies: payload types and their registry (aiohttp 3.x's ``aiohttp.payload``).

A payload knows its headers (``Content-Type``, optionally ``Content-Disposition``),
its size when it can tell, and how to write itself to anything with an
``async write(bytes)`` method. Files are streamed in bounded chunks read in the
default thread executor, never loaded whole.
"""

from __future__ import annotations

import asyncio
import codecs
import enum
import io
import json
import mimetypes
import os
import re
import stat
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from itertools import chain
from typing import IO, Any, Final

from multidict import CIMultiDict

from . import hdrs
from ._abc import SupportsAsyncWrite
from ._helpers import guess_filename
from ._mimetype import content_disposition_header, parse_mimetype

__all__ = [
    "DEFAULT_READ_CHUNK_SIZE",
    "PAYLOAD_REGISTRY",
    "AsyncIterablePayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "IOBasePayload",
    "JsonPayload",
    "Order",
    "Payload",
    "PayloadLookupError",
    "PayloadRegistry",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    "get_payload",
    "payload_type",
    "register_payload",
]

#: Bytes (or characters, for text files) read from a file object per executor call.
DEFAULT_READ_CHUNK_SIZE: Final = 2**16

HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]]

_HEADER_UNSAFE_RE = re.compile(r"[\r\n\x00]")


class PayloadLookupError(LookupError):
    """No registered payload type accepts the given object (aiohttp's ``payload.LookupError``)."""


class Order(str, enum.Enum):
    """Where a payload factory sits in the registry's lookup order."""

    normal = "normal"
    try_first = "try_first"
    try_last = "try_last"


class _CollectingWriter:
    """An ``async write`` sink that keeps the chunks, for :meth:`Payload.as_bytes`."""

    __slots__ = ("chunks",)

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, chunk: bytes) -> None:
        self.chunks.append(bytes(chunk))


class Payload(ABC):
    """Base class of every body: headers, size and an asynchronous ``write``.

    Args:
        value: the wrapped object.
        headers: extra headers; they override the generated ``Content-Type``.
        content_type: explicit ``Content-Type``; when ``None`` it is guessed
            from *filename* (:mod:`mimetypes`) or falls back to the class default.
        filename: file name used for content type guessing and
            ``Content-Disposition``.
        encoding: text encoding of the body, if it is text.
        kwargs: accepted and ignored, so that :func:`get_payload` can pass
            options meant for other payload types (as aiohttp does).
    """

    _default_content_type: str = "application/octet-stream"
    _size: int | None = None

    def __init__(
        self,
        value: Any,
        headers: HeadersArg | None = None,
        content_type: str | None = None,
        filename: str | None = None,
        encoding: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._value = value
        self._encoding = encoding
        self._filename = filename
        self._headers: CIMultiDict[str] = CIMultiDict()
        if content_type is None:
            content_type = self._default_content_type
            if filename is not None:
                content_type = mimetypes.guess_type(filename)[0] or content_type
        self._headers[hdrs.CONTENT_TYPE] = content_type
        if headers:
            self._headers.update(headers)

    @property
    def size(self) -> int | None:
        """Body size in bytes, or ``None`` when unknown (sent chunked)."""
        return self._size

    @property
    def filename(self) -> str | None:
        """File name of the payload, if any."""
        return self._filename

    @property
    def headers(self) -> CIMultiDict[str]:
        """The payload's own headers (``Content-Type``, ``Content-Disposition``...)."""
        return self._headers

    @property
    def binary_headers(self) -> bytes:
        """The headers serialised as ``Name: value\\r\\n`` lines plus the empty line.

        Used by multipart writers for part headers.

        Raises:
            ValueError: a header name or value contains CR, LF or NUL.
        """
        lines = []
        for name, value in self._headers.items():
            if _HEADER_UNSAFE_RE.search(name) or _HEADER_UNSAFE_RE.search(value):
                raise ValueError(
                    f"refusing CR, LF or NUL in payload header {name!r}: {value[:60]!r}"
                )
            lines.append(f"{name}: {value}\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("utf-8")

    # aiohttp 3.x name, used by multipart writers.
    _binary_headers = binary_headers

    @property
    def encoding(self) -> str | None:
        """Text encoding of the body, or ``None`` for binary bodies."""
        return self._encoding

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return self._headers[hdrs.CONTENT_TYPE]

    def set_content_disposition(
        self, disptype: str, quote_fields: bool = True, _charset: str = "utf-8", **params: str
    ) -> None:
        """Set ``Content-Disposition`` (see :func:`content_disposition_header`).

        Raises:
            ValueError: invalid disposition type, parameter name or value.
        """
        self._headers[hdrs.CONTENT_DISPOSITION] = content_disposition_header(
            disptype, quote_fields=quote_fields, _charset=_charset, **params
        )

    @abstractmethod
    async def write(self, writer: SupportsAsyncWrite) -> None:
        """Write the body to *writer* (any object with ``async write(bytes)``)."""

    @abstractmethod
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Return the body as text, decoded with the payload's encoding or *encoding*."""

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Return the whole body as bytes (reads streamed payloads to the end).

        *encoding* and *errors* apply to text sources that must be encoded.
        """
        sink = _CollectingWriter()
        await self.write(sink)
        return b"".join(sink.chunks)


class BytesPayload(Payload):
    """A body held in memory: :class:`bytes`, :class:`bytearray` or :class:`memoryview`.

    Raises:
        TypeError: *value* is not bytes-like.
    """

    _value: bytes | bytearray | memoryview

    def __init__(self, value: bytes | bytearray | memoryview, *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"value argument must be byte-ish, not {type(value).__name__!r}")
        super().__init__(value, *args, **kwargs)
        self._size = value.nbytes if isinstance(value, memoryview) else len(value)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Decode the bytes with *encoding* (the payload's own encoding wins if set)."""
        return bytes(self._value).decode(self._encoding or encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Return the bytes (no copy for :class:`bytes`)."""
        value = self._value
        return value if isinstance(value, bytes) else bytes(value)

    async def write(self, writer: SupportsAsyncWrite) -> None:
        """Write the bytes in one call."""
        value = self._value
        await writer.write(value if isinstance(value, bytes) else bytes(value))


def _text_content_type(encoding: str | None, content_type: str | None) -> tuple[str, str]:
    """Return ``(encoding, content_type)`` for a text body, as aiohttp chooses them."""
    if encoding is None:
        if content_type is None:
            return "utf-8", "text/plain; charset=utf-8"
        charset = parse_mimetype(content_type).parameters.get("charset")
        return charset or "utf-8", content_type
    if content_type is None:
        content_type = f"text/plain; charset={encoding}"
    return encoding, content_type


class StringPayload(BytesPayload):
    """A :class:`str` body, encoded once at construction.

    The encoding is *encoding*, else the ``charset`` of *content_type*, else
    UTF-8; the default content type is ``text/plain; charset=<encoding>``.

    Raises:
        UnicodeEncodeError: the text cannot be encoded.
        LookupError: the encoding is unknown.
    """

    def __init__(
        self,
        value: str,
        *args: Any,
        encoding: str | None = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(value, str):
            raise TypeError(f"value argument must be str, not {type(value).__name__!r}")
        real_encoding, content_type = _text_content_type(encoding, content_type)
        super().__init__(
            value.encode(real_encoding),
            *args,
            encoding=real_encoding,
            content_type=content_type,
            **kwargs,
        )


class StringIOPayload(StringPayload):
    """The text of an :class:`io.StringIO` from its current position (already in memory)."""

    def __init__(self, value: IO[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(value.read(), *args, **kwargs)


class JsonPayload(BytesPayload):
    """A JSON body: ``dumps(value)`` encoded with *encoding* (``application/json``).

    Args:
        value: any object *dumps* accepts.
        dumps: the serialiser, :func:`json.dumps` by default.
    """

    def __init__(
        self,
        value: Any,
        encoding: str = "utf-8",
        content_type: str = "application/json",
        dumps: Callable[[Any], str] = json.dumps,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            dumps(value).encode(encoding),
            *args,
            content_type=content_type,
            encoding=encoding,
            **kwargs,
        )


class IOBasePayload(Payload):
    """A binary file object, streamed in chunks read in the default executor.

    The body starts at the file's position when the payload is created; when
    the file is seekable, every :meth:`write` starts there again (a request
    can be re-sent after a redirect). The file is not closed by :meth:`write`:
    call :meth:`close` (or close the file yourself).

    Args:
        value: an object with ``read(size) -> bytes``.
        disposition: ``Content-Disposition`` type set when a file name is
            known (given or guessed from ``value.name``); ``None`` to not set it.
        chunk_size: bytes read per executor call
            (:data:`DEFAULT_READ_CHUNK_SIZE`).
    """

    _value: IO[Any]

    def __init__(
        self,
        value: IO[Any],
        disposition: str | None = "attachment",
        *args: Any,
        chunk_size: int = DEFAULT_READ_CHUNK_SIZE,
        **kwargs: Any,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError(f"chunk_size must be positive, got {chunk_size}")
        if "filename" not in kwargs:
            kwargs["filename"] = guess_filename(value)
        super().__init__(value, *args, **kwargs)
        self._chunk_size = chunk_size
        self._start: int | None = None
        self._read_started = False
        try:
            if value.seekable():
                self._start = value.tell()
        except (OSError, ValueError, AttributeError):
            self._start = None
        if (
            self._filename is not None
            and disposition is not None
            and hdrs.CONTENT_DISPOSITION not in self._headers
        ):
            self.set_content_disposition(disposition, filename=self._filename)

    def _rewind(self) -> None:
        """Seek back to where the body starts before a (re)read.

        Raises:
            RuntimeError: the file is not seekable and was already read once
                (sending it again would silently send an empty or partial body).
        """
        if self._start is not None:
            self._value.seek(self._start)
        elif self._read_started:
            raise RuntimeError(
                f"{type(self).__name__}: the file object is not seekable and was already read; "
                "it can be sent once"
            )
        self._read_started = True

    def _read_chunk(self) -> bytes:
        """Read one chunk in the executor thread; refuses text chunks."""
        chunk = self._value.read(self._chunk_size)
        if isinstance(chunk, str):
            raise TypeError(
                f"{type(self).__name__} needs a binary file; read() returned str "
                "(use TextIOPayload for text files)"
            )
        return bytes(chunk) if not isinstance(chunk, bytes) else chunk

    async def write(self, writer: SupportsAsyncWrite) -> None:
        """Stream the file to *writer*, one executor read of ``chunk_size`` at a time."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._rewind)
        while chunk := await loop.run_in_executor(None, self._read_chunk):
            await writer.write(chunk)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Read the rest of the file synchronously and decode it (blocking; for small files)."""
        self._rewind()
        data = self._value.read()
        if isinstance(data, str):
            return data
        return bytes(data).decode(self._encoding or encoding, errors)

    def close(self) -> None:
        """Close the underlying file object."""
        self._value.close()


class BufferedReaderPayload(IOBasePayload):
    """A file opened in binary mode (``open(path, "rb")``), streamed in chunks.

    :attr:`size` is the file size minus the start position for a regular
    file, ``None`` otherwise (pipes, sockets, devices report no usable size).
    """

    @property
    def size(self) -> int | None:
        """Bytes from the start position to the end of the file, or ``None``."""
        try:
            status = os.fstat(self._value.fileno())
        except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        total = status.st_size
        start = self._start if self._start is not None else 0
        return max(total - start, 0)


class BytesIOPayload(IOBasePayload):
    """An :class:`io.BytesIO` from its current position, streamed in chunks."""

    _value: io.BytesIO

    @property
    def size(self) -> int | None:
        """Bytes from the start position to the end of the buffer."""
        start = self._start if self._start is not None else 0
        with self._value.getbuffer() as view:
            return max(view.nbytes - start, 0)


class TextIOPayload(IOBasePayload):
    """A text file object, read in chunks of characters and encoded on the fly.

    The encoding is chosen like :class:`StringPayload`'s. The byte size of an
    encoded text file is not known in advance, so :attr:`size` is ``None``.
    """

    def __init__(
        self,
        value: IO[str],
        *args: Any,
        encoding: str | None = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        real_encoding, content_type = _text_content_type(encoding, content_type)
        super().__init__(value, *args, encoding=real_encoding, content_type=content_type, **kwargs)

    async def write(self, writer: SupportsAsyncWrite) -> None:
        """Stream the text encoded with :attr:`encoding`, one executor read at a time."""
        loop = asyncio.get_running_loop()
        # An incremental encoder keeps multi-chunk state right (one BOM for UTF-16...).
        encoder = codecs.getincrementalencoder(self._encoding or "utf-8")()
        value = self._value

        def read_and_encode() -> tuple[bytes, bool]:
            text = value.read(self._chunk_size)
            if isinstance(text, bytes):
                raise TypeError(f"{type(self).__name__} needs a text file; read() returned bytes")
            return encoder.encode(text, not text), not text

        await loop.run_in_executor(None, self._rewind)
        while True:
            data, done = await loop.run_in_executor(None, read_and_encode)
            if data:
                await writer.write(data)
            if done:
                return

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Read the rest of the text file synchronously (blocking; for small files)."""
        self._rewind()
        text = self._value.read()
        return text if isinstance(text, str) else bytes(text).decode(encoding, errors)


class AsyncIterablePayload(Payload):
    """A body produced by an async iterable of bytes; single use, size unknown.

    Raises:
        TypeError: *value* is not an async iterable, or yields something other
            than bytes-like chunks.
        RuntimeError: :meth:`write` is called a second time.
    """

    def __init__(self, value: AsyncIterable[bytes], *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, AsyncIterable):
            raise TypeError(
                "value argument must support the AsyncIterable protocol, "
                f"got {type(value).__name__!r}"
            )
        super().__init__(value, *args, **kwargs)
        self._iter: AsyncIterator[bytes] | None = value.__aiter__()

    async def write(self, writer: SupportsAsyncWrite) -> None:
        """Write every chunk the iterable yields, then mark the payload consumed."""
        iterator = self._iter
        if iterator is None:
            raise RuntimeError(f"{type(self).__name__} was already consumed: it can be sent once")
        self._iter = None
        async for chunk in iterator:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(
                    f"async iterable payload yielded {type(chunk).__name__!r}, expected bytes"
                )
            if chunk:
                await writer.write(chunk if isinstance(chunk, bytes) else bytes(chunk))

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Always raises :class:`TypeError`: the body is only available asynchronously."""
        raise TypeError(
            f"{type(self).__name__} cannot be decoded synchronously; use 'await as_bytes()'"
        )


_PayloadFactory = Callable[..., Payload]
_TypeSpec = type[Any] | tuple[type[Any], ...]


class PayloadRegistry:
    """Maps Python types to payload factories (aiohttp 3.x's ``PayloadRegistry``).

    Lookup tries the ``try_first`` factories, then ``normal``, then
    ``try_last``, each group in registration order, with :func:`isinstance`.
    """

    __slots__ = ("_first", "_last", "_normal")

    def __init__(self) -> None:
        self._first: list[tuple[_PayloadFactory, _TypeSpec]] = []
        self._normal: list[tuple[_PayloadFactory, _TypeSpec]] = []
        self._last: list[tuple[_PayloadFactory, _TypeSpec]] = []

    def get(self, data: Any, *args: Any, **kwargs: Any) -> Payload:
        """Wrap *data* in the payload of the first matching factory.

        A :class:`Payload` is returned unchanged.

        Raises:
            PayloadLookupError: no factory accepts ``type(data)``.
        """
        if isinstance(data, Payload):
            return data
        for factory, type_ in chain(self._first, self._normal, self._last):
            if isinstance(data, type_):
                return factory(data, *args, **kwargs)
        raise PayloadLookupError(f"no payload type registered for {type(data).__name__!r}")

    def register(
        self, factory: _PayloadFactory, type: _TypeSpec, *, order: Order = Order.normal
    ) -> None:
        """Register *factory* for instances of *type* (a class or a tuple of classes).

        Raises:
            ValueError: *order* is not an :class:`Order`.
        """
        if order is Order.try_first:
            self._first.append((factory, type))
        elif order is Order.normal:
            self._normal.append((factory, type))
        elif order is Order.try_last:
            self._last.append((factory, type))
        else:
            raise ValueError(f"unsupported payload registry order {order!r}")


#: The registry :func:`get_payload` and :func:`register_payload` use.
PAYLOAD_REGISTRY: Final = PayloadRegistry()


def get_payload(data: Any, *args: Any, **kwargs: Any) -> Payload:
    """Wrap *data* in a payload from :data:`PAYLOAD_REGISTRY`; extra arguments go to it.

    Raises:
        PayloadLookupError: no payload type matches *data*.
    """
    return PAYLOAD_REGISTRY.get(data, *args, **kwargs)


def register_payload(
    factory: _PayloadFactory, type: _TypeSpec, *, order: Order = Order.normal
) -> None:
    """Register *factory* in :data:`PAYLOAD_REGISTRY` for instances of *type*."""
    PAYLOAD_REGISTRY.register(factory, type, order=order)


class payload_type:
    """Class decorator registering a payload class: ``@payload_type(MyType)``."""

    def __init__(self, type: _TypeSpec, *, order: Order = Order.normal) -> None:
        self.type = type
        self.order = order

    def __call__(self, factory: type[Payload]) -> type[Payload]:
        """Register *factory* and return it unchanged."""
        register_payload(factory, self.type, order=self.order)
        return factory


register_payload(BytesPayload, (bytes, bytearray, memoryview))
register_payload(StringPayload, str)
register_payload(StringIOPayload, io.StringIO)
register_payload(TextIOPayload, io.TextIOBase)
register_payload(BytesIOPayload, io.BytesIO)
register_payload(BufferedReaderPayload, (io.BufferedReader, io.BufferedRandom))
register_payload(IOBasePayload, io.IOBase)
# Anything async-iterable comes last: more specific types (a StreamReader) win.
register_payload(AsyncIterablePayload, AsyncIterable, order=Order.try_last)
