"""The asyncio adapters: queue back-pressure, reader, writer, and the protocol end to end."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aiohttp_ws import (
    WS_CLOSED_MESSAGE,
    FlowControlProtocol,
    WebSocketDataQueue,
    WebSocketError,
    WebSocketParser,
    WebSocketReader,
    WebSocketSerializer,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    accept_key,
    client_request_headers,
    generate_key,
    validate_upgrade_request,
    validate_upgrade_response,
)

from ._frames import build_frame

TIMEOUT = 5.0


class FlowRecorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


class FakeTransport(asyncio.Transport):
    def __init__(self, buffered: int = 0) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.buffered = buffered
        self.closing = False

    def write(self, data: Any) -> None:
        self.written.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return self.buffered


class DrainRecorder:
    def __init__(self) -> None:
        self.drains = 0

    async def drain(self) -> None:
        self.drains += 1


def text(data: str) -> WSMessage:
    return WSMessage(WSMsgType.TEXT, data, "")


# --- queue -----------------------------------------------------------------------


async def test_queue_pauses_above_high_water_and_resumes_below_low_water() -> None:
    flow = FlowRecorder()
    queue = WebSocketDataQueue(flow, limit=1000, low_water=300)
    for _ in range(5):
        queue.feed_data(text("x" * 200), 200)  # 264 bytes counted each
    assert flow.calls == ["pause"]
    assert queue.paused
    for _ in range(3):
        await asyncio.wait_for(queue.read(), TIMEOUT)
    assert flow.calls == ["pause"]  # 528 > 300: still paused
    await asyncio.wait_for(queue.read(), TIMEOUT)
    assert flow.calls == ["pause", "resume"]
    assert not queue.paused
    assert queue.size == 264


async def test_queue_counts_overhead_of_empty_messages() -> None:
    flow = FlowRecorder()
    queue = WebSocketDataQueue(flow, limit=640)
    for _ in range(11):
        queue.feed_data(WSMessage(WSMsgType.BINARY, b"", ""), 0)
    assert flow.calls == ["pause"]


async def test_queue_read_waits_for_a_message() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    reader = asyncio.ensure_future(queue.read())
    await asyncio.sleep(0)
    assert not reader.done()
    queue.feed_data(text("hi"), 2)
    assert await asyncio.wait_for(reader, TIMEOUT) == text("hi")


async def test_queue_returns_closed_message_after_eof() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    queue.feed_data(text("last"), 4)
    queue.feed_eof()
    assert queue.is_eof()
    assert await asyncio.wait_for(queue.read(), TIMEOUT) == text("last")
    assert await asyncio.wait_for(queue.read(), TIMEOUT) is WS_CLOSED_MESSAGE


async def test_queue_raises_its_exception_after_the_queued_messages() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    queue.feed_data(text("before"), 6)
    error = WebSocketError(1002, "broken")
    queue.set_exception(error)
    assert queue.exception() is error
    assert await asyncio.wait_for(queue.read(), TIMEOUT) == text("before")
    with pytest.raises(WebSocketError):
        await asyncio.wait_for(queue.read(), TIMEOUT)


async def test_cancelled_read_leaves_the_queue_usable() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    reader = asyncio.ensure_future(queue.read())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    queue.feed_data(text("after"), 5)
    assert await asyncio.wait_for(queue.read(), TIMEOUT) == text("after")


def test_queue_refuses_bad_limits() -> None:
    with pytest.raises(ValueError, match="limit"):
        WebSocketDataQueue(FlowRecorder(), limit=-1)
    with pytest.raises(ValueError, match="low_water"):
        WebSocketDataQueue(FlowRecorder(), limit=10, low_water=11)


# --- reader --------------------------------------------------------------------------


async def test_reader_queues_messages() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    reader = WebSocketReader(queue, 1000, compress=False)
    assert reader.feed_data(build_frame(b"ab", 0x1) + build_frame(b"\x03\xe8", 0x8)) == (
        False,
        b"",
    )
    assert await queue.read() == text("ab")
    assert await queue.read() == WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "")


async def test_reader_error_reaches_the_queue_with_its_code() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    reader = WebSocketReader(queue, 1000)
    stream = build_frame(b"ok", 0x2) + build_frame(b"x" * 2000, 0x2)
    assert reader.feed_data(stream) == (True, b"")
    assert reader.feed_data(b"ignored") == (True, b"")
    assert (await queue.read()).data == b"ok"
    with pytest.raises(WebSocketError) as info:
        await queue.read()
    assert info.value.code == WSCloseCode.MESSAGE_TOO_BIG


async def test_reader_eof_inside_a_frame_is_abnormal_closure() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    reader = WebSocketReader(queue)
    reader.feed_data(build_frame(b"abc", 0x2)[:3])
    reader.feed_eof()
    with pytest.raises(WebSocketError) as info:
        await queue.read()
    assert info.value.code == WSCloseCode.ABNORMAL_CLOSURE


async def test_reader_clean_eof_gives_closed_message() -> None:
    queue = WebSocketDataQueue(FlowRecorder())
    reader = WebSocketReader(queue)
    reader.feed_eof()
    assert await queue.read() is WS_CLOSED_MESSAGE


# --- writer --------------------------------------------------------------------------


async def test_writer_sends_every_kind_of_frame() -> None:
    transport = FakeTransport()
    writer = WebSocketWriter(DrainRecorder(), transport)
    await writer.send("hi")
    await writer.send(b"\x01", binary=True)
    await writer.send_frame(b"raw", WSMsgType.TEXT)
    await writer.ping(b"p")
    await writer.pong(b"q")
    await writer.close(1001, "bye")
    parser = WebSocketParser(is_server=False)
    got = parser.feed_data(b"".join(transport.written))
    assert got == [
        text("hi"),
        WSMessage(WSMsgType.BINARY, b"\x01", ""),
        text("raw"),
        WSMessage(WSMsgType.PING, b"p", ""),
        WSMessage(WSMsgType.PONG, b"q", ""),
        WSMessage(WSMsgType.CLOSE, WSCloseCode.GOING_AWAY, "bye"),
    ]


async def test_writer_masks_and_compresses_as_a_client() -> None:
    transport = FakeTransport()
    writer = WebSocketWriter(DrainRecorder(), transport, use_mask=True, compress=15)
    await writer.send("compress me " * 10)
    assert transport.written[0][0] & 0x40 and transport.written[0][1] & 0x80
    parser = WebSocketParser(is_server=True, compress=True)
    assert parser.feed_data(transport.written[0]) == [text("compress me " * 10)]


async def test_writer_refuses_data_after_close() -> None:
    writer = WebSocketWriter(DrainRecorder(), FakeTransport())
    await writer.close()
    with pytest.raises(ConnectionResetError, match="closing"):
        await writer.send("late")
    await writer.close()  # a second close frame is still allowed


async def test_writer_refuses_a_closing_transport() -> None:
    transport = FakeTransport()
    transport.closing = True
    with pytest.raises(ConnectionResetError, match="closing transport"):
        await WebSocketWriter(DrainRecorder(), transport).send("x")


async def test_writer_waits_for_drain_above_the_limit() -> None:
    protocol = DrainRecorder()
    transport = FakeTransport(buffered=100)
    writer = WebSocketWriter(protocol, transport, limit=100)
    await writer.send("a")
    assert protocol.drains == 0
    transport.buffered = 101
    await writer.send("b")
    assert protocol.drains == 1


async def test_writer_bad_close_arguments_raise_value_error() -> None:
    writer = WebSocketWriter(DrainRecorder(), FakeTransport())
    with pytest.raises(ValueError, match="1005"):
        await writer.close(1005)
    with pytest.raises(ValueError, match="125"):
        await writer.ping(b"x" * 200)


async def test_writer_serialises_concurrent_senders() -> None:
    transport = FakeTransport()
    writer = WebSocketWriter(DrainRecorder(), transport, max_frame_size=3)
    await asyncio.wait_for(
        asyncio.gather(*(writer.send(f"message {i}") for i in range(20))), TIMEOUT
    )
    got = WebSocketParser(is_server=False).feed_data(b"".join(transport.written))
    assert sorted(m.data for m in got) == sorted(f"message {i}" for i in range(20))


# --- protocol over real sockets --------------------------------------------------------


class ServerSide:
    """A tiny WebSocket echo server made of the engine's own pieces."""

    def __init__(self) -> None:
        self.received: list[WSMessage] = []

    async def handle(self, proto: FlowControlProtocol) -> None:
        head = await proto.read_head()
        lines = head.decode("latin-1").split("\r\n")
        method = lines[0].split(" ", 1)[0]
        headers = [tuple(line.split(": ", 1)) for line in lines[1:] if line]
        result = validate_upgrade_request(method, headers)  # type: ignore[arg-type]
        assert proto.transport is not None
        response = "HTTP/1.1 101 Switching Protocols\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in result.response_headers
        )
        proto.transport.write(response.encode() + b"\r\n")
        queue = WebSocketDataQueue(proto)
        proto.attach(WebSocketReader(queue, is_server=True, compress=False))
        writer = WebSocketWriter(proto, proto.transport)
        while True:
            msg = await queue.read()
            self.received.append(msg)
            if msg.type == WSMsgType.CLOSE:
                await writer.close(msg.data or 1000)
                proto.transport.close()
                return
            if msg.type == WSMsgType.PING:
                await writer.pong(msg.data)
            elif msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await writer.send_frame(
                    msg.data.encode() if isinstance(msg.data, str) else msg.data, msg.type
                )


async def start_server(server: ServerSide) -> tuple[asyncio.AbstractServer, int]:
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    def factory() -> FlowControlProtocol:
        proto = FlowControlProtocol()
        task = loop.create_task(server.handle(proto))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return proto

    srv = await loop.create_server(factory, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    return srv, port


async def connect(
    port: int, *, queue_limit: int = 2**16
) -> tuple[FlowControlProtocol, WebSocketDataQueue, WebSocketWriter]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(FlowControlProtocol, "127.0.0.1", port)
    key = generate_key()
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in client_request_headers(key)
    )
    transport.write(request.encode() + b"\r\n")
    head = await asyncio.wait_for(proto.read_head(), TIMEOUT)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = [tuple(line.split(": ", 1)) for line in lines[1:] if line]
    validate_upgrade_response(status, headers, key=key)  # type: ignore[arg-type]
    queue = WebSocketDataQueue(proto, limit=queue_limit)
    proto.attach(WebSocketReader(queue, is_server=False, compress=False))
    return proto, queue, WebSocketWriter(proto, transport, use_mask=True)


async def test_echo_over_a_real_socket() -> None:
    server = ServerSide()
    srv, port = await start_server(server)
    async with srv:
        proto, queue, writer = await connect(port)
        await writer.send("hello")
        await writer.send(b"\x00" * 100_000, binary=True)
        await writer.ping(b"are you there")
        assert await asyncio.wait_for(queue.read(), TIMEOUT) == text("hello")
        assert (await asyncio.wait_for(queue.read(), TIMEOUT)).data == b"\x00" * 100_000
        assert await asyncio.wait_for(queue.read(), TIMEOUT) == WSMessage(
            WSMsgType.PONG, b"are you there", ""
        )
        await writer.close(WSCloseCode.OK, "done")
        closing = await asyncio.wait_for(queue.read(), TIMEOUT)
        assert closing == WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "")
        assert await asyncio.wait_for(queue.read(), TIMEOUT) is WS_CLOSED_MESSAGE
        assert server.received[-1] == WSMessage(WSMsgType.CLOSE, WSCloseCode.OK, "done")
        assert proto.transport is not None
        proto.transport.close()


async def test_slow_reader_pauses_the_transport_then_resumes() -> None:
    server = ServerSide()
    srv, port = await start_server(server)
    async with srv:
        proto, queue, writer = await connect(port, queue_limit=10_000)
        for i in range(50):
            await writer.send(f"{i:04d}" + "x" * 1000)
        # Wait (bounded) until the echoes pile up and the queue pauses reading.
        for _ in range(500):
            if queue.paused:
                break
            await asyncio.sleep(0.01)
        assert queue.paused and proto._reading_paused
        assert queue.size <= 10_000 + 2 * 1064 + 65536  # bounded by one socket read
        for i in range(50):
            msg = await asyncio.wait_for(queue.read(), TIMEOUT)
            assert msg.data.startswith(f"{i:04d}")
        assert not queue.paused and not proto._reading_paused
        await writer.close()
        assert proto.transport is not None
        proto.transport.close()


async def test_read_head_refuses_an_oversized_head() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 101 OK\r\n" + b"X: " + b"y" * 5000)
        await writer.drain()
        await reader.read()
        writer.close()

    srv = await asyncio.start_server(handler, "127.0.0.1", 0)
    async with srv:
        port = srv.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        transport, proto = await loop.create_connection(
            lambda: FlowControlProtocol(head_limit=1000), "127.0.0.1", port
        )
        with pytest.raises(WebSocketError, match="exceeds 1000 bytes"):
            await asyncio.wait_for(proto.read_head(), TIMEOUT)
        transport.close()


async def test_read_head_fails_when_the_connection_ends() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 101 OK\r\n")
        writer.close()

    srv = await asyncio.start_server(handler, "127.0.0.1", 0)
    async with srv:
        port = srv.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        transport, proto = await loop.create_connection(FlowControlProtocol, "127.0.0.1", port)
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(proto.read_head(), TIMEOUT)
        transport.close()


async def test_drain_waits_for_resume_writing_and_fails_after_loss() -> None:
    proto = FlowControlProtocol()
    await asyncio.wait_for(proto.drain(), TIMEOUT)  # not paused: returns at once
    proto.pause_writing()
    waiter = asyncio.ensure_future(proto.drain())
    await asyncio.sleep(0)
    assert not waiter.done()
    proto.resume_writing()
    await asyncio.wait_for(waiter, TIMEOUT)
    proto.pause_writing()
    waiter = asyncio.ensure_future(proto.drain())
    await asyncio.sleep(0)
    proto.connection_lost(None)
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(waiter, TIMEOUT)


async def test_attach_after_connection_loss_ends_the_queue() -> None:
    proto = FlowControlProtocol()
    proto.connection_lost(OSError("reset"))
    queue = WebSocketDataQueue(FlowRecorder())
    proto.attach(WebSocketReader(queue))
    with pytest.raises(OSError, match="reset"):
        await asyncio.wait_for(queue.read(), TIMEOUT)


def test_accept_key_used_by_the_server_side() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert WebSocketSerializer(use_mask=False).text("") == b"\x81\x00"
