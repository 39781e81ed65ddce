"""Our ws_connect against the websockets library's server, raw servers, and our own server."""

from __future__ import annotations

import asyncio
import base64
import ssl
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import trustme
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

from aiohttp_client import (
    BasicAuth,
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientSession,
    ClientWebSocketResponse,
    ClientWSTimeout,
    ServerTimeoutError,
    TCPConnector,
    TraceConfig,
    WebSocketResponse,
    WSServerHandshakeError,
    ws_connect,
)
from aiohttp_http import BaseRequest, StreamResponse
from aiohttp_http import serve as http_serve
from aiohttp_ws import WebSocketSerializer, WSCloseCode, WSMsgType, accept_key
from tests.client.proxy_server import Servers, make_tls, start_http_proxy

pytestmark = [pytest.mark.interop, pytest.mark.timeout(60)]
TIMEOUT = 10.0

ServerFactory = Callable[..., Awaitable[str]]
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def ws_server() -> AsyncIterator[ServerFactory]:
    """``url = await ws_server(**options)``: a websockets echo server (records close codes)."""
    servers: list[Any] = []

    async def start(**options: Any) -> str:
        closes: asyncio.Queue[tuple[int | None, str | None]] = options.pop("closes", None)

        async def echo(ws: ServerConnection) -> None:
            try:
                async for message in ws:
                    if message == "close-me":
                        await ws.close(4002, "server says bye")
                        return
                    await ws.send(message)
            except ConnectionClosed:
                pass
            finally:
                if closes is not None:
                    await closes.put((ws.close_code, ws.close_reason))

        options.setdefault("ping_interval", None)
        server = await serve(echo, "127.0.0.1", 0, **options)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/echo"

    yield start
    for server in servers:
        server.close()
        await asyncio.wait_for(server.wait_closed(), TIMEOUT)


@pytest.fixture
async def raw_ws_server() -> AsyncIterator[Callable[[RawHandler], Awaitable[str]]]:
    servers: list[asyncio.Server] = []

    async def start(handler: RawHandler) -> str:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
        servers.append(server)
        return f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/"

    yield start
    for server in servers:
        server.close()
        await asyncio.wait_for(server.wait_closed(), TIMEOUT)


async def _read_key(reader: asyncio.StreamReader) -> tuple[bytes, str]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            return head, value.strip().decode()
    raise AssertionError("no Sec-WebSocket-Key in the request")


def _switching(accept: str, extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept.encode() + b"\r\n" + extra + b"\r\n"
    )


# --- against the websockets library ---------------------------------------------------


@pytest.mark.parametrize("compress", [0, 15])
async def test_echo_text_binary_json(
    session: ClientSession, ws_server: ServerFactory, compress: int
) -> None:
    url = await ws_server()
    async with session.ws_connect(url, compress=compress) as ws:
        assert isinstance(ws, ClientWebSocketResponse)
        # websockets' default answer limits our window to 12 bits.
        assert ws.compress == (12 if compress else 0)
        for text in ["hello", "ü" * 5000]:
            await ws.send_str(text)
            assert await ws.receive_str(timeout=TIMEOUT) == text
        await ws.send_bytes(b"\x00" * 70000)
        assert await ws.receive_bytes(timeout=TIMEOUT) == b"\x00" * 70000
        await ws.send_json({"n": [1, 2, 3]})
        assert await ws.receive_json(timeout=TIMEOUT) == {"n": [1, 2, 3]}
    assert ws.closed and ws.close_code == WSCloseCode.OK


async def test_await_form_and_explicit_close(
    session: ClientSession, ws_server: ServerFactory
) -> None:
    closes: asyncio.Queue[tuple[int | None, str | None]] = asyncio.Queue()
    url = await ws_server(closes=closes)
    ws = await session.ws_connect(url)
    await ws.send_str("x")
    assert (await ws.receive(timeout=TIMEOUT)).data == "x"
    assert await asyncio.wait_for(ws.close(code=4001, message=b"done"), TIMEOUT) is True
    assert ws.close_code == 4001  # websockets echoes the code
    assert await asyncio.wait_for(closes.get(), TIMEOUT) == (4001, "done")
    assert (await ws.receive()).type is WSMsgType.CLOSED


async def test_server_initiated_close(session: ClientSession, ws_server: ServerFactory) -> None:
    url = await ws_server()
    async with ws_connect(session, url) as ws:
        await ws.send_str("close-me")
        msg = await ws.receive(timeout=TIMEOUT)
        assert msg.type is WSMsgType.CLOSE
        assert (msg.data, msg.extra) == (4002, "server says bye")
        assert ws.closed and ws.close_code == 4002
        assert (await ws.receive()).type is WSMsgType.CLOSED
        messages = [m async for m in ws]
        assert messages == []


@pytest.mark.parametrize(
    ("offered", "chosen"), [(("chat",), "chat"), (("x", "superchat"), "superchat"), (("x",), None)]
)
async def test_subprotocols(
    session: ClientSession,
    ws_server: ServerFactory,
    offered: tuple[str, ...],
    chosen: str | None,
) -> None:
    url = await ws_server(subprotocols=["chat", "superchat"])
    if chosen is None:
        # websockets refuses a handshake without a common subprotocol.
        with pytest.raises(WSServerHandshakeError) as info:
            await ws_connect(session, url, protocols=offered)
        assert info.value.status == 400
        return
    async with ws_connect(session, url, protocols=offered) as ws:
        assert ws.protocol == chosen


@pytest.mark.parametrize(
    ("factory", "compress", "notakeover"),
    [
        (ServerPerMessageDeflateFactory(), 15, False),
        (
            ServerPerMessageDeflateFactory(
                server_no_context_takeover=True, client_no_context_takeover=True
            ),
            15,
            True,
        ),
        (ServerPerMessageDeflateFactory(client_max_window_bits=11), 11, False),
    ],
    ids=["takeover", "no-takeover", "client-window"],
)
async def test_deflate_agreements(
    session: ClientSession,
    ws_server: ServerFactory,
    factory: ServerPerMessageDeflateFactory,
    compress: int,
    notakeover: bool,
) -> None:
    url = await ws_server(compression=None, extensions=[factory])
    async with ws_connect(session, url, compress=15) as ws:
        assert (ws.compress, ws.client_notakeover) == (compress, notakeover)
        for i in range(4):
            text = f"{i} " + "compressible " * 400
            await ws.send_str(text)
            assert await ws.receive_str(timeout=TIMEOUT) == text


async def test_smaller_server_window_is_offered(
    session: ClientSession, ws_server: ServerFactory
) -> None:
    url = await ws_server(compression="deflate")
    async with ws_connect(session, url, compress=10) as ws:
        assert "server_max_window_bits=10" in ws.response_headers["Sec-WebSocket-Extensions"]
        await ws.send_str("w" * 10000)
        assert await ws.receive_str(timeout=TIMEOUT) == "w" * 10000


async def test_ping_pong_without_autoping(session: ClientSession, ws_server: ServerFactory) -> None:
    url = await ws_server()
    async with ws_connect(session, url, autoping=False) as ws:
        await ws.ping(b"probe")
        msg = await ws.receive(timeout=TIMEOUT)
        assert msg.type is WSMsgType.PONG and msg.data == b"probe"


async def test_server_pings_are_answered(session: ClientSession, ws_server: ServerFactory) -> None:
    url = await ws_server(ping_interval=0.05, ping_timeout=5)
    async with ws_connect(session, url, heartbeat=0.1) as ws:
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.5)  # several pings each way, all answered
        assert not ws.closed
        await ws.send_str("alive")
        assert await ws.receive_str(timeout=TIMEOUT) == "alive"


async def test_closing_the_session_ends_the_websocket(ws_server: ServerFactory) -> None:
    url = await ws_server()
    client_session = ClientSession()
    ws = await ws_connect(client_session, url)
    await client_session.close()
    msg = await ws.receive(timeout=TIMEOUT)
    assert msg.type in (WSMsgType.CLOSED, WSMsgType.ERROR)
    assert ws.closed


async def test_connection_slot_is_freed_and_never_pooled(ws_server: ServerFactory) -> None:
    url = await ws_server()

    async def one_round(client_session: ClientSession) -> None:
        async with ws_connect(client_session, url) as ws:
            await ws.send_str("again")
            assert await ws.receive_str(timeout=TIMEOUT) == "again"

    # With a single slot, each round waits for the previous WebSocket's slot.
    async with ClientSession(connector=TCPConnector(limit=1)) as client_session:
        for _ in range(3):
            await asyncio.wait_for(one_round(client_session), TIMEOUT)
        connector = client_session.connector
        assert connector is not None
        assert not connector._conns  # nothing pooled


async def test_deprecated_float_timeouts_warn(
    session: ClientSession, ws_server: ServerFactory
) -> None:
    url = await ws_server()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ws = await ws_connect(session, url, timeout=5.0, receive_timeout=3.0)  # type: ignore[arg-type]
    assert {type(w.message) for w in caught} == {DeprecationWarning}
    assert ws.timeout == ClientWSTimeout(ws_receive=3.0, ws_close=5.0)
    await ws.close()


# --- raw servers: handshake failures, takeover, heartbeat -----------------------------


async def test_wrong_accept_key(session: ClientSession, raw_ws_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_key(reader)
        writer.write(_switching(accept_key("AAAAAAAAAAAAAAAAAAAAAA==")))
        await reader.read()

    url = await raw_ws_server(handler)
    with pytest.raises(WSServerHandshakeError) as info:
        await ws_connect(session, url)
    assert info.value.status == 101
    assert "Sec-WebSocket-Accept" in info.value.message
    assert info.value.request_info.url.scheme == "http"


async def test_200_instead_of_101(session: ClientSession, raw_ws_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_key(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Why: nope\r\n\r\nno")
        await reader.read()

    url = await raw_ws_server(handler)
    with pytest.raises(WSServerHandshakeError) as info:
        await ws_connect(session, url)
    assert info.value.status == 200
    assert info.value.message == "Invalid response status"
    assert info.value.headers is not None and info.value.headers["X-Why"] == "nope"
    assert info.value.history == ()


async def test_missing_upgrade_header(session: ClientSession, raw_ws_server: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, key = await _read_key(reader)
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept_key(key).encode() + b"\r\n\r\n"
        )
        await reader.read()

    url = await raw_ws_server(handler)
    with pytest.raises(WSServerHandshakeError) as info:
        await ws_connect(session, url)
    assert info.value.status == 101
    assert "Upgrade" in info.value.message


async def test_subprotocol_or_extension_not_offered(
    session: ClientSession, raw_ws_server: Any
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, key = await _read_key(reader)
        writer.write(_switching(accept_key(key), b"Sec-WebSocket-Protocol: evil\r\n"))
        await reader.read()

    url = await raw_ws_server(handler)
    with pytest.raises(WSServerHandshakeError, match="not offered"):
        await ws_connect(session, url, protocols=("chat",))

    async def deflating(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, key = await _read_key(reader)
        writer.write(
            _switching(accept_key(key), b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
        )
        await reader.read()

    url = await raw_ws_server(deflating)
    with pytest.raises(WSServerHandshakeError, match="not offered"):
        await ws_connect(session, url, compress=0)


async def test_frames_right_after_the_101_are_kept(
    session: ClientSession, raw_ws_server: Any
) -> None:
    frames = WebSocketSerializer(use_mask=False)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, key = await _read_key(reader)
        assert b"Cookie: flavour=mint" in head and b"X-Default: on" in head
        # The first frame travels with the head, the second in a later packet.
        writer.write(_switching(accept_key(key)) + frames.text("in the same packet"))
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.write(frames.binary(b"later"))
        await reader.read()

    url = await raw_ws_server(handler)
    async with (
        ClientSession(cookies={"flavour": "mint"}, headers={"X-Default": "on"}) as cs,
        ws_connect(cs, url, timeout=ClientWSTimeout(ws_close=0.2)) as ws,
    ):
        assert await ws.receive_str(timeout=TIMEOUT) == "in the same packet"
        assert await ws.receive_bytes(timeout=TIMEOUT) == b"later"


async def test_heartbeat_closes_when_no_pong(session: ClientSession, raw_ws_server: Any) -> None:
    async def swallow_pings(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, key = await _read_key(reader)
        writer.write(_switching(accept_key(key)))
        while await reader.read(65536):  # reads everything, answers nothing
            pass

    url = await raw_ws_server(swallow_pings)
    ws = await ws_connect(session, url, heartbeat=0.1)
    msg = await ws.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.ERROR
    assert isinstance(msg.data, ServerTimeoutError)
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert isinstance(ws.exception(), ServerTimeoutError)
    assert ws.closed


async def test_basic_auth_and_origin_are_sent(session: ClientSession, raw_ws_server: Any) -> None:
    heads: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, key = await _read_key(reader)
        heads.append(head)
        writer.write(_switching(accept_key(key)))
        await reader.read()

    url = await raw_ws_server(handler)
    ws = await ws_connect(
        session,
        url.replace("ws://", "ws://user:pw@"),
        origin="https://example.com",
        params={"q": "1"},
        timeout=ClientWSTimeout(ws_close=0.2),  # the raw server never answers CLOSE
    )
    await ws.close(code=WSCloseCode.GOING_AWAY)
    head = heads[0]
    assert head.startswith(b"GET /?q=1 HTTP/1.1\r\n")
    credentials = base64.b64encode(b"user:pw")
    assert b"Authorization: Basic " + credentials in head
    assert b"Origin: https://example.com" in head
    assert b"Sec-WebSocket-Version: 13" in head


# --- against our own server -----------------------------------------------------------


async def _our_handler(request: BaseRequest) -> StreamResponse:
    ws = WebSocketResponse(protocols=("v2", "v1"))
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close(code=4100, message="our server")
            else:
                await ws.send_str(msg.data[::-1])
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data[::-1])
    return ws


@pytest.mark.parametrize("compress", [0, 15, 9])
async def test_our_client_against_our_server(session: ClientSession, compress: int) -> None:
    async with http_serve(_our_handler, "127.0.0.1", 0) as server:
        url = f"ws://127.0.0.1:{server.port}/"
        async with session.ws_connect(url, protocols=("v1", "v2"), compress=compress) as ws:
            assert ws.protocol == "v2"
            # Our server does not limit the client's window; compress=9 limits the server's.
            assert ws.compress == (15 if compress else 0)
            await ws.send_str("abc" * 1000)
            assert await ws.receive_str(timeout=TIMEOUT) == "cba" * 1000
            await ws.send_bytes(b"\x01\x02")
            assert await ws.receive_bytes(timeout=TIMEOUT) == b"\x02\x01"
        assert ws.close_code == WSCloseCode.OK
        async with ws_connect(session, url) as ws:
            await ws.send_str("close")
            msg = await ws.receive(timeout=TIMEOUT)
            assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4100, "our server")


async def test_wss_with_a_trusted_certificate(ws_server: ServerFactory) -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    url = (await ws_server(ssl=server_context)).replace("ws://", "wss://")
    async with ClientSession() as client_session:
        async with ws_connect(client_session, url, ssl=client_context) as ws:
            assert ws.get_extra_info("sslcontext") is not None
            await ws.send_str("secret")
            assert await ws.receive_str(timeout=TIMEOUT) == "secret"
        with pytest.raises(ClientConnectorCertificateError):
            await ws_connect(client_session, url)  # the default context does not trust our CA


async def test_wss_through_a_connect_proxy_with_auth(ws_server: ServerFactory) -> None:
    tls = make_tls()
    url = (await ws_server(ssl=tls.server)).replace("ws://", "wss://")
    servers = Servers()
    try:
        proxy_url, log = await start_http_proxy(servers, auth=("pu", "pp"))
        async with (
            ClientSession() as client_session,
            ws_connect(
                client_session,
                url,
                ssl=tls.client,
                proxy=proxy_url,
                proxy_auth=BasicAuth("pu", "pp"),
            ) as ws,
        ):
            await ws.send_str("tunnelled")
            assert await ws.receive_str(timeout=TIMEOUT) == "tunnelled"
        assert [entry[0] for entry in log.requests] == ["CONNECT"]
    finally:
        await servers.close()


async def test_trace_signals_of_the_handshake(ws_server: ServerFactory) -> None:
    url = await ws_server()
    seen: list[str] = []
    trace_config = TraceConfig()

    async def on_start(session: ClientSession, ctx: Any, params: Any) -> None:
        seen.append(f"start {params.method} {params.url.scheme}")

    async def on_connection(session: ClientSession, ctx: Any, params: Any) -> None:
        seen.append("connection")

    async def on_exception(session: ClientSession, ctx: Any, params: Any) -> None:
        seen.append(f"exception {type(params.exception).__name__}")

    trace_config.on_request_start.append(on_start)
    trace_config.on_connection_create_start.append(on_connection)
    trace_config.on_request_exception.append(on_exception)
    async with ClientSession(trace_configs=[trace_config]) as client_session:
        async with ws_connect(client_session, url) as ws:
            await ws.send_str("traced")
            assert await ws.receive_str(timeout=TIMEOUT) == "traced"
        with pytest.raises(ClientConnectorError):
            await ws_connect(client_session, "ws://127.0.0.1:1/")
    assert seen[:2] == ["start GET http", "connection"]
    assert seen[-1] == "exception ClientConnectorError"
