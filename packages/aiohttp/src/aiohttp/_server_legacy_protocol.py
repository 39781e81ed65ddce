"""The older documents' message writers, ``Request`` and ``Response`` (implementation).

Public, with a deprecation warning, as :mod:`aiohttp.protocol`; used without
one by :mod:`aiohttp.server` and :mod:`aiohttp.wsgi`.

A writer collects a start line and header fields, settles the framing when
the head is sent (``Content-Length`` when given, else chunked on HTTP/1.1,
else delimited by closing the connection) and writes body bytes framed
accordingly. Heads are serialised by :func:`aiohttp_http.serialize_request_head`
and :func:`aiohttp_http.serialize_response_head`, bodies by
:class:`aiohttp_http.ChunkedEncoder` / :class:`aiohttp_http.LengthEncoder`, so
CR, LF and NUL in any field are refused (:class:`aiohttp_http.InvalidOutgoingField`).

The ``transport`` is anything with ``write(bytes)`` (an asyncio transport, a
writer with ``drain()``). The legacy server hands out a writer with a
``legacy_response_sink`` hook instead: responses written to it are sent
through aiohttp-http's server (see :mod:`aiohttp._server_legacy`).
"""

from __future__ import annotations

import email.utils
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Generator
from typing import Any, Protocol

from aiohttp_http import (
    ChunkedEncoder,
    HttpVersion,
    HttpVersion11,
    LengthEncoder,
    hdrs,
    serialize_request_head,
    serialize_response_head,
)

__all__ = ["HttpMessage", "Request", "Response", "ResponseSink"]

_REASONS: dict[int, str] = {}


def _reason(status: int) -> str:
    if not _REASONS:
        from http import HTTPStatus

        _REASONS.update({s.value: s.phrase for s in HTTPStatus})
    return _REASONS.get(status, "")


class ResponseSink(Protocol):
    """Where a response goes when its transport hands one out (the legacy server)."""

    def write(self, data: bytes) -> Awaitable[None]:
        """Queue body bytes; the result waits until they are written."""

    def write_eof(self, data: bytes) -> Awaitable[None]:
        """Queue the last bytes and end the message; the result waits until it is sent."""


class _Done:
    """An awaitable that is already complete (what ``write`` returns without a drain)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield


class _Drain:
    """Awaiting it drains the transport (nothing happens unless awaited)."""

    __slots__ = ("_transport",)

    def __init__(self, transport: Any) -> None:
        self._transport = transport

    def __await__(self) -> Generator[Any, None, None]:
        yield from self._transport.drain().__await__()


class HttpMessage(ABC):
    """Base of :class:`Request` and :class:`Response`: headers, framing and body writes.

    Attributes:
        transport: what the bytes are written to.
        version: the HTTP version of the message.
        headers: the header fields added, as ``(name, value)`` pairs in order.
        chunked: True when the body is sent with the chunked coding.
        length: the declared ``Content-Length``, or None.
        headers_sent: True once :meth:`send_headers` ran.
        output_length: bytes written so far (head and body, framing included).
    """

    def __init__(self, transport: Any, version: HttpVersion, close: bool) -> None:
        self.transport = transport
        self.version = version
        self.closing = close
        self.keepalive: bool | None = None
        self.chunked = False
        self.length: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.headers_sent = False
        self.output_length = 0
        self._body_started = False
        self._encoder: ChunkedEncoder | LengthEncoder | None = None
        self._eof = False
        self._sink: ResponseSink | None = None
        self._body_length = 0

    @property
    @abstractmethod
    def status_line(self) -> str:
        """The start line (without CRLF)."""

    @property
    def body_length(self) -> int:
        """Body bytes written so far (before framing)."""
        return self._body_length

    def force_close(self) -> None:
        """Close the connection after this message (``Connection: close``)."""
        self.closing = True
        self.keepalive = False

    def enable_chunked_encoding(self) -> None:
        """Send the body chunked (HTTP/1.1)."""
        self.chunked = True

    def keep_alive(self) -> bool:
        """Whether the connection may be reused after this message (RFC 9112 §9.3)."""
        if self.keepalive is None:
            # HTTP/1.0 only with "Connection: keep-alive" (which sets keepalive).
            return self.version >= HttpVersion11 and not self.closing
        return self.keepalive

    def has_header(self, name: str) -> bool:
        """Whether a field ``name`` was added (case-insensitive)."""
        lower = name.lower()
        return any(n.lower() == lower for n, _ in self.headers)

    def add_header(self, name: str, value: str) -> None:
        """Add a header field; ``Connection``, ``Content-Length`` and
        ``Transfer-Encoding`` also set :attr:`keepalive`, :attr:`length`, :attr:`chunked`.

        Raises:
            RuntimeError: the head was already sent.
            ValueError: ``Content-Length`` is not a non-negative integer.
        """
        if self.headers_sent:
            raise RuntimeError("headers were already sent")
        lower = name.strip().lower()
        if lower == "connection":
            tokens = {t.strip().lower() for t in value.split(",")}
            if "close" in tokens:
                self.keepalive = False
            elif "keep-alive" in tokens:
                self.keepalive = True
            if tokens & {"close", "keep-alive"} and not tokens - {"close", "keep-alive"}:
                return  # framing-level: decided (and sent) by send_headers
        elif lower == "content-length":
            if not value.strip().isdigit():
                raise ValueError(f"Content-Length must be a non-negative integer, got {value!r}")
            self.length = int(value)
        elif lower == "transfer-encoding" and value.strip().lower().endswith("chunked"):
            self.chunked = True
            return  # added by send_headers
        self.headers.append((name, value))

    def add_headers(self, *headers: tuple[str, str]) -> None:
        """Add each ``(name, value)`` pair (see :meth:`add_header`)."""
        for name, value in headers:
            self.add_header(name, value)

    def _body_allowed(self) -> bool:
        return True

    def _framing_headers(self) -> list[tuple[str, str]]:
        """Settle chunked / length / close-delimited and the ``Connection`` field."""
        headers = list(self.headers)
        http11 = self.version >= HttpVersion11
        if not self._body_allowed():
            self.chunked = False
        elif self.chunked or self.length is None:
            if self.chunked or (http11 and self._needs_body_framing()):
                if not http11:
                    raise ValueError("chunked encoding requires HTTP/1.1")
                self.chunked = True
                headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
                self.length = None
                headers.append((hdrs.TRANSFER_ENCODING, "chunked"))
            elif self._needs_body_framing():
                self.keepalive = False  # the close delimits the body
        keep = self.keep_alive()
        if http11 and not keep:
            headers.append((hdrs.CONNECTION, "close"))
        elif not http11 and keep:
            headers.append((hdrs.CONNECTION, "keep-alive"))
        return headers

    def _needs_body_framing(self) -> bool:
        return True

    @abstractmethod
    def _head(self, headers: list[tuple[str, str]]) -> bytes:
        """Serialise the head with ``headers``."""

    def send_headers(self, _sep: str = ": ", _end: str = "\r\n") -> None:
        """Settle the framing and write the head (``_sep``, ``_end``: ignored, old signature).

        Raises:
            RuntimeError: the head was already sent.
            aiohttp_http.InvalidOutgoingField: CR, LF or NUL in the start line or a field.
        """
        if self.headers_sent:
            raise RuntimeError("headers were already sent")
        sink_factory = getattr(self.transport, "legacy_response_sink", None)
        if sink_factory is not None:
            self.headers_sent = True
            self._sink = sink_factory(self)
            return
        headers = self._framing_headers()
        head = self._head(headers)
        self.headers_sent = True
        if self.chunked:
            self._encoder = ChunkedEncoder()
        elif self.length is not None and self._body_allowed():
            self._encoder = LengthEncoder(self.length)
        self.output_length += len(head)
        self.transport.write(head)

    def _wait(self) -> Awaitable[None]:
        if hasattr(self.transport, "drain"):
            return _Drain(self.transport)
        return _Done()

    def write(self, chunk: bytes | bytearray | memoryview) -> Awaitable[None]:
        """Write body bytes (the head first, if not sent); return an awaitable drain.

        Raises:
            RuntimeError: after :meth:`write_eof`.
            ValueError: more bytes than the declared ``Content-Length``.
        """
        if self._eof:
            raise RuntimeError("write() after write_eof()")
        if not self.headers_sent:
            self.send_headers()
        data = bytes(chunk)
        if self._sink is not None:
            self._body_length += len(data)
            return self._sink.write(data)
        if not data or not self._body_allowed():
            return _Done()
        self._body_length += len(data)
        encoder = self._encoder
        out = encoder.encode(data) if encoder is not None else data
        self.output_length += len(out)
        self.transport.write(out)
        return self._wait()

    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last body bytes and end the message (the head first, if not sent).

        Raises:
            ValueError: the body is shorter or longer than its ``Content-Length``.
        """
        if self._eof:
            return
        if not self.headers_sent:
            self.send_headers()
        if self._sink is not None:
            self._eof = True
            self._body_length += len(chunk)
            await self._sink.write_eof(bytes(chunk))
            return
        if chunk:
            self.write(chunk)
        self._eof = True
        encoder = self._encoder
        if encoder is not None and self._body_allowed():
            tail = encoder.finish()
            if tail:
                self.output_length += len(tail)
                self.transport.write(tail)
        await self._wait()


class Response(HttpMessage):
    """A response writer: ``Response(transport, 200)``, add headers, send, write, ``write_eof``.

    Args:
        transport: what the bytes are written to (see the module docstring).
        status: the status code.
        version: the HTTP version (``http_version`` is the older keyword).
        close: close the connection after this response.
        reason: the reason phrase (default: the standard one).
    """

    def __init__(
        self,
        transport: Any,
        status: int,
        version: HttpVersion = HttpVersion11,
        close: bool = False,
        reason: str | None = None,
        *,
        http_version: HttpVersion | None = None,
    ) -> None:
        if http_version is not None:
            version = http_version
        super().__init__(transport, HttpVersion(*version), close)
        self.status = status
        self.reason = reason if reason is not None else _reason(status)
        self.upgrade = False

    @property
    def status_line(self) -> str:
        """``HTTP/x.y status reason``."""
        return f"HTTP/{self.version.major}.{self.version.minor} {self.status} {self.reason}"

    def _body_allowed(self) -> bool:
        # RFC 9110 §6.4.1: no body for 1xx, 204 and 304.
        return not (self.status < 200 or self.status in (204, 304))

    def _head(self, headers: list[tuple[str, str]]) -> bytes:
        if not any(n.lower() == "date" for n, _ in headers):
            headers.append((hdrs.DATE, email.utils.formatdate(usegmt=True)))
        return serialize_response_head(self.status, self.reason, headers, self.version)


class Request(HttpMessage):
    """A request writer: ``Request(transport, "GET", "/path")``, add headers, send, write.

    Args:
        transport: what the bytes are written to.
        method: the method.
        path: the request target.
        version: the HTTP version (``http_version`` is the older keyword).
        close: close the connection after this exchange.
    """

    def __init__(
        self,
        transport: Any,
        method: str,
        path: str,
        version: HttpVersion = HttpVersion11,
        close: bool = False,
        *,
        http_version: HttpVersion | None = None,
    ) -> None:
        if http_version is not None:
            version = http_version
        super().__init__(transport, HttpVersion(*version), close)
        self.method = method
        self.path = path

    @property
    def status_line(self) -> str:
        """``METHOD path HTTP/x.y``."""
        return f"{self.method} {self.path} HTTP/{self.version.major}.{self.version.minor}"

    def _needs_body_framing(self) -> bool:
        # A request without Content-Length or chunked has no body (RFC 9112 §6.3).
        return self.chunked

    def _body_allowed(self) -> bool:
        return True

    def _head(self, headers: list[tuple[str, str]]) -> bytes:
        return serialize_request_head(self.method, self.path, headers, self.version)

    def write(self, chunk: bytes | bytearray | memoryview) -> Awaitable[None]:
        """Write body bytes (see :meth:`HttpMessage.write`).

        Raises:
            ValueError: a body on a request declared without one (no
                ``Content-Length`` and not chunked).
        """
        if chunk and not self.chunked and self.length is None:
            if self.headers_sent:
                raise ValueError("the request was sent without Content-Length or chunked")
            if self.version >= HttpVersion11:
                self.chunked = True
            else:
                raise ValueError("an HTTP/1.0 request body needs a Content-Length")
        return super().write(chunk)
