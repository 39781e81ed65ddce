"""Name resolution for the connector: threaded and aiodns resolvers, and the DNS cache."""

from __future__ import annotations

import asyncio
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from ._abc import AbstractResolver, ResolveResult

try:
    import aiodns

    _HAS_AIODNS = True
except ImportError:  # optional dependency: pip install aiohttp-client[aiodns]
    _HAS_AIODNS = False

__all__ = [
    "DEFAULT_DNS_CACHE_MAX_ENTRIES",
    "AsyncResolver",
    "DNSCacheTable",
    "DefaultResolver",
    "ThreadedResolver",
]

_NUMERIC_FLAGS = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
_AI_ADDRCONFIG = getattr(socket, "AI_ADDRCONFIG", 0)


def _dns_error(host: str, exc: BaseException) -> OSError:
    errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    reason = exc.args[1] if len(exc.args) > 1 else (str(exc) or type(exc).__name__)
    return OSError(errno, f"DNS lookup failed for {host!r}: {reason}")


class ThreadedResolver(AbstractResolver):
    """Resolve with the system resolver (``getaddrinfo``) in the loop's thread pool.

    Scoped IPv6 addresses (link-local ``fe80::1%eth0``) keep their scope.
    This is the default resolver.

    Args:
        loop: the event loop; the running loop when omitted.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return the TCP addresses of ``host``.

        Raises:
            OSError: if the lookup fails or finds nothing; the message names the
                host and ``errno`` is the resolver's error code.
        """
        loop = self._loop or asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, family=family, flags=_AI_ADDRCONFIG
            )
        except (socket.gaierror, UnicodeError) as exc:
            raise _dns_error(host, exc) from exc
        results: list[ResolveResult] = []
        for info_family, _, proto, _, address in infos:
            if info_family == socket.AF_INET6:
                if len(address) < 3:
                    continue  # IPv6 is not supported by this Python build
                if address[3]:
                    # Only getnameinfo renders the scope id as "addr%iface".
                    resolved_host, service = await loop.getnameinfo(
                        (address[0], address[1], address[2], address[3]), _NUMERIC_FLAGS
                    )
                    resolved_port = int(service)
                else:
                    resolved_host, resolved_port = str(address[0]), int(address[1])
            else:
                resolved_host, resolved_port = str(address[0]), int(address[1])
            results.append(
                ResolveResult(
                    hostname=host,
                    host=resolved_host,
                    port=resolved_port,
                    family=info_family,
                    proto=proto,
                    flags=_NUMERIC_FLAGS,
                )
            )
        if not results:
            raise OSError(None, f"DNS lookup failed for {host!r}: no usable address")
        return results

    async def close(self) -> None:
        """Nothing to release."""


class AsyncResolver(AbstractResolver):
    """Resolve with c-ares through the optional ``aiodns`` package.

    Args:
        loop: the event loop; the running loop when omitted.
        *args: passed to :class:`aiodns.DNSResolver` (e.g. ``nameservers=[...]``).
        **kwargs: passed to :class:`aiodns.DNSResolver`.

    Raises:
        RuntimeError: if ``aiodns`` is not installed.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop | None = None, *args: Any, **kwargs: Any
    ) -> None:
        if not _HAS_AIODNS:
            raise RuntimeError(
                "AsyncResolver needs the aiodns package: pip install 'aiohttp-client[aiodns]'"
            )
        self._loop = loop or asyncio.get_running_loop()
        kwargs.setdefault("loop", self._loop)
        self._resolver = aiodns.DNSResolver(*args, **kwargs)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return the TCP addresses of ``host``.

        Raises:
            OSError: if the lookup fails or finds nothing; the message names the host.
        """
        try:
            response = await self._resolver.getaddrinfo(
                host, port=port, type=socket.SOCK_STREAM, family=family, flags=_AI_ADDRCONFIG
            )
        except aiodns.error.DNSError as exc:
            raise _dns_error(host, exc) from exc
        results: list[ResolveResult] = []
        for node in response.nodes:
            address = node.addr
            node_family = node.family
            raw_host = address[0]
            text_host = raw_host.decode("ascii") if isinstance(raw_host, bytes) else str(raw_host)
            resolved_port = int(address[1])
            if node_family == socket.AF_INET6 and len(address) > 3 and address[3]:
                try:
                    name_info = await self._resolver.getnameinfo(
                        (text_host, resolved_port, int(address[2]), int(address[3])),
                        _NUMERIC_FLAGS,
                    )
                except aiodns.error.DNSError as exc:
                    raise _dns_error(host, exc) from exc
                text_host = str(name_info.node)
            results.append(
                ResolveResult(
                    hostname=host,
                    host=text_host,
                    port=resolved_port,
                    family=node_family,
                    proto=0,
                    flags=_NUMERIC_FLAGS,
                )
            )
        if not results:
            raise OSError(None, f"DNS lookup failed for {host!r}: no usable address")
        return results

    async def close(self) -> None:
        """Cancel pending queries and close the c-ares channel."""
        close = getattr(self._resolver, "close", None)
        if close is not None:
            await close()
        else:  # pragma: no cover - aiodns < 3.3
            self._resolver.cancel()


#: The resolver the connector uses when none is given.
DefaultResolver = ThreadedResolver

#: Default bound of :class:`DNSCacheTable`.
DEFAULT_DNS_CACHE_MAX_ENTRIES = 1024

_CacheKey = tuple[str, int]


class DNSCacheTable:
    """A bounded cache of resolved addresses, keyed by ``(host, port)``.

    Entries expire ``ttl`` seconds after they were added (``None``: never),
    and at most ``max_entries`` are kept, the least recently used evicted
    first. :meth:`next_addrs` rotates the addresses so that successive
    connections spread over all of them (round-robin).

    Args:
        ttl: seconds an entry stays valid (the connector's ``ttl_dns_cache``);
            ``None`` keeps entries until evicted.
        max_entries: the most entries kept (default
            :data:`DEFAULT_DNS_CACHE_MAX_ENTRIES`).
        clock: a monotonic clock in seconds (default :func:`time.monotonic`).

    Raises:
        ValueError: if ``ttl`` is negative or ``max_entries`` below 1.
    """

    def __init__(
        self,
        ttl: float | None = None,
        *,
        max_entries: int = DEFAULT_DNS_CACHE_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl is not None and ttl < 0:
            raise ValueError(f"ttl must be >= 0 seconds or None, not {ttl!r}")
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries!r}")
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        # key -> (addresses, rotation offset, time added)
        self._entries: OrderedDict[_CacheKey, tuple[list[ResolveResult], int, float]] = (
            OrderedDict()
        )

    @property
    def max_entries(self) -> int:
        """The most entries kept."""
        return self._max_entries

    def __contains__(self, host: object) -> bool:
        """Whether ``(host, port)`` has an entry (expired or not)."""
        return host in self._entries

    def __len__(self) -> int:
        """The number of entries, expired ones included."""
        return len(self._entries)

    def add(self, key: _CacheKey, addrs: Sequence[ResolveResult]) -> None:
        """Store the addresses of ``key``, replacing any previous entry."""
        self._entries[key] = (list(addrs), 0, self._clock())
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def remove(self, key: _CacheKey) -> None:
        """Forget ``key`` (no error if absent)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def next_addrs(self, key: _CacheKey) -> list[ResolveResult]:
        """Return the addresses of ``key``, rotated by one more position each call.

        Raises:
            KeyError: if ``key`` is not cached.
        """
        addrs, offset, added = self._entries[key]
        self._entries[key] = (addrs, (offset + 1) % max(len(addrs), 1), added)
        self._entries.move_to_end(key)
        return addrs[offset:] + addrs[:offset]

    def expired(self, key: _CacheKey) -> bool:
        """Whether the entry of ``key`` is older than the TTL (``False`` without a TTL).

        Raises:
            KeyError: if ``key`` is not cached.
        """
        _, _, added = self._entries[key]
        if self._ttl is None:
            return False
        return added + self._ttl < self._clock()

    def get(self, key: _CacheKey) -> list[ResolveResult] | None:
        """Return the rotated addresses of ``key``, or ``None`` if absent or expired.

        An expired entry is removed.
        """
        if key not in self._entries:
            return None
        if self.expired(key):
            del self._entries[key]
            return None
        return self.next_addrs(key)
