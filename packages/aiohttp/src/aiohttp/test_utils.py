"""``aiohttp.test_utils``: run a low-level server on 127.0.0.1 and talk to it in tests.

:class:`RawTestServer` serves a handler of the low-level server
(:class:`aiohttp_http.Server`: a coroutine taking a
:class:`~aiohttp_http.BaseRequest` and returning a
:class:`~aiohttp_http.Response`); :class:`TestClient` wraps a
:class:`~aiohttp_client.ClientSession` whose requests go to that server, so a
test writes ``await client.get("/path")``. Both are async context managers
and close everything they opened. The pytest fixtures of
:mod:`aiohttp.pytest_plugin` are built on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator
from types import TracebackType
from typing import Any

import aiohttp_client
import aiohttp_http

__all__ = [
    "DEFAULT_CLOSE_TIMEOUT",
    "RawTestServer",
    "TestClient",
    "loop_context",
    "unused_port",
]

#: Seconds :meth:`RawTestServer.close` lets in-flight requests finish before aborting them.
DEFAULT_CLOSE_TIMEOUT = 5.0


def unused_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free on ``host`` a moment ago (bind to port 0, then release).

    Prefer ``port=None`` (bind to 0) where the server allows it: another
    process may take the returned port before it is used.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def loop_context(*, fast: bool = False) -> Iterator[asyncio.AbstractEventLoop]:
    """Yield a new event loop (set as current) and close it, with its async generators, after.

    For synchronous tests that need a loop of their own; under pytest-asyncio
    use its loop instead. ``fast`` is accepted for aiohttp 3.x compatibility
    and has no effect.
    """
    del fast
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


class RawTestServer:
    """A low-level server (:class:`aiohttp_http.Server`) on a local port, for tests.

    Args:
        handler: the request handler: ``async (BaseRequest) -> StreamResponse``.
        host: the address to bind (default ``127.0.0.1``).
        port: the port; ``None`` or 0 picks a free one (see :attr:`port`).
        server_kwargs: settings of :class:`aiohttp_http.Server` (timeouts,
            limits). ``shutdown_timeout`` defaults to :data:`DEFAULT_CLOSE_TIMEOUT`.

    Start it with :meth:`start_server` or ``async with``; :meth:`close` shuts
    it down gracefully (bounded by ``shutdown_timeout``).
    """

    __test__ = False  # not a test class, whatever pytest's collection patterns say

    def __init__(
        self,
        handler: aiohttp_http.Handler,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        scheme: str = "http",
        **server_kwargs: Any,
    ) -> None:
        self.handler = handler
        self.host = host
        self._requested_port = port or 0
        self._port: int | None = None
        self.scheme = scheme
        server_kwargs.setdefault("shutdown_timeout", DEFAULT_CLOSE_TIMEOUT)
        self._server_kwargs = server_kwargs
        self._server: aiohttp_http.Server | None = None
        self._closed = False

    @property
    def started(self) -> bool:
        """True between :meth:`start_server` and :meth:`close`."""
        return self._server is not None and not self._closed

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def port(self) -> int:
        """The bound port (the requested one before :meth:`start_server`; 0 for any)."""
        return self._port if self._port is not None else self._requested_port

    @property
    def server(self) -> aiohttp_http.Server | None:
        """The :class:`aiohttp_http.Server` once started (``requests_count``, ``connections``)."""
        return self._server

    async def start_server(self, **kwargs: Any) -> None:
        """Bind and start accepting; a second call does nothing.

        ``kwargs`` are added to the server settings given at construction.

        Raises:
            RuntimeError: the server was closed.
            OSError: the address cannot be bound.
        """
        if self._closed:
            raise RuntimeError("the test server was closed")
        if self._server is not None:
            return
        settings = {**self._server_kwargs, **kwargs}
        server = aiohttp_http.Server(self.handler, **settings)
        loop = asyncio.get_running_loop()
        listener = await loop.create_server(server, self.host, self._requested_port)
        server.attach(listener)
        self._server = server
        self._port = server.port

    def make_url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server (``path`` starts with ``/``).

        Raises:
            ValueError: ``path`` is an absolute URL or does not start with ``/``.
        """
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{path}"

    async def close(self) -> None:
        """Shut down gracefully (bounded by ``shutdown_timeout``); idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            await self._server.shutdown()

    async def __aenter__(self) -> RawTestServer:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class _RequestContext(Coroutine[Any, Any, aiohttp_client.ClientResponse]):
    """``await client.get(...)`` gives the response; ``async with`` releases it after."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine[Any, Any, aiohttp_client.ClientResponse]) -> None:
        self._coro = coro
        self._resp: aiohttp_client.ClientResponse | None = None

    def send(self, value: Any) -> Any:
        """Coroutine protocol: forwarded to the request coroutine."""
        return self._coro.send(value)

    def throw(self, *args: Any) -> Any:
        """Coroutine protocol: forwarded to the request coroutine."""
        return self._coro.throw(*args)

    def close(self) -> None:
        """Coroutine protocol: close the request coroutine."""
        self._coro.close()

    def __await__(self) -> Generator[Any, None, aiohttp_client.ClientResponse]:
        return self._coro.__await__()

    async def __aenter__(self) -> aiohttp_client.ClientResponse:
        self._resp = await self._coro
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._resp is not None:
            self._resp.release()


class TestClient:
    """A :class:`~aiohttp_client.ClientSession` whose requests go to a test server.

    Args:
        server: a :class:`RawTestServer` (started by :meth:`start_server` if it is not).
        cookie_jar: the session's jar; default a ``CookieJar(unsafe=True)`` so
            cookies set by ``127.0.0.1`` are kept.
        session_kwargs: further :class:`~aiohttp_client.ClientSession` arguments.

    Request helpers take a path (``"/items?x=1"``), not a URL, and return
    what ``session.request`` returns: ``await`` it for the
    :class:`~aiohttp_client.ClientResponse`, or ``async with`` it. Responses and
    WebSockets still open at :meth:`close` are released and closed.
    """

    __test__ = False  # not a test class, whatever pytest's collection patterns say

    def __init__(
        self,
        server: RawTestServer,
        *,
        cookie_jar: aiohttp_client.AbstractCookieJar | None = None,
        **session_kwargs: Any,
    ) -> None:
        self._server = server
        self._cookie_jar = cookie_jar
        self._session_kwargs = session_kwargs
        self._session: aiohttp_client.ClientSession | None = None
        self._responses: list[aiohttp_client.ClientResponse] = []
        self._websockets: list[Any] = []
        self._closed = False

    @property
    def server(self) -> RawTestServer:
        """The server the requests go to."""
        return self._server

    @property
    def host(self) -> str:
        """The server's host."""
        return self._server.host

    @property
    def port(self) -> int:
        """The server's port."""
        return self._server.port

    @property
    def scheme(self) -> str:
        """The server's scheme."""
        return self._server.scheme

    @property
    def session(self) -> aiohttp_client.ClientSession:
        """The client session (made by :meth:`start_server`).

        Raises:
            RuntimeError: the client was not started.
        """
        if self._session is None:
            raise RuntimeError("the test client is not started (await start_server())")
        return self._session

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def make_url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on the server."""
        return self._server.make_url(path)

    async def start_server(self) -> None:
        """Start the server (if needed) and open the session; a second call does nothing.

        Raises:
            RuntimeError: the client was closed.
        """
        if self._closed:
            raise RuntimeError("the test client was closed")
        await self._server.start_server()
        if self._session is None:
            jar = self._cookie_jar
            if jar is None:
                jar = aiohttp_client.CookieJar(unsafe=True)
            self._session = aiohttp_client.ClientSession(cookie_jar=jar, **self._session_kwargs)

    async def _request(
        self, method: str, path: str, **kwargs: Any
    ) -> aiohttp_client.ClientResponse:
        response = await self.session.request(method, self.make_url(path), **kwargs)
        self._responses.append(response)
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``method path`` to the server; ``kwargs`` as for ``ClientSession.request``."""
        return _RequestContext(self._request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``GET path``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``POST path``."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``PUT path``."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``PATCH path``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``DELETE path``."""
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``HEAD path``."""
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> _RequestContext:
        """Send ``OPTIONS path``."""
        return self.request("OPTIONS", path, **kwargs)

    def ws_connect(self, path: str, **kwargs: Any) -> Any:
        """Open a WebSocket to ``path``; await the result or ``async with`` it.

        ``kwargs`` are those of ``ClientSession.ws_connect`` (protocols,
        heartbeat, compress, ...). The WebSocket is closed by :meth:`close`
        if the test did not close it.
        """
        return _WSContext(self, self._ws_connect(path, **kwargs))

    async def _ws_connect(self, path: str, **kwargs: Any) -> Any:
        session = self.session
        url = self.make_url(path)
        method: Callable[..., Awaitable[Any]] | None = getattr(session, "ws_connect", None)
        if method is not None:
            ws = await method(url, **kwargs)
        else:
            ws = await aiohttp_client.ws_connect(session, url, **kwargs)
        self._websockets.append(ws)
        return ws

    async def close(self) -> None:
        """Release open responses, close WebSockets, the session and the server; idempotent."""
        if self._closed:
            return
        self._closed = True
        for response in self._responses:
            response.release()
        self._responses.clear()
        for ws in self._websockets:
            if not ws.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ws.close(), DEFAULT_CLOSE_TIMEOUT)
        self._websockets.clear()
        if self._session is not None:
            await self._session.close()
        await self._server.close()

    async def __aenter__(self) -> TestClient:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class _WSContext:
    """``await client.ws_connect(...)`` gives the WebSocket; ``async with`` closes it after."""

    __slots__ = ("_client", "_coro", "_ws")

    def __init__(self, client: TestClient, coro: Coroutine[Any, Any, Any]) -> None:
        self._client = client
        self._coro = coro
        self._ws: Any = None

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    async def __aenter__(self) -> Any:
        self._ws = await self._coro
        return self._ws

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._ws is not None and not self._ws.closed:
            await asyncio.wait_for(self._ws.close(), DEFAULT_CLOSE_TIMEOUT)
