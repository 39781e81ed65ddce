"""Every ClientTimeout field, end to end, and the exception each one raises."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
from tests.client.conftest import keepalive_handler, read_request


def trickle_handler(pause: float, parts: int = 6, head_delay: float = 0.0) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(head_delay)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % parts)
        for _ in range(parts):
            await writer.drain()
            await asyncio.sleep(pause)
            writer.write(b"x")
        await writer.drain()
        await reader.read()

    return handler


async def test_total_timeout_raises_asyncio_timeout_error(asgi_url: URL) -> None:
    timeout = ac.ClientTimeout(total=0.2)
    async with ac.ClientSession(timeout=timeout) as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.get(asgi_url / "slow", params={"delay": "3"})
        async with session.get(asgi_url / "json") as resp:
            assert resp.status == 200


async def test_total_timeout_covers_reading_the_body(raw_server: Any) -> None:
    url = await raw_server(trickle_handler(pause=0.1, parts=30))
    async with ac.ClientSession(timeout=ac.ClientTimeout(total=0.3)) as session:
        resp = await session.get(url)
        with pytest.raises(asyncio.TimeoutError):
            await resp.read()


async def test_request_timeout_overrides_the_session(asgi_url: URL) -> None:
    async with (
        ac.ClientSession(timeout=ac.ClientTimeout(total=0.1)) as session,
        session.get(
            asgi_url / "slow", params={"delay": "0.3"}, timeout=ac.ClientTimeout(total=10)
        ) as resp,
    ):
        assert await resp.read() == b"late"


async def test_sock_read_fires_on_a_silent_server(raw_server: Any) -> None:
    url = await raw_server(trickle_handler(pause=0.05, head_delay=3))
    async with ac.ClientSession(timeout=ac.ClientTimeout(sock_read=0.2)) as session:
        with pytest.raises(ac.SocketTimeoutError):
            await session.get(url)


async def test_sock_read_fires_mid_body_and_closes_the_connection(raw_server: Any) -> None:
    url = await raw_server(trickle_handler(pause=3, parts=3))
    async with ac.ClientSession(timeout=ac.ClientTimeout(sock_read=0.2)) as session:
        resp = await session.get(url)
        with pytest.raises(ac.SocketTimeoutError):
            await resp.read()
        assert not session.connector._conns  # type: ignore[union-attr]


async def test_sock_read_resets_on_every_byte(raw_server: Any) -> None:
    url = await raw_server(trickle_handler(pause=0.05, parts=10))
    async with (
        ac.ClientSession(timeout=ac.ClientTimeout(sock_read=0.5)) as session,
        session.get(url) as resp,
    ):
        assert await resp.read() == b"x" * 10


async def test_sock_connect_bounds_each_connection_attempt(
    raw_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await raw_server(keepalive_handler())
    loop = asyncio.get_running_loop()

    async def hang(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(30)

    monkeypatch.setattr(loop, "create_connection", hang)
    async with ac.ClientSession(timeout=ac.ClientTimeout(sock_connect=0.1)) as session:
        with pytest.raises(ac.ConnectionTimeoutError, match="Connection timeout"):
            await session.get(url)


async def test_connect_includes_waiting_for_the_pool(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector(limit=1)
    held = await connector.connect(ac.ClientRequest("GET", url))
    timeout = ac.ClientTimeout(connect=0.1)
    async with ac.ClientSession(connector=connector, timeout=timeout) as session:
        with pytest.raises(ac.ConnectionTimeoutError):
            await session.get(url)
        held.release()
        async with session.get(url) as resp:
            assert await resp.read() == b"ok"


async def test_pool_timeout_bounds_only_the_wait_for_a_free_connection(raw_server: Any) -> None:
    url = await raw_server(keepalive_handler())
    connector = ac.TCPConnector(limit=1)
    held = await connector.connect(ac.ClientRequest("GET", url))
    timeout = ac.ClientTimeout(pool=0.1)
    async with ac.ClientSession(connector=connector, timeout=timeout) as session:
        with pytest.raises(ac.ConnectionTimeoutError, match="Pool timeout"):
            await session.get(url)
        assert not connector._waiters
        held.release()
        async with session.get(url) as resp:
            assert await resp.read() == b"ok"


def never_reading_handler() -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # then never read again: the client's writes back up
        await asyncio.sleep(10)

    return handler


async def test_write_timeout_bounds_sending_an_in_memory_body(raw_server: Any) -> None:
    url = await raw_server(never_reading_handler())
    timeout = ac.ClientTimeout(write=0.2)
    async with ac.ClientSession(timeout=timeout) as session:
        with pytest.raises(ac.ServerTimeoutError, match="Write timeout"):
            await session.post(url, data=b"z" * (64 * 2**20))


async def test_write_timeout_bounds_sending_a_streamed_body(raw_server: Any) -> None:
    url = await raw_server(never_reading_handler())

    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"y" * 2**20

    async with ac.ClientSession(timeout=ac.ClientTimeout(write=0.2)) as session:
        with pytest.raises(ac.ServerTimeoutError, match="Write timeout"):
            await session.post(url, data=endless())


async def test_ceil_threshold_rounds_long_deadlines_up(asgi_url: URL) -> None:
    loop = asyncio.get_running_loop()
    for threshold, integral in ((5, True), (10_000, False)):
        timeout = ac.ClientTimeout(total=1000.123, ceil_threshold=threshold)
        async with ac.ClientSession(timeout=timeout) as session:
            resp = await session.get(asgi_url / "stream", params={"n": "2", "delay": "0.05"})
            release = resp._on_released
            assert release is not None
            when = release.__self__.when()  # type: ignore[attr-defined]
            assert (when == int(when)) is integral
            assert when > loop.time() + 999
            await resp.read()
