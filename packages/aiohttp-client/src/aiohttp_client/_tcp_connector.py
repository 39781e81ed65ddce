"""``TCPConnector`` (TCP and TLS, direct or through proxies) and ``UnixConnector``.

Both are :class:`BaseConnector` pools; they differ in how a new connection
is opened (:meth:`_create_connection`). ``TCPConnector`` resolves the host
(through the bounded DNS cache), races the addresses (Happy Eyeballs),
checks TLS pins, and for proxied requests connects to the proxy, then
tunnels (see :mod:`._proxy`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl as ssl_module
import warnings
from collections.abc import Awaitable, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._abc import AbstractResolver, ResolveResult
from ._client_proto import ResponseHandler
from ._connector import BaseConnector, _caller_stacklevel
from ._dialing import dial, interleave_families, ssl_context_for
from ._exceptions import (
    ClientConnectionError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientProxyConnectionError,
    ConnectionTimeoutError,
    UnixClientConnectorError,
)
from ._fingerprint import Fingerprint
from ._helpers import merge_ssl
from ._proxy import establish_tunnel, open_socks, proxy_connection_key
from ._reqinfo import ConnectionKey
from ._resolver import DefaultResolver, DNSCacheTable
from ._socks_connect import SOCKS_SCHEMES
from ._timeouts import ClientTimeout, timeout_after
from ._tls import check_fingerprint, require_tls_in_tls, tls_errors, truststore_ssl_context
from ._typedefs import SocketFactoryType

if TYPE_CHECKING:
    from ._request import ClientRequest
    from ._tracing import Trace

__all__ = ["TCPConnector", "UnixConnector"]


class TCPConnector(BaseConnector):
    """Connections over TCP, plain or TLS, direct or through proxies (aiohttp's ``TCPConnector``).

    Args:
        ssl: default TLS mode of ``https`` requests (``True``/``None``: verified
            default context; ``False``: no verification; an ``SSLContext``; a
            :class:`Fingerprint`); a request's own ``ssl`` wins.
        verify_ssl, ssl_context, fingerprint: deprecated spellings of ``ssl``
            (:class:`DeprecationWarning`).
        use_truststore: verify with the operating system's trust store (the
            optional ``truststore`` package) instead of OpenSSL's default CAs.
        use_dns_cache: cache resolved addresses (:class:`DNSCacheTable`).
        resolve: deprecated spelling of ``use_dns_cache`` (:class:`DeprecationWarning`).
        ttl_dns_cache: seconds a cached resolution stays valid (``None``: until evicted).
        family: ``0`` for IPv4 and IPv6, or ``socket.AF_INET`` / ``AF_INET6``.
        local_addr: ``(host, port)`` to bind the local end of the sockets to.
        resolver: an :class:`AbstractResolver` (default :class:`DefaultResolver`).
        happy_eyeballs_delay: seconds before the next address is tried while
            one is still connecting (RFC 8305); ``None`` tries them one by one.
        interleave: addresses of the first family before alternating families.
        socket_factory: makes each socket (a :data:`SocketFactoryType`, given the
            address as an :data:`AddrInfoType`), e.g. to set socket options; the
            connector binds, connects and races it as usual. Applies to the
            target and to HTTP proxies, not to SOCKS proxies.
        **kwargs: :class:`BaseConnector` arguments.

    Raises:
        ValueError: see :class:`BaseConnector`; contradictory TLS arguments;
            ``resolve=True`` with ``use_dns_cache=False``.
        RuntimeError: ``use_truststore=True`` without the ``truststore`` package.
    """

    def __init__(
        self,
        *,
        ssl: ssl_module.SSLContext | bool | Fingerprint | None = True,
        verify_ssl: bool | None = None,
        ssl_context: ssl_module.SSLContext | None = None,
        fingerprint: bytes | None = None,
        use_truststore: bool = False,
        use_dns_cache: bool = True,
        resolve: bool | None = None,
        ttl_dns_cache: float | None = 10,
        family: int = 0,
        local_addr: tuple[str, int] | None = None,
        resolver: AbstractResolver | None = None,
        happy_eyeballs_delay: float | None = 0.25,
        interleave: int | None = None,
        socket_factory: SocketFactoryType | None = None,
        **kwargs: Any,
    ) -> None:
        setting = merge_ssl(
            ssl, verify_ssl, ssl_context, fingerprint, stacklevel=_caller_stacklevel(self) + 1
        )
        if resolve is not None:
            warnings.warn(
                "the resolve argument of TCPConnector is deprecated, use use_dns_cache instead",
                DeprecationWarning,
                stacklevel=_caller_stacklevel(self),
            )
            if resolve and not use_dns_cache:
                raise ValueError("use_dns_cache must agree with resolve")
            use_dns_cache = resolve
        if use_truststore:
            if setting is not True:
                raise ValueError("use_truststore=True cannot be combined with another ssl setting")
            setting = truststore_ssl_context()
        super().__init__(**kwargs)
        self._ssl: ssl_module.SSLContext | bool | Fingerprint = setting
        self._use_dns_cache = use_dns_cache
        self._cached_hosts = DNSCacheTable(ttl=ttl_dns_cache)
        self._family = family
        self._local_addr = local_addr
        self._resolver: AbstractResolver = resolver if resolver is not None else DefaultResolver()
        self._resolver_owner = resolver is None
        self._happy_eyeballs_delay = happy_eyeballs_delay
        self._interleave = interleave if interleave is not None else 1
        self._socket_factory = socket_factory
        self._resolving: dict[tuple[str, int], asyncio.Future[list[ResolveResult]]] = {}

    @property
    def family(self) -> int:
        """The socket family: ``0`` (both), ``AF_INET`` or ``AF_INET6``."""
        return self._family

    @property
    def use_dns_cache(self) -> bool:
        """Whether resolutions are cached."""
        return self._use_dns_cache

    @property
    def cached_hosts(self) -> MappingProxyType[tuple[str, int], int]:
        """Read-only view of the cached ``(host, port)`` keys (value: 1)."""
        return MappingProxyType(dict.fromkeys(self._cached_hosts._entries, 1))

    def clear_dns_cache(self, host: str | None = None, port: int | None = None) -> None:
        """Forget the cached resolution of ``(host, port)``, or all of them.

        Raises:
            ValueError: only one of ``host`` and ``port`` is given.
        """
        if host is not None and port is not None:
            self._cached_hosts.remove((host, port))
        elif host is not None or port is not None:
            raise ValueError("either both host and port or none of them are allowed")
        else:
            self._cached_hosts.clear()

    # --- the older documents' names (deprecated; each use warns) ----------------------

    @property
    def resolved_hosts(self) -> MappingProxyType[tuple[str, int], list[ResolveResult]]:
        """Deprecated: the cached addresses, ``(host, port) -> [ResolveResult, ...]``."""
        _warn_renamed("TCPConnector.resolved_hosts", "TCPConnector.cached_hosts")
        return MappingProxyType(
            {key: list(addrs) for key, (addrs, _, _) in self._cached_hosts._entries.items()}
        )

    def clear_resolved_hosts(self, host: str | None = None, port: int | None = None) -> None:
        """Deprecated spelling of :meth:`clear_dns_cache`."""
        _warn_renamed("TCPConnector.clear_resolved_hosts()", "TCPConnector.clear_dns_cache()")
        self.clear_dns_cache(host, port)

    @property
    def dns_cache(self) -> bool:
        """Deprecated spelling of :attr:`use_dns_cache`."""
        _warn_renamed("TCPConnector.dns_cache", "TCPConnector.use_dns_cache")
        return self._use_dns_cache

    @property
    def resolve(self) -> bool:
        """Deprecated spelling of :attr:`use_dns_cache`."""
        _warn_renamed("TCPConnector.resolve", "TCPConnector.use_dns_cache")
        return self._use_dns_cache

    @property
    def verify_ssl(self) -> bool:
        """Deprecated: whether certificate chains are verified by default."""
        _warn_renamed("TCPConnector.verify_ssl", "the ssl argument")
        if isinstance(self._ssl, ssl_module.SSLContext):
            return self._ssl.verify_mode != ssl_module.CERT_NONE
        return self._ssl is True

    @property
    def ssl_context(self) -> ssl_module.SSLContext:
        """Deprecated: the default ``SSLContext`` of ``https`` requests."""
        _warn_renamed("TCPConnector.ssl_context", "the ssl argument")
        return ssl_context_for(self._ssl)

    @property
    def fingerprint(self) -> bytes | None:
        """Deprecated: the pinned SHA-256 certificate digest, or ``None``."""
        _warn_renamed("TCPConnector.fingerprint", "the ssl argument (a Fingerprint)")
        return self._ssl.fingerprint if isinstance(self._ssl, Fingerprint) else None

    def close(self) -> Awaitable[None]:
        """Close the connections (see :meth:`BaseConnector.close`) and an owned resolver."""
        waiter = super().close()
        if self._resolver_owner:
            close = self._resolver.close()
            self._loop.create_task(close)
        return waiter

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[Trace] = ()
    ) -> list[ResolveResult]:
        try:
            ipaddress.ip_address(host.partition("%")[0])
        except ValueError:
            pass
        else:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            return [
                ResolveResult(hostname=host, host=host, port=port, family=family, proto=0, flags=0)
            ]
        key = (host, port)
        if self._use_dns_cache:
            cached = self._cached_hosts.get(key)
            if cached is not None:
                for trace in traces:
                    await trace.send_dns_cache_hit(host)
                return cached
            for trace in traces:
                await trace.send_dns_cache_miss(host)
            pending = self._resolving.get(key)
            if pending is not None:
                return list(await asyncio.shield(pending))
        fut: asyncio.Future[list[ResolveResult]] = self._loop.create_future()
        if self._use_dns_cache:
            self._resolving[key] = fut
        try:
            for trace in traces:
                await trace.send_dns_resolvehost_start(host)
            addrs = await self._resolver.resolve(
                host, port, family=socket.AddressFamily(self._family)
            )
            for trace in traces:
                await trace.send_dns_resolvehost_end(host)
        except BaseException as exc:
            if not fut.done():
                fut.set_exception(exc)
                fut.exception()
            raise
        finally:
            self._resolving.pop(key, None)
        fut.set_result(addrs)
        if self._use_dns_cache:
            self._cached_hosts.add(key, addrs)
            return self._cached_hosts.next_addrs(key)
        return addrs

    async def _open(
        self,
        host: str,
        port: int,
        key: ConnectionKey,
        timeout: ClientTimeout,
        traces: Sequence[Trace],
        *,
        ssl_context: ssl_module.SSLContext | None,
        server_hostname: str | None,
        error_class: type[ClientConnectorError] = ClientConnectorError,
    ) -> ResponseHandler:
        """Resolve ``host`` and connect (TLS with ``ssl_context``); map errors with ``key``."""
        try:
            addrs = await self._resolve_host(host, port, traces)
        except OSError as exc:
            if error_class is ClientConnectorError:
                raise ClientConnectorDNSError(key, exc) from exc
            raise error_class(key, exc) from exc
        addrs = interleave_families(addrs, self._interleave)
        try:
            with tls_errors(key):
                return await dial(
                    self._factory,
                    addrs,
                    ssl_context=ssl_context,
                    server_hostname=server_hostname,
                    local_addr=self._local_addr,
                    sock_connect=timeout.sock_connect,
                    ceil_threshold=timeout.ceil_threshold,
                    happy_eyeballs_delay=self._happy_eyeballs_delay,
                    label=f"{host}:{port}",
                    socket_factory=self._socket_factory,
                )
        except ClientConnectionError:  # TLS errors, ConnectionTimeoutError
            raise
        except OSError as exc:
            raise error_class(key, exc) from exc

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[Trace], timeout: ClientTimeout
    ) -> ResponseHandler:
        host = req.url.raw_host
        port = req.url.port
        assert host is not None and port is not None
        setting = req.ssl if req.ssl is not True else self._ssl
        ssl_context = ssl_context_for(setting) if req.is_ssl() else None
        server_hostname = (req.server_hostname or host.rstrip(".")) if ssl_context else None
        proxy = req.proxy
        if proxy is None:
            proto = await self._open(
                host,
                port,
                req.connection_key,
                timeout,
                traces,
                ssl_context=ssl_context,
                server_hostname=server_hostname,
            )
        elif proxy.scheme in SOCKS_SCHEMES:
            proto = await open_socks(
                self._factory,
                req,
                ssl_context,
                server_hostname,
                timeout,
                resolver=self._resolver,
                local_addr=self._local_addr,
            )
        else:
            proto = await self._open_http_proxy(
                req, traces, timeout, setting, ssl_context, server_hostname
            )
        check_fingerprint(setting, proto)
        return proto

    async def _open_http_proxy(
        self,
        req: ClientRequest,
        traces: Sequence[Trace],
        timeout: ClientTimeout,
        setting: ssl_module.SSLContext | bool | Fingerprint,
        ssl_context: ssl_module.SSLContext | None,
        server_hostname: str | None,
    ) -> ResponseHandler:
        """Connect to an ``http``/``https`` proxy; tunnel with ``CONNECT`` for TLS targets."""
        proxy = req.proxy
        assert proxy is not None and proxy.raw_host is not None and proxy.port is not None
        proxy_tls = proxy.scheme == "https"
        if proxy_tls and ssl_context is not None:
            require_tls_in_tls()
        # The request's TLS setting applies to an https proxy as well (as in aiohttp).
        proxy_context = (
            ssl_context_for(False if isinstance(setting, Fingerprint) else setting)
            if proxy_tls
            else None
        )
        proto = await self._open(
            proxy.raw_host,
            proxy.port,
            proxy_connection_key(proxy, req.ssl),
            timeout,
            traces,
            ssl_context=proxy_context,
            server_hostname=proxy.raw_host.rstrip(".") if proxy_tls else None,
            error_class=ClientProxyConnectionError,
        )
        if ssl_context is None:
            return proto  # absolute-form requests go to the proxy itself
        return await establish_tunnel(
            proto, req, self._factory, ssl_context, server_hostname, timeout
        )


def _warn_renamed(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated, use {new} instead", DeprecationWarning, stacklevel=3)


class UnixConnector(BaseConnector):
    """Connections over a unix domain socket (aiohttp 3.x's ``UnixConnector``).

    The URL's host only names the ``Host`` header; every connection goes to ``path``.

    Args:
        path: the socket path.
        **kwargs: :class:`BaseConnector` arguments.
    """

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._path = path

    @property
    def path(self) -> str:
        """The unix socket path."""
        return self._path

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[Trace], timeout: ClientTimeout
    ) -> ResponseHandler:
        try:
            async with timeout_after(
                timeout.sock_connect,
                exc_type=ConnectionTimeoutError,
                message=f"Connection timeout to unix socket {self._path}",
                ceil_threshold=timeout.ceil_threshold,
            ):
                _, proto = await self._loop.create_unix_connection(self._factory, self._path)
        except OSError as exc:
            if isinstance(exc, ConnectionTimeoutError):
                raise
            raise UnixClientConnectorError(self._path, req.connection_key, exc) from exc
        return proto
