"""StreamWriter: framing, compression, limits and back-pressure (fake and real transports)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from multidict import CIMultiDict

from aiohttp_http import (
    AbstractStreamWriter,
    BaseProtocol,
    Data,
    EndOfMessage,
    HttpRequestParser,
    InvalidOutgoingField,
    RawRequestMessage,
    StreamWriter,
)

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


class MemoryTransport:
    def __init__(self) -> None:
        self.data = bytearray()
        self.closing = False

    def write(self, data: bytes) -> None:
        self.data += data

    def is_closing(self) -> bool:
        return self.closing


def make_writer(**kwargs: Any) -> tuple[StreamWriter, MemoryTransport, BaseProtocol]:
    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    transport = MemoryTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return StreamWriter(protocol, loop, **kwargs), transport, protocol


def decode_chunked(body: bytes) -> tuple[bytes, bytes]:
    """Return (payload, trailer section) of a chunked body; strict about framing."""
    out = bytearray()
    pos = 0
    while True:
        line_end = body.index(b"\r\n", pos)
        size = int(body[pos:line_end], 16)
        pos = line_end + 2
        if size == 0:
            return bytes(out), body[pos:]
        out += body[pos : pos + size]
        assert body[pos + size : pos + size + 2] == b"\r\n"
        pos += size + 2


async def test_stream_writer_is_an_abstract_stream_writer() -> None:
    writer, _, protocol = make_writer()
    assert isinstance(writer, AbstractStreamWriter)
    assert writer.protocol is protocol
    assert writer.transport is protocol.transport
    assert writer.length is None
    assert not writer.chunked


async def test_plain_body_is_written_verbatim_and_counted() -> None:
    writer, transport, _ = make_writer()
    await bounded(writer.write_headers("POST /x HTTP/1.1", CIMultiDict({"Host": "a"})))
    head_size = len(transport.data)
    assert bytes(transport.data) == b"POST /x HTTP/1.1\r\nHost: a\r\n\r\n"
    await bounded(writer.write(b"hello "))
    await bounded(writer.write(bytearray(b"world")))
    await bounded(writer.write(memoryview(b"!")))
    await bounded(writer.write(b""))
    await bounded(writer.write_eof())
    assert bytes(transport.data[head_size:]) == b"hello world!"
    assert writer.output_size == head_size + 12


async def test_write_headers_refuses_injection() -> None:
    writer, transport, _ = make_writer()
    with pytest.raises(InvalidOutgoingField):
        await bounded(writer.write_headers("GET / HTTP/1.1", {"X-A": "v\r\nEvil: 1"}))
    with pytest.raises(InvalidOutgoingField):
        await bounded(writer.write_headers("GET / HTTP/1.1", {"Bad Name": "v"}))
    assert transport.data == b""


async def test_chunked_body_with_trailers() -> None:
    writer, transport, _ = make_writer()
    writer.enable_chunking()
    assert writer.chunked
    await bounded(writer.write(b"abc"))
    await bounded(writer.write(b""))  # must not end the body early
    await bounded(writer.write(b"0123456789abcdef"))
    await bounded(writer.write_eof(b"end", trailers={"X-Checksum": "42"}))
    assert bytes(transport.data) == (
        b"3\r\nabc\r\n10\r\n0123456789abcdef\r\n3\r\nend\r\n0\r\nX-Checksum: 42\r\n\r\n"
    )
    await bounded(writer.write_eof())  # idempotent
    assert transport.data.endswith(b"\r\n\r\n")


async def test_trailers_without_chunking_are_refused() -> None:
    writer, _, _ = make_writer()
    with pytest.raises(ValueError, match="chunked"):
        await bounded(writer.write_eof(trailers={"X": "1"}))


@pytest.mark.parametrize(
    ("encoding", "decompress"),
    [("deflate", zlib.decompress), ("gzip", gzip.decompress)],
)
async def test_compressed_body_decodes_back(
    encoding: str, decompress: Callable[[bytes], bytes]
) -> None:
    writer, transport, _ = make_writer()
    writer.enable_compression(encoding)
    body = b"compress me " * 1000
    for i in range(0, len(body), 700):
        await bounded(writer.write(body[i : i + 700]))
    await bounded(writer.write_eof(b"!"))
    assert decompress(bytes(transport.data)) == body + b"!"
    assert len(transport.data) < len(body)


async def test_unsupported_compression_settings_are_refused() -> None:
    writer, _, _ = make_writer()
    with pytest.raises(ValueError, match="br"):
        writer.enable_compression("br")
    with pytest.raises(ValueError, match="strategy"):
        writer.enable_compression("deflate", zlib.Z_FILTERED)


async def test_declared_length_refuses_longer_body() -> None:
    writer, transport, _ = make_writer()
    writer.length = 5
    await bounded(writer.write(b"abc"))
    assert writer.length == 2
    with pytest.raises(ValueError, match="exceeds the declared length"):
        await bounded(writer.write(b"def"))
    assert bytes(transport.data) == b"abc"


async def test_declared_length_refuses_shorter_body_at_eof() -> None:
    writer, _, _ = make_writer()
    writer.length = 5
    await bounded(writer.write(b"abc"))
    with pytest.raises(ValueError, match="2 bytes missing"):
        await bounded(writer.write_eof())


async def test_declared_length_exactly_met() -> None:
    writer, transport, _ = make_writer()
    writer.length = 6
    await bounded(writer.write(b"abc"))
    await bounded(writer.write_eof(b"def"))
    assert bytes(transport.data) == b"abcdef"
    assert writer.length == 0


async def test_write_after_eof_is_refused() -> None:
    writer, _, _ = make_writer()
    await bounded(writer.write_eof(b"x"))
    with pytest.raises(RuntimeError, match="after write_eof"):
        await bounded(writer.write(b"more"))
    with pytest.raises(RuntimeError, match="after write_eof"):
        await bounded(writer.write_headers("GET / HTTP/1.1", {}))
    other, transport, _ = make_writer()
    other.set_eof()
    await bounded(other.write_eof(b"ignored"))
    assert transport.data == b""


async def test_write_to_closing_or_lost_transport_is_refused() -> None:
    writer, transport, protocol = make_writer()
    transport.closing = True
    with pytest.raises(ConnectionResetError, match="closing transport"):
        await bounded(writer.write(b"x"))
    protocol.connection_lost(None)
    with pytest.raises(ConnectionResetError, match="closing transport"):
        await bounded(writer.write(b"x"))


async def test_tracing_hooks_see_chunks_and_headers() -> None:
    chunks: list[bytes] = []
    headers_seen: list[CIMultiDict[str]] = []

    async def on_chunk(chunk: bytes) -> None:
        chunks.append(chunk)

    async def on_headers(headers: Any) -> None:
        headers_seen.append(headers)

    writer, _, _ = make_writer(on_chunk_sent=on_chunk, on_headers_sent=on_headers)
    await bounded(writer.write_headers("GET / HTTP/1.1", {"A": "1"}))
    await bounded(writer.write(b"one"))
    await bounded(writer.write_eof(b"two"))
    assert chunks == [b"one", b"two"]
    assert headers_seen[0]["a"] == "1"


async def test_write_drains_only_when_buffer_limit_is_exceeded() -> None:
    writer, _, protocol = make_writer(buffer_limit=10)
    protocol.pause_writing()
    await bounded(writer.write(b"12345"))  # below the limit: no wait even though paused
    assert writer.buffer_size == 5
    task = asyncio.ensure_future(writer.write(b"678901"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not task.done()
    protocol.resume_writing()
    await bounded(task)
    assert writer.buffer_size == 0
    protocol.pause_writing()
    await bounded(writer.write(b"x" * 20, drain=False))
    with pytest.raises(ValueError, match="buffer_limit"):
        StreamWriter(protocol, asyncio.get_running_loop(), buffer_limit=0)


# --- real TCP transport on 127.0.0.1 ---------------------------------------------------------


class Server:
    """A TCP server on 127.0.0.1 that reads only when allowed to, into one buffer."""

    def __init__(self) -> None:
        self.allowed = asyncio.Event()
        self.received = bytearray()
        self.done = asyncio.Event()
        self.accepted = False
        self.server: asyncio.base_events.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted = True
        try:
            await self.allowed.wait()
            while chunk := await reader.read(65536):
                self.received += chunk
        except ConnectionError:
            pass
        finally:
            writer.close()
            self.done.set()

    async def start(self) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        listener.bind(("127.0.0.1", 0))
        self.server = await asyncio.start_server(self.handle, sock=listener)
        port: int = listener.getsockname()[1]
        return port

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        # Wait for the handler rather than Server.wait_closed(): on Python 3.12.1
        # wait_closed() can wait for a connection whose handler already closed it.
        if self.accepted:
            await bounded(self.done.wait())


async def connect(port: int) -> tuple[asyncio.Transport, BaseProtocol]:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    sock.setblocking(False)
    await bounded(loop.sock_connect(sock, ("127.0.0.1", port)))
    transport, protocol = await bounded(
        loop.create_connection(lambda: BaseProtocol(loop), sock=sock)
    )
    transport.set_write_buffer_limits(high=16384, low=4096)
    return transport, protocol


async def test_slow_reader_makes_drain_wait_over_a_real_connection() -> None:
    server = Server()
    port = await server.start()
    try:
        transport, protocol = await connect(port)
        writer = StreamWriter(protocol, asyncio.get_running_loop(), buffer_limit=4096)
        chunk = b"q" * 8192
        written = 0
        # The peer does not read yet: keep writing (each write drains) until one
        # write stays blocked in drain. The kernel may absorb a few MiB first
        # (receive-buffer autotuning), so the point where that happens varies.
        while True:
            blocked = asyncio.ensure_future(writer.write(chunk))
            written += len(chunk)
            for _ in range(20):
                await asyncio.sleep(0)
            if not blocked.done():
                break
            await blocked
            assert written < 64 * 2**20, "transport never applied back-pressure"
        assert protocol.writing_paused, "drain waits only while the transport is paused"
        server.allowed.set()
        await bounded(blocked)
        await bounded(writer.write_eof())
        transport.close()
        await bounded(server.done.wait())
        assert len(server.received) == written
        assert writer.output_size == written
    finally:
        await server.stop()


async def test_lost_connection_fails_a_waiting_drain() -> None:
    server = Server()
    port = await server.start()
    try:
        transport, protocol = await connect(port)
        writer = StreamWriter(protocol, asyncio.get_running_loop(), buffer_limit=4096)
        while not protocol.writing_paused:
            await bounded(writer.write(b"w" * 8192, drain=False))
            await asyncio.sleep(0)
        blocked = asyncio.ensure_future(writer.drain())
        await asyncio.sleep(0)
        transport.abort()
        with pytest.raises(ConnectionResetError):
            await bounded(blocked)
        with pytest.raises(ConnectionResetError):
            await bounded(writer.write(b"more"))
        server.allowed.set()
    finally:
        await server.stop()


async def test_chunked_gzip_request_round_trips_over_a_real_connection() -> None:
    server = Server()
    server.allowed.set()
    port = await server.start()
    try:
        transport, protocol = await connect(port)
        writer = StreamWriter(protocol, asyncio.get_running_loop())
        await bounded(
            writer.write_headers(
                "POST /upload HTTP/1.1",
                CIMultiDict(
                    {
                        "Host": "127.0.0.1",
                        "Transfer-Encoding": "chunked",
                        "Content-Encoding": "gzip",
                    }
                ),
            )
        )
        writer.enable_compression("gzip")
        writer.enable_chunking()
        body = b"".join(b"line %d of the body\n" % i for i in range(20000))
        for i in range(0, len(body), 5000):
            await bounded(writer.write(body[i : i + 5000]))
        await bounded(writer.write_eof(trailers={"X-Lines": "20000"}))
        transport.close()
        await bounded(server.done.wait())
        head, _, framed = bytes(server.received).partition(b"\r\n\r\n")
        assert head.startswith(b"POST /upload HTTP/1.1\r\n")
        payload, trailers = decode_chunked(framed)
        assert gzip.decompress(payload) == body
        assert trailers == b"X-Lines: 20000\r\n\r\n"
        assert writer.output_size == len(server.received)
    finally:
        await server.stop()


async def test_chunked_deflate_output_is_accepted_by_the_request_parser() -> None:
    writer, transport, _ = make_writer()
    await bounded(
        writer.write_headers(
            "PUT /data HTTP/1.1",
            {"Host": "example.com", "Transfer-Encoding": "chunked", "Content-Encoding": "deflate"},
        )
    )
    writer.enable_compression("deflate")
    writer.enable_chunking()
    body = bytes(range(256)) * 400
    for i in range(0, len(body), 3000):
        await bounded(writer.write(body[i : i + 3000]))
    await bounded(writer.write_eof(trailers={"X-Done": "yes"}))
    events = HttpRequestParser().feed_data(bytes(transport.data))
    assert isinstance(events[0], RawRequestMessage)
    assert events[0].method == "PUT"
    assert b"".join(e.data for e in events if isinstance(e, Data)) == body
    end = events[-1]
    assert isinstance(end, EndOfMessage)
    assert end.trailers["X-Done"] == "yes"
