"""ws_connect is an ordinary session request: redirects, middlewares, traces, env proxies.

The upgrade request goes through ``ClientSession._request``; these tests show
each part of that machinery applying to the handshake, and the hand-over of
the connection keeping every byte the server sent after its ``101``.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from aiohttp_client import (
    ClientHandlerType,
    ClientRequest,
    ClientResponse,
    ClientSession,
    ClientWebSocketResponse,
    ClientWSTimeout,
    CookieJar,
    RedirectClientError,
    TooManyRedirects,
    TraceConfig,
    WSServerHandshakeError,
)
from aiohttp_ws import WebSocketSerializer, WSCloseCode, WSMsgType, accept_key
from tests.client.proxy_server import Servers, make_tls, start_http_proxy

pytestmark = [pytest.mark.interop, pytest.mark.timeout(60)]
TIMEOUT = 10.0

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[RawHandler], Awaitable[int]]]:
    """``port = await raw_server(handler)``: a plain TCP server on 127.0.0.1."""
    servers: list[asyncio.Server] = []

    async def start(handler: RawHandler) -> int:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
        servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    yield start
    for server in servers:
        server.close()
        await asyncio.wait_for(server.wait_closed(), TIMEOUT)


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    lines = head.decode("latin-1").split("\r\n")
    target = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return target, headers


def _switching(key: str, extra: str = "") -> bytes:
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept_key(key)}\r\n{extra}\r\n"
    ).encode()


async def test_redirects_are_followed_to_the_websocket(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    targets: list[str] = []
    port = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            target, headers = await _read_head(reader)
            targets.append(target)
            if target == "/old":
                writer.write(
                    b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /newer\r\n"
                    b"Set-Cookie: seen=old; Path=/\r\nContent-Length: 0\r\n\r\n"
                )
            elif target == "/newer":
                location = f"http://127.0.0.1:{port}/ws"
                writer.write(
                    f"HTTP/1.1 308 Permanent Redirect\r\nLocation: {location}\r\n"
                    "Content-Length: 0\r\n\r\n".encode()
                )
            else:
                assert headers["cookie"] == "seen=old"
                writer.write(_switching(headers["sec-websocket-key"]))
                writer.write(WebSocketSerializer(use_mask=False).text("at the end"))
                await writer.drain()
                await reader.read()
                return
            await writer.drain()

    port = await raw_server(handler)
    async with (
        ClientSession(cookie_jar=CookieJar(unsafe=True)) as session,  # cookies of an IP host
        session.ws_connect(
            f"ws://127.0.0.1:{port}/old", timeout=ClientWSTimeout(ws_close=0.2)
        ) as ws,
    ):
        assert await ws.receive_str(timeout=TIMEOUT) == "at the end"
        assert ws.url.path == "/ws"
    assert targets == ["/old", "/newer", "/ws"]


async def test_redirect_limit_and_non_http_locations(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    async def loop_forever(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            target, _ = await _read_head(reader)
            # As with aiohttp, a Location must be http(s): ws:// is refused too.
            location = f"ws:/{target}" if target.startswith("/127") else "/again"
            writer.write(
                f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()
            )
            await writer.drain()

    port = await raw_server(loop_forever)
    async with ClientSession() as session:
        with pytest.raises(TooManyRedirects):
            await session.ws_connect(f"ws://127.0.0.1:{port}/again")
        with pytest.raises(RedirectClientError, match=r"ws://127\.0\.0\.1"):
            await session.ws_connect(f"ws://127.0.0.1:{port}/127.0.0.1:{port}/")
        assert not session.connector._acquired  # type: ignore[union-attr]


async def test_session_middlewares_see_the_upgrade_and_its_101(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    frames = WebSocketSerializer(use_mask=False)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await _read_head(reader)
        assert headers["x-from-middleware"] == "yes"
        # Frames and the close travel right behind the head, then the server hangs up.
        writer.write(
            _switching(headers["sec-websocket-key"])
            + frames.text("first")
            + frames.binary(b"second")
            + frames.close(4001, "done")
        )
        await writer.drain()

    seen: list[tuple[str | None, int]] = []

    async def middleware(req: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        req.headers["X-From-Middleware"] = "yes"
        resp = await handler(req)
        seen.append((req.headers.get("Upgrade"), resp.status))
        # While the middleware dawdles, the server's bytes and its hang-up wait for us.
        await asyncio.sleep(0.1)
        return resp

    port = await raw_server(handler)
    async with ClientSession(middlewares=(middleware,)) as session:
        ws = await session.ws_connect(f"ws://127.0.0.1:{port}/")
        assert await ws.receive_str(timeout=TIMEOUT) == "first"
        assert await ws.receive_bytes(timeout=TIMEOUT) == b"second"
        msg = await ws.receive(timeout=TIMEOUT)
        assert msg.type is WSMsgType.CLOSE and msg.data == 4001 and msg.extra == "done"
        await ws.close()
        assert ws.close_code == 4001
    assert seen == [("websocket", 101)]


async def test_a_middleware_may_refuse_the_handshake(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    async def never_called(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise AssertionError("the middleware should have answered")

    class Refused(Exception):
        pass

    async def refuse(req: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        raise Refused(str(req.url))

    port = await raw_server(never_called)
    async with ClientSession(middlewares=(refuse,)) as session:
        with pytest.raises(Refused, match=f"http://127.0.0.1:{port}/"):
            await session.ws_connect(f"ws://127.0.0.1:{port}/")


async def test_every_trace_signal_of_a_request_fires_for_the_handshake() -> None:
    async def echo(ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    seen: list[str] = []
    config = TraceConfig()

    def record(name: str) -> Callable[..., Awaitable[None]]:
        async def on_signal(session: ClientSession, ctx: Any, params: Any) -> None:
            seen.append(name)
            if name == "end":
                assert params.response.status == 101

        return on_signal

    config.on_request_start.append(record("start"))
    config.on_connection_create_end.append(record("connected"))
    config.on_request_headers_sent.append(record("headers sent"))
    config.on_request_end.append(record("end"))
    async with serve(echo, "127.0.0.1", 0, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        async with (
            ClientSession(trace_configs=[config]) as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/") as ws,
        ):
            await ws.send_str("traced")
            assert await ws.receive_str(timeout=TIMEOUT) == "traced"
    assert seen == ["start", "connected", "headers sent", "end"]


async def test_wss_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    async def echo(ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    for name in ("https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "wss_proxy"):
        monkeypatch.delenv(name, raising=False)
    tls = make_tls()
    servers = Servers()
    try:
        proxy_url, log = await start_http_proxy(servers)
        # WSS_PROXY wins over HTTPS_PROXY (which names nothing listening) for wss:// URLs.
        monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:1")
        monkeypatch.setenv("WSS_PROXY", str(proxy_url))
        async with serve(echo, "127.0.0.1", 0, ssl=tls.server, ping_interval=None) as server:
            port = server.sockets[0].getsockname()[1]
            async with (
                ClientSession(trust_env=True) as session,
                session.ws_connect(f"wss://localhost:{port}/", ssl=tls.client) as ws,
            ):
                await ws.send_str("through the proxy")
                assert await ws.receive_str(timeout=TIMEOUT) == "through the proxy"
            assert [(m, t) for m, t, _ in log.requests] == [("CONNECT", f"localhost:{port}")]
            # NO_PROXY exempts the host: straight to the server.
            monkeypatch.setenv("NO_PROXY", "localhost")
            async with (
                ClientSession(trust_env=True) as session,
                session.ws_connect(f"wss://localhost:{port}/", ssl=tls.client) as ws,
            ):
                await ws.send_str("direct")
                assert await ws.receive_str(timeout=TIMEOUT) == "direct"
            assert len(log.requests) == 1
    finally:
        await servers.close()


async def test_a_refusal_is_a_handshake_error_with_history_and_the_status(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            target, _ = await _read_head(reader)
            if target == "/":
                writer.write(b"HTTP/1.1 301 Moved\r\nLocation: /gone\r\nContent-Length: 0\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno")
            await writer.drain()

    port = await raw_server(handler)
    async with ClientSession() as session:
        with pytest.raises(WSServerHandshakeError) as info:
            await session.ws_connect(f"ws://127.0.0.1:{port}/")
        assert info.value.status == 403
        assert [r.status for r in info.value.history] == [301]
        connector = session.connector
        assert connector is not None
        assert not connector._acquired  # type: ignore[attr-defined]
        # Every connection that carried the upgrade request, the redirect's too, is closed.
        assert sum(map(len, connector._conns.values())) == 0  # type: ignore[attr-defined]


async def test_a_plain_request_answered_with_101_is_released_cleanly(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    """A 101 to an ordinary request: the response ends, the connection is closed, not pooled."""
    errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: other\r\n\r\nnew protocol")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b" and more")
        await writer.drain()
        await reader.read()

    port = await raw_server(handler)
    async with ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/", headers={"Upgrade": "other"}) as resp:
            assert resp.status == 101
            assert await resp.read() == b""
            await asyncio.sleep(0.1)
        connector = session.connector
        assert connector is not None
        assert not connector._acquired  # type: ignore[attr-defined]
        assert not any(connector._conns.values())  # type: ignore[attr-defined]
    gc.collect()
    assert errors == []


async def test_close_codes_are_sent_through_the_handed_over_connection(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    received: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await _read_head(reader)
        writer.write(_switching(headers["sec-websocket-key"]))
        await writer.drain()
        received.set_result(await asyncio.wait_for(reader.read(64), TIMEOUT))

    port = await raw_server(handler)
    async with ClientSession() as session:
        ws = await session.ws_connect(
            f"ws://127.0.0.1:{port}/", timeout=ClientWSTimeout(ws_close=0.2)
        )
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"bye")
    frame = await asyncio.wait_for(received, TIMEOUT)
    assert frame[0] == 0x88 and frame[1] & 0x80  # a masked CLOSE
    mask, payload = frame[2:6], frame[6:]
    unmasked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    assert unmasked == (1001).to_bytes(2, "big") + b"bye"


async def test_plain_requests_accept_websocket_urls(
    raw_server: Callable[[RawHandler], Awaitable[int]],
) -> None:
    """As in aiohttp, ``ws://`` names an ``http://`` resource for an ordinary request."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        target, _ = await _read_head(reader)
        writer.write(
            b"HTTP/1.1 426 Upgrade Required\r\nContent-Length: 4\r\n\r\n" + target[:4].encode()
        )
        await writer.drain()

    port = await raw_server(handler)
    async with ClientSession() as session, session.get(f"ws://127.0.0.1:{port}/abc") as resp:
        assert resp.status == 426
        assert resp.url.scheme == "http"
        assert await resp.read() == b"/abc"


async def test_the_session_builds_its_ws_response_class() -> None:
    class Recording(ClientWebSocketResponse):
        async def send_str(self, data: str, compress: int | None = None) -> None:
            await super().send_str(data.upper(), compress)

    async def echo(ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    async with serve(echo, "127.0.0.1", 0, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        async with (
            ClientSession(ws_response_class=Recording) as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/") as ws,
        ):
            assert type(ws) is Recording
            await ws.send_str("shout")
            assert await ws.receive_str(timeout=TIMEOUT) == "SHOUT"
