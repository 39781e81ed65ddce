"""asyncio adapter of the SOCKS handshakes: open a tunnel, then hand the transport over.

:func:`create_socks_connection` has the shape of ``loop.create_connection``:
it connects to the proxy with a small handshake protocol that drives the
sans-IO machine of :mod:`._socks`, pauses reading the moment the tunnel is
open, then either switches the transport to the caller's protocol (feeding
it any bytes that came after the proxy's reply) or wraps it in TLS with
``loop.start_tls``. The caller's protocol sees ``connection_made`` exactly
once, with the final transport.
"""

from __future__ import annotations

import asyncio
import socket
import ssl as ssl_module
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from yarl import URL

from ._abc import AbstractResolver
from ._auth import BasicAuth
from ._socks import (
    Socks4Handshake,
    Socks5Handshake,
    SocksError,
    SocksProtocolError,
    SocksTimeoutError,
    _parse_ip_literal,
)
from ._timeouts import timeout_after

__all__ = [
    "DEFAULT_SOCKS_PORT",
    "DEFAULT_SOCKS_TIMEOUT",
    "SOCKS_SCHEMES",
    "create_socks_connection",
    "open_socks_connection",
]

#: Seconds allowed for connecting to the proxy, the SOCKS handshake and TLS.
DEFAULT_SOCKS_TIMEOUT = 30.0
#: The port of a SOCKS proxy URL without one (RFC 1928 §3).
DEFAULT_SOCKS_PORT = 1080
#: ``socks4``/``socks5`` resolve the destination locally; ``socks4a``/``socks5h``
#: send the host name for the proxy to resolve.
SOCKS_SCHEMES = frozenset({"socks4", "socks4a", "socks5", "socks5h"})

_Handshake = Socks4Handshake | Socks5Handshake
_P = TypeVar("_P", bound=asyncio.BaseProtocol)


@dataclass(frozen=True, slots=True)
class _SocksProxy:
    scheme: str
    host: str
    port: int
    auth: BasicAuth | None

    @property
    def remote_dns(self) -> bool:
        return self.scheme in ("socks4a", "socks5h")


def _parse_socks_url(proxy_url: URL | str, proxy_auth: BasicAuth | None) -> _SocksProxy:
    try:
        url = URL(proxy_url) if isinstance(proxy_url, str) else proxy_url
        port = url.port
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Malformed SOCKS proxy URL {str(proxy_url)[:100]!r}: {exc}") from None
    scheme = url.scheme.lower()
    if scheme not in SOCKS_SCHEMES:
        raise ValueError(
            f"Unsupported SOCKS proxy scheme {url.scheme!r} "
            f"(supported: {', '.join(sorted(SOCKS_SCHEMES))})"
        )
    if not url.host:
        raise ValueError(f"SOCKS proxy URL {str(url)[:100]!r} has no host")
    auth = proxy_auth
    if auth is None and url.user is not None:
        auth = BasicAuth(url.user, url.password or "")
    return _SocksProxy(scheme, url.host, port or DEFAULT_SOCKS_PORT, auth)


async def _resolve(
    loop: asyncio.AbstractEventLoop,
    resolver: AbstractResolver | None,
    host: str,
    port: int,
    family: socket.AddressFamily,
) -> str:
    if resolver is not None:
        results = await resolver.resolve(host, port, family)
        addresses = [result["host"] for result in results]
    else:
        infos = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise OSError(f"DNS lookup for {host!r} returned no addresses")
    return addresses[0]


class _HandshakeProtocol(asyncio.Protocol):
    """Drives a sans-IO handshake; resolves ``waiter`` with the leftover bytes."""

    def __init__(self, handshake: _Handshake, waiter: asyncio.Future[bytes]) -> None:
        self._handshake = handshake
        self._waiter = waiter
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.lost_exc: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self._handshake.data_to_send())

    def _fail(self, exc: BaseException) -> None:
        if not self._waiter.done():
            self._waiter.set_exception(exc)

    def data_received(self, data: bytes) -> None:
        if self._waiter.done():
            return
        try:
            self._handshake.receive_data(data)
        except SocksError as exc:
            self._fail(exc)
            return
        out = self._handshake.data_to_send()
        assert self.transport is not None
        if out:
            self.transport.write(out)
        if self._handshake.established:
            self.transport.pause_reading()
            self._waiter.set_result(self._handshake.leftover)

    def eof_received(self) -> bool | None:
        try:
            self._handshake.receive_eof()
        except SocksError as exc:
            self._fail(exc)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost, self.lost_exc = True, exc
        if not self._waiter.done():
            error = SocksProtocolError("SOCKS proxy closed the connection during the handshake")
            error.__cause__ = exc
            self._waiter.set_exception(error)


def _feed(protocol: asyncio.BaseProtocol, data: bytes) -> None:
    if isinstance(protocol, asyncio.BufferedProtocol):
        view = memoryview(data)
        while view:
            buffer = memoryview(protocol.get_buffer(len(view)))
            size = min(len(buffer), len(view))
            if not size:
                raise RuntimeError("BufferedProtocol.get_buffer() returned an empty buffer")
            buffer[:size] = view[:size]
            protocol.buffer_updated(size)
            view = view[size:]
    elif isinstance(protocol, asyncio.Protocol):
        protocol.data_received(data)
    else:
        raise TypeError(f"{protocol!r} cannot receive data")


async def create_socks_connection(
    protocol_factory: Callable[[], _P],
    proxy_url: URL | str,
    host: str,
    port: int,
    *,
    proxy_auth: BasicAuth | None = None,
    ssl: ssl_module.SSLContext | bool | None = None,
    server_hostname: str | None = None,
    timeout: float | None = DEFAULT_SOCKS_TIMEOUT,
    ssl_handshake_timeout: float | None = None,
    resolver: AbstractResolver | None = None,
    local_addr: tuple[str, int] | None = None,
    sock: socket.socket | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
) -> tuple[asyncio.Transport, _P]:
    """Open a connection to ``host:port`` through a SOCKS proxy, like ``loop.create_connection``.

    ``socks5://`` and ``socks4://`` resolve ``host`` locally (with ``resolver``
    or the loop's ``getaddrinfo``; IPv4 only for SOCKS4) and send the address;
    ``socks5h://`` and ``socks4a://`` send the host name. Credentials come from
    ``proxy_auth``, else from the proxy URL: SOCKS5 uses RFC 1929
    username/password authentication, SOCKS4 sends the login as its user id
    (the password is not used). With ``ssl`` the tunnel is then wrapped in TLS
    (``loop.start_tls``), verifying ``server_hostname`` (default ``host``).

    Args:
        protocol_factory: makes the protocol that will own the connection; it
            gets ``connection_made`` once, with the final (TLS) transport.
        proxy_url: ``socks4://``, ``socks4a://``, ``socks5://`` or
            ``socks5h://`` ``[user[:password]@]host[:port]`` (port 1080 by default).
        host, port: the destination.
        proxy_auth: credentials overriding those of the URL.
        ssl: ``None``/``False`` for a plain tunnel, ``True`` for a default
            verifying context, or an :class:`ssl.SSLContext`.
        server_hostname: the name checked against the certificate.
        timeout: seconds for everything (connecting to the proxy, resolving,
            the handshake, TLS); ``None`` or ``0`` for no limit.
        ssl_handshake_timeout: passed to ``loop.start_tls``.
        resolver: resolves ``host`` for ``socks4``/``socks5``.
        local_addr: bind the connection to the proxy to this address.
        sock: an already connected socket to the proxy (then ``local_addr``
            must be ``None``).
        loop: the running loop by default.

    Returns:
        ``(transport, protocol)``, as ``loop.create_connection``.

    Raises:
        ValueError: a malformed or non-SOCKS proxy URL, or a destination the
            protocol cannot express (IPv6 over SOCKS4, a name over 255 bytes).
        OSError: connecting to the proxy or resolving ``host`` failed
            (unchanged, so that the connector can wrap it with its key).
        SocksTimeoutError: ``timeout`` expired.
        SocksProtocolError, SocksAuthenticationError, SocksReplyError: the
            handshake failed (see :mod:`._socks`).
        ssl.SSLError, ssl.CertificateError: the TLS handshake failed.
    """
    if loop is None:
        loop = asyncio.get_running_loop()
    proxy = _parse_socks_url(proxy_url, proxy_auth)
    is_socks4 = proxy.scheme.startswith("socks4")
    message = f"Timeout connecting to {host}:{port} through SOCKS proxy {proxy.host}:{proxy.port}"
    async with timeout_after(timeout, exc_type=SocksTimeoutError, message=message):
        destination = host
        if not proxy.remote_dns and _parse_ip_literal(host) is None:
            family = socket.AF_INET if is_socks4 else socket.AF_UNSPEC
            destination = await _resolve(loop, resolver, host, port, family)
        handshake: _Handshake
        if is_socks4:
            user_id = proxy.auth.login if proxy.auth is not None else ""
            handshake = Socks4Handshake(
                destination, port, user_id=user_id, remote_dns=proxy.remote_dns
            )
        elif proxy.auth is not None:
            handshake = Socks5Handshake(
                destination, port, username=proxy.auth.login, password=proxy.auth.password
            )
        else:
            handshake = Socks5Handshake(destination, port)
        waiter: asyncio.Future[bytes] = loop.create_future()

        def make_handshake_protocol() -> _HandshakeProtocol:
            return _HandshakeProtocol(handshake, waiter)

        if sock is not None:
            transport, hs_protocol = await loop.create_connection(
                make_handshake_protocol, sock=sock
            )
        else:
            transport, hs_protocol = await loop.create_connection(
                make_handshake_protocol, proxy.host, proxy.port, local_addr=local_addr
            )
        try:
            leftover = await waiter
            protocol = protocol_factory()
            if ssl is not None and ssl is not False:
                if leftover:
                    raise SocksProtocolError(
                        f"SOCKS proxy sent {len(leftover)} bytes before the TLS handshake"
                    )
                context = ssl_module.create_default_context() if ssl is True else ssl
                tls_transport = await loop.start_tls(
                    transport,
                    protocol,
                    context,
                    server_hostname=server_hostname if server_hostname is not None else host,
                    ssl_handshake_timeout=ssl_handshake_timeout,
                )
                if tls_transport is None:
                    raise SocksProtocolError("The connection closed during the TLS handshake")
                assert isinstance(tls_transport, asyncio.Transport)
                protocol.connection_made(tls_transport)
                return tls_transport, protocol
            transport.set_protocol(protocol)
            protocol.connection_made(transport)
            if leftover:
                _feed(protocol, leftover)
            if hs_protocol.lost:  # the proxy hung up between its reply and the hand-over
                protocol.connection_lost(hs_protocol.lost_exc)
            else:
                transport.resume_reading()
            return transport, protocol
        except BaseException:
            transport.close()
            raise


async def open_socks_connection(
    proxy_url: URL | str,
    host: str,
    port: int,
    *,
    loop: asyncio.AbstractEventLoop | None = None,
    timeout: float | None = DEFAULT_SOCKS_TIMEOUT,
    ssl: ssl_module.SSLContext | bool | None = None,
    server_hostname: str | None = None,
    proxy_auth: BasicAuth | None = None,
    ssl_handshake_timeout: float | None = None,
    resolver: AbstractResolver | None = None,
    local_addr: tuple[str, int] | None = None,
    sock: socket.socket | None = None,
    limit: int = 2**16,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a tunnel through a SOCKS proxy and return asyncio streams, like ``open_connection``.

    Args:
        limit: the buffer limit of the :class:`asyncio.StreamReader`.
        others: as for :func:`create_socks_connection`.

    Raises:
        Whatever :func:`create_socks_connection` raises.
    """
    if loop is None:
        loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    stream_protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await create_socks_connection(
        lambda: stream_protocol,
        proxy_url,
        host,
        port,
        proxy_auth=proxy_auth,
        ssl=ssl,
        server_hostname=server_hostname,
        timeout=timeout,
        ssl_handshake_timeout=ssl_handshake_timeout,
        resolver=resolver,
        local_addr=local_addr,
        sock=sock,
        loop=loop,
    )
    writer = asyncio.StreamWriter(transport, stream_protocol, reader, loop)
    return reader, writer
