"""Timeout settings and the timers that enforce them.

Semantics of every timeout field, once: a number of seconds (``float``);
``None`` **or** ``0`` disables that timeout (aiohttp 3.x); negative values
are refused.

The timers cancel the current task when the deadline passes and turn the
resulting :class:`asyncio.CancelledError` into the exception chosen by the
caller. A cancellation that did not come from the timer (the task was
cancelled from outside) is always propagated unchanged; on Python 3.11+
this uses :meth:`asyncio.Task.uncancel`, like :func:`asyncio.timeout`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp_http import BaseTimerContext, TimerNoop

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_WS_CLIENT_TIMEOUT",
    "ClientTimeout",
    "ClientWSTimeout",
    "TimeoutAfter",
    "TimeoutHandle",
    "TimerContext",
    "ceil_timeout",
    "timeout_after",
]


def _check_seconds(owner: str, name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{owner}.{name} must be a number of seconds or None, not {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"{owner}.{name} must be >= 0 seconds or None, not {value!r}")


@dataclasses.dataclass(frozen=True)
class ClientTimeout:
    """Timeouts of a client session or request, in seconds (``None`` or ``0``: no timeout).

    Attributes:
        total: the whole operation: connecting, sending, redirects and
            reading the body.
        connect: acquiring a connection, including waiting for a free one in
            the pool and establishing a new one.
        sock_read: the longest wait for new data from the peer.
        sock_connect: establishing a new connection (TCP and TLS), for each
            address tried.
        ceil_threshold: deadlines of timeouts longer than this are rounded
            up to a whole second of the loop clock (fewer timer wake-ups).
        pool: beyond aiohttp: the longest wait for a free connection when the
            pool limits are reached.
        write: beyond aiohttp: the longest wait for the peer to accept data
            while sending the request.

    Raises:
        TypeError: if a field is not a number or ``None``.
        ValueError: if a field is negative or NaN.
    """

    total: float | None = None
    connect: float | None = None
    sock_read: float | None = None
    sock_connect: float | None = None
    ceil_threshold: float = 5
    pool: float | None = None
    write: float | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            _check_seconds("ClientTimeout", field.name, getattr(self, field.name))


#: The session default: 5 minutes in total, 30 seconds to connect each socket.
DEFAULT_TIMEOUT = ClientTimeout(total=5 * 60, sock_connect=30)


@dataclasses.dataclass(frozen=True)
class ClientWSTimeout:
    """Timeouts of a client WebSocket, in seconds (``None`` or ``0``: no timeout).

    Attributes:
        ws_receive: the longest wait in ``receive()`` for the next message.
        ws_close: the longest wait for the peer's close frame after sending ours.

    Raises:
        TypeError: if a field is not a number or ``None``.
        ValueError: if a field is negative or NaN.
    """

    ws_receive: float | None = None
    ws_close: float | None = 10.0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            _check_seconds("ClientWSTimeout", field.name, getattr(self, field.name))


#: The ``ws_connect`` default: no receive timeout, 10 seconds to close.
DEFAULT_WS_CLIENT_TIMEOUT = ClientWSTimeout(ws_receive=None, ws_close=10.0)


def _deadline(loop: asyncio.AbstractEventLoop, delay: float, ceil_threshold: float) -> float:
    when = loop.time() + delay
    if delay > ceil_threshold:
        when = math.ceil(when)
    return when


def _uncancel(task: asyncio.Task[Any]) -> int:
    """Undo one cancel request; return the remaining count (3.10: unknown, return 0)."""
    if sys.version_info >= (3, 11):
        return task.uncancel()
    return 0  # pragma: no cover - Python 3.10 has no cancellation counter


def _cancelling(task: asyncio.Task[Any]) -> int:
    if sys.version_info >= (3, 11):
        return task.cancelling()
    return 0  # pragma: no cover - Python 3.10 has no cancellation counter


class TimeoutAfter:
    """An async context manager that raises ``exc_type`` when its deadline passes.

    Use :func:`timeout_after` to build one. On expiry the current task is
    cancelled; the cancellation is turned into ``exc_type(message)`` at exit.
    ``delay`` of ``None`` or ``0`` disables the timer.
    """

    __slots__ = (
        "_cancelling",
        "_ceil_threshold",
        "_delay",
        "_exc_type",
        "_expired",
        "_handle",
        "_message",
        "_task",
    )

    def __init__(
        self,
        delay: float | None,
        *,
        exc_type: Callable[[str], BaseException] = asyncio.TimeoutError,
        message: str = "Timeout expired",
        ceil_threshold: float = 5,
    ) -> None:
        _check_seconds("timeout_after", "delay", delay)
        self._delay = delay
        self._exc_type = exc_type
        self._message = message
        self._ceil_threshold = ceil_threshold
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._expired = False
        self._cancelling = 0

    @property
    def expired(self) -> bool:
        """Whether the deadline passed (and the task was cancelled by this timer)."""
        return self._expired

    async def __aenter__(self) -> TimeoutAfter:
        """Start the timer in the current task.

        Raises:
            RuntimeError: if called outside a task.
        """
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("timeout_after() must be used inside a task")
        self._task = task
        self._cancelling = _cancelling(task)
        if self._delay:
            loop = asyncio.get_running_loop()
            when = _deadline(loop, self._delay, self._ceil_threshold)
            self._handle = loop.call_at(when, self._on_deadline)
        return self

    def _on_deadline(self) -> None:
        self._handle = None
        if self._task is not None and not self._task.done():
            self._expired = True
            self._task.cancel()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._expired and exc_type is asyncio.CancelledError:
            assert self._task is not None
            # Only our own cancellation becomes a timeout; an outside one stays.
            if _uncancel(self._task) <= self._cancelling:
                raise self._exc_type(self._message) from exc_val


def timeout_after(
    delay: float | None,
    *,
    exc_type: Callable[[str], BaseException] = asyncio.TimeoutError,
    message: str = "Timeout expired",
    ceil_threshold: float = 5,
) -> TimeoutAfter:
    """Bound the body of ``async with`` to ``delay`` seconds.

    Args:
        delay: seconds; ``None`` or ``0`` means no limit.
        exc_type: the exception raised on expiry, called with ``message``
            (e.g. :class:`ConnectionTimeoutError`).
        message: its message; name what timed out and for which host.
        ceil_threshold: deadlines of delays above this are rounded up to a
            whole second.

    Raises:
        ValueError: if ``delay`` is negative.

    Example::

        async with timeout_after(30, exc_type=ConnectionTimeoutError,
                                 message="Connection timeout to example.com:443"):
            await open_connection()
    """
    return TimeoutAfter(delay, exc_type=exc_type, message=message, ceil_threshold=ceil_threshold)


def ceil_timeout(delay: float | None, ceil_threshold: float = 5) -> TimeoutAfter:
    """aiohttp 3.x's ``ceil_timeout``: :func:`timeout_after` raising :class:`asyncio.TimeoutError`.

    ``None``, ``0`` or a negative ``delay`` means no limit; deadlines of delays
    above ``ceil_threshold`` seconds are rounded up to a whole second (fewer
    timer wake-ups when many requests time out together).
    """
    if delay is not None and delay <= 0:
        delay = None
    return TimeoutAfter(delay, ceil_threshold=ceil_threshold)


class TimerContext(BaseTimerContext):
    """A synchronous timer a stream enters around each wait (aiohttp 3.x's ``TimerContext``).

    :meth:`timeout` (called by :class:`TimeoutHandle` when the deadline
    passes) cancels every task currently inside the context and makes each
    later entry fail at once; the cancellation is turned into
    ``exc_type(message)`` when the context exits.

    Args:
        loop: the running event loop.
        exc_type: the exception raised on expiry (default
            :class:`asyncio.TimeoutError`).
        message: its message.
    """

    __slots__ = ("_cancelled", "_cancelling", "_exc_type", "_loop", "_message", "_tasks")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        exc_type: Callable[[str], BaseException] = asyncio.TimeoutError,
        message: str = "Timeout expired",
    ) -> None:
        self._loop = loop
        self._exc_type = exc_type
        self._message = message
        self._tasks: list[asyncio.Task[Any]] = []
        self._cancelled = False
        self._cancelling = 0

    def assert_timeout(self) -> None:
        """Raise the timeout exception if the timer already expired."""
        if self._cancelled:
            raise self._exc_type(self._message) from None

    def __enter__(self) -> TimerContext:
        """Register the current task; fail at once if already expired.

        Raises:
            RuntimeError: if called outside a task.
        """
        task = asyncio.current_task(loop=self._loop)
        if task is None:
            raise RuntimeError("TimerContext must be used inside a task")
        if self._cancelled:
            raise self._exc_type(self._message) from None
        if not self._tasks:
            self._cancelling = _cancelling(task)
        self._tasks.append(task)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        task = self._tasks.pop() if self._tasks else None
        if (
            exc_type is asyncio.CancelledError
            and self._cancelled
            and task is not None
            and _uncancel(task) <= self._cancelling
        ):
            raise self._exc_type(self._message) from exc_val
        return None

    def timeout(self) -> None:
        """Expire the timer: cancel the tasks inside it; later entries fail."""
        if not self._cancelled:
            for task in set(self._tasks):
                task.cancel()
            self._cancelled = True


class TimeoutHandle:
    """A deadline shared by several timers and callbacks (aiohttp 3.x's ``TimeoutHandle``).

    :meth:`start` schedules the deadline ``timeout`` seconds from now; when
    it passes, every registered callback runs (a :class:`TimerContext` made
    by :meth:`timer` registers its ``timeout``).

    Args:
        loop: the running event loop.
        timeout: seconds; ``None`` or ``0`` means never.
        ceil_threshold: deadlines of timeouts above this are rounded up to a
            whole second.
        exc_type: the exception the timers made by :meth:`timer` raise.
        message: its message.
    """

    __slots__ = ("_callbacks", "_ceil_threshold", "_exc_type", "_loop", "_message", "_timeout")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        timeout: float | None,
        ceil_threshold: float = 5,
        *,
        exc_type: Callable[[str], BaseException] = asyncio.TimeoutError,
        message: str = "Timeout expired",
    ) -> None:
        _check_seconds("TimeoutHandle", "timeout", timeout)
        self._loop = loop
        self._timeout = timeout
        self._ceil_threshold = ceil_threshold
        self._exc_type = exc_type
        self._message = message
        self._callbacks: list[Callable[[], None]] = []

    def register(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the deadline passes."""
        self._callbacks.append(callback)

    def close(self) -> None:
        """Forget every registered callback."""
        self._callbacks.clear()

    def start(self) -> asyncio.TimerHandle | None:
        """Schedule the deadline; return its handle, or ``None`` when there is no timeout."""
        if not self._timeout:
            return None
        when = _deadline(self._loop, self._timeout, self._ceil_threshold)
        return self._loop.call_at(when, self.__call__)

    def timer(self) -> BaseTimerContext:
        """Return a :class:`TimerContext` bound to this deadline (a no-op timer without one)."""
        if not self._timeout:
            return TimerNoop()
        ctx = TimerContext(self._loop, exc_type=self._exc_type, message=self._message)
        self.register(ctx.timeout)
        return ctx

    def __call__(self) -> None:
        """Run the registered callbacks once (the deadline passed)."""
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()
