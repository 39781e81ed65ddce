"""Interop with wsproto: handshake, frames both ways, permessage-deflate with and without takeover."""

from __future__ import annotations

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate as WsprotoDeflate
from wsproto.frame_protocol import FrameProtocol, ParseFailed

from aiohttp_ws import (
    PerMessageDeflate,
    WebSocketError,
    WebSocketParser,
    WebSocketSerializer,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    client_request_headers,
    generate_key,
    validate_upgrade_request,
    validate_upgrade_response,
)

pytestmark = pytest.mark.interop

MESSAGES = [
    WSMessage(WSMsgType.TEXT, "hello wsproto", ""),
    WSMessage(WSMsgType.TEXT, "répétition " * 200, ""),
    WSMessage(WSMsgType.BINARY, bytes(range(256)) * 300, ""),
    WSMessage(WSMsgType.BINARY, b"", ""),
    WSMessage(WSMsgType.TEXT, "répétition " * 200, ""),
]

DEFLATE_CONFIGS = {
    "no-deflate": None,
    "deflate-takeover": {},
    "deflate-no-takeover": {"client_no_context_takeover": True, "server_no_context_takeover": True},
    "deflate-small-windows": {"client_max_window_bits": 9, "server_max_window_bits": 12},
}


def parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = [(k, v.strip()) for k, v in (line.split(":", 1) for line in lines[1:] if line)]
    return lines[0], headers


def collect_wsproto_messages(conn: WSConnection) -> list[WSMessage]:
    out: list[WSMessage] = []
    text_parts: list[str] = []
    byte_parts: list[bytes] = []
    for event in conn.events():
        if isinstance(event, TextMessage):
            text_parts.append(event.data)
            if event.message_finished:
                out.append(WSMessage(WSMsgType.TEXT, "".join(text_parts), ""))
                text_parts = []
        elif isinstance(event, BytesMessage):
            byte_parts.append(bytes(event.data))
            if event.message_finished:
                out.append(WSMessage(WSMsgType.BINARY, b"".join(byte_parts), ""))
                byte_parts = []
        elif isinstance(event, Ping):
            out.append(WSMessage(WSMsgType.PING, bytes(event.payload), ""))
        elif isinstance(event, Pong):
            out.append(WSMessage(WSMsgType.PONG, bytes(event.payload), ""))
        elif isinstance(event, CloseConnection):
            out.append(WSMessage(WSMsgType.CLOSE, event.code, event.reason or ""))
    return out


def to_wsproto_event(message: WSMessage) -> object:
    if message.type == WSMsgType.TEXT:
        return TextMessage(data=message.data)
    if message.type == WSMsgType.BINARY:
        return BytesMessage(data=message.data)
    raise AssertionError(message)


@pytest.mark.parametrize("config", list(DEFLATE_CONFIGS), ids=list(DEFLATE_CONFIGS))
def test_wsproto_client_and_our_server(config: str) -> None:
    params = DEFLATE_CONFIGS[config]
    extensions = [] if params is None else [WsprotoDeflate(**params)]
    client = WSConnection(ConnectionType.CLIENT)
    request_bytes = client.send(Request(host="127.0.0.1", target="/", extensions=extensions))
    request_line, headers = parse_head(request_bytes)
    result = validate_upgrade_request(request_line.split(" ")[0], headers)
    assert (result.deflate is not None) == (params is not None)
    response = "HTTP/1.1 101 Switching Protocols\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in result.response_headers
    )
    client.receive_data(response.encode() + b"\r\n")
    assert isinstance(next(client.events()), AcceptConnection)

    if result.deflate is not None:
        wbits, notakeover, peer_bits = result.deflate.for_role(is_server=True)
    else:
        wbits, notakeover, peer_bits = 0, False, 15
    server_in = WebSocketParser(is_server=True, compress=wbits > 0, window_bits=peer_bits)
    server_out = WebSocketSerializer(use_mask=False, compress=wbits, notakeover=notakeover)

    # wsproto -> us
    wire = b"".join(client.send(to_wsproto_event(m)) for m in MESSAGES)
    wire += client.send(Ping(payload=b"ping?"))
    got = []
    for i in range(0, len(wire), 1000):
        got += server_in.feed_data(wire[i : i + 1000])
    assert got == [*MESSAGES, WSMessage(WSMsgType.PING, b"ping?", "")]
    if wbits:
        assert wire[0] & 0x40  # the first frame is compressed

    # us -> wsproto
    out = b"".join(server_out.message(m.data, m.type) for m in MESSAGES)
    out += server_out.pong(b"pong!") + server_out.close(WSCloseCode.GOING_AWAY, "bye")
    client.receive_data(out)
    assert collect_wsproto_messages(client) == [
        *MESSAGES,
        WSMessage(WSMsgType.PONG, b"pong!", ""),
        WSMessage(WSMsgType.CLOSE, 1001, "bye"),
    ]


@pytest.mark.parametrize("config", list(DEFLATE_CONFIGS), ids=list(DEFLATE_CONFIGS))
def test_our_client_and_wsproto_server(config: str) -> None:
    params = DEFLATE_CONFIGS[config]
    server = WSConnection(ConnectionType.SERVER)
    key = generate_key()
    offer = None
    if params is not None:
        offer = PerMessageDeflate(
            client_max_window_bits_offered=True,
            client_no_context_takeover=bool(params.get("client_no_context_takeover")),
            server_no_context_takeover=bool(params.get("server_no_context_takeover")),
            server_max_window_bits=params.get("server_max_window_bits"),  # type: ignore[arg-type]
        )
    request = "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in client_request_headers(key, deflate=offer)
    )
    server.receive_data(request.encode() + b"\r\n")
    event = next(server.events())
    assert isinstance(event, Request)
    extensions = [] if params is None else [WsprotoDeflate()]
    response = server.send(AcceptConnection(extensions=extensions))
    status_line, headers = parse_head(response)
    agreed = validate_upgrade_response(
        int(status_line.split(" ")[1]), headers, key=key, deflate=offer
    ).deflate
    assert (agreed is not None) == (params is not None)
    if agreed is not None:
        wbits, notakeover, peer_bits = agreed.for_role(is_server=False)
    else:
        wbits, notakeover, peer_bits = 0, False, 15
    client_out = WebSocketSerializer(
        use_mask=True, compress=wbits, notakeover=notakeover, max_frame_size=700
    )
    client_in = WebSocketParser(is_server=False, compress=wbits > 0, window_bits=peer_bits)

    # us -> wsproto (fragmented and masked)
    server.receive_data(b"".join(client_out.message(m.data, m.type) for m in MESSAGES))
    assert collect_wsproto_messages(server) == MESSAGES

    # wsproto -> us
    wire = b"".join(server.send(to_wsproto_event(m)) for m in MESSAGES)
    wire += server.send(CloseConnection(code=1000, reason="done"))
    got = []
    for i in range(0, len(wire), 333):
        got += client_in.feed_data(wire[i : i + 333])
    assert got == [*MESSAGES, WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "done")]


@pytest.mark.parametrize(
    "frame",
    [
        b"\x83\x00",  # reserved opcode
        b"\x09\x00",  # fragmented ping
        b"\x81\x02\xc3\x28",  # invalid UTF-8
        b"\x88\x02\x03\xed",  # close code 1005
    ],
)
def test_wsproto_and_we_both_refuse_the_same_bad_frames(frame: bytes) -> None:
    parser = WebSocketParser(is_server=False)
    with pytest.raises(WebSocketError) as info:
        parser.feed_data(frame)
    protocol = FrameProtocol(client=True, extensions=[])
    protocol.receive_bytes(frame)
    with pytest.raises(ParseFailed) as theirs:
        list(protocol.received_frames())
    assert info.value.code == int(theirs.value.code)
