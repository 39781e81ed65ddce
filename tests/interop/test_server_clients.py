"""Our low-level server driven by independent clients: httpx, and h11 as a client state machine."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator

import h11
import httpx
import pytest
import trustme

from aiohttp_http import BaseRequest, Response, StreamResponse, serve

pytestmark = pytest.mark.interop

WAIT = 5.0


async def app(request: BaseRequest) -> StreamResponse:
    """A small application exercising every kind of response."""
    if request.path == "/echo":
        body = await request.read()
        return Response(
            body=body,
            headers={
                "X-Method": request.method,
                "X-Query": json.dumps(list(request.query.items())),
            },
        )
    if request.path == "/json":
        data = await request.json()
        return Response(text=json.dumps({"got": data}), content_type="application/json")
    if request.path == "/stream":
        resp = StreamResponse(headers={"Content-Type": "text/plain"})
        await resp.prepare(request)
        for i in range(5):
            await resp.write(f"line {i}\n".encode())
        await resp.write_eof()
        return resp
    if request.path == "/iter":

        async def gen() -> AsyncIterator[bytes]:
            for i in range(3):
                yield b"%d" % i

        return Response(body=gen())
    if request.path == "/url":
        return Response(text=request.url)
    if request.path == "/peer":
        return Response(text=f"{request.remote} {request.keep_alive}")
    return Response(status=404, text="not found")


async def test_httpx_get_with_query_and_headers() -> None:
    async with serve(app) as server, httpx.AsyncClient(timeout=WAIT) as client:
        resp = await client.get(f"{server.url}/echo", params={"a": "1", "b": "x y"})
    assert resp.status_code == 200
    assert resp.headers["x-method"] == "GET"
    assert json.loads(resp.headers["x-query"]) == [["a", "1"], ["b", "x y"]]


async def test_httpx_post_json_and_bytes() -> None:
    async with serve(app) as server, httpx.AsyncClient(timeout=WAIT) as client:
        resp = await client.post(f"{server.url}/json", json={"n": [1, 2]})
        echo = await client.post(f"{server.url}/echo", content=b"\x00\xffbinary")
    assert resp.json() == {"got": {"n": [1, 2]}}
    assert resp.headers["content-type"] == "application/json; charset=utf-8"
    assert echo.content == b"\x00\xffbinary"


async def test_httpx_chunked_upload_from_an_async_generator() -> None:
    async def upload() -> AsyncIterator[bytes]:
        for i in range(100):
            yield b"%04d" % i

    async with serve(app) as server, httpx.AsyncClient(timeout=WAIT) as client:
        resp = await client.post(f"{server.url}/echo", content=upload())
    assert resp.content == b"".join(b"%04d" % i for i in range(100))


async def test_httpx_reads_streaming_responses() -> None:
    async with serve(app) as server, httpx.AsyncClient(timeout=WAIT) as client:
        async with client.stream("GET", f"{server.url}/stream") as resp:
            lines = [line async for line in resp.aiter_lines()]
        iterated = await client.get(f"{server.url}/iter")
    assert lines == [f"line {i}" for i in range(5)]
    assert iterated.content == b"012"


async def test_httpx_reuses_one_keep_alive_connection() -> None:
    async with serve(app) as server, httpx.AsyncClient(timeout=WAIT) as client:
        for _ in range(20):
            resp = await client.get(f"{server.url}/peer")
            assert resp.text == "127.0.0.1 True"
        assert len(server.connections) == 1
        assert server.requests_count == 20


async def test_httpx_concurrent_requests() -> None:
    async with serve(app) as server, httpx.AsyncClient(timeout=WAIT) as client:
        responses = await asyncio.gather(
            *(client.post(f"{server.url}/echo", content=b"%d" % i) for i in range(30))
        )
    assert [r.content for r in responses] == [b"%d" % i for i in range(30)]


async def test_httpx_over_tls_sees_https_url() -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    async with (
        serve(app, ssl=server_ctx) as server,
        httpx.AsyncClient(verify=client_ctx, timeout=WAIT) as client,
    ):
        resp = await client.get(f"https://127.0.0.1:{server.port}/url?q=1")
    assert resp.text == f"https://127.0.0.1:{server.port}/url?q=1"


async def test_httpx_gets_404_from_the_application() -> None:
    async with serve(app) as server, httpx.AsyncClient(timeout=WAIT) as client:
        resp = await client.get(f"{server.url}/missing")
    assert (resp.status_code, resp.text) == (404, "not found")


# -- h11 as the client state machine ------------------------------------------------------------


async def h11_exchange(
    conn: h11.Connection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    events: list[h11.Event],
) -> tuple[h11.Response, bytes]:
    for event in events:
        data = conn.send(event)
        if data:
            writer.write(data)
    response: h11.Response | None = None
    body = b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await asyncio.wait_for(reader.read(65536), WAIT))
            continue
        if isinstance(event, h11.Response):
            response = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            assert response is not None
            return response, body
        elif isinstance(event, h11.ConnectionClosed):
            raise AssertionError("server closed the connection early")


async def test_h11_client_keep_alive_cycles_and_chunked_upload() -> None:
    async with serve(app) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        conn = h11.Connection(h11.CLIENT)
        try:
            for i in range(3):
                resp, body = await h11_exchange(
                    conn,
                    reader,
                    writer,
                    [
                        h11.Request(method="GET", target=f"/echo?i={i}", headers=[("Host", "h")]),
                        h11.EndOfMessage(),
                    ],
                )
                assert resp.status_code == 200
                assert conn.our_state is h11.DONE and conn.their_state is h11.DONE
                conn.start_next_cycle()
            resp, body = await h11_exchange(
                conn,
                reader,
                writer,
                [
                    h11.Request(
                        method="POST",
                        target="/echo",
                        headers=[("Host", "h"), ("Transfer-Encoding", "chunked")],
                    ),
                    h11.Data(data=b"hello "),
                    h11.Data(data=b"h11"),
                    h11.EndOfMessage(),
                ],
            )
            assert body == b"hello h11"
            conn.start_next_cycle()
            resp, body = await h11_exchange(
                conn,
                reader,
                writer,
                [
                    h11.Request(method="GET", target="/stream", headers=[("Host", "h")]),
                    h11.EndOfMessage(),
                ],
            )
            assert (dict(resp.headers)[b"transfer-encoding"], body.count(b"\n")) == (b"chunked", 5)
        finally:
            writer.close()


async def test_h11_client_sees_connection_close_then_eof() -> None:
    async with serve(app) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        conn = h11.Connection(h11.CLIENT)
        try:
            resp, _ = await h11_exchange(
                conn,
                reader,
                writer,
                [
                    h11.Request(
                        method="GET",
                        target="/peer",
                        headers=[("Host", "h"), ("Connection", "close")],
                    ),
                    h11.EndOfMessage(),
                ],
            )
            assert (b"connection", b"close") in list(resp.headers)
            assert await asyncio.wait_for(reader.read(), WAIT) == b""
            conn.receive_data(b"")
            assert isinstance(conn.next_event(), h11.ConnectionClosed)
        finally:
            writer.close()


async def test_h11_client_head_request_has_no_body() -> None:
    async with serve(app) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        conn = h11.Connection(h11.CLIENT)
        try:
            resp, body = await h11_exchange(
                conn,
                reader,
                writer,
                [
                    h11.Request(method="HEAD", target="/url", headers=[("Host", "h")]),
                    h11.EndOfMessage(),
                ],
            )
            assert resp.status_code == 200
            assert body == b""
            assert dict(resp.headers)[b"content-length"] == b"%d" % len("http://h/url")
            conn.start_next_cycle()
            resp, body = await h11_exchange(
                conn,
                reader,
                writer,
                [
                    h11.Request(method="GET", target="/url", headers=[("Host", "h")]),
                    h11.EndOfMessage(),
                ],
            )
            assert body == b"http://h/url"
        finally:
            writer.close()
