"""The client against hypercorn (an independent HTTP/1.1 server), in the test's own loop."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config
from yarl import URL

import aiohttp_client as ac
from tests.client.conftest import asgi_app

pytestmark = pytest.mark.interop

BIG = 8 * 2**20


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Adds /upload-digest and /big-chunked to the shared ASGI app of the client tests."""
    if scope["type"] == "http" and scope["path"] == "/upload-digest":
        digest = hashlib.sha256()
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            digest.update(chunk)
            size += len(chunk)
            if not message.get("more_body"):
                break
        body = f"{size}:{digest.hexdigest()}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
    elif scope["type"] == "http" and scope["path"] == "/big-chunked":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        block = b"0123456789abcdef" * 4096
        for _ in range(BIG // len(block)):
            await send({"type": "http.response.body", "body": block, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif scope["type"] == "http" and scope["path"] == "/gzip-big":
        data = gzip.compress(b"a" * BIG)
        headers = [(b"content-encoding", b"gzip"), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})
    else:
        await asgi_app(scope, receive, send)


@pytest.fixture
async def hypercorn_url() -> AsyncIterator[URL]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(100)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{sock.fileno()}"]
    config.accesslog = None
    config.errorlog = None
    config.keep_alive_timeout = 30
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
    url = URL(f"http://127.0.0.1:{port}")
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.02)
    yield url
    stop.set()
    await asyncio.wait_for(task, 10)
    sock.detach()  # hypercorn took the descriptor over and closed it


async def test_client_keepalive_get_and_json_against_hypercorn(hypercorn_url: URL) -> None:
    async with ac.ClientSession() as session:
        for _ in range(5):
            async with session.get(hypercorn_url / "json") as resp:
                assert resp.status == 200
                assert await resp.json() == {"ok": True}
        connector = session.connector
        assert connector is not None
        assert sum(len(v) for v in connector._conns.values()) == 1


async def test_client_streams_an_upload_to_hypercorn(hypercorn_url: URL) -> None:
    block = b"q" * 65536

    async def gen() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield block

    async with ac.ClientSession() as session:
        async with session.post(hypercorn_url / "upload-digest", data=gen()) as resp:
            text = await resp.text()
        expected = hashlib.sha256(block * 64).hexdigest()
        assert text == f"{len(block) * 64}:{expected}"
        async with session.post(hypercorn_url / "upload-digest", data=block * 16) as resp:
            assert (await resp.text()).startswith(f"{len(block) * 16}:")


async def test_client_downloads_a_big_chunked_body_with_flow_control(hypercorn_url: URL) -> None:
    async with ac.ClientSession(read_bufsize=2**16) as session:
        async with session.get(hypercorn_url / "big-chunked") as resp:
            total = 0
            async for chunk in resp.content.iter_any():
                total += len(chunk)
            assert total == BIG
        async with session.get(hypercorn_url / "gzip-big") as resp:
            assert len(await resp.read()) == BIG


async def test_client_redirects_and_expect100_against_hypercorn(hypercorn_url: URL) -> None:
    async with ac.ClientSession() as session:
        target = (hypercorn_url / "redirect/307").with_query(to="/upload-digest")
        async with session.post(target, data=b"abc", expect100=True) as resp:
            assert resp.history[0].status == 307
            assert (await resp.text()).startswith("3:")
        async with session.get(hypercorn_url / "chain/2") as resp:
            assert resp.status == 200 and len(resp.history) == 3
