"""Our WebSocketResponse on aiohttp_http's server, driven by the websockets library's client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

from aiohttp_client import WebSocketResponse
from aiohttp_http import BaseRequest, Response, StreamResponse, serve
from aiohttp_ws import WSMsgType

pytestmark = [pytest.mark.interop, pytest.mark.timeout(60)]
TIMEOUT = 10.0


class App:
    """The server under test; records what the handlers saw."""

    def __init__(self) -> None:
        self.close_codes: asyncio.Queue[tuple[int | None, str | None]] = asyncio.Queue()

    async def handler(self, request: BaseRequest) -> StreamResponse:
        path = request.path
        if path == "/plain":
            probe = WebSocketResponse()
            ready = probe.can_prepare(request)
            return Response(text=f"ready={ready.ok}")
        if path == "/return-early":
            ws = WebSocketResponse()
            await ws.prepare(request)
            await ws.send_str("bye")
            return ws  # left open: closed with 1000 when the handler's task ends
        ws = WebSocketResponse(
            protocols=("superchat", "chat"),
            autoping=path != "/no-autoping",
            compress=path != "/no-deflate",
            max_msg_size=64 * 1024,
        )
        await ws.prepare(request)
        await ws.send_str(f"protocol={ws.ws_protocol} compress={ws.compress}")
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                if msg.data.startswith("close-me:"):
                    await ws.close(code=int(msg.data.split(":")[1]), message="as asked")
                    break
                if msg.data == "ping-me":
                    await ws.ping(b"from-server")
                    continue
                await ws.send_str(msg.data)
            elif msg.type is WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            elif msg.type is WSMsgType.PONG:
                await ws.send_str(f"pong:{msg.data.decode()}")
        await self.close_codes.put((ws.close_code, type(ws.exception()).__name__))
        return ws


@pytest.fixture
async def app_url() -> AsyncIterator[tuple[App, str]]:
    app = App()
    async with serve(app.handler, "127.0.0.1", 0) as server:
        yield app, f"ws://127.0.0.1:{server.port}"


def _connect(url: str, **kwargs: Any) -> Any:
    kwargs.setdefault("proxy", None)
    kwargs.setdefault("open_timeout", TIMEOUT)
    kwargs.setdefault("close_timeout", TIMEOUT)
    return connect(url, **kwargs)


async def _recv(ws: ClientConnection) -> str | bytes:
    return await asyncio.wait_for(ws.recv(), TIMEOUT)


@pytest.mark.parametrize("compression", ["deflate", None])
async def test_text_and_binary_echo(app_url: tuple[App, str], compression: str | None) -> None:
    app, url = app_url
    async with _connect(f"{url}/echo", compression=compression) as ws:
        greeting = await _recv(ws)
        assert greeting == f"protocol=None compress={15 if compression else 0}"
        for payload in ["hello", "é" * 3000, b"\x00\xff" * 20000, b"", ""]:
            await ws.send(payload)
            assert await _recv(ws) == payload
    assert await asyncio.wait_for(app.close_codes.get(), TIMEOUT) == (1000, "NoneType")


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [(["chat"], "chat"), (["chat", "superchat"], "superchat"), (["other"], None)],
)
async def test_subprotocol_selection(
    app_url: tuple[App, str], offered: list[str], chosen: str | None
) -> None:
    _, url = app_url
    async with _connect(f"{url}/echo", subprotocols=offered) as ws:
        assert ws.subprotocol == chosen
        assert (await _recv(ws)).startswith(f"protocol={chosen} ")


@pytest.mark.parametrize(
    "factory",
    [
        ClientPerMessageDeflateFactory(),
        ClientPerMessageDeflateFactory(
            server_no_context_takeover=True, client_no_context_takeover=True
        ),
        ClientPerMessageDeflateFactory(server_max_window_bits=10, client_max_window_bits=11),
    ],
    ids=["takeover", "no-takeover", "windows"],
)
async def test_deflate_negotiation_and_traffic(
    app_url: tuple[App, str], factory: ClientPerMessageDeflateFactory
) -> None:
    _, url = app_url
    async with _connect(f"{url}/echo", compression=None, extensions=[factory]) as ws:
        agreed = ws.response.headers["Sec-WebSocket-Extensions"]
        assert agreed.startswith("permessage-deflate")
        if factory.server_no_context_takeover:
            assert "server_no_context_takeover" in agreed
        await _recv(ws)
        for i in range(5):
            text = f"repeat {i} " + "abcdefgh" * 1000
            await ws.send(text)
            assert await _recv(ws) == text


async def test_deflate_refused_when_disabled(app_url: tuple[App, str]) -> None:
    _, url = app_url
    async with _connect(f"{url}/no-deflate") as ws:
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        assert await _recv(ws) == "protocol=None compress=0"
        await ws.send("plain")
        assert await _recv(ws) == "plain"


@pytest.mark.parametrize("code", [1000, 1001, 3000, 4999])
async def test_server_initiated_close_codes(app_url: tuple[App, str], code: int) -> None:
    app, url = app_url
    async with _connect(f"{url}/echo") as ws:
        await _recv(ws)
        await ws.send(f"close-me:{code}")
        with pytest.raises(ConnectionClosed):
            await _recv(ws)
        assert ws.close_code == code
        assert ws.close_reason == "as asked"
    got_code, _ = await asyncio.wait_for(app.close_codes.get(), TIMEOUT)
    assert got_code == code


@pytest.mark.parametrize("code", [1000, 1001, 4000])
async def test_client_initiated_close_codes(app_url: tuple[App, str], code: int) -> None:
    app, url = app_url
    async with _connect(f"{url}/echo") as ws:
        await _recv(ws)
        await asyncio.wait_for(ws.close(code, "client says bye"), TIMEOUT)
        assert ws.close_code == 1000  # autoclose answers with 1000, as aiohttp does
    got_code, error = await asyncio.wait_for(app.close_codes.get(), TIMEOUT)
    assert (got_code, error) == (code, "NoneType")


async def test_client_ping_is_answered(app_url: tuple[App, str]) -> None:
    _, url = app_url
    async with _connect(f"{url}/echo") as ws:
        await _recv(ws)
        pong = await ws.ping(b"tick")
        latency = await asyncio.wait_for(pong, TIMEOUT)
        assert latency >= 0


async def test_server_ping_answered_by_the_client(app_url: tuple[App, str]) -> None:
    _, url = app_url
    async with _connect(f"{url}/no-autoping") as ws:
        await _recv(ws)
        await ws.send("ping-me")
        assert await _recv(ws) == "pong:from-server"


async def test_too_big_message_closes_with_1009(app_url: tuple[App, str]) -> None:
    app, url = app_url
    async with _connect(f"{url}/echo", compression=None) as ws:
        await _recv(ws)
        await ws.send(b"x" * (64 * 1024 + 1))
        with pytest.raises(ConnectionClosed):
            await _recv(ws)
        assert ws.close_code == 1009
    got_code, error = await asyncio.wait_for(app.close_codes.get(), TIMEOUT)
    assert (got_code, error) == (1009, "WebSocketError")


async def test_handler_returning_closes_with_1000(app_url: tuple[App, str]) -> None:
    _, url = app_url
    async with _connect(f"{url}/return-early") as ws:
        assert await _recv(ws) == "bye"
        with pytest.raises(ConnectionClosed):
            await _recv(ws)
        assert ws.close_code == 1000


async def _raw_request(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("ws://").split(":")
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), TIMEOUT)
    try:
        writer.write(request)
        return await asyncio.wait_for(reader.read(), TIMEOUT)
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", b"Key"),
        (
            b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
            b"Version",
        ),
        (
            b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: short\r\n",
            b"Key",
        ),
        (
            b"Upgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
            b"Upgrade",
        ),
    ],
    ids=["no-key", "version-8", "bad-key", "not-websocket"],
)
async def test_bad_handshake_gets_400_with_the_reason(
    app_url: tuple[App, str], headers: bytes, reason: bytes
) -> None:
    _, url = app_url
    answer = await _raw_request(url, b"GET /echo HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert reason in answer.partition(b"\r\n\r\n")[2]


async def test_websockets_client_sees_400_status(app_url: tuple[App, str]) -> None:
    _, url = app_url
    with pytest.raises(InvalidStatus) as info:
        async with _connect(f"{url}/echo", additional_headers={"Sec-WebSocket-Version": "8"}):
            pass
    assert info.value.response.status_code in (400, 426)


async def test_can_prepare_false_for_a_plain_request(app_url: tuple[App, str]) -> None:
    _, url = app_url
    answer = await _raw_request(url, b"GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b"ready=False")
