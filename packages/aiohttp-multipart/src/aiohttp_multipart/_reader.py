"""The asyncio reader: ``MultipartReader`` and ``BodyPartReader`` (aiohttp 3.x API)
on top of the sans-IO :class:`~aiohttp_multipart.MultipartParser`.

A reader pulls chunks from a byte source (see ``_sources``), feeds the
parser and hands its events to the part readers.  A part whose Content-Type
is ``multipart/*`` is returned as a nested :class:`MultipartReader` that reads
from the outer part's data, up to ``max_nesting_depth`` levels.
"""

from __future__ import annotations

import codecs
import inspect
import json
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl

from multidict import CIMultiDict, CIMultiDictProxy

from ._decoders import PartDecoder, make_part_decoder
from ._disposition import (
    content_disposition_filename,
    parse_content_disposition,
    parse_content_type,
)
from ._errors import InvalidBoundary, NestingTooDeep, PartTooLarge
from ._parser import (
    DEFAULT_MAX_EPILOGUE_SIZE,
    DEFAULT_MAX_PART_HEADER_SIZE,
    DEFAULT_MAX_PART_HEADERS,
    DEFAULT_MAX_PARTS,
    DEFAULT_MAX_PREAMBLE_SIZE,
    BodyEnd,
    Event,
    MultipartParser,
    PartData,
    PartEnd,
    PartStart,
)
from ._sources import ByteSource, byte_source

__all__ = [
    "DEFAULT_MAX_FIELD_SIZE",
    "DEFAULT_MAX_NESTING_DEPTH",
    "BodyPartReader",
    "MultipartReader",
    "MultipartResponseWrapper",
]

#: Most bytes one part may take in memory through read(), text(), json(),
#: form() or readline() (after decoding); stream bigger parts with read_chunk().
DEFAULT_MAX_FIELD_SIZE: Final = 8 * 1024 * 1024
#: Most levels of multipart bodies: 1 is a flat body, 2 allows multipart/mixed
#: inside multipart/form-data (RFC 2388 style file sets), and so on.
DEFAULT_MAX_NESTING_DEPTH: Final = 4

_BODY_END: Final = BodyEnd()


class _EventStream:
    """Pulls chunks from a byte source through a parser, one event at a time."""

    __slots__ = ("_events", "_index", "_parser", "_source")

    def __init__(self, parser: MultipartParser, source: ByteSource) -> None:
        self._parser = parser
        self._source = source
        self._events: list[Event] = []
        self._index = 0

    async def next_event(self) -> Event:
        events = self._events
        index = self._index
        while index >= len(events):
            chunk = await self._source.read_some()
            # At the end of the source, feed_eof() raises unless the body was
            # complete; a BodyEnd then stands for "nothing more".
            events = self._parser.feed(chunk) if chunk else self._parser.feed_eof() or [_BODY_END]
            index = 0
            self._events = events
        self._index = index + 1
        return events[index]

    async def drain(self) -> None:
        """Read the epilogue up to the end of the source (bounded by the parser)."""
        while True:
            chunk = await self._source.read_some()
            if not chunk:
                self._parser.feed_eof()
                return
            self._parser.feed(chunk)


class BodyPartReader:
    """Reader of one body part, returned by :meth:`MultipartReader.next`.

    Created by the multipart reader, not directly.  Its data can be read at
    once (:meth:`read`, :meth:`text`, :meth:`json`, :meth:`form`, bounded by
    ``max_field_size``) or streamed (:meth:`read_chunk`, :meth:`readline`,
    ``async for``).  Reading the next part releases what is left of this one.

    Attributes:
        headers: the part's headers (``CIMultiDictProxy``).
        chunk_size: the default size of :meth:`read_chunk`.
    """

    chunk_size = 8192

    def __init__(
        self,
        boundary: bytes,
        headers: CIMultiDictProxy[str],
        content: _EventStream,
        *,
        subtype: str = "mixed",
        default_charset: str | None = None,
        max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
    ) -> None:
        self.headers = headers
        self._boundary = boundary
        self._events = content
        self._is_form_data = subtype == "form-data"
        self._default_charset = default_charset
        self._max_field_size = max_field_size
        self._at_eof = False
        self._pending: memoryview | None = None
        self._name_and_filename: tuple[str | None, str | None] | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} filename={self.filename!r}>"

    def __aiter__(self) -> BodyPartReader:
        return self

    async def __anext__(self) -> bytearray:
        chunk = await self.next()
        if chunk is None:
            raise StopAsyncIteration
        return chunk

    async def _next_data(self) -> memoryview | None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            return pending
        if self._at_eof:
            return None
        event = await self._events.next_event()
        if type(event) is PartData:
            return event.data
        # Only PartEnd can follow data: the parser guarantees the order.
        assert type(event) is PartEnd, event
        self._at_eof = True
        return None

    def _too_large(self, what: str) -> PartTooLarge:
        return PartTooLarge(
            f"{what} of part {self.name!r} is larger than {self._max_field_size} bytes",
            limit_name="max_field_size",
            limit=self._max_field_size,
        )

    async def next(self) -> bytearray | None:
        """Read the whole remaining data (like :meth:`read`); ``None`` when there is none."""
        item = await self.read()
        return item or None

    async def read(self, *, decode: bool = False) -> bytearray:
        """Read the rest of the part's data into memory.

        Args:
            decode: decode it according to Content-Transfer-Encoding and
                Content-Encoding (see :meth:`decode`).

        Raises:
            PartTooLarge: the data (decoded data with ``decode``) exceeds ``max_field_size``.
            DecodeError: with ``decode``, the data does not decode.
            UnsupportedEncoding: with ``decode``, an encoding is unknown.
            MultipartError: the body is malformed or truncated.
        """
        limit = self._max_field_size
        decoder: PartDecoder | None = None
        if decode:
            decoder = make_part_decoder(self.headers, limit)
            if decoder.is_identity:
                decoder = None
        data = bytearray()
        raw = 0
        next_data = self._next_data
        while (chunk := await next_data()) is not None:
            if decoder is None:
                data += chunk
                if len(data) > limit:
                    raise self._too_large("data")
            else:
                raw += len(chunk)
                # Encoded data is not kept, but bound it too (quoted-printable is at
                # most ~3x the decoded size) so that data decoding to nothing ends.
                if raw > 4 * limit + 4096:
                    raise self._too_large("encoded data")
                data += decoder.feed(bytes(chunk))
                if len(data) > limit:
                    raise self._too_large("decoded data")
        if decoder is not None:
            data += decoder.flush()
            if len(data) > limit:
                raise self._too_large("decoded data")
        return data

    async def read_chunk(self, size: int = chunk_size) -> bytearray:
        """Read at most ``size`` bytes of raw data; an empty bytearray at the end of the part.

        Raises:
            MultipartError: the body is malformed or truncated.
        """
        chunk = await self._next_data()
        if chunk is None:
            return bytearray()
        if len(chunk) > size:
            self._pending = chunk[size:]
            chunk = chunk[:size]
        return bytearray(chunk)

    async def readline(self) -> bytearray:
        """Read one line of raw data, with its line ending; empty at the end of the part.

        Raises:
            PartTooLarge: the line exceeds ``max_field_size``.
            MultipartError: the body is malformed or truncated.
        """
        line = bytearray()
        while (chunk := await self._next_data()) is not None:
            raw = chunk.tobytes()
            cut = raw.find(b"\n") + 1
            if cut:
                line += raw[:cut]
                if cut < len(raw):
                    self._pending = chunk[cut:]
                break
            line += raw
            if len(line) > self._max_field_size:
                raise self._too_large("line")
        if len(line) > self._max_field_size:
            raise self._too_large("line")
        return line

    async def release(self) -> None:
        """Read the rest of the part's data to the void."""
        self._pending = None
        while await self._next_data() is not None:
            pass

    async def text(self, *, encoding: str | None = None) -> str:
        """Read the part as decoded text.

        Args:
            encoding: overrides the ``charset`` of the part's Content-Type
                (default UTF-8).

        Raises:
            PartTooLarge, DecodeError, UnicodeDecodeError: see :meth:`read`.
        """
        data = await self.read(decode=True)
        return data.decode(encoding or self.get_charset(default="utf-8"))

    async def json(self, *, encoding: str | None = None) -> Any:
        """Read the part as JSON; ``None`` if it is empty.

        Raises:
            PartTooLarge, DecodeError: see :meth:`read`.
            ValueError: the data is not JSON.
        """
        data = await self.read(decode=True)
        if not data:
            return None
        return json.loads(data.decode(encoding or self.get_charset(default="utf-8")))

    async def form(self, *, encoding: str | None = None) -> list[tuple[str, str]]:
        """Read the part as ``application/x-www-form-urlencoded`` pairs.

        Raises:
            PartTooLarge, DecodeError: see :meth:`read`.
        """
        data = await self.read(decode=True)
        if not data:
            return []
        real_encoding = encoding or self.get_charset(default="utf-8")
        return parse_qsl(
            data.rstrip().decode(real_encoding),
            keep_blank_values=True,
            encoding=real_encoding,
        )

    def at_eof(self) -> bool:
        """True once all the part's data has been read."""
        return self._at_eof and self._pending is None

    def decode(self, data: bytes | bytearray) -> bytes:
        """Decode ``data`` per the part's Content-Transfer-Encoding (base64,
        quoted-printable, 7bit, 8bit, binary), then its Content-Encoding (gzip,
        deflate, identity), producing at most ``max_field_size`` bytes.

        Raises:
            UnsupportedEncoding: (a RuntimeError) an encoding is unknown.
            DecodeError: the data does not decode.
            PartTooLarge: the decoded data exceeds ``max_field_size``.
        """
        decoder = make_part_decoder(self.headers, self._max_field_size)
        return decoder.feed(bytes(data)) + decoder.flush()

    def get_charset(self, default: str) -> str:
        """The ``charset`` parameter of the part's Content-Type, else the
        form's ``_charset_`` default if any, else ``default``."""
        _mime, params = parse_content_type(self.headers.get("Content-Type"))
        return params.get("charset") or self._default_charset or default

    def _names(self) -> tuple[str | None, str | None]:
        names = self._name_and_filename
        if names is None:
            params = parse_content_disposition(self.headers.get("Content-Disposition"))[1]
            names = self._name_and_filename = (
                content_disposition_filename(params, "name"),
                content_disposition_filename(params, "filename"),
            )
        return names

    @property
    def name(self) -> str | None:
        """The ``name`` parameter of Content-Disposition, or ``None``."""
        return self._names()[0]

    @property
    def filename(self) -> str | None:
        """The file name in Content-Disposition (``filename*`` preferred, RFC 6266
        §4.3), or ``None`` if absent or the header is malformed."""
        return self._names()[1]


class _PartSource:
    """A byte source over the raw data of an outer part (for nested multipart)."""

    __slots__ = ("_part",)

    def __init__(self, part: BodyPartReader) -> None:
        self._part = part

    async def read_some(self) -> bytes:
        chunk = await self._part._next_data()
        return b"" if chunk is None else bytes(chunk)


class MultipartResponseWrapper:
    """Wraps a response and its :class:`MultipartReader` so that the response is
    released once the body has been read (what :meth:`MultipartReader.from_response`
    returns)."""

    def __init__(self, resp: Any, stream: MultipartReader) -> None:
        self.resp = resp
        self.stream = stream

    def __aiter__(self) -> MultipartResponseWrapper:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True once the closing boundary has been read."""
        return self.stream.at_eof()

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """The next part; releases the response after the last one."""
        item = await self.stream.next()
        if self.stream.at_eof():
            await self.release()
        return item

    async def release(self) -> None:
        """Release the response (its connection goes back to the pool)."""
        result = self.resp.release()
        if inspect.isawaitable(result):
            await result


class MultipartReader:
    """Streaming reader of a ``multipart/*`` body (RFC 2046, RFC 7578).

    Iterate with ``async for part in reader`` or call :meth:`next` until it
    returns ``None``.  Each item is a :class:`BodyPartReader`, or a nested
    :class:`MultipartReader` for a part whose Content-Type is ``multipart/*``.

    Args:
        headers: the body's headers; only ``Content-Type`` (with its
            ``boundary`` parameter) is required.
        content: where the body comes from: an aiohttp ``StreamReader`` or any
            object with ``async readany()`` or ``async read(n)``, an async
            iterable of bytes, an ASGI ``receive`` callable, bytes, or a
            :class:`ByteSource`.
        max_part_header_size: most bytes in one part's header block.
        max_part_headers: most header lines in one part.
        max_parts: most parts (at this nesting level).
        max_field_size: most bytes a part may take in memory (read, text, json, form).
        max_nesting_depth: most levels of nested multipart bodies.
        max_preamble_size: most bytes before the first boundary.
        max_epilogue_size: most bytes after the closing boundary.

    Raises:
        InvalidBoundary: the Content-Type is not ``multipart/*`` or its boundary is
            missing or invalid.
        TypeError: ``content`` is of no supported kind.

    Reading raises :class:`MultipartError` subclasses: :class:`MalformedBody`,
    :class:`IncompleteBody`, :class:`InvalidPartHeader` and the
    :class:`LimitExceeded` family, each documented with the parameter it names.
    """

    #: Wrapper returned by :meth:`from_response`.
    response_wrapper_cls: type[MultipartResponseWrapper] = MultipartResponseWrapper
    #: Reader class of ``multipart/*`` parts; ``None`` means ``type(self)``.
    multipart_reader_cls: type[MultipartReader] | None = None
    #: Reader class of the other parts.
    part_reader_cls: type[BodyPartReader] = BodyPartReader

    def __init__(
        self,
        headers: Mapping[str, str],
        content: Any,
        *,
        max_part_header_size: int = DEFAULT_MAX_PART_HEADER_SIZE,
        max_part_headers: int = DEFAULT_MAX_PART_HEADERS,
        max_parts: int = DEFAULT_MAX_PARTS,
        max_field_size: int = DEFAULT_MAX_FIELD_SIZE,
        max_nesting_depth: int = DEFAULT_MAX_NESTING_DEPTH,
        max_preamble_size: int = DEFAULT_MAX_PREAMBLE_SIZE,
        max_epilogue_size: int = DEFAULT_MAX_EPILOGUE_SIZE,
    ) -> None:
        self.headers: Mapping[str, str] = headers
        content_type = _header(headers, "Content-Type")
        mimetype, params = parse_content_type(content_type)
        if not mimetype.startswith("multipart/"):
            raise InvalidBoundary(f"Content-Type {content_type!r} is not multipart/*")
        if "boundary" not in params:
            raise InvalidBoundary(f"Content-Type {content_type!r} has no boundary parameter")
        self._subtype = mimetype.partition("/")[2]
        self._limits: dict[str, int] = {
            "max_part_header_size": max_part_header_size,
            "max_part_headers": max_part_headers,
            "max_parts": max_parts,
            "max_field_size": max_field_size,
            "max_nesting_depth": max_nesting_depth,
            "max_preamble_size": max_preamble_size,
            "max_epilogue_size": max_epilogue_size,
        }
        self._depth = 1
        parser = MultipartParser(
            params["boundary"],
            max_part_header_size=max_part_header_size,
            max_part_headers=max_part_headers,
            max_parts=max_parts,
            max_preamble_size=max_preamble_size,
            max_epilogue_size=max_epilogue_size,
        )
        self._boundary = parser.boundary
        self._content = content
        source = _PartSource(content) if isinstance(content, BodyPartReader) else None
        self._events = _EventStream(parser, source or byte_source(content))
        self._last_part: BodyPartReader | MultipartReader | None = None
        self._outer_part: BodyPartReader | None = None
        self._at_eof = False
        self._released = False
        self._default_charset: str | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._subtype} boundary={self._boundary!r}>"

    @classmethod
    def from_response(cls, response: Any) -> MultipartResponseWrapper:
        """Build a reader for a client response (``response.headers``,
        ``response.content``), wrapped so that the response is released at the end."""
        return cls.response_wrapper_cls(response, cls(response.headers, response.content))

    def __aiter__(self) -> MultipartReader:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True once the closing boundary has been read."""
        return self._at_eof

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """Return the next part, or ``None`` after the last one.

        What is left of the previous part is released first.

        Raises:
            MultipartError: see the class documentation.
        """
        if self._at_eof:
            return None
        part = await self.fetch_next_part()
        self._last_part = part
        return part

    async def fetch_next_part(self) -> MultipartReader | BodyPartReader | None:
        """Release the previous part, read the next part's headers and return its
        reader; ``None`` after the closing boundary."""
        if self._at_eof:
            return None
        last = self._last_part
        if last is not None:
            self._last_part = None
            await last.release()
        event = await self._events.next_event()
        if type(event) is BodyEnd:
            self._at_eof = True
            return None
        assert type(event) is PartStart, event
        part = self._get_part_reader(event.headers)
        if (
            self._subtype == "form-data"
            and "_charset_" in event.headers.get("Content-Disposition", "")
            and isinstance(part, BodyPartReader)
            and part.name == "_charset_"
        ):
            await self._learn_default_charset(part)
        return part

    async def _learn_default_charset(self, part: BodyPartReader) -> None:
        # RFC 7578 §4.6: a "_charset_" field names the charset of the text
        # fields that have none.  Its data stays readable by the caller.
        data = bytes(await part.read())
        part._pending = memoryview(data) if data else None
        charset = data.decode("ascii", "replace").strip()
        try:
            codecs.lookup(charset)
        except LookupError:
            return
        self._default_charset = charset

    def _get_part_reader(self, headers: CIMultiDictProxy[str]) -> MultipartReader | BodyPartReader:
        content_type = headers.get("Content-Type")
        if content_type is not None and content_type[:10].lower() == "multipart/":
            mimetype = parse_content_type(content_type)[0]
        else:
            mimetype = ""
        part = self.part_reader_cls(
            self._boundary,
            headers,
            self._events,
            subtype=self._subtype,
            default_charset=self._default_charset,
            max_field_size=self._limits["max_field_size"],
        )
        if not mimetype.startswith("multipart/"):
            return part
        max_depth = self._limits["max_nesting_depth"]
        if self._depth + 1 > max_depth:
            raise NestingTooDeep(
                f"a {mimetype} part at depth {self._depth + 1}",
                limit_name="max_nesting_depth",
                limit=max_depth,
            )
        cls = self.multipart_reader_cls or type(self)
        nested = cls(CIMultiDict(headers), _PartSource(part), **self._limits)
        nested._depth = self._depth + 1
        nested._outer_part = part
        return nested

    async def release(self) -> None:
        """Read all remaining parts, and the epilogue, to the void.

        Raises:
            MultipartError: the rest of the body is malformed or exceeds a limit.
        """
        if self._released:
            return
        while not self._at_eof:
            await self.next()
        self._released = True
        await self._events.drain()
        if self._outer_part is not None:
            await self._outer_part.release()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None and not isinstance(headers, (CIMultiDict, CIMultiDictProxy)):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value
