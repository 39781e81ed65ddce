"""Graceful shutdown, the upgrade hook and the protocol factory used directly."""

from __future__ import annotations

import asyncio

import pytest

from aiohttp_http import (
    BaseRequest,
    RequestHandler,
    Response,
    Server,
    ServerHttpProtocol,
    StreamResponse,
    UpgradedConnection,
    serve,
)

WAIT = 5.0


async def read_head(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)


# -- shutdown ---------------------------------------------------------------------------------


async def test_shutdown_lets_in_flight_request_finish_and_closes_idle_connection() -> None:
    started = asyncio.Event()

    async def handler(request: BaseRequest) -> Response:
        if request.path == "/slow":
            started.set()
            await asyncio.sleep(0.2)
            return Response(text="slow done")
        return Response(text="fast")

    async with serve(handler) as server:
        idle_r, idle_w = await asyncio.open_connection("127.0.0.1", server.port)
        idle_w.write(b"GET /fast HTTP/1.1\r\nHost: h\r\n\r\n")
        assert (await read_head(idle_r)).startswith(b"HTTP/1.1 200")
        await asyncio.wait_for(idle_r.readexactly(4), WAIT)

        busy_r, busy_w = await asyncio.open_connection("127.0.0.1", server.port)
        busy_w.write(b"GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
        await asyncio.wait_for(started.wait(), WAIT)

        shutdown = asyncio.ensure_future(server.shutdown(WAIT))
        assert await asyncio.wait_for(idle_r.read(), WAIT) == b""  # idle: closed at once
        raw = await asyncio.wait_for(busy_r.read(), WAIT)  # in flight: answered, then closed
        await asyncio.wait_for(shutdown, WAIT)
        idle_w.close()
        busy_w.close()
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close\r\n" in raw
    assert raw.endswith(b"slow done")
    assert server.connections == []


async def test_shutdown_stops_accepting_connections() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response()

    async with serve(handler) as server:
        port = server.port
        await asyncio.wait_for(server.shutdown(WAIT), WAIT)
        with pytest.raises(OSError):
            await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), WAIT)


async def test_shutdown_timeout_cancels_a_stuck_handler_and_closes_its_connection() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def stuck(request: BaseRequest) -> Response:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response()

    async with serve(stuck) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        await asyncio.wait_for(started.wait(), WAIT)
        await asyncio.wait_for(server.shutdown(0.1), WAIT)
        try:
            data = await asyncio.wait_for(reader.read(), WAIT)
        except ConnectionResetError:
            data = b""
        writer.close()
    assert data == b""
    assert cancelled.is_set()


async def test_server_is_a_protocol_factory_for_create_server() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response(text="direct")

    server = Server(handler)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        raw = await asyncio.wait_for(reader.read(), WAIT)
        writer.close()
        assert isinstance(server(), RequestHandler)
        assert ServerHttpProtocol is RequestHandler
        assert server.requests_count == 1
    finally:
        listener.close()
        await server.shutdown(1.0)
        await listener.wait_closed()
    assert raw.endswith(b"direct")


# -- upgrade ----------------------------------------------------------------------------------


async def test_upgrade_hands_over_the_transport_and_the_tail_bytes() -> None:
    tails: list[bytes] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        conn = await request.upgrade()
        assert isinstance(conn, UpgradedConnection)
        tails.append(conn.tail)
        # An echo protocol: everything read is sent back upper-cased, until "quit".
        while True:
            data = await asyncio.wait_for(conn.reader.readuntil(b"\n"), WAIT)
            if data == b"quit\n":
                break
            await conn.write(data.upper())
        return StreamResponse()

    async with serve(handler) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"GET /chat HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
            b"first line\nGET / HTTP/1.1\r\n"
        )
        head = await read_head(reader)
        assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
        assert b"Upgrade: echo\r\n" in head
        assert b"Connection: upgrade\r\n" in head
        assert await asyncio.wait_for(reader.readuntil(b"\n"), WAIT) == b"FIRST LINE\n"
        assert await asyncio.wait_for(reader.readuntil(b"\n"), WAIT) == b"GET / HTTP/1.1\r\n"
        writer.write(b"more\nquit\n")
        assert await asyncio.wait_for(reader.readuntil(b"\n"), WAIT) == b"MORE\n"
        assert await asyncio.wait_for(reader.read(), WAIT) == b""  # handler returned: closed
        writer.close()
    assert tails == [b"first line\nGET / HTTP/1.1\r\n"]


async def test_upgrade_can_switch_the_transport_to_another_protocol() -> None:
    received: list[bytes] = []
    got_data = asyncio.Event()

    class Echo(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            received.append(data)
            assert isinstance(self.transport, asyncio.WriteTransport)
            self.transport.write(b"echo:" + data)
            got_data.set()

    async def handler(request: BaseRequest) -> StreamResponse:
        conn = await request.upgrade()
        conn.set_protocol(Echo())
        return StreamResponse()

    async with serve(handler) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\ntail")
        await read_head(reader)
        assert await asyncio.wait_for(reader.readexactly(9), WAIT) == b"echo:tail"
        writer.write(b"next")
        assert await asyncio.wait_for(reader.readexactly(9), WAIT) == b"echo:next"
        writer.close()
    assert received[0] == b"tail"


async def test_declined_upgrade_keeps_speaking_http() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response(text=f"plain {request.path}")

    async with serve(handler) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"GET /a HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n"
            b"GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        )
        raw = await asyncio.wait_for(reader.read(), WAIT)
        writer.close()
    assert raw.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert raw.index(b"plain /a") < raw.index(b"plain /b")


async def test_connect_tunnel_through_upgrade() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        assert request.method == "CONNECT"
        conn = await request.upgrade(StreamResponse(status=200))
        data = await asyncio.wait_for(conn.reader.readexactly(4), WAIT)
        await conn.write(b"tunnel:" + data)
        return StreamResponse()

    async with serve(handler) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nping")
        head = await read_head(reader)
        rest = await asyncio.wait_for(reader.read(), WAIT)
        writer.close()
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"transfer-encoding" not in head.lower()
    assert b"content-length" not in head.lower()
    assert rest == b"tunnel:ping"


async def test_upgrade_of_a_plain_request_is_refused() -> None:
    errors: list[Exception] = []

    async def handler(request: BaseRequest) -> Response:
        try:
            await request.upgrade()
        except RuntimeError as exc:
            errors.append(exc)
        return Response(text="no upgrade")

    async with serve(handler) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        raw = await asyncio.wait_for(reader.read(), WAIT)
        writer.close()
    assert raw.endswith(b"no upgrade")
    assert len(errors) == 1
