"""``Connection``: one connection lent by a connector to one request."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._client_proto import ResponseHandler
from ._reqinfo import ConnectionKey

if TYPE_CHECKING:
    from ._connector import BaseConnector

__all__ = ["Connection"]


class Connection:
    """A connection lent by :meth:`BaseConnector.connect` (aiohttp 3.x's ``Connection``).

    Give it back with :meth:`release` (the connector keeps it for reuse when
    the response was read whole and keep-alive is allowed, and closes it
    otherwise) or :meth:`close` (always closes the socket). A connection
    garbage-collected while still lent is closed and reported with a
    :class:`ResourceWarning`.
    """

    __slots__ = ("__weakref__", "_callbacks", "_connector", "_key", "_loop", "_protocol", "reused")

    def __init__(
        self,
        connector: BaseConnector,
        key: ConnectionKey,
        protocol: ResponseHandler,
        loop: asyncio.AbstractEventLoop,
        *,
        reused: bool = False,
    ) -> None:
        self._connector = connector
        self._key = key
        self._protocol: ResponseHandler | None = protocol
        self._loop = loop
        self._callbacks: list[Callable[[], None]] = []
        #: True when the connection came from the pool (it served a request before).
        self.reused = reused

    def __repr__(self) -> str:
        return f"Connection<{self._key}>"

    def __del__(self, _warnings: object = warnings) -> None:
        if self._protocol is not None:
            warnings.warn(f"Unclosed connection {self!r}", ResourceWarning, stacklevel=1)
            if not self._loop.is_closed():
                self._connector._release(self._key, self._protocol, should_close=True)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop of the connection."""
        return self._loop

    @property
    def key(self) -> ConnectionKey:
        """The pool key (host, port, TLS settings, proxy) of the connection."""
        return self._key

    @property
    def transport(self) -> asyncio.Transport | None:
        """The transport, or ``None`` once released or lost."""
        if self._protocol is None:
            return None
        return self._protocol.transport

    @property
    def protocol(self) -> ResponseHandler | None:
        """The :class:`ResponseHandler`, or ``None`` once released."""
        return self._protocol

    @property
    def closed(self) -> bool:
        """True once released, closed or lost."""
        return self._protocol is None or not self._protocol.is_connected()

    def add_callback(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once when the connection is released or closed."""
        if callback is not None:
            self._callbacks.append(callback)

    def _notify_release(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a callback must not break the release
                self._loop.call_exception_handler(
                    {"message": "Exception in Connection release callback", "connection": self}
                )

    def close(self) -> None:
        """Close the socket and give the slot back to the connector."""
        self._notify_release()
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._connector._release(self._key, protocol, should_close=True)

    def release(self) -> None:
        """Give the connection back: pooled if its response is complete, closed otherwise."""
        self._notify_release()
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._connector._release(self._key, protocol, should_close=protocol.should_close)
