"""Our WebSocket echo server on 127.0.0.1, for ``wstest -m fuzzingclient`` (Autobahn|Testsuite).

Usage (``run.py server`` starts it and the fuzzing client for you)::

    python tests/autobahn/server.py --port 9002 [--engine | --raw]

By default the server is what an application would write: the project's
low-level server (``aiohttp_http.serve``) with a handler that prepares an
``aiohttp_client.WebSocketResponse`` and echoes every message. ``--engine``
and ``--raw`` exercise the engine underneath directly, as follows.

Every upgrade request is checked with aiohttp_ws's
``validate_upgrade_request`` (which also accepts the first valid
permessage-deflate offer), answered ``101``, and the connection then echoes
every TEXT and BINARY message back (see ``session.py``); messages of any size
are accepted. A request that is not a valid upgrade gets ``400`` (``426``
with ``Sec-WebSocket-Version: 13`` for another version).

The HTTP side is the project's low-level server, ``aiohttp_http.serve`` with
``BaseRequest.upgrade()`` and ``UpgradedConnection.set_protocol()``, when
aiohttp_http provides them; ``--raw`` (or their absence) uses a plain asyncio
server that reads the request head itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

from session import WebSocketSession, echo

from aiohttp_ws import (
    FlowControlProtocol,
    ServerHandshake,
    WebSocketError,
    WSHandshakeError,
    WSMsgType,
    validate_upgrade_request,
)

HOST = "127.0.0.1"
#: Bound on receiving a request head (raw server).
HANDSHAKE_TIMEOUT = 10.0
#: Largest request head the raw server reads.
MAX_HEAD_SIZE = 2**16


def refusal(exc: WSHandshakeError) -> tuple[int, str, list[tuple[str, str]]]:
    """Status, reason and extra headers answering a refused upgrade request."""
    if "Sec-WebSocket-Version" in str(exc):
        return 426, "Upgrade Required", [("Sec-WebSocket-Version", "13")]
    return 400, "Bad Request", []


# -- on the project's low-level server (aiohttp_http) -------------------------


def has_upgrading_server() -> bool:
    """Whether aiohttp_http offers ``serve`` with a protocol switch after an upgrade."""
    try:
        import aiohttp_http
    except ImportError:
        return False
    connection = getattr(aiohttp_http, "UpgradedConnection", None)
    return hasattr(aiohttp_http, "serve") and hasattr(connection, "set_protocol")


async def serve_on_aiohttp_http(port: int, ready: asyncio.Future[int]) -> None:
    """Serve until cancelled, on ``aiohttp_http.serve`` with its upgrade hook."""
    from aiohttp_http import BaseRequest, Response, StreamResponse, serve

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            handshake = validate_upgrade_request(request.method, list(request.headers.items()))
        except WSHandshakeError as exc:
            status, reason, headers = refusal(exc)
            return Response(text=f"{exc}\n", status=status, reason=reason, headers=headers)
        response = StreamResponse(status=101, headers=handshake.response_headers)
        connection = await request.upgrade(response)
        protocol = FlowControlProtocol()
        connection.set_protocol(protocol)  # replays the bytes after the head into it
        assert protocol.transport is not None
        await run_session(protocol, protocol.transport, handshake)
        return response

    # The server's body limit is irrelevant: upgrade requests carry no body.
    async with serve(handler, HOST, port, keepalive_timeout=10.0) as server:
        ready.set_result(server.port)
        await asyncio.Future()  # until cancelled


# -- on the public server-side API (aiohttp_client.WebSocketResponse) -----------


def has_websocket_response() -> bool:
    """Whether aiohttp_client offers the server-side ``WebSocketResponse``."""
    try:
        import aiohttp_client
    except ImportError:
        return False
    return hasattr(aiohttp_client, "WebSocketResponse")


async def serve_on_websocket_response(port: int, ready: asyncio.Future[int]) -> None:
    """Serve until cancelled: ``aiohttp_http.serve`` + ``aiohttp_client.WebSocketResponse``.

    This is what an application writes: prepare the response (which validates
    the handshake, answers 400 to a bad one, negotiates permessage-deflate),
    then echo every message; autoping and autoclose do the rest.
    """
    from aiohttp_client import WebSocketResponse
    from aiohttp_http import BaseRequest, StreamResponse, serve

    async def handler(request: BaseRequest) -> StreamResponse:
        ws = WebSocketResponse(compress=True, max_msg_size=0)
        await ws.prepare(request)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await ws.send_str(message.data)
            elif message.type == WSMsgType.BINARY:
                await ws.send_bytes(message.data)
        return ws

    async with serve(handler, HOST, port, keepalive_timeout=10.0) as server:
        ready.set_result(server.port)
        await asyncio.Future()  # until cancelled


# -- on a plain asyncio server --------------------------------------------------


def parse_request_head(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    """Method, target and header pairs of an HTTP/1.1 request head.

    Raises ``ValueError`` naming the malformed line.
    """
    request_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or parts[2] != "HTTP/1.1":
        raise ValueError(f"bad request line {request_line[:80]!r}")
    headers = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise ValueError(f"bad header line {line[:80]!r}")
        headers.append((name, value.strip(" \t")))
    return parts[0], parts[1], headers


def http_head(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    """A response head (status line, headers, blank line)."""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def handle_raw(protocol: FlowControlProtocol, transport: asyncio.Transport) -> None:
    """Read one upgrade request, answer it, and run the WebSocket session."""
    try:
        head = await asyncio.wait_for(protocol.read_head(), HANDSHAKE_TIMEOUT)
        method, _target, headers = parse_request_head(head)
        handshake = validate_upgrade_request(method, headers)
    except WSHandshakeError as exc:
        status, reason, extra = refusal(exc)
        body = f"{exc}\n".encode()
        extra += [("Content-Length", str(len(body))), ("Connection", "close")]
        transport.write(http_head(status, reason, extra) + body)
        transport.close()
        return
    except (ValueError, WebSocketError, ConnectionError, asyncio.TimeoutError):
        transport.close()
        return
    transport.write(http_head(101, "Switching Protocols", handshake.response_headers))
    await run_session(protocol, transport, handshake)


async def serve_raw(port: int, ready: asyncio.Future[int]) -> None:
    """Serve until cancelled, on ``loop.create_server``."""
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    class UpgradeProtocol(FlowControlProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            assert self.transport is not None
            task = loop.create_task(handle_raw(self, self.transport))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    server = await loop.create_server(lambda: UpgradeProtocol(head_limit=MAX_HEAD_SIZE), HOST, port)
    async with server:
        ready.set_result(server.sockets[0].getsockname()[1])
        try:
            await asyncio.Future()  # until cancelled
        finally:
            for task in tasks:
                task.cancel()


# -- common -----------------------------------------------------------------------


async def run_session(
    protocol: FlowControlProtocol, transport: asyncio.Transport, handshake: ServerHandshake
) -> None:
    """Echo on an upgraded connection until it ends."""
    ws = WebSocketSession(
        protocol, transport, is_server=True, deflate=handshake.deflate, max_msg_size=0
    )
    await echo(ws)


async def main_async(port: int, raw: bool, engine: bool = False) -> None:
    """Serve on ``127.0.0.1:port`` until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: stop.done() or stop.set_result(None))
    ready: asyncio.Future[int] = loop.create_future()
    use_raw = raw or not has_upgrading_server()
    if use_raw:
        serving, backend = serve_raw(port, ready), "asyncio (raw)"
    elif engine or not has_websocket_response():
        serving, backend = serve_on_aiohttp_http(port, ready), "aiohttp_http.serve + engine"
    else:
        serving = serve_on_websocket_response(port, ready)
        backend = "aiohttp_http.serve + aiohttp_client.WebSocketResponse"
    task: asyncio.Task[Any] = loop.create_task(serving)
    await asyncio.wait([ready, task], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # raises why it could not start
    print(f"echo server on ws://{HOST}:{ready.result()}/ ({backend})", flush=True)
    await stop
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=9002, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--raw", action="store_true", help="use a plain asyncio server")
    parser.add_argument(
        "--engine", action="store_true", help="echo with the engine directly, not WebSocketResponse"
    )
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.port, args.raw, args.engine))
    return 0


if __name__ == "__main__":
    sys.exit(main())
