"""``ClientRequest``: one HTTP request: its head, its body, and sending it on a connection."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from http.cookies import BaseCookie, Morsel, SimpleCookie
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_http import (
    BaseTimerContext,
    BytesPayload,
    HttpVersion,
    HttpVersion11,
    InvalidOutgoingField,
    StreamWriter,
    hdrs,
    serialize_request_head,
)

from ._auth import BasicAuth
from ._body import RequestBody
from ._client_proto import ResponseHandler
from ._exceptions import (
    ClientConnectionError,
    ClientConnectionResetError,
    ClientOSError,
    InvalidUrlClientError,
    ServerTimeoutError,
)
from ._fingerprint import Fingerprint
from ._helpers import DEFAULT_ACCEPT_ENCODING, DEFAULT_USER_AGENT
from ._proxy import HTTP_PROXY_SCHEMES, merge_proxy_headers, proxy_headers_hash
from ._reqinfo import ConnectionKey, RequestInfo
from ._timeouts import timeout_after
from ._typedefs import LooseHeaders

if TYPE_CHECKING:
    import ssl as ssl_module

    from ._connection import Connection
    from ._tracing import Trace

__all__ = ["DEFAULT_EXPECT100_TIMEOUT", "ClientRequest"]

#: Seconds to wait for ``100 Continue`` before sending the body anyway (RFC 9110 §10.1.1).
DEFAULT_EXPECT100_TIMEOUT = 1.0

_GET_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SMALL_BODY = 2**16
_AUTO_HEADERS = (
    (hdrs.ACCEPT, "accept", "*/*"),
    (hdrs.ACCEPT_ENCODING, "accept-encoding", DEFAULT_ACCEPT_ENCODING),
    (hdrs.USER_AGENT, "user-agent", DEFAULT_USER_AGENT),
)
_NO_SKIP: frozenset[str] = frozenset()


def _cookie_header(
    jar_cookies: BaseCookie[str] | None, cookies: Any, existing: str | None
) -> str | None:
    if not jar_cookies and not cookies:
        return existing
    jar: SimpleCookie = SimpleCookie()
    if existing:
        jar.load(existing)
    if jar_cookies:
        for name, morsel in jar_cookies.items():
            jar[name] = morsel
    if cookies:
        items = cookies.items() if isinstance(cookies, Mapping) else cookies
        for name, value in items:
            if isinstance(value, Morsel):
                own: Morsel[str] = Morsel()
                own.set(value.key, value.value, value.coded_value)
                jar[name] = own
            else:
                jar[name] = value
    return jar.output(header="", sep=";").strip() or None


class ClientRequest:
    """One request (aiohttp 3.x's ``ClientRequest``): built by the session, sent by :meth:`send`.

    Args:
        method: the method (upper-cased).
        url: the absolute URL (``http``/``https``); its fragment is not sent.
        headers: headers given by the caller (session and request merged).
        skip_auto_headers: auto headers not to add (``User-Agent``, ``Accept``...).
        body: the body from :func:`make_body`, or ``None``.
        cookies: per-request cookies; ``jar_cookies``: those of the session jar.
        auth: Basic credentials (sets ``Authorization``).
        version: the HTTP version.
        compress: ``True`` (deflate) or a coding name to compress the body.
        chunked: force chunked transfer coding.
        expect100: send ``Expect: 100-continue`` and wait before the body.
        ssl, server_hostname: TLS settings of ``https`` requests.
        proxy, proxy_auth, proxy_headers: the proxy of the request (see
            :mod:`._proxy`); an ``http`` request through an HTTP proxy goes in
            absolute form with ``Proxy-Authorization`` and ``proxy_headers``,
            an ``https`` one through a ``CONNECT`` tunnel that carries them.
        traces: the request's :class:`Trace` objects (headers and chunks sent).

    Raises:
        ValueError: contradictory framing (``chunked`` with ``Content-Length``,
            ``compress`` with ``Content-Encoding``).
        InvalidUrlClientError: the URL has no host.
    """

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        headers: CIMultiDict[str] | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        body: RequestBody | None = None,
        cookies: Any = None,
        jar_cookies: BaseCookie[str] | None = None,
        auth: BasicAuth | None = None,
        version: HttpVersion = HttpVersion11,
        compress: bool | str | None = None,
        chunked: bool | None = None,
        expect100: bool = False,
        ssl: ssl_module.SSLContext | bool | Fingerprint = True,
        server_hostname: str | None = None,
        force_close: bool = False,
        proxy: URL | None = None,
        proxy_auth: BasicAuth | None = None,
        proxy_headers: LooseHeaders | None = None,
        traces: Sequence[Trace] | None = None,
    ) -> None:
        if url.raw_host is None:
            raise InvalidUrlClientError(url, "the URL has no host")
        self.method = method
        self.original_url = url
        self.url = url.with_fragment(None) if url.raw_fragment else url
        self.version = version
        self.auth = auth
        self.body = body
        self.ssl = ssl
        self.server_hostname = server_hostname
        self.chunked = bool(chunked)
        self.compress: str | None = (
            ("deflate" if compress is True else compress) if compress else None
        )
        self.expect100 = expect100
        self.proxy = proxy
        self.proxy_auth = proxy_auth if proxy is not None else None
        self.proxy_headers = merge_proxy_headers(proxy_headers) if proxy is not None else None
        self.traces: Sequence[Trace] = traces or ()
        # An http target through an HTTP proxy: absolute-form request line (RFC 9112 §3.2.2).
        self._absolute_form = (
            proxy is not None and proxy.scheme in HTTP_PROXY_SCHEMES and not self.is_ssl()
        )
        # Lower-cased: header names match case-insensitively.
        skip = frozenset(h.lower() for h in skip_auto_headers) if skip_auto_headers else _NO_SKIP
        self.skip_auto_headers = skip
        self.headers = self._build_headers(headers, skip, cookies, jar_cookies, auth, force_close)
        self._key: ConnectionKey | None = None
        self._key_url: URL | None = None

    def _build_headers(
        self,
        given: CIMultiDict[str] | None,
        skip: frozenset[str],
        cookies: Any,
        jar_cookies: BaseCookie[str] | None,
        auth: BasicAuth | None,
        force_close: bool,
    ) -> CIMultiDict[str]:
        url = self.url
        headers: CIMultiDict[str] = CIMultiDict()
        if given is None or hdrs.HOST not in given:
            # host[:port], the port only when not the scheme's default, IPv6 in brackets
            host = url.host_port_subcomponent
            assert host is not None
            headers[hdrs.HOST] = host
        if given:
            headers.extend(given)
        for name, lower, value in _AUTO_HEADERS:
            if lower not in skip and name not in headers:
                headers[name] = value
        cookie = _cookie_header(jar_cookies, cookies, headers.get(hdrs.COOKIE))
        if cookie is not None:
            headers[hdrs.COOKIE] = cookie
        if auth is not None:
            headers[hdrs.AUTHORIZATION] = auth.encode()
        if hdrs.EXPECT in headers and headers[hdrs.EXPECT].lower() == "100-continue":
            self.expect100 = True
        elif self.expect100:
            headers[hdrs.EXPECT] = "100-continue"
        self._proxy_request_headers(headers)
        if force_close and hdrs.CONNECTION not in headers:
            headers[hdrs.CONNECTION] = "close"
        elif self.version < HttpVersion11 and hdrs.CONNECTION not in headers:
            headers[hdrs.CONNECTION] = "keep-alive"
        self._body_headers(headers, skip)
        return headers

    def _proxy_request_headers(self, headers: CIMultiDict[str]) -> None:
        if self._absolute_form:
            # The proxy reads these from the request itself.
            if self.proxy_headers:
                headers.update(self.proxy_headers)
            if self.proxy_auth is not None:
                headers[hdrs.PROXY_AUTHORIZATION] = self.proxy_auth.encode()
        elif self.proxy is not None and hdrs.PROXY_AUTHORIZATION in headers:
            # Tunnelled (or SOCKS): a Proxy-Authorization header is for the proxy's
            # CONNECT only and must never reach the origin.
            value = headers.popall(hdrs.PROXY_AUTHORIZATION)[-1]
            if self.proxy.scheme in HTTP_PROXY_SCHEMES:
                extra = self.proxy_headers or CIMultiDict()
                extra.setdefault(hdrs.PROXY_AUTHORIZATION, value)
                self.proxy_headers = extra

    def _body_headers(self, headers: CIMultiDict[str], skip: frozenset[str]) -> None:
        body = self.body
        if self.compress:
            if headers.get(hdrs.CONTENT_ENCODING):
                raise ValueError("compress can not be set if Content-Encoding header is set")
            if body is not None:
                headers[hdrs.CONTENT_ENCODING] = self.compress
                self.chunked = True  # the compressed length is not known in advance
        te = headers.get(hdrs.TRANSFER_ENCODING, "").lower()
        if "chunked" in te:
            if self.chunked and not self.compress:
                raise ValueError(
                    "chunked can not be set if 'Transfer-Encoding: chunked' header is set"
                )
            self.chunked = True
        elif self.chunked and hdrs.CONTENT_LENGTH in headers:
            raise ValueError("chunked can not be set if Content-Length header is set")
        if body is None:
            if self.chunked and "chunked" not in te:
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
            elif (
                self.method not in _GET_METHODS
                and not self.chunked
                and hdrs.CONTENT_LENGTH not in headers
            ):
                headers[hdrs.CONTENT_LENGTH] = "0"
            return
        payload = body.payload
        size = payload.size
        if not self.chunked and size is None and hdrs.CONTENT_LENGTH not in headers:
            self.chunked = True
        if self.chunked:
            if "chunked" not in te:
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
        elif hdrs.CONTENT_LENGTH not in headers:
            headers[hdrs.CONTENT_LENGTH] = str(size)
        for name, value in payload.headers.items():
            if name in headers or name.lower() in skip or name == hdrs.CONTENT_LENGTH:
                continue
            headers[name] = value

    # --- properties ------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The URL's host."""
        host = self.url.raw_host
        assert host is not None
        return host

    @property
    def port(self) -> int | None:
        """The URL's port (default port of the scheme when absent)."""
        return self.url.port

    def is_ssl(self) -> bool:
        """Whether the request goes over TLS (``https``/``wss``)."""
        return self.url.scheme in ("https", "wss")

    @property
    def connection_key(self) -> ConnectionKey:
        """The pool key: requests with equal keys may share a connection."""
        key = self._key
        if key is None or self._key_url is not self.url:  # a middleware may change the URL
            self._key_url = self.url
            key = self._key = ConnectionKey(
                self.host,
                self.port,
                self.is_ssl(),
                self.ssl,
                self.proxy,
                self.proxy_auth,
                proxy_headers_hash(self.proxy_headers),
            )
        return key

    @property
    def request_info(self) -> RequestInfo:
        """What was requested, for responses and errors."""
        return RequestInfo(self.url, self.method, CIMultiDictProxy(self.headers), self.original_url)

    def _target(self) -> str:
        if self._absolute_form:
            return str(self.url.with_fragment(None))
        return self.url.raw_path_qs or "/"

    # --- sending ---------------------------------------------------------------------

    async def send(
        self,
        conn: Connection,
        read_until_eof: bool = True,
        auto_decompress: bool = True,
        read_bufsize: int = 2**18,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        read_timeout: float | None = None,
        write_timeout: float | None = None,
        timer: BaseTimerContext | None = None,
        expect100_timeout: float = DEFAULT_EXPECT100_TIMEOUT,
    ) -> asyncio.Task[None] | None:
        """Write the request on ``conn``; return the task still writing the body, if any.

        The head (and a small in-memory body) is written at once; other bodies
        are streamed by a task so that the response can be read meanwhile (a
        server may answer early). Errors of that task fail the response read.

        Raises:
            InvalidOutgoingField: CR, LF or NUL in the method, target or a header.
            ClientOSError: the connection is closed.
            ServerTimeoutError: ``write_timeout`` expired.
        """
        proto = conn.protocol
        if proto is None or proto.transport is None:
            raise ClientConnectionResetError("Cannot write to a closed connection")
        try:
            head = serialize_request_head(self.method, self._target(), self.headers, self.version)
        except InvalidOutgoingField:
            conn.release()
            raise
        proto.begin_request(
            self.method,
            read_until_eof,
            auto_decompress,
            read_bufsize,
            max_line_size,
            max_field_size,
            read_timeout,
            timer,
            self.expect100,
        )
        if hdrs.UPGRADE in self.headers:
            # A connection asked to switch protocols is never reused, whatever the answer.
            proto.force_close()
        transport = proto.transport
        body = self.body
        traces = self.traces
        if body is None:
            transport.write(head)
            if traces:
                await self._trace_headers()
            proto.start_read_timeout()
            return None
        payload = body.payload
        if type(payload) is BytesPayload and not (self.chunked or self.expect100):
            data = await payload.as_bytes()
            if len(data) < _SMALL_BODY:
                transport.write(head + data)
            else:
                transport.write(head)
                transport.write(data)
            if traces:
                await self._trace_headers()
                for trace in traces:
                    await trace.send_request_chunk_sent(self.method, self.url, data)
            if proto.writing_paused:
                await self._drain(proto, write_timeout)
            proto.start_read_timeout()
            return None
        transport.write(head)
        if traces:
            await self._trace_headers()
        proto.writing = True
        return asyncio.get_running_loop().create_task(
            self._write_body(proto, write_timeout, expect100_timeout)
        )

    async def _trace_headers(self) -> None:
        for trace in self.traces:
            await trace.send_request_headers(self.method, self.url, self.headers)

    async def _trace_chunk(self, chunk: bytes) -> None:
        for trace in self.traces:
            await trace.send_request_chunk_sent(self.method, self.url, chunk)

    async def _drain(self, proto: ResponseHandler, write_timeout: float | None) -> None:
        try:
            async with timeout_after(
                write_timeout,
                exc_type=ServerTimeoutError,
                message=f"Write timeout: sending the request to {self.url} took over {write_timeout}s",
            ):
                await proto._drain_helper()
        except ServerTimeoutError:
            proto.abort()
            raise
        except ConnectionResetError as exc:
            raise ClientOSError(exc.errno, f"Can not write request body for {self.url}") from exc

    async def _write_body(
        self, proto: ResponseHandler, write_timeout: float | None, expect100_timeout: float
    ) -> None:
        assert self.body is not None
        loop = asyncio.get_running_loop()
        writer = StreamWriter(proto, loop, on_chunk_sent=self._trace_chunk if self.traces else None)
        if self.compress:
            writer.enable_compression(self.compress)
        if self.chunked:
            writer.enable_chunking()
        else:
            length = self.headers.get(hdrs.CONTENT_LENGTH)
            writer.length = int(length) if length is not None and length.isdigit() else None
        try:
            if self.expect100:
                try:
                    go = await asyncio.wait_for(proto.wait_continue(), expect100_timeout)
                except asyncio.TimeoutError:
                    go = True  # RFC 9110 §10.1.1: the client may send the content anyway
                if not go:
                    # A final response came first: the body is never sent, so the
                    # connection cannot carry another request.
                    proto.force_close()
                    proto.writing = False
                    return
            async with timeout_after(
                write_timeout,
                exc_type=ServerTimeoutError,
                message=f"Write timeout: sending the request to {self.url} took over {write_timeout}s",
            ):
                await self.body.payload.write(writer)
                await writer.write_eof()
            proto.writing = False
            proto.start_read_timeout()
        except asyncio.CancelledError:
            proto.abort()
            raise
        except ServerTimeoutError as exc:
            proto.set_exception(exc)
            proto.abort()
        except OSError as exc:
            error = ClientOSError(exc.errno, f"Can not write request body for {self.url}")
            proto.set_exception(error, exc)
            proto.abort()
        except Exception as exc:
            proto.set_exception(
                ClientConnectionError(
                    f"Failed to send the request body ({self.body.kind}) to {self.url}: {exc}"
                ),
                exc,
            )
            proto.abort()

    def __repr__(self) -> str:
        return f"<ClientRequest({self.method} {self.url})>"
