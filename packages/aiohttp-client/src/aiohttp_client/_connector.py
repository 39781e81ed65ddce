"""``BaseConnector``: the connection pool (``TCPConnector``/``UnixConnector`` open connections).

Theory of operation (``BaseConnector``):

* A *slot* is counted for every connection lent to a request and for every
  connection being opened; ``limit`` bounds all slots, ``limit_per_host``
  those of one :class:`ConnectionKey`. Idle pooled connections hold no slot.
* A request that finds no free slot queues a future in the deque of its key;
  every waiter carries a sequence number. When a slot frees up, the oldest
  waiter (smallest number) whose key is below its per-host limit gets the slot
  *handed over* (counted for it before it wakes), so waiting is first come,
  first served and a late arrival can never overtake.
* A released connection goes back to the pool only when the protocol says it
  is reusable (response read whole, keep-alive allowed, nothing pending);
  otherwise it is closed. Idle connections expire after ``keepalive_timeout``.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import sys
import warnings
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._client_proto import ResponseHandler
from ._connection import Connection
from ._exceptions import ClientConnectionError, ConnectionTimeoutError
from ._helpers import SENTINEL, Sentinel, creation_site
from ._reqinfo import ConnectionKey
from ._timeouts import ClientTimeout, timeout_after

if TYPE_CHECKING:
    from ._auth import BasicAuth
    from ._request import ClientRequest
    from ._tracing import Trace
    from ._typedefs import StrOrURL

__all__ = [
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "DEFAULT_LIMIT",
    "BaseConnector",
    "SupportsDefaultProxy",
]

#: Seconds an idle pooled connection is kept (aiohttp 3.x's default).
DEFAULT_KEEPALIVE_TIMEOUT = 15.0
#: Default bound of simultaneous connections of a connector.
DEFAULT_LIMIT = 100
#: Seconds after which a closed TLS transport is aborted with ``enable_cleanup_closed``.
CLEANUP_CLOSED_DELAY = 2.0


class _CloseWaiter:
    """What ``close()`` returns: awaiting it waits (boundedly) for the sockets to close."""

    __slots__ = ("_futures",)

    def __init__(self, futures: list[asyncio.Future[None]]) -> None:
        self._futures = futures

    def __await__(self) -> Generator[Any, None, None]:
        return self._wait().__await__()

    async def _wait(self) -> None:
        if self._futures:
            await asyncio.wait(self._futures, timeout=1.0)
        else:
            await asyncio.sleep(0)


@runtime_checkable
class SupportsDefaultProxy(Protocol):
    """A connector that names the proxy of the sessions built on it.

    ``ClientSession(connector=c)`` takes ``c.default_proxy`` and
    ``c.default_proxy_auth`` as its own ``proxy=``/``proxy_auth=`` when it is
    given no ``proxy`` itself; a request's ``proxy=`` still wins. Any
    connector may implement it (a :class:`BaseConnector` subclass with these
    two read-only properties); ``None`` means no proxy.
    """

    @property
    def default_proxy(self) -> StrOrURL | None:
        """The proxy URL of every request of sessions using this connector."""

    @property
    def default_proxy_auth(self) -> BasicAuth | None:
        """The credentials sent to :attr:`default_proxy`."""


def _caller_stacklevel(instance: object) -> int:
    """The ``stacklevel`` naming the code that constructed ``instance`` (past its ``__init__``s)."""
    level = 2  # 1 is the __init__ that calls warnings.warn
    frame = sys._getframe(2)  # the caller of that __init__
    while frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is instance:
        if frame.f_back is None:
            break
        frame = frame.f_back
        level += 1
    return level


class BaseConnector:
    """The connection pool (aiohttp 3.x's ``BaseConnector``); subclasses open connections.

    Args:
        keepalive_timeout: seconds an idle connection stays pooled (default
            :data:`DEFAULT_KEEPALIVE_TIMEOUT`); cannot be set with ``force_close``.
        force_close: close every connection after its response (no pooling).
        limit: the most simultaneous connections (``0`` or ``None``: no limit).
        limit_per_host: the most simultaneous connections per
            :class:`ConnectionKey` (``0``: no limit).
        enable_cleanup_closed: abort TLS transports that did not finish closing
            after :data:`CLEANUP_CLOSED_DELAY` seconds.
        timeout_ceil_threshold: ceiling threshold of the connect timeouts.
        loop: ignored (the running loop is used); kept for compatibility.
        conn_timeout: deprecated (:class:`DeprecationWarning`; use
            ``ClientTimeout(connect=...)``): seconds that opening each new
            connection (resolving, connecting, TLS, proxy tunnel) may take,
            on top of the request's timeouts; expiry raises
            :class:`ConnectionTimeoutError`. ``None`` or ``0``: no bound.
        share_cookies: deprecated and ignored (:class:`DeprecationWarning`):
            cookies live in the session's cookie jar. Only ``False`` is
            accepted.

    Raises:
        ValueError: ``keepalive_timeout`` together with ``force_close``, a
            negative limit or ``conn_timeout``, or ``share_cookies=True``.
        RuntimeError: when created outside a running event loop.
    """

    # Until __init__ completes, __del__ has nothing to report.
    _closed = True

    def __init__(
        self,
        *,
        keepalive_timeout: float | Sentinel | None = SENTINEL,
        force_close: bool = False,
        limit: int | None = DEFAULT_LIMIT,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        timeout_ceil_threshold: float = 5,
        conn_timeout: float | None = None,
        share_cookies: bool | None = None,
    ) -> None:
        if conn_timeout is not None:
            if conn_timeout < 0:
                raise ValueError(f"conn_timeout must be None or >= 0, got {conn_timeout!r}")
            warnings.warn(
                "the conn_timeout argument of connectors is deprecated, "
                "use ClientSession(timeout=ClientTimeout(connect=...)) instead",
                DeprecationWarning,
                stacklevel=_caller_stacklevel(self),
            )
        if share_cookies is not None:
            if share_cookies:
                raise ValueError(
                    "share_cookies=True is not supported: connectors hold no cookies; "
                    "use one ClientSession, whose cookie jar keeps cookies across requests"
                )
            warnings.warn(
                "the share_cookies argument of connectors is deprecated and ignored, "
                "use the cookie_jar of a ClientSession instead",
                DeprecationWarning,
                stacklevel=_caller_stacklevel(self),
            )
        if force_close:
            if keepalive_timeout is not None and keepalive_timeout is not SENTINEL:
                raise ValueError("keepalive_timeout cannot be set if force_close is True")
        elif keepalive_timeout is SENTINEL:
            keepalive_timeout = DEFAULT_KEEPALIVE_TIMEOUT
        if (limit or 0) < 0 or limit_per_host < 0:
            raise ValueError("limit and limit_per_host must be >= 0")
        self._loop = asyncio.get_running_loop()
        self._keepalive_timeout: float | None = (
            None if keepalive_timeout is SENTINEL else keepalive_timeout
        )
        self._force_close = force_close
        self._limit = limit or 0
        self._limit_per_host = limit_per_host or 0
        self._cleanup_closed_enabled = enable_cleanup_closed
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._conn_timeout = conn_timeout or None
        self._created_at = creation_site()
        self._conns: dict[ConnectionKey, list[tuple[ResponseHandler, float]]] = {}
        self._acquired: set[ResponseHandler] = set()
        self._in_use = 0
        self._in_use_per_key: dict[ConnectionKey, int] = {}
        self._waiters: dict[ConnectionKey, deque[tuple[int, asyncio.Future[None]]]] = {}
        self._sequence = itertools.count()
        self._cleanup_handle: asyncio.TimerHandle | None = None
        self._cleanup_closed_handles: set[asyncio.TimerHandle] = set()
        self._factory: Callable[[], ResponseHandler] = functools.partial(
            ResponseHandler, self._loop
        )
        self._closed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} limit={self._limit} closed={self._closed}>"

    def __del__(self, _warnings: object = warnings) -> None:
        if self._closed or not (self._conns or self._acquired):
            return
        warnings.warn(
            f"Unclosed connector {self!r} created at {self._created_at}",
            ResourceWarning,
            stacklevel=1,
        )
        try:
            self._close_all()
        except Exception:  # the loop may be closed already
            pass

    # --- properties ------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def force_close(self) -> bool:
        """True when connections are closed after each response."""
        return self._force_close

    @property
    def limit(self) -> int:
        """The most simultaneous connections (``0``: no limit)."""
        return self._limit

    @property
    def limit_per_host(self) -> int:
        """The most simultaneous connections per endpoint (``0``: no limit)."""
        return self._limit_per_host

    @property
    def keepalive_timeout(self) -> float | None:
        """Seconds an idle connection stays pooled (``None`` with ``force_close``)."""
        return self._keepalive_timeout

    def _available(self, key: ConnectionKey) -> bool:
        if self._limit and self._in_use >= self._limit:
            return False
        return not (
            self._limit_per_host and self._in_use_per_key.get(key, 0) >= self._limit_per_host
        )

    # --- closing ---------------------------------------------------------------------

    def close(self) -> Awaitable[None]:
        """Close every pooled and lent connection; the connector cannot be used again.

        Returns an awaitable (optional to await) that waits, at most a second,
        for the sockets to finish closing.
        """
        if self._closed:
            return _CloseWaiter([])
        self._closed = True
        futures = self._close_all()
        return _CloseWaiter(futures)

    def _close_all(self) -> list[asyncio.Future[None]]:
        futures: list[asyncio.Future[None]] = []
        if self._cleanup_handle is not None:
            self._cleanup_handle.cancel()
            self._cleanup_handle = None
        protocols = [proto for idle in self._conns.values() for proto, _ in idle]
        protocols.extend(self._acquired)
        self._conns.clear()
        self._acquired.clear()
        for proto in protocols:
            if proto.transport is not None:
                futures.append(proto.closed)
            proto.close()
        for handle in self._cleanup_closed_handles:
            handle.cancel()
        self._cleanup_closed_handles.clear()
        for waiters in self._waiters.values():
            for _, fut in waiters:
                if not fut.done():
                    fut.set_exception(ClientConnectionError("Connector is closed."))
                    fut.exception()
        self._waiters.clear()
        return futures

    # --- acquiring -------------------------------------------------------------------

    async def connect(
        self,
        req: ClientRequest,
        traces: Sequence[Trace] | None = None,
        timeout: ClientTimeout | None = None,
    ) -> Connection:
        """Lend a connection for ``req``: a pooled one, else a new one.

        Waits, first come first served, while ``limit`` or ``limit_per_host``
        is reached; ``timeout.pool`` bounds that wait.

        ``traces`` (the request's :class:`Trace` objects) receive the
        connection signals: queued start/end around a wait for a slot,
        reuseconn for a pooled connection, create start/end around opening one.

        Raises:
            ClientConnectionError: the connector is closed.
            ConnectionTimeoutError: ``timeout.pool`` expired while waiting.
            ClientConnectorError: (and subclasses) opening a connection failed.
        """
        return await self._acquire(req, timeout, reuse=True, traces=traces)

    async def _acquire(
        self,
        req: ClientRequest,
        timeout: ClientTimeout | None,
        *,
        reuse: bool,
        traces: Sequence[Trace] | None = None,
    ) -> Connection:
        if self._closed:
            raise ClientConnectionError("Connector is closed.")
        traces = traces or ()
        key = req.connection_key
        queued = False
        if self._available(key) and not self._waiters.get(key):
            self._reserve(key)
        else:
            for trace in traces:
                await trace.send_connection_queued_start()
            await self._wait_for_slot(key, timeout)
            queued = True
        try:
            if queued:
                for trace in traces:
                    await trace.send_connection_queued_end()
            if reuse and not self._force_close:
                proto = self._take_idle(key)
                if proto is not None:
                    try:
                        for trace in traces:
                            await trace.send_connection_reuseconn()
                    except BaseException:
                        self._close_protocol(proto)
                        raise
                    self._acquired.add(proto)
                    return Connection(self, key, proto, self._loop, reused=True)
            for trace in traces:
                await trace.send_connection_create_start()
            if self._conn_timeout is None:
                proto = await self._create_connection(req, traces, timeout or ClientTimeout())
            else:
                proto = await self._create_bounded(req, traces, timeout or ClientTimeout())
            try:
                if self.closed:  # closed while connecting
                    raise ClientConnectionError("Connector is closed.")
                for trace in traces:
                    await trace.send_connection_create_end()
            except BaseException:
                proto.close()
                raise
        except BaseException:
            self._release_slot(key)
            raise
        self._acquired.add(proto)
        return Connection(self, key, proto, self._loop)

    async def _create_bounded(
        self, req: ClientRequest, traces: Sequence[Trace], timeout: ClientTimeout
    ) -> ResponseHandler:
        """:meth:`_create_connection` bounded by the deprecated ``conn_timeout``."""
        key = req.connection_key
        async with timeout_after(
            self._conn_timeout,
            exc_type=ConnectionTimeoutError,
            message=(
                f"Connection timeout to {key.host}:{key.port} (conn_timeout={self._conn_timeout}s)"
            ),
            ceil_threshold=self._timeout_ceil_threshold,
        ):
            return await self._create_connection(req, traces, timeout)

    def _reserve(self, key: ConnectionKey) -> None:
        self._in_use += 1
        self._in_use_per_key[key] = self._in_use_per_key.get(key, 0) + 1

    def _release_slot(self, key: ConnectionKey) -> None:
        self._in_use -= 1
        left = self._in_use_per_key.get(key, 1) - 1
        if left:
            self._in_use_per_key[key] = left
        else:
            self._in_use_per_key.pop(key, None)
        if self._waiters:
            self._wake_waiters()

    async def _wait_for_slot(self, key: ConnectionKey, timeout: ClientTimeout | None) -> None:
        fut: asyncio.Future[None] = self._loop.create_future()
        entry = (next(self._sequence), fut)
        self._waiters.setdefault(key, deque()).append(entry)
        pool_timeout = timeout.pool if timeout is not None else None
        try:
            if pool_timeout:
                async with timeout_after(
                    pool_timeout,
                    exc_type=ConnectionTimeoutError,
                    message=(
                        f"Pool timeout: no free connection to {key.host}:{key.port} "
                        f"within {pool_timeout}s"
                    ),
                ):
                    await fut
            else:
                await fut
        except BaseException:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self._release_slot(key)  # the slot was handed to us: pass it on
            else:
                waiters = self._waiters.get(key)
                if waiters is not None:
                    try:
                        waiters.remove(entry)
                    except ValueError:
                        pass
                    if not waiters:
                        del self._waiters[key]
            raise

    def _wake_waiters(self) -> None:
        while self._waiters and not (self._limit and self._in_use >= self._limit):
            best_key: ConnectionKey | None = None
            best_seq = -1
            for key, waiters in list(self._waiters.items()):
                while waiters and waiters[0][1].done():
                    waiters.popleft()
                if not waiters:
                    del self._waiters[key]
                    continue
                if self._limit_per_host and (
                    self._in_use_per_key.get(key, 0) >= self._limit_per_host
                ):
                    continue
                if best_key is None or waiters[0][0] < best_seq:
                    best_key, best_seq = key, waiters[0][0]
            if best_key is None:
                return
            waiters = self._waiters[best_key]
            _, fut = waiters.popleft()
            if not waiters:
                del self._waiters[best_key]
            self._reserve(best_key)
            fut.set_result(None)

    def _take_idle(self, key: ConnectionKey) -> ResponseHandler | None:
        idle = self._conns.get(key)
        if not idle:
            return None
        now = self._loop.time()
        keepalive = self._keepalive_timeout
        while idle:
            proto, released_at = idle.pop()  # most recently used first: most likely alive
            if proto.is_connected() and (not keepalive or now - released_at < keepalive):
                if not idle:
                    del self._conns[key]
                return proto
            self._close_protocol(proto)
        del self._conns[key]
        return None

    # --- releasing -------------------------------------------------------------------

    def _release(
        self, key: ConnectionKey, protocol: ResponseHandler, *, should_close: bool
    ) -> None:
        """Take back a lent connection: pool it if reusable, else close it."""
        self._acquired.discard(protocol)
        if self._closed:
            protocol.close()
            return
        if should_close or self._force_close or not protocol.reusable:
            self._close_protocol(protocol)
        else:
            self._conns.setdefault(key, []).append((protocol, self._loop.time()))
            if self._cleanup_handle is None and self._keepalive_timeout:
                self._cleanup_handle = self._loop.call_at(
                    self._loop.time() + self._keepalive_timeout, _weak_cleanup, weakref.ref(self)
                )
        self._release_slot(key)

    def _close_protocol(self, protocol: ResponseHandler) -> None:
        transport = protocol.transport
        protocol.close()
        if (
            self._cleanup_closed_enabled
            and transport is not None
            and transport.get_extra_info("sslcontext") is not None
        ):
            handle = self._loop.call_later(CLEANUP_CLOSED_DELAY, transport.abort)
            self._cleanup_closed_handles.add(handle)

    def _cleanup(self) -> None:
        """Close idle connections older than ``keepalive_timeout``; re-arm while any remain."""
        self._cleanup_handle = None
        keepalive = self._keepalive_timeout
        if not keepalive:
            return
        now = self._loop.time()
        earliest: float | None = None
        for key in list(self._conns):
            kept = []
            for proto, released_at in self._conns[key]:
                if not proto.is_connected() or now - released_at >= keepalive:
                    self._close_protocol(proto)
                else:
                    kept.append((proto, released_at))
                    if earliest is None or released_at < earliest:
                        earliest = released_at
            if kept:
                self._conns[key] = kept
            else:
                del self._conns[key]
        if earliest is not None:
            self._cleanup_handle = self._loop.call_at(
                earliest + keepalive, _weak_cleanup, weakref.ref(self)
            )
        self._cleanup_closed_handles = {
            h for h in self._cleanup_closed_handles if not h.cancelled() and h.when() > now
        }

    # --- opening ---------------------------------------------------------------------

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[Trace], timeout: ClientTimeout
    ) -> ResponseHandler:
        """Open a new connection for ``req``; subclasses override it.

        Raises:
            ClientConnectionError: always in :class:`BaseConnector` itself, which
                pools connections but cannot open any.
        """
        raise ClientConnectionError(
            f"{type(self).__name__} cannot open connections: use TCPConnector or "
            "UnixConnector, or override _create_connection()"
        )


def _weak_cleanup(ref: weakref.ref[BaseConnector]) -> None:
    # The loop must not keep an abandoned connector alive (its __del__ warns and closes).
    connector = ref()
    if connector is not None:
        connector._cleanup()
