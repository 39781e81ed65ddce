"""Responses of the low-level server: :class:`StreamResponse` and :class:`Response`.

A handler returns one of them. A :class:`Response` carries its whole body
(``bytes``, ``str``, a :class:`~aiohttp_http.Payload` or an async iterator of
bytes) and is written by the server after the handler returns; a
:class:`StreamResponse` is written by the handler itself: ``await
resp.prepare(request)`` sends the head, ``await resp.write(data)`` sends body
bytes (chunked when no ``Content-Length`` was set), ``await resp.write_eof()``
ends the message.

Framing (RFC 9112 §6): 1xx, 204 and 304 responses never carry a body or
``Content-Length``/``Transfer-Encoding``; a response to ``HEAD`` carries the
head only; an HTTP/1.0 response of unknown length is delimited by closing the
connection.
"""

from __future__ import annotations

import http
import time
from collections.abc import AsyncIterable, Mapping
from email.utils import formatdate
from typing import TYPE_CHECKING

from multidict import CIMultiDict, CIMultiDictProxy

from . import hdrs
from ._abnf import OUTGOING_FORBIDDEN_RE, OUTGOING_TOKEN_RE
from ._exceptions import InvalidOutgoingField
from ._message import HttpVersion11
from ._payload import Payload
from ._stream_writer import StreamWriter

if TYPE_CHECKING:
    from ._server_request import BaseRequest

__all__ = ["Response", "StreamResponse"]

_HeadersArg = Mapping[str, str] | CIMultiDict[str] | CIMultiDictProxy[str] | None

_REASONS = {int(s): s.phrase for s in http.HTTPStatus}
_date_cache: tuple[int, str] = (0, "")


def http_date() -> str:
    """The current time as an IMF-fixdate (RFC 9110 §5.6.7), cached per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def reason_phrase(status: int) -> str:
    """The standard reason phrase of ``status`` (empty when unknown)."""
    return _REASONS.get(status, "")


_CONNECTION = hdrs.CONNECTION
_CONTENT_LENGTH = hdrs.CONTENT_LENGTH
_TRANSFER_ENCODING = hdrs.TRANSFER_ENCODING
_DATE = hdrs.DATE
_CONTENT_TYPE = hdrs.CONTENT_TYPE
_token = OUTGOING_TOKEN_RE.fullmatch
_forbidden = OUTGOING_FORBIDDEN_RE.search
_checked_names: set[str] = set()  # field names known to be tokens (bounded below)


def _serialize(status_line: str, headers: CIMultiDict[str]) -> bytes:
    """:func:`serialize_headers` for a checked status line, caching good field names.

    Raises:
        InvalidOutgoingField: a name is not a token, or a value holds CR, LF or NUL.
    """
    parts = [status_line, "\r\n"]
    for name, value in headers.items():
        if name not in _checked_names:
            if not _token(name):
                raise InvalidOutgoingField(f"field name {name[:60]!r} is not a token")
            if len(_checked_names) < 1024:
                _checked_names.add(str(name))
        # isprintable() is False for CR, LF, NUL (and HTAB): only then run the exact check.
        if not value.isprintable() and _forbidden(value):
            raise InvalidOutgoingField(f"value of field {name!r} contains CR, LF or NUL")
        parts += (name, ": ", value, "\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


class StreamResponse:
    """A response whose body the handler writes itself.

    Args:
        status: the status code (100..999).
        reason: the reason phrase; defaults to the standard one.
        headers: initial header fields (copied into :attr:`headers`).

    Use :meth:`prepare` to send the head, then :meth:`write` and
    :meth:`write_eof`. Without a :attr:`content_length` the body is sent
    chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0).
    A handler may also return it unprepared: the server then sends the head
    and an empty body.
    """

    def __init__(
        self, *, status: int = 200, reason: str | None = None, headers: _HeadersArg = None
    ) -> None:
        self.headers: CIMultiDict[str] = CIMultiDict(headers) if headers else CIMultiDict()
        self._request: BaseRequest | None = None
        if status == 200 and reason is None:
            self._status, self._reason = 200, "OK"
        else:
            self.set_status(status, reason)
        self._force_close = False
        self._chunked = False
        self._keep_alive: bool | None = None
        self._writer: StreamWriter | None = None
        self._no_body = False
        self._eof_sent = False
        self.body_length = 0

    # -- head ------------------------------------------------------------------

    @property
    def status(self) -> int:
        """The status code."""
        return self._status

    @property
    def reason(self) -> str:
        """The reason phrase."""
        return self._reason

    def set_status(self, status: int, reason: str | None = None) -> None:
        """Set the status code and reason phrase (the standard one when ``reason`` is None).

        Raises:
            RuntimeError: the head was already sent.
            ValueError: ``status`` is not in 100..999, or ``reason`` has a control character.
        """
        if self.prepared:
            raise RuntimeError("cannot change the status after the head was sent")
        if not 100 <= status <= 999:
            raise ValueError(f"status code {status} is not in 100..999")
        if reason is None:
            reason = reason_phrase(status)
        elif any((c < " " and c != "\t") or c == "\x7f" for c in reason):
            raise ValueError(f"reason phrase contains a control character: {reason[:60]!r}")
        self._status = int(status)
        self._reason = reason

    @property
    def content_length(self) -> int | None:
        """The ``Content-Length`` header as an int, or None."""
        value = self.headers.get(hdrs.CONTENT_LENGTH)
        return int(value) if value is not None else None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self.headers.pop(hdrs.CONTENT_LENGTH, None)
        else:
            if value < 0:
                raise ValueError(f"negative Content-Length {value}")
            self.headers[hdrs.CONTENT_LENGTH] = str(value)

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header, or None."""
        return self.headers.get(hdrs.CONTENT_TYPE)

    @content_type.setter
    def content_type(self, value: str) -> None:
        self.headers[hdrs.CONTENT_TYPE] = value

    @property
    def chunked(self) -> bool:
        """True when the body is (or will be) sent with the chunked transfer coding."""
        return self._chunked

    def enable_chunked_encoding(self) -> None:
        """Send the body chunked even if it could be sent otherwise.

        Raises:
            RuntimeError: a ``Content-Length`` is set (the two cannot be combined).
        """
        if hdrs.CONTENT_LENGTH in self.headers:
            raise RuntimeError("chunked encoding cannot be combined with Content-Length")
        self._chunked = True

    @property
    def keep_alive(self) -> bool | None:
        """Whether the connection stays open after this response (None before prepare)."""
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response (adds ``Connection: close``)."""
        self._force_close = True

    @property
    def prepared(self) -> bool:
        """True once the head was sent."""
        return self._request is not None

    # -- sending ---------------------------------------------------------------

    async def prepare(self, request: BaseRequest) -> StreamWriter:
        """Send the head for ``request``; return the writer of the body.

        Calling it again returns the same writer. Raises
        :class:`~aiohttp_http.InvalidOutgoingField` for a bad header,
        ``ConnectionResetError`` when the connection is gone.
        """
        if self._writer is not None:
            return self._writer
        head = self._build_head(request, None)
        writer = StreamWriter(request.protocol, request.protocol.loop)
        if self._chunked:
            writer.enable_chunking()
        else:
            length = self.content_length
            if length is not None and not self._no_body:
                writer.length = length
        self._writer = writer
        request.protocol.write_head(head)
        return writer

    def _build_head(self, request: BaseRequest, body_size: int | None) -> bytes:
        """Settle framing and keep-alive, return the serialised head; marks the response sent."""
        if self._request is not None:
            raise RuntimeError("the response was already sent")
        if request._response is None:
            request._response = self
        elif request._response is not self:
            raise RuntimeError("another response was already started for this request")
        self._request = request
        headers = self.headers
        status = self._status
        message = request.message
        version = message.version
        http11 = version >= HttpVersion11
        keep_alive = not self._force_close and request._keep_alive_for_response()
        if keep_alive:
            conn = headers.get(_CONNECTION)
            if conn is not None and "close" in conn.lower():
                keep_alive = False
        no_body_status = status < 200 or status == 204 or status == 304
        if no_body_status:
            # RFC 9110 §8.6, RFC 9112 §6.1: never for 1xx and 204; 304 keeps a given length.
            if status != 304:
                headers.pop(_CONTENT_LENGTH, None)
            headers.pop(_TRANSFER_ENCODING, None)
            self._chunked = False
        elif body_size is not None:
            headers[_CONTENT_LENGTH] = str(body_size)
        elif self._chunked or _CONTENT_LENGTH not in headers:
            if http11:
                self._chunked = True
                headers.pop(_CONTENT_LENGTH, None)
                headers[_TRANSFER_ENCODING] = "chunked"
            else:
                self._chunked = False
                keep_alive = False  # RFC 9112 §6.3: the close delimits the body
        self._no_body = no_body_status or message.method == "HEAD"
        if status != 101:
            if http11:
                if not keep_alive:
                    headers[_CONNECTION] = "close"
            elif keep_alive:
                headers[_CONNECTION] = "keep-alive"
            else:
                headers.pop(_CONNECTION, None)
        if _DATE not in headers:
            headers[_DATE] = http_date()
        self._keep_alive = keep_alive
        if version is HttpVersion11:
            return _serialize(f"HTTP/1.1 {status} {self._reason}", headers)
        return _serialize(f"HTTP/{version.major}.{version.minor} {status} {self._reason}", headers)

    def _upgrade_head(self, request: BaseRequest) -> bytes:
        """The head of a response that switches protocols (101, or 2xx to CONNECT): no framing."""
        if self._request is not None:
            raise RuntimeError("the response was already sent")
        request._response_started(self)
        self._request = request
        self._keep_alive = False
        self._eof_sent = True
        self._no_body = True
        headers = self.headers
        headers.pop(hdrs.CONTENT_LENGTH, None)
        headers.pop(hdrs.TRANSFER_ENCODING, None)
        if hdrs.DATE not in headers:
            headers[hdrs.DATE] = http_date()
        version = request.version
        line = f"HTTP/{version.major}.{version.minor} {self._status} {self._reason}"
        return _serialize(line, headers)

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send body bytes (waits while the transport is paused).

        Raises:
            RuntimeError: :meth:`prepare` was not called, or after :meth:`write_eof`.
            ValueError: more bytes than the declared ``Content-Length``.
            ConnectionResetError: the connection is gone.
        """
        writer = self._writer
        if writer is None:
            raise RuntimeError("call prepare() before write()")
        if self._eof_sent:
            raise RuntimeError("write() after write_eof()")
        if self._no_body or not data:
            return
        self.body_length += len(data)
        await writer.write(data)

    async def drain(self) -> None:
        """Wait until the transport accepts more data."""
        if self._writer is not None:
            await self._writer.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """Send the last body bytes and end the message; a second call does nothing.

        Raises:
            RuntimeError: :meth:`prepare` was not called.
            ValueError: the body is shorter or longer than its ``Content-Length``.
            ConnectionResetError: the connection is gone.
        """
        writer = self._writer
        if writer is None:
            raise RuntimeError("call prepare() before write_eof()")
        if self._eof_sent:
            return
        self._eof_sent = True
        if self._no_body:
            writer.set_eof()
            return
        self.body_length += len(data)
        await writer.write_eof(data)

    async def _send(self, request: BaseRequest) -> None:
        """Finish the response after the handler returned it (server side)."""
        if self._writer is None:
            await self.prepare(request)
        await self.write_eof()

    def __repr__(self) -> str:
        state = "prepared" if self.prepared else "not prepared"
        return f"<{type(self).__name__} {self._status} {self._reason} {state}>"


class Response(StreamResponse):
    """A response with its whole body, sent by the server after the handler returns.

    Args:
        body: ``bytes``-like, a :class:`~aiohttp_http.Payload`, or an async
            iterable of bytes (streamed chunked, or close-delimited on HTTP/1.0).
        text: a ``str`` body (mutually exclusive with ``body``), encoded with
            ``charset`` (default utf-8); content type defaults to ``text/plain``.
        status, reason, headers: as for :class:`StreamResponse`.
        content_type: the ``Content-Type`` (``application/octet-stream`` for a
            bytes body when none is given in ``headers``).
        charset: appended to a text content type.

    Raises:
        ValueError: both ``body`` and ``text`` are given.
        TypeError: ``body`` is of an unsupported type.
    """

    def __init__(
        self,
        body: bytes | bytearray | memoryview | str | Payload | AsyncIterable[bytes] | None = None,
        *,
        status: int = 200,
        reason: str | None = None,
        text: str | None = None,
        headers: _HeadersArg = None,
        content_type: str | None = None,
        charset: str | None = None,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        self._stream: AsyncIterable[bytes] | Payload | None = None
        if type(body) is bytes and text is None:  # the common case first
            self._body: bytes | None = body
            if not headers or _CONTENT_TYPE not in self.headers:
                self.headers[_CONTENT_TYPE] = content_type or "application/octet-stream"
            return
        if body is not None and text is not None:
            raise ValueError("body and text are mutually exclusive")
        if isinstance(body, str):
            text, body = body, None
        self._body = None
        has_type = hdrs.CONTENT_TYPE in self.headers
        if text is not None:
            charset = charset or "utf-8"
            self._body = text.encode(charset)
            if not has_type:
                ctype = content_type or "text/plain"
                self.headers[hdrs.CONTENT_TYPE] = f"{ctype}; charset={charset}"
        elif isinstance(body, (bytes, bytearray, memoryview)):
            self._body = bytes(body)
            if not has_type:
                self.headers[hdrs.CONTENT_TYPE] = content_type or "application/octet-stream"
        elif isinstance(body, Payload):
            self._stream = body
            if not has_type:
                self.headers[hdrs.CONTENT_TYPE] = content_type or body.content_type
            if body.size is not None and hdrs.CONTENT_LENGTH not in self.headers:
                self.headers[hdrs.CONTENT_LENGTH] = str(body.size)
        elif body is None:
            self._body = b""
            if content_type is not None and not has_type:
                self.headers[hdrs.CONTENT_TYPE] = content_type
        elif hasattr(body, "__aiter__"):
            self._stream = body
            if not has_type and content_type is not None:
                self.headers[hdrs.CONTENT_TYPE] = content_type
        else:
            raise TypeError(f"unsupported response body type {type(body).__name__}")

    @property
    def body(self) -> bytes | AsyncIterable[bytes] | Payload | None:
        """The body: bytes, or the stream/payload to send."""
        return self._body if self._stream is None else self._stream

    @property
    def text(self) -> str | None:
        """The body decoded as UTF-8 (None for a streamed body)."""
        return None if self._body is None else self._body.decode("utf-8", "replace")

    def _sendable_at_once(self) -> bool:
        """True when the whole response is known bytes and nothing was sent yet."""
        return self._body is not None and self._writer is None

    def _head_and_body(self, request: BaseRequest) -> bytes:
        """The whole response as one ``bytes`` (head and body); marks it sent."""
        body = self._body
        assert body is not None
        head = self._build_head(request, len(body))
        self._eof_sent = True
        if self._no_body or not body:
            return head
        self.body_length = len(body)
        return head + body

    async def _send(self, request: BaseRequest) -> None:
        body = self._body
        if self._writer is not None:  # the handler prepared it: behave like StreamResponse
            if body:
                await self.write(body)
            await self.write_eof()
            return
        if body is not None:
            request.protocol.write_head(self._head_and_body(request))
            return
        stream = self._stream
        assert stream is not None
        await self.prepare(request)
        if isinstance(stream, Payload):
            if not self._no_body:
                await stream.write(_ResponseSink(self))
        else:
            async for chunk in stream:
                await self.write(chunk)
        await self.write_eof()


class _ResponseSink:
    """Adapts a response to :class:`~aiohttp_http.SupportsAsyncWrite` for payloads."""

    __slots__ = ("_response",)

    def __init__(self, response: StreamResponse) -> None:
        self._response = response

    async def write(self, data: bytes) -> None:
        await self._response.write(data)
