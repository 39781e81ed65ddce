"""``aiohttp.ws_connect(url)`` (the older documents), against a websockets server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

import aiohttp
import aiohttp_client


async def _echo(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


@pytest.fixture
async def ws_url() -> AsyncIterator[str]:
    async with serve(_echo, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/"


def _ws_connect() -> Any:
    with pytest.warns(
        DeprecationWarning, match=r"use aiohttp\.ClientSession\.ws_connect\(\)"
    ) as record:
        function = aiohttp.ws_connect
    assert "aiohttp.ws_connect is deprecated" in str(record[0].message)
    return function


async def test_awaited_form_returns_an_open_websocket(ws_url: str) -> None:
    ws = await asyncio.wait_for(_ws_connect()(ws_url), 10)
    assert isinstance(ws, aiohttp.ClientWebSocketResponse)
    await ws.send_str("hello")
    message = await asyncio.wait_for(ws.receive(), 10)
    assert message.type is aiohttp.WSMsgType.TEXT
    assert message.data == "hello"
    with pytest.warns(DeprecationWarning, match=r"WSMessage\.type"):
        assert message.tp is aiohttp.WSMsgType.text
    assert await asyncio.wait_for(ws.close(), 10)
    assert ws.closed


async def test_context_manager_form_closes_websocket_and_session(ws_url: str) -> None:
    async with _ws_connect()(ws_url, autoping=True, protocols=()) as ws:
        await ws.send_bytes(b"\x00\x01")
        message = await asyncio.wait_for(ws.receive(), 10)
        assert message.data == b"\x00\x01"
    assert ws.closed


async def test_given_connector_is_used_and_left_open(ws_url: str) -> None:
    connector = aiohttp_client.TCPConnector()
    try:
        async with _ws_connect()(ws_url, connector=connector, loop=None) as ws:
            await ws.send_str("x")
            assert (await asyncio.wait_for(ws.receive(), 10)).data == "x"
        assert not connector.closed
    finally:
        await connector.close()


async def test_custom_websocket_class_is_built(ws_url: str) -> None:
    class Custom(aiohttp.ClientWebSocketResponse):
        pass

    async with _ws_connect()(ws_url, ws_response_class=Custom) as ws:
        assert type(ws) is Custom
        await ws.send_str("custom")
        assert (await asyncio.wait_for(ws.receive(), 10)).data == "custom"
    with pytest.raises(TypeError, match="ws_response_class must be a subclass"):
        await _ws_connect()(ws_url, ws_response_class=dict)


async def test_connection_failure_is_raised_and_cleans_up() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(aiohttp.ClientConnectorError):
        await asyncio.wait_for(_ws_connect()(f"ws://127.0.0.1:{port}/"), 10)
    with pytest.raises(aiohttp.ClientConnectorError):
        async with _ws_connect()(f"ws://127.0.0.1:{port}/"):
            pass  # pragma: no cover
