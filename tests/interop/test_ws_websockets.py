"""Interop with the websockets library: its sans-IO protocol and its asyncio server/client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import serve as ws_serve
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader
from websockets.uri import parse_uri

from aiohttp_ws import (
    WS_CLOSED_MESSAGE,
    FlowControlProtocol,
    PerMessageDeflate,
    WebSocketDataQueue,
    WebSocketParser,
    WebSocketReader,
    WebSocketSerializer,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    client_request_headers,
    generate_key,
    validate_upgrade_request,
    validate_upgrade_response,
)

pytestmark = pytest.mark.interop
TIMEOUT = 10.0

MESSAGES = [
    WSMessage(WSMsgType.TEXT, "hello websockets", ""),
    WSMessage(WSMsgType.TEXT, "encore " * 500, ""),
    WSMessage(WSMsgType.BINARY, bytes(range(256)) * 400, ""),
    WSMessage(WSMsgType.BINARY, b"", ""),
    WSMessage(WSMsgType.TEXT, "encore " * 500, ""),
]

DEFLATE_CONFIGS: dict[str, dict[str, Any] | None] = {
    "no-deflate": None,
    "deflate-takeover": {},
    "deflate-no-takeover": {"server_no_context_takeover": True, "client_no_context_takeover": True},
    "deflate-windows": {"server_max_window_bits": 10, "client_max_window_bits": 11},
}
IDS = list(DEFLATE_CONFIGS)


def parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = [(k, v.strip()) for k, v in (line.split(":", 1) for line in lines[1:] if line)]
    return lines[0], headers


def assemble(frames: list[Frame]) -> list[WSMessage]:
    """Turn websockets' frames into messages (its sans-IO layer returns frames)."""
    out: list[WSMessage] = []
    parts: list[bytes] = []
    kind = Opcode.CONT
    for frame in frames:
        if frame.opcode in (Opcode.TEXT, Opcode.BINARY):
            kind, parts = frame.opcode, [frame.data]
        elif frame.opcode == Opcode.CONT:
            parts.append(frame.data)
        elif frame.opcode == Opcode.PING:
            out.append(WSMessage(WSMsgType.PING, frame.data, ""))
            continue
        elif frame.opcode == Opcode.PONG:
            out.append(WSMessage(WSMsgType.PONG, frame.data, ""))
            continue
        elif frame.opcode == Opcode.CLOSE:
            close = Close.parse(frame.data)
            out.append(WSMessage(WSMsgType.CLOSE, close.code, close.reason))
            continue
        if frame.fin:
            data = b"".join(parts)
            if kind == Opcode.TEXT:
                out.append(WSMessage(WSMsgType.TEXT, data.decode(), ""))
            else:
                out.append(WSMessage(WSMsgType.BINARY, data, ""))
    return out


def send_with_websockets(proto: ClientProtocol | ServerProtocol, message: WSMessage) -> None:
    if message.type == WSMsgType.TEXT:
        data = message.data.encode()
        # Fragment long messages to exercise continuation frames.
        if len(data) > 1000:
            proto.send_text(data[:1000], fin=False)
            proto.send_continuation(data[1000:], fin=True)
        else:
            proto.send_text(data)
    else:
        proto.send_binary(message.data)


def our_settings(agreed: PerMessageDeflate | None, *, is_server: bool) -> tuple[int, bool, int]:
    return agreed.for_role(is_server=is_server) if agreed is not None else (0, False, 15)


# --- sans-IO: websockets client <-> our server ---------------------------------------


@pytest.mark.parametrize("config", IDS, ids=IDS)
def test_websockets_client_protocol_and_our_server(config: str) -> None:
    params = DEFLATE_CONFIGS[config]
    extensions = [] if params is None else [ClientPerMessageDeflateFactory(**params)]
    client = ClientProtocol(parse_uri("ws://127.0.0.1/"), extensions=extensions, max_size=None)
    client.send_request(client.connect())
    request_line, headers = parse_head(b"".join(client.data_to_send()))
    result = validate_upgrade_request(request_line.split(" ")[0], headers)
    response = "HTTP/1.1 101 Switching Protocols\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in result.response_headers
    )
    client.receive_data(response.encode() + b"\r\n")
    client.events_received()
    assert client.state is State.OPEN
    wbits, notakeover, peer_bits = our_settings(result.deflate, is_server=True)
    assert (wbits > 0) == (params is not None)

    for message in MESSAGES:
        send_with_websockets(client, message)
    client.send_ping(b"ping!")
    wire = b"".join(client.data_to_send())
    parser = WebSocketParser(is_server=True, compress=wbits > 0, window_bits=peer_bits)
    got = []
    for i in range(0, len(wire), 517):
        got += parser.feed_data(wire[i : i + 517])
    assert got == [*MESSAGES, WSMessage(WSMsgType.PING, b"ping!", "")]

    writer = WebSocketSerializer(use_mask=False, compress=wbits, notakeover=notakeover)
    out = b"".join(writer.message(m.data, m.type) for m in MESSAGES)
    out += writer.close(WSCloseCode.GOING_AWAY, "server bye")
    client.receive_data(out)
    assert assemble(client.events_received()) == [
        *MESSAGES,
        WSMessage(WSMsgType.CLOSE, 1001, "server bye"),
    ]


# --- sans-IO: our client <-> websockets server ---------------------------------------


@pytest.mark.parametrize("config", IDS, ids=IDS)
def test_our_client_and_websockets_server_protocol(config: str) -> None:
    params = DEFLATE_CONFIGS[config]
    extensions = [] if params is None else [ServerPerMessageDeflateFactory(**params)]
    server = ServerProtocol(extensions=extensions, max_size=None)
    key = generate_key()
    offer = None if params is None else PerMessageDeflate(client_max_window_bits_offered=True)
    request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in client_request_headers(key, deflate=offer)
    )
    server.receive_data(request.encode() + b"\r\n")
    (ws_request,) = server.events_received()
    server.send_response(server.accept(ws_request))
    status_line, headers = parse_head(b"".join(server.data_to_send()))
    agreed = validate_upgrade_response(
        int(status_line.split(" ")[1]), headers, key=key, deflate=offer
    ).deflate
    wbits, notakeover, peer_bits = our_settings(agreed, is_server=False)
    assert (wbits > 0) == (params is not None)

    writer = WebSocketSerializer(
        use_mask=True, compress=wbits, notakeover=notakeover, max_frame_size=4000
    )
    wire = b"".join(writer.message(m.data, m.type) for m in MESSAGES) + writer.ping(b"?")
    server.receive_data(wire)
    assert assemble(server.events_received()) == [*MESSAGES, WSMessage(WSMsgType.PING, b"?", "")]
    server.data_to_send()  # the automatic pong

    for message in MESSAGES:
        send_with_websockets(server, message)
    server.send_close(1000, "done")
    out = b"".join(server.data_to_send())
    parser = WebSocketParser(is_server=False, compress=wbits > 0, window_bits=peer_bits)
    got = []
    for i in range(0, len(out), 101):
        got += parser.feed_data(out[i : i + 101])
    assert got == [*MESSAGES, WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "done")]


# --- frame level ------------------------------------------------------------------------

FRAMES = [
    Frame(Opcode.TEXT, "þæð".encode()),
    Frame(Opcode.BINARY, b"\x00" * 70000),
    Frame(Opcode.TEXT, b"frag", fin=False),
    Frame(Opcode.PING, b"x" * 125),
    Frame(Opcode.CONT, b"ment"),
    Frame(Opcode.CLOSE, Close(4000, "app code").serialize()),
]
EXPECTED = [
    WSMessage(WSMsgType.TEXT, "þæð", ""),
    WSMessage(WSMsgType.BINARY, b"\x00" * 70000, ""),
    WSMessage(WSMsgType.PING, b"x" * 125, ""),
    WSMessage(WSMsgType.TEXT, "fragment", ""),
    WSMessage(WSMsgType.CLOSE, 4000, "app code"),
]


@pytest.mark.parametrize("masked", [False, True])
def test_frames_serialised_by_websockets_parse_here(masked: bool) -> None:
    wire = b"".join(f.serialize(mask=masked) for f in FRAMES)
    parser = WebSocketParser(is_server=masked)
    assert parser.feed_data(wire) == EXPECTED


@pytest.mark.parametrize("masked", [False, True])
def test_frames_serialised_here_parse_in_websockets(masked: bool) -> None:
    writer = WebSocketSerializer(use_mask=masked)
    wire = b"".join(writer.frame(f.data, f.opcode, fin=f.fin) for f in FRAMES)
    reader = StreamReader()
    reader.feed_data(wire)
    reader.feed_eof()
    parsed = []
    for _ in FRAMES:
        gen = Frame.parse(reader.read_exact, mask=masked, max_size=None)
        try:
            next(gen)
        except StopIteration as stop:
            parsed.append(stop.value)
    assert [(f.opcode, f.data, f.fin) for f in parsed] == [
        (f.opcode, f.data, f.fin) for f in FRAMES
    ]


# --- real sockets: a websockets server and our asyncio client --------------------------


async def our_client(port: int, *, compress: bool) -> tuple[WebSocketDataQueue, WebSocketWriter]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(FlowControlProtocol, "127.0.0.1", port)
    key = generate_key()
    offer = PerMessageDeflate(client_max_window_bits_offered=True) if compress else None
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in client_request_headers(key, deflate=offer)
    )
    transport.write(request.encode() + b"\r\n")
    status_line, headers = parse_head(await asyncio.wait_for(proto.read_head(), TIMEOUT))
    agreed = validate_upgrade_response(
        int(status_line.split(" ")[1]), headers, key=key, deflate=offer
    ).deflate
    wbits, notakeover, peer_bits = our_settings(agreed, is_server=False)
    assert (wbits > 0) == compress
    queue = WebSocketDataQueue(proto)
    proto.attach(WebSocketReader(queue, 2**22, wbits > 0, is_server=False, window_bits=peer_bits))
    writer = WebSocketWriter(proto, transport, use_mask=True, compress=wbits, notakeover=notakeover)
    return queue, writer


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "deflate"])
async def test_our_asyncio_client_against_a_websockets_server(compress: bool) -> None:
    async def echo(connection: Any) -> None:
        async for message in connection:
            await connection.send(message)

    async with ws_serve(
        echo, "127.0.0.1", 0, compression="deflate" if compress else None, max_size=None
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        queue, writer = await our_client(port, compress=compress)
        for message in MESSAGES:
            await writer.send_frame(
                message.data.encode() if isinstance(message.data, str) else message.data,
                message.type,
            )
        await writer.ping(b"hello?")
        got = [await asyncio.wait_for(queue.read(), TIMEOUT) for _ in range(len(MESSAGES) + 1)]
        # websockets answers the ping at once, possibly between the echoes.
        assert [m for m in got if m.type == WSMsgType.PONG] == [
            WSMessage(WSMsgType.PONG, b"hello?", "")
        ]
        assert [m for m in got if m.type != WSMsgType.PONG] == MESSAGES
        await writer.close(WSCloseCode.OK, "bye")
        closing = await asyncio.wait_for(queue.read(), TIMEOUT)
        assert closing == WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "bye")
        assert await asyncio.wait_for(queue.read(), TIMEOUT) is WS_CLOSED_MESSAGE
        writer.transport.close()


# --- real sockets: a websockets client and our asyncio server ---------------------------


async def our_echo_server(proto: FlowControlProtocol) -> None:
    status_line, headers = parse_head(await asyncio.wait_for(proto.read_head(), TIMEOUT))
    result = validate_upgrade_request(status_line.split(" ")[0], headers)
    assert proto.transport is not None
    response = "HTTP/1.1 101 Switching Protocols\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in result.response_headers
    )
    proto.transport.write(response.encode() + b"\r\n")
    wbits, notakeover, peer_bits = our_settings(result.deflate, is_server=True)
    queue = WebSocketDataQueue(proto)
    proto.attach(WebSocketReader(queue, 2**22, wbits > 0, is_server=True, window_bits=peer_bits))
    writer = WebSocketWriter(proto, proto.transport, compress=wbits, notakeover=notakeover)
    while True:
        msg = await queue.read()
        if msg.type == WSMsgType.CLOSE:
            await writer.close(msg.data or 1000, msg.extra or "")
            proto.transport.close()
            return
        if msg.type == WSMsgType.PING:
            await writer.pong(msg.data)
        elif msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
            data = msg.data.encode() if isinstance(msg.data, str) else msg.data
            await writer.send_frame(data, msg.type)
        elif msg.type == WSMsgType.CLOSED:
            return


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "deflate"])
async def test_a_websockets_client_against_our_asyncio_server(compress: bool) -> None:
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    def factory() -> FlowControlProtocol:
        proto = FlowControlProtocol()
        task = loop.create_task(our_echo_server(proto))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return proto

    server = await loop.create_server(factory, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        async with ws_connect(
            f"ws://127.0.0.1:{port}/",
            compression="deflate" if compress else None,
            max_size=None,
            open_timeout=TIMEOUT,
            close_timeout=TIMEOUT,
        ) as client:
            for message in MESSAGES:
                await client.send(message.data)
                echoed = await asyncio.wait_for(client.recv(), TIMEOUT)
                assert echoed == message.data
            pong = await client.ping(b"ping")
            await asyncio.wait_for(pong, TIMEOUT)
        assert client.close_code == 1000
        await asyncio.wait_for(asyncio.gather(*tasks), TIMEOUT)
