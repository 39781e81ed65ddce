"""aiohttp.parsers: the generator parser pipeline, driven with small parsers and byte splits."""

from __future__ import annotations

import asyncio
import importlib
import struct
import sys
from collections.abc import Generator
from typing import Any

import pytest

from aiohttp_http import LineTooLong


def _fresh_import(name: str) -> Any:
    """Import ``name`` anew so that its import-time warning fires again."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


with pytest.warns(DeprecationWarning, match="aiohttp.parsers is deprecated"):
    parsers = _fresh_import("aiohttp.parsers")

DataQueue = parsers.DataQueue
EofStream = parsers.EofStream
ParserBuffer = parsers.ParserBuffer
StreamParser = parsers.StreamParser
StreamProtocol = parsers.StreamProtocol

LINES = b"alpha\r\nbeta\r\n\r\ngamma\r\n"


def line_parser(out: Any, buf: Any) -> Generator[Any, bytes, None]:
    """Lines ending in CRLF, at most 16 bytes each; a clean EOF ends it."""
    try:
        while True:
            line = yield from buf.readuntil(b"\r\n", limit=16)
            out.feed_data(line[:-2], len(line))
    except EofStream:
        pass


def length_prefixed_parser(out: Any, buf: Any) -> Generator[Any, bytes, None]:
    """Records: a 2-byte big-endian length, then that many bytes; a 0 length ends it."""
    while True:
        head = yield from buf.read(2)
        (size,) = struct.unpack(">H", head)
        if size == 0:
            return
        out.feed_data((yield from buf.read(size)), size)


def _split(data: bytes, step: int) -> list[bytes]:
    return [data[i : i + step] for i in range(0, len(data), step)]


async def _drain(queue: Any) -> list[Any]:
    items = []
    while True:
        try:
            items.append(await asyncio.wait_for(queue.read(), 5))
        except EofStream:
            return items


@pytest.mark.parametrize("step", [1, 2, 3, 7, 100])
async def test_line_parser_any_split(step: int) -> None:
    stream = StreamParser()
    out = stream.set_parser(line_parser)
    for piece in _split(LINES, step):
        stream.feed_data(piece)
    stream.feed_eof()
    assert await _drain(out) == [b"alpha", b"beta", b"", b"gamma"]


@pytest.mark.parametrize("step", [1, 2, 5, 64])
async def test_length_prefixed_parser_any_split_and_leftover_stays_buffered(step: int) -> None:
    records = [b"x" * 300, b"", b"hello"]
    data = b"".join(struct.pack(">H", len(r)) + r for r in records if r) + b"\x00\x00tail"
    stream = StreamParser(limit=1024)
    out = stream.set_parser(length_prefixed_parser)
    for piece in _split(data, step):
        stream.feed_data(piece)
    assert await _drain(out) == [b"x" * 300, b"hello"]
    # The parser returned after the 0 record: the rest is kept for the next parser.
    assert bytes(stream.buffer) == b"tail"


async def test_data_fed_before_set_parser_is_parsed() -> None:
    stream = StreamParser()
    stream.feed_data(b"one\r\ntwo\r\n")
    out = stream.set_parser(line_parser)
    stream.feed_eof()
    assert await _drain(out) == [b"one", b"two"]


async def test_parsers_can_be_switched_midstream() -> None:
    stream = StreamParser()
    stream.feed_data(b"\x00\x03abc\x00\x00line\r\n")
    first = stream.set_parser(length_prefixed_parser)
    assert await _drain(first) == [b"abc"]
    second = stream.set_parser(line_parser)
    stream.feed_eof()
    assert await _drain(second) == [b"line"]


async def test_eof_in_the_middle_of_an_item_sets_eof_exc_class() -> None:
    stream = StreamParser(eof_exc_class=ConnectionResetError)
    out = stream.set_parser(length_prefixed_parser)
    stream.feed_data(b"\x00\x05ab")
    stream.feed_eof()
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(out.read(), 5)


async def test_unset_parser_ends_its_output() -> None:
    stream = StreamParser()
    out = stream.set_parser(line_parser)
    stream.feed_data(b"a\r\nb")
    stream.unset_parser()
    assert await _drain(out) == [b"a"]
    assert stream.output is None


async def test_set_parser_after_eof_finishes_at_once() -> None:
    stream = StreamParser()
    stream.feed_data(b"x\r\n")
    stream.feed_eof()
    out = stream.set_parser(line_parser)
    assert await _drain(out) == [b"x"]
    assert stream.at_eof()


async def test_line_limit_is_raised_into_the_output() -> None:
    stream = StreamParser()
    out = stream.set_parser(line_parser)
    for byte in _split(b"a" * 40, 1):
        stream.feed_data(byte)
    with pytest.raises(LineTooLong, match="limit of 16"):
        await asyncio.wait_for(out.read(), 5)


async def test_line_limit_error_is_the_legacy_name() -> None:
    import aiohttp.errors

    with pytest.warns(DeprecationWarning, match="LineLimitExceededParserError"):
        legacy = aiohttp.errors.LineLimitExceededParserError
    assert issubclass(LineTooLong, legacy)


async def test_buffer_limit_bounds_what_is_held() -> None:
    stream = StreamParser(limit=8)
    out = stream.set_parser(length_prefixed_parser)
    stream.feed_data(b"\x00\x20")  # asks for 32 bytes: more than the buffer may hold
    with pytest.raises(LineTooLong, match="parser buffer"):
        await asyncio.wait_for(out.read(), 5)


async def test_buffer_limit_without_a_parser_fails_the_stream() -> None:
    stream = StreamParser(limit=4)
    stream.feed_data(b"123456")
    assert isinstance(stream.exception(), LineTooLong)
    out = stream.set_parser(line_parser)
    with pytest.raises(LineTooLong):
        await asyncio.wait_for(out.read(), 5)


async def test_parser_errors_go_to_the_output() -> None:
    def bad(out: Any, buf: Any) -> Generator[Any, bytes, None]:
        data = yield from buf.read(1)
        raise ValueError(f"bad byte {data!r}")

    stream = StreamParser()
    out = stream.set_parser(bad)
    stream.feed_data(b"z")
    with pytest.raises(ValueError, match="bad byte b'z'"):
        await asyncio.wait_for(out.read(), 5)


async def test_set_exception_fails_current_and_later_outputs() -> None:
    stream = StreamParser()
    out = stream.set_parser(line_parser)
    stream.set_exception(OSError("gone"))
    with pytest.raises(OSError, match="gone"):
        await asyncio.wait_for(out.read(), 5)
    later = stream.set_parser(line_parser)
    with pytest.raises(OSError, match="gone"):
        await asyncio.wait_for(later.read(), 5)


def _run(gen: Generator[Any, bytes, Any], *chunks: bytes) -> Any:
    """Drive a ParserBuffer generator by hand: send chunks until it returns."""
    try:
        next(gen)
        for chunk in chunks:
            gen.send(chunk)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the generator did not finish")


def test_buffer_read_and_readsome() -> None:
    buf = ParserBuffer(b"abc")
    assert _run(buf.read(5), b"de") == b"abcde"
    buf.feed_data(b"xyz")
    assert _run(buf.readsome(2)) == b"xy"
    assert _run(buf.readsome()) == b"z"
    assert _run(buf.readsome(), b"late") == b"late"


def test_buffer_wait_and_waituntil_do_not_consume() -> None:
    buf = ParserBuffer(b"12")
    assert _run(buf.wait(3), b"3") == b"123"
    assert bytes(buf) == b"123"
    assert _run(buf.waituntil(b"\n"), b"4\n5") == b"1234\n"
    assert len(buf) == 6


def test_buffer_skip_and_skipuntil() -> None:
    buf = ParserBuffer(b"abc")
    _run(buf.skip(5), b"de")
    buf.feed_data(b"fg")
    assert bytes(buf) == b"fg"
    _run(buf.skipuntil(b"--"), b"junk-", b"-rest")
    assert bytes(buf) == b"rest"


def test_buffer_readuntil_finds_a_separator_split_across_feeds() -> None:
    buf = ParserBuffer()
    assert _run(buf.readuntil(b"\r\n"), b"ab\r", b"\ncd") == b"ab\r\n"
    assert bytes(buf) == b"cd"


def test_buffer_readuntil_limit() -> None:
    buf = ParserBuffer(b"toolongline\n")
    with pytest.raises(LineTooLong):
        _run(buf.readuntil(b"\n", limit=4))


def test_buffer_rejects_bad_arguments() -> None:
    buf = ParserBuffer()
    with pytest.raises(ValueError):
        _run(buf.read(-1))
    with pytest.raises(ValueError):
        _run(buf.readuntil(b""))
    with pytest.raises(LineTooLong):
        ParserBuffer(b"x" * 10, limit=4)
    assert "ParserBuffer" in repr(buf)


async def test_stream_protocol_over_a_real_connection() -> None:
    loop = asyncio.get_running_loop()
    results: asyncio.Future[list[bytes]] = loop.create_future()

    class LineProtocol(StreamProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            out = self.reader.set_parser(line_parser)
            task = loop.create_task(_drain(out))
            task.add_done_callback(lambda t: results.set_result(t.result()))

    server = await loop.create_server(lambda: LineProtocol(loop=loop), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for piece in _split(LINES, 3):
        writer.write(piece)
        await writer.drain()
    writer.write_eof()
    assert await asyncio.wait_for(results, 5) == [b"alpha", b"beta", b"", b"gamma"]
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


async def test_stream_protocol_writer() -> None:
    loop = asyncio.get_running_loop()
    received: asyncio.Future[bytes] = loop.create_future()

    class Echo(StreamProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            assert self.is_connected()
            assert self.writer is not None
            self.writer.write(b"hello")
            self.task = loop.create_task(self._finish())

        async def _finish(self) -> None:
            assert self.writer is not None
            await self.writer.drain()
            assert self.writer.get_extra_info("peername") is not None
            assert self.writer.can_write_eof()
            self.writer.write_eof()

    server = await loop.create_server(lambda: Echo(loop=loop), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received.set_result(await asyncio.wait_for(reader.read(), 5))
    assert await received == b"hello"
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
