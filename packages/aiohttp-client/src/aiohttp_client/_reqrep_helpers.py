"""The objects ``session.get()`` and ``request()`` return: awaitable and ``async with``-able."""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._response import ClientResponse

if TYPE_CHECKING:
    from ._session import ClientSession

__all__ = ["_RequestContextManager", "_SessionRequestContextManager"]


class _RequestContextManager(Coroutine[Any, Any, ClientResponse]):
    """``await session.get(url)`` gives the response; ``async with session.get(url) as r``
    releases it at the end of the block."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine[Any, Any, ClientResponse]) -> None:
        self._coro = coro
        self._resp: ClientResponse | None = None

    def send(self, arg: Any) -> Any:
        """Coroutine protocol: forwarded to the request coroutine."""
        return self._coro.send(arg)

    def throw(self, *args: Any, **kwargs: Any) -> Any:
        """Coroutine protocol: forwarded to the request coroutine."""
        return self._coro.throw(*args, **kwargs)

    def close(self) -> None:
        """Coroutine protocol: close the request coroutine."""
        self._coro.close()

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self._coro.__await__()

    async def __aenter__(self) -> ClientResponse:
        """Send the request; return the response."""
        self._resp = await self._coro
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Release the response (its connection is closed unless the body was read)."""
        resp = self._resp
        assert resp is not None
        resp.release()
        if resp._writer is not None:
            await resp.wait_for_close()


class _SessionRequestContextManager:
    """What the module-level ``request()`` returns: owns a one-off session, closed at exit."""

    __slots__ = ("_coro", "_resp", "_session")

    def __init__(self, coro: Coroutine[Any, Any, ClientResponse], session: ClientSession) -> None:
        self._coro = coro
        self._resp: ClientResponse | None = None
        self._session = session

    async def __aenter__(self) -> ClientResponse:
        """Send the request; on failure close the session and re-raise."""
        try:
            self._resp = await self._coro
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Release the response and close the session."""
        assert self._resp is not None
        self._resp.release()
        await self._session.close()
