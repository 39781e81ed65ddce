"""Every valid message of the corpus, parsed whole, split in two at every byte, and byte by byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aiohttp_http import (
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    HttpVersion10,
    HttpVersion11,
    RawRequestMessage,
    RawResponseMessage,
    Upgraded,
)

CORPUS = Path(__file__).parent / "corpus"
RESPONSES = sorted((CORPUS / "responses").glob("*.http"))
REQUESTS = sorted((CORPUS / "requests").glob("*.http"))


def normalise(events: list[Any]) -> list[Any]:
    """Comparable events: heads as tuples, consecutive Data merged."""
    out: list[Any] = []
    for ev in events:
        if isinstance(ev, Data):
            if out and out[-1][0] == "data":
                out[-1] = ("data", out[-1][1] + ev.data)
            else:
                out.append(("data", ev.data))
        elif isinstance(ev, EndOfMessage):
            out.append(("end", ev.raw_trailers, list(ev.trailers.items())))
        elif isinstance(ev, Upgraded):
            out.append(("upgraded", ev.tail))
        else:
            fields = ev._asdict()
            fields["headers"] = list(ev.headers.items())
            out.append(("head", fields))
    return out


def parse_pieces(parser: Any, pieces: list[bytes]) -> list[Any]:
    events: list[Any] = []
    for piece in pieces:
        events += parser.feed_data(piece)
    events += parser.feed_eof()
    return normalise(events)


def splits(data: bytes) -> list[list[bytes]]:
    """Two pieces at every position, plus one byte at a time."""
    out = [[data[:i], data[i:]] for i in range(len(data) + 1)]
    out.append([data[i : i + 1] for i in range(len(data))])
    return out


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.stem)
def test_response_corpus_parses_identically_under_every_byte_split(path: Path) -> None:
    data = path.read_bytes()
    expected = parse_pieces(HttpResponseParser(), [data])
    assert expected[0][0] == "head"
    assert expected[-1][0] == "end"
    for pieces in splits(data):
        assert parse_pieces(HttpResponseParser(), pieces) == expected


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.stem)
def test_request_corpus_parses_identically_under_every_byte_split(path: Path) -> None:
    data = path.read_bytes()
    expected = parse_pieces(HttpRequestParser(), [data])
    assert expected[0][0] == "head"
    assert expected[-1][0] == "end"
    for pieces in splits(data):
        assert parse_pieces(HttpRequestParser(), pieces) == expected


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.stem)
def test_lenient_response_parser_agrees_with_strict_on_valid_corpus(path: Path) -> None:
    data = path.read_bytes()
    strict = parse_pieces(HttpResponseParser(), [data])
    assert parse_pieces(HttpResponseParser(lenient=True), [data]) == strict
    bytewise = [data[i : i + 1] for i in range(len(data))]
    assert parse_pieces(HttpResponseParser(lenient=True), bytewise) == strict


def _heads(path: Path, parser: Any) -> list[Any]:
    events = parser.feed_data(path.read_bytes()) + parser.feed_eof()
    return [e for e in events if isinstance(e, (RawRequestMessage, RawResponseMessage))]


def test_chunked_response_exposes_trailers_and_ignores_extensions() -> None:
    parser = HttpResponseParser()
    events = parser.feed_data((CORPUS / "responses" / "chunked_ext_trailers.http").read_bytes())
    head, *body, end = events
    assert head.chunked and not head.should_close
    assert b"".join(e.data for e in body) == b"hello world0123456789"
    assert isinstance(end, EndOfMessage)
    assert end.trailers["x-checksum"] == "abc"
    assert end.raw_trailers == ((b"X-Checksum", b"abc"), (b"X-Other", b"1"))


def test_http10_response_without_length_reads_until_close() -> None:
    parser = HttpResponseParser()
    events = parser.feed_data((CORPUS / "responses" / "http10_until_close.http").read_bytes())
    assert events[0].version == HttpVersion10 and events[0].should_close
    assert not any(isinstance(e, EndOfMessage) for e in events)
    final = parser.feed_eof()
    assert isinstance(final[-1], EndOfMessage)


def test_repeated_identical_content_length_is_accepted_as_one_value() -> None:
    (head,) = _heads(CORPUS / "responses" / "repeated_identical_length.http", HttpResponseParser())
    assert head.headers.getall("Content-Length") == ["4, 4", "4"]


def test_header_values_are_stripped_and_kept_in_order() -> None:
    (head,) = _heads(CORPUS / "responses" / "whitespace_values.http", HttpResponseParser())
    assert head.raw_headers[:3] == (
        (b"X-Empty", b""),
        (b"X-Spaces", b"padded value"),
        (b"X-Tab", b"in\tside"),
    )
    assert head.headers["x-spaces"] == "padded value"


def test_utf8_header_value_is_decoded() -> None:
    (head,) = _heads(CORPUS / "responses" / "utf8_value.http", HttpResponseParser())
    assert head.headers["X-Name"] == "caf\u00e9 \u2603"


def test_request_fields_method_path_url_version_and_keep_alive() -> None:
    heads = _heads(CORPUS / "requests" / "pipelined_gets.http", HttpRequestParser())
    assert [(h.method, h.path, h.url, h.should_close) for h in heads] == [
        ("GET", "/1", "/1", False),
        ("GET", "/2", "/2", False),
        ("HEAD", "/3", "/3", True),
    ]
    assert all(h.version == HttpVersion11 for h in heads)
    (head,) = _heads(CORPUS / "requests" / "http10_no_host.http", HttpRequestParser())
    assert head.should_close and head.version == HttpVersion10


def test_leading_empty_lines_before_a_request_are_ignored() -> None:
    parser = HttpRequestParser()
    events = parser.feed_data(b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert events[0].path == "/"
