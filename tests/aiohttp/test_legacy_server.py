"""aiohttp.server.ServerHttpProtocol: the older server API, served by aiohttp-http's server."""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

import aiohttp_client
import aiohttp_http


def _fresh_import(name: str) -> Any:
    """Import ``name`` anew so that its import-time warning fires again."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


with pytest.warns(
    DeprecationWarning, match=r"aiohttp\.server is deprecated; use aiohttp_http\.Server"
):
    server_module = _fresh_import("aiohttp.server")

ServerHttpProtocol = server_module.ServerHttpProtocol
Response = server_module.Response


@asynccontextmanager
async def serving(factory: Callable[[], asyncio.Protocol]) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 5)


async def raw_exchange(url: str, data: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 5)  # until the server closes
    finally:
        writer.close()
        await writer.wait_closed()


class Echo(ServerHttpProtocol):
    """Answers with the method, path and body; /stream streams, /close closes."""

    async def handle_request(
        self, message: aiohttp_http.RawRequestMessage, payload: aiohttp_http.StreamReader
    ) -> None:
        if message.path == "/404":
            await super().handle_request(message, payload)
            return
        body = await payload.read()
        resp = Response(self.writer, 200, http_version=message.version)
        resp.add_header("Content-Type", "text/plain")
        if message.path == "/close":
            self.keep_alive(False)
        if message.path == "/stream":
            resp.send_headers()
            for i in range(3):
                await resp.write(b"chunk%d;" % i)
            await resp.write_eof()
            return
        text = f"{message.method} {message.path} {body.decode()}".encode()
        resp.add_header("Content-Length", str(len(text)))
        resp.send_headers()
        resp.write(text)
        await resp.write_eof()


async def test_subclass_answers_through_the_client_session() -> None:
    async with serving(Echo) as url, aiohttp_client.ClientSession() as session:
        resp = await session.post(url + "/echo", data=b"payload")
        assert resp.status == 200
        assert await resp.text() == "POST /echo payload"
        async with session.get(url + "/stream") as resp:
            assert resp.headers["Transfer-Encoding"] == "chunked"
            assert await resp.read() == b"chunk0;chunk1;chunk2;"


async def test_default_handler_answers_404() -> None:
    async with (
        serving(ServerHttpProtocol) as url,
        aiohttp_client.ClientSession() as session,
        session.get(url + "/anything") as resp,
    ):
        assert resp.status == 404
        assert "404 Not Found" in await resp.text()


async def test_keep_alive_and_pipelining_on_one_connection() -> None:
    async with serving(Echo) as url:
        data = await raw_exchange(
            url,
            b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    assert data.count(b"HTTP/1.1 200 OK") == 3
    assert data.index(b"GET /a") < data.index(b"GET /b") < data.index(b"GET /c")


async def test_keep_alive_false_closes_the_connection() -> None:
    async with serving(Echo) as url:
        data = await raw_exchange(
            url, b"GET /close HTTP/1.1\r\nHost: x\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n"
        )
    assert data.count(b"HTTP/1.1 200") == 1
    assert b"Connection: close" in data


async def test_keep_alive_off_for_every_response() -> None:
    async with serving(lambda: Echo(keep_alive_on=False)) as url:
        data = await raw_exchange(
            url, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
        )
    assert data.count(b"HTTP/1.1 200") == 1
    assert b"Connection: close" in data


async def test_bad_request_is_answered_by_the_modern_server() -> None:
    async with serving(Echo) as url:
        data = await raw_exchange(url, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 400 ")


async def test_server_settings_are_forwarded() -> None:
    async with serving(lambda: Echo(max_line_size=64)) as url:
        data = await raw_exchange(url, b"GET /" + b"x" * 200 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 414 ")


async def test_handler_exception_is_answered_500(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(ServerHttpProtocol):
        async def handle_request(self, message: Any, payload: Any) -> None:
            raise RuntimeError("boom")

    class Silent(ServerHttpProtocol):
        async def handle_request(self, message: Any, payload: Any) -> None:
            return None

    caplog.set_level(logging.ERROR)
    for factory in (Broken, Silent):
        async with (
            serving(factory) as url,
            aiohttp_client.ClientSession() as session,
            session.get(url + "/") as resp,
        ):
            assert resp.status == 500


async def test_http_processing_error_keeps_its_status() -> None:
    class Forbidden(ServerHttpProtocol):
        async def handle_request(self, message: Any, payload: Any) -> None:
            raise aiohttp_http.HttpProcessingError(code=403, message="no")

    async with (
        serving(Forbidden) as url,
        aiohttp_client.ClientSession() as session,
        session.get(url + "/") as resp,
    ):
        assert resp.status == 403


async def test_handle_error_sends_an_html_page_and_closes() -> None:
    class Failing(ServerHttpProtocol):
        async def handle_request(self, message: Any, payload: Any) -> None:
            self.handle_error(503, message, reason="Busy", headers={"Retry-After": "1"})

    async with serving(lambda: Failing(debug=True)) as url:
        data = await raw_exchange(url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 Busy")
    assert b"Retry-After: 1" in head
    assert b"Connection: close" in head
    assert b"<h1>503 Busy</h1>" in body


async def test_log_access_hook_sees_each_request() -> None:
    seen: list[tuple[str, int, int, float]] = []

    class Logged(Echo):
        def log_access(self, message: Any, environ: Any, response: Any, time: float) -> None:
            seen.append((message.path, response.status, response.body_length, time))

    async with serving(Logged) as url, aiohttp_client.ClientSession() as session:
        for path in ("/one", "/two"):
            async with session.get(url + path) as resp:
                await resp.read()
    assert [(p, s, n) for p, s, n, _ in seen] == [("/one", 200, 9), ("/two", 200, 9)]
    assert all(t >= 0 for *_, t in seen)


async def test_default_access_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    async with (
        serving(Echo) as url,
        aiohttp_client.ClientSession() as session,
        session.get(url + "/logged") as resp,
    ):
        await resp.read()
    assert any('"GET /logged HTTP/1.1" 200' in r.getMessage() for r in caplog.records)


async def test_response_outside_a_request_is_refused() -> None:
    proto = ServerHttpProtocol()
    resp = Response(proto.writer, 200)
    with pytest.raises(RuntimeError, match="no request"):
        resp.send_headers()
    assert proto.server is None
    assert proto.request is None
