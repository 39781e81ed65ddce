"""``ClientResponse``: the status, headers and body stream of a response."""

from __future__ import annotations

import asyncio
import json as json_module
import warnings
from collections.abc import Callable, Sequence
from http.cookies import CookieError, SimpleCookie
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from multidict import CIMultiDictProxy, MultiDictProxy
from yarl import URL

from aiohttp_http import (
    HttpProcessingError,
    HttpVersion,
    RawHeaders,
    StreamReader,
    hdrs,
)
from aiohttp_multipart import content_disposition_filename, parse_content_disposition

from ._connection import Connection
from ._exceptions import ClientConnectionError, ClientResponseError, ContentTypeError
from ._helpers import (
    CharsetResolver,
    content_type_parts,
    detect_charset,
    is_expected_content_type,
    parse_links,
    valid_charset,
)
from ._reqinfo import RequestInfo

if TYPE_CHECKING:
    from ._client_proto import ResponseHandler
    from ._tracing import Trace

__all__ = ["ClientResponse", "ContentDisposition"]


class ContentDisposition(NamedTuple):
    """A parsed ``Content-Disposition`` header (``ClientResponse.content_disposition``).

    Attributes:
        type: the disposition type, e.g. ``"attachment"`` (``None`` if unparseable).
        parameters: read-only mapping of the parameters.
        filename: the file name (``filename*`` preferred), or ``None``.
    """

    type: str | None
    parameters: MappingProxyType[str, str]
    filename: str | None


class ClientResponse:
    """A response (aiohttp 3.x's ``ClientResponse``); made by the session, never by hand.

    Read the body with :meth:`read`, :meth:`text`, :meth:`json` or the
    :attr:`content` stream. The connection returns to the pool as soon as the
    whole body has arrived; :meth:`release` (or leaving ``async with``)
    before that closes it, as the rest of the body would make it unusable.
    """

    version: HttpVersion | None = None
    status: int = None  # type: ignore[assignment]
    reason: str | None = None
    content: StreamReader = None  # type: ignore[assignment]
    _headers: CIMultiDictProxy[str] = None  # type: ignore[assignment]
    _raw_headers: RawHeaders = ()

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        request_info: RequestInfo,
        writer: asyncio.Task[None] | None,
        loop: asyncio.AbstractEventLoop,
        fallback_charset_resolver: CharsetResolver = detect_charset,
        on_released: Callable[[], None] | None = None,
        traces: Sequence[Trace] | None = None,
    ) -> None:
        self.method = method
        self._url = url
        self._real_url = request_info.real_url
        self._request_info = request_info
        self._writer = writer
        self._loop = loop
        self._fallback_charset_resolver = fallback_charset_resolver
        self._on_released = on_released
        self._traces: Sequence[Trace] = traces or ()
        self._connection: Connection | None = None
        self._body: bytes | None = None
        self._history: tuple[ClientResponse, ...] = ()
        self._cookies: SimpleCookie | None = None
        self._closed = True  # until start()
        self._released = False

    def __repr__(self) -> str:
        return f"<ClientResponse({self._real_url}) [{self.status} {self.reason}]>"

    def __del__(self, _warnings: object = warnings) -> None:
        if self._closed or self._connection is None:
            return
        self._connection.release()
        self._cleanup_writer()
        if self._loop.get_debug():
            warnings.warn(f"Unclosed response {self!r}", ResourceWarning, stacklevel=1)

    # --- receiving -------------------------------------------------------------------

    async def start(self, connection: Connection) -> ClientResponse:
        """Wait for the response head on ``connection``.

        Raises:
            ClientResponseError: the head is malformed (status of the parse error).
            ServerDisconnectedError, ClientOSError, SocketTimeoutError: see
                :meth:`ResponseHandler.read_head`.
        """
        self._closed = False
        self._connection = connection
        protocol = connection.protocol
        assert protocol is not None
        try:
            message, payload = await protocol.read_head()
        except HttpProcessingError as exc:
            raise ClientResponseError(
                self._request_info,
                self._history,
                status=exc.code,
                message=exc.message,
                headers=exc.headers,  # type: ignore[arg-type]
            ) from exc
        self.version = message.version
        self.status = message.code
        self.reason = message.reason
        self._headers = message.headers
        self._raw_headers = message.raw_headers
        self.content = payload
        if payload.is_eof():
            self._response_eof()
        else:
            payload.on_eof(self._response_eof)
        return self

    def _response_eof(self) -> None:
        """The body arrived whole: give the connection back (pooled if reusable)."""
        if self._closed:
            return
        connection = self._connection
        if connection is not None:
            protocol = connection.protocol
            if protocol is not None and protocol.upgraded_tail is not None:
                return  # an upgraded connection belongs to the new protocol's user
            self._connection = None
            connection.release()
        self._closed = True
        self._cleanup_writer()
        self._notify_released()

    def _take_upgraded(self) -> tuple[Connection, bytes]:
        """After a ``101``: hand the connection over, with the bytes that followed the head.

        The response lets the connection go (it is closed by its new owner,
        never pooled) and counts as released, which stops the request's
        ``total`` timer.

        Raises:
            ClientConnectionError: the response holds no switched connection.
        """
        connection = self._connection
        protocol = connection.protocol if connection is not None else None
        if connection is None or protocol is None or protocol.upgraded_tail is None:
            raise ClientConnectionError("the response holds no upgraded connection")
        tail = protocol.take_upgraded()
        self._connection = None
        self._closed = True
        self._cleanup_writer()
        self._notify_released()
        return connection, tail

    def _notify_released(self) -> None:
        if not self._released:
            self._released = True
            if self._on_released is not None:
                self._on_released()

    def _cleanup_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None and not writer.done():
            writer.cancel()

    # --- properties ------------------------------------------------------------------

    @property
    def url(self) -> URL:
        """The URL of the request (without fragment)."""
        return self._url

    @property
    def real_url(self) -> URL:
        """The URL as requested, fragment included."""
        return self._real_url

    @property
    def host(self) -> str:
        """The URL's host."""
        host = self._url.host
        assert host is not None
        return host

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The response headers."""
        return self._headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The headers as received: ``(name, value)`` bytes pairs."""
        return self._raw_headers

    @property
    def request_info(self) -> RequestInfo:
        """The :class:`RequestInfo` of the request."""
        return self._request_info

    @property
    def history(self) -> tuple[ClientResponse, ...]:
        """The redirect responses that led here, earliest first."""
        return self._history

    @property
    def connection(self) -> Connection | None:
        """The connection, until the body is read or the response released."""
        return self._connection

    @property
    def ok(self) -> bool:
        """``True`` when :attr:`status` is below 400."""
        return self.status < 400

    @property
    def closed(self) -> bool:
        """True once the body was read whole, or the response released or closed."""
        return self._closed

    @property
    def cookies(self) -> SimpleCookie:
        """The cookies set by this response (``Set-Cookie``); unparseable ones skipped."""
        if self._cookies is None:
            jar: SimpleCookie = SimpleCookie()
            for value in self._headers.getall(hdrs.SET_COOKIE, ()):
                try:
                    jar.load(value)
                except CookieError:
                    continue
            self._cookies = jar
        return self._cookies

    @cookies.setter
    def cookies(self, value: SimpleCookie) -> None:
        self._cookies = value

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` without parameters (``application/octet-stream`` if none)."""
        return content_type_parts(self._headers.get(hdrs.CONTENT_TYPE))[0]

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``, or ``None``."""
        return content_type_parts(self._headers.get(hdrs.CONTENT_TYPE))[1].get("charset")

    @property
    def content_length(self) -> int | None:
        """``Content-Length`` as an int, or ``None``."""
        value = self._headers.get(hdrs.CONTENT_LENGTH)
        return int(value) if value is not None and value.isdigit() else None

    @property
    def content_disposition(self) -> ContentDisposition | None:
        """The parsed ``Content-Disposition``, or ``None`` without one."""
        raw = self._headers.get(hdrs.CONTENT_DISPOSITION)
        if raw is None:
            return None
        disposition_type, params = parse_content_disposition(raw)
        return ContentDisposition(
            disposition_type,
            MappingProxyType(dict(params)),
            content_disposition_filename(params),
        )

    @property
    def links(self) -> MultiDictProxy[MultiDictProxy[str | URL]]:
        """The ``Link`` header parsed (RFC 8288), keyed by ``rel`` (or by URL)."""
        return parse_links(self._headers.getall(hdrs.LINK, []), self._url)

    def get_encoding(self) -> str:
        """The body's text encoding: the ``Content-Type`` charset if Python knows it, UTF-8
        for JSON (RFC 8259 §8.1), else what ``fallback_charset_resolver`` says (by
        default a chardet guess).

        Raises:
            RuntimeError: the body was not read yet and the resolver needs it.
        """
        mimetype, params = content_type_parts(self._headers.get(hdrs.CONTENT_TYPE))
        charset = valid_charset(params.get("charset"))
        if charset is not None:
            return charset
        if (
            is_expected_content_type(mimetype, "application/json")
            or mimetype == "application/rdap+json"
        ):
            return "utf-8"
        if self._body is None:
            raise RuntimeError("Cannot compute the fallback encoding of a not yet read body")
        return self._fallback_charset_resolver(self, self._body)

    # --- reading ---------------------------------------------------------------------

    async def read(self) -> bytes:
        """Read the whole body (once; later calls return the same bytes).

        Raises:
            ClientPayloadError: the body was truncated or could not be decoded.
            ClientConnectionError: the response was released before the body was read.
        """
        if self._body is None:
            try:
                self._body = await self.content.read()
            except BaseException:
                self.close()
                raise
            for trace in self._traces:
                await trace.send_response_chunk_received(self.method, self._url, self._body)
        return self._body

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        """Read the body and decode it (``encoding`` or :meth:`get_encoding`).

        Raises:
            ClientPayloadError: see :meth:`read`.
            UnicodeDecodeError: with ``errors="strict"`` on undecodable bytes.
            LookupError: the encoding is unknown to Python.
        """
        body = await self.read()
        return body.decode(encoding or self.get_encoding(), errors)

    async def json(
        self,
        *,
        encoding: str | None = None,
        loads: Callable[[str], Any] = json_module.loads,
        content_type: str | None = "application/json",
    ) -> Any:
        """Read the body as JSON; ``None`` for an empty (or blank) body.

        Args:
            encoding: the text encoding (default :meth:`get_encoding`).
            loads: the JSON decoder.
            content_type: the expected media type (``application/json`` also
                accepts ``+json`` types); ``None`` skips the check.

        Raises:
            ContentTypeError: the response has another ``Content-Type``.
            ValueError: from ``loads`` on invalid JSON.
        """
        body = await self.read()
        if content_type:
            mimetype = self.content_type
            if not is_expected_content_type(mimetype, content_type):
                raise ContentTypeError(
                    self._request_info,
                    self._history,
                    status=self.status,
                    message=f"Attempt to decode JSON with unexpected mimetype: {mimetype}",
                    headers=self._headers,
                )
        if not body.strip():
            return None
        return loads(body.decode(encoding or self.get_encoding()))

    # --- releasing -------------------------------------------------------------------

    def release(self) -> Any:
        """Give the connection back: pooled if the body arrived whole, closed otherwise.

        Returns an already finished awaitable, so ``await resp.release()`` also works.
        """
        if not self._closed:
            connection, self._connection = self._connection, None
            if connection is not None:
                connection.release()
            self._closed = True
        if self._writer is not None:
            self._cleanup_writer()
        if not self._released:
            self._notify_released()
        return _DONE

    def close(self) -> None:
        """Close the response and its connection (never pooled)."""
        if not self._closed:
            self._closed = True
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        self._cleanup_writer()
        self._notify_released()

    async def wait_for_close(self) -> None:
        """Wait for the request body writer to finish, then release the response."""
        writer = self._writer
        if writer is not None:
            try:
                await writer
            finally:
                self._writer = None
        self.release()

    def raise_for_status(self) -> None:
        """Raise :class:`ClientResponseError` if :attr:`status` is 400 or more.

        The response is released first.
        """
        if self.status >= 400:
            self.release()
            raise ClientResponseError(
                self._request_info,
                self._history,
                status=self.status,
                message=self.reason or "",
                headers=self._headers,
            )

    @property
    def _protocol(self) -> ResponseHandler | None:
        return self._connection.protocol if self._connection is not None else None

    async def __aenter__(self) -> ClientResponse:
        """Return self."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """Release the response (the connection is closed unless the body was read)."""
        self.release()


class _Done:
    """An awaitable that is already finished."""

    __slots__ = ()

    def __await__(self) -> Any:
        return iter(())


_DONE = _Done()
