"""The writer: ``MultipartWriter`` (aiohttp 3.x API), a payload made of parts.

Parts are :class:`aiohttp_http.Payload` objects.  Serialisation streams:
each part writes itself to the destination; a part that declares a
Content-Encoding (gzip, deflate) or Content-Transfer-Encoding (base64,
quoted-printable) is encoded on the fly.
"""

from __future__ import annotations

import asyncio
import binascii
import re
import uuid
import warnings
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final
from urllib.parse import urlencode

from multidict import CIMultiDict

from aiohttp_http import (
    JsonPayload,
    Payload,
    PayloadLookupError,
    StringPayload,
    SupportsAsyncWrite,
    get_payload,
    get_zlib_backend,
)

from ._disposition import format_content_disposition
from ._errors import UnsupportedEncoding
from ._parser import validate_boundary

__all__ = ["BodyPartWriter", "MultipartPayloadWriter", "MultipartWriter"]

_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SERIALIZE_QUEUE_SIZE: Final = 4
_FORM_DATA_NAME_RE: Final = re.compile(r"form-data\s*;(?:.*;)?\s*name\*?\s*=", re.IGNORECASE)

_Part = tuple[Payload, str | None, str | None]


class MultipartPayloadWriter:
    """Wraps a writer and applies a part's Content-Encoding then its
    Content-Transfer-Encoding to everything written through it.

    Args:
        writer: the destination (anything with ``async write(bytes)``).
    """

    def __init__(self, writer: SupportsAsyncWrite) -> None:
        self._writer = writer
        self._compress: Any = None
        self._encoding: str | None = None
        self._pending = b""

    def enable_compression(self, encoding: str = "deflate") -> None:
        """Compress what follows with ``gzip`` or ``deflate`` (zlib format).

        The engine comes from aiohttp-http's zlib backend (``set_zlib_backend``).
        """
        backend = get_zlib_backend()
        wbits = 16 + backend.MAX_WBITS if encoding == "gzip" else backend.MAX_WBITS
        self._compress = backend.compressobj(wbits=wbits)

    def enable_encoding(self, encoding: str) -> None:
        """Apply ``base64`` or ``quoted-printable`` to what follows."""
        self._encoding = encoding

    async def _emit(self, data: bytes) -> None:
        if self._encoding == "base64":
            data = self._pending + data
            usable = len(data) - len(data) % 57  # 57 bytes -> one 76-character line
            self._pending = data[usable:]
            lines = [binascii.b2a_base64(data[i : i + 57]) for i in range(0, usable, 57)]
            data = b"".join(lines).replace(b"\n", b"\r\n")
        elif self._encoding == "quoted-printable":
            # Binary-safe: CR and LF are escaped, every "=\n" is a soft line break.
            data = binascii.b2a_qp(data, istext=False).replace(b"=\n", b"=\r\n")
            if data and not data.endswith(b"\r\n"):
                data += b"=\r\n"
        if data:
            await self._writer.write(data)

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Encode and write ``chunk``."""
        data = bytes(chunk)
        if self._compress is not None:
            data = self._compress.compress(data)
            if not data:
                return
        await self._emit(data)

    async def write_eof(self) -> None:
        """Flush the compressor and the last base64 line."""
        if self._compress is not None:
            tail = self._compress.flush()
            if tail:
                await self._emit(tail)
        if self._encoding == "base64" and self._pending:
            pending, self._pending = self._pending, b""
            await self._writer.write(binascii.b2a_base64(pending).replace(b"\n", b"\r\n"))


class _QueueWriter:
    __slots__ = ("_queue",)

    def __init__(self, queue: asyncio.Queue[bytes | None]) -> None:
        self._queue = queue

    async def write(self, chunk: bytes) -> None:
        if chunk:
            await self._queue.put(bytes(chunk))


class MultipartWriter(Payload):
    """A ``multipart/<subtype>`` body built from parts; itself a
    :class:`aiohttp_http.Payload`, so it can be a request body or a part of
    another writer (nesting).

    Args:
        subtype: ``mixed``, ``form-data``, ``related``, ``alternative``...
        boundary: the boundary; a random 32-character hex string by default.

    Raises:
        ValueError: ``subtype`` is not a token.
        InvalidBoundary: (a ValueError) the boundary breaks RFC 2046: empty,
            more than 70 characters or characters outside ``bchars``.

    Example::

        with MultipartWriter("mixed") as mpwriter:
            mpwriter.append("hello")
            mpwriter.append_json({"a": 1})
        body = await mpwriter.as_bytes()
    """

    def __init__(self, subtype: str = "mixed", boundary: str | None = None) -> None:
        if _TOKEN_RE.fullmatch(subtype) is None:
            raise ValueError(f"bad multipart subtype {subtype!r}")
        if boundary is None:
            boundary = uuid.uuid4().hex
        elif not isinstance(boundary, str):
            raise TypeError(f"boundary must be str, not {type(boundary).__name__}")
        self._boundary = validate_boundary(boundary)
        super().__init__(None, content_type=f"multipart/{subtype}; boundary={self._boundary_value}")
        self._subtype = subtype
        self._parts: list[_Part] = []
        self._is_form_data = subtype == "form-data"

    def __enter__(self) -> MultipartWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def __iter__(self) -> Iterator[_Part]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __bool__(self) -> bool:
        return True

    @property
    def _boundary_value(self) -> str:
        # RFC 2046 §5.1.1: quote the boundary when it has characters outside token.
        value = self._boundary.decode("ascii")
        if _TOKEN_RE.fullmatch(value):
            return value
        return '"' + value + '"'

    @property
    def boundary(self) -> str:
        """The boundary, as a string."""
        return self._boundary.decode("ascii")

    def append(self, obj: Any, headers: Mapping[str, str] | None = None) -> Payload:
        """Add a part: a :class:`Payload`, or any object :func:`aiohttp_http.get_payload`
        can wrap (bytes, str, a file object, an async iterable, a nested writer).

        Returns:
            The part's payload (to set its Content-Disposition, for example).

        Raises:
            TypeError: no payload type accepts ``obj``.
            UnsupportedEncoding: the headers name an encoding the writer cannot apply.
        """
        if isinstance(obj, Payload):
            if headers:
                obj.headers.update(headers)
            return self.append_payload(obj)
        try:
            payload = get_payload(obj, headers=headers)
        except PayloadLookupError as exc:
            raise TypeError(f"cannot create a payload from {type(obj).__name__}") from exc
        return self.append_payload(payload)

    def append_payload(self, payload: Payload) -> Payload:
        """Add a payload as a part.

        Raises:
            UnsupportedEncoding: (a RuntimeError) its Content-Encoding is not gzip,
                deflate or identity, or its Content-Transfer-Encoding is not base64,
                quoted-printable, 7bit, 8bit or binary.
            ValueError: in a ``form-data`` writer, the part has no
                ``Content-Disposition: form-data; name=...`` (RFC 7578 §4.2).
        """
        encoding = payload.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in ("", "identity", "gzip", "deflate"):
            raise UnsupportedEncoding(f"unknown Content-Encoding {encoding!r}")
        transfer = payload.headers.get("Content-Transfer-Encoding", "").strip().lower()
        if transfer not in ("", "base64", "quoted-printable", "binary", "7bit", "8bit"):
            raise UnsupportedEncoding(f"unknown Content-Transfer-Encoding {transfer!r}")
        if self._is_form_data:
            disposition = payload.headers.get("Content-Disposition", "")
            if _FORM_DATA_NAME_RE.match(disposition) is None:
                raise ValueError(
                    "a form-data part needs 'Content-Disposition: form-data; name=...' "
                    "(use FormData, or set_content_disposition('form-data', name=...))"
                )
        size = payload.size
        if (
            size is not None
            and not self._is_form_data
            and encoding in ("", "identity")
            and transfer in ("", "binary", "7bit", "8bit")
            and "Content-Length" not in payload.headers
        ):
            payload.headers["Content-Length"] = str(size)
        self._parts.append(
            (
                payload,
                encoding if encoding not in ("", "identity") else None,
                transfer if transfer in ("base64", "quoted-printable") else None,
            )
        )
        return payload

    def append_json(self, obj: Any, headers: Mapping[str, str] | None = None) -> Payload:
        """Add a part holding ``obj`` serialised as JSON (``application/json``)."""
        return self.append_payload(JsonPayload(obj, headers=headers))

    def append_form(
        self,
        obj: Mapping[str, Any] | Sequence[tuple[str, Any]],
        headers: Mapping[str, str] | None = None,
    ) -> Payload:
        """Add a part holding ``obj`` (a mapping or a list of pairs) urlencoded
        (``application/x-www-form-urlencoded``)."""
        items = list(obj.items()) if isinstance(obj, Mapping) else list(obj)
        data = urlencode(items, doseq=True)
        return self.append_payload(
            StringPayload(data, headers=headers, content_type="application/x-www-form-urlencoded")
        )

    def append_form_field(
        self,
        name: str,
        value: Any,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        quote_fields: bool = True,
        charset: str = "utf-8",
    ) -> Payload:
        """Add a ``form-data`` part named ``name`` (RFC 7578), with an optional file name.

        Non-ASCII names and file names are sent as UTF-8 in the quoted string, as
        browsers do; with ``quote_fields`` a file name also gets an RFC 5987
        ``filename*`` form.

        Raises:
            TypeError: no payload type accepts ``value``.
            ValueError: ``name`` or ``filename`` holds CR, LF or NUL.
        """
        params = {"name": name}
        if filename is not None:
            params["filename"] = filename
        kwargs: dict[str, Any] = {}
        if content_type is not None:
            kwargs["content_type"] = content_type
        try:
            payload = value if isinstance(value, Payload) else get_payload(value, **kwargs)
        except PayloadLookupError as exc:
            raise TypeError(f"cannot create a payload from {type(value).__name__}") from exc
        payload.headers["Content-Disposition"] = format_content_disposition(
            "form-data", params, quote_fields=quote_fields, charset=charset
        )
        payload.headers.popall("Content-Length", None)
        return self.append_payload(payload)

    @property
    def size(self) -> int | None:
        """The body size in bytes, or ``None`` if a part's size is unknown or
        a part is encoded on the fly."""
        total = 0
        blen = len(self._boundary)
        for part, encoding, transfer in self._parts:
            part_size = part.size
            if encoding or transfer or part_size is None:
                return None
            total += 2 + blen + 2 + len(part.binary_headers) + part_size + 2
        return total + 2 + blen + 4

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text, for parts held in memory.

        Raises:
            TypeError: a part can only be read asynchronously.
        """
        pieces: list[str] = []
        boundary = self._boundary.decode("ascii")
        for part, _encoding, _transfer in self._parts:
            pieces.append(f"--{boundary}\r\n")
            pieces.append(part.binary_headers.decode(encoding, errors))
            pieces.append(part.decode(encoding, errors))
            pieces.append("\r\n")
        pieces.append(f"--{boundary}--\r\n")
        return "".join(pieces)

    async def write(self, writer: SupportsAsyncWrite, close_boundary: bool = True) -> None:
        """Stream the body to ``writer`` (anything with ``async write(bytes)``).

        Args:
            close_boundary: write the closing boundary line at the end.
        """
        boundary = self._boundary
        for part, encoding, transfer in self._parts:
            await writer.write(b"--" + boundary + b"\r\n" + part.binary_headers)
            if encoding or transfer:
                encoder = MultipartPayloadWriter(writer)
                if encoding:
                    encoder.enable_compression(encoding)
                if transfer:
                    encoder.enable_encoding(transfer)
                await part.write(encoder)
                await encoder.write_eof()
            else:
                await part.write(writer)
            await writer.write(b"\r\n")
        if close_boundary:
            await writer.write(b"--" + boundary + b"--\r\n")

    async def serialize(self) -> AsyncIterator[bytes]:
        """Yield the body as byte chunks, streaming each part (at most a few
        chunks are in memory at once)."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(_SERIALIZE_QUEUE_SIZE)

        async def produce() -> None:
            try:
                await self.write(_QueueWriter(queue))
            finally:
                await queue.put(None)

        task = asyncio.ensure_future(produce())
        try:
            while (chunk := await queue.get()) is not None:
                yield chunk
            await task
        finally:
            if not task.done():
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body as bytes."""
        chunks: list[bytes] = []

        class _Collect:
            async def write(self, chunk: bytes) -> None:
                chunks.append(bytes(chunk))

        await self.write(_Collect())
        return b"".join(chunks)

    # The older documents' name for the part class, kept for compatibility.
    @property
    def part_writer_cls(self) -> Any:
        """Deprecated: parts are :class:`aiohttp_http.Payload` objects; use
        :meth:`append` or :func:`aiohttp_http.get_payload`."""
        warnings.warn(
            "MultipartWriter.part_writer_cls is deprecated: parts are payloads; "
            "use MultipartWriter.append() or aiohttp_http.get_payload()",
            DeprecationWarning,
            stacklevel=2,
        )
        return BodyPartWriter


def BodyPartWriter(
    obj: Any, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None, **_: Any
) -> Payload:
    """Deprecated (aiohttp 0.x/1.x): wrap ``obj`` as a part.

    Returns ``aiohttp_http.get_payload(obj, headers=headers)``, a payload that
    has ``set_content_disposition``, ``filename`` and ``headers``.

    Warns:
        DeprecationWarning: always; use :meth:`MultipartWriter.append` or
            :func:`aiohttp_http.get_payload` instead.
    """
    warnings.warn(
        "BodyPartWriter is deprecated: use MultipartWriter.append() or aiohttp_http.get_payload()",
        DeprecationWarning,
        stacklevel=2,
    )
    try:
        return get_payload(obj, headers=CIMultiDict(headers or ()))
    except PayloadLookupError as exc:
        raise TypeError(f"cannot create a payload from {type(obj).__name__}") from exc
