"""The request a low-level server handler receives: :class:`BaseRequest`.

The head comes from the sans-IO parser (:class:`~aiohttp_http.RawRequestMessage`);
the body is a :class:`~aiohttp_http.StreamReader` fed by the connection's
protocol as the parser produces it (``request.content``), with flow control.
``Expect: 100-continue`` is answered when the handler first reads the body
(RFC 9110 §10.1.1), so a handler that answers without reading never asks the
client for the body.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from multidict import CIMultiDictProxy, MultiDict, MultiDictProxy

from . import hdrs
from ._helpers import BaseTimerContext
from ._message import HttpVersion, RawHeaders, RawRequestMessage
from ._mimetype import parse_mimetype
from ._streams import StreamReader

if TYPE_CHECKING:
    from ._server_protocol import RequestHandler
    from ._server_response import StreamResponse
    from ._server_upgrade import UpgradedConnection

__all__ = ["BaseRequest"]

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class ReadTimeout(BaseTimerContext):
    """Bound every wait of a body read: raise :class:`TimeoutError` after ``timeout`` seconds.

    On expiry the waiting task is cancelled and the cancellation is turned into
    :class:`TimeoutError` when the wait exits (as ``asyncio.timeout`` does,
    written for Python 3.10 too).
    """

    __slots__ = ("_error", "_expired", "_handle", "_loop", "_task", "_timeout")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        timeout: float,
        error: type[TimeoutError] = TimeoutError,
    ) -> None:
        self._loop = loop
        self._timeout = timeout
        self._error = error
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._expired = False

    def __enter__(self) -> ReadTimeout:
        """Arm the timer for the current task."""
        self._task = asyncio.current_task(self._loop)
        self._expired = False
        if self._task is not None:
            self._handle = self._loop.call_later(self._timeout, self._expire)
        return self

    def _expire(self) -> None:
        self._handle = None
        if self._task is not None and not self._task.done():
            self._expired = True
            self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """Disarm; turn our own cancellation into :class:`TimeoutError`."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        task, self._task = self._task, None
        if self._expired and exc_type is asyncio.CancelledError:
            self._expired = False
            uncancel = getattr(task, "uncancel", None)  # Python 3.11+
            if uncancel is not None:
                uncancel()
            raise self._error(f"no request body data for {self._timeout} seconds") from exc_val
        return None


class ContinueStreamReader(StreamReader):
    """A body stream that sends ``100 Continue`` before the first read (RFC 9110 §10.1.1)."""

    _on_first_read: Callable[[], None] | None = None

    def _first(self) -> None:
        callback, self._on_first_read = self._on_first_read, None
        if callback is not None:
            callback()

    async def read(self, n: int = -1) -> bytes:
        """See :meth:`StreamReader.read`; sends ``100 Continue`` first if still due."""
        self._first()
        return await super().read(n)

    async def readany(self) -> bytes:
        """See :meth:`StreamReader.readany`; sends ``100 Continue`` first if still due."""
        self._first()
        return await super().readany()

    async def readexactly(self, n: int) -> bytes:
        """See :meth:`StreamReader.readexactly`; sends ``100 Continue`` first if still due."""
        self._first()
        return await super().readexactly(n)

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """See :meth:`StreamReader.readuntil`; sends ``100 Continue`` first if still due."""
        self._first()
        return await super().readuntil(separator)

    async def readchunk(self) -> tuple[bytes, bool]:
        """See :meth:`StreamReader.readchunk`; sends ``100 Continue`` first if still due."""
        self._first()
        return await super().readchunk()


class BaseRequest:
    """An HTTP request as a low-level server handler sees it.

    Attributes:
        message: the parsed head (:class:`~aiohttp_http.RawRequestMessage`).
        content: the body, a :class:`~aiohttp_http.StreamReader` (at EOF when
            there is none). Reading it first sends ``100 Continue`` when the
            client asked for it.
        protocol: the connection's :class:`RequestHandler`.

    Reading helpers: :meth:`read`, :meth:`text`, :meth:`json`. The body is
    bounded by the server's ``max_body_size`` (larger bodies raise
    :class:`~aiohttp_http.BodyTooLarge` from the reads, answered 413).
    """

    __slots__ = (
        "_continue_due",
        "_query",
        "_read_bytes",
        "_response",
        "content",
        "message",
        "protocol",
    )

    def __init__(
        self,
        message: RawRequestMessage,
        content: StreamReader,
        protocol: RequestHandler,
        *,
        expect_continue: bool = False,
    ) -> None:
        self.message = message
        self.content = content
        self.protocol = protocol
        self._continue_due = expect_continue
        self._response: StreamResponse | None = None
        self._query: MultiDictProxy[str] | None = None
        self._read_bytes: bytes | None = None

    # -- the head --------------------------------------------------------------

    @property
    def method(self) -> str:
        """The request method, e.g. ``"GET"``."""
        return self.message.method

    @property
    def version(self) -> HttpVersion:
        """The HTTP version, e.g. ``HttpVersion(1, 1)``."""
        return self.message.version

    @property
    def raw_path(self) -> str:
        """The request-target exactly as sent (path and query, not decoded)."""
        return self.message.path

    @property
    def path(self) -> str:
        """The percent-decoded path, without the query (``"*"`` and authority targets as sent)."""
        target = self.message.path
        if target.startswith("/"):
            return unquote(target.partition("?")[0])
        if "://" in target:  # absolute-form: RFC 9112 §3.2.2
            rest = target.partition("://")[2]
            i = rest.find("/")
            return unquote(rest[i:].partition("?")[0]) if i != -1 else "/"
        return target

    @property
    def query_string(self) -> str:
        """The query part of the target, without ``?`` (empty when none)."""
        return self.message.path.partition("?")[2]

    @property
    def query(self) -> MultiDictProxy[str]:
        """The query parsed as ``application/x-www-form-urlencoded`` (blank values kept)."""
        if self._query is None:
            self._query = MultiDictProxy(
                MultiDict(parse_qsl(self.query_string, keep_blank_values=True))
            )
        return self._query

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The header fields, case-insensitive."""
        return self.message.headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The header fields as ``(name, value)`` bytes pairs, in arrival order."""
        return self.message.raw_headers

    @property
    def host(self) -> str:
        """The ``Host`` header, else the local address the request came in on."""
        host = self.message.headers.get(hdrs.HOST)
        if host:
            return host
        sockname = self.protocol.get_extra_info("sockname")
        if isinstance(sockname, tuple) and len(sockname) >= 2:
            addr = str(sockname[0])
            return f"[{addr}]:{sockname[1]}" if ":" in addr else f"{addr}:{sockname[1]}"
        return "localhost"

    @property
    def secure(self) -> bool:
        """True when the connection is TLS."""
        return self.protocol.get_extra_info("sslcontext") is not None

    @property
    def scheme(self) -> str:
        """``"https"`` on a TLS connection, else ``"http"``."""
        return "https" if self.secure else "http"

    @property
    def url(self) -> str:
        """The absolute URL of the request, built from the scheme, ``Host`` and the target."""
        target = self.message.path
        if "://" in target:
            return target
        if not target.startswith("/"):
            target = "/" if self.method == "OPTIONS" else ""
        return f"{self.scheme}://{self.host}{target}"

    @property
    def remote(self) -> str | None:
        """The peer's address (IP for TCP), or None when unknown."""
        peer = self.protocol.get_extra_info("peername")
        if isinstance(peer, (list, tuple)) and peer:
            return str(peer[0])
        return str(peer) if peer else None

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport (None once it is lost)."""
        return self.protocol.transport

    @property
    def keep_alive(self) -> bool:
        """Whether the client allows the connection to be reused (RFC 9112 §9.3)."""
        return not self.message.should_close

    @property
    def content_length(self) -> int | None:
        """The ``Content-Length`` header as an int, or None."""
        value = self.message.headers.get(hdrs.CONTENT_LENGTH)
        # The parser accepted it: digits, possibly repeated identically ("5, 5").
        return int(value.partition(",")[0]) if value is not None else None

    @property
    def content_type(self) -> str:
        """The media type of the body (``application/octet-stream`` when absent)."""
        value = self.message.headers.get(hdrs.CONTENT_TYPE)
        if not value:
            return "application/octet-stream"
        mt = parse_mimetype(value)
        return f"{mt.type}/{mt.subtype}" + (f"+{mt.suffix}" if mt.suffix else "")

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``, or None."""
        value = self.message.headers.get(hdrs.CONTENT_TYPE)
        return parse_mimetype(value).parameters.get("charset") if value else None

    @property
    def body_exists(self) -> bool:
        """True when the request has a body (chunked or a non-zero Content-Length)."""
        return self.message.chunked or bool(self.content_length)

    @property
    def can_read_body(self) -> bool:
        """True while unread body bytes remain."""
        return not self.content.at_eof()

    # -- the body --------------------------------------------------------------

    async def read(self) -> bytes:
        """Read the whole body (cached); bounded by the server's ``max_body_size``.

        Raises:
            BodyTooLarge: the body is over the limit (answered 413).
            BadHttpMessage: the body is malformed (answered 400).
            TimeoutError: no body data within the server's ``read_timeout``.
        """
        if self._read_bytes is None:
            self._read_bytes = await self.content.read()
        return self._read_bytes

    async def text(self, encoding: str | None = None) -> str:
        """Read the body and decode it with ``encoding``, the charset, or UTF-8."""
        body = await self.read()
        return body.decode(encoding or self.charset or "utf-8", "replace")

    async def json(self, *, loads: Callable[[str], Any] = json.loads) -> Any:
        """Read the body and parse it as JSON with ``loads`` (ValueError if invalid)."""
        return loads(await self.text())

    # -- the connection --------------------------------------------------------

    async def upgrade(self, response: StreamResponse | None = None) -> UpgradedConnection:
        """Take over the connection after sending ``response`` (default ``101``).

        For a request with ``Connection: upgrade`` and ``Upgrade`` (or a
        ``CONNECT``): sends the response head, waits until the parser handed
        the connection off (``Upgraded``), and returns an
        :class:`UpgradedConnection` with the transport and the unparsed tail
        bytes. The connection is no longer HTTP/1.1: when the handler
        returns, the server closes it, unless the handler switched the
        transport to its own protocol (:meth:`UpgradedConnection.set_protocol`).

        Raises:
            RuntimeError: the request is not an upgrade request, or a
                response was already started.
            ValueError: an unread request body larger than the server's
                ``max_discard_size``.
        """
        if not self.message.upgrade:
            raise RuntimeError("not an upgrade request (needs Connection: upgrade and Upgrade)")
        if self._response is not None:
            raise RuntimeError("a response was already started for this request")
        if response is None:
            from ._server_response import StreamResponse

            response = StreamResponse(status=101)
            if self.method != "CONNECT":
                response.headers[hdrs.CONNECTION] = "upgrade"
                response.headers[hdrs.UPGRADE] = self.message.headers.get(hdrs.UPGRADE, "")
        return await self.protocol.upgrade_connection(self, response)

    # -- server internals ------------------------------------------------------

    def _send_continue(self) -> None:
        """Send ``100 Continue`` before the first body read, if still due."""
        if self._continue_due:
            self._continue_due = False
            if self._response is None and not self.content.at_eof():
                self.protocol.write_head(_CONTINUE)

    def _response_started(self, response: StreamResponse) -> None:
        if self._response is not None and self._response is not response:
            raise RuntimeError("another response was already started for this request")
        self._response = response

    def _keep_alive_for_response(self) -> bool:
        """Whether the response about to be sent may keep the connection open."""
        if self.message.should_close or not self.protocol.keep_alive_possible():
            return False
        # RFC 9110 §10.1.1: a final answer before the client sent the body it
        # was told to wait for: we cannot tell what it will send; close.
        return not (self._continue_due and not self.content.at_eof())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.method} {self.message.path}>"
