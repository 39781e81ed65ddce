"""Servers for the command line tests, on 127.0.0.1, in an event loop of their own thread.

The commands under test run ``asyncio.run()`` themselves (in process through ``main()`` or
as a subprocess), so the servers cannot share the test's loop: :class:`BackgroundLoop` runs
one in a daemon thread and every call into it is bounded by :data:`WAIT`.

* :func:`start_http_app`: aiohttp-http's low-level server with the routes of :func:`handler`
  (echo, multipart parsed by python-multipart, big and slow bodies, statuses, redirects,
  a request that never gets an answer);
* :func:`start_ws_echo`: a websockets-library echo server recording handshakes and close codes;
* :func:`start_silent_server`: accepts connections and never answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

from python_multipart.multipart import MultipartParser, parse_options_header
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse

from aiohttp_http import BaseRequest, Response, StreamResponse, serve

WAIT = 10.0
T = TypeVar("T")


class BackgroundLoop:
    """An event loop running in a daemon thread; :meth:`call` runs a coroutine in it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._cleanups: list[Callable[[], Coroutine[Any, Any, None]]] = []

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = WAIT) -> T:
        """Run ``coro`` in the loop and return its result (bounded by ``timeout``)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def enter(self, manager: contextlib.AbstractAsyncContextManager[T]) -> T:
        """Enter an async context manager in the loop; it is exited by :meth:`close`."""
        stack = contextlib.AsyncExitStack()

        async def enter() -> T:
            return await stack.enter_async_context(manager)

        value = self.call(enter())
        self._cleanups.append(stack.aclose)
        return value

    def close(self) -> None:
        """Exit what :meth:`enter` entered, then stop the loop and the thread."""
        for cleanup in reversed(self._cleanups):
            with contextlib.suppress(Exception):
                self.call(cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(WAIT)
        self.loop.close()


# --- HTTP ------------------------------------------------------------------------------


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class HttpApp:
    """A running HTTP app: its base URL and the requests it saw."""

    url: str
    seen: list[Seen] = field(default_factory=list)


def parse_multipart(content_type: str, body: bytes) -> list[dict[str, Any]]:
    """Parse a multipart body with python-multipart: name, filename, content_type, data."""
    _ctype, params = parse_options_header(content_type)
    parts: list[dict[str, Any]] = []
    current = {"field": b"", "value": b""}

    def on_part_begin() -> None:
        parts.append({"headers": {}, "data": b""})

    def on_header_field(data: bytes, start: int, end: int) -> None:
        current["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        current["value"] += data[start:end]

    def on_header_end() -> None:
        parts[-1]["headers"][current["field"].lower()] = current["value"]
        current["field"] = current["value"] = b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1]["data"] += data[start:end]

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
    )
    parser.write(body)
    parser.finalize()
    fields = []
    for part in parts:
        _disp, options = parse_options_header(part["headers"][b"content-disposition"])
        filename = options.get(b"filename")
        fields.append(
            {
                "name": options[b"name"].decode(),
                "filename": filename.decode() if filename is not None else None,
                "content_type": part["headers"].get(b"content-type", b"").decode(),
                "size": len(part["data"]),
                "sha256": hashlib.sha256(part["data"]).hexdigest(),
                "text": part["data"].decode("utf-8", "replace")[:200],
            }
        )
    return fields


def _json(data: Any, status: int = 200) -> Response:
    return Response(text=json.dumps(data), status=status, content_type="application/json")


async def handler(app: HttpApp, request: BaseRequest) -> StreamResponse:
    """The routes of the test app (see the module docstring)."""
    body = await request.read()
    app.seen.append(
        Seen(
            request.method,
            request.raw_path,
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers],
            body,
        )
    )
    path = request.path
    if path == "/echo":
        return _json(
            {
                "method": request.method,
                "target": request.raw_path,
                "content_type": request.headers.get("Content-Type"),
                "body": body.decode("latin-1"),
            }
        )
    if path == "/form":
        return _json(parse_multipart(request.headers["Content-Type"], body))
    if path == "/slow":
        # ``size`` bytes with Content-Length (``length=0``: chunked), in 32 slow pieces.
        size = int(request.query.get("size", "1048576"))
        headers = {"Content-Type": "application/octet-stream"}
        if request.query.get("length", "1") == "1":
            headers["Content-Length"] = str(size)
        resp = StreamResponse(headers=headers)
        await resp.prepare(request)
        piece = size // 32
        for i in range(32):
            await resp.write(b"%c" % (65 + i % 26) * (piece if i < 31 else size - 31 * piece))
            await asyncio.sleep(float(request.query.get("delay", "0.02")))
        await resp.write_eof()
        return resp
    if path == "/binary":
        return Response(body=bytes(range(256)), content_type="application/octet-stream")
    if path.startswith("/status/"):
        code = int(path.rsplit("/", 1)[1])
        return Response(text=f"status {code}\n", status=code)
    if path == "/redirect":
        return Response(status=302, headers={"Location": "/echo"})
    if path == "/hang":
        await asyncio.sleep(3600)
    return Response(text="hello from the test app\n")


async def _http_app(ssl_context: ssl.SSLContext | None) -> AsyncIterator[HttpApp]:
    app = HttpApp("")

    async def bound(request: BaseRequest) -> StreamResponse:
        return await handler(app, request)

    async with serve(bound, "127.0.0.1", 0, ssl=ssl_context, shutdown_timeout=1.0) as server:
        scheme = "https" if ssl_context is not None else "http"
        app.url = f"{scheme}://127.0.0.1:{server.port}"
        yield app


def start_http_app(bg: BackgroundLoop, ssl_context: ssl.SSLContext | None = None) -> HttpApp:
    """Start the test app (HTTPS with ``ssl_context``) in ``bg``; stopped by ``bg.close()``."""
    return bg.enter(contextlib.asynccontextmanager(_http_app)(ssl_context))


# --- WebSocket -------------------------------------------------------------------------


@dataclass
class WsLog:
    """What the WebSocket server saw."""

    url: str = ""
    request_headers: list[dict[str, str]] = field(default_factory=list)
    closes: list[tuple[int | None, str | None]] = field(default_factory=list)
    received: list[str | bytes] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)


async def _ws_echo(
    log: WsLog, subprotocols: list[str] | None, ssl_context: ssl.SSLContext | None
) -> AsyncIterator[WsLog]:
    async def echo(ws: ServerConnection) -> None:
        assert ws.request is not None
        log.request_headers.append({k.lower(): v for k, v in ws.request.headers.raw_items()})
        try:
            async for message in ws:
                log.received.append(message)
                if message == "server-close":
                    await ws.close(4001, "done")
                    break
                if message == "drop":
                    ws.transport.abort()  # no closing handshake
                    break
                if message == "binary":
                    await ws.send(bytes(range(40)))
                    continue
                await ws.send(message)
        except ConnectionClosed:
            pass
        finally:
            await ws.wait_closed()
            log.closes.append((ws.close_code, ws.close_reason))
            log.done.set()

    def refuse(connection: ServerConnection, request: WsRequest) -> WsResponse | None:
        if request.path == "/forbidden":
            return connection.respond(HTTPStatus.FORBIDDEN, "no WebSocket for you\n")
        return None

    async with ws_serve(
        echo,
        "127.0.0.1",
        0,
        subprotocols=subprotocols,  # type: ignore[arg-type]
        process_request=refuse,
        ssl=ssl_context,
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        scheme = "wss" if ssl_context is not None else "ws"
        log.url = f"{scheme}://127.0.0.1:{port}"
        yield log


def start_ws_echo(
    bg: BackgroundLoop,
    *,
    subprotocols: list[str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> WsLog:
    """Start a websockets echo server in ``bg``: ``server-close`` makes it close with 4001,
    ``drop`` makes it drop the connection, ``binary`` answers 40 binary bytes, and
    ``/forbidden`` refuses the handshake with 403."""

    async def make() -> WsLog:
        return WsLog()

    log = bg.call(make())  # the Event belongs to the background loop
    return bg.enter(contextlib.asynccontextmanager(_ws_echo)(log, subprotocols, ssl_context))


# --- misbehaving servers ---------------------------------------------------------------


def start_silent_server(bg: BackgroundLoop) -> int:
    """Start a server that accepts connections and never answers; return its port."""

    async def silent() -> AsyncIterator[int]:
        server = await asyncio.start_server(_never_answer, "127.0.0.1", 0)
        try:
            yield server.sockets[0].getsockname()[1]
        finally:
            server.close()

    return bg.enter(contextlib.asynccontextmanager(silent)())


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.TimeoutError):
        await asyncio.wait_for(reader.read(), WAIT)
    writer.close()
