"""aiohttp.test_utils: RawTestServer and TestClient against the low-level server, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import pytest

import aiohttp_client
from aiohttp.test_utils import RawTestServer, TestClient, loop_context, unused_port
from aiohttp_http import BaseRequest, Response, StreamResponse


async def echo(request: BaseRequest) -> StreamResponse:
    body = await request.read()
    headers = {"X-Method": request.method}
    if request.path == "/cookie":
        headers["Set-Cookie"] = "token=abc; Path=/"
    if request.path == "/show-cookie":
        return Response(text=request.headers.get("Cookie", ""))
    return Response(body=body or request.path.encode(), headers=headers)


async def test_raw_server_binds_a_free_port_and_builds_urls() -> None:
    server = RawTestServer(echo)
    assert not server.started
    async with server:
        assert server.started
        assert server.port > 0
        assert server.host == "127.0.0.1"
        assert server.scheme == "http"
        assert server.make_url("/a?b=1") == f"http://127.0.0.1:{server.port}/a?b=1"
        assert server.server is not None
    assert server.closed
    assert not server.started


async def test_make_url_rejects_relative_paths() -> None:
    server = RawTestServer(echo)
    with pytest.raises(ValueError, match="must start with '/'"):
        server.make_url("http://example.com/")


async def test_closed_server_cannot_restart() -> None:
    server = RawTestServer(echo)
    await server.start_server()
    await server.close()
    await server.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await server.start_server()


async def test_server_kwargs_reach_the_low_level_server() -> None:
    async with RawTestServer(echo, max_line_size=100, keepalive_timeout=3.0) as server:
        assert server.server is not None
        assert server.server.max_line_size == 100
        assert server.server.keepalive_timeout == 3.0


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
async def test_client_request_helpers(method: str) -> None:
    async with TestClient(RawTestServer(echo)) as client:
        resp = await getattr(client, method)("/path")
        assert resp.status == 200
        assert resp.headers["X-Method"] == method.upper()
        assert await resp.read() == b"/path"


async def test_client_head_and_generic_request() -> None:
    async with TestClient(RawTestServer(echo)) as client:
        resp = await client.head("/x")
        assert resp.status == 200
        assert resp.headers["X-Method"] == "HEAD"
        async with client.request("POST", "/y", data=b"payload") as resp:
            assert await resp.read() == b"payload"


async def test_client_keeps_cookies_of_the_loopback_server() -> None:
    async with TestClient(RawTestServer(echo)) as client:
        await (await client.get("/cookie")).read()
        resp = await client.get("/show-cookie")
        assert await resp.text() == "token=abc"


async def test_client_accepts_a_cookie_jar_and_session_kwargs() -> None:
    jar = aiohttp_client.DummyCookieJar()
    async with TestClient(RawTestServer(echo), cookie_jar=jar, headers={"X-Test": "1"}) as client:
        assert client.session.cookie_jar is jar
        await (await client.get("/cookie")).read()
        resp = await client.get("/show-cookie")
        assert await resp.text() == ""


async def test_client_properties_and_close_closes_server_and_session() -> None:
    server = RawTestServer(echo)
    client = TestClient(server)
    with pytest.raises(RuntimeError, match="not started"):
        _ = client.session
    await client.start_server()
    assert client.server is server
    assert client.host == "127.0.0.1"
    assert client.port == server.port
    assert client.scheme == "http"
    assert client.make_url("/z") == server.make_url("/z")
    resp = await client.get("/unread")  # left unread: released by close()
    assert resp.status == 200
    session = client.session
    await client.close()
    await client.close()
    assert client.closed
    assert session.closed
    assert server.closed
    with pytest.raises(RuntimeError, match="closed"):
        await client.start_server()


async def test_client_ws_connect() -> None:
    async def ws_handler(request: BaseRequest) -> StreamResponse:
        ws = aiohttp_client.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str("echo:" + str(msg.data))
        return ws

    async with TestClient(RawTestServer(ws_handler)) as client:
        ws = await client.ws_connect("/ws")
        await ws.send_str("hi")
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.data == "echo:hi"
        async with client.ws_connect("/ws") as ws2:
            await ws2.send_str("again")
            assert (await asyncio.wait_for(ws2.receive(), 5)).data == "echo:again"
        assert ws2.closed
    assert ws.closed  # closed by client.close()


def test_unused_port_is_bindable() -> None:
    port = unused_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_loop_context_gives_a_fresh_loop_and_closes_it() -> None:
    with loop_context() as loop:
        assert loop.run_until_complete(asyncio.sleep(0, result=5)) == 5
    assert loop.is_closed()


def test_test_classes_are_not_collected() -> None:
    assert RawTestServer.__test__ is False
    assert TestClient.__test__ is False
