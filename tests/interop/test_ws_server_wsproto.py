"""Our WebSocketResponse driven by wsproto's sans-IO client over a 127.0.0.1 socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    RejectConnection,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate

from aiohttp_client import WebSocketResponse
from aiohttp_http import BaseRequest, StreamResponse, serve
from aiohttp_ws import WSMsgType

pytestmark = [pytest.mark.interop, pytest.mark.timeout(60)]
TIMEOUT = 10.0


async def _echo(request: BaseRequest) -> StreamResponse:
    ws = WebSocketResponse(protocols=("wsproto-test",))
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            await ws.send_str(msg.data.upper())
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


class WsprotoClient:
    """A wsproto client connection with bounded waits for events."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.conn = WSConnection(ConnectionType.CLIENT)
        self.reader = reader
        self.writer = writer
        self.pending: list[Event] = []

    def send(self, event: Event) -> None:
        self.writer.write(self.conn.send(event))

    async def next_event(self) -> Event:
        while not self.pending:
            data = await asyncio.wait_for(self.reader.read(65536), TIMEOUT)
            self.conn.receive_data(data or None)
            self.pending.extend(self.conn.events())
            if not data and not self.pending:
                raise ConnectionError("closed without an event")
        return self.pending.pop(0)


@pytest.fixture
async def client() -> AsyncIterator[WsprotoClient]:
    async with serve(_echo, "127.0.0.1", 0) as server:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", server.port), TIMEOUT
        )
        yield WsprotoClient(reader, writer)
        writer.close()


@pytest.mark.parametrize("deflate", [False, True])
async def test_wsproto_client_echo_and_close(client: WsprotoClient, deflate: bool) -> None:
    extensions = [PerMessageDeflate()] if deflate else []
    client.send(
        Request(host="127.0.0.1", target="/", subprotocols=["wsproto-test"], extensions=extensions)
    )
    accepted = await client.next_event()
    assert isinstance(accepted, AcceptConnection)
    assert accepted.subprotocol == "wsproto-test"
    assert bool(accepted.extensions) is deflate
    client.send(TextMessage(data="shout " * 300))
    echoed = await client.next_event()
    assert isinstance(echoed, TextMessage) and echoed.data == "SHOUT " * 300
    client.send(BytesMessage(data=b"\x00\x01" * 5000))
    chunks = b""
    while len(chunks) < 10000:
        event = await client.next_event()
        assert isinstance(event, BytesMessage)
        chunks += event.data
    assert chunks == b"\x00\x01" * 5000
    client.send(CloseConnection(code=4321, reason="wsproto done"))
    answer = await client.next_event()
    assert isinstance(answer, CloseConnection) and answer.code == 1000


async def test_wsproto_request_with_conflicting_versions_is_rejected(client: WsprotoClient) -> None:
    client.send(
        Request(host="127.0.0.1", target="/", extra_headers=[(b"Sec-WebSocket-Version", b"7")])
    )
    rejected = await client.next_event()
    assert isinstance(rejected, RejectConnection)
    assert rejected.status_code == 400
