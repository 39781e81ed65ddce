"""Proxies: choosing the proxy of a request, CONNECT tunnels and SOCKS connections.

Theory of operation. The session picks the proxy of each request (and of
each redirect hop again) with :func:`select_proxy`: the request's ``proxy``,
else the session's, else with ``trust_env`` the environment's
(``*_PROXY``/``NO_PROXY``, credentials from the URL or ``.netrc``). The
proxy becomes part of the request's :class:`ConnectionKey`, so proxied
connections are pooled apart from direct ones. Then, by proxy scheme:

* ``http://`` / ``https://`` proxy, ``http`` target: the connector opens a
  (TLS, for an ``https`` proxy) connection to the proxy and the request goes
  in absolute form (``GET http://host/path``) with ``Proxy-Authorization``
  and the ``proxy_headers``;
* ``http://`` / ``https://`` proxy, ``https`` target: :func:`establish_tunnel`
  sends ``CONNECT host:port`` (with the proxy credentials and headers, which
  therefore never reach the origin), reads the answer with aiohttp-http's
  parser and wraps the tunnel in TLS with ``loop.start_tls`` (TLS in TLS for
  an ``https`` proxy, Python 3.11+);
* ``socks4://``, ``socks4a://``, ``socks5://``, ``socks5h://``:
  :func:`open_socks` runs the SOCKS handshake, then TLS for ``https``.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
from collections.abc import Callable
from typing import TYPE_CHECKING

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_http import (
    BadHttpMessage,
    HttpResponseParser,
    HttpVersion11,
    RawResponseMessage,
    Upgraded,
    hdrs,
    serialize_request_head,
)

from ._abc import AbstractResolver
from ._auth import BasicAuth
from ._client_proto import ResponseHandler
from ._exceptions import (
    ClientConnectionError,
    ClientHttpProxyError,
    ClientProxyConnectionError,
    ConnectionTimeoutError,
)
from ._proxy_env import PROXY_SCHEMES, get_env_proxy_for_url
from ._reqinfo import ConnectionKey, RequestInfo
from ._socks_connect import SOCKS_SCHEMES, create_socks_connection
from ._timeouts import ClientTimeout, timeout_after
from ._tls import tls_errors
from ._typedefs import LooseHeaders, StrOrURL

if TYPE_CHECKING:
    from ._request import ClientRequest

__all__ = [
    "HTTP_PROXY_SCHEMES",
    "establish_tunnel",
    "merge_proxy_headers",
    "normalize_proxy",
    "open_socks",
    "proxy_connection_key",
    "proxy_headers_hash",
    "select_proxy",
]

#: Proxy schemes spoken with HTTP (absolute-form requests and CONNECT).
HTTP_PROXY_SCHEMES = frozenset({"http", "https"})


def normalize_proxy(
    proxy: StrOrURL | None, proxy_auth: BasicAuth | None
) -> tuple[URL | None, BasicAuth | None]:
    """Validate a proxy URL; move its credentials to ``proxy_auth`` (unless given).

    Raises:
        ValueError: an unsupported scheme, no host, or ``proxy_auth`` that is
            not a :class:`BasicAuth`.
    """
    if proxy is None:
        return None, None
    url = URL(proxy) if isinstance(proxy, str) else proxy
    scheme = url.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise ValueError(
            f"Unsupported proxy scheme {url.scheme!r} in {str(url.with_user(None))[:100]!r} "
            f"(supported: {', '.join(sorted(PROXY_SCHEMES))})"
        )
    if not url.host:
        raise ValueError(f"The proxy URL {str(url)[:100]!r} has no host")
    if proxy_auth is not None and not isinstance(proxy_auth, BasicAuth):
        raise ValueError("proxy_auth must be None or a BasicAuth")
    if url.raw_user is not None:
        if proxy_auth is None:
            proxy_auth = BasicAuth(url.user or "", url.password or "")
        url = url.with_user(None)
    return url, proxy_auth


def select_proxy(
    url: URL, proxy: StrOrURL | None, proxy_auth: BasicAuth | None, *, trust_env: bool
) -> tuple[URL | None, BasicAuth | None]:
    """The proxy and its credentials for a request to ``url``.

    An explicit ``proxy`` wins (``NO_PROXY`` does not apply to it); else, with
    ``trust_env``, the environment's proxy for ``url``'s scheme unless
    ``NO_PROXY`` exempts it.

    Raises:
        ValueError: a malformed proxy URL (explicit or from the environment).
    """
    if proxy is not None:
        return normalize_proxy(proxy, proxy_auth)
    if trust_env:
        try:
            return get_env_proxy_for_url(url)
        except LookupError:
            return None, None
    return None, None


def proxy_headers_hash(headers: CIMultiDict[str] | None) -> int | None:
    """The pool-key part of ``proxy_headers`` (``None`` without any)."""
    if not headers:
        return None
    return hash(tuple(headers.items()))


def proxy_connection_key(proxy: URL, ssl: object) -> ConnectionKey:
    """The key naming the proxy itself in errors about reaching it."""
    host = proxy.raw_host or ""
    port = proxy.port or 0
    return ConnectionKey(host, port, proxy.scheme == "https", ssl, None, None, None)  # type: ignore[arg-type]


def _authority(url: URL) -> str:
    host = url.raw_host or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{url.port}"


class _ConnectProtocol(asyncio.Protocol):
    """Reads the proxy's answer to ``CONNECT``, then pauses the transport."""

    def __init__(
        self,
        transport: asyncio.BaseTransport,
        waiter: asyncio.Future[tuple[RawResponseMessage, bytes]],
        lost_error: Callable[[BaseException | None], BaseException],
    ) -> None:
        self._transport = transport
        self._waiter = waiter
        self._lost_error = lost_error
        self._parser = HttpResponseParser(request_method="CONNECT", lenient=True)
        self._parser.expect_response("CONNECT")
        self._message: RawResponseMessage | None = None

    def _finish(self, tail: bytes) -> None:
        assert self._message is not None
        if not self._waiter.done():
            self._waiter.set_result((self._message, tail))
        self._transport.pause_reading()  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        if self._waiter.done():
            return
        try:
            events = self._parser.feed_data(data)
        except BadHttpMessage as exc:
            self._waiter.set_exception(
                ClientConnectionError(f"Malformed answer of the proxy to CONNECT: {exc}")
            )
            return
        for event in events:
            if type(event) is RawResponseMessage and event.code >= 200:
                self._message = event
                if not 200 <= event.code < 300:
                    self._finish(b"")  # refused: the connection will be closed
                    return
            elif type(event) is Upgraded and self._message is not None:
                self._finish(event.tail)
                return

    def connection_lost(self, exc: BaseException | None) -> None:
        if not self._waiter.done():
            self._waiter.set_exception(self._lost_error(exc))


async def establish_tunnel(
    proto: ResponseHandler,
    req: ClientRequest,
    factory: Callable[[], ResponseHandler],
    ssl_context: ssl_module.SSLContext,
    server_hostname: str | None,
    timeout: ClientTimeout,
) -> ResponseHandler:
    """Turn a connection to an HTTP proxy into a TLS tunnel to ``req``'s origin.

    Sends ``CONNECT host:port`` with ``Proxy-Authorization`` (from
    ``req.proxy_auth``) and ``req.proxy_headers``; on a 2xx answer runs the TLS
    handshake with the origin inside the tunnel and returns a fresh
    :class:`ResponseHandler` owning the TLS transport. ``sock_connect`` bounds
    the exchange and the handshake.

    Raises:
        ClientHttpProxyError: the proxy answered with a non-2xx status
            (``status``, ``message`` and ``headers`` of its answer).
        ClientProxyConnectionError: the proxy closed the connection first.
        ClientConnectorCertificateError, ClientConnectorSSLError: TLS failed.
        ConnectionTimeoutError: ``sock_connect`` expired.
    """
    assert req.proxy is not None
    transport = proto.transport
    assert transport is not None
    loop = asyncio.get_running_loop()
    authority = _authority(req.url)
    headers: CIMultiDict[str] = CIMultiDict({hdrs.HOST: authority})
    if req.proxy_headers:
        headers.update(req.proxy_headers)
    if req.proxy_auth is not None and hdrs.PROXY_AUTHORIZATION not in headers:
        headers[hdrs.PROXY_AUTHORIZATION] = req.proxy_auth.encode()
    proxy_key = proxy_connection_key(req.proxy, req.ssl)

    def lost(exc: BaseException | None) -> BaseException:
        reason = exc if isinstance(exc, OSError) else None
        return ClientProxyConnectionError(
            proxy_key,
            reason or ConnectionResetError("the proxy closed the connection during CONNECT"),
        )

    waiter: asyncio.Future[tuple[RawResponseMessage, bytes]] = loop.create_future()
    transport.set_protocol(_ConnectProtocol(transport, waiter, lost))
    try:
        async with timeout_after(
            timeout.sock_connect,
            exc_type=ConnectionTimeoutError,
            message=f"Connection timeout to host {authority} through proxy {req.proxy}",
            ceil_threshold=timeout.ceil_threshold,
        ):
            transport.write(serialize_request_head("CONNECT", authority, headers, HttpVersion11))
            message, tail = await waiter
            if not 200 <= message.code < 300:
                raise ClientHttpProxyError(
                    RequestInfo(req.url, hdrs.METH_CONNECT, CIMultiDictProxy(headers)),
                    (),
                    status=message.code,
                    message=message.reason,
                    headers=message.headers,
                )
            if tail:
                raise ClientConnectionError(
                    f"The proxy sent {len(tail)} bytes after its CONNECT answer, "
                    "before the TLS handshake"
                )
            handler = factory()
            with tls_errors(req.connection_key):
                tls_transport = await loop.start_tls(
                    transport, handler, ssl_context, server_hostname=server_hostname
                )
    except BaseException:
        transport.close()
        raise
    if tls_transport is None:
        raise ClientProxyConnectionError(
            proxy_key, ConnectionResetError("the tunnel closed during the TLS handshake")
        )
    assert isinstance(tls_transport, asyncio.Transport)
    handler.connection_made(tls_transport)
    return handler


async def open_socks(
    factory: Callable[[], ResponseHandler],
    req: ClientRequest,
    ssl_context: ssl_module.SSLContext | None,
    server_hostname: str | None,
    timeout: ClientTimeout,
    *,
    resolver: AbstractResolver | None,
    local_addr: tuple[str, int] | None,
) -> ResponseHandler:
    """Open ``req``'s connection through its SOCKS proxy (TLS inside for ``https``).

    Raises:
        ClientProxyConnectionError: the proxy cannot be reached.
        SocksError: the SOCKS handshake failed (a ``ClientConnectionError``).
        ConnectionTimeoutError: ``sock_connect`` expired (:class:`SocksTimeoutError`).
        ClientConnectorCertificateError, ClientConnectorSSLError: TLS failed.
    """
    proxy = req.proxy
    assert proxy is not None and proxy.scheme in SOCKS_SCHEMES
    try:
        with tls_errors(req.connection_key):
            _, proto = await create_socks_connection(
                factory,
                proxy,
                req.host,
                req.port or 0,
                proxy_auth=req.proxy_auth,
                ssl=ssl_context,
                server_hostname=server_hostname,
                timeout=timeout.sock_connect or None,
                resolver=resolver,
                local_addr=local_addr,
            )
    except ClientConnectionError:
        raise
    except OSError as exc:
        raise ClientProxyConnectionError(proxy_connection_key(proxy, req.ssl), exc) from exc
    return proto


def merge_proxy_headers(headers: LooseHeaders | None) -> CIMultiDict[str] | None:
    """``proxy_headers`` as a multidict (``None`` when empty)."""
    if not headers:
        return None
    return CIMultiDict(headers)
