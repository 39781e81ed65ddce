"""``aiohttp.get(url)`` and friends (the older documents), against a raw server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

import aiohttp
import aiohttp_client

METHODS = ["get", "options", "head", "delete", "post", "put", "patch"]


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer one request with a JSON echo of its method, target and body, then close."""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        length = int(headers.get("content-length", "0"))
        body = await asyncio.wait_for(reader.readexactly(length), 5) if length else b""
        payload = json.dumps(
            {"method": method, "target": target, "body": body.decode("latin-1")}
        ).encode()
        response = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
        )
        writer.write(response if method == "HEAD" else response + payload)
        await writer.drain()
    finally:
        writer.close()


@pytest.fixture
async def server_url() -> AsyncIterator[str]:
    server = await asyncio.start_server(_handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 5)


def _legacy(name: str) -> Any:
    with pytest.warns(DeprecationWarning, match=rf"aiohttp\.ClientSession\.{name}\(\)") as record:
        function = getattr(aiohttp, name)
    assert f"aiohttp.{name} is deprecated" in str(record[0].message)
    return function


@pytest.mark.parametrize("name", METHODS)
async def test_awaited_form_returns_a_read_response(server_url: str, name: str) -> None:
    function = _legacy(name)
    response = await asyncio.wait_for(function(f"{server_url}/path?q=1"), 10)
    assert isinstance(response, aiohttp_client.ClientResponse)
    assert response.status == 200
    assert response.method == name.upper()
    if name == "head":
        assert await response.read() == b""
        return
    echo = await response.json()  # answered from the body already read
    assert echo == {"method": name.upper(), "target": "/path?q=1", "body": ""}


@pytest.mark.parametrize("name", ["post", "put", "patch"])
async def test_context_manager_form_streams_and_sends_data(server_url: str, name: str) -> None:
    function = _legacy(name)
    async with function(server_url, data=b"payload") as response:
        assert response.status == 200
        echo = json.loads(await asyncio.wait_for(response.content.read(), 10))
    assert echo["body"] == "payload"
    assert echo["method"] == name.upper()


async def test_keyword_arguments_reach_the_request(server_url: str) -> None:
    get = _legacy("get")
    response = await asyncio.wait_for(get(server_url, params={"a": "b"}, headers={"X": "1"}), 10)
    assert (await response.json())["target"] == "/?a=b"


async def test_encoding_argument_is_ignored_with_a_warning(server_url: str) -> None:
    post = _legacy("post")
    with pytest.warns(DeprecationWarning, match=r"response\.text\(encoding=\.\.\.\)"):
        pending = post(server_url, data=b"x", encoding="utf-8")
    response = await asyncio.wait_for(pending, 10)
    assert (await response.json())["body"] == "x"


async def test_connection_failure_is_raised_and_cleans_up() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    get = _legacy("get")
    with pytest.raises(aiohttp.ClientConnectorError):
        await asyncio.wait_for(get(f"http://127.0.0.1:{port}/"), 10)
