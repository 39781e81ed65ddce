"""Request tracing: aiohttp 3.x's ``TraceConfig``, its signals and parameter classes.

Theory of operation: an application builds a :class:`TraceConfig`, appends
``async`` handlers to its signals and passes it to a session
(``ClientSession(trace_configs=[...])``). The session freezes every config
when it is created. For each request it calls :func:`make_traces`, which
asks each config for a fresh context object (``trace_config_ctx``, built by
the config's factory with the request's ``trace_request_ctx``) and wraps the
three in a :class:`Trace`. The session, the connector and the resolver then
call the ``Trace.send_*`` coroutines at each step; each one awaits every
handler of the matching signal, in order, as
``handler(session, trace_config_ctx, params)`` with a frozen parameter object.

A handler that raises propagates its exception to the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableSequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, overload

from multidict import CIMultiDict
from yarl import URL

__all__ = [
    "Signal",
    "Trace",
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
    "make_traces",
]

SignalHandler = Callable[..., Awaitable[Any]]


class Signal(MutableSequence[SignalHandler]):
    """A list of ``async`` handlers that can be frozen, then sent to.

    The same contract as ``aiosignal.Signal``: while unfrozen the list can be
    modified like any list; :meth:`freeze` makes it read-only and enables
    :meth:`send`, which awaits every handler in order with the same arguments.

    Args:
        owner: the object the signal belongs to (shown in ``repr``).

    Raises:
        RuntimeError: on a modification after :meth:`freeze`, or :meth:`send`
            before it.
    """

    __slots__ = ("_frozen", "_handlers", "_owner")

    def __init__(self, owner: object = None) -> None:
        self._owner = owner
        self._handlers: list[SignalHandler] = []
        self._frozen = False

    @property
    def frozen(self) -> bool:
        """``True`` once :meth:`freeze` was called."""
        return self._frozen

    def freeze(self) -> None:
        """Make the list read-only; idempotent."""
        self._frozen = True

    def _check_mutable(self) -> None:
        if self._frozen:
            raise RuntimeError(f"Cannot modify a frozen signal of {self._owner!r}")

    async def send(self, *args: Any, **kwargs: Any) -> None:
        """Await every handler in order with ``*args, **kwargs``.

        Raises:
            RuntimeError: if the signal is not frozen.
            Exception: whatever a handler raises (later handlers are not called).
        """
        if not self._frozen:
            raise RuntimeError("Cannot send a signal that is not frozen")
        for handler in self._handlers:
            await handler(*args, **kwargs)

    @overload
    def __getitem__(self, index: int) -> SignalHandler: ...

    @overload
    def __getitem__(self, index: slice) -> MutableSequence[SignalHandler]: ...

    def __getitem__(self, index: int | slice) -> SignalHandler | MutableSequence[SignalHandler]:
        return self._handlers[index]

    @overload
    def __setitem__(self, index: int, value: SignalHandler) -> None: ...

    @overload
    def __setitem__(self, index: slice, value: Iterable[SignalHandler]) -> None: ...

    def __setitem__(self, index: int | slice, value: Any) -> None:
        self._check_mutable()
        self._handlers[index] = value

    def __delitem__(self, index: int | slice) -> None:
        self._check_mutable()
        del self._handlers[index]

    def __len__(self) -> int:
        return len(self._handlers)

    def __iter__(self) -> Iterator[SignalHandler]:
        return iter(self._handlers)

    def insert(self, index: int, value: SignalHandler) -> None:
        """Insert ``value`` before ``index`` (``append`` uses it)."""
        self._check_mutable()
        self._handlers.insert(index, value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Signal):
            return self._handlers == other._handlers
        return self._handlers == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Signal owner={self._owner!r}, frozen={self._frozen}, {self._handlers!r}>"


# --- parameter classes (aiohttp 3.x field names and order) --------------------------


@dataclass(frozen=True, slots=True)
class TraceRequestStartParams:
    """Parameters of ``on_request_start``: the request is about to be sent."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@dataclass(frozen=True, slots=True)
class TraceRequestChunkSentParams:
    """Parameters of ``on_request_chunk_sent``: a chunk of the request body was written."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True, slots=True)
class TraceResponseChunkReceivedParams:
    """Parameters of ``on_response_chunk_received``: a chunk of the response body arrived."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True, slots=True)
class TraceRequestEndParams:
    """Parameters of ``on_request_end``: the response head was received."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: Any


@dataclass(frozen=True, slots=True)
class TraceRequestExceptionParams:
    """Parameters of ``on_request_exception``: the request failed with ``exception``."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    exception: BaseException


@dataclass(frozen=True, slots=True)
class TraceRequestRedirectParams:
    """Parameters of ``on_request_redirect``: ``response`` is a redirect being followed."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: Any


@dataclass(frozen=True, slots=True)
class TraceRequestHeadersSentParams:
    """Parameters of ``on_request_headers_sent``: the request head was written."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@dataclass(frozen=True, slots=True)
class TraceConnectionQueuedStartParams:
    """Parameters of ``on_connection_queued_start``: waiting for a free connection."""


@dataclass(frozen=True, slots=True)
class TraceConnectionQueuedEndParams:
    """Parameters of ``on_connection_queued_end``: the wait for a connection ended."""


@dataclass(frozen=True, slots=True)
class TraceConnectionCreateStartParams:
    """Parameters of ``on_connection_create_start``: a new connection is being opened."""


@dataclass(frozen=True, slots=True)
class TraceConnectionCreateEndParams:
    """Parameters of ``on_connection_create_end``: the new connection is open."""


@dataclass(frozen=True, slots=True)
class TraceConnectionReuseconnParams:
    """Parameters of ``on_connection_reuseconn``: a pooled connection is reused."""


@dataclass(frozen=True, slots=True)
class TraceDnsResolveHostStartParams:
    """Parameters of ``on_dns_resolvehost_start``: resolving ``host`` begins."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsResolveHostEndParams:
    """Parameters of ``on_dns_resolvehost_end``: resolving ``host`` ended."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsCacheHitParams:
    """Parameters of ``on_dns_cache_hit``: ``host`` was found in the DNS cache."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsCacheMissParams:
    """Parameters of ``on_dns_cache_miss``: ``host`` was not in the DNS cache."""

    host: str


_SIGNAL_NAMES = (
    "on_request_start",
    "on_request_chunk_sent",
    "on_response_chunk_received",
    "on_request_end",
    "on_request_exception",
    "on_request_redirect",
    "on_connection_queued_start",
    "on_connection_queued_end",
    "on_connection_create_start",
    "on_connection_create_end",
    "on_connection_reuseconn",
    "on_dns_resolvehost_start",
    "on_dns_resolvehost_end",
    "on_dns_cache_hit",
    "on_dns_cache_miss",
    "on_request_headers_sent",
)


class TraceConfig:
    """A set of tracing signals to attach to a session (aiohttp 3.x's ``TraceConfig``).

    Append ``async def handler(session, trace_config_ctx, params)`` coroutines
    to the ``on_*`` signals; ``params`` is the matching frozen ``Trace*Params``
    object. ``trace_config_ctx`` is a fresh object per request, built by
    ``trace_config_ctx_factory(trace_request_ctx=...)``; handlers of one
    request share it (e.g. to measure durations).

    Args:
        trace_config_ctx_factory: called with the keyword ``trace_request_ctx``
            (the request's ``trace_request_ctx`` argument) to make each
            request's context; :class:`types.SimpleNamespace` by default.

    Raises:
        TypeError: if ``trace_config_ctx_factory`` is not callable.
    """

    def __init__(self, trace_config_ctx_factory: Callable[..., Any] = SimpleNamespace) -> None:
        if not callable(trace_config_ctx_factory):
            raise TypeError(
                f"trace_config_ctx_factory must be callable, got {trace_config_ctx_factory!r}"
            )
        self._trace_config_ctx_factory = trace_config_ctx_factory
        self._signals: dict[str, Signal] = {name: Signal(self) for name in _SIGNAL_NAMES}
        self._frozen = False

    def trace_config_ctx(self, trace_request_ctx: Any = None) -> Any:
        """Return a new per-request context: ``factory(trace_request_ctx=trace_request_ctx)``."""
        return self._trace_config_ctx_factory(trace_request_ctx=trace_request_ctx)

    def freeze(self) -> None:
        """Freeze every signal (the session does it); handlers can no longer be added."""
        for signal in self._signals.values():
            signal.freeze()
        self._frozen = True

    @property
    def frozen(self) -> bool:
        """``True`` once :meth:`freeze` was called."""
        return self._frozen

    @property
    def on_request_start(self) -> Signal:
        """Sent with :class:`TraceRequestStartParams` before a request is sent."""
        return self._signals["on_request_start"]

    @property
    def on_request_chunk_sent(self) -> Signal:
        """Sent with :class:`TraceRequestChunkSentParams` for each body chunk written."""
        return self._signals["on_request_chunk_sent"]

    @property
    def on_response_chunk_received(self) -> Signal:
        """Sent with :class:`TraceResponseChunkReceivedParams` for each body chunk read."""
        return self._signals["on_response_chunk_received"]

    @property
    def on_request_end(self) -> Signal:
        """Sent with :class:`TraceRequestEndParams` when the response head arrived."""
        return self._signals["on_request_end"]

    @property
    def on_request_exception(self) -> Signal:
        """Sent with :class:`TraceRequestExceptionParams` when the request failed."""
        return self._signals["on_request_exception"]

    @property
    def on_request_redirect(self) -> Signal:
        """Sent with :class:`TraceRequestRedirectParams` for each redirect followed."""
        return self._signals["on_request_redirect"]

    @property
    def on_connection_queued_start(self) -> Signal:
        """Sent with :class:`TraceConnectionQueuedStartParams` when waiting for the pool."""
        return self._signals["on_connection_queued_start"]

    @property
    def on_connection_queued_end(self) -> Signal:
        """Sent with :class:`TraceConnectionQueuedEndParams` when the pool wait ends."""
        return self._signals["on_connection_queued_end"]

    @property
    def on_connection_create_start(self) -> Signal:
        """Sent with :class:`TraceConnectionCreateStartParams` before opening a connection."""
        return self._signals["on_connection_create_start"]

    @property
    def on_connection_create_end(self) -> Signal:
        """Sent with :class:`TraceConnectionCreateEndParams` once the connection is open."""
        return self._signals["on_connection_create_end"]

    @property
    def on_connection_reuseconn(self) -> Signal:
        """Sent with :class:`TraceConnectionReuseconnParams` when a pooled one is reused."""
        return self._signals["on_connection_reuseconn"]

    @property
    def on_dns_resolvehost_start(self) -> Signal:
        """Sent with :class:`TraceDnsResolveHostStartParams` before resolving a host."""
        return self._signals["on_dns_resolvehost_start"]

    @property
    def on_dns_resolvehost_end(self) -> Signal:
        """Sent with :class:`TraceDnsResolveHostEndParams` after resolving a host."""
        return self._signals["on_dns_resolvehost_end"]

    @property
    def on_dns_cache_hit(self) -> Signal:
        """Sent with :class:`TraceDnsCacheHitParams` when the DNS cache had the host."""
        return self._signals["on_dns_cache_hit"]

    @property
    def on_dns_cache_miss(self) -> Signal:
        """Sent with :class:`TraceDnsCacheMissParams` when the DNS cache missed."""
        return self._signals["on_dns_cache_miss"]

    @property
    def on_request_headers_sent(self) -> Signal:
        """Sent with :class:`TraceRequestHeadersSentParams` once the head is written."""
        return self._signals["on_request_headers_sent"]

    def __repr__(self) -> str:
        return f"<TraceConfig frozen={self._frozen}>"


class Trace:
    """One request's view of one :class:`TraceConfig`; the session creates it.

    Each ``send_*`` coroutine builds the matching parameter object and sends
    the signal as ``handler(session, trace_config_ctx, params)``.

    Args:
        session: the session making the request (first handler argument).
        trace_config: the frozen :class:`TraceConfig`.
        trace_config_ctx: this request's context, from
            :meth:`TraceConfig.trace_config_ctx`.
    """

    __slots__ = ("_session", "_trace_config", "_trace_config_ctx")

    def __init__(self, session: Any, trace_config: TraceConfig, trace_config_ctx: Any) -> None:
        self._session = session
        self._trace_config = trace_config
        self._trace_config_ctx = trace_config_ctx

    @property
    def trace_config_ctx(self) -> Any:
        """The per-request context object handlers receive."""
        return self._trace_config_ctx

    async def _send(self, signal: Signal, params: object) -> None:
        await signal.send(self._session, self._trace_config_ctx, params)

    async def send_request_start(self, method: str, url: URL, headers: CIMultiDict[str]) -> None:
        """Send ``on_request_start``."""
        await self._send(
            self._trace_config.on_request_start, TraceRequestStartParams(method, url, headers)
        )

    async def send_request_chunk_sent(self, method: str, url: URL, chunk: bytes) -> None:
        """Send ``on_request_chunk_sent``."""
        await self._send(
            self._trace_config.on_request_chunk_sent,
            TraceRequestChunkSentParams(method, url, chunk),
        )

    async def send_response_chunk_received(self, method: str, url: URL, chunk: bytes) -> None:
        """Send ``on_response_chunk_received``."""
        await self._send(
            self._trace_config.on_response_chunk_received,
            TraceResponseChunkReceivedParams(method, url, chunk),
        )

    async def send_request_end(
        self, method: str, url: URL, headers: CIMultiDict[str], response: Any
    ) -> None:
        """Send ``on_request_end``."""
        await self._send(
            self._trace_config.on_request_end,
            TraceRequestEndParams(method, url, headers, response),
        )

    async def send_request_exception(
        self, method: str, url: URL, headers: CIMultiDict[str], exception: BaseException
    ) -> None:
        """Send ``on_request_exception``."""
        await self._send(
            self._trace_config.on_request_exception,
            TraceRequestExceptionParams(method, url, headers, exception),
        )

    async def send_request_redirect(
        self, method: str, url: URL, headers: CIMultiDict[str], response: Any
    ) -> None:
        """Send ``on_request_redirect``."""
        await self._send(
            self._trace_config.on_request_redirect,
            TraceRequestRedirectParams(method, url, headers, response),
        )

    async def send_connection_queued_start(self) -> None:
        """Send ``on_connection_queued_start``."""
        await self._send(
            self._trace_config.on_connection_queued_start, TraceConnectionQueuedStartParams()
        )

    async def send_connection_queued_end(self) -> None:
        """Send ``on_connection_queued_end``."""
        await self._send(
            self._trace_config.on_connection_queued_end, TraceConnectionQueuedEndParams()
        )

    async def send_connection_create_start(self) -> None:
        """Send ``on_connection_create_start``."""
        await self._send(
            self._trace_config.on_connection_create_start, TraceConnectionCreateStartParams()
        )

    async def send_connection_create_end(self) -> None:
        """Send ``on_connection_create_end``."""
        await self._send(
            self._trace_config.on_connection_create_end, TraceConnectionCreateEndParams()
        )

    async def send_connection_reuseconn(self) -> None:
        """Send ``on_connection_reuseconn``."""
        await self._send(
            self._trace_config.on_connection_reuseconn, TraceConnectionReuseconnParams()
        )

    async def send_dns_resolvehost_start(self, host: str) -> None:
        """Send ``on_dns_resolvehost_start``."""
        await self._send(
            self._trace_config.on_dns_resolvehost_start, TraceDnsResolveHostStartParams(host)
        )

    async def send_dns_resolvehost_end(self, host: str) -> None:
        """Send ``on_dns_resolvehost_end``."""
        await self._send(
            self._trace_config.on_dns_resolvehost_end, TraceDnsResolveHostEndParams(host)
        )

    async def send_dns_cache_hit(self, host: str) -> None:
        """Send ``on_dns_cache_hit``."""
        await self._send(self._trace_config.on_dns_cache_hit, TraceDnsCacheHitParams(host))

    async def send_dns_cache_miss(self, host: str) -> None:
        """Send ``on_dns_cache_miss``."""
        await self._send(self._trace_config.on_dns_cache_miss, TraceDnsCacheMissParams(host))

    async def send_request_headers(self, method: str, url: URL, headers: CIMultiDict[str]) -> None:
        """Send ``on_request_headers_sent``."""
        await self._send(
            self._trace_config.on_request_headers_sent,
            TraceRequestHeadersSentParams(method, url, headers),
        )


def make_traces(
    session: Any, trace_configs: Iterable[TraceConfig], trace_request_ctx: Any = None
) -> list[Trace]:
    """Build one :class:`Trace` per config for a new request, each with a fresh context.

    Args:
        session: the session making the request.
        trace_configs: the session's (frozen) trace configs.
        trace_request_ctx: the request's ``trace_request_ctx`` argument, handed to
            each config's context factory.

    Raises:
        RuntimeError: if a config is not frozen (the session must freeze its
            configs when it is created).
    """
    traces = []
    for config in trace_configs:
        if not config.frozen:
            raise RuntimeError(f"{config!r} must be frozen before use (call freeze())")
        traces.append(Trace(session, config, config.trace_config_ctx(trace_request_ctx)))
    return traces
