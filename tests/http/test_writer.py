"""The writer: heads, refusals of CR/LF/NUL and non-tokens, chunked, length and compression."""

from __future__ import annotations

import gzip
import zlib

import pytest
from multidict import CIMultiDict

from aiohttp_http import (
    BodyCompressor,
    ChunkedEncoder,
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    HttpVersion10,
    InvalidOutgoingField,
    LengthEncoder,
    serialize_headers,
    serialize_request_head,
    serialize_response_head,
)


def test_serialize_headers_builds_line_fields_and_blank_line() -> None:
    out = serialize_headers("GET / HTTP/1.1", {"Host": "example.com", "Accept": "*/*"})
    assert out == b"GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"


def test_serialize_headers_keeps_repeated_names_from_a_multidict_and_pairs() -> None:
    md = CIMultiDict([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    assert serialize_headers("HTTP/1.1 200 OK", md).count(b"Set-Cookie") == 2
    pairs = [("X", "1"), ("X", "2")]
    assert serialize_headers("HTTP/1.1 200 OK", pairs) == b"HTTP/1.1 200 OK\r\nX: 1\r\nX: 2\r\n\r\n"


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\x00b", "a\r\nX-Injected: 1"])
def test_refuses_cr_lf_nul_in_header_values(bad: str) -> None:
    with pytest.raises(InvalidOutgoingField, match="value of field 'X-Foo'"):
        serialize_headers("GET / HTTP/1.1", {"X-Foo": bad})


@pytest.mark.parametrize("bad", ["X Foo", "X:Foo", "", "X\r\nFoo", "Fö", "X\x00"])
def test_refuses_header_names_that_are_not_tokens(bad: str) -> None:
    with pytest.raises(InvalidOutgoingField):
        serialize_headers("GET / HTTP/1.1", {bad: "v"})


def test_refuses_cr_lf_nul_in_status_line() -> None:
    with pytest.raises(InvalidOutgoingField):
        serialize_headers("GET / HTTP/1.1\r\nX: y", {})


def test_invalid_outgoing_field_is_a_value_error() -> None:
    assert issubclass(InvalidOutgoingField, ValueError)


@pytest.mark.parametrize("method", ["GET ", "G\rT", "G\nT", "G\x00T", "", "GET/"])
def test_request_head_refuses_bad_methods(method: str) -> None:
    with pytest.raises(InvalidOutgoingField):
        serialize_request_head(method, "/", {"Host": "a"})


@pytest.mark.parametrize("target", ["/a b", "/a\r\n", "/\x00", "", "/caf\u00e9", "/a\tb"])
def test_request_head_refuses_bad_targets(target: str) -> None:
    with pytest.raises(InvalidOutgoingField):
        serialize_request_head("GET", target, {"Host": "a"})


@pytest.mark.parametrize("reason", ["O\rK", "O\nK", "O\x00K", "O\x01K"])
def test_response_head_refuses_bad_reason_phrases(reason: str) -> None:
    with pytest.raises(InvalidOutgoingField):
        serialize_response_head(200, reason, {})


@pytest.mark.parametrize("status", [99, 1000, -1])
def test_response_head_refuses_bad_status(status: int) -> None:
    with pytest.raises(InvalidOutgoingField):
        serialize_response_head(status, "X", {})


def test_request_head_with_version_and_absolute_target() -> None:
    head = serialize_request_head("GET", "http://a/x", {"Host": "a"}, HttpVersion10)
    assert head.startswith(b"GET http://a/x HTTP/1.0\r\n")


def test_chunked_encoder_frames_chunks_and_trailers() -> None:
    enc = ChunkedEncoder()
    assert enc.encode(b"") == b""
    assert enc.encode(b"hello") == b"5\r\nhello\r\n"
    assert enc.encode(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"
    assert enc.finish({"X-Checksum": "abc"}) == b"0\r\nX-Checksum: abc\r\n\r\n"
    with pytest.raises(RuntimeError):
        enc.encode(b"late")


def test_chunked_encoder_without_trailers() -> None:
    assert ChunkedEncoder().finish() == b"0\r\n\r\n"


def test_chunked_encoder_refuses_bad_trailers() -> None:
    with pytest.raises(InvalidOutgoingField):
        ChunkedEncoder().finish({"X": "a\nb"})


def test_chunked_body_round_trips_through_the_parser() -> None:
    enc = ChunkedEncoder()
    wire = serialize_request_head("POST", "/", {"Host": "a", "Transfer-Encoding": "chunked"})
    wire += enc.encode(b"abc") + enc.encode(b"defg") + enc.finish({"T": "1"})
    events = HttpRequestParser().feed_data(wire)
    assert b"".join(e.data for e in events if isinstance(e, Data)) == b"abcdefg"
    assert isinstance(events[-1], EndOfMessage) and events[-1].trailers["T"] == "1"


def test_length_encoder_checks_the_declared_length() -> None:
    enc = LengthEncoder(5)
    assert enc.encode(b"abc") == b"abc"
    with pytest.raises(ValueError, match="has 3 of its 5"):
        enc.finish()
    with pytest.raises(ValueError, match="exceeds"):
        enc.encode(b"def")
    ok = LengthEncoder(2)
    ok.encode(b"hi")
    assert ok.finish() == b""
    with pytest.raises(ValueError):
        LengthEncoder(-1)


@pytest.mark.parametrize(
    ("encoding", "decompress"),
    [("gzip", gzip.decompress), ("deflate", zlib.decompress)],
)
def test_body_compressor_output_decompresses(encoding: str, decompress: object) -> None:
    comp = BodyCompressor(encoding)
    data = b"compress me " * 1000
    out = comp.compress(data[:5000]) + comp.compress(data[5000:]) + comp.flush()
    assert decompress(out) == data  # type: ignore[operator]


def test_compressed_response_round_trips_through_the_parser() -> None:
    comp = BodyCompressor("gzip")
    payload = comp.compress(b"round trip " * 100) + comp.flush()
    wire = serialize_response_head(
        200, "OK", {"Content-Encoding": "gzip", "Content-Length": str(len(payload))}
    )
    events = HttpResponseParser().feed_data(wire + payload)
    assert b"".join(e.data for e in events if isinstance(e, Data)) == b"round trip " * 100


def test_body_compressor_refuses_unknown_encodings() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        BodyCompressor("br")
