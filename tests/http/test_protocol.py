"""BaseProtocol flow control, and StreamReader flow control against a real transport."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from aiohttp_http import BaseProtocol, StreamReader

T = TypeVar("T")
TIMEOUT = 10.0


async def bounded(aw: Awaitable[T]) -> T:
    return await asyncio.wait_for(aw, TIMEOUT)


async def wait_until(predicate: Callable[[], bool]) -> None:
    """Poll *predicate* on the loop for at most ~TIMEOUT seconds."""
    for _ in range(int(TIMEOUT * 1000)):
        if predicate():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition not reached in time")


class RecordingTransport:
    def __init__(self, fail_with: type[Exception] | None = None) -> None:
        self.calls: list[str] = []
        self.fail_with = fail_with

    def pause_reading(self) -> None:
        self.calls.append("pause")
        if self.fail_with is not None:
            raise self.fail_with()

    def resume_reading(self) -> None:
        self.calls.append("resume")
        if self.fail_with is not None:
            raise self.fail_with()


async def test_pause_and_resume_reading_are_idempotent() -> None:
    protocol = BaseProtocol(asyncio.get_running_loop())
    transport = RecordingTransport()
    protocol.resume_reading()
    protocol.pause_reading()  # not connected: nothing to pause
    assert transport.calls == []
    protocol.connection_made(transport)  # type: ignore[arg-type]
    assert protocol.connected
    states = []
    protocol.pause_reading()
    protocol.pause_reading()
    states.append(protocol.reading_paused)
    protocol.resume_reading()
    protocol.resume_reading()
    states.append(protocol.reading_paused)
    assert states == [True, False]
    assert transport.calls == ["pause", "resume"]


@pytest.mark.parametrize("error", [NotImplementedError, RuntimeError, AttributeError])
async def test_transports_that_cannot_pause_are_tolerated(error: type[Exception]) -> None:
    protocol = BaseProtocol(asyncio.get_running_loop())
    protocol.connection_made(RecordingTransport(fail_with=error))  # type: ignore[arg-type]
    protocol.pause_reading()
    assert protocol.reading_paused
    protocol.resume_reading()
    assert not protocol.reading_paused


async def test_drain_helper_returns_at_once_when_not_paused() -> None:
    protocol = BaseProtocol(asyncio.get_running_loop())
    protocol.connection_made(RecordingTransport())  # type: ignore[arg-type]
    await bounded(protocol._drain_helper())


async def test_drain_helper_waits_while_writing_is_paused() -> None:
    protocol = BaseProtocol(asyncio.get_running_loop())
    protocol.connection_made(RecordingTransport())  # type: ignore[arg-type]
    protocol.pause_writing()
    assert protocol.writing_paused
    first = asyncio.ensure_future(protocol._drain_helper())
    second = asyncio.ensure_future(protocol._drain_helper())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not first.done()
    assert not second.done()
    protocol.resume_writing()
    await bounded(asyncio.gather(first, second))
    assert not protocol.writing_paused


async def test_drain_helper_raises_connection_reset_when_connection_is_lost() -> None:
    protocol = BaseProtocol(asyncio.get_running_loop())
    protocol.connection_made(RecordingTransport())  # type: ignore[arg-type]
    protocol.pause_writing()
    waiter = asyncio.ensure_future(protocol._drain_helper())
    await asyncio.sleep(0)
    cause = OSError("broken pipe")
    protocol.connection_lost(cause)
    with pytest.raises(ConnectionResetError, match="Connection lost") as info:
        await bounded(waiter)
    assert info.value.__cause__ is cause
    assert not protocol.connected
    with pytest.raises(ConnectionResetError):
        await bounded(protocol._drain_helper())


async def test_cancelled_drainer_does_not_break_others() -> None:
    protocol = BaseProtocol(asyncio.get_running_loop())
    protocol.connection_made(RecordingTransport())  # type: ignore[arg-type]
    protocol.pause_writing()
    cancelled = asyncio.ensure_future(protocol._drain_helper())
    other = asyncio.ensure_future(protocol._drain_helper())
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    protocol.resume_writing()
    await bounded(other)
    assert cancelled.cancelled()


# --- StreamReader over a real TCP connection on 127.0.0.1 ------------------------------------


class ReaderProtocol(BaseProtocol):
    """Feeds a StreamReader and records the most bytes it ever buffered."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        super().__init__(loop)
        self.reader = StreamReader(self, limit, loop=loop)
        self.max_buffered = 0
        self.largest_receive = 0

    def data_received(self, data: bytes) -> None:
        self.largest_receive = max(self.largest_receive, len(data))
        self.reader.feed_data(data)
        self.max_buffered = max(self.max_buffered, self.reader._size)

    def eof_received(self) -> bool:
        self.reader.feed_eof()
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        if exc is not None:
            self.reader.set_exception(exc)
        elif not self.reader.is_eof():
            self.reader.feed_eof()


async def test_stream_reader_pauses_a_real_transport_and_resumes_it() -> None:
    loop = asyncio.get_running_loop()
    total = 4 * 2**20
    payload = bytes(range(256)) * (total // 256)
    sent = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(payload)
        await writer.drain()
        writer.close()
        sent.set()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        limit = 4096
        transport, protocol = await bounded(
            loop.create_connection(lambda: ReaderProtocol(loop, limit), "127.0.0.1", port)
        )
        try:
            await wait_until(lambda: protocol.reading_paused)
            assert isinstance(transport, asyncio.Transport)
            assert not transport.is_reading()
            received = bytearray()
            while True:
                chunk = await bounded(protocol.reader.read(1000))
                if not chunk:
                    break
                received += chunk
            assert bytes(received) == payload
            assert not protocol.reading_paused
            # Buffering stayed bounded: high-water mark plus one socket read.
            assert protocol.max_buffered <= 2 * limit + protocol.largest_receive
            await bounded(sent.wait())
        finally:
            transport.close()
    finally:
        server.close()
        await bounded(server.wait_closed())


async def test_huge_line_from_a_real_peer_is_refused_with_bounded_buffering() -> None:
    loop = asyncio.get_running_loop()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(256):
                writer.write(b"z" * 65536)  # 16 MiB, never a newline
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        transport, protocol = await bounded(
            loop.create_connection(lambda: ReaderProtocol(loop, 8192), "127.0.0.1", port)
        )
        try:
            with pytest.raises(ValueError, match="Line is too long"):
                await bounded(protocol.reader.readline())
            assert protocol.max_buffered <= 2 * 8192 + protocol.largest_receive
            assert protocol.reader.total_bytes < 16 * 2**20
        finally:
            transport.abort()
    finally:
        server.close()
        await bounded(server.wait_closed())


async def test_connection_reset_reaches_a_waiting_reader() -> None:
    loop = asyncio.get_running_loop()
    rsock, wsock = socket.socketpair()
    try:
        transport, protocol = await loop.create_connection(
            lambda: ReaderProtocol(loop, 1024), sock=rsock
        )
        task = asyncio.ensure_future(protocol.reader.readline())
        await asyncio.sleep(0)
        protocol.connection_lost(ConnectionResetError("reset by peer"))
        with pytest.raises(ConnectionResetError, match="reset by peer"):
            await bounded(task)
        transport.close()
    finally:
        wsock.close()
