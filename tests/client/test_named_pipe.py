"""``NamedPipeConnector``: refused off Windows; its connection path, on a stand-in proactor loop.

Windows named pipes cannot be opened here, so the tests that connect make the
running loop pass for a ``ProactorEventLoop`` and give it a
``create_pipe_connection`` that reaches a unix socket server instead. The
stand-in calls ``connection_made`` one loop iteration late, as the proactor's
pipe transport does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

import aiohttp_client as ac
from tests.client.conftest import keepalive_handler
from tests.client.test_connector import get_body

PIPE = r"\\.\pipe\aiohttp-client-test"


async def test_refused_outside_a_proactor_loop() -> None:
    with pytest.raises(RuntimeError, match="Named Pipes only available in proactor loop"):
        ac.NamedPipeConnector(PIPE)


class Forwarding(asyncio.Protocol):
    """Forwards all but ``connection_made`` to ``inner`` (the stand-in pipe calls that)."""

    def __init__(self, inner: asyncio.BaseProtocol) -> None:
        self.inner: Any = inner

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()  # type: ignore[no-any-return]

    def connection_lost(self, exc: Exception | None) -> None:
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


@pytest.fixture
async def pipe_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[str]]:
    """The running loop as a stand-in proactor whose pipe ``PIPE`` is a unix socket server."""
    loop = asyncio.get_running_loop()
    unix_path = str(tmp_path / "pipe.sock")
    inner = keepalive_handler(b"via-pipe")

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await inner(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_unix_server(handler, unix_path)
    opened: list[str] = []

    async def create_pipe_connection(
        factory: Callable[[], asyncio.BaseProtocol], address: str
    ) -> tuple[asyncio.BaseTransport, asyncio.BaseProtocol]:
        opened.append(address)
        if address == PIPE + "-slow":
            await asyncio.sleep(30)
        if address != PIPE:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        protocol = factory()
        transport, _ = await loop.create_unix_connection(lambda: Forwarding(protocol), unix_path)
        # Like the proactor's pipe transport: connection_made comes with call_soon.
        loop.call_soon(protocol.connection_made, transport)
        return transport, protocol

    monkeypatch.setattr(asyncio, "ProactorEventLoop", type(loop), raising=False)
    monkeypatch.setattr(loop, "create_pipe_connection", create_pipe_connection, raising=False)
    yield opened
    server.close()
    await asyncio.wait_for(server.wait_closed(), 5)


async def test_requests_go_through_the_pipe(pipe_loop: list[str]) -> None:
    connector = ac.NamedPipeConnector(PIPE, limit=3)
    assert connector.path == PIPE
    assert connector.limit == 3
    async with ac.ClientSession(connector=connector) as session:
        assert await get_body(session, "http://any-host/a") == b"via-pipe"
        assert await get_body(session, "http://any-host/b") == b"via-pipe"
    assert pipe_loop == [PIPE]  # one pipe, reused


async def test_missing_pipe_is_a_connector_error(pipe_loop: list[str]) -> None:
    connector = ac.NamedPipeConnector(PIPE + "-missing")
    async with ac.ClientSession(connector=connector) as session:
        with pytest.raises(ac.ClientConnectorError) as info:
            await session.get("http://any-host/")
    assert isinstance(info.value.os_error, FileNotFoundError)


async def test_slow_pipe_times_out(pipe_loop: list[str]) -> None:
    connector = ac.NamedPipeConnector(PIPE + "-slow")
    timeout = ac.ClientTimeout(sock_connect=0.05)
    async with ac.ClientSession(connector=connector, timeout=timeout) as session:
        with pytest.raises(ac.ConnectionTimeoutError, match="named pipe"):
            await session.get("http://any-host/")
