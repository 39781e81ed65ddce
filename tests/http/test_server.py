"""The low-level server driven by raw sockets; responses read with httptools (independent parser)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httptools
import pytest

from aiohttp_http import BaseRequest, JsonPayload, Response, StreamResponse, serve

WAIT = 5.0  # upper bound of every wait in these tests


class Parsed:
    """One response as httptools sees it."""

    def __init__(self) -> None:
        self.status = 0
        self.version = ""
        self.headers: dict[str, str] = {}
        self.body = b""
        self.complete = False


def parse_responses(data: bytes, head_only: bool = False) -> list[Parsed]:
    """Split ``data`` into responses with httptools (llhttp)."""
    out: list[Parsed] = []

    class Callbacks:
        def on_message_begin(self) -> None:
            out.append(Parsed())

        def on_header(self, name: bytes, value: bytes) -> None:
            out[-1].headers[name.decode().lower()] = value.decode()

        def on_headers_complete(self) -> None:
            out[-1].status = parser.get_status_code()
            out[-1].version = parser.get_http_version()

        def on_body(self, body: bytes) -> None:
            out[-1].body += body

        def on_message_complete(self) -> None:
            out[-1].complete = True

    parser = httptools.HttpResponseParser(Callbacks())
    try:
        parser.feed_data(data)
    except httptools.HttpParserUpgrade:
        pass
    return out


async def exchange(port: int, data: bytes) -> bytes:
    """Send ``data``, read until the server closes (bounded), return everything read."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        return await asyncio.wait_for(reader.read(), WAIT)
    finally:
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> bytes:
    """Read one Content-Length or chunked response off a kept-alive connection."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    lower = head.lower()
    if b"content-length:" in lower:
        length = int(lower.split(b"content-length:")[1].split(b"\r\n")[0])
        return head + await asyncio.wait_for(reader.readexactly(length), WAIT)
    if b"transfer-encoding: chunked" in lower:
        body = b""
        while True:
            line = await asyncio.wait_for(reader.readuntil(b"\r\n"), WAIT)
            body += line
            size = int(line.split(b";")[0], 16)
            body += await asyncio.wait_for(reader.readexactly(size + 2), WAIT)
            if size == 0:
                return head + body
    return head


async def echo(request: BaseRequest) -> Response:
    body = await request.read()
    return Response(body=body, headers={"X-Path": request.raw_path})


async def hello(request: BaseRequest) -> Response:
    return Response(text=f"hello {request.method} {request.path}")


# -- basics ------------------------------------------------------------------------------


async def test_get_answers_with_content_length_and_date() -> None:
    async with serve(hello) as server:
        raw = await exchange(
            server.port, b"GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        )
    (resp,) = parse_responses(raw)
    assert resp.status == 200
    assert resp.body == b"hello GET /a b"
    assert resp.headers["content-length"] == str(len(resp.body))
    assert resp.headers["connection"] == "close"
    assert "date" in resp.headers


async def test_request_attributes_are_parsed() -> None:
    seen: dict[str, Any] = {}

    async def handler(request: BaseRequest) -> Response:
        seen.update(
            method=request.method,
            path=request.path,
            raw_path=request.raw_path,
            query=list(request.query.items()),
            query_string=request.query_string,
            version=tuple(request.version),
            header=request.headers["X-Thing"],
            raw=request.raw_headers,
            url=request.url,
            remote=request.remote,
            keep_alive=request.keep_alive,
            secure=request.secure,
            has_transport=request.transport is not None,
        )
        return Response()

    async with serve(handler) as server:
        await exchange(
            server.port,
            b"GET /p%41th?a=1&b=&a=2 HTTP/1.1\r\nHost: example.com:8080\r\nX-Thing: yes\r\n"
            b"Connection: close\r\n\r\n",
        )
    assert seen["method"] == "GET"
    assert seen["path"] == "/pAth"
    assert seen["raw_path"] == "/p%41th?a=1&b=&a=2"
    assert seen["query"] == [("a", "1"), ("b", ""), ("a", "2")]
    assert seen["query_string"] == "a=1&b=&a=2"
    assert seen["version"] == (1, 1)
    assert seen["header"] == "yes"
    assert (b"X-Thing", b"yes") in seen["raw"]
    assert seen["url"] == "http://example.com:8080/p%41th?a=1&b=&a=2"
    assert seen["remote"] == "127.0.0.1"
    assert seen["keep_alive"] is False
    assert seen["secure"] is False
    assert seen["has_transport"] is True


async def test_text_and_json_helpers_decode_the_body() -> None:
    async def handler(request: BaseRequest) -> Response:
        data = await request.json()
        text = await request.text()
        return Response(text=f"{data['n'] + 1} {len(text)} {request.content_type}")

    async with serve(handler) as server:
        raw = await exchange(
            server.port,
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/json; charset=utf-8\r\n"
            b'Content-Length: 8\r\nConnection: close\r\n\r\n{"n": 1}',
        )
    assert parse_responses(raw)[0].body == b"2 8 application/json"


async def test_head_request_gets_headers_without_body() -> None:
    async with serve(hello) as server:
        raw = await exchange(
            server.port, b"HEAD /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        )
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert raw.endswith(b"\r\n\r\n")
    assert b"Content-Length: 13\r\n" in raw  # "hello HEAD /x"


async def test_no_content_response_has_no_framing_headers() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response(status=204)

    async with serve(handler) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert b"content-length" not in raw.lower()
    assert b"transfer-encoding" not in raw.lower()


# -- keep-alive, pipelining ----------------------------------------------------------------


async def test_keep_alive_serves_several_requests_on_one_connection() -> None:
    async with serve(hello) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            for i in range(3):
                writer.write(f"GET /{i} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
                (resp,) = parse_responses(await read_response(reader))
                assert resp.body == f"hello GET /{i}".encode()
                assert "connection" not in resp.headers
        finally:
            writer.close()


async def test_idle_keep_alive_connection_is_closed_after_the_timeout() -> None:
    async with serve(hello, keepalive_timeout=0.1) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            await read_response(reader)
            assert await asyncio.wait_for(reader.read(), WAIT) == b""
        finally:
            writer.close()


async def test_pipelined_requests_are_answered_in_order() -> None:
    async def handler(request: BaseRequest) -> Response:
        # The first request is the slowest: answers must still come in order.
        await asyncio.sleep(0.05 if request.path == "/0" else 0)
        body = await request.read()
        return Response(body=request.path.encode() + b":" + body)

    requests = b"".join(
        f"POST /{i} HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\n{i}".encode() for i in range(10)
    )
    async with serve(handler, max_pipelined_requests=2) as server:
        raw = await exchange(
            server.port, requests + b"GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        )
    bodies = [r.body for r in parse_responses(raw)]
    assert bodies == [f"/{i}:{i}".encode() for i in range(10)] + [b"/last:"]


async def test_many_pipelined_requests_in_one_write_are_all_answered() -> None:
    requests = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n" * 200
    async with serve(hello, max_pipelined_requests=4) as server:
        raw = await exchange(
            server.port, requests + b"GET /end HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        )
    responses = parse_responses(raw)
    assert len(responses) == 201
    assert responses[-1].body == b"hello GET /end"


# -- HTTP/1.0 --------------------------------------------------------------------------------


async def test_http10_request_is_answered_and_closed() -> None:
    async with serve(hello) as server:
        raw = await exchange(server.port, b"GET /old HTTP/1.0\r\n\r\n")
    (resp,) = parse_responses(raw)
    assert resp.version == "1.0"
    assert resp.body == b"hello GET /old"
    assert "connection" not in resp.headers


async def test_http10_keep_alive_is_honoured() -> None:
    async with serve(hello) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            for _ in range(2):
                writer.write(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                raw = await read_response(reader)
                assert raw.startswith(b"HTTP/1.0 200 OK\r\n")
                assert b"Connection: keep-alive\r\n" in raw
        finally:
            writer.close()


async def test_http10_stream_response_is_delimited_by_close() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        await resp.write(b"one ")
        await resp.write(b"two")
        return resp

    async with serve(handler) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower()
    assert b"keep-alive" not in head.lower()
    assert body == b"one two"


# -- bodies ----------------------------------------------------------------------------------


async def test_chunked_request_body_with_trailers_is_read() -> None:
    async with serve(echo) as server:
        raw = await exchange(
            server.port,
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Sum: 1\r\n\r\n",
        )
    assert parse_responses(raw)[0].body == b"hello world"


async def test_stream_response_is_sent_chunked() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse(headers={"Content-Type": "text/plain"})
        await resp.prepare(request)
        for part in (b"a", b"bb", b"ccc"):
            await resp.write(part)
        await resp.write_eof()
        return resp

    async with serve(handler) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    (resp,) = parse_responses(raw)
    assert resp.headers["transfer-encoding"] == "chunked"
    assert resp.body == b"abbccc"
    assert resp.complete


async def test_async_iterator_body_is_streamed() -> None:
    async def parts() -> AsyncIterator[bytes]:
        for i in range(3):
            yield f"part{i};".encode()

    async def handler(request: BaseRequest) -> Response:
        return Response(body=parts(), content_type="text/plain")

    async with serve(handler) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    (resp,) = parse_responses(raw)
    assert resp.body == b"part0;part1;part2;"
    assert resp.complete


async def test_stream_response_with_content_length_is_not_chunked() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        resp.content_length = 6
        await resp.prepare(request)
        await resp.write(b"abc")
        await resp.write_eof(b"def")
        return resp

    async with serve(handler) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    (resp,) = parse_responses(raw)
    assert "transfer-encoding" not in resp.headers
    assert resp.body == b"abcdef"


async def test_unread_small_body_is_drained_and_connection_kept() -> None:
    async with serve(hello) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789")
            writer.write(b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
            first = parse_responses(await read_response(reader))[0]
            second = parse_responses(await read_response(reader))[0]
            assert (first.body, second.body) == (b"hello POST /a", b"hello GET /b")
        finally:
            writer.close()


async def test_unread_large_body_closes_the_connection() -> None:
    async with serve(hello, max_discard_size=1000) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 50000\r\n\r\n")
            writer.write(b"x" * 50000)
            raw = await asyncio.wait_for(reader.read(), WAIT)
        finally:
            writer.close()
    assert parse_responses(raw)[0].body == b"hello POST /"


# -- 100-continue -------------------------------------------------------------------------------


async def test_expect_continue_is_answered_when_the_handler_reads() -> None:
    async with serve(echo) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(
                b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
            )
            interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
            assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
            writer.write(b"body")
            (resp,) = parse_responses(await read_response(reader))
            assert (resp.status, resp.body) == (200, b"body")
        finally:
            writer.close()


async def test_expect_continue_is_not_sent_when_the_handler_answers_without_reading() -> None:
    async def refuse(request: BaseRequest) -> Response:
        return Response(status=403, text="no")

    async with serve(refuse) as server:
        raw = await exchange(
            server.port,
            b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
        )
    assert raw.startswith(b"HTTP/1.1 403 Forbidden\r\n")
    assert b"100 Continue" not in raw
    assert parse_responses(raw)[0].headers["connection"] == "close"


# -- errors -------------------------------------------------------------------------------------


async def test_handler_exception_is_answered_500_and_closed() -> None:
    async def broken(request: BaseRequest) -> Response:
        raise RuntimeError("boom")

    async with serve(broken) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    (resp,) = parse_responses(raw)
    assert resp.status == 500
    assert resp.headers["connection"] == "close"
    assert b"boom" not in raw


async def test_exception_after_the_head_was_sent_cuts_the_connection() -> None:
    async def broken(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        await resp.write(b"partial")
        raise RuntimeError("boom")

    async with serve(broken) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    (resp,) = parse_responses(raw)
    assert resp.status == 200
    assert not resp.complete


async def test_body_read_timeout_is_answered_408() -> None:
    async with serve(echo, read_timeout=0.1) as server:
        raw = await exchange(
            server.port, b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"
        )
    (resp,) = parse_responses(raw)
    assert resp.status == 408
    assert resp.headers["connection"] == "close"


async def test_incomplete_head_is_answered_408_after_the_head_timeout() -> None:
    async with serve(hello, head_timeout=0.1) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ")
    (resp,) = parse_responses(raw)
    assert resp.status == 408


async def test_client_that_does_not_read_is_cut_after_the_write_timeout() -> None:
    outcome: list[str] = []

    async def flood(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        try:
            for _ in range(2000):
                await resp.write(b"x" * 65536)
        except ConnectionResetError:
            outcome.append("reset")
            raise
        return resp

    async with serve(flood, write_timeout=0.2) as server:
        _reader, writer = await asyncio.open_connection("127.0.0.1", server.port, limit=2**16)
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        try:
            for _ in range(100):
                if outcome:
                    break
                await asyncio.sleep(0.05)
        finally:
            writer.close()
    assert outcome == ["reset"]


def test_response_refuses_invalid_status_and_reason() -> None:
    with pytest.raises(ValueError):
        Response(status=42)
    with pytest.raises(ValueError):
        Response(status=200, reason="OK\r\nX: y")
    with pytest.raises(ValueError):
        Response(body=b"a", text="b")
    with pytest.raises(TypeError):
        Response(body=42)  # type: ignore[arg-type]


async def test_half_closed_client_still_gets_its_responses() -> None:
    async with serve(echo) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(
                b"POST /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab"
                b"GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
            )
            writer.write_eof()
            raw = await asyncio.wait_for(reader.read(), WAIT)
        finally:
            writer.close()
    responses = parse_responses(raw)
    assert [r.headers["x-path"] for r in responses] == ["/1", "/2"]
    assert responses[0].body == b"ab"


async def test_http10_request_without_host_gets_url_from_the_local_address() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response(text=request.url)

    async with serve(handler) as server:
        raw = await exchange(server.port, b"GET /x?y HTTP/1.0\r\n\r\n")
    assert parse_responses(raw)[0].body == f"http://127.0.0.1:{server.port}/x?y".encode()


async def test_handler_returning_a_non_response_is_answered_500() -> None:
    async def wrong(request: BaseRequest) -> Response:
        return "text"  # type: ignore[return-value]

    async with serve(wrong) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert parse_responses(raw)[0].status == 500


async def test_bad_message_raised_by_a_body_read_is_answered_with_its_status() -> None:
    async with serve(echo, max_body_size=10) as server:
        raw = await exchange(
            server.port,
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n9\r\n123456789\r\n0\r\n\r\n",
        )
    (resp,) = parse_responses(raw)
    assert resp.status == 413
    assert resp.headers["connection"] == "close"


async def test_payload_body_is_sent_with_its_length_and_type() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response(body=JsonPayload({"ok": True}))

    async with serve(handler) as server:
        raw = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    (resp,) = parse_responses(raw)
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["content-length"] == str(len(resp.body))
    assert resp.body == b'{"ok": true}'
