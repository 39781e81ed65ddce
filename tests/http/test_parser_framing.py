"""Message framing: keep-alive, bodiless responses, hand-off, read-until-close, lenient mode."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from aiohttp_http import (
    BadStatusLine,
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    InvalidHeader,
    RawResponseMessage,
    Upgraded,
)


def kinds(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]


def body(events: list[Any]) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, Data))


@pytest.mark.parametrize(
    ("head", "should_close"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\n\r\n", True),  # read until close
    ],
)
def test_response_keep_alive_follows_version_connection_and_framing(
    head: bytes, should_close: bool
) -> None:
    (msg, *_rest) = HttpResponseParser().feed_data(head)
    assert msg.should_close is should_close


@pytest.mark.parametrize(
    ("head", "should_close"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", False),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", True),
        (b"GET / HTTP/1.0\r\n\r\n", True),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", False),
    ],
)
def test_request_keep_alive_follows_version_and_connection(head: bytes, should_close: bool) -> None:
    assert HttpRequestParser().feed_data(head)[0].should_close is should_close


def test_response_to_head_has_no_body_despite_content_length() -> None:
    parser = HttpResponseParser(request_method="HEAD")
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
    assert kinds(parser.feed_data(data)) == ["RawResponseMessage", "EndOfMessage"]


def test_expect_response_queues_methods_for_pipelined_responses() -> None:
    parser = HttpResponseParser()
    parser.expect_response("HEAD")
    parser.expect_response("GET")
    data = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    )
    events = parser.feed_data(data)
    assert kinds(events) == [
        "RawResponseMessage",
        "EndOfMessage",
        "RawResponseMessage",
        "Data",
        "EndOfMessage",
    ]


@pytest.mark.parametrize("code", [204, 304])
def test_204_and_304_have_no_body(code: int) -> None:
    data = b"HTTP/1.1 %d X\r\nContent-Length: 5\r\n\r\n" % code
    assert kinds(HttpResponseParser().feed_data(data)) == ["RawResponseMessage", "EndOfMessage"]


def test_informational_responses_are_messages_without_body_and_keep_the_method_queue() -> None:
    parser = HttpResponseParser()
    parser.expect_response("HEAD")
    events = parser.feed_data(
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"
    )
    assert [e.code for e in events if isinstance(e, RawResponseMessage)] == [103, 200]
    assert kinds(events)[-1] == "EndOfMessage"  # HEAD: no body


def test_switching_protocols_hands_off_with_the_unparsed_tail() -> None:
    parser = HttpResponseParser()
    events = parser.feed_data(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        b"\x81\x05hello"
    )
    assert events[0].upgrade and kinds(events) == ["RawResponseMessage", "Upgraded"]
    assert events[1] == Upgraded(b"\x81\x05hello")
    with pytest.raises(RuntimeError):
        parser.feed_data(b"more")
    assert parser.feed_eof() == []


def test_connect_2xx_hands_off_but_connect_4xx_does_not() -> None:
    parser = HttpResponseParser(request_method="CONNECT")
    events = parser.feed_data(b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01")
    assert events[-1] == Upgraded(b"\x16\x03\x01")
    parser = HttpResponseParser(request_method="CONNECT")
    events = parser.feed_data(b"HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno")
    assert kinds(events) == ["RawResponseMessage", "Data", "EndOfMessage"]


def test_connect_request_hands_off_after_the_head() -> None:
    events = HttpRequestParser().feed_data(
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03"
    )
    assert events[0].upgrade and events[0].path == "example.com:443"
    assert events[-1] == Upgraded(b"\x16\x03")


def test_upgrade_request_hands_off_after_its_body() -> None:
    parser = HttpRequestParser()
    events = parser.feed_data(
        b"POST /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
        b"Content-Length: 2\r\n\r\nhi"
    )
    assert events[0].upgrade
    assert kinds(events) == ["RawRequestMessage", "Data", "EndOfMessage", "Upgraded"]
    assert events[-1] == Upgraded(b"")
    with pytest.raises(RuntimeError):
        parser.feed_data(b"PRI * HTTP/2.0")


def test_upgrade_request_tail_after_body_is_returned() -> None:
    events = HttpRequestParser().feed_data(
        b"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x80"
    )
    assert events[-1] == Upgraded(b"\x81\x80")


def test_upgrade_header_without_connection_upgrade_is_not_an_upgrade() -> None:
    events = HttpRequestParser().feed_data(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n\r\n")
    assert not events[0].upgrade and kinds(events) == ["RawRequestMessage", "EndOfMessage"]


def test_read_until_close_body_ends_at_feed_eof() -> None:
    parser = HttpResponseParser()
    events = parser.feed_data(b"HTTP/1.1 200 OK\r\n\r\npart one ")
    events += parser.feed_data(b"part two")
    assert body(events) == b"part one part two"
    assert isinstance(parser.feed_eof()[-1], EndOfMessage)
    with pytest.raises(RuntimeError):
        parser.feed_data(b"x")


def test_feed_eof_between_messages_is_clean() -> None:
    parser = HttpResponseParser()
    parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
    assert parser.feed_eof() == []


def test_content_length_body_is_passed_through_without_copy() -> None:
    parser = HttpResponseParser()
    parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n")
    chunk = b"a" * 100000
    (event,) = parser.feed_data(chunk)
    assert isinstance(event, Data) and event.data is chunk


def test_compression_is_exposed_and_decoded() -> None:
    payload = gzip.compress(b"decoded text" * 100)
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: GZIP\r\nContent-Length: %d\r\n\r\n" % len(payload)
    events = HttpResponseParser().feed_data(data + payload)
    assert events[0].compression == "gzip"
    assert body(events) == b"decoded text" * 100


def test_auto_decompress_off_passes_the_encoded_body() -> None:
    payload = gzip.compress(b"x" * 10)
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(payload)
    events = HttpResponseParser(auto_decompress=False).feed_data(data + payload)
    assert events[0].compression == "gzip" and body(events) == payload


def test_unknown_content_encoding_is_not_a_compression() -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Encoding: compress\r\nContent-Length: 1\r\n\r\nx"
    events = HttpResponseParser().feed_data(data)
    assert events[0].compression is None and body(events) == b"x"


def test_gzip_request_body_with_chunked_framing_is_decoded() -> None:
    payload = gzip.compress(b"upload" * 50)
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(payload[i : i + 7]), payload[i : i + 7])
        for i in range(0, len(payload), 7)
    )
    data = (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunks
        + b"0\r\n\r\n"
    )
    parser = HttpRequestParser()
    events: list[Any] = []
    for i in range(len(data)):
        events += parser.feed_data(data[i : i + 1])
    assert body(events) == b"upload" * 50


# -- lenient response mode ------------------------------------------------------


def test_lenient_accepts_bare_lf_line_endings() -> None:
    parser = HttpResponseParser(lenient=True)
    events = parser.feed_data(b"HTTP/1.1 200 OK\nContent-Length: 2\nX: y\n\nhi")
    assert events[0].headers["X"] == "y" and body(events) == b"hi"


def test_lenient_unfolds_obs_fold() -> None:
    data = b"HTTP/1.1 200 OK\r\nX-Long: first\r\n  second\r\n\tthird\r\nContent-Length: 0\r\n\r\n"
    events = HttpResponseParser(lenient=True).feed_data(data)
    assert events[0].headers["X-Long"] == "first second third"


def test_lenient_accepts_missing_reason_phrase_and_trailing_whitespace() -> None:
    for line in (b"HTTP/1.1 200", b"HTTP/1.1 200  ", b"HTTP/1.1 200 OK  "):
        events = HttpResponseParser(lenient=True).feed_data(line + b"\r\nContent-Length: 0\r\n\r\n")
        assert events[0].code == 200 and events[0].reason in ("", "OK")


@pytest.mark.parametrize(
    ("data", "exc"),
    [
        (b"HTTP/1.1 200 OK\nContent-Length : 0\n\n", InvalidHeader),
        (b"HTTP/1.1 200 OK\nX: a\x00b\n\n", InvalidHeader),
        (b"HTTP/1.1 200 OK\nX: a\rb\n\n", InvalidHeader),
        (b"HTTP/1.1 20 OK\n\n", BadStatusLine),
        (b"HTTP/1.1 200 O\rK\r\n\r\n", BadStatusLine),
    ],
)
def test_lenient_mode_still_rejects_smuggling_vectors(data: bytes, exc: type[Exception]) -> None:
    with pytest.raises(exc):
        HttpResponseParser(lenient=True).feed_data(data)


def test_lenient_mode_still_rejects_te_with_content_length() -> None:
    from aiohttp_http import TransferEncodingError

    data = b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nContent-Length: 3\n\n"
    with pytest.raises(TransferEncodingError):
        HttpResponseParser(lenient=True).feed_data(data)


def test_buffered_size_reports_bytes_left_after_a_complete_response() -> None:
    parser = HttpResponseParser()
    events = parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 2")
    assert isinstance(events[-1], EndOfMessage)
    assert parser.buffered_size == len(b"HTTP/1.1 2")
    clean = HttpResponseParser()
    clean.feed_data(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert clean.buffered_size == 0


def test_error_property_shows_a_deferred_error_at_once() -> None:
    parser = HttpRequestParser()
    events = parser.feed_data(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"
    )
    assert len(events) == 2  # the first request and its end
    assert isinstance(parser.error, InvalidHeader)
    with pytest.raises(InvalidHeader):
        parser.feed_data(b"")
