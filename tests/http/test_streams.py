"""StreamReader: every reading method, limits, exceptions, EOF and iteration."""

from __future__ import annotations

import asyncio
import itertools
import warnings
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiohttp_http import (
    BaseProtocol,
    BaseTimerContext,
    EmptyStreamReader,
    StreamReader,
    TimerNoop,
)

T = TypeVar("T")
TIMEOUT = 5.0


class FakeTransport:
    """Records pause/resume calls like an asyncio transport."""

    def __init__(self) -> None:
        self.paused = False
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.paused = True
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.paused = False
        self.calls.append("resume")

    def is_closing(self) -> bool:
        return False


def make_stream(limit: int = 2**16, **kwargs: Any) -> tuple[StreamReader, FakeTransport]:
    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    transport = FakeTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return StreamReader(protocol, limit, loop=loop, **kwargs), transport


async def bounded(aw: Awaitable[T]) -> T:
    return await asyncio.wait_for(aw, TIMEOUT)


def feed_later(stream: StreamReader, *items: bytes | None) -> None:
    """Feed *items* (None means EOF) from later loop iterations."""
    loop = asyncio.get_running_loop()

    def step(rest: tuple[bytes | None, ...]) -> None:
        if not rest:
            return
        if rest[0] is None:
            stream.feed_eof()
        else:
            stream.feed_data(rest[0])
        loop.call_soon(step, rest[1:])

    loop.call_soon(step, items)


# --- read ------------------------------------------------------------------------------------


async def test_read_all_returns_everything_until_eof() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"hello ", b"world", None)
    assert await bounded(stream.read()) == b"hello world"
    assert stream.at_eof()
    assert await bounded(stream.read()) == b""


async def test_read_n_returns_at_most_n_bytes_without_waiting_for_more() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abc")
    assert await bounded(stream.read(10)) == b"abc"
    stream.feed_data(b"defgh")
    assert await bounded(stream.read(2)) == b"de"
    assert await bounded(stream.read(2)) == b"fg"
    assert await bounded(stream.read(0)) == b""


async def test_read_waits_for_data() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"late")
    assert await bounded(stream.read(100)) == b"late"


async def test_read_spans_chunks_and_returns_fed_object_when_whole() -> None:
    stream, _ = make_stream()
    first = b"x" * 100
    stream.feed_data(first)
    stream.feed_data(b"yz")
    assert await bounded(stream.read(100)) is first
    assert await bounded(stream.read(5)) == b"yz"


async def test_read_accepts_bytearray_and_memoryview() -> None:
    stream, _ = make_stream()
    stream.feed_data(bytearray(b"ab"))  # type: ignore[arg-type]
    stream.feed_data(memoryview(b"cd"))  # type: ignore[arg-type]
    stream.feed_eof()
    assert await bounded(stream.read()) == b"abcd"


async def test_total_bytes_counts_fed_data() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abc")
    stream.feed_data(b"")
    stream.feed_data(b"de")
    await bounded(stream.read(1))
    assert stream.total_bytes == 5


async def test_feed_data_after_eof_is_refused() -> None:
    stream, _ = make_stream()
    stream.feed_eof()
    with pytest.raises(RuntimeError, match="after feed_eof"):
        stream.feed_data(b"x")


# --- readany / read_nowait -------------------------------------------------------------------


async def test_readany_returns_one_fed_chunk_at_a_time() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"one")
    stream.feed_data(b"two")
    assert await bounded(stream.readany()) == b"one"
    assert await bounded(stream.readany()) == b"two"
    stream.feed_eof()
    assert await bounded(stream.readany()) == b""


async def test_readany_after_partial_read_returns_rest_of_chunk() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abcdef")
    assert await bounded(stream.read(2)) == b"ab"
    assert await bounded(stream.readany()) == b"cdef"


async def test_read_nowait_returns_buffer_and_refuses_while_a_reader_waits() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"ab")
    stream.feed_data(b"cd")
    assert stream.read_nowait(3) == b"abc"
    assert stream.read_nowait() == b"d"
    task = asyncio.ensure_future(stream.readany())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="waiting"):
        stream.read_nowait()
    stream.feed_data(b"x")
    assert await bounded(task) == b"x"


async def test_second_concurrent_reader_is_refused() -> None:
    stream, _ = make_stream()
    first = asyncio.ensure_future(stream.read(1))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already waiting"):
        await bounded(stream.readany())
    stream.feed_data(b"z")
    assert await bounded(first) == b"z"


# --- readexactly -----------------------------------------------------------------------------


async def test_readexactly_collects_across_chunks() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"ab", b"cde", b"f")
    assert await bounded(stream.readexactly(5)) == b"abcde"
    assert await bounded(stream.readexactly(1)) == b"f"
    assert await bounded(stream.readexactly(0)) == b""


async def test_readexactly_eof_in_the_middle_raises_incomplete_read_with_partial() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"abc", None)
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await bounded(stream.readexactly(10))
    assert info.value.partial == b"abc"
    assert info.value.expected == 10


async def test_readexactly_refuses_negative_size() -> None:
    stream, _ = make_stream()
    with pytest.raises(ValueError, match="negative"):
        await bounded(stream.readexactly(-1))


# --- readline / readuntil --------------------------------------------------------------------


async def test_readline_returns_lines_with_newline() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"line1\nline2\nrest")
    stream.feed_eof()
    assert await bounded(stream.readline()) == b"line1\n"
    assert await bounded(stream.readline()) == b"line2\n"
    assert await bounded(stream.readline()) == b"rest"
    assert await bounded(stream.readline()) == b""


async def test_readline_eof_in_the_middle_of_a_line_returns_partial_line() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"par", b"tial", None)
    assert await bounded(stream.readline()) == b"partial"
    assert stream.at_eof()


async def test_readline_waits_across_many_small_chunks() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"a", b"b", b"c", b"\nnext")
    assert await bounded(stream.readline()) == b"abc\n"
    assert await bounded(stream.read(4)) == b"next"


async def test_readuntil_multibyte_separator_spanning_chunks() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"head\r", b"\nbody", b"--b", b"o", b"undary--tail")
    assert await bounded(stream.readuntil(b"\r\n")) == b"head\r\n"
    assert await bounded(stream.readuntil(b"--boundary--")) == b"body--boundary--"
    assert await bounded(stream.read(4)) == b"tail"


async def test_readuntil_after_partial_read_uses_buffer_offset() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"xx;yy;zz")
    assert await bounded(stream.read(3)) == b"xx;"
    assert await bounded(stream.readuntil(b";")) == b"yy;"
    stream.feed_eof()
    assert await bounded(stream.readuntil(b";")) == b"zz"


async def test_readuntil_refuses_empty_separator() -> None:
    stream, _ = make_stream()
    with pytest.raises(ValueError, match="Separator"):
        await bounded(stream.readuntil(b""))


async def test_readline_too_long_in_buffer_is_refused() -> None:
    stream, _ = make_stream(limit=16)
    stream.feed_data(b"x" * 40 + b"\n")
    with pytest.raises(ValueError, match="Line is too long"):
        await bounded(stream.readline())


async def test_readline_exactly_max_line_size_is_accepted() -> None:
    stream, _ = make_stream(limit=16, max_line_size=10)
    stream.feed_data(b"123456789\n0123456789\n")
    assert await bounded(stream.readline()) == b"123456789\n"
    with pytest.raises(ValueError, match="Line is too long"):
        await bounded(stream.readline())


async def test_huge_line_is_refused_once_limit_is_reached_without_waiting_for_more() -> None:
    stream, transport = make_stream(limit=8, max_line_size=64)
    task = asyncio.ensure_future(stream.readline())
    for _ in range(7):
        stream.feed_data(b"y" * 8)
        await asyncio.sleep(0)
        assert not task.done()
    # The reader must not keep the transport paused while it needs more line data.
    assert not transport.paused
    stream.feed_data(b"y" * 8)  # 64 bytes without a newline: refused now, no more waiting
    with pytest.raises(ValueError, match="Line is too long"):
        await bounded(task)
    assert stream.total_bytes == 64


async def test_readline_max_line_size_defaults_to_high_water_mark() -> None:
    stream, _ = make_stream(limit=4)
    stream.feed_data(b"1234567\n")
    assert await bounded(stream.readline()) == b"1234567\n"
    stream.feed_data(b"12345678\n")
    with pytest.raises(ValueError, match="max_line_size=8"):
        await bounded(stream.readline())


async def test_async_iteration_yields_lines() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"a\nb", b"\nc", None)
    lines = [line async for line in stream]
    assert lines == [b"a\n", b"b\n", b"c"]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"")), max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=10),
    separator=st.sampled_from([b"\n", b"\r\n", b"--sep--"]),
)
def test_readuntil_finds_every_separator_whatever_the_chunking(
    lines: list[bytes], cuts: list[int], separator: bytes
) -> None:
    lines = [line.replace(separator[:1], b"") for line in lines]
    data = b"".join(line + separator for line in lines)
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    pieces = [data[a:b] for a, b in itertools.pairwise(points)]

    async def scenario() -> list[bytes]:
        stream, _ = make_stream(limit=1024)
        feed_later(stream, *pieces, None)
        out: list[bytes] = []
        while True:
            line = await bounded(stream.readuntil(separator))
            if not line:
                return out
            out.append(line)

    assert asyncio.run(scenario()) == [line + separator for line in lines]


# --- readchunk / iterators -------------------------------------------------------------------


async def test_readchunk_without_http_chunks_returns_data_then_eof_marker() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abc")
    stream.feed_eof()
    assert await bounded(stream.readchunk()) == (b"abc", False)
    assert await bounded(stream.readchunk()) == (b"", False)


async def test_readchunk_reports_http_chunk_boundaries() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"part1")
    stream.end_http_chunk_receiving()
    stream.feed_data(b"part2a")
    stream.feed_data(b"part2b")
    stream.end_http_chunk_receiving()
    stream.end_http_chunk_receiving()  # empty chunk: no new boundary
    stream.feed_eof()
    assert await bounded(stream.readchunk()) == (b"part1", True)
    assert await bounded(stream.readchunk()) == (b"part2apart2b", True)
    assert await bounded(stream.readchunk()) == (b"", False)


async def test_readchunk_after_reading_exactly_to_a_boundary_reports_empty_end() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"abcd")
    stream.end_http_chunk_receiving()
    assert await bounded(stream.read(4)) == b"abcd"
    assert await bounded(stream.readchunk()) == (b"", True)


async def test_readchunk_skips_boundaries_consumed_by_other_reads() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"ab")
    stream.end_http_chunk_receiving()
    stream.feed_data(b"cd")
    stream.end_http_chunk_receiving()
    assert await bounded(stream.read(3)) == b"abc"
    assert await bounded(stream.readchunk()) == (b"d", True)


async def test_http_chunk_tracking_misuse_is_refused() -> None:
    stream, _ = make_stream()
    with pytest.raises(RuntimeError, match="without begin"):
        stream.end_http_chunk_receiving()
    stream.feed_data(b"x")
    with pytest.raises(RuntimeError, match="already fed"):
        stream.begin_http_chunk_receiving()


async def test_iter_chunks_yields_pairs_and_ends_at_eof() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"one")
    stream.end_http_chunk_receiving()
    stream.feed_data(b"two")
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    assert [pair async for pair in stream.iter_chunks()] == [(b"one", True), (b"two", True)]


async def test_iter_chunked_yields_fixed_size_pieces() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"abcde", b"fgh", None)
    pieces = [piece async for piece in stream.iter_chunked(3)]
    assert b"".join(pieces) == b"abcdefgh"
    assert all(len(piece) <= 3 for piece in pieces)
    with pytest.raises(ValueError, match="positive"):
        stream.iter_chunked(0)


async def test_iter_any_ends_at_eof() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"x", b"y", None)
    assert [piece async for piece in stream.iter_any()] == [b"x", b"y"]


# --- exceptions and EOF ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "method",
    ["read", "readany", "readline", "readchunk", "readexactly", "readuntil"],
)
async def test_exception_set_mid_read_wakes_the_reader(method: str) -> None:
    stream, _ = make_stream()
    stream.feed_data(b"no newline yet")
    if method in ("read", "readany", "readchunk", "readexactly"):
        stream.read_nowait()
    call = getattr(stream, method)
    task = asyncio.ensure_future(call(5) if method == "readexactly" else call())
    await asyncio.sleep(0)
    assert not task.done()
    error = ConnectionResetError("peer went away")
    stream.set_exception(error)
    with pytest.raises(ConnectionResetError, match="peer went away"):
        await bounded(task)
    assert stream.exception() is error
    with pytest.raises(ConnectionResetError):
        await bounded(call(1) if method == "readexactly" else call())


async def test_exception_is_raised_even_with_buffered_data() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"data")
    stream.set_exception(ValueError("broken"))
    with pytest.raises(ValueError, match="broken"):
        await bounded(stream.read())
    with pytest.raises(ValueError, match="broken"):
        stream.read_nowait()


async def test_eof_callbacks_run_once_and_late_ones_run_at_once() -> None:
    stream, _ = make_stream()
    calls: list[str] = []
    stream.on_eof(lambda: calls.append("early"))

    def failing() -> None:
        raise RuntimeError("callback bug")

    stream.on_eof(failing)
    assert not stream.is_eof()
    stream.feed_eof()
    assert stream.is_eof()
    stream.on_eof(lambda: calls.append("late"))
    assert calls == ["early", "late"]


async def test_set_exception_drops_eof_callbacks() -> None:
    stream, _ = make_stream()
    calls: list[str] = []
    stream.on_eof(lambda: calls.append("x"))
    stream.set_exception(RuntimeError("boom"))
    stream.feed_eof()
    assert calls == []


async def test_is_eof_and_at_eof_differ_while_data_is_buffered() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"left")
    stream.feed_eof()
    assert stream.is_eof()
    assert not stream.at_eof()
    await bounded(stream.read())
    assert stream.at_eof()


async def test_wait_eof_waits_for_feed_eof_and_raises_exception() -> None:
    stream, _ = make_stream()
    feed_later(stream, b"x", None)
    await bounded(stream.wait_eof())
    assert stream.is_eof()
    await bounded(stream.wait_eof())

    other, _ = make_stream()
    task = asyncio.ensure_future(other.wait_eof())
    await asyncio.sleep(0)
    other.set_exception(OSError("gone"))
    with pytest.raises(OSError, match="gone"):
        await bounded(task)


async def test_unread_data_is_deprecated_and_puts_data_back() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abcdef")
    assert await bounded(stream.read(2)) == b"ab"
    with pytest.warns(DeprecationWarning, match="unread_data"):
        stream.unread_data(b"ab")
    assert await bounded(stream.read(6)) == b"abcdef"


async def test_constructor_refuses_bad_limits() -> None:
    loop = asyncio.get_running_loop()
    with pytest.raises(ValueError, match="limit"):
        StreamReader(BaseProtocol(loop), 0, loop=loop)
    with pytest.raises(ValueError, match="max_line_size"):
        StreamReader(BaseProtocol(loop), 10, loop=loop, max_line_size=0)


async def test_repr_mentions_size_eof_and_exception() -> None:
    stream, _ = make_stream(limit=10)
    stream.feed_data(b"abc")
    stream.feed_eof()
    stream.set_exception(ValueError("x"))
    text = repr(stream)
    assert "3 bytes" in text
    assert "eof" in text
    assert "low=10 high=20" in text
    assert "ValueError" in text


# --- timer hook ------------------------------------------------------------------------------


class RecordingTimer(BaseTimerContext):
    def __init__(self) -> None:
        self.entered = 0

    def __enter__(self) -> BaseTimerContext:
        self.entered += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


async def test_timer_is_entered_around_each_wait() -> None:
    timer = RecordingTimer()
    stream, _ = make_stream(timer=timer)
    feed_later(stream, b"a", b"b\n")
    assert await bounded(stream.readline()) == b"ab\n"
    assert timer.entered >= 1


def test_timer_noop_passes_exceptions_through() -> None:
    timer = TimerNoop()
    timer.assert_timeout()
    with pytest.raises(KeyError), timer:
        raise KeyError("k")


# --- flow control ----------------------------------------------------------------------------


async def test_flow_control_pauses_above_high_water_and_resumes_below_low_water() -> None:
    stream, transport = make_stream(limit=10)
    assert stream.get_read_buffer_limits() == (10, 20)
    stream.feed_data(b"x" * 20)
    assert transport.calls == []
    stream.feed_data(b"x")
    assert transport.calls == ["pause"]
    stream.feed_data(b"x" * 5)  # already paused: no second pause
    assert transport.calls == ["pause"]
    await bounded(stream.read(16))  # 10 left: not below the low-water mark yet
    assert transport.calls == ["pause"]
    await bounded(stream.read(1))
    assert transport.calls == ["pause", "resume"]
    await bounded(stream.read(9))
    assert transport.calls == ["pause", "resume"]


async def test_flow_control_with_readline_consumption() -> None:
    stream, transport = make_stream(limit=4)
    stream.feed_data(b"1\n" * 6)
    assert transport.paused
    for _ in range(5):
        await bounded(stream.readline())
    assert not transport.paused


# --- EmptyStreamReader -----------------------------------------------------------------------


async def test_empty_stream_reader_is_always_at_eof() -> None:
    empty = EmptyStreamReader()
    assert empty.at_eof()
    assert empty.is_eof()
    assert empty.exception() is None
    assert empty.total_bytes == 0
    assert empty.get_read_buffer_limits() == (0, 0)
    assert await bounded(empty.read()) == b""
    assert await bounded(empty.readany()) == b""
    assert await bounded(empty.readline()) == b""
    assert await bounded(empty.readuntil(b"x")) == b""
    assert await bounded(empty.readexactly(0)) == b""
    assert empty.read_nowait() == b""
    with pytest.raises(asyncio.IncompleteReadError):
        await bounded(empty.readexactly(3))
    await bounded(empty.wait_eof())
    assert [x async for x in empty] == []
    assert [x async for x in empty.iter_any()] == []
    assert [x async for x in empty.iter_chunks()] == []
    assert await bounded(empty.readchunk()) == (b"", True)
    calls: list[int] = []
    empty.on_eof(lambda: calls.append(1))
    assert calls == [1]
    empty.set_exception(ValueError())
    empty.feed_eof()
    empty.begin_http_chunk_receiving()
    empty.end_http_chunk_receiving()
    assert empty.exception() is None
    assert repr(empty) == "<EmptyStreamReader>"


async def test_empty_stream_reader_refuses_data() -> None:
    with pytest.raises(RuntimeError, match="must be empty"):
        EmptyStreamReader().feed_data(b"x")


def test_no_warnings_at_import() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import aiohttp_http  # noqa: F401


async def test_set_exception_records_the_cause() -> None:
    stream, _ = make_stream()
    cause = OSError("socket closed")
    stream.set_exception(ConnectionResetError("payload incomplete"), cause)
    with pytest.raises(ConnectionResetError) as info:
        await bounded(stream.read())
    assert info.value.__cause__ is cause
