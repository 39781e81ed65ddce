"""Hostile requests get the right status, ``Connection: close`` and a closed connection, in bounded time."""

from __future__ import annotations

import asyncio
import re

import httptools
import pytest

from aiohttp_http import BaseRequest, Response, serve

WAIT = 5.0

H = b"Host: h\r\n"

# (case id, bytes sent, status expected). The handler reads the body, so body
# errors surface through its reads.
HOSTILE = [
    ("bad_request_line_extra_part", b"GET / HTTP/1.1 extra\r\n" + H + b"\r\n", 400),
    ("bad_request_line_garbage", b"GARBAGE\r\n\r\n", 400),
    ("bad_version", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 400),
    ("bad_method", b"G(T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("bad_target", b"GET nothing HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("missing_host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("two_hosts", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", 400),
    ("bad_header_space_in_name", b"GET / HTTP/1.1\r\n" + H + b"Bad Name: v\r\n\r\n", 400),
    ("bad_header_space_before_colon", b"GET / HTTP/1.1\r\n" + H + b"X-A : v\r\n\r\n", 400),
    ("bad_header_no_colon", b"GET / HTTP/1.1\r\n" + H + b"NoColon\r\n\r\n", 400),
    ("obs_fold", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n\r\n", 400),
    (
        "cl_with_te",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
        400,
    ),
    ("te_not_chunked", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", 400),
    ("te_http10", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("cl_plus_sign", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: +3\r\n\r\nabc", 400),
    (
        "cl_conflicting",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        400,
    ),
    ("huge_header", b"GET / HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    (
        "huge_header_incomplete",
        b"GET / HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 9000,
        431,
    ),
    (
        "too_many_headers",
        b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(200)) + b"\r\n",
        431,
    ),
    ("long_request_line", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n", 414),
    (
        "body_over_cap_content_length",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 2000\r\n\r\n",
        413,
    ),
    (
        "body_over_cap_chunked",
        b"POST / HTTP/1.1\r\n"
        + H
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + b"400\r\n"
        + b"x" * 1024
        + b"\r\n"
        + b"400\r\n"
        + b"x" * 1024
        + b"\r\n0\r\n\r\n",
        413,
    ),
    ("bare_lf_everywhere", b"GET / HTTP/1.1\nHost: h\n\n", 400),
    ("bare_lf_in_header", b"GET / HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n", 400),
    ("bare_cr_in_header", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\rb\r\n\r\n", 400),
    ("nul_in_header", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n", 400),
    ("nul_in_target", b"GET /a\x00b HTTP/1.1\r\n" + H + b"\r\n", 400),
    (
        "invalid_chunk_size",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk_size_with_sign",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    (
        "chunk_data_without_crlf",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n",
        400,
    ),
]


async def reading_handler(request: BaseRequest) -> Response:
    return Response(body=await request.read())


def status_and_headers(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Parse one response with httptools."""
    headers: dict[str, str] = {}
    body = bytearray()

    class Callbacks:
        def on_header(self, name: bytes, value: bytes) -> None:
            headers[name.decode().lower()] = value.decode()

        def on_body(self, data: bytes) -> None:
            body.extend(data)

    parser = httptools.HttpResponseParser(Callbacks())
    parser.feed_data(raw)
    return parser.get_status_code(), headers, bytes(body)


@pytest.mark.parametrize(("data", "status"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
async def test_hostile_request_gets_its_status_and_a_closed_connection(
    data: bytes, status: int
) -> None:
    async with serve(reading_handler, max_body_size=1500) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(data)
            # read() returns only at EOF: the server must close, and soon.
            raw = await asyncio.wait_for(reader.read(), WAIT)
        finally:
            writer.close()
    got, headers, _ = status_and_headers(raw)
    assert got == status
    assert headers["connection"] == "close"


async def test_good_pipelined_requests_before_a_bad_one_are_answered_first() -> None:
    async def hello(request: BaseRequest) -> Response:
        return Response(text=request.path)

    async with serve(hello) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            writer.write(
                b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nBAD\r\n\r\n"
            )
            raw = await asyncio.wait_for(reader.read(), WAIT)
        finally:
            writer.close()
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)
    assert statuses == [b"200", b"200", b"400"]
    assert raw.index(b"\r\n\r\n/1") < raw.index(b"\r\n\r\n/2") < raw.index(b" 400 ")
    assert raw.count(b"Connection: close") == 1


async def test_hostile_bytes_fed_one_at_a_time_still_get_400() -> None:
    async with serve(reading_handler) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            for byte in b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n":
                writer.write(bytes([byte]))
                await writer.drain()
            raw = await asyncio.wait_for(reader.read(), WAIT)
        finally:
            writer.close()
    assert status_and_headers(raw)[0] == 400


async def test_connection_closed_mid_body_does_not_leave_the_handler_hanging() -> None:
    errors: list[BaseException] = []
    done = asyncio.Event()

    async def handler(request: BaseRequest) -> Response:
        try:
            await request.read()
        except Exception as exc:
            errors.append(exc)
            raise
        finally:
            done.set()
        return Response()

    async with serve(handler) as server:
        _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc")
        await writer.drain()
        writer.close()
        await asyncio.wait_for(done.wait(), WAIT)
    assert len(errors) == 1
