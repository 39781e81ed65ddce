"""aiohttp.protocol: the older message writers over aiohttp-http's serialisers."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

import aiohttp_http
from aiohttp_http import (
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    InvalidOutgoingField,
    RawRequestMessage,
    RawResponseMessage,
)


def _fresh_import(name: str) -> Any:
    """Import ``name`` anew so that its import-time warning fires again."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


with pytest.warns(DeprecationWarning, match="aiohttp.protocol is deprecated"):
    protocol = _fresh_import("aiohttp.protocol")


class Sink:
    """A transport that records what is written (and counts drains)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.drains = 0

    def write(self, data: bytes) -> None:
        self.data += data

    async def drain(self) -> None:
        self.drains += 1


def _parse_response(data: bytes) -> tuple[RawResponseMessage, bytes]:
    events = HttpResponseParser().feed_data(data)
    head = events[0]
    assert isinstance(head, RawResponseMessage)
    assert isinstance(events[-1], EndOfMessage)
    body = b"".join(e.data for e in events if isinstance(e, Data))
    return head, body


def test_names_are_aiohttp_http_objects() -> None:
    assert protocol.HttpVersion is aiohttp_http.HttpVersion
    assert protocol.HttpVersion10 is aiohttp_http.HttpVersion10
    assert protocol.HttpVersion11 is aiohttp_http.HttpVersion11
    assert protocol.RawRequestMessage is aiohttp_http.RawRequestMessage
    assert protocol.RawResponseMessage is aiohttp_http.RawResponseMessage


async def test_response_with_content_length() -> None:
    sink = Sink()
    resp = protocol.Response(sink, 200)
    resp.add_header("Content-Type", "text/plain")
    resp.add_headers(("Content-Length", "5"), ("X-A", "1"))
    assert resp.keep_alive()
    resp.send_headers()
    await resp.write(b"hel")
    await resp.write_eof(b"lo")
    head, body = _parse_response(bytes(sink.data))
    assert (head.code, head.reason, head.version) == (200, "OK", (1, 1))
    assert head.headers["Content-Length"] == "5"
    assert head.headers["X-A"] == "1"
    assert "Date" in head.headers
    assert body == b"hello"
    assert not head.should_close
    assert resp.body_length == 5
    assert resp.output_length == len(sink.data)
    assert sink.drains >= 1


async def test_response_without_length_is_chunked_on_http11() -> None:
    sink = Sink()
    resp = protocol.Response(sink, 201, reason="Made")
    resp.write(b"part1,")  # sends the head implicitly; the drain need not be awaited
    resp.write(b"part2")
    await resp.write_eof()
    assert resp.chunked
    head, body = _parse_response(bytes(sink.data))
    assert (head.code, head.reason) == (201, "Made")
    assert head.chunked
    assert body == b"part1,part2"
    assert resp.status_line == "HTTP/1.1 201 Made"


async def test_http10_response_without_length_is_close_delimited() -> None:
    sink = Sink()
    resp = protocol.Response(sink, 200, http_version=protocol.HttpVersion10)
    resp.send_headers()
    await resp.write_eof(b"body")
    assert not resp.keep_alive()
    assert bytes(sink.data).startswith(b"HTTP/1.0 200 OK\r\n")
    assert bytes(sink.data).endswith(b"\r\n\r\nbody")
    assert b"Transfer-Encoding" not in sink.data


async def test_connection_headers_and_force_close() -> None:
    sink = Sink()
    resp = protocol.Response(sink, 200, version=protocol.HttpVersion10)
    resp.add_header("Connection", "keep-alive")
    resp.add_header("Content-Length", "0")
    assert resp.keep_alive()
    resp.send_headers()
    assert b"Connection: keep-alive\r\n" in sink.data

    sink = Sink()
    resp = protocol.Response(sink, 200)
    resp.add_header("Content-Length", "0")
    resp.force_close()
    resp.send_headers()
    await resp.write_eof()
    head, _ = _parse_response(bytes(sink.data))
    assert head.should_close


async def test_no_body_for_204_and_304() -> None:
    sink = Sink()
    resp = protocol.Response(sink, 204)
    resp.send_headers()
    await resp.write_eof(b"ignored")
    assert bytes(sink.data).endswith(b"\r\n\r\n")
    assert b"ignored" not in sink.data
    assert b"Transfer-Encoding" not in sink.data


async def test_writer_refuses_bad_use() -> None:
    resp = protocol.Response(Sink(), 200)
    with pytest.raises(ValueError, match="Content-Length"):
        resp.add_header("Content-Length", "ten")
    resp.add_header("X-Bad", "a\r\nInjected: 1")
    with pytest.raises(InvalidOutgoingField):
        resp.send_headers()

    resp = protocol.Response(Sink(), 200)
    resp.add_header("Content-Length", "2")
    resp.send_headers()
    with pytest.raises(RuntimeError, match="already sent"):
        resp.send_headers()
    with pytest.raises(RuntimeError, match="already sent"):
        resp.add_header("X", "1")
    with pytest.raises(ValueError):
        resp.write(b"too long")
    with pytest.raises(ValueError):
        await resp.write_eof()
    with pytest.raises(RuntimeError, match="after write_eof"):
        resp.write(b"x")


async def test_request_writer_with_length_and_chunked() -> None:
    sink = Sink()
    req = protocol.Request(sink, "POST", "/submit?x=1")
    req.add_header("Host", "example.com")
    req.add_header("Content-Length", "3")
    req.send_headers()
    await req.write_eof(b"abc")
    assert req.status_line == "POST /submit?x=1 HTTP/1.1"
    events = HttpRequestParser().feed_data(bytes(sink.data))
    head = events[0]
    assert isinstance(head, RawRequestMessage)
    assert (head.method, head.path) == ("POST", "/submit?x=1")
    assert b"".join(e.data for e in events if isinstance(e, Data)) == b"abc"

    sink = Sink()
    req = protocol.Request(sink, "PUT", "/up")
    req.add_header("Host", "example.com")
    req.write(b"streamed")  # no length: HTTP/1.1 streams it chunked
    await req.write_eof()
    events = HttpRequestParser().feed_data(bytes(sink.data))
    assert events[0].chunked  # type: ignore[union-attr]
    assert b"".join(e.data for e in events if isinstance(e, Data)) == b"streamed"


async def test_request_without_body_has_no_framing() -> None:
    sink = Sink()
    req = protocol.Request(sink, "GET", "/")
    req.add_header("Host", "h")
    req.send_headers()
    await req.write_eof()
    assert bytes(sink.data) == b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    req2 = protocol.Request(Sink(), "GET", "/")
    req2.send_headers()
    with pytest.raises(ValueError, match="without Content-Length"):
        req2.write(b"late body")


def test_http10_request_body_needs_a_length() -> None:
    req = protocol.Request(Sink(), "POST", "/", version=protocol.HttpVersion10)
    with pytest.raises(ValueError, match=r"HTTP/1\.0"):
        req.write(b"x")


async def test_transport_without_drain() -> None:
    class Plain:
        def __init__(self) -> None:
            self.data = b""

        def write(self, data: bytes) -> None:
            self.data += data

    plain = Plain()
    resp = protocol.Response(plain, 200)
    resp.add_header("Content-Length", "2")
    await resp.write(b"ok")
    await resp.write_eof()
    assert plain.data.endswith(b"\r\n\r\nok")
