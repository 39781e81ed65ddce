"""Payloads fed by coroutines and by stream readers.

``@streamer`` turns a coroutine function ``async def gen(writer, *args)`` into
a factory of payloads that call it with the body writer (deprecated in
aiohttp 3.x in favour of async generators, kept for old code).
:class:`StreamReaderPayload` forwards another stream (for example a proxied
response body) as it arrives.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from ._abc import SupportsAsyncWrite
from ._payload import AsyncIterablePayload, Payload, register_payload
from ._streams import StreamReader

__all__ = ["StreamReaderPayload", "StreamWrapperPayload", "streamer"]

_StreamerFunc = Callable[..., Awaitable[None]]


class _StreamWrapper:
    """A ``@streamer`` function bound to its arguments, waiting for a writer."""

    __slots__ = ("args", "coro", "kwargs")

    def __init__(self, coro: _StreamerFunc, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.coro = coro
        self.args = args
        self.kwargs = kwargs

    async def __call__(self, writer: SupportsAsyncWrite) -> None:
        await self.coro(writer, *self.args, **self.kwargs)


class streamer:  # aiohttp's (lower-case) name
    """Decorator for ``async def gen(writer, *args, **kwargs)`` body producers (deprecated).

    Calling the decorated function with ``*args, **kwargs`` returns an object
    that :func:`~aiohttp_http.get_payload` wraps in a
    :class:`StreamWrapperPayload`; when the body is sent, the function runs
    with the body writer as its first argument.
    """

    def __init__(self, coro: _StreamerFunc) -> None:
        warnings.warn(
            "@streamer is deprecated, use async generators instead",
            DeprecationWarning,
            stacklevel=2,
        )
        self.coro = coro

    def __call__(self, *args: Any, **kwargs: Any) -> _StreamWrapper:
        """Bind the arguments; the function runs when the payload is written."""
        return _StreamWrapper(self.coro, args, kwargs)


class StreamWrapperPayload(Payload):
    """Payload running a ``@streamer`` function with the writer; size unknown, single use."""

    _value: _StreamWrapper

    async def write(self, writer: SupportsAsyncWrite) -> None:
        """Run the bound streamer function with *writer*."""
        await self._value(writer)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Always raises :class:`TypeError`: the body only exists while it is written."""
        raise TypeError(f"{type(self).__name__} cannot be decoded; use 'await as_bytes()'")


class StreamReaderPayload(AsyncIterablePayload):
    """Payload forwarding a :class:`~aiohttp_http.StreamReader` chunk by chunk (single use)."""

    def __init__(self, value: StreamReader, *args: Any, **kwargs: Any) -> None:
        super().__init__(value.iter_any(), *args, **kwargs)


register_payload(StreamWrapperPayload, _StreamWrapper)
register_payload(StreamReaderPayload, StreamReader)
