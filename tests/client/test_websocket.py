"""WebSocketConnection: two connected instances over a 127.0.0.1 socket pair."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from aiohttp_client import (
    ClientConnectionResetError,
    ServerTimeoutError,
    WebSocketConnection,
    WSMessageTypeError,
)
from aiohttp_ws import (
    FlowControlProtocol,
    PerMessageDeflate,
    WebSocketError,
    WebSocketSerializer,
    WSCloseCode,
    WSMsgType,
)

TIMEOUT = 10.0
pytestmark = pytest.mark.timeout(30)

Pair = tuple[WebSocketConnection, WebSocketConnection]
PairFactory = Callable[..., Awaitable[Pair]]


async def _connected_flows() -> tuple[FlowControlProtocol, FlowControlProtocol, asyncio.Server]:
    loop = asyncio.get_running_loop()
    accepted: asyncio.Future[FlowControlProtocol] = loop.create_future()

    def factory() -> FlowControlProtocol:
        flow = FlowControlProtocol()
        if not accepted.done():
            accepted.set_result(flow)
        return flow

    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, client_flow = await loop.create_connection(FlowControlProtocol, "127.0.0.1", port)
    server_flow = await asyncio.wait_for(accepted, TIMEOUT)
    return client_flow, server_flow, server


@pytest.fixture
async def ws_pair() -> AsyncIterator[PairFactory]:
    """``client, server = await ws_pair(client={...}, server={...}, deflate=...)``."""
    made: list[WebSocketConnection] = []
    servers: list[asyncio.Server] = []

    async def make(
        *,
        client: dict[str, Any] | None = None,
        server: dict[str, Any] | None = None,
        deflate: PerMessageDeflate | None = None,
        server_max_msg_size: int = 2**22,
    ) -> Pair:
        client_flow, server_flow, srv = await _connected_flows()
        servers.append(srv)
        client_ws = WebSocketConnection(**(client or {}))
        server_ws = WebSocketConnection(**(server or {}))
        client_ws.start(client_flow, is_server=False, deflate=deflate)
        server_ws.start(
            server_flow, is_server=True, deflate=deflate, max_msg_size=server_max_msg_size
        )
        made.extend((client_ws, server_ws))
        return client_ws, server_ws

    yield make
    for ws in made:
        ws._release()
    for srv in servers:
        srv.close()
        await asyncio.wait_for(srv.wait_closed(), TIMEOUT)


async def test_text_binary_and_json_round_trip(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    await client.send_str("héllo")
    await client.send_bytes(b"\x00\x01" * 1000)
    await client.send_json({"a": [1, 2]})
    assert await server.receive_str() == "héllo"
    assert await server.receive_bytes() == b"\x00\x01" * 1000
    assert await server.receive_json() == {"a": [1, 2]}
    await server.send_str("back")
    msg = await client.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.TEXT and msg.data == "back"


async def test_deflate_round_trip_both_ways(ws_pair: PairFactory) -> None:
    deflate = PerMessageDeflate(client_no_context_takeover=True)
    client, server = await ws_pair(deflate=deflate)
    assert client.compress == 15 and client.client_notakeover
    assert server.compress == 15 and not server.client_notakeover
    for _ in range(3):
        await client.send_str("compress me " * 200)
        assert await server.receive_str() == "compress me " * 200
        await server.send_bytes(b"z" * 5000)
        assert await client.receive_bytes() == b"z" * 5000


async def test_wrong_type_raises_ws_message_type_error(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    await client.send_bytes(b"raw")
    with pytest.raises(WSMessageTypeError):
        await server.receive_str()
    await client.send_str("text")
    with pytest.raises(TypeError):
        await server.receive_bytes()


async def test_send_type_checks(ws_pair: PairFactory) -> None:
    client, _ = await ws_pair()
    with pytest.raises(TypeError):
        await client.send_str(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await client.send_bytes("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await client.send_json(object())


async def test_close_handshake_initiated_by_client(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    closing = asyncio.ensure_future(client.close(code=4001, message="bye"))
    msg = await server.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.CLOSE and msg.data == 4001 and msg.extra == "bye"
    assert await asyncio.wait_for(closing, TIMEOUT) is True
    assert server.closed and server.close_code == 4001
    assert client.closed and client.close_code == WSCloseCode.OK
    assert await server.receive() == (WSMsgType.CLOSED, None, None)
    assert await client.close() is False


async def test_autoclose_off_returns_close_and_lets_the_user_answer(ws_pair: PairFactory) -> None:
    client, server = await ws_pair(server={"autoclose": False})
    closing = asyncio.ensure_future(client.close(code=WSCloseCode.GOING_AWAY))
    msg = await server.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.CLOSE and msg.data == WSCloseCode.GOING_AWAY
    assert not server.closed
    assert await server.close(code=WSCloseCode.GOING_AWAY) is True
    assert await asyncio.wait_for(closing, TIMEOUT) is True
    assert client.close_code == WSCloseCode.GOING_AWAY


async def test_ping_is_answered_and_pong_swallowed_with_autoping(ws_pair: PairFactory) -> None:
    client, server = await ws_pair(client={"autoping": False})
    await client.ping(b"are you there")
    receiving = asyncio.ensure_future(server.receive())
    msg = await client.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.PONG and msg.data == b"are you there"
    await server.ping("hi")  # str payloads are UTF-8 encoded
    msg = await client.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.PING and msg.data == b"hi"
    await client.pong(b"hi")
    await client.send_str("after")
    assert (await asyncio.wait_for(receiving, TIMEOUT)).data == "after"


async def test_concurrent_receive_is_refused(ws_pair: PairFactory) -> None:
    client, _ = await ws_pair()
    first = asyncio.ensure_future(client.receive())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="Concurrent call to receive"):
        await client.receive()
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_close_from_another_task_wakes_receive_with_closing(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    receiving = asyncio.ensure_future(client.receive())
    await asyncio.sleep(0)
    closing = asyncio.ensure_future(client.close())
    msg = await asyncio.wait_for(receiving, TIMEOUT)
    assert msg.type is WSMsgType.CLOSING
    assert (await server.receive(timeout=TIMEOUT)).type is WSMsgType.CLOSE
    assert await asyncio.wait_for(closing, TIMEOUT) is True


async def test_async_iteration_stops_at_close(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    for text in ("a", "b", "c"):
        await client.send_str(text)
    closing = asyncio.ensure_future(client.close())
    got = [msg.data async for msg in server]
    assert got == ["a", "b", "c"]
    assert server.closed and server.close_code == WSCloseCode.OK
    assert await asyncio.wait_for(closing, TIMEOUT) is True
    assert client.close_code == WSCloseCode.OK


async def test_send_after_close_raises_connection_reset(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    closing = asyncio.ensure_future(client.close())
    await server.receive(timeout=TIMEOUT)
    await asyncio.wait_for(closing, TIMEOUT)
    with pytest.raises(ClientConnectionResetError):
        await client.send_str("late")
    with pytest.raises(ConnectionResetError):
        await client.ping()


async def test_close_waits_for_the_peer_at_most_the_close_timeout(ws_pair: PairFactory) -> None:
    client, _ = await ws_pair(client={"close_timeout": 0.2})
    # The peer never reads, so it never answers our CLOSE.
    assert await asyncio.wait_for(client.close(), TIMEOUT) is True
    assert client.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert client.closed


async def test_receive_timeout_raises_and_marks_abnormal(ws_pair: PairFactory) -> None:
    client, _ = await ws_pair(client={"receive_timeout": 0.05})
    with pytest.raises(asyncio.TimeoutError):
        await client.receive()
    assert client.close_code == WSCloseCode.ABNORMAL_CLOSURE


async def test_message_too_big_closes_with_1009(ws_pair: PairFactory) -> None:
    client, server = await ws_pair(server_max_msg_size=1024)
    await client.send_bytes(b"x" * 4096)
    msg = await server.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.ERROR
    assert isinstance(msg.data, WebSocketError) and msg.data.code == WSCloseCode.MESSAGE_TOO_BIG
    assert server.exception() is msg.data
    assert server.close_code == WSCloseCode.MESSAGE_TOO_BIG
    reply = await client.receive(timeout=TIMEOUT)
    assert reply.type is WSMsgType.CLOSE and reply.data == WSCloseCode.MESSAGE_TOO_BIG
    assert await server.receive() == (WSMsgType.CLOSED, None, None)


async def test_heartbeat_drops_a_silent_peer_with_1006(ws_pair: PairFactory) -> None:
    # The server neither reads nor answers pings: the client's heartbeat gives up.
    client, _ = await ws_pair(client={"heartbeat": 0.1})
    msg = await client.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.ERROR
    assert isinstance(msg.data, ServerTimeoutError)
    assert isinstance(client.exception(), ServerTimeoutError)
    assert client.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert client.closed


async def test_heartbeat_keeps_an_answering_peer(ws_pair: PairFactory) -> None:
    client, server = await ws_pair(client={"heartbeat": 0.05})
    serving = asyncio.ensure_future(server.receive())
    # Several heartbeat periods pass; each PING is answered by the server's receive().
    with pytest.raises(asyncio.TimeoutError):
        await client.receive(timeout=0.4)
    assert not client.closed
    await client.send_str("still here")
    assert (await asyncio.wait_for(serving, TIMEOUT)).data == "still here"


async def test_peer_disconnect_without_close_frame_gives_closed_1006(
    ws_pair: PairFactory,
) -> None:
    client, server = await ws_pair()
    server._release()
    msg = await client.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.CLOSED
    assert client.close_code == WSCloseCode.ABNORMAL_CLOSURE


async def test_protocol_error_from_peer_gives_error_and_closes_with_1002(
    ws_pair: PairFactory,
) -> None:
    client, server = await ws_pair()
    transport = client._ws_transport
    assert transport is not None
    # An unmasked frame from a client is a protocol error for the server.
    transport.write(WebSocketSerializer(use_mask=False).text("unmasked"))
    msg = await server.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.ERROR
    assert server.close_code == WSCloseCode.PROTOCOL_ERROR
    reply = await client.receive(timeout=TIMEOUT)
    assert reply.type is WSMsgType.CLOSE and reply.data == WSCloseCode.PROTOCOL_ERROR


async def test_properties_and_extra_info(ws_pair: PairFactory) -> None:
    client, _ = await ws_pair()
    assert client.protocol is None and client.compress == 0 and not client.client_notakeover
    assert client.exception() is None and client.close_code is None
    peer = client.get_extra_info("peername")
    assert peer[0] == "127.0.0.1"
    assert client.get_extra_info("nothing-like-this", "dflt") == "dflt"
    assert WebSocketConnection().get_extra_info("peername", 1) == 1


async def test_invalid_close_codes_are_refused(ws_pair: PairFactory) -> None:
    client, _ = await ws_pair()
    with pytest.raises(ValueError):
        await client.close(code=1006)
    with pytest.raises(ValueError):
        await client.close(message="x" * 124)
    assert not client.closed


async def test_not_started_connection_refuses_use() -> None:
    ws = WebSocketConnection()
    with pytest.raises(RuntimeError):
        await ws.receive()
    with pytest.raises(RuntimeError):
        await ws.send_str("x")
    with pytest.raises(ValueError):
        WebSocketConnection(heartbeat=0)


async def test_send_json_uses_dumps(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    await client.send_json({"k": 1}, dumps=lambda obj: json.dumps(obj, separators=(",", ":")))
    assert await server.receive_str() == '{"k":1}'
    await client.send_str("[1, 2]")
    assert await server.receive_json(loads=lambda text: tuple(json.loads(text))) == (1, 2)


async def test_stream_ending_inside_a_frame_gives_error_1006(ws_pair: PairFactory) -> None:
    client, server = await ws_pair()
    transport = client._ws_transport
    assert transport is not None
    frame = WebSocketSerializer(use_mask=True).binary(b"y" * 1000)
    transport.write(frame[:100])  # then the connection ends mid-frame
    transport.close()
    msg = await server.receive(timeout=TIMEOUT)
    assert msg.type is WSMsgType.ERROR
    assert isinstance(msg.data, WebSocketError)
    assert server.close_code == WSCloseCode.ABNORMAL_CLOSURE and server.closed
    assert await server.receive() == (WSMsgType.CLOSED, None, None)
