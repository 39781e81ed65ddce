"""DataQueue and FlowControlDataQueue: items, EOF, exceptions, iteration, flow control."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import pytest

from aiohttp_http import BaseProtocol, DataQueue, EofStream, FlowControlDataQueue

T = TypeVar("T")
TIMEOUT = 5.0


async def bounded(aw: Awaitable[T]) -> T:
    return await asyncio.wait_for(aw, TIMEOUT)


class FakeTransport:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


async def test_items_are_read_in_order_then_eof_stream() -> None:
    queue: DataQueue[str] = DataQueue(asyncio.get_running_loop())
    queue.feed_data("a")
    queue.feed_data("b")
    assert len(queue) == 2
    assert await bounded(queue.read()) == "a"
    queue.feed_eof()
    assert queue.is_eof()
    assert not queue.at_eof()
    assert await bounded(queue.read()) == "b"
    assert queue.at_eof()
    with pytest.raises(EofStream):
        await bounded(queue.read())


async def test_read_waits_for_an_item() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    asyncio.get_running_loop().call_soon(queue.feed_data, 7)
    assert await bounded(queue.read()) == 7


async def test_exception_wakes_the_reader_after_buffered_items() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.ensure_future(queue.read())
    await asyncio.sleep(0)
    queue.set_exception(ValueError("bad frame"))
    with pytest.raises(ValueError, match="bad frame"):
        await bounded(task)
    assert isinstance(queue.exception(), ValueError)

    other: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    other.feed_data(1)
    other.set_exception(ValueError("later"))
    assert await bounded(other.read()) == 1
    with pytest.raises(ValueError, match="later"):
        await bounded(other.read())


async def test_concurrent_readers_and_late_feeds_are_refused() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    first = asyncio.ensure_future(queue.read())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already waiting"):
        await bounded(queue.read())
    queue.feed_eof()
    with pytest.raises(EofStream):
        await bounded(first)
    with pytest.raises(RuntimeError, match="after feed_eof"):
        queue.feed_data(1)


async def test_async_iteration_ends_at_eof() -> None:
    queue: DataQueue[str] = DataQueue(asyncio.get_running_loop())
    for item in ("x", "y", "z"):
        queue.feed_data(item)
    queue.feed_eof()
    assert [item async for item in queue] == ["x", "y", "z"]


async def test_flow_control_queue_pauses_and_resumes_by_size() -> None:
    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    transport = FakeTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    queue: FlowControlDataQueue[bytes] = FlowControlDataQueue(protocol, 10, loop=loop)
    queue.feed_data(b"a" * 15, 15)
    assert transport.calls == []
    queue.feed_data(b"b" * 6, 6)
    assert transport.calls == ["pause"]
    assert await bounded(queue.read()) == b"a" * 15
    assert transport.calls == ["pause", "resume"]
    with pytest.raises(ValueError, match="limit"):
        FlowControlDataQueue(protocol, 0, loop=loop)


async def test_set_exception_records_the_cause() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    cause = OSError("socket closed")
    queue.set_exception(ValueError("bad"), cause)
    with pytest.raises(ValueError, match="bad") as info:
        await bounded(queue.read())
    assert info.value.__cause__ is cause
