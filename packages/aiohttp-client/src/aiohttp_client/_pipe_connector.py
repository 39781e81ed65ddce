"""``NamedPipeConnector``: connections over Windows named pipes.

Only asyncio's ``ProactorEventLoop`` (Windows) can open a named pipe
(``loop.create_pipe_connection``); elsewhere the connector refuses to be
created, as aiohttp 3.x's does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._client_proto import ResponseHandler
from ._connector import BaseConnector
from ._exceptions import ClientConnectorError, ConnectionTimeoutError
from ._timeouts import ClientTimeout, timeout_after

if TYPE_CHECKING:
    from ._request import ClientRequest
    from ._tracing import Trace

__all__ = ["NamedPipeConnector"]


def _is_proactor(loop: asyncio.AbstractEventLoop) -> bool:
    proactor: Any = getattr(asyncio, "ProactorEventLoop", None)  # defined on Windows only
    return proactor is not None and isinstance(loop, proactor)


class NamedPipeConnector(BaseConnector):
    """Connections over a Windows named pipe (aiohttp 3.x's ``NamedPipeConnector``).

    The URL's host only names the ``Host`` header; every connection goes to ``path``.

    Args:
        path: the pipe's name, e.g. ``r"\\\\.\\pipe\\my-service"``.
        **kwargs: :class:`BaseConnector` arguments.

    Raises:
        RuntimeError: the running loop is not a ``ProactorEventLoop`` (any
            loop on other systems than Windows).
    """

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not _is_proactor(self._loop):
            self._closed = True
            raise RuntimeError(
                "Named Pipes only available in proactor loop under windows "
                f"(the running loop is a {type(self._loop).__name__})"
            )
        self._path = path

    @property
    def path(self) -> str:
        """The named pipe's path."""
        return self._path

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[Trace], timeout: ClientTimeout
    ) -> ResponseHandler:
        loop: Any = self._loop  # create_pipe_connection() is ProactorEventLoop's own
        try:
            async with timeout_after(
                timeout.sock_connect,
                exc_type=ConnectionTimeoutError,
                message=f"Connection timeout to named pipe {self._path}",
                ceil_threshold=timeout.ceil_threshold,
            ):
                _, proto = await loop.create_pipe_connection(self._factory, self._path)
        except OSError as exc:
            if isinstance(exc, ConnectionTimeoutError):
                raise
            raise ClientConnectorError(req.connection_key, exc) from exc
        handler: ResponseHandler = proto
        if handler.transport is None:
            # The proactor's pipe transport calls connection_made() with call_soon.
            try:
                await asyncio.sleep(0)
            except BaseException:
                handler.close()
                raise
        return handler
