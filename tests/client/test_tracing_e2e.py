"""Tracing end to end: every signal, in order, with its parameters, in real request sequences."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from yarl import URL

import aiohttp_client as ac
from tests.client.conftest import read_request

SIGNALS = [
    "on_request_start",
    "on_request_chunk_sent",
    "on_response_chunk_received",
    "on_request_end",
    "on_request_exception",
    "on_request_redirect",
    "on_request_headers_sent",
    "on_connection_queued_start",
    "on_connection_queued_end",
    "on_connection_create_start",
    "on_connection_create_end",
    "on_connection_reuseconn",
    "on_dns_resolvehost_start",
    "on_dns_resolvehost_end",
    "on_dns_cache_hit",
    "on_dns_cache_miss",
]


class Recorder:
    """A TraceConfig whose handlers record ``(signal, params, ctx)``."""

    def __init__(self) -> None:
        self.config = ac.TraceConfig()
        self.events: list[tuple[str, Any, Any]] = []
        for name in SIGNALS:
            getattr(self.config, name).append(self._handler(name))

    def _handler(self, name: str) -> Any:
        async def handler(session: Any, ctx: SimpleNamespace, params: Any) -> None:
            self.events.append((name, params, ctx))

        return handler

    def names(self) -> list[str]:
        return [name[3:] for name, _, _ in self.events]

    def params(self, name: str) -> list[Any]:
        return [params for n, params, _ in self.events if n == f"on_{name}"]

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
def local(asgi_url: URL) -> URL:
    """The shared server under the name ``localhost`` (so that DNS signals fire)."""
    return asgi_url.with_host("localhost")


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    return Recorder()


def connector(**kwargs: Any) -> ac.TCPConnector:
    return ac.TCPConnector(family=socket.AF_INET, **kwargs)


async def test_first_request_then_reuse(local: URL, recorder: Recorder) -> None:
    async with ac.ClientSession(connector=connector(), trace_configs=[recorder.config]) as session:
        assert recorder.config.frozen
        async with session.post(local / "echo", data=b"abc", trace_request_ctx={"id": 1}) as resp:
            await resp.read()
        assert recorder.names() == [
            "request_start",
            "connection_create_start",
            "dns_cache_miss",
            "dns_resolvehost_start",
            "dns_resolvehost_end",
            "connection_create_end",
            "request_headers_sent",
            "request_chunk_sent",
            "request_end",
            "response_chunk_received",
        ]
        start = recorder.params("request_start")[0]
        assert (start.method, start.url) == ("POST", local / "echo")
        assert recorder.params("dns_cache_miss")[0].host == "localhost"
        assert recorder.params("dns_resolvehost_end")[0].host == "localhost"
        sent = recorder.params("request_headers_sent")[0]
        assert sent.headers["Content-Length"] == "3"
        assert recorder.params("request_chunk_sent")[0].chunk == b"abc"
        end = recorder.params("request_end")[0]
        assert end.response is resp and end.response.status == 200
        assert recorder.params("response_chunk_received")[0].chunk == await resp.read()
        contexts = {id(ctx) for _, _, ctx in recorder.events}
        assert len(contexts) == 1  # one context per request, shared by its handlers
        assert recorder.events[0][2].trace_request_ctx == {"id": 1}

        recorder.clear()
        async with session.get(local / "json", trace_request_ctx="second") as resp:
            await resp.read()
        assert recorder.names() == [
            "request_start",
            "connection_reuseconn",
            "request_headers_sent",
            "request_end",
            "response_chunk_received",
        ]
        assert recorder.events[0][2].trace_request_ctx == "second"


async def test_dns_cache_hit_on_a_second_connection(local: URL, recorder: Recorder) -> None:
    conn = connector(force_close=True)
    async with ac.ClientSession(connector=conn, trace_configs=[recorder.config]) as session:
        for _ in range(2):
            async with session.get(local / "json") as resp:
                await resp.read()
    assert recorder.names().count("dns_cache_miss") == 1
    assert [p.host for p in recorder.params("dns_cache_hit")] == ["localhost"]
    assert recorder.names().count("connection_create_end") == 2


async def test_redirects_are_traced(local: URL, recorder: Recorder) -> None:
    async with ac.ClientSession(connector=connector(), trace_configs=[recorder.config]) as session:
        url = local / "redirect" / "302" % {"to": "/json"}
        async with session.get(url) as resp:
            await resp.read()
    assert len(recorder.params("request_redirect")) == 1
    params = recorder.params("request_redirect")[0]
    assert params.url == url and params.response.status == 302
    assert recorder.params("request_end")[0].response.url == local / "json"
    assert recorder.names().count("request_start") == 1


async def test_waiting_for_a_pool_slot_is_traced(local: URL, recorder: Recorder) -> None:
    async with ac.ClientSession(
        connector=connector(limit=1), trace_configs=[recorder.config]
    ) as session:

        async def fetch() -> None:
            async with session.get(local / "slow" % {"delay": "0.05"}) as resp:
                await resp.read()

        await asyncio.gather(fetch(), fetch())
    names = recorder.names()
    assert names.count("connection_queued_start") == 1
    assert names.count("connection_queued_end") == 1
    assert names.index("connection_queued_start") < names.index("connection_queued_end")


async def test_failures_are_traced(recorder: Recorder) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = URL(f"http://127.0.0.1:{port}/nothing")
    async with ac.ClientSession(trace_configs=[recorder.config]) as session:
        with pytest.raises(ac.ClientConnectorError):
            await session.get(url)
    assert recorder.names() == [
        "request_start",
        "connection_create_start",
        "request_exception",
    ]
    exc = recorder.params("request_exception")[0]
    assert exc.url == url and isinstance(exc.exception, ac.ClientConnectorError)


async def test_streamed_body_chunks_are_traced(local: URL, recorder: Recorder) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"one"
        yield b"two"

    async with (
        ac.ClientSession(connector=connector(), trace_configs=[recorder.config]) as session,
        session.post(local / "echo", data=body()) as resp,
    ):
        await resp.read()
    chunks = [p.chunk for p in recorder.params("request_chunk_sent")]
    assert b"one" in b"".join(chunks) and b"two" in b"".join(chunks)


async def test_a_handler_error_fails_the_request(local: URL) -> None:
    config = ac.TraceConfig()

    async def boom(session: Any, ctx: Any, params: Any) -> None:
        raise LookupError("handler failed")

    config.on_request_start.append(boom)
    async with ac.ClientSession(trace_configs=[config]) as session:
        with pytest.raises(LookupError, match="handler failed"):
            await session.get(local / "json")
    with pytest.raises(RuntimeError):
        config.on_request_end.append(boom)  # frozen by the session


async def test_a_connection_holding_unparsed_bytes_is_not_reused(
    raw_server: Any, recorder: Recorder
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            # A complete response followed by the start of one nobody asked for.
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200")
            await writer.drain()

    url = await raw_server(handler)
    async with ac.ClientSession(trace_configs=[recorder.config]) as session:
        for _ in range(2):
            async with session.get(url) as resp:
                assert await resp.read() == b"ok"
    assert recorder.names().count("connection_create_start") == 2
    assert "connection_reuseconn" not in recorder.names()
