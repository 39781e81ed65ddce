"""The older documents' helpers, kept for code written against them.

They are reached only through deprecated aliases (``aiohttp.helpers.Timeout``,
``aiohttp.errors.HttpMethodNotAllowed``, ...), which warn on every use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from aiohttp_client import TimerContext
from aiohttp_http import HttpProcessingError

__all__ = ["HttpMethodNotAllowed", "Timeout", "create_future", "noop"]


class HttpMethodNotAllowed(HttpProcessingError):
    """The older documents' 405 error; an :class:`aiohttp_http.HttpProcessingError`."""

    code = 405
    message = "Method Not Allowed"

    def __init__(
        self,
        *,
        code: int | None = None,
        message: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code=code, message=message or type(self).message, headers=headers)


class Timeout:
    """Bound a block to ``timeout`` seconds, like ``async_timeout.timeout()`` (deprecated).

    ``with Timeout(10):`` and ``async with Timeout(10):`` inside a task cancel
    the task when the deadline passes and raise :class:`asyncio.TimeoutError`
    when the block exits; a cancellation from outside propagates unchanged.
    ``None`` (or ``0``) means no timeout. Built on aiohttp-client's
    :class:`~aiohttp_client.TimerContext`.

    Args:
        timeout: seconds, or ``None`` for no timeout.
        loop: ignored (the running loop is used); accepted for old code.

    Raises:
        RuntimeError: when entered outside a task.
        ValueError: for a negative timeout.
    """

    __slots__ = ("_expired", "_handle", "_timeout", "_timer")

    def __init__(
        self, timeout: float | None, *, loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be None or >= 0, got {timeout!r}")
        self._timeout = timeout or None
        self._timer: TimerContext | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._expired = False

    @property
    def expired(self) -> bool:
        """Whether the deadline passed inside the block."""
        return self._expired

    def _expire(self) -> None:
        self._expired = True
        assert self._timer is not None
        self._timer.timeout()

    def __enter__(self) -> Timeout:
        """Start the deadline in the current task."""
        if self._timer is not None:
            raise RuntimeError("a Timeout cannot be entered twice")
        loop = asyncio.get_running_loop()
        self._timer = TimerContext(loop)
        self._timer.__enter__()
        if self._timeout is not None:
            self._handle = loop.call_later(self._timeout, self._expire)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        """Stop the deadline; turn the timer's cancellation into :class:`asyncio.TimeoutError`."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        assert self._timer is not None
        return self._timer.__exit__(exc_type, exc, tb)

    async def __aenter__(self) -> Timeout:
        """Start the deadline in the current task (``async with`` form)."""
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        """Stop the deadline (``async with`` form)."""
        return self.__exit__(exc_type, exc, tb)


def create_future(loop: asyncio.AbstractEventLoop) -> asyncio.Future[Any]:
    """Return ``loop.create_future()`` (the older compatibility wrapper)."""
    return loop.create_future()


async def noop(*args: Any, **kwargs: Any) -> None:
    """Do nothing, asynchronously (the older documents' ``helpers.noop``)."""
    return None
